"""Compare SOT trackers on one dataset: one table, and the success / precision plots.

Trackers are result folders in the benchmark's raw layout (see
``procontext_mm/evaluation/results_io.py``) and / or config + checkpoint pairs that are run
here. The protocol follows the dataset: GOT-10k (AO, SR0.5, SR0.75; success plot with AO),
OPE for LaSOT / TrackingNet / OTB / UAV123 (success AUC, precision at 20 px, normalised
precision; success, precision and normalised precision plots) or the VOT short-term
supervised experiment (EAO, accuracy, robustness; EAO curves). With per-sequence attribute
files (LaSOT / UAV123 ``att/<seq>.txt``: one 0/1 flag per attribute) it also prints the success
AUC per attribute and saves one success plot per attribute.

Examples::

    # result folders (NAME=DIR; a bare DIR is named after its folder)
    python tools/analysis_tools/compare_sot.py lasot data/LaSOT \\
        --results ProContEXT=work_dirs/procontext/lasot OSTrack=work_dirs/ostrack/lasot \\
        --attributes data/LaSOT_toolkit/annos/att --out-dir work_dirs/compare_lasot
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
import re
from typing import Dict, List, Optional, Sequence

import numpy as np

#: dataset name -> (dataset config, protocol, result layout of ``results_io``).
DATASETS = {
    'got10k': (dict(type='GOT10kDataset', split='val'), 'got10k', 'got10k'),
    'lasot': (dict(type='LaSOTDataset', split='test'), 'lasot', 'lasot'),
    'trackingnet': (dict(type='TrackingNetDataset', split='train'), 'trackingnet', 'trackingnet'),
    'otb': (dict(type='FolderSOTDataset', ann_name='groundtruth_rect.txt'), 'otb', 'otb'),
    # UAV123 has NaN boxes where the target is out of view: dropped as LaSOT's are
    'uav123': (dict(type='FolderSOTDataset'), 'lasot', 'otb'),
    'vot': (dict(type='VOTDataset'), 'vot', 'vot'),
}
#: Attribute order of the per-sequence attribute files of the benchmarks' toolkits.
ATTRIBUTE_NAMES = {
    'lasot': ('IV', 'POC', 'DEF', 'MB', 'CM', 'ROT', 'BC', 'VC', 'SV', 'FOC', 'FM', 'OV', 'LR',
              'ARC'),
    'uav123': ('SV', 'ARC', 'LR', 'FM', 'FOC', 'POC', 'OV', 'BC', 'IV', 'VC', 'CM', 'SOB'),
}


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Compare SOT trackers on one dataset: table + success / precision plots.',
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 2)[2])
    parser.add_argument('dataset', choices=sorted(DATASETS), help='benchmark (sets the protocol)')
    parser.add_argument('data_root', help='root of the dataset in its official layout')
    parser.add_argument('--split', help='dataset split (got10k: val, lasot: test, ...)')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='extra dataset arguments, key=value (e.g. use_cache=False)')
    parser.add_argument('--results', nargs='+', default=[], metavar='[NAME=]DIR',
                        help="result folders in the benchmark's raw layout")
    parser.add_argument('--config', action='append', default=[], help='tracker config to run')
    parser.add_argument('--checkpoint', action='append', default=[],
                        help='checkpoint of the --config at the same position ("none": none)')
    parser.add_argument('--name', action='append', default=[],
                        help='name of the --config at the same position')
    parser.add_argument('--device', default='cpu', help='device for --config trackers')
    parser.add_argument('--attributes', help='folder of per-sequence attribute files '
                        '<seq>.txt (default: <data_root>/att if it exists)')
    parser.add_argument('--attribute-names', help='comma-separated attribute names, or '
                        f'{" / ".join(ATTRIBUTE_NAMES)} (default: by dataset)')
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
    """``[{'name', 'results'}]`` for result folders, ``[{'name', 'config', 'checkpoint'}]``."""
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
    return trackers


def read_attributes(attr_dir: str, seq_names: Sequence[str],
                    attr_names: Optional[Sequence[str]]) -> Dict[str, List[str]]:
    """Attribute -> sequences that have it, from ``<attr_dir>/<seq>.txt`` 0/1 flag files.

    Raises:
        FileNotFoundError: Naming the sequence without a file.
        ValueError: On a file with another number of flags or a value that is not 0 / 1.
    """
    flags = {}
    for name in seq_names:
        path = osp.join(attr_dir, f'{name}.txt')
        if not osp.isfile(path):
            raise FileNotFoundError(f'No attribute file for sequence {name}: {path}')
        with open(path) as f:
            values = [v for v in re.split(r'[,\s]+', f.read().strip()) if v]
        if any(v not in ('0', '1') for v in values):
            raise ValueError(f'{path}: attribute flags must be 0 or 1, got {values}')
        if attr_names is not None and len(values) != len(attr_names):
            raise ValueError(f'{path}: {len(values)} flags but {len(attr_names)} attributes '
                             f'({",".join(attr_names)})')
        flags[name] = [v == '1' for v in values]
    count = len(next(iter(flags.values())))
    attr_names = attr_names or [f'A{i + 1}' for i in range(count)]
    return {attr: [s for s in seq_names if flags[s][i]] for i, attr in enumerate(attr_names)}


# ---------------------------------------------------------------------- tracking
def run_config(tracker: dict, dataset, gt: dict, layout: str, out_dir: str,
               device: str, eao_interval) -> dict:
    """Run a config tracker on every video; write its raw results under ``out_dir``."""
    from procontext_mm.apis import init_model, run_vot_experiment, track_video
    from procontext_mm.datasets import VideoFrames
    from procontext_mm.evaluation import write_tracking_results
    from procontext_mm.structures import bbox_xywh_to_xyxy, bbox_xyxy_to_xywh
    model = init_model(tracker['config'], tracker['checkpoint'], device=device)
    result_dir = osp.join(out_dir, 'results', tracker['name'])
    if layout == 'vot':
        report = run_vot_experiment(model, dataset, out_dir=result_dir, eao_interval=eao_interval)
        return dict(runs=[report['records'][n] for n in gt['names']])
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
    return dict(preds=preds, times=times)


def load_results(tracker: dict, gt: dict, layout: str) -> dict:
    from procontext_mm.apis import load_vot_runs
    from procontext_mm.evaluation import load_tracking_results
    if layout == 'vot':
        return dict(runs=[load_vot_runs(tracker['results'], n, gt['lengths'][n])
                          for n in gt['names']])
    results = load_tracking_results(tracker['results'], gt['names'], layout, gt['lengths'])
    return dict(preds=[results[n]['bboxes_xywh'] for n in gt['names']],
                times=[results[n]['times'] for n in gt['names']])


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


# ---------------------------------------------------------------------- report
def table_rows(reports: Dict[str, dict], protocol: str) -> List[dict]:
    """One row per tracker, best first; scores in percent (VOT: fractions / counts)."""
    rows = []
    for name, report in reports.items():
        fps = 'n/a' if report.get('fps') is None else report['fps']
        if protocol == 'got10k':
            row = dict(tracker=name, AO=100 * report['ao'], SR0_5=100 * report['sr50'],
                       SR0_75=100 * report['sr75'], FPS=fps, key=report['ao'])
        elif protocol == 'vot':
            row = dict(tracker=name, EAO='%.3f' % report['eao'],
                       Accuracy='%.3f' % report['accuracy'],
                       Robustness='%.3f' % report['robustness'],
                       Failures='%.1f' % report['num_failures'], key=report['eao'])
        else:
            row = dict(tracker=name, AUC=100 * report['success'],
                       Precision=100 * report['precision'],
                       NormPrecision=100 * report['norm_precision'], FPS=fps,
                       key=report['success'])
        rows.append(row)
    return sorted(rows, key=lambda r: -np.nan_to_num(r['key'], nan=-np.inf))


TABLE_COLUMNS = {
    'got10k': (['tracker', 'AO', 'SR0_5', 'SR0_75', 'FPS'], 'percent, FPS in frames / s'),
    'vot': (['tracker', 'EAO', 'Accuracy', 'Robustness', 'Failures'],
            'VOT toolkit: robustness = length-weighted mean failures per sequence'),
}
OPE_COLUMNS = (['tracker', 'AUC', 'Precision', 'NormPrecision', 'FPS'],
               'percent: success AUC, precision at 20 px, normalised precision AUC')


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


def main(argv=None) -> dict:
    from procontext_apps.quickstart import format_table
    from procontext_mm.evaluation.functional.vot import EAO_INTERVALS
    args = parse_args(argv)
    _, protocol, layout = DATASETS[args.dataset]
    eao_interval = tuple(args.eao_interval or EAO_INTERVALS['vot2018'])
    trackers = parse_trackers(args)
    dataset = build_dataset(args.dataset, args.data_root, args.split, args.dataset_options)
    gt = load_ground_truth(dataset, protocol)
    title = f'{args.dataset} ({len(gt["names"])} sequences)'

    reports = {}
    for tracker in trackers:
        if 'results' in tracker:
            outputs = load_results(tracker, gt, layout)
        else:
            outputs = run_config(tracker, dataset, gt, layout, args.out_dir, args.device,
                                 eao_interval)
        reports[tracker['name']] = evaluate(outputs, gt, protocol, eao_interval)

    columns, note = TABLE_COLUMNS.get(protocol, OPE_COLUMNS)
    rows = table_rows(reports, protocol)
    table = format_table(rows, columns, title=f'{title}: {note}')
    print(table)
    plots = save_plots(reports, protocol, args.out_dir, title, eao_interval)

    attr_dir = args.attributes or (osp.join(args.data_root, 'att')
                                   if osp.isdir(osp.join(args.data_root, 'att')) else None)
    per_attribute, attr_table = {}, None
    if attr_dir is not None and protocol in ('lasot', 'otb', 'trackingnet'):
        names = args.attribute_names
        names = (ATTRIBUTE_NAMES.get(names) or names.split(',')) if names \
            else ATTRIBUTE_NAMES.get(args.dataset)
        per_attribute = attribute_breakdown(reports, read_attributes(attr_dir, gt['names'],
                                                                     names), args.out_dir, title)
        attr_rows = [dict(tracker=name, **{f'{a}({v["num_sequences"]})': 100 * v['success'][name]
                                           for a, v in per_attribute.items()})
                     for name in [r['tracker'] for r in rows]]
        attr_table = format_table(attr_rows, list(attr_rows[0]),
                                  title='Success AUC (percent) per attribute (sequences)')
        print(attr_table)
        plots += [v['plot'] for v in per_attribute.values()]
    elif attr_dir is not None:
        print(f'[compare_sot] attributes ignored: the {protocol} protocol has no per-attribute '
              'breakdown')

    summary = dict(dataset=args.dataset, data_root=args.data_root, protocol=protocol,
                   table=[{k: v for k, v in r.items() if k != 'key'} for r in rows],
                   attributes={a: dict(num_sequences=v['num_sequences'], success=v['success'])
                               for a, v in per_attribute.items()},
                   plots=plots)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print('[compare_sot] plots: ' + ', '.join(plots))
    return dict(reports=reports, rows=rows, table=table, attribute_table=attr_table,
                attributes=per_attribute, plots=plots)


if __name__ == '__main__':
    main()
