"""The quickstart job: benchmark -> training -> tracking -> metrics -> pictures, on a CPU.

Every step writes its result under one output folder (:class:`~.run_folder.RunFolder`): a
rerun skips finished steps and resumes an interrupted training from its last checkpoint. A
folder written by another version of the package or for another benchmark is refused instead
of mixing results.
"""
import json
import os.path as osp
from typing import Dict, List

from .run_folder import RunFolder
from .text_table import format_table
from .tracker_runs import TrackerEntry, test_tracker, train_tracker


def plot_reports(reports: Dict[str, str], out_file: str) -> str:
    """Success plot of several trackers from their GOT-10k reports.

    Args:
        reports (dict): tracker name -> ``got10k_report.json`` written by ``SOTMetric``.
        out_file (str): PNG to write.

    Returns:
        str: ``out_file``.
    """
    import numpy as np

    from procontext_mm.evaluation.plotting import plot_success
    curves, scores = {}, {}
    for name, path in reports.items():
        with open(path) as f:
            report = json.load(f)
        curves[name] = np.asarray(report['success_curve'])
        scores[name] = report['ao']
    return plot_success(curves, scores, out_file,
                        title='Success plot (built-in benchmark, val)', score_name='AO')


def run_quickstart(out_dir: str, entries: List[TrackerEntry], spec=None, max_iters=None,
                   fresh: bool = False) -> dict:
    """Benchmark -> training -> tracking -> metrics -> pictures, resumable.

    Args:
        out_dir (str): Output folder (see :class:`~.run_folder.RunFolder`).
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
    from mmengine.registry import init_default_scope

    from procontext_mm.apis import init_model
    from procontext_mm.structures import bbox_xywh_to_xyxy
    from .builtin_benchmark import BenchmarkSpec, generate_builtin_benchmark, load_manifest
    folder = RunFolder(out_dir, fresh=fresh)
    print(f'[quickstart] output folder: {folder.root}')
    spec = spec or BenchmarkSpec()
    print('[quickstart] 1/5 built-in benchmark (photographs from scikit-image, GOT-10k layout)')
    benchmark = generate_builtin_benchmark(folder.path('benchmark'), spec)
    folder.bind_data(load_manifest(benchmark)['fingerprint'])

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
    plot_reports({n: folder.path('results', e.slug, 'got10k_report.json')
                  for n, e in ((e.name, e) for e in entries)}, plot)

    print('[quickstart] 5/5 demo video')
    video = folder.path('demo.mp4')

    def demo():
        from procontext_mm.apis import track_video
        from procontext_mm.datasets import VideoFrames
        from procontext_mm.visualization import write_demo_video
        init_default_scope('procontext_mm')
        from procontext_mm.registry import DATASETS
        dataset = DATASETS.build(dict(type='GOT10kDataset', data_root=benchmark, split='val',
                                      test_mode=True, use_cache=False, pipeline=[]))
        info = dataset.get_data_info(0)
        gt_xyxy = bbox_xywh_to_xyxy(info['bboxes_xywh'])
        gt_xyxy[~info['visible']] = np.nan
        frames = VideoFrames(osp.dirname(dataset.get_frame_path(0, 0)))
        results = {e.name: track_video(init_model(e.load_config(), checkpoints[e.name]),
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
