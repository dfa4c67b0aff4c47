"""The quickstart job: benchmark -> training -> tracking -> metrics -> pictures, on a CPU.

Every step writes its result under one output folder (:class:`~.run_folder.RunFolder`): a
rerun skips finished steps and resumes an interrupted training from its last checkpoint. A
folder written by another version of the package or for another benchmark is refused instead
of mixing results.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional

from .machine import describe_machine
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


def val_dataset(benchmark_root: str):
    """The built-in benchmark's val split as a ``GOT10kDataset`` (annotations only)."""
    from mmengine.registry import init_default_scope

    from procontext_mm.registry import DATASETS
    init_default_scope('procontext_mm')
    return DATASETS.build(dict(type='GOT10kDataset', data_root=benchmark_root, split='val',
                               test_mode=True, use_cache=False, pipeline=[]))


def drift_report(dataset, results_dir: str) -> dict:
    """Box-size and drift diagnostics of a tracker's raw GOT-10k results on ``dataset``
    (:func:`val_dataset`).

    Returns:
        dict: :func:`~procontext_mm.evaluation.functional.eval_drift`'s ``area_ratio_median``
        and ``ao_parts`` (first and second half of every video), fractions.
    """
    import mmcv

    from procontext_mm.evaluation import load_tracking_results
    from procontext_mm.evaluation.functional import eval_drift
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    names = [info['video_name'] for info in infos]
    results = load_tracking_results(osp.join(results_dir, 'got10k'), names, 'got10k',
                                    {info['video_name']: info['num_frames'] for info in infos})
    sizes = []
    for video_id in range(len(dataset)):
        height, width = mmcv.imread(dataset.get_frame_path(video_id, 0)).shape[:2]
        sizes.append((width, height))
    return eval_drift([results[name]['bboxes_xywh'] for name in names],
                      [info['bboxes_xywh'] for info in infos],
                      [info['visible'] for info in infos], sizes, num_parts=2, seq_names=names)


def _ao_gap_line(better: str, worse: str, metrics: Dict[str, dict], what: str) -> str:
    gap = metrics[better]['sot/AO'] - metrics[worse]['sot/AO']
    verdict = 'they help' if gap > 0 else 'they do not help here'
    return f'{what} ({better} vs {worse}): {gap:+.1f} AO points on this benchmark ({verdict}).'


def run_quickstart(out_dir: str, entries: List[TrackerEntry], spec=None,
                   max_iters: Optional[int] = None, fresh: bool = False) -> dict:
    """Benchmark -> training -> tracking -> metrics -> pictures, resumable.

    Args:
        out_dir (str): Output folder (see :class:`~.run_folder.RunFolder`).
        entries (list[TrackerEntry]): Trackers of the table. The trained ones come first and
            the first two are compared (multi-scale + dynamic templates vs one template); an
            entry with ``weights_from`` is compared with the entry it takes its weights from
            (e.g. the same model never refreshing its dynamic templates); the last entry is
            the trivial baseline.
        spec (BenchmarkSpec, optional): Built-in benchmark spec (default: its defaults).
        max_iters (int, optional): Compress the configs' schedules into this many training
            iterations.
        fresh (bool): Start a quickstart folder over.

    Returns:
        dict: ``metrics`` (name -> metric dict, with ``drift/area_ratio`` and
        ``drift/AO_half1`` / ``drift/AO_half2`` in percent), ``table`` (text), ``plot``,
        ``video``, ``out_dir``.
    """
    import numpy as np

    from procontext_mm.apis import init_model, track_video
    from procontext_mm.datasets import VideoFrames
    from procontext_mm.structures import bbox_xywh_to_xyxy
    from procontext_mm.visualization import write_demo_video
    from .builtin_benchmark import BenchmarkSpec, generate_builtin_benchmark, load_manifest
    folder = RunFolder(out_dir, fresh=fresh)
    print(f'[quickstart] output folder: {folder.root}')
    spec = spec or BenchmarkSpec()
    print('[quickstart] 1/5 built-in benchmark (photographs from scikit-image, GOT-10k layout)')
    benchmark = generate_builtin_benchmark(folder.path('benchmark'), spec,
                                           nproc=os.cpu_count() or 1)
    folder.bind_data(load_manifest(benchmark)['fingerprint'])
    val = val_dataset(benchmark)

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

        def test(e=entry):
            results = folder.path('results', e.slug)
            scores = test_tracker(e, benchmark, folder.path('test', e.slug), results,
                                  checkpoints.get(e.weights_from or e.name))
            drift = drift_report(val, results)
            return dict(scores, **{'drift/area_ratio': drift['area_ratio_median'],
                                   'drift/AO_half1': 100 * drift['ao_parts'][0],
                                   'drift/AO_half2': 100 * drift['ao_parts'][1]})

        metrics[entry.name] = folder.step(f'test:{entry.slug}', test)

    baseline = entries[-1]
    rows = [dict(tracker=e.name, AO=m['sot/AO'], **{
        'SR0.5': m['sot/SR0.5'], 'SR0.75': m['sot/SR0.75'], 'AO 1st half': m['drift/AO_half1'],
        'AO 2nd half': m['drift/AO_half2'], 'box area ratio': m['drift/area_ratio'],
        # the do-nothing baseline's "speed" measures no work
        'FPS': '-' if e is baseline else m.get('sot/FPS', float('nan'))})
        for e, m in ((e, metrics[e.name]) for e in entries)]
    table = format_table(rows, ['tracker', 'AO', 'SR0.5', 'SR0.75', 'AO 1st half', 'AO 2nd half',
                                'box area ratio', 'FPS'],
                         title='GOT-10k protocol on the built-in benchmark (val split), percent; '
                         'box area ratio: median of predicted / true box area')
    plot = folder.path('success_plot.png')
    print('[quickstart] 4/5 success plot')
    plot_reports({e.name: folder.path('results', e.slug, 'got10k_report.json')
                  for e in entries}, plot)

    print('[quickstart] 5/5 demo video')
    video = folder.path('demo.mp4')
    trained = [e for e in entries if e.trained]

    def demo():
        """The first val video in which the first tracker refreshes its dynamic templates
        (video 0 if it never does), tracked by every trained tracker and drawn."""
        models = {e.name: init_model(e.load_config(), checkpoints[e.name]) for e in trained}
        first = trained[0].name

        def track(video_id, name):
            info = val.get_data_info(video_id)
            gt_xyxy = bbox_xywh_to_xyxy(info['bboxes_xywh'])
            gt_xyxy[~info['visible']] = np.nan
            frames = VideoFrames(osp.dirname(val.get_frame_path(video_id, 0)))
            return frames, gt_xyxy, track_video(models[name], frames, gt_xyxy[0].tolist())

        for video_id in range(len(val)):
            frames, gt_xyxy, result = track(video_id, first)
            if result.update_frames:
                break
        else:  # no refresh in any video: show the first one
            frames, gt_xyxy, result = track(0, first)
        results = {first: result}
        results.update({name: track_video(model, frames, gt_xyxy[0].tolist())
                        for name, model in models.items() if name != first})
        write_demo_video(frames, results, video, gt_bboxes_xyxy=gt_xyxy, fps=15)
        return dict(video=osp.basename(frames.path),
                    refreshes={name: [int(i) for i in r.update_frames]
                               for name, r in results.items()})

    updates = folder.step('demo', demo)
    lines = [table, '']
    for entry in trained:
        gain = metrics[entry.name]['sot/AO'] - metrics[baseline.name]['sot/AO']
        verdict = 'beats' if gain > 0 else 'does NOT beat'
        lines.append(f'{entry.name} {verdict} the {baseline.name} baseline by {gain:+.1f} AO '
                     'points.')
    if len(trained) >= 2:
        lines.append(_ao_gap_line(trained[0].name, trained[1].name, metrics,
                                  'Multi-scale static + dynamic templates vs a single template'))
    for entry in entries:
        if entry.weights_from:
            lines.append(_ao_gap_line(entry.weights_from, entry.name, metrics,
                                      'Refreshing the dynamic templates vs never refreshing '
                                      'them'))
    for entry in trained:
        ratio = metrics[entry.name]['drift/area_ratio']
        size = ('right-sized' if 0.8 <= ratio <= 1.25 else
                'too large' if ratio > 1.25 else 'too small')
        lines.append(f'{entry.name} boxes: median predicted / true area {ratio:.2f} ({size}); '
                     f'AO {metrics[entry.name]["drift/AO_half1"]:.1f} in the first half of the '
                     f'videos, {metrics[entry.name]["drift/AO_half2"]:.1f} in the second.')
    lines.append(f'Template refreshes in the demo video ({updates["video"]}): '
                 f'{updates["refreshes"]}')
    lines.append(f'Ran on: {describe_machine()}')
    lines.append(f'Success plot: {plot}\nDemo video: {video}\nEverything: {folder.root}')
    summary = '\n'.join(lines)
    with open(folder.path('summary.txt'), 'w') as f:
        f.write(summary + '\n')
    print(summary)
    return dict(metrics=metrics, table=table, plot=plot, video=video, out_dir=folder.root)
