"""Test a single-object tracker video by video, frame by frame, with mmengine's runner.

    python tools/test.py CONFIG [CHECKPOINT] [--work-dir DIR] [--out-dir DIR] [--format-only]
                         [--metrics-file FILE] [--precision {fp32,bf16,auto}]
                         [--cfg-options k=v ...]
                         [--launcher {none,pytorch,slurm}]
    bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [args]   # videos sharded over ranks

CHECKPOINT is this package's (``{'state_dict': ...}``) or the authors' / OSTrack's
(``{'net': ...}``, converted on load); it may be left out only for trackers without
parameters (``StaticBoxTracker``). ``--out-dir`` makes ``SOTMetric`` write the raw results in
the benchmark's format (``<out-dir>/<benchmark>/...``) and the per-sequence report, and the
SOT test loop the per-frame boxes, scores and times (``<out-dir>/frame_results.pkl``);
``--format-only`` skips scoring (test splits without ground truth) and writes the submission
archive (``<out-dir>/<benchmark>_submission.zip`` for GOT-10k and TrackingNet).
``--metrics-file`` writes the metrics as one JSON object (by the first process only: mmengine's
own ``<timestamp>.json`` is written by every process, which may garble it).
"""
import argparse
import json
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.model import is_model_wrapper
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from procontext_mm.apis import load_tracker_weights, set_tracking_precision
from procontext_mm.utils.dist import finish_distributed, setup_cpu_distributed
from procontext_mm.utils.precision import TRACKING_PRECISIONS

#: Loop types that accept ``frame_results_file`` (with or without the scope prefix).
SOT_LOOPS = ('SOTTestLoop', 'SOTValLoop')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and evaluate) a single-object tracker')
    parser.add_argument('config', help='test config file')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint of this package or of the authors (OSTrack layout); '
                        'optional only for trackers without parameters')
    parser.add_argument('--work-dir', help='where logs go (default: work_dirs/<config name>)')
    parser.add_argument('--out-dir',
                        help='write the raw results in the benchmark format, the per-sequence '
                        'report and the per-frame results (boxes, scores, times) here')
    parser.add_argument('--format-only', action='store_true',
                        help='only write the results and the submission archive, do not score '
                        '(test splits without ground truth)')
    parser.add_argument('--metrics-file',
                        help='write the metrics to this JSON file (one object)')
    parser.add_argument('--precision', choices=TRACKING_PRECISIONS,
                        help='tracking precision (model.test_cfg.precision): fp32, bf16, or '
                        'auto = bf16 where the device multiplies bfloat16 natively')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. test_dataloader.dataset.data_root=X')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def _sot_metrics(evaluator_cfg) -> list:
    """The ``SOTMetric`` configs of a ``test_evaluator`` (a dict, a list of dicts, or an
    ``Evaluator`` dict with ``metrics``)."""
    if isinstance(evaluator_cfg, dict) and 'metrics' in evaluator_cfg:
        evaluator_cfg = evaluator_cfg['metrics']
    metrics = evaluator_cfg if isinstance(evaluator_cfg, (list, tuple)) else [evaluator_cfg]
    return [m for m in metrics
            if isinstance(m, dict) and str(m.get('type', '')).split('.')[-1] == 'SOTMetric']


def build_test_config(args: argparse.Namespace) -> Config:
    """Load the config and apply the command line.

    Raises:
        ValueError: ``--out-dir`` / ``--format-only`` given but ``test_evaluator`` has no
            ``SOTMetric``, or ``--format-only`` without any output directory.
    """
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.precision:
        set_tracking_precision(cfg, args.precision)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    # Weights are loaded by main() (the authors' layout needs converting); nothing is trained,
    # and mmengine wants the training trio all set or all unset.
    cfg.load_from, cfg.resume = None, False
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler'):
        cfg[key] = None

    if args.out_dir or args.format_only:
        metrics = _sot_metrics(cfg.get('test_evaluator'))
        if not metrics:
            raise ValueError(f'{args.config}: --out-dir / --format-only need an SOTMetric in '
                             f'test_evaluator, got {cfg.get("test_evaluator")}')
        for metric in metrics:
            if args.out_dir:
                metric['out_dir'] = args.out_dir
            if args.format_only:
                if not metric.get('out_dir'):
                    raise ValueError('--format-only writes result files: give --out-dir (or '
                                     f'test_evaluator.out_dir in {args.config})')
                metric['format_only'] = True
    test_cfg = cfg.get('test_cfg') or {}
    if args.out_dir and str(test_cfg.get('type', '')).split('.')[-1] in SOT_LOOPS:
        test_cfg['frame_results_file'] = osp.join(osp.abspath(args.out_dir), 'frame_results.pkl')
    setup_cpu_distributed(cfg, args.launcher)
    return cfg


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run the test; returns the metrics (empty with ``--format-only``).

    Raises:
        ValueError: No checkpoint for a tracker with parameters, or a checkpoint that does not
            match the model (the message lists the keys).
    """
    args = parse_args(argv)
    cfg = build_test_config(args)
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    if args.checkpoint is not None:
        meta = load_tracker_weights(model, args.checkpoint)
        runner.logger.info(f'Loaded {args.checkpoint}' +
                           (f' (epoch {meta["epoch"]}, iter {meta.get("iter")})'
                            if 'epoch' in meta else ''))
    elif any(True for _ in model.parameters()):
        raise ValueError(f'{type(model).__name__} has parameters: give a CHECKPOINT to test '
                         '(tools/test.py CONFIG CHECKPOINT)')
    metrics = runner.test()
    if args.metrics_file and is_main_process():
        os.makedirs(osp.dirname(osp.abspath(args.metrics_file)), exist_ok=True)
        with open(args.metrics_file, 'w') as f:
            json.dump(metrics, f, indent=2)
    finish_distributed()
    return metrics


if __name__ == '__main__':
    main()
