"""Helpers shared by the tool tests (a uniquely named module: ``conftest`` is ambiguous)."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def tiny_options(benchmark, work_dir, iters, batch_size=4):
    """--cfg-options of the quickstart config for a few fast iterations on ``benchmark``."""
    return {
        'train_dataloader.dataset.data_root': benchmark,
        'test_dataloader.dataset.data_root': benchmark,
        'train_dataloader.batch_size': batch_size,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'test_dataloader.num_workers': 0,
        'train_dataloader.sampler.samples_per_epoch': batch_size * iters,
        'train_cfg.max_iters': iters,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.interval': 3,
        'default_hooks.checkpoint.max_keep_ckpts': 3,
        'param_scheduler': [],
        'work_dir': str(work_dir),
        # mmengine names a run's logger and message hub <experiment>_<second>: runs started in
        # the same second in one process would share them (and their log file)
        'experiment_name': f'{Path(work_dir).parent.name}_{Path(work_dir).name}',
    }
