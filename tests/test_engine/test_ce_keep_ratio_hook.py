import math
from types import SimpleNamespace

import pytest
import torch

from procontext_mm.engine.hooks import CEKeepRatioHook, ce_keep_ratio_at


def _reference(epoch, start=20, warm=50, base=0.7):
    """The reference schedule (epochs counted from 1, one iteration per epoch), by hand."""
    if epoch < start:
        return 1.0
    if epoch >= start + warm:
        return base
    return base + (1 - base) * (math.cos((epoch - start) / warm * math.pi) + 1) * 0.5


@pytest.mark.parametrize('epoch', [1, 19, 20, 21, 45, 69, 70, 100])
def test_schedule_matches_the_reference(epoch):
    assert ce_keep_ratio_at(epoch, 20, 50, 0.7) == pytest.approx(_reference(epoch))


def test_schedule_endpoints_and_midpoint():
    assert ce_keep_ratio_at(19, 20, 50, 0.7) == 1.0
    assert ce_keep_ratio_at(45, 20, 50, 0.7) == pytest.approx(0.85)  # half way: (1 + 0.7) / 2
    assert ce_keep_ratio_at(70, 20, 50, 0.7) == 0.7


class _Hub:
    def __init__(self):
        self.scalars = {}

    def update_scalar(self, key, value):
        self.scalars[key] = value


def _runner(model, epoch=0, iteration=0):
    return SimpleNamespace(model=model, epoch=epoch, iter=iteration, message_hub=_Hub())


def _tiny_tracker(**kwargs):
    from procontext_mm.registry import MODELS
    from procontext_mm.testing import tiny_tracker_cfg
    return MODELS.build(tiny_tracker_cfg(**kwargs))


def test_hook_sets_the_backbone_ratio_per_epoch_and_per_iteration():
    model = _tiny_tracker(ce_keep_ratio=0.6)
    hook = CEKeepRatioHook(start=20, warmup=50)
    runner = _runner(model, epoch=44)  # runner.epoch is 0-based: the reference's epoch 45
    hook.before_train_epoch(runner)
    assert model.backbone.scheduled_ce_keep_ratio == pytest.approx(_reference(45, base=0.6))
    assert runner.message_hub.scalars == {
        'train/ce_keep_ratio': model.backbone.scheduled_ce_keep_ratio}
    assert model.backbone.ce_keep_ratio == (0.6, 0.6)  # the configured ratio is untouched
    by_iter = CEKeepRatioHook(start=100, warmup=100, by_epoch=False, ce_keep_ratio=0.5)
    runner = _runner(model, iteration=150)
    by_iter.before_train_epoch(runner)  # ignored when scheduling by iteration
    assert runner.message_hub.scalars == {}
    by_iter.before_train_iter(runner, 0)
    assert model.backbone.scheduled_ce_keep_ratio == pytest.approx(0.75)
    assert runner.message_hub.scalars['train/ce_keep_ratio'] == pytest.approx(0.75)


def test_hook_target_defaults_to_the_smallest_configured_ratio():
    model = _tiny_tracker(ce_keep_ratio=(0.8, 0.5))
    runner = _runner(model, epoch=99)  # past the warm-up: the target itself
    CEKeepRatioHook(start=20, warmup=50).before_train_epoch(runner)
    assert model.backbone.scheduled_ce_keep_ratio == 0.5
    assert runner.message_hub.scalars['train/ce_keep_ratio'] == 0.5


def test_hook_unwraps_a_model_wrapper():
    from mmengine.model import MMDistributedDataParallel

    class _Wrapper(MMDistributedDataParallel):
        def __init__(self, module):  # no process group: only ``.module`` matters here
            torch.nn.Module.__init__(self)
            self.module = module

    model = _tiny_tracker()
    runner = _runner(_Wrapper(model), epoch=0)
    CEKeepRatioHook(start=20, warmup=50).before_train_epoch(runner)
    assert model.backbone.scheduled_ce_keep_ratio == 1.0  # before the decay starts
    assert runner.message_hub.scalars['train/ce_keep_ratio'] == 1.0


@pytest.mark.parametrize('ratio', [0., 1.5])
def test_hook_rejects_a_ratio_outside_unit_interval(ratio):
    with pytest.raises(ValueError, match=f'ce_keep_ratio={ratio}'):
        CEKeepRatioHook(ce_keep_ratio=ratio)
