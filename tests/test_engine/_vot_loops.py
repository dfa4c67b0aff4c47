"""The VOT benchmarks in mmengine's runner, shared by the engine's VOT tests (a uniquely named
module: ``conftest`` is ambiguous)."""
import numpy as np
import torch
from mmengine.runner import Runner

from procontext_mm.models.sot import StaticBoxTracker
from procontext_mm.registry import MODELS
from procontext_mm.testing import tiny_tracker_cfg

TEST_PIPELINE = [dict(type='LoadSOTFrames', on_error='raise'), dict(type='PackSOTTestInputs')]


def vot_dataset_cfg(root: str) -> dict:
    """The VOTDataset of the sequences at ``root`` as the test / val loops read it."""
    return dict(type='VOTDataset', data_root=root, test_mode=True, use_cache=False,
                pipeline=TEST_PIPELINE)


def run_vot_in_loop(root, work_dir, metric_cfg: dict, model=None, test_loop='SOTTestLoop'):
    """Test ``model`` (a config or a module; default the static box) on the VOT sequences at
    ``root`` with mmengine's Runner, ``test_loop`` and the SOTMetric ``metric_cfg``.

    Returns:
        tuple: the runner and the metrics ``runner.test()`` returned.
    """
    loop = dict(type=test_loop) if test_loop == 'TestLoop' else dict(type=test_loop,
                                                                     show_progress=False)
    runner = Runner(
        model=model or dict(type='StaticBoxTracker'), work_dir=str(work_dir),
        experiment_name=f"{metric_cfg['benchmark']}_{work_dir.name}",
        default_scope='procontext_mm',
        test_dataloader=dict(batch_size=1, num_workers=0,
                             sampler=dict(type='mmdet.TrackImgSampler'),
                             dataset=vot_dataset_cfg(root)),
        test_cfg=loop, test_evaluator=metric_cfg, log_level='WARNING')
    return runner, runner.test()


def assert_same_records(ours, theirs, atol=1e-4):
    """Two VOT record lists (codes 0 / 1 / 2 or boxes x, y, w, h) are equal: same length, a
    code where the other has a code, boxes within ``atol`` pixels."""
    assert len(ours) == len(theirs)
    for position, (a, b) in enumerate(zip(ours, theirs)):
        assert np.ndim(a) == np.ndim(b), (position, a, b)
        np.testing.assert_allclose(a, b, atol=atol, err_msg=f'record {position}')


def vot_test_tracker(kind: str):
    """``'static_box'``, or ``'tiny_procontext'``: a tiny ProContEXT with seeded random
    weights (boxes anywhere: failures at irregular places)."""
    if kind == 'static_box':
        return StaticBoxTracker()
    torch.manual_seed(0)
    return MODELS.build(tiny_tracker_cfg(embed_dims=32, num_layers=3, num_heads=2,
                                         head_channels=16)).eval()
