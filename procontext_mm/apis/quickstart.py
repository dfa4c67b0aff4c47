"""The quickstart job: benchmark -> training -> tracking -> metrics -> pictures, on a CPU.

Every step writes its result under one output folder and records completion in
``quickstart.json``; a rerun skips finished steps and resumes an interrupted training from its
last checkpoint. A folder written by another version of the package or for another benchmark
is refused instead of mixing results.
"""
import copy
import json
import os
import os.path as osp
import shutil
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional

from procontext_mm.version import __version__

STATE_FILE = 'quickstart.json'


class OutputFolderError(RuntimeError):
    """The output folder holds results of another version or benchmark."""


@dataclass
class QuickstartState:
    """What a quickstart folder holds: who wrote it and which steps are done.

    Attributes:
        version (str): ``procontext_mm`` version that wrote the folder.
        benchmark_fingerprint (str): Fingerprint of the generated benchmark (its manifest).
        done (dict): Step name -> the step's recorded result (JSON-serialisable).
    """
    version: str = __version__
    benchmark_fingerprint: str = ''
    done: Dict[str, object] = field(default_factory=dict)


class QuickstartFolder:
    """The output folder of a quickstart run and its progress record.

    Args:
        root (str): Output folder. Created if missing.
        fresh (bool): Delete a folder written by this quickstart (never an unrelated folder)
            and start over. Defaults to False.

    Raises:
        OutputFolderError: If ``root`` is non-empty but was not written by this version of the
            quickstart.
    """

    def __init__(self, root: str, fresh: bool = False):
        self.root = osp.abspath(root)
        state_path = osp.join(self.root, STATE_FILE)
        if osp.isdir(self.root) and os.listdir(self.root):
            if not osp.isfile(state_path):
                raise OutputFolderError(
                    f'{self.root} is not empty and holds no {STATE_FILE}: choose an empty or new '
                    'output folder so that results are not mixed with other files')
            state = QuickstartState(**json.load(open(state_path)))
            if fresh:
                shutil.rmtree(self.root)
            elif state.version != __version__:
                raise OutputFolderError(
                    f'{self.root} was written by procontext_mm {state.version}, this is '
                    f'{__version__}: use another output folder, or start this one over (--fresh)')
        os.makedirs(self.root, exist_ok=True)
        self.state_path = state_path
        self.state = (QuickstartState(**json.load(open(state_path)))
                      if osp.isfile(state_path) else QuickstartState())
        self._save()

    def path(self, *parts: str) -> str:
        """A path inside the output folder."""
        return osp.join(self.root, *parts)

    def _save(self) -> None:
        tmp = self.state_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(asdict(self.state), f, indent=2)
        os.replace(tmp, self.state_path)

    def bind_benchmark(self, fingerprint: str) -> None:
        """Record the benchmark the results belong to; refuse a different one."""
        known = self.state.benchmark_fingerprint
        if known and known != fingerprint:
            raise OutputFolderError(
                f'{self.root} holds results for another benchmark ({known[:12]}, now '
                f'{fingerprint[:12]}): use another output folder, or start this one over '
                '(--fresh)')
        self.state.benchmark_fingerprint = fingerprint
        self._save()

    def step(self, name: str, run: Callable[[], object]) -> object:
        """Run a step once: return its recorded result if it finished before."""
        if name in self.state.done:
            return self.state.done[name]
        result = run()
        self.state.done[name] = result
        self._save()
        return result


def format_table(rows: List[dict], columns: List[str], title: Optional[str] = None) -> str:
    """A plain-text table of ``rows`` (dicts) with the given columns (floats with 2 decimals)."""
    cells = [[str(c) for c in columns]]
    for row in rows:
        cells.append([f'{row[c]:.2f}' if isinstance(row[c], float) else str(row[c])
                      for c in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = [' | '.join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in cells]
    lines.insert(1, '-+-'.join('-' * w for w in widths))
    return '\n'.join(([title] if title else []) + lines)


# ------------------------------------------------------------------ the job
@dataclass
class TrackerEntry:
    """A tracker of the quickstart table.

    Attributes:
        name (str): Name in the table and the plots.
        config (str | mmengine.Config): Config file, or a config object (copied, never
            modified).
        trained (bool): Whether it is trained first (False: tested as is).
    """
    name: str
    config: Any
    trained: bool = True

    @property
    def slug(self) -> str:
        return self.name.lower().replace(' ', '-')


def _config(entry: TrackerEntry, benchmark_root: Optional[str], work_dir: str,
            max_iters: Optional[int]):
    """The entry's config for a run in ``work_dir``; ``benchmark_root=None`` keeps its data
    roots.

    The callers name the experiment after the entry and the step: mmengine names a run's logger,
    message hub and scope ``<experiment>_<second>``, so two runs of one config started in the
    same second of one process (a short training, then its test) would share them.
    """
    from mmengine.config import Config
    cfg = (copy.deepcopy(entry.config) if isinstance(entry.config, Config)
           else Config.fromfile(entry.config))
    cfg.work_dir = work_dir
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(loader) and benchmark_root is not None:
            cfg[loader].dataset.data_root = benchmark_root
    if max_iters is not None and cfg.get('train_cfg') is not None:
        cfg.train_cfg.max_iters = max_iters
        cfg.train_dataloader.sampler.samples_per_epoch = \
            max_iters * cfg.train_dataloader.batch_size
    return cfg


def train_config(entry: TrackerEntry, benchmark_root: Optional[str], work_dir: str,
                 max_iters: Optional[int] = None):
    """The entry's training config in ``work_dir``, resuming from its last checkpoint if any.

    ``benchmark_root`` replaces the data root of every data loader (None: keep the config's);
    ``max_iters`` shortens an iteration-based schedule.
    """
    cfg = _config(entry, benchmark_root, work_dir, max_iters)
    cfg.resume = osp.isfile(osp.join(work_dir, 'last_checkpoint'))
    cfg.experiment_name = f'{entry.slug}_train'
    return cfg


def train_tracker(entry: TrackerEntry, benchmark_root: Optional[str], work_dir: str,
                  max_iters: Optional[int] = None) -> str:
    """Train :func:`train_config` with mmengine's runner in this process.

    Returns:
        str: path of the final checkpoint.
    """
    from mmengine.runner import Runner
    Runner.from_cfg(train_config(entry, benchmark_root, work_dir, max_iters)).train()
    return last_checkpoint(work_dir)


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint mmengine's ``CheckpointHook`` saved last in ``work_dir``."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def test_config(entry: TrackerEntry, benchmark_root: Optional[str], work_dir: str,
                results_dir: str):
    """The entry's test-only config: its test split, every metric writing to ``results_dir``.

    ``benchmark_root`` as in :func:`train_config`.
    """
    cfg = _config(entry, benchmark_root, work_dir, None)
    cfg.experiment_name = f'{entry.slug}_test'
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler'):
        cfg[key] = None  # nothing is trained here (mmengine wants all or none of them)
    evaluator = cfg.test_evaluator
    cfg.test_evaluator = ([dict(metric, out_dir=results_dir) for metric in evaluator]
                          if isinstance(evaluator, (list, tuple))
                          else dict(evaluator, out_dir=results_dir))
    return cfg


def test_tracker(entry: TrackerEntry, benchmark_root: Optional[str], work_dir: str,
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

    from procontext_mm.apis.inference import load_tracker_weights
    runner = Runner.from_cfg(test_config(entry, benchmark_root, work_dir, results_dir))
    if checkpoint is not None:
        load_tracker_weights(runner.model, checkpoint)
    return dict(runner.test())


def plot_success(reports: Dict[str, str], out_file: str) -> None:
    """Success plot (fraction of frames with IoU > threshold) of several trackers.

    Args:
        reports (dict): tracker name -> ``got10k_report.json`` written by ``SOTMetric``.
        out_file (str): PNG to write.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    for name, path in reports.items():
        with open(path) as f:
            report = json.load(f)
        curve = np.asarray(report['success_curve'])
        thresholds = np.linspace(0, 1, len(curve))
        ax.plot(thresholds, curve, label=f'{name} [AO {100 * report["ao"]:.1f}]')
    ax.set(xlabel='overlap threshold', ylabel='success rate', xlim=(0, 1), ylim=(0, 1),
           title='Success plot (built-in benchmark, val)')
    ax.grid(alpha=0.3)
    ax.legend(loc='upper right', fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file)
    plt.close(fig)


def run_quickstart(out_dir: str, entries: List[TrackerEntry], spec=None, max_iters=None,
                   fresh: bool = False) -> dict:
    """Benchmark -> training -> tracking -> metrics -> pictures, resumable.

    Args:
        out_dir (str): Output folder (see :class:`QuickstartFolder`).
        entries (list[TrackerEntry]): Trackers, learned ones first; the last one is taken as
            the trivial baseline.
        spec (BenchmarkSpec, optional): Built-in benchmark spec (default: its defaults).
        max_iters (int, optional): Override the training iterations of the configs.
        fresh (bool): Start a quickstart folder over.

    Returns:
        dict: ``metrics`` (name -> metric dict), ``table`` (text), ``plot``, ``video``,
        ``out_dir``.
    """
    import numpy as np
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from procontext_mm.apis.inference import init_model
    from procontext_mm.datasets.builtin_benchmark import (BenchmarkSpec,
                                                          generate_builtin_benchmark,
                                                          load_manifest)
    folder = QuickstartFolder(out_dir, fresh=fresh)
    print(f'[quickstart] output folder: {folder.root}')
    spec = spec or BenchmarkSpec()
    print('[quickstart] 1/5 built-in benchmark (photographs from scikit-image, GOT-10k layout)')
    benchmark = generate_builtin_benchmark(folder.path('benchmark'), spec)
    folder.bind_benchmark(load_manifest(benchmark)['fingerprint'])

    checkpoints = {}
    for entry in entries:
        if entry.trained:
            print(f'[quickstart] 2/5 training {entry.name} ({entry.config})')
            checkpoints[entry.name] = folder.step(
                f'train:{entry.slug}', lambda e=entry: train_tracker(
                    e, benchmark, folder.path('train', e.slug), max_iters))
    metrics = {}
    for entry in entries:
        print(f'[quickstart] 3/5 testing {entry.name} on the val split (GOT-10k protocol)')
        metrics[entry.name] = folder.step(
            f'test:{entry.slug}', lambda e=entry: test_tracker(
                e, benchmark, folder.path('test', e.slug), folder.path('results', e.slug),
                checkpoints.get(e.name)))

    rows = [dict(tracker=name, AO=m['sot/AO'], **{'SR0.5': m['sot/SR0.5'],
                                                  'SR0.75': m['sot/SR0.75']},
                 FPS=m.get('sot/FPS', float('nan'))) for name, m in metrics.items()]
    table = format_table(rows, ['tracker', 'AO', 'SR0.5', 'SR0.75', 'FPS'],
                         title='GOT-10k protocol on the built-in benchmark (val split), percent')
    plot = folder.path('success_plot.png')
    print('[quickstart] 4/5 success plot')
    plot_success({n: folder.path('results', e.slug, 'got10k_report.json')
                  for n, e in ((e.name, e) for e in entries)}, plot)

    print('[quickstart] 5/5 demo video')
    video = folder.path('demo.mp4')

    def demo():
        from procontext_mm.apis.video import VideoFrames, track_video, write_demo_video
        init_default_scope('procontext_mm')
        from procontext_mm.registry import DATASETS
        dataset = DATASETS.build(dict(type='GOT10kDataset', data_root=benchmark, split='val',
                                      test_mode=True, use_cache=False, pipeline=[]))
        info = dataset.get_data_info(0)
        boxes = info['bboxes_xywh'].astype(np.float64)
        gt_xyxy = np.concatenate([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], axis=1)
        gt_xyxy[~info['visible']] = np.nan
        frames = VideoFrames(osp.dirname(dataset.get_frame_path(0, 0)))
        results = {e.name: track_video(init_model(Config.fromfile(e.config), checkpoints[e.name]),
                                       frames, gt_xyxy[0].tolist())
                   for e in entries if e.trained}
        write_demo_video(frames, results, video, gt_bboxes_xyxy=gt_xyxy, fps=15)
        return {name: [int(i) for i in r.update_frames] for name, r in results.items()}

    updates = folder.step('demo', demo)
    baseline = entries[-1].name
    learned = [e.name for e in entries if e.trained]
    lines = [table, '']
    for name in learned:
        gain = metrics[name]['sot/AO'] - metrics[baseline]['sot/AO']
        verdict = 'beats' if gain > 0 else 'does NOT beat'
        lines.append(f'{name} {verdict} the {baseline} baseline by {gain:+.1f} AO points.')
    if len(learned) >= 2:
        a, b = learned[0], learned[1]
        diff = metrics[a]['sot/AO'] - metrics[b]['sot/AO']
        lines.append(f'Multi-scale static + dynamic templates ({a}) vs a single template ({b}): '
                     f'{diff:+.1f} AO points on this benchmark '
                     f'({"they help" if diff > 0 else "they do not help here"}).')
    lines.append(f'Template refreshes in the demo video: {updates}')
    lines.append(f'Success plot: {plot}\nDemo video: {video}\nEverything: {folder.root}')
    summary = '\n'.join(lines)
    with open(folder.path('summary.txt'), 'w') as f:
        f.write(summary + '\n')
    print(summary)
    return dict(metrics=metrics, table=table, plot=plot, video=video, out_dir=folder.root)
