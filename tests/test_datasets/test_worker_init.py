"""Data-loader workers end with the process that started them (``kill -9`` leaves no orphan)."""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from unittest import mock

import numpy as np
import pytest

from procontext_mm.datasets import reseed_worker

PATCH_DIST = 'procontext_mm.datasets.worker_init.get_dist_info'


def _alive(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            state = next(line for line in f if line.startswith('State:'))
    except FileNotFoundError:
        return False
    return 'Z' not in state.split()[1]  # a zombie has ended


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='prctl is Linux-only')
def test_workers_die_with_a_killed_training_process():
    script = textwrap.dedent('''
        import os, time, torch
        from torch.utils.data import DataLoader, Dataset
        from procontext_mm.datasets import reseed_worker

        class Pids(Dataset):
            def __len__(self):
                return 10 ** 6
            def __getitem__(self, index):
                return os.getpid()

        loader = DataLoader(Pids(), batch_size=1, num_workers=2, persistent_workers=True,
                            worker_init_fn=reseed_worker, prefetch_factor=4)
        pids = set()
        for batch in loader:
            pids.add(int(batch[0]))
            if len(pids) == 2:
                break
        print(*sorted(pids), flush=True)
        time.sleep(60)
    ''')
    parent = subprocess.Popen([sys.executable, '-c', script], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.time() + 10
        while time.time() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        parent.kill()


def test_reseed_worker_follows_torch_worker_seed():
    import torch

    def draws(torch_seed, rank=0):
        torch.manual_seed(torch_seed)
        with mock.patch(PATCH_DIST, return_value=(rank, 2)):
            reseed_worker(0)
        return np.random.randint(0, 2**31, 3).tolist(), random.random()

    assert draws(11) == draws(11)  # reproducible
    assert draws(11) != draws(12)  # another epoch / worker seed
    assert draws(11, rank=0) != draws(11, rank=1)
