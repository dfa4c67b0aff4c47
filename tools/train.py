"""Train a single-object tracker with mmengine's runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--cfg-options k=v ...]
    bash tools/dist_train.sh CONFIG NUM_PROCESSES [args]   # torchrun, gloo on CPU / nccl on GPU
"""
import argparse
import os
import os.path as osp

import torch

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from procontext_mm.utils.dist import finish_distributed, setup_cpu_distributed
from procontext_mm.utils.cpu_info import BF16_CPU_FLAGS, cpu_has_native_bf16


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a single-object tracker')
    parser.add_argument('config', help='train config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument('--resume', nargs='?', const='auto', default=None,
                        help='resume from CKPT, or from the last checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. train_dataloader.batch_size=8')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def set_mixed_precision(cfg: Config) -> None:
    """``--amp``: float16 with a loss scaler on CUDA (mmengine's ``AmpOptimWrapper``), bfloat16
    on a CPU with native bfloat16 matmuls (``BF16OptimWrapper``).

    Raises:
        ValueError: On a CPU without native bfloat16 (emulated, it would be slower than
            float32), or for a config whose optimizer wrapper is not the plain one.
    """
    optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if optim_wrapper != 'OptimWrapper':
        raise ValueError(f'--amp needs optim_wrapper.type=OptimWrapper, got {optim_wrapper}')
    if torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    elif cpu_has_native_bf16():
        cfg.optim_wrapper.type = 'BF16OptimWrapper'
    else:
        raise ValueError('--amp needs a CUDA device or a CPU with native bfloat16 matmuls '
                         f'({" / ".join(BF16_CPU_FLAGS)} in /proc/cpuinfo); this CPU has '
                         'neither, and emulated bfloat16 is slower than float32')


def build_config(args) -> Config:
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        set_mixed_precision(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    setup_cpu_distributed(cfg, args.launcher)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    runner = Runner.from_cfg(build_config(args))
    runner.train()
    finish_distributed()
    return runner


if __name__ == '__main__':
    main()
