"""``worker_init_fn`` of the training data loaders: fresh random draws per worker and epoch,
and workers that end with the process that started them."""
import ctypes
import os
import random
import signal
import sys
from typing import List

import numpy as np
import torch
from mmengine.dist import get_dist_info

#: ``prctl`` option that sends a signal to this process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


def exit_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Have the kernel send ``sig`` to this process when its parent dies (Linux only).

    A data-loader worker otherwise outlives a training process killed with ``kill -9`` until it
    notices, which takes seconds to minutes when it is blocked on a full queue.

    Returns:
        bool: Whether the request was made (False on other systems or without ``prctl``).
    """
    if not sys.platform.startswith('linux'):
        return False
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:  # the parent died before the request: do what it asks now
        os.kill(os.getpid(), sig)
    return True


def reseed_worker(worker_id: int) -> None:
    """``worker_init_fn`` of the SOT training loaders: reseed ``numpy`` and ``random`` of a
    data-loader worker from the seed PyTorch gives the worker, and end the worker with its
    training process (:func:`exit_with_parent`).

    mmengine's default ``worker_init_fn`` seeds every worker from the same numbers at every
    epoch, so non-persistent workers repeat their random frame choices and augmentations
    epoch after epoch. PyTorch's per-worker seed (``torch.initial_seed()``) is derived from a
    base seed drawn anew at every epoch from the main process' generator (itself seeded by
    ``randomness=dict(seed=...)``): reseeding from it (and the rank) keeps runs reproducible
    while every epoch, worker and rank draws differently. The training configs use it as::

        train_dataloader = dict(
            worker_init_fn=dict(type='procontext_mm.datasets.worker_init.reseed_worker'),
            ...)

    Args:
        worker_id (int): Id of the worker (mixed into the seed by PyTorch already).
    """
    if torch.utils.data.get_worker_info() is not None:  # not when called in the main process
        exit_with_parent()
    rank, _ = get_dist_info()
    seed_seq = np.random.SeedSequence([torch.initial_seed() % 2**63, rank, worker_id])
    state: List[int] = seed_seq.generate_state(2).tolist()
    np.random.seed(state[0])
    random.seed(state[1])
