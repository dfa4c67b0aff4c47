"""``SOTMetric``: frame-level tracking results -> a benchmark's official scores."""
import json
import os.path as osp
from collections import defaultdict
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
from mmdet.evaluation.metrics import BaseVideoMetric
from mmengine.fileio import put_text
from mmengine.logging import MMLogger

from procontext_mm.registry import METRICS
from procontext_mm.structures import bbox_xyxy_to_xywh
from ..functional import eval_got10k, eval_ope, ope_fps
from ..functional.vot import (EAO_INTERVALS, MULTISTART_EAO_INTERVAL, MULTISTART_GRACE,
                              MULTISTART_THRESHOLD, VOT_BURNIN, VOT_SENSITIVITY,
                              VOT_SKIP_INITIALIZE, eval_vot, eval_vot_multistart,
                              multistart_run_frames)
from ..results_io import (make_got10k_submission, make_trackingnet_submission,
                          write_tracking_results, write_vot_results)
from ..vot_protocol import VOT_INIT, VOT_TRACKED

_MISSING = object()
_NO_VOT_STATUS = -2  # a frame that did not go through the VOT supervised protocol


@METRICS.register_module()
class SOTMetric(BaseVideoMetric):
    """Single-object-tracking metric: GOT-10k AO / SR, OPE success / precision, or VOT EAO.

    The metric receives the predicted ``TrackDataSample`` of every frame (one
    ``DetDataSample`` each; see ``docs/data_flow.md``), groups the frames by ``video_id``,
    sorts them by ``frame_id`` and scores every video with the benchmark's protocol from
    :mod:`procontext_mm.evaluation.functional` (conventions in its docstrings). Results of
    all ranks are gathered by ``BaseVideoMetric.evaluate``; a frame seen twice (padding of a
    distributed sampler) is counted once, and a video with missing frames is an error.

    Metric keys (values in percent, as papers report; ``FPS`` only when the model records
    ``track_time``), prefixed by ``prefix`` (default ``'sot'``):

    * ``benchmark='got10k'``: ``sot/AO``, ``sot/SR0.5``, ``sot/SR0.75``, ``sot/FPS``.
    * ``'lasot'``, ``'trackingnet'``, ``'otb'``: ``sot/success`` (AUC of the success plot),
      ``sot/precision`` (at 20 px), ``sot/norm_precision`` (AUC over [0, 0.5]),
      ``sot/FPS``.
    * ``'vot2016'``, ``'vot2017'``, ``'vot2018'``, ``'vot2019'`` (short-term ``baseline``
      experiment, scored as ``vot-toolkit`` 0.7 scores it, see
      :func:`~procontext_mm.evaluation.functional.vot.eval_vot`): ``sot/EAO`` (over the
      year's interval), ``sot/accuracy``, ``sot/robustness`` (the toolkit's: length-weighted
      mean failure count per sequence), ``sot/failure_rate`` (failures per 100 frames, what
      mmtracking calls robustness), ``sot/num_failures``, ``sot/FPS``; as fractions, as the
      VOT reports give them (not percent). These scores are defined on the records of the
      *supervised* protocol (re-initialisation 5 frames after a failure): the metric asks the
      test / validation loop to run it through :attr:`tracking_protocol`, and
      ``SOTTestLoop`` / ``SOTValLoop`` do (see ``procontext_mm/engine/runner/sot_loops.py``);
      each frame then carries the metainfo ``vot_status`` and ``vot_gt_region``.
    * ``'vot2022'`` (VOT2022 short-term *box*, stack ``vot2022/shorttermbox``: the anchor-based
      multi-start ``baseline`` experiment, scored as ``vot-toolkit`` 0.7's
      ``multistart_eao_score`` / ``multistart_average_ar``, see
      :func:`~procontext_mm.evaluation.functional.vot.eval_vot_multistart`): ``sot/EAO``
      (over [115, 755]), ``sot/accuracy``, ``sot/robustness`` (fraction of the run frames
      tracked before failing), ``sot/FPS``; fractions. The loops run every run from every
      anchor of ``<seq>/anchor.value`` (:attr:`tracking_protocol` ``'multistart'``); each
      frame of a run carries ``vot_status``, ``vot_gt_region`` and ``vot_anchor`` (the run's
      anchor frame), ``vot_reverse`` (backward run), ``vot_num_runs`` (runs of its video).
      ``'vot2020'`` is refused: its short-term ground truth is segmentation masks, which
      :class:`~procontext_mm.datasets.VOTDataset` does not read.

    Per-frame inputs read from each ``DetDataSample``: metainfo ``frame_id`` (0-based),
    ``video_id``, ``video_name`` (default: ``str(video_id)``), ``ori_video_length``,
    optional ``track_time`` (seconds) and ``ori_shape`` ((H, W), used by the GOT-10k image
    bound); ``gt_instances.bboxes`` (1, 4) xyxy pixels, optional ``gt_instances.visible``
    (1,) bool (default visible); ``pred_track_instances.bboxes`` (1, 4) xyxy pixels.

    Args:
        benchmark (str): Protocol: ``'got10k'``, ``'lasot'``, ``'trackingnet'``, ``'otb'``,
            ``'vot2016'`` .. ``'vot2019'`` or ``'vot2022'``. Defaults to ``'got10k'``.
        format_only (bool): Only write the results (test splits without ground truth), do
            not score. Needs ``out_dir``. Defaults to False.
        out_dir (str, optional): If given, the raw results of every video are written
            there in the benchmark's layout (``<out_dir>/<benchmark>/...``, see
            :mod:`procontext_mm.evaluation.results_io`); with ``format_only`` also the
            test-server archive ``<out_dir>/<benchmark>_submission.zip`` (GOT-10k,
            TrackingNet); after scoring, the per-sequence report
            ``<out_dir>/<benchmark>_report.json``. VOT: the toolkit's raw results
            ``<out_dir>/<benchmark>/<seq>/<seq>_001.txt`` (records 1 / 2 / 0 or
            ``x,y,w,h``), with the times in ``<seq>_time.txt`` and ``<seq>_001_time.value``
            (``vot analysis`` reads them from a workspace's ``results/<tracker>/baseline``);
            VOT2022: one file per run, ``<seq>/<seq>_<anchor:08d>.txt`` and
            ``<seq>_<anchor:08d>_time.value``, as
            :func:`~procontext_mm.apis.run_vot_multistart_experiment` writes them.
            Defaults to None.
        metric_options (dict, optional): ``exclude_invisible`` (bool): score only frames
            whose ``visible`` flag is set (default True for GOT-10k, which must receive
            ``visible = cover > 0``; False for the OPE benchmarks, whose toolkits score
            absent frames too). ``save_vot_raw`` (bool): also write the one-pass boxes as
            VOT raw results under ``<out_dir>/vot`` (OPE / GOT-10k benchmarks; default
            False). VOT benchmarks take instead ``eao_interval`` ((low, high), default the
            year's, :data:`~procontext_mm.evaluation.functional.vot.EAO_INTERVALS`; small
            validation sets need a smaller one, since EAO is NaN when every segment is
            shorter than ``low``), ``burnin`` (10), ``sensitivity`` (30), and the protocol's
            ``skip_initialize`` (5), ``failure_overlap`` (0.0), ``bounded`` (True); VOT2022
            ``eao_interval`` ((115, 755)), ``threshold`` (0.1) and ``grace`` (10) of the
            failure rule, ``bounded`` (True).
        collect_device (str): ``'cpu'`` or ``'gpu'``, to gather results across ranks.
            Defaults to 'cpu'.
        prefix (str, optional): Key prefix. Defaults to ``'sot'``.

    Example:
        Validate on GOT-10k val every epoch and keep the best checkpoint by AO (the rule
        must be given: ``CheckpointHook`` cannot infer it from the name ``AO``)::

            val_evaluator = dict(type='SOTMetric', benchmark='got10k')
            default_hooks = dict(checkpoint=dict(
                type='CheckpointHook', interval=1, save_best='sot/AO', rule='greater'))
            test_evaluator = dict(type='SOTMetric', benchmark='trackingnet',
                                  format_only=True, out_dir='work_dirs/trackingnet_test')
    """
    default_prefix: Optional[str] = 'sot'
    VOT_BENCHMARKS = ('vot2016', 'vot2017', 'vot2018', 'vot2019')  # supervised experiment
    MULTISTART_BENCHMARKS = ('vot2022', )  # anchor-based experiment, boxes
    BENCHMARKS = ('got10k', 'lasot', 'trackingnet', 'otb') + VOT_BENCHMARKS + \
        MULTISTART_BENCHMARKS
    SUBMISSION_BENCHMARKS = ('got10k', 'trackingnet')

    def __init__(self,
                 benchmark: str = 'got10k',
                 format_only: bool = False,
                 out_dir: Optional[str] = None,
                 metric_options: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if benchmark == 'vot2020':
            raise ValueError(
                "SOTMetric: benchmark 'vot2020' is not supported: the VOT2020 short-term ground "
                'truth is segmentation masks, which VOTDataset does not read (it reads '
                "rectangles and polygons). Use benchmark='vot2022' for the VOT2022 short-term "
                'bounding-box challenge (vot2022/shorttermbox, the same multi-start protocol and '
                'scores), or for any sequences in the VOT layout whose groundtruth.txt holds '
                'boxes and that have an anchor.value.')
        if benchmark not in self.BENCHMARKS:
            raise ValueError(f'SOTMetric: unknown benchmark {benchmark!r}; expected one of '
                             f'{self.BENCHMARKS}.')
        if format_only and out_dir is None:
            raise ValueError('SOTMetric: format_only=True needs out_dir to write results to.')
        self.is_multistart = benchmark in self.MULTISTART_BENCHMARKS
        self.is_vot = benchmark in self.VOT_BENCHMARKS or self.is_multistart
        if self.is_multistart:
            options = dict(eao_interval=MULTISTART_EAO_INTERVAL, threshold=MULTISTART_THRESHOLD,
                           grace=MULTISTART_GRACE, bounded=True)
        elif self.is_vot:
            options = dict(eao_interval=EAO_INTERVALS[benchmark], burnin=VOT_BURNIN,
                           sensitivity=VOT_SENSITIVITY, skip_initialize=VOT_SKIP_INITIALIZE,
                           failure_overlap=0.0, bounded=True)
        else:
            options = dict(exclude_invisible=benchmark == 'got10k', save_vot_raw=False)
        unknown = set(metric_options or {}) - set(options)
        if unknown:
            raise ValueError(f'SOTMetric: unknown metric_options {sorted(unknown)} for '
                             f'benchmark {benchmark!r}; expected keys {sorted(options)}.')
        options.update(metric_options or {})
        if options.get('save_vot_raw') and out_dir is None:
            raise ValueError('SOTMetric: save_vot_raw=True needs out_dir.')
        self.benchmark = benchmark
        self.format_only = format_only
        self.out_dir = out_dir
        self.exclude_invisible = bool(options.get('exclude_invisible', False))
        self.save_vot_raw = bool(options.get('save_vot_raw', False))
        self.vot_options = options if self.is_vot else {}
        if self.is_vot:
            low, high = (int(v) for v in options['eao_interval'])
            if not 0 <= low <= high:
                raise ValueError(f'SOTMetric: metric_options eao_interval '
                                 f'{options["eao_interval"]}: expected 0 <= low <= high.')
        self._frames: Dict[Any, List[dict]] = defaultdict(list)

    @property
    def tracking_protocol(self) -> Optional[dict]:
        """The protocol the test / validation loop must run for this metric's scores.

        None (one pass from the first frame) except for the VOT benchmarks:
        ``dict(type='supervised', args=dict(skip_initialize, failure_overlap, bounded))``,
        the keyword arguments of :class:`~procontext_mm.evaluation.vot_protocol.SupervisedRun`
        (VOT2016 - VOT2019), or ``dict(type='multistart', args=dict())``
        (:class:`~procontext_mm.evaluation.vot_protocol.MultiStartRun`, VOT2022).
        """
        if not self.is_vot:
            return None
        if self.is_multistart:
            return dict(type='multistart', args=dict())
        return dict(type='supervised',
                    args={key: self.vot_options[key]
                          for key in ('skip_initialize', 'failure_overlap', 'bounded')})

    # ------------------------------------------------------------------ collection
    def process_image(self, data_samples: Sequence, ori_video_len: int) -> None:
        """Collect frames delivered one (or a few) at a time (the SOT test loop)."""
        for frame_sample in data_samples:
            self._add_frame(frame_sample)

    def process_video(self, data_samples: Sequence) -> None:
        """Collect a whole video delivered at once."""
        self.process_image(data_samples, len(data_samples))

    def evaluate(self, size: int = 1) -> dict:
        """Pack still-open videos into ``self.results``, then gather and score them."""
        for video_id in list(self._frames):
            self.results.append(self._pack(self._frames.pop(video_id)))
        return super().evaluate(size)

    def _add_frame(self, frame_sample) -> None:
        frame = dict(frame_id=int(_field(frame_sample, 'frame_id')),
                     video_id=_field(frame_sample, 'video_id'),
                     video_length=int(_field(frame_sample, 'ori_video_length')),
                     time=float(_field(frame_sample, 'track_time', np.nan)),
                     pred_bbox_xyxy=_to_numpy(
                         _field(_field(frame_sample, 'pred_track_instances'), 'bboxes')).reshape(4))
        frame['video_name'] = str(_field(frame_sample, 'video_name', frame['video_id']))
        ori_shape = _field(frame_sample, 'ori_shape', None)
        frame['image_size_wh'] = None if ori_shape is None else (ori_shape[1], ori_shape[0])
        gt_instances = _field(frame_sample, 'gt_instances', None)
        gt_bboxes = None if gt_instances is None else _field(gt_instances, 'bboxes', None)
        has_gt = gt_bboxes is not None and _to_numpy(gt_bboxes).size == 4
        frame['gt_bbox_xyxy'] = (_to_numpy(gt_bboxes).reshape(4) if has_gt else np.full(4, np.nan))
        visible = None if gt_instances is None else _field(gt_instances, 'visible', None)
        frame['visible'] = True if visible is None else bool(_to_numpy(visible).reshape(-1)[0])
        frame['has_gt'] = has_gt
        frame['vot_status'] = int(_field(frame_sample, 'vot_status', _NO_VOT_STATUS))
        if self.is_vot and frame['vot_status'] == _NO_VOT_STATUS:  # fail before a long run
            raise ValueError(self._no_protocol_message(frame['frame_id'], frame['video_name']))
        region = _field(frame_sample, 'vot_gt_region', None)
        frame['vot_gt_region'] = (np.zeros(0) if region is None else
                                  _to_numpy(region).reshape(-1))
        key, length = frame['video_id'], frame['video_length']
        if self.is_multistart:  # a frame of one run; a video's frames come once per run
            anchor = _field(frame_sample, 'vot_anchor', None)
            if anchor is None:
                raise ValueError(self._no_protocol_message(frame['frame_id'],
                                                           frame['video_name']))
            frame['vot_anchor'] = int(anchor)
            frame['vot_reverse'] = bool(_field(frame_sample, 'vot_reverse'))
            frame['vot_num_runs'] = int(_field(frame_sample, 'vot_num_runs'))
            key = (key, frame['vot_anchor'])
            length = len(multistart_run_frames(frame['vot_anchor'], frame['vot_reverse'],
                                               length))

        video_frames = self._frames[key]
        video_frames.append(frame)
        if len(video_frames) >= length:
            self.results.append(self._pack(self._frames.pop(key)))

    @staticmethod
    def _pack(frames: List[dict]) -> dict:
        """Frames of (part of) one video, or of one multi-start run -> one compact, picklable
        entry of arrays."""
        first = frames[0]
        return dict(vot_anchor=first.get('vot_anchor'),
                    vot_reverse=first.get('vot_reverse'),
                    vot_num_runs=first.get('vot_num_runs'),
                    video_id=first['video_id'],
                    video_name=first['video_name'],
                    video_length=first['video_length'],
                    image_size_wh=first['image_size_wh'],
                    frame_ids=np.array([f['frame_id'] for f in frames], dtype=np.int64),
                    pred_bboxes_xyxy=np.stack([f['pred_bbox_xyxy'] for f in frames]),
                    gt_bboxes_xyxy=np.stack([f['gt_bbox_xyxy'] for f in frames]),
                    has_gt=np.array([f['has_gt'] for f in frames], dtype=bool),
                    visible=np.array([f['visible'] for f in frames], dtype=bool),
                    times=np.array([f['time'] for f in frames], dtype=np.float64),
                    vot_status=np.array([f['vot_status'] for f in frames], dtype=np.int8),
                    vot_gt_regions=_pad_regions([f['vot_gt_region'] for f in frames]))

    # ------------------------------------------------------------------ scoring
    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Merge the gathered entries per video and score the benchmark.

        Args:
            results (list[dict]): Entries made by ``_pack`` on all ranks.

        Returns:
            dict: Metric name (without prefix) -> value in percent (``FPS`` in frames / s);
            empty with ``format_only``.
        """
        logger = MMLogger.get_current_instance()
        if self.is_multistart:
            return self._score_vot_multistart(_merge_multistart_runs(results), logger)
        videos = _merge_videos(results)
        for video in videos:
            video['pred_bboxes_xywh'] = bbox_xyxy_to_xywh(video['pred_bboxes_xyxy'])
            video['gt_bboxes_xywh'] = bbox_xyxy_to_xywh(video['gt_bboxes_xyxy'])
            has_time = np.isfinite(video['times']).any()
            video['times'] = video['times'] if has_time else None
        if self.is_vot:
            return self._score_vot(videos, logger)
        if self.out_dir is not None:
            self._write_results(videos, logger)
        if self.format_only:
            return {}

        for video in videos:
            if not video['has_gt'].all():
                frame = int(np.flatnonzero(~video['has_gt'])[0])
                raise ValueError(f'SOTMetric: video {video["video_name"]} has no ground-truth '
                                 f'box on frame {frame}; use format_only=True for test splits.')
        names = [video['video_name'] for video in videos]
        preds = [video['pred_bboxes_xywh'] for video in videos]
        gts = [video['gt_bboxes_xywh'] for video in videos]
        times = [video['times'] for video in videos]
        valid = [
            video['visible'] if self.exclude_invisible else np.ones_like(video['visible'])
            for video in videos
        ]
        if self.benchmark == 'got10k':
            sizes = [video['image_size_wh'] for video in videos]
            if any(size is None for size in sizes):
                logger.warning('SOTMetric: frames carry no ori_shape, so the GOT-10k image '
                               'bound is skipped for some videos (not the official protocol).')
            report = eval_got10k(preds, gts, valid, sizes, times, names)
            metrics = dict(AO=report['ao'], **{'SR0.5': report['sr50'], 'SR0.75': report['sr75']})
        else:
            report = eval_ope(preds, gts, self.benchmark, valid, times, names)
            metrics = dict(success=report['success'],
                           precision=report['precision'],
                           norm_precision=report['norm_precision'])
        metrics = {key: 100.0 * value for key, value in metrics.items()}
        return self._report_metrics(metrics, report['fps'], report, logger,
                                    f'{len(videos)} videos', decimals=2)

    def _no_protocol_message(self, frame_id: int, video_name: str) -> str:
        if self.is_multistart:
            what = ('vot_status / vot_anchor: VOT2022 scores are defined on the multi-start '
                    'protocol (runs from every anchor frame, forwards and backwards)')
        else:
            what = ('vot_status: VOT scores are defined on the supervised protocol '
                    '(re-initialisation after failures)')
        return (f'SOTMetric ({self.benchmark}): frame {frame_id} of video {video_name} carries '
                f'no metainfo {what}, which SOTTestLoop / SOTValLoop run for '
                "this metric; set test_cfg=dict(type='SOTTestLoop') (val_cfg="
                "dict(type='SOTValLoop')).")

    def _score_vot(self, videos: List[dict], logger: MMLogger) -> Dict[str, float]:
        """Write the supervised runs' raw records and score them (VOT benchmarks)."""
        names, runs, gts, sizes, times = [], [], [], [], []
        for video in videos:
            name = video['video_name']
            status = video['vot_status']
            if (status == _NO_VOT_STATUS).any():
                frame = int(np.flatnonzero(status == _NO_VOT_STATUS)[0])
                raise ValueError(self._no_protocol_message(frame, name))
            records = [int(code) if code != VOT_TRACKED else box
                       for code, box in zip(status.tolist(), video['pred_bboxes_xywh'])]
            regions = [row[:size] for row, size in zip(*video['vot_gt_regions'])]
            if any(len(region) == 0 for region in regions):
                raise ValueError(f'SOTMetric ({self.benchmark}): video {name} has frames '
                                 'without metainfo vot_gt_region.')
            names.append(name)
            runs.append(records)
            gts.append(regions)
            sizes.append(video['image_size_wh'] if self.vot_options['bounded'] else None)
            times.append(video['times'])
        if self.out_dir is not None:
            raw_dir = osp.join(self.out_dir, self.benchmark)
            for name, records, video_times in zip(names, runs, times):
                write_vot_results(raw_dir, name, records, video_times)
            logger.info(f'SOTMetric: raw VOT records of {len(names)} videos written to '
                        f'{raw_dir}')
        if self.format_only:
            return {}
        if self.vot_options['bounded'] and any(size is None for size in sizes):
            raise ValueError('SOTMetric: frames carry no ori_shape, which the bounded VOT '
                             "overlap needs (or set metric_options=dict(bounded=False)).")
        options = self.vot_options
        report = eval_vot(runs, gts, sizes, names, burnin=options['burnin'],
                          sensitivity=options['sensitivity'],
                          eao_interval=options['eao_interval'])
        if not np.isfinite(report['eao']):
            logger.warning(f'SOTMetric: EAO is NaN: every segment is shorter than the EAO '
                           f'interval {tuple(options["eao_interval"])}; give a smaller '
                           'metric_options eao_interval for short sequences.')
        metrics = dict(EAO=report['eao'],
                       accuracy=report['accuracy'],
                       robustness=report['robustness'],
                       failure_rate=report['failure_rate'],
                       num_failures=report['num_failures'])
        fps = ope_fps([t if np.isfinite(t).any() else None for t in times])
        return self._report_metrics(metrics, fps, report, logger, f'{len(videos)} videos',
                                    decimals=4)

    def _score_vot_multistart(self, videos: List[dict], logger: MMLogger) -> Dict[str, float]:
        """Write the multi-start runs' raw records and score them (VOT2022)."""
        names = [video['video_name'] for video in videos]
        if self.out_dir is not None:
            raw_dir = osp.join(self.out_dir, self.benchmark)
            for video in videos:
                for anchor, records in video['runs'].items():
                    write_vot_results(raw_dir, video['video_name'], records,
                                      video['times'][anchor], run_id=f'{anchor:08d}')
            logger.info(f'SOTMetric: raw multi-start records of {len(videos)} videos written to '
                        f'{raw_dir}')
        if self.format_only:
            return {}
        options = self.vot_options
        sizes = [video['image_size_wh'] if options['bounded'] else None for video in videos]
        if options['bounded'] and any(size is None for size in sizes):
            raise ValueError('SOTMetric: frames carry no ori_shape, which the bounded VOT '
                             "overlap needs (or set metric_options=dict(bounded=False)).")
        report = eval_vot_multistart([video['runs'] for video in videos],
                                     [video['gt_regions'] for video in videos],
                                     [video['anchor_values'] for video in videos], sizes, names,
                                     threshold=options['threshold'], grace=options['grace'],
                                     eao_interval=options['eao_interval'])
        metrics = dict(EAO=report['eao'], accuracy=report['accuracy'],
                       robustness=report['robustness'])
        times = [np.concatenate(list(video['times'].values())) for video in videos]
        fps = ope_fps([t if np.isfinite(t).any() else None for t in times])
        num_runs = sum(len(video['runs']) for video in videos)
        return self._report_metrics(metrics, fps, report, logger,
                                    f'{len(videos)} videos, {num_runs} runs', decimals=4)

    def _report_metrics(self, metrics: Dict[str, float], fps: Optional[float], report: dict,
                        logger: MMLogger, scored: str, decimals: int) -> Dict[str, float]:
        """The scoring methods' common end: add ``FPS`` (when the frames were timed), log the
        metrics as ``SOTMetric (<benchmark>, <scored>): key value, ...`` with ``decimals``
        decimals and write ``report`` to ``<out_dir>/<benchmark>_report.json`` when
        ``out_dir`` is set (NaN / inf as null).

        Returns:
            dict: ``metrics`` with ``FPS`` added.
        """
        if fps is not None:
            metrics['FPS'] = fps
        logger.info(f'SOTMetric ({self.benchmark}, {scored}): ' +
                    ', '.join(f'{key} {value:.{decimals}f}' for key, value in metrics.items()))
        if self.out_dir is not None:
            report_path = osp.join(self.out_dir, f'{self.benchmark}_report.json')
            put_text(json.dumps(_jsonable(report), indent=2), report_path)
            logger.info(f'SOTMetric: per-sequence report written to {report_path}')
        return metrics

    def _write_results(self, videos: List[dict], logger: MMLogger) -> None:
        raw_dir = osp.join(self.out_dir, self.benchmark)
        for video in videos:
            write_tracking_results(raw_dir, video['video_name'], video['pred_bboxes_xywh'],
                                   self.benchmark, video['times'])
            if self.save_vot_raw:
                write_tracking_results(osp.join(self.out_dir, 'vot'), video['video_name'],
                                       video['pred_bboxes_xywh'], 'vot', video['times'])
        logger.info(f'SOTMetric: raw results of {len(videos)} videos written to {raw_dir}')
        if not self.format_only or self.benchmark not in self.SUBMISSION_BENCHMARKS:
            return
        zip_path = osp.join(self.out_dir, f'{self.benchmark}_submission.zip')
        bboxes = {video['video_name']: video['pred_bboxes_xywh'] for video in videos}
        if self.benchmark == 'got10k':
            make_got10k_submission(zip_path, bboxes,
                                   {video['video_name']: video['times']
                                    for video in videos})
        else:
            make_trackingnet_submission(zip_path, bboxes)
        logger.info(f'SOTMetric: submission archive written to {zip_path}')


def _merge_videos(results: List[dict]) -> List[dict]:
    """Join the entries of each video (possibly split across ranks), sorted by video_id.

    Frames are sorted by ``frame_id`` and de-duplicated; every frame 0..L-1 must be present.
    """
    parts = defaultdict(list)
    for entry in results:
        parts[entry['video_id']].append(entry)
    if not parts:
        raise ValueError('SOTMetric: no frame was processed.')
    videos, names = [], {}
    for video_id in sorted(parts):
        entries = parts[video_id]
        video = {key: entries[0][key] for key in ('video_id', 'video_name', 'video_length')}
        video['image_size_wh'] = next(
            (e['image_size_wh'] for e in entries if e['image_size_wh'] is not None), None)
        frame_ids = np.concatenate([e['frame_ids'] for e in entries])
        frame_ids, first = np.unique(frame_ids, return_index=True)
        expected = np.arange(video['video_length'])
        if not np.array_equal(frame_ids, expected):
            missing = np.setdiff1d(expected, frame_ids)
            extra = np.setdiff1d(frame_ids, expected)
            raise ValueError(f'SOTMetric: video {video["video_name"]} (id {video_id}) has '
                             f'{video["video_length"]} frames but frames '
                             f'{missing[:10].tolist()} are missing'
                             f'{f" and {extra[:10].tolist()} out of range" if len(extra) else ""}'
                             '; evaluate every frame of every video.')
        for key in ('pred_bboxes_xyxy', 'gt_bboxes_xyxy', 'has_gt', 'visible', 'times',
                    'vot_status'):
            video[key] = np.concatenate([e[key] for e in entries])[first]
        video['vot_gt_regions'] = tuple(
            np.concatenate([e['vot_gt_regions'][k] for e in entries])[first] for k in range(2))
        if video['video_name'] in names:
            raise ValueError(f'SOTMetric: videos {names[video["video_name"]]} and {video_id} '
                             f'share the name {video["video_name"]!r}.')
        names[video['video_name']] = video_id
        videos.append(video)
    return videos


def _merge_multistart_runs(results: List[dict]) -> List[dict]:
    """Join the entries of each multi-start run (possibly split across ranks) and group the
    runs by video, sorted by video_id.

    Every run must hold each of its frames (:func:`multistart_run_frames`), its first frame
    must be the initialisation, and a video must have all its ``vot_num_runs`` runs.

    Returns:
        list[dict]: per video ``video_id``, ``video_name``, ``image_size_wh``, ``runs``
        (anchor -> records in run order: 1, then (4,) float64 ``x, y, w, h``), ``times``
        (anchor -> (M,) float64 seconds), ``gt_regions`` (L regions; NaN (4,) on frames no run
        visits), ``anchor_values`` ((L,) float64: +1 / -1 on the forward / backward anchors,
        which is what the scores read of ``anchor.value``).
    """
    parts = defaultdict(list)
    for entry in results:
        parts[(entry['video_id'], entry['vot_anchor'])].append(entry)
    if not parts:
        raise ValueError('SOTMetric: no frame was processed.')
    videos: Dict[Any, dict] = {}
    for (video_id, anchor), entries in sorted(parts.items()):
        first = entries[0]
        name, length, reverse = first['video_name'], first['video_length'], first['vot_reverse']
        video = videos.setdefault(video_id, dict(
            video_id=video_id, video_name=name, image_size_wh=None,
            num_runs=first['vot_num_runs'], runs={}, times={},
            gt_regions=[np.full(4, np.nan)] * length, anchor_values=np.zeros(length)))
        video['image_size_wh'] = video['image_size_wh'] or next(
            (e['image_size_wh'] for e in entries if e['image_size_wh'] is not None), None)
        expected = multistart_run_frames(anchor, reverse, length)
        frame_ids, first_index = np.unique(np.concatenate([e['frame_ids'] for e in entries]),
                                           return_index=True)
        if not np.array_equal(frame_ids, np.sort(expected)):
            missing = np.setdiff1d(expected, frame_ids)
            raise ValueError(f'SOTMetric: the {"backward" if reverse else "forward"} multi-start '
                             f'run of video {name} from anchor frame {anchor} has '
                             f'{len(expected)} frames but frames {missing[:10].tolist()} are '
                             'missing; run every frame of every run.')
        order = first_index[::-1] if reverse else first_index  # run order
        status = np.concatenate([e['vot_status'] for e in entries])[order]
        boxes = bbox_xyxy_to_xywh(np.concatenate([e['pred_bboxes_xyxy'] for e in entries])[order])
        if status[0] != VOT_INIT or (status[1:] != VOT_TRACKED).any():
            raise ValueError(f'SOTMetric: the multi-start run of video {name} from anchor frame '
                             f'{anchor} was not initialised on its anchor and tracked after.')
        video['runs'][anchor] = [VOT_INIT] + list(boxes[1:])
        video['times'][anchor] = np.concatenate([e['times'] for e in entries])[order]
        padded, sizes = (np.concatenate([e['vot_gt_regions'][k] for e in entries])[order]
                         for k in range(2))
        for frame_id, row, size in zip(expected, padded, sizes):
            video['gt_regions'][frame_id] = row[:size]
        video['anchor_values'][anchor] = -1.0 if reverse else 1.0
    names = {}
    for video_id, video in videos.items():
        if len(video['runs']) != video['num_runs']:
            raise ValueError(f'SOTMetric: video {video["video_name"]} has {video["num_runs"]} '
                             f'multi-start runs but only the runs from anchor frames '
                             f'{sorted(video["runs"])} were processed.')
        if video['video_name'] in names:
            raise ValueError(f'SOTMetric: videos {names[video["video_name"]]} and {video_id} '
                             f'share the name {video["video_name"]!r}.')
        names[video['video_name']] = video_id
    return [videos[video_id] for video_id in sorted(videos)]


def _pad_regions(regions: List[np.ndarray]):
    """Regions of 0..8 values -> ((L, 8) float64 NaN-padded, (L,) int8 sizes), picklable."""
    if any(len(region) > 8 for region in regions):
        raise ValueError('SOTMetric: VOT regions of more than 4 points are not supported.')
    padded = np.full((len(regions), 8), np.nan)
    for row, region in enumerate(regions):
        padded[row, :len(region)] = region
    return padded, np.array([len(region) for region in regions], dtype=np.int8)


def _field(obj, key: str, default=_MISSING):
    """``obj[key]`` for a dict (``to_dict()`` output), ``obj.key`` for a data element."""
    if isinstance(obj, Mapping):
        value = obj.get(key, default)
    else:
        value = getattr(obj, key, default)
    if value is _MISSING:
        raise KeyError(f'SOTMetric: data sample has no field {key!r}; see docs/data_flow.md.')
    return value


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    return value
