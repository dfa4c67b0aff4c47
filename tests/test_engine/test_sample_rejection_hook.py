"""SampleRejectionHook on hand-made batches (the end-to-end count is in test_train_test_tools)."""
from types import SimpleNamespace

import pytest
from mmdet.structures import TrackDataSample

from procontext_mm.datasets.base_sot_dataset import BaseSOTDataset
from procontext_mm.engine.hooks import SampleRejectionHook, count_rejections


def _sample(num_rejected=None):
    sample = TrackDataSample()
    if num_rejected is not None:
        sample.set_metainfo({BaseSOTDataset.NUM_REJECTED_KEY: num_rejected})
    return sample


class _Logger:
    def __init__(self):
        self.lines = []

    def warning(self, message):
        self.lines.append(('warning', message))

    def info(self, message):
        self.lines.append(('info', message))


def test_count_rejections_sums_the_key_and_counts_samples_without_it_as_zero():
    assert count_rejections([_sample(2), _sample(0), _sample(), _sample(3)]) == 5
    assert count_rejections([]) == 0 and count_rejections(None) == 0


def test_interval_and_share_are_checked():
    with pytest.raises(ValueError, match='interval must be >= 1, got 0'):
        SampleRejectionHook(interval=0)
    with pytest.raises(ValueError, match=r'warn_above must be a share in \[0, 1\], got 20'):
        SampleRejectionHook(warn_above=20)


def test_logs_once_per_interval_with_rejections_and_sums_up_after_training():
    hook = SampleRejectionHook(interval=2, warn_above=0.3)
    runner = SimpleNamespace(iter=0, logger=_Logger())
    batches = [[_sample(1), _sample(0)], [_sample(0), _sample(0)],  # iterations 1-2: 1 rejected
               [_sample(0), _sample(0)], [_sample(0), _sample(0)],  # 3-4: none, no line
               [_sample(3), _sample(1)]]                            # 5: flushed after training
    for iteration, batch in enumerate(batches):
        runner.iter = iteration
        hook.after_train_iter(runner, iteration, dict(data_samples=batch))
    hook.after_train(runner)

    levels = [level for level, _ in runner.logger.lines]
    assert levels == ['info', 'warning', 'info']  # 1 of 5 drawn (20%), then 4 of 6 (67%)
    first, last, summary = (message for _, message in runner.logger.lines)
    assert '1 samples rejected and drawn again in the last 2 iterations' in first
    assert '1 of 5 samples drawn were rejected (20.00%) so far' in first
    assert '4 samples rejected and drawn again in the last iterations' in last
    assert summary == ('SampleRejectionHook: 5 of 15 samples drawn were rejected (33.33%) '
                       'during training')
