"""The plugin's modules are reachable from its own scope and from another project's config."""
import subprocess
import sys
import textwrap


def test_build_from_another_scope_with_custom_imports(tmp_path):
    # a fresh interpreter: mmdet's default scope, procontext_mm only through custom_imports
    script = textwrap.dedent('''
        from mmengine.config import Config
        from mmengine.registry import MODELS, init_default_scope
        cfg = Config(dict(
            default_scope='mmdet',
            custom_imports=dict(imports=['procontext_mm'], allow_failed_imports=False),
            model=dict(type='procontext_mm.ProContEXT',
                       backbone=dict(type='OneStreamViT', template_size=32, search_size=64,
                                     embed_dims=24, num_layers=2, num_heads=2, ce_layers=(1,)),
                       head=dict(type='CenterHead', in_channels=24, feat_channels=16,
                                 search_size=64),
                       template_memory=dict(template_size=32),
                       test_cfg=dict(search_size=64))))
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)
        init_default_scope(cfg.default_scope)
        model = MODELS.build(cfg.model)
        print(type(model).__module__, type(model.backbone).__name__,
              type(model.head.loss_iou).__module__)
    ''')
    out = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ['procontext_mm.models.sot.procontext', 'OneStreamViT',
                                  'mmdet.models.losses.iou_loss']


def test_default_scope_config_builds_every_kind():
    from mmengine.registry import init_default_scope

    from procontext_mm.registry import HOOKS, MODELS, TASK_UTILS, TRANSFORMS
    init_default_scope('procontext_mm')
    assert type(MODELS.build(dict(type='SOTDataPreprocessor'))).__name__ == 'SOTDataPreprocessor'
    assert type(HOOKS.build(dict(type='CEKeepRatioHook'))).__name__ == 'CEKeepRatioHook'
    assert TASK_UTILS.build(dict(type='TemplateMemory')).num_templates == 4
    assert type(TRANSFORMS.build(dict(type='PackSOTInputs'))).__name__ == 'PackSOTInputs'


def test_runner_parts_resolve_in_our_scope_without_the_fallback_warning():
    """The runner builds optimizers, optimizer wrappers and log processors in the default
    scope; with a child registry of each, mmengine finds them without warning that it falls
    back to its own."""
    import logging

    import torch
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    from procontext_mm.registry import LOG_PROCESSORS, OPTIM_WRAPPERS, OPTIMIZERS

    class Collect(logging.Handler):

        def emit(self, record):
            messages.append(record.getMessage())

    init_default_scope('procontext_mm')
    logger = MMLogger.get_current_instance()
    messages = []
    handler = Collect()
    logger.addHandler(handler)
    try:
        layer = torch.nn.Linear(2, 2)
        optimizer = OPTIMIZERS.build(dict(type='AdamW', lr=1e-3, params=layer.parameters()))
        wrapper = OPTIM_WRAPPERS.build(dict(type='OptimWrapper', optimizer=optimizer))
        processor = LOG_PROCESSORS.build(dict(type='LogProcessor', by_epoch=False))
    finally:
        logger.removeHandler(handler)
    assert type(wrapper.optimizer).__name__ == 'AdamW'
    assert type(processor).__name__ == 'LogProcessor'
    assert not [m for m in messages if 'Failed to search registry' in m], messages
