"""Distributed training / testing on CPU-only machines with mmengine."""
import os
import subprocess

import torch
import torch.distributed as dist
from mmengine.config import Config


def setup_cpu_distributed(cfg: Config, launcher: str) -> None:
    """Prepare a config (and the process group) for distributed runs without CUDA.

    mmengine's ``init_dist('pytorch')`` calls ``torch.cuda.set_device`` and its DDP wrapper
    defaults to ``device_ids=[local_rank]``; both fail on a CPU-only machine. Here the process
    group is initialised with ``gloo`` from torchrun's environment (mmengine then skips its own
    initialisation), and DDP is configured with ``device_ids=None``. No-op with CUDA or for
    ``launcher='none'``.

    Args:
        cfg (Config): The runner config, updated in place.
        launcher (str): ``'none'``, ``'pytorch'`` (torchrun) or ``'slurm'``.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper.update(device_ids=None)
    cfg.model_wrapper_cfg = wrapper
    if not dist.is_initialized():
        if launcher == 'slurm':  # the env:// rendezvous from slurm's variables
            os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
            os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
            os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
            os.environ.setdefault('MASTER_PORT', '29500')
            if 'MASTER_ADDR' not in os.environ:
                first_node = subprocess.getoutput(
                    f'scontrol show hostname {os.environ["SLURM_NODELIST"]} | head -n1')
                os.environ['MASTER_ADDR'] = first_node.strip() or 'localhost'
        dist.init_process_group(backend='gloo')


def finish_distributed() -> None:
    """Wait for every process, then close the process group (no-op when not distributed).

    mmengine's runner leaves the group open. A gloo process that exits while a peer is still
    working can abort on its way out ("terminate called without an active exception"), turning
    a finished run into a failed one; the barrier makes all processes leave together.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
