import math
from types import SimpleNamespace

import pytest

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


def test_hook_sets_the_model_ratio_per_epoch_and_per_iteration():
    from procontext_mm.registry import MODELS
    from procontext_mm.testing import tiny_tracker_cfg
    model = MODELS.build(tiny_tracker_cfg(ce_keep_ratios=0.6))
    hook = CEKeepRatioHook(start=20, warmup=50)
    runner = _runner(model, epoch=44)  # runner.epoch is 0-based: the reference's epoch 45
    hook.before_train_epoch(runner)
    assert model.train_keep_ratio == pytest.approx(_reference(45, base=0.6))
    assert runner.message_hub.scalars['train/ce_keep_ratio'] == model.train_keep_ratio
    by_iter = CEKeepRatioHook(start=100, warmup=100, by_epoch=False, target_keep_ratio=0.5)
    runner = _runner(model, iteration=150)
    by_iter.before_train_epoch(runner)  # ignored when scheduling by iteration
    by_iter.before_train_iter(runner, 0)
    assert model.train_keep_ratio == pytest.approx(0.75)
