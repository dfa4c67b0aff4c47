"""Compare SOT trackers on one dataset: tables with confidence intervals, paired comparisons,
per-attribute results and the success / precision plots.

Trackers are result folders and / or config + checkpoint pairs that are run here. Result
folders may come from this project (``tools/test.py --out-dir``), the got10k toolkit,
pytracking (``<seq>.txt`` + ``<seq>_time.txt``) or OSTrack
(``output/test/tracking_results/<tracker>/<config>``, GOT-10k / TrackingNet one folder
deeper): the layout is detected (or forced with ``--results-source``), and the box format
(xywh / xyxy, one-pixel origin shift) is checked on the first rows against the ground truth
and reported per tracker (forced with ``--box-format``).

The protocol follows the dataset: GOT-10k (AO, SR0.5, SR0.75; success plot with AO), OPE for
LaSOT / LaSOT-ext / TrackingNet / OTB / UAV123 / NfS / TNL2K (success AUC, precision at 20 px,
normalised precision; success, precision and normalised precision plots) or the VOT
short-term supervised experiment (EAO, accuracy, robustness; EAO curves). GOT-10k and OPE
scores get bootstrap confidence intervals over sequences (``--bootstrap``, seeded), and
``--paired A B`` compares two trackers sequence by sequence. With per-sequence attributes
(``--attributes``: a LaSOT / UAV123 flag folder, pytracking's JSON spec or a text list; OTB's
11 attributes come from such a file) it prints the success AUC per attribute and saves a
radar plot and one success plot per attribute. summary.json and the printed header record the
software versions, the device, threads and CPU, and per config tracker its precision and
checkpoint.

Examples::

    # result folders (NAME=DIR; a bare DIR is named after its folder), CIs and a paired test
    python tools/analysis_tools/compare_sot.py lasot data/LaSOT \\
        --results ProContEXT=work_dirs/procontext/lasot \\
        OSTrack=OSTrack/output/test/tracking_results/ostrack/vitb_384_mae_ce_32x4_ep300 \\
        --attributes data/LaSOT_toolkit/annos/att --paired ProContEXT OSTrack \\
        --out-dir work_dirs/compare_lasot
    # OTB-100 with pytracking's attribute spec; an old xyxy result folder, forced
    python tools/analysis_tools/compare_sot.py otb data/OTB100 --results A=res/a B=res/b \\
        --attributes pytracking/evaluation/dataset_attribute_specs/otb_attributes.json \\
        --box-format B=xyxy
    # trackers run from configs (a --checkpoint per --config; "none" for no weights)
    python tools/analysis_tools/compare_sot.py got10k data/GOT-10k --split val \\
        --config configs/procontext/A.py --checkpoint a.pth --name ProContEXT \\
        --config configs/ostrack/B.py --checkpoint b.pth --name OSTrack
    # VOT2018 short-term (EAO over lengths 100..356), VOT toolkit workspace results
    python tools/analysis_tools/compare_sot.py vot data/vot2018 \\
        --results ProContEXT=vot_workspace/results/procontext/baseline --eao-interval 100 356
"""
import argparse
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

#: dataset name -> (dataset config, protocol, result layout of ``results_io``).
DATASETS = {
    'got10k': (dict(type='GOT10kDataset', split='val'), 'got10k', 'got10k'),
    'lasot': (dict(type='LaSOTDataset', split='test'), 'lasot', 'lasot'),
    'lasot_ext': (dict(type='LaSOTDataset', split='extension'), 'lasot', 'lasot'),
    'trackingnet': (dict(type='TrackingNetDataset', split='train'), 'trackingnet', 'trackingnet'),
    'otb': (dict(type='FolderSOTDataset', ann_name='groundtruth_rect.txt'), 'otb', 'otb'),
    # UAV123 / NfS / TNL2K have NaN boxes where the target is out of view: dropped as LaSOT's
    'uav123': (dict(type='UAV123Dataset'), 'lasot', 'otb'),
    'nfs': (dict(type='NFSDataset'), 'lasot', 'otb'),
    'tnl2k': (dict(type='TNL2KDataset'), 'lasot', 'otb'),
    'vot': (dict(type='VOTDataset'), 'vot', 'vot'),
}
#: Per protocol: (table column, key of the evaluation report) of the scores, main score first.
SCORES = {
    'got10k': (('AO', 'ao'), ('SR0_5', 'sr50'), ('SR0_75', 'sr75')),
    'ope': (('AUC', 'success'), ('Precision', 'precision'), ('NormPrecision', 'norm_precision')),
}


def parse_args(argv=None):
    from mmengine.config import DictAction

    from procontext_mm.evaluation import ATTRIBUTE_NAMES
    from procontext_mm.evaluation.functional import DEFAULT_CONFIDENCE, DEFAULT_NUM_RESAMPLES
    parser = argparse.ArgumentParser(
        description='Compare SOT trackers on one dataset: table with confidence intervals, '
        'paired comparison, per-attribute results, success / precision plots.',
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('dataset', choices=sorted(DATASETS), help='benchmark (sets the protocol)')
    parser.add_argument('data_root', help='root of the dataset in its official layout')
    parser.add_argument('--split', help='dataset split (got10k: val, lasot: test, ...)')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='extra dataset arguments, key=value (e.g. use_cache=False)')
    parser.add_argument('--results', nargs='+', default=[], metavar='[NAME=]DIR',
                        help='result folders: toolkit, pytracking or OSTrack layout')
    parser.add_argument('--results-source', nargs='+', default=[], metavar='[NAME=]SOURCE',
                        help='force the layout of result folders (all, or NAME=): auto, '
                        'toolkit, pytracking, ostrack (default: auto)')
    parser.add_argument('--box-format', nargs='+', default=[], metavar='[NAME=]FORMAT',
                        help='force the box format of result folders (all, or NAME=): xywh, '
                        'xyxy, optionally +1 / -1 (coordinates one more / less than the '
                        "ground truth's); default: detected from the first rows")
    parser.add_argument('--config', action='append', default=[], help='tracker config to run')
    parser.add_argument('--checkpoint', action='append', default=[],
                        help='checkpoint of the --config at the same position ("none": none)')
    parser.add_argument('--name', action='append', default=[],
                        help='name of the --config at the same position')
    parser.add_argument('--device', default='cpu', help='device for --config trackers')
    parser.add_argument('--attributes', help='per-sequence attributes: a folder of 0/1 flag '
                        'files <seq>.txt, a pytracking JSON spec or a text file of lines '
                        '"<seq> IV,OCC,..." (default: <data_root>/att if it exists)')
    parser.add_argument('--attribute-names', help='comma-separated attribute names, or '
                        f'{" / ".join(ATTRIBUTE_NAMES)} (default: by dataset)')
    parser.add_argument('--bootstrap', type=int, default=DEFAULT_NUM_RESAMPLES, metavar='N',
                        help='bootstrap resamples over sequences for the confidence intervals '
                        '(0: none; default %(default)s)')
    parser.add_argument('--confidence', type=float, default=DEFAULT_CONFIDENCE,
                        help='confidence level of the intervals (default %(default)s)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the bootstrap resamples')
    parser.add_argument('--paired', nargs=2, metavar=('A', 'B'),
                        help='compare tracker A with tracker B sequence by sequence (main '
                        'score; its CI uses --bootstrap resamples, 1000 if that is 0)')
    parser.add_argument('--paired-top', type=int, default=5, metavar='K',
                        help='sequences listed with the largest differences either way')
    parser.add_argument('--eao-interval', type=int, nargs=2, metavar=('LOW', 'HIGH'),
                        help='VOT EAO interval (default: VOT2018, 100 356)')
    parser.add_argument('--out-dir', default='work_dirs/compare_sot',
                        help='plots, summary.json and the raw results of --config trackers')
    return parser.parse_args(argv)


# ---------------------------------------------------------------------- inputs
def build_dataset(name: str, data_root: str, split: Optional[str], options: dict):
    from mmengine.registry import init_default_scope

    from procontext_mm.registry import DATASETS as DATASET_REGISTRY
    init_default_scope('procontext_mm')
    cfg = dict(DATASETS[name][0], data_root=data_root, test_mode=True, pipeline=[])
    if split is not None:
        if 'split' not in cfg:
            raise ValueError(f'--split is not an option of the {name} dataset.')
        cfg['split'] = split
    cfg.update(options)
    return DATASET_REGISTRY.build(cfg)


def image_size_wh(dataset, video_id: int):
    """(W, H) of a video: the annotated resolution (GOT-10k ``meta_info.ini``) if the dataset
    has one, else the size of its first frame."""
    index = getattr(dataset, 'index', None)
    if index is not None and hasattr(index, 'img_size_wh'):
        width, height = (int(v) for v in index.img_size_wh[int(dataset.data_list[video_id])])
        if width > 0 and height > 0:
            return width, height
    from PIL import Image
    with Image.open(dataset.get_frame_path(video_id, 0)) as image:
        return image.size


def load_ground_truth(dataset, protocol: str) -> dict:
    """Names, ground truth, scored frames and image sizes of every video of the dataset."""
    from procontext_mm.apis import vot_ground_truth
    names, gts, valid, sizes, lengths = [], [], [], [], {}
    for video_id in range(len(dataset)):
        info = dataset.get_data_info(video_id)
        names.append(info['video_name'])
        lengths[info['video_name']] = info['num_frames']
        if protocol == 'vot':
            gts.append(vot_ground_truth(dataset, video_id))
        else:
            gts.append(np.asarray(info['bboxes_xywh'], dtype=np.float64))
        if protocol == 'got10k':  # the toolkit scores frames with cover > 0
            cover = np.asarray(info.get('cover', np.full(info['num_frames'], -1)))
            valid.append(np.where(cover >= 0, cover > 0, info['visible']))
        if protocol in ('got10k', 'vot'):
            sizes.append(image_size_wh(dataset, video_id))
    return dict(names=names, gts=gts, valid=valid or None, sizes=sizes or None, lengths=lengths)


def parse_trackers(args) -> List[dict]:
    """``[{'name', 'results', 'source', 'box_format'}]`` for result folders (forced source /
    format or None), ``[{'name', 'config', 'checkpoint'}]`` for config trackers."""
    from procontext_mm.evaluation import RESULT_SOURCES
    from procontext_mm.evaluation.functional import BOX_FORMATS
    trackers = []
    for entry in args.results:
        name, sep, folder = entry.partition('=')
        if not sep:
            name, folder = osp.basename(osp.normpath(entry)), entry
        if not osp.isdir(folder):
            raise FileNotFoundError(f'--results {entry}: no folder {folder}')
        trackers.append(dict(name=name, results=folder))
    if args.checkpoint and len(args.checkpoint) != len(args.config):
        raise ValueError(f'{len(args.config)} --config but {len(args.checkpoint)} --checkpoint: '
                         'give one --checkpoint per --config ("none" for no weights).')
    if args.name and len(args.name) != len(args.config):
        raise ValueError(f'{len(args.config)} --config but {len(args.name)} --name.')
    for index, config in enumerate(args.config):
        checkpoint = args.checkpoint[index] if args.checkpoint else None
        name = args.name[index] if args.name else osp.splitext(osp.basename(config))[0]
        trackers.append(dict(name=name, config=config,
                             checkpoint=None if checkpoint in (None, 'none') else checkpoint))
    names = [t['name'] for t in trackers]
    if not trackers:
        raise ValueError('Nothing to compare: give --results and / or --config.')
    if len(set(names)) != len(names):
        raise ValueError(f'Tracker names must be unique, got {names}: use NAME=DIR / --name.')
    folders = [t['name'] for t in trackers if 'results' in t]
    sources = per_tracker_option('--results-source', args.results_source, folders,
                                 ('auto', ) + RESULT_SOURCES)
    formats = per_tracker_option('--box-format', args.box_format, folders, BOX_FORMATS)
    for tracker in trackers:
        if 'results' in tracker:
            tracker.update(source=sources.get(tracker['name'], 'auto'),
                           box_format=formats.get(tracker['name']))
    if args.paired:
        unknown = [n for n in args.paired if n not in names]
        if unknown or args.paired[0] == args.paired[1]:
            raise ValueError(f'--paired {" ".join(args.paired)}: give two different trackers '
                             f'among {names}.')
        if DATASETS[args.dataset][1] == 'vot':
            raise ValueError('--paired: the VOT protocol has no per-sequence score to pair '
                             '(EAO is computed over all sequences at once).')
    return trackers


def per_tracker_option(option: str, entries: Sequence[str], names: Sequence[str],
                       choices: Sequence[str]) -> Dict[str, str]:
    """``[VALUE]`` or ``[NAME=VALUE, ...]`` -> tracker name -> value (a bare value: all)."""
    values = {}
    for entry in entries:
        name, sep, value = entry.rpartition('=')
        if value not in choices:
            raise ValueError(f'{option} {entry}: {value!r} is not one of {list(choices)}.')
        if sep and name not in names:
            raise ValueError(f'{option} {entry}: no result folder named {name!r} '
                             f'(result folders: {list(names)}).')
        values.update({name: value} if sep else {n: value for n in names})
    return values


# ---------------------------------------------------------------------- tracking
def run_config(tracker: dict, dataset, gt: dict, layout: str, out_dir: str,
               device: str, eao_interval) -> dict:
    """Run a config tracker on every video; write its raw results under ``out_dir``.

    Returns:
        dict: the outputs for :func:`evaluate`, and ``info``: config, checkpoint, precision
        (``model.test_cfg.precision``, fp32 by default) and where the results went.
    """
    from procontext_mm.apis import init_model, run_vot_experiment, track_video
    from procontext_mm.datasets import VideoFrames
    from procontext_mm.evaluation import write_tracking_results
    from procontext_mm.structures import bbox_xywh_to_xyxy, bbox_xyxy_to_xywh
    model = init_model(tracker['config'], tracker['checkpoint'], device=device)
    result_dir = osp.join(out_dir, 'results', tracker['name'])
    info = dict(config=tracker['config'], checkpoint=tracker['checkpoint'],
                precision=tracker_precision(model.cfg),
                results=result_dir)
    if layout == 'vot':
        report = run_vot_experiment(model, dataset, out_dir=result_dir, eao_interval=eao_interval)
        return dict(runs=[report['records'][n] for n in gt['names']], info=info)
    preds, times = [], []
    for video_id, (name, gt_xywh) in enumerate(zip(gt['names'], gt['gts'])):
        if not np.isfinite(gt_xywh[0]).all():
            raise ValueError(f'Sequence {name}: no ground-truth box on the first frame.')
        frames = VideoFrames.from_files(
            [dataset.get_frame_path(video_id, k) for k in range(len(gt_xywh))], name)
        result = track_video(model, frames, bbox_xywh_to_xyxy(gt_xywh[0]).tolist())
        preds.append(bbox_xyxy_to_xywh(result.bboxes_xyxy))
        times.append(result.track_times.astype(np.float64))
        write_tracking_results(result_dir, name, preds[-1], layout, times[-1])
    print(f'[compare_sot] raw results of {tracker["name"]} written to {result_dir}')
    return dict(preds=preds, times=times, info=info)


def tracker_precision(cfg) -> str:
    """The inference precision of a tracker config: ``model.test_cfg.precision`` (fp32 when
    the config does not set it)."""
    return (cfg.model.get('test_cfg') or {}).get('precision', 'fp32')


def load_results(tracker: dict, gt: dict, layout: str, dataset_name: str) -> dict:
    """Read a result folder (layout detected or forced), check / convert its box format.

    Returns:
        dict: the outputs for :func:`evaluate` (boxes xywh in the ground truth's coordinates)
        and ``info``: folder, source, box format, how it was found and whether it was forced.
    """
    from procontext_mm.apis import load_vot_runs
    from procontext_mm.evaluation import import_tracking_results
    from procontext_mm.evaluation.functional import bboxes_to_xywh, detect_box_format
    if layout == 'vot':  # VOT records: status lines and regions, no box format to guess
        return dict(runs=[load_vot_runs(tracker['results'], n, gt['lengths'][n])
                          for n in gt['names']],
                    info=dict(results=tracker['results'], source='vot-toolkit'))
    imported = import_tracking_results(tracker['results'], gt['names'], layout,
                                       tracker.get('source', 'auto'), gt['lengths'],
                                       dataset=dataset_name)
    rows = [imported['sequences'][n]['bboxes'] for n in gt['names']]
    check = detect_box_format(rows, gt['gts'])
    box_format = tracker.get('box_format') or check['box_format']
    check_text = check['message']
    if tracker.get('box_format') and box_format != check['box_format']:
        check_text = f'FORCED {box_format}; the first rows suggest: {check_text}'
    info = dict(results=tracker['results'], folder=imported['folder'],
                source=imported['source'], box_format=box_format,
                box_format_forced=bool(tracker.get('box_format')),
                box_format_check=check_text, box_format_ambiguous=check['ambiguous'])
    return dict(preds=[bboxes_to_xywh(r, box_format) for r in rows],
                times=[imported['sequences'][n]['times'] for n in gt['names']], info=info)


def evaluate(outputs: dict, gt: dict, protocol: str, eao_interval) -> dict:
    from procontext_mm.evaluation.functional import eval_got10k, eval_ope
    from procontext_mm.evaluation.functional.vot import eval_vot
    if protocol == 'vot':
        return eval_vot(outputs['runs'], gt['gts'], gt['sizes'], gt['names'],
                        eao_interval=eao_interval)
    if protocol == 'got10k':
        return eval_got10k(outputs['preds'], gt['gts'], gt['valid'], gt['sizes'],
                           outputs['times'], gt['names'])
    return eval_ope(outputs['preds'], gt['gts'], protocol, times=outputs['times'],
                    seq_names=gt['names'])


# ---------------------------------------------------------------------- statistics
def sequence_values(report: dict, protocol: str, key: str, names: Sequence[str]):
    """Per-sequence values of a score and their weights: the sequence's scored frames for
    GOT-10k (its scores pool frames), 1 for OPE (its scores average sequences)."""
    seq_wise = report['seq_wise']
    values = np.array([seq_wise[n][key] for n in names], dtype=np.float64)
    if protocol == 'got10k':
        return values, np.array([seq_wise[n]['num_frames'] for n in names], dtype=np.float64)
    return values, None


def confidence_intervals(reports: Dict[str, dict], protocol: str, names: Sequence[str],
                         num_resamples: int, confidence: float, seed: int) -> Dict[str, dict]:
    """tracker -> score key -> ``bootstrap_ci`` result (empty for VOT or without resamples)."""
    from procontext_mm.evaluation.functional import bootstrap_ci
    if protocol == 'vot' or num_resamples <= 0:
        return {}
    return {tracker: {key: bootstrap_ci(*sequence_values(report, protocol, key, names),
                                        num_resamples=num_resamples, confidence=confidence,
                                        seed=seed)
                      for _, key in SCORES[score_family(protocol)]}
            for tracker, report in reports.items()}


def paired(reports: Dict[str, dict], protocol: str, names: Sequence[str], pair: Sequence[str],
           args) -> dict:
    """Paired comparison of the main score (AUC / AO) of ``pair[0]`` against ``pair[1]``."""
    from procontext_mm.evaluation.functional import DEFAULT_NUM_RESAMPLES, paired_comparison
    column, key = SCORES[score_family(protocol)][0]
    values_a, weights_a = sequence_values(reports[pair[0]], protocol, key, names)
    values_b, weights_b = sequence_values(reports[pair[1]], protocol, key, names)
    result = paired_comparison(values_a, values_b, names, weights_a, weights_b,
                               num_resamples=args.bootstrap or DEFAULT_NUM_RESAMPLES,
                               confidence=args.confidence, seed=args.seed,
                               num_extremes=args.paired_top)
    return dict(result, tracker_a=pair[0], tracker_b=pair[1], score=column)


def score_family(protocol: str) -> str:
    return 'got10k' if protocol == 'got10k' else 'ope'


# ---------------------------------------------------------------------- report
def table_rows(reports: Dict[str, dict], protocol: str,
               intervals: Optional[Dict[str, dict]] = None, confidence: float = 0.95) -> List[dict]:
    """One row per tracker, best first; scores in percent (VOT: fractions / counts), each
    followed by its confidence interval when ``intervals`` has one."""
    rows = []
    for name, report in reports.items():
        fps = 'n/a' if report.get('fps') is None else report['fps']
        if protocol == 'vot':
            row = dict(tracker=name, EAO='%.3f' % report['eao'],
                       Accuracy='%.3f' % report['accuracy'],
                       Robustness='%.3f' % report['robustness'],
                       Failures='%.1f' % report['num_failures'], key=report['eao'])
        else:
            scores = SCORES[score_family(protocol)]
            row = dict(tracker=name, key=report[scores[0][1]])
            for column, key in scores:
                row[column] = 100 * report[key]
                if intervals and name in intervals:
                    ci = intervals[name][key]
                    row[ci_column(column, confidence)] = '[%.2f, %.2f]' % (
                        100 * ci['low'], 100 * ci['high'])
            row['FPS'] = fps
        rows.append(row)
    return sorted(rows, key=lambda r: -np.nan_to_num(r['key'], nan=-np.inf))


def ci_column(column: str, confidence: float) -> str:
    return f'{column} {100 * confidence:g}% CI'


def table_columns(protocol: str, with_ci: bool, confidence: float):
    """Columns and the title note of the main table."""
    if protocol == 'vot':
        return (['tracker', 'EAO', 'Accuracy', 'Robustness', 'Failures'],
                'VOT toolkit: robustness = length-weighted mean failures per sequence')
    columns = ['tracker']
    for column, _ in SCORES[score_family(protocol)]:
        columns += [column] + ([ci_column(column, confidence)] if with_ci else [])
    note = ('percent, FPS in frames / s' if protocol == 'got10k' else
            'percent: success AUC, precision at 20 px, normalised precision AUC')
    return columns + ['FPS'], note


def format_paired(result: dict) -> str:
    """The printed block of a paired comparison (differences in percent points)."""
    a, b, score = result['tracker_a'], result['tracker_b'], result['score']

    def items(pairs):
        return ', '.join(f'{n} {100 * d:+.1f}' for n, d in pairs) or '-'

    return '\n'.join([
        f'Paired comparison on {result["num_sequences"]} sequences: {a} - {b}, {score} '
        '(percent points)',
        f'  difference {100 * result["difference"]:+.2f}, {100 * result["confidence"]:g}% CI '
        f'[{100 * result["low"]:+.2f}, {100 * result["high"]:+.2f}] '
        f'({result["num_resamples"]} bootstrap resamples of the sequences)',
        f'  {a} better on {result["wins"]}, worse on {result["losses"]}, tied on '
        f'{result["ties"]} sequences',
        f'  largest gains of {a}:  {items(result["largest_gains"])}',
        f'  largest losses of {a}: {items(result["largest_losses"])}',
    ])


def format_trackers(trackers: Dict[str, dict]) -> str:
    """One line per tracker: where its boxes come from, and their format check."""
    lines = []
    for name, info in trackers.items():
        if 'config' in info:
            lines.append(f'  {name}: config {info["config"]}, checkpoint '
                         f'{info["checkpoint"] or "none"}, precision {info["precision"]}')
        elif 'box_format' in info:
            lines.append(f'  {name}: {info["source"]} results in {info["folder"]}; box format '
                         f'{info["box_format"]} ({info["box_format_check"]})')
        else:
            lines.append(f'  {name}: {info["source"]} results in {info["results"]}')
    return '\n'.join(lines)


def save_plots(reports: Dict[str, dict], protocol: str, out_dir: str, title: str,
               eao_interval) -> List[str]:
    from procontext_mm.evaluation.plotting import plot_eao, plot_precision, plot_success
    if protocol == 'vot':
        return [plot_eao({n: r['eao_curve'] for n, r in reports.items()},
                         {n: r['eao'] for n, r in reports.items()},
                         osp.join(out_dir, 'eao_plot.png'), eao_interval, f'EAO on {title}')]
    if protocol == 'got10k':
        return [plot_success({n: r['success_curve'] for n, r in reports.items()},
                             {n: r['ao'] for n, r in reports.items()},
                             osp.join(out_dir, 'success_plot.png'), f'Success plot on {title}',
                             score_name='AO')]
    curves = lambda key: {n: r[key] for n, r in reports.items()}  # noqa: E731
    return [
        plot_success(curves('success_curve'), curves('success'),
                     osp.join(out_dir, 'success_plot.png'), f'Success plots of OPE on {title}'),
        plot_precision(curves('precision_curve'), curves('precision'),
                       osp.join(out_dir, 'precision_plot.png'),
                       f'Precision plots of OPE on {title}'),
        plot_precision(curves('norm_precision_curve'), curves('norm_precision'),
                       osp.join(out_dir, 'norm_precision_plot.png'),
                       f'Normalized precision plots of OPE on {title}', normalized=True),
    ]


def attribute_breakdown(reports: Dict[str, dict], attributes: Dict[str, List[str]],
                        out_dir: str, title: str) -> dict:
    """Success AUC per attribute (OPE curves averaged over the sequences with it) + plots."""
    from procontext_mm.evaluation.plotting import plot_success
    per_attribute = {}
    for attr, seqs in attributes.items():
        if not seqs:
            continue
        curves = {name: np.mean([report['seq_wise'][s]['success_curve'] for s in seqs], axis=0)
                  for name, report in reports.items()}
        scores = {name: float(np.mean(curve)) for name, curve in curves.items()}  # the AUC
        per_attribute[attr] = dict(num_sequences=len(seqs), success=scores,
                                   plot=plot_success(curves, scores,
                                                     osp.join(out_dir, 'attributes',
                                                              f'success_{attr}.png'),
                                                     f'{attr} ({len(seqs)} sequences), {title}'))
    return per_attribute


def attribute_radar(per_attribute: dict, out_dir: str, title: str) -> Optional[str]:
    """Radar plot of the per-attribute AUCs (None with fewer than 3 attributes)."""
    from procontext_mm.evaluation.plotting import plot_attribute_radar
    if len(per_attribute) < 3:
        print(f'[compare_sot] no radar plot: {len(per_attribute)} attribute(s) with sequences, '
              'a radar needs 3')
        return None
    trackers = next(iter(per_attribute.values()))['success']
    scores = {name: {a: v['success'][name] for a, v in per_attribute.items()}
              for name in trackers}
    return plot_attribute_radar(scores, osp.join(out_dir, 'attribute_radar.png'),
                                f'Success AUC per attribute, {title}',
                                {a: v['num_sequences'] for a, v in per_attribute.items()})


def main(argv=None) -> dict:
    from procontext_apps.machine import describe_environment, format_environment
    from procontext_apps.text_table import format_table
    from procontext_mm.evaluation import ATTRIBUTE_NAMES, read_sequence_attributes
    from procontext_mm.evaluation.functional.vot import EAO_INTERVALS
    args = parse_args(argv)
    _, protocol, layout = DATASETS[args.dataset]
    eao_interval = tuple(args.eao_interval or EAO_INTERVALS['vot2018'])
    trackers = parse_trackers(args)
    environment = describe_environment(args.device)
    dataset = build_dataset(args.dataset, args.data_root, args.split, args.dataset_options)
    gt = load_ground_truth(dataset, protocol)
    title = f'{args.dataset} ({len(gt["names"])} sequences)'

    reports, tracker_info = {}, {}
    for tracker in trackers:
        if 'results' in tracker:
            outputs = load_results(tracker, gt, layout, args.dataset)
        else:
            outputs = run_config(tracker, dataset, gt, layout, args.out_dir, args.device,
                                 eao_interval)
        tracker_info[tracker['name']] = outputs['info']
        reports[tracker['name']] = evaluate(outputs, gt, protocol, eao_interval)
    header = '\n'.join([f'[compare_sot] {title}, {args.data_root}',
                        f'[compare_sot] environment: {format_environment(environment)}',
                        '[compare_sot] trackers:', format_trackers(tracker_info)])
    print(header)
    for name, info in tracker_info.items():
        if info.get('box_format_ambiguous') and not info.get('box_format_forced'):
            print(f'[compare_sot] WARNING: the box format of {name} is not certain (see above); '
                  'force it with --box-format if it is known')

    intervals = confidence_intervals(reports, protocol, gt['names'], args.bootstrap,
                                     args.confidence, args.seed)
    columns, note = table_columns(protocol, bool(intervals), args.confidence)
    if intervals:
        note += (f'; {100 * args.confidence:g}% bootstrap CIs over sequences '
                 f'({args.bootstrap} resamples, seed {args.seed})')
    rows = table_rows(reports, protocol, intervals, args.confidence)
    table = format_table(rows, columns, title=f'{title}: {note}')
    print(table)
    paired_result = paired(reports, protocol, gt['names'], args.paired, args) \
        if args.paired else None
    if paired_result:
        print(format_paired(paired_result))
    plots = save_plots(reports, protocol, args.out_dir, title, eao_interval)

    attr_path = args.attributes or (osp.join(args.data_root, 'att')
                                    if osp.isdir(osp.join(args.data_root, 'att')) else None)
    per_attribute, attr_table = {}, None
    if attr_path is not None and protocol != 'vot' and protocol != 'got10k':
        names = args.attribute_names
        names = (ATTRIBUTE_NAMES.get(names) or names.split(',')) if names \
            else ATTRIBUTE_NAMES.get(args.dataset)
        if names is not None and attr_path.lower().endswith('.json') \
                and not args.attribute_names:
            names = None  # the JSON spec names its attributes
        attributes = read_sequence_attributes(attr_path, gt['names'], names)
        per_attribute = attribute_breakdown(reports, attributes, args.out_dir, title)
        attr_rows = [dict(tracker=name, **{f'{a}({v["num_sequences"]})': 100 * v['success'][name]
                                           for a, v in per_attribute.items()})
                     for name in [r['tracker'] for r in rows]]
        attr_table = format_table(attr_rows, list(attr_rows[0]),
                                  title='Success AUC (percent) per attribute (sequences)')
        print(attr_table)
        radar = attribute_radar(per_attribute, args.out_dir, title)
        plots += [v['plot'] for v in per_attribute.values()] + ([radar] if radar else [])
    elif attr_path is not None:
        print(f'[compare_sot] attributes ignored: the {protocol} protocol has no per-attribute '
              'breakdown')

    summary = dict(dataset=args.dataset, data_root=args.data_root, protocol=protocol,
                   environment=environment, trackers=tracker_info,
                   table=[{k: v for k, v in r.items() if k != 'key'} for r in rows],
                   confidence_intervals=dict(
                       num_resamples=args.bootstrap, confidence=args.confidence, seed=args.seed,
                       scores=intervals) if intervals else None,
                   paired=paired_result,
                   attributes={a: dict(num_sequences=v['num_sequences'], success=v['success'])
                               for a, v in per_attribute.items()},
                   plots=plots)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print('[compare_sot] plots: ' + ', '.join(plots))
    return dict(reports=reports, rows=rows, table=table, attribute_table=attr_table,
                attributes=per_attribute, plots=plots, header=header, paired=paired_result,
                intervals=intervals, trackers=tracker_info, environment=environment)


if __name__ == '__main__':
    main()
