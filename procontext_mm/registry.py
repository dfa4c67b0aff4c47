"""Registries of procontext_mm (scope ``procontext_mm``).

Every registry is a child of the mmengine root registry of the same kind, so that

* ``default_scope='procontext_mm'`` configs find these modules directly, and
* configs of another project (e.g. ``default_scope='mmdet'``) reach them with the scope
  prefix, ``type='procontext_mm.ProContEXT'``, after
  ``custom_imports=dict(imports=['procontext_mm'])``.

``locations`` lets the registry import the sub-packages lazily on the first look-up.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry

DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=['procontext_mm.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['procontext_mm.datasets.samplers'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, locations=['procontext_mm.datasets.transforms'])
MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['procontext_mm.models'])
TASK_UTILS = Registry(
    'task util', parent=MMENGINE_TASK_UTILS, locations=['procontext_mm.models.task_modules'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, locations=['procontext_mm.evaluation'])
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR, locations=['procontext_mm.evaluation'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['procontext_mm.engine.hooks'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['procontext_mm.engine.runner'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS, locations=['procontext_mm.engine'])
# The runner looks optimizers, optimizer wrappers and log processors up in the default scope and
# warns when it has no such registry: children of them, the first and last without modules.
OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS)
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, locations=['procontext_mm.engine.optimizers'])
LOG_PROCESSORS = Registry('log_processor', parent=MMENGINE_LOG_PROCESSORS)
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['procontext_mm.engine'])
VISUALIZERS = Registry(
    'visualizer', parent=MMENGINE_VISUALIZERS, locations=['procontext_mm.visualization'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMENGINE_VISBACKENDS, locations=['procontext_mm.visualization'])


def build_in_scope(registry: Registry, cfg: dict, **default_args):
    """Build ``cfg`` with ``procontext_mm`` as the default scope during the build.

    mmengine resolves nested configs in the *current* default scope; when a project with
    another scope (e.g. ``default_scope='mmdet'``) builds ``procontext_mm.ProContEXT``, the
    sub-modules (backbone, head, ...) must still be found here. An explicit ``_scope_`` in
    ``cfg`` is respected.
    """
    cfg = dict(cfg)
    cfg.setdefault('_scope_', 'procontext_mm')
    return registry.build(cfg, **default_args)
