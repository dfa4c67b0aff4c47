"""Counting, in the training log, the samples the data pipeline rejected and drew again."""
from typing import Optional, Sequence

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook

from procontext_mm.datasets.base_sot_dataset import BaseSOTDataset
from procontext_mm.registry import HOOKS


def count_rejections(data_samples: Optional[Sequence]) -> int:
    """Rejections recorded in a batch's data samples (``BaseSOTDataset.NUM_REJECTED_KEY``).

    Samples without the key (another dataset class) count 0.
    """
    return sum(int(sample.metainfo.get(BaseSOTDataset.NUM_REJECTED_KEY, 0))
               for sample in data_samples or [] if hasattr(sample, 'metainfo'))


@HOOKS.register_module()
class SampleRejectionHook(Hook):
    """Log how many training samples were rejected and replaced, so bad data never hides.

    A sample is rejected when a transform returns ``None`` (an unreadable frame in
    ``LoadSOTFrames``, a crop without a valid target in ``SOTCropRegions`` /
    ``CheckSOTSample``, a video too short for ``TridentSampleFrames``); mmengine then draws
    another video, up to ``max_refetch`` times. Each transform logs why (the file, the video);
    this hook adds the count: every ``interval`` iterations in which some were rejected, one
    line with the count of the interval, the total and the share of all samples drawn, summed
    over the dataloader workers and the distributed ranks, and a summary after training.

    The count travels with the samples (the dataset writes into each returned sample how many
    it rejected since the previous one), so it works with any number of workers; rejections
    behind samples that were prefetched but never trained on are not counted. The log may show
    fewer transform warnings than the count: mmengine's logger drops repeated identical
    warnings (the same frame failing twice).

    Some rejections are normal: the authors' sampler may put the dynamic template on a frame
    where the target is absent, whose GOT-10k box (``-1, -1, -1, -1``) cannot be cropped (the
    authors' processing rejects it too: its crop is all padding). That is 7% of the ProContEXT
    quickstart's samples on the built-in benchmark, none of the single-template OSTrack's. So
    the lines are warnings only when an interval rejects more than ``warn_above`` of its
    samples drawn.

    Args:
        interval (int): Iterations between log lines. Defaults to 50.
        warn_above (float): Share of rejected samples in an interval (0-1) above which its line
            is a warning rather than info. Defaults to 0.2.
    """
    priority = 'BELOW_NORMAL'

    def __init__(self, interval: int = 50, warn_above: float = 0.2) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        if not 0 <= warn_above <= 1:
            raise ValueError(f'warn_above must be a share in [0, 1], got {warn_above}')
        self.interval = interval
        self.warn_above = warn_above
        self.pending_rejected = 0
        self.pending_accepted = 0
        self.total_rejected = 0
        self.total_accepted = 0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        data_samples = data_batch.get('data_samples') if isinstance(data_batch, dict) else None
        self.pending_rejected += count_rejections(data_samples)
        self.pending_accepted += len(data_samples or [])
        if self.every_n_train_iters(runner, self.interval):
            self._flush(runner, 'in the last {interval} iterations')

    def after_train(self, runner) -> None:
        self._flush(runner, 'in the last iterations')
        runner.logger.info(f'SampleRejectionHook: {self._summary()} during training')

    def _flush(self, runner, when: str) -> None:
        """Sum the pending counts over the ranks (a collective: every rank calls it at the
        same iteration) and log them if any sample was rejected."""
        counts = torch.tensor([self.pending_rejected, self.pending_accepted], dtype=torch.int64)
        all_reduce(counts)
        rejected, accepted = (int(value) for value in counts)
        self.pending_rejected = self.pending_accepted = 0
        self.total_rejected += rejected
        self.total_accepted += accepted
        if rejected:
            log = (runner.logger.warning if rejected > self.warn_above * (rejected + accepted)
                   else runner.logger.info)
            log(f'SampleRejectionHook: {rejected} samples rejected and drawn again '
                f'{when.format(interval=self.interval)}; {self._summary()} so far (the '
                'transforms log which files / videos and why)')

    def _summary(self) -> str:
        drawn = self.total_rejected + self.total_accepted
        share = 100 * self.total_rejected / drawn if drawn else 0.
        return f'{self.total_rejected} of {drawn} samples drawn were rejected ({share:.2f}%)'
