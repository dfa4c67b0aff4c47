"""A tracker config trained and tested with mmengine's runner in this process.

What the quickstart and ``tools/analysis_tools/run_table.py`` share: a named config
(:class:`TrackerEntry`) becomes a training run that resumes from its last checkpoint, and a
test run whose metrics write their result files to a given folder.
"""
import copy
import os.path as osp
from dataclasses import dataclass, field
from typing import Any, Optional

from mmengine.config import Config


@dataclass
class TrackerEntry:
    """A tracker of a results table.

    Attributes:
        name (str): Name in the table and the plots.
        config (str | mmengine.Config): Config file, or a config object (copied, never
            modified).
        trained (bool): Whether it is trained first (False: tested as is, or with the weights
            of ``weights_from``).
        weights_from (str, optional): Name of the trained entry whose weights this one tests
            (a test-time variant of it, e.g. with other ``cfg_options``). Defaults to None.
        cfg_options (dict): Overrides merged into the config (``merge_from_dict`` keys).
    """
    name: str
    config: Any
    trained: bool = True
    weights_from: Optional[str] = None
    cfg_options: dict = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The name as a folder name."""
        return self.name.lower().replace(' ', '-')

    def load_config(self) -> Config:
        """A copy of the entry's config, with its ``cfg_options``."""
        cfg = (copy.deepcopy(self.config) if isinstance(self.config, Config)
               else Config.fromfile(self.config))
        if self.cfg_options:
            cfg.merge_from_dict(self.cfg_options)
        return cfg


def compress_schedule(cfg: Config, iters: int) -> None:
    """Scale every iteration count of an iteration-based config to ``iters`` iterations, in
    place: the loop's ``max_iters``, the sampler's samples per epoch, the parameter
    schedulers' ``begin`` / ``end``, the keep-ratio hook's ``start`` / ``warmup`` and the
    checkpoint interval."""
    original_iters = cfg.train_cfg.max_iters
    scale = iters / original_iters

    def scaled(value: int, minimum: int = 0) -> int:
        return max(minimum, int(round(value * scale)))

    cfg.train_cfg.max_iters = iters
    if 'max_iters' in cfg:
        cfg.max_iters = iters
    cfg.train_dataloader.sampler.samples_per_epoch = iters * cfg.train_dataloader.batch_size
    for scheduler in cfg.get('param_scheduler') or []:
        scheduler.begin = scaled(scheduler.get('begin', 0))
        scheduler.end = scaled(scheduler.get('end', original_iters), scheduler.begin + 1)
    for hook in cfg.get('custom_hooks') or []:
        if hook['type'] == 'CEKeepRatioHook':
            hook.start = scaled(hook.start)
            hook.warmup = scaled(hook.warmup, 1)
    checkpoint = cfg.default_hooks.checkpoint
    checkpoint.interval = scaled(checkpoint.interval, 1)


def _config(entry: TrackerEntry, data_root: Optional[str], work_dir: str,
            max_iters: Optional[int]) -> Config:
    """The entry's config for a run in ``work_dir``; ``data_root=None`` keeps its data roots.

    The callers name the experiment after the entry and the step: mmengine names a run's logger,
    message hub and scope ``<experiment>_<second>``, so two runs of one config started in the
    same second of one process (a short training, then its test) would share them.
    """
    cfg = entry.load_config()
    cfg.work_dir = work_dir
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(loader) and data_root is not None:
            cfg[loader].dataset.data_root = data_root
    if max_iters is not None and cfg.get('train_cfg') is not None:
        compress_schedule(cfg, max_iters)
    return cfg


def train_config(entry: TrackerEntry, data_root: Optional[str], work_dir: str,
                 max_iters: Optional[int] = None) -> Config:
    """The entry's training config in ``work_dir``, resuming from its last checkpoint if any.

    ``data_root`` replaces the data root of every data loader (None: keep the config's);
    ``max_iters`` compresses an iteration-based schedule (:func:`compress_schedule`).
    """
    cfg = _config(entry, data_root, work_dir, max_iters)
    cfg.resume = osp.isfile(osp.join(work_dir, 'last_checkpoint'))
    cfg.experiment_name = f'{entry.slug}_train'
    return cfg


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint mmengine's ``CheckpointHook`` saved last in ``work_dir``."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def train_tracker(entry: TrackerEntry, data_root: Optional[str], work_dir: str,
                  max_iters: Optional[int] = None) -> str:
    """Train :func:`train_config` with mmengine's runner in this process.

    Returns:
        str: path of the final checkpoint.
    """
    from mmengine.runner import Runner
    Runner.from_cfg(train_config(entry, data_root, work_dir, max_iters)).train()
    return last_checkpoint(work_dir)


def test_config(entry: TrackerEntry, data_root: Optional[str], work_dir: str,
                results_dir: str) -> Config:
    """The entry's test-only config: its test split, every metric writing to ``results_dir``.

    ``data_root`` as in :func:`train_config`.
    """
    cfg = _config(entry, data_root, work_dir, None)
    cfg.experiment_name = f'{entry.slug}_test'
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler'):
        cfg[key] = None  # nothing is trained here (mmengine wants all or none of them)
    evaluator = cfg.test_evaluator
    cfg.test_evaluator = ([dict(metric, out_dir=results_dir) for metric in evaluator]
                          if isinstance(evaluator, (list, tuple))
                          else dict(evaluator, out_dir=results_dir))
    return cfg


def test_tracker(entry: TrackerEntry, data_root: Optional[str], work_dir: str,
                 results_dir: str, checkpoint: Optional[str]) -> dict:
    """Track the config's test split with the test loop in this process and score it with its
    test evaluator (for the quickstart configs: the benchmark's val split, GOT-10k protocol).

    Every metric of the evaluator writes its results (and a submission archive when it is
    ``format_only``) to ``results_dir`` (:func:`test_config`).

    Returns:
        dict: The evaluator's metrics, e.g. ``sot/AO``, ``sot/SR0.5``, ``sot/SR0.75``,
        ``sot/FPS`` (percent / frames per s); empty when only formatting.
    """
    from mmengine.runner import Runner

    from procontext_mm.apis import load_tracker_weights
    runner = Runner.from_cfg(test_config(entry, data_root, work_dir, results_dir))
    if checkpoint is not None:
        load_tracker_weights(runner.model, checkpoint)
    return dict(runner.test())
