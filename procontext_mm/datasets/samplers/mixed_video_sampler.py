"""Training sampler that mixes SOT datasets at given ratios, a fixed number of samples per epoch.

In test mode use mmdet's ``TrackImgSampler``: every SOT dataset is an mmdet
``BaseVideoDataset`` whose length is its number of videos and whose ``get_len_per_video`` gives
the frames, so ``TrackImgSampler`` splits the videos across ranks and yields
``(video, frame)`` pairs in order; no SOT-specific test sampler is needed.
"""
import math
from typing import Iterator, Optional, Sequence, Sized

import numpy as np
from mmengine.dataset import ConcatDataset
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from procontext_mm.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class MixedVideoSampler(Sampler):
    """Draw ``samples_per_epoch`` videos per epoch: a dataset by ``ratios``, then one of its
    videos uniformly (as the ProContEXT / pytracking training sampler does).

    The draws of an epoch are a deterministic function of ``(seed, epoch)``; :meth:`set_epoch`
    (called by mmengine's training loops) moves to another epoch's draws. The
    ``samples_per_epoch`` draws (rounded up to a multiple of the world size) are shared out
    between the distributed ranks, rank ``r`` taking draws ``r, r + world_size, ...``, so the
    ranks see different samples and together ``samples_per_epoch`` of them.

    Which frames of a drawn video are used is left to the pipeline (``TridentSampleFrames``).

    Args:
        dataset (Sized): A SOT dataset or an mmengine ``ConcatDataset`` of them. Indices are
            global indices of the ``ConcatDataset``.
        ratios (Sequence[float], optional): Relative sampling weight of each concatenated
            dataset (need not sum to 1; 0 disables a dataset). Defaults to None: equal weights.
        samples_per_epoch (int): Samples of one epoch over all ranks. Defaults to 60000.
        seed (int, optional): Seed shared by all ranks. Defaults to None: a random seed
            synchronised across ranks (``mmengine.dist.sync_random_seed``).
    """

    def __init__(self,
                 dataset: Sized,
                 ratios: Optional[Sequence[float]] = None,
                 samples_per_epoch: int = 60000,
                 seed: Optional[int] = None) -> None:
        self.dataset = dataset
        self.rank, self.world_size = get_dist_info()
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.epoch = 0
        parts = dataset.datasets if isinstance(dataset, ConcatDataset) else [dataset]
        self.sizes = np.array([len(d) for d in parts], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        if ratios is None:
            ratios = [1.0] * len(parts)
        if len(ratios) != len(parts):
            raise ValueError(f'MixedVideoSampler: {len(ratios)} ratios for {len(parts)} datasets')
        ratios = np.asarray(ratios, dtype=np.float64)
        if not np.all(np.isfinite(ratios)) or ratios.min() < 0 or ratios.sum() <= 0:
            raise ValueError(f'MixedVideoSampler: ratios must be >= 0 with a positive sum, got '
                             f'{ratios.tolist()}')
        empty = [f'#{i} {type(d).__name__}' for i, d in enumerate(parts)
                 if ratios[i] > 0 and len(d) == 0]
        if empty:
            raise ValueError(f'MixedVideoSampler: datasets {empty} have no video but a positive '
                             'ratio')
        if samples_per_epoch <= 0:
            raise ValueError(f'MixedVideoSampler: samples_per_epoch must be > 0, got '
                             f'{samples_per_epoch}')
        self.probs = ratios / ratios.sum()
        self.samples_per_epoch = int(samples_per_epoch)
        self.num_samples = math.ceil(self.samples_per_epoch / self.world_size)
        self.total_size = self.num_samples * self.world_size

    def epoch_indices(self, epoch: int) -> np.ndarray:
        """All ``total_size`` draws of ``epoch`` (before sharding), int64 global indices."""
        rng = np.random.default_rng(np.random.SeedSequence([self.seed & 0xFFFFFFFF, epoch]))
        which = rng.choice(len(self.probs), size=self.total_size, p=self.probs)
        local = np.floor(rng.random(self.total_size) * self.sizes[which]).astype(np.int64)
        return self.offsets[which] + np.minimum(local, self.sizes[which] - 1)

    def __iter__(self) -> Iterator[int]:
        indices = self.epoch_indices(self.epoch)[self.rank::self.world_size]
        return iter(indices.tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the draws of ``epoch``."""
        self.epoch = epoch
