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
from ..functional import eval_got10k, eval_ope
from ..results_io import make_got10k_submission, make_trackingnet_submission, write_tracking_results

_MISSING = object()


@METRICS.register_module()
class SOTMetric(BaseVideoMetric):
    """Single-object-tracking metric: GOT-10k AO / SR, or OPE success / precision.

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

    Per-frame inputs read from each ``DetDataSample``: metainfo ``frame_id`` (0-based),
    ``video_id``, ``video_name`` (default: ``str(video_id)``), ``ori_video_length``,
    optional ``track_time`` (seconds) and ``ori_shape`` ((H, W), used by the GOT-10k image
    bound); ``gt_instances.bboxes`` (1, 4) xyxy pixels, optional ``gt_instances.visible``
    (1,) bool (default visible); ``pred_track_instances.bboxes`` (1, 4) xyxy pixels.

    Args:
        benchmark (str): Protocol: ``'got10k'``, ``'lasot'``, ``'trackingnet'`` or
            ``'otb'``. Defaults to ``'got10k'``.
        format_only (bool): Only write the results (test splits without ground truth), do
            not score. Needs ``out_dir``. Defaults to False.
        out_dir (str, optional): If given, the raw results of every video are written
            there in the benchmark's layout (``<out_dir>/<benchmark>/...``, see
            :mod:`procontext_mm.evaluation.results_io`); with ``format_only`` also the
            test-server archive ``<out_dir>/<benchmark>_submission.zip`` (GOT-10k,
            TrackingNet); after scoring, the per-sequence report
            ``<out_dir>/<benchmark>_report.json``. Defaults to None.
        metric_options (dict, optional): ``exclude_invisible`` (bool): score only frames
            whose ``visible`` flag is set (default True for GOT-10k, which must receive
            ``visible = cover > 0``; False for the OPE benchmarks, whose toolkits score
            absent frames too). ``save_vot_raw`` (bool): also write VOT raw results under
            ``<out_dir>/vot`` (default False).
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
    BENCHMARKS = ('got10k', 'lasot', 'trackingnet', 'otb')
    SUBMISSION_BENCHMARKS = ('got10k', 'trackingnet')

    def __init__(self,
                 benchmark: str = 'got10k',
                 format_only: bool = False,
                 out_dir: Optional[str] = None,
                 metric_options: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if benchmark not in self.BENCHMARKS:
            raise ValueError(f'SOTMetric: unknown benchmark {benchmark!r}; expected one of '
                             f'{self.BENCHMARKS}.')
        if format_only and out_dir is None:
            raise ValueError('SOTMetric: format_only=True needs out_dir to write results to.')
        options = dict(exclude_invisible=benchmark == 'got10k', save_vot_raw=False)
        unknown = set(metric_options or {}) - set(options)
        if unknown:
            raise ValueError(f'SOTMetric: unknown metric_options {sorted(unknown)}; '
                             f'expected keys {sorted(options)}.')
        options.update(metric_options or {})
        if options['save_vot_raw'] and out_dir is None:
            raise ValueError('SOTMetric: save_vot_raw=True needs out_dir.')
        self.benchmark = benchmark
        self.format_only = format_only
        self.out_dir = out_dir
        self.exclude_invisible = bool(options['exclude_invisible'])
        self.save_vot_raw = bool(options['save_vot_raw'])
        self._frames: Dict[Any, List[dict]] = defaultdict(list)

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

        video_frames = self._frames[frame['video_id']]
        video_frames.append(frame)
        if len(video_frames) >= frame['video_length']:
            self.results.append(self._pack(self._frames.pop(frame['video_id'])))

    @staticmethod
    def _pack(frames: List[dict]) -> dict:
        """Frames of (part of) one video -> one compact, picklable entry of arrays."""
        first = frames[0]
        return dict(video_id=first['video_id'],
                    video_name=first['video_name'],
                    video_length=first['video_length'],
                    image_size_wh=first['image_size_wh'],
                    frame_ids=np.array([f['frame_id'] for f in frames], dtype=np.int64),
                    pred_bboxes_xyxy=np.stack([f['pred_bbox_xyxy'] for f in frames]),
                    gt_bboxes_xyxy=np.stack([f['gt_bbox_xyxy'] for f in frames]),
                    has_gt=np.array([f['has_gt'] for f in frames], dtype=bool),
                    visible=np.array([f['visible'] for f in frames], dtype=bool),
                    times=np.array([f['time'] for f in frames], dtype=np.float64))

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
        videos = _merge_videos(results)
        for video in videos:
            video['pred_bboxes_xywh'] = bbox_xyxy_to_xywh(video['pred_bboxes_xyxy'])
            video['gt_bboxes_xywh'] = bbox_xyxy_to_xywh(video['gt_bboxes_xyxy'])
            has_time = np.isfinite(video['times']).any()
            video['times'] = video['times'] if has_time else None
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
        if report['fps'] is not None:
            metrics['FPS'] = report['fps']
        logger.info(f'SOTMetric ({self.benchmark}, {len(videos)} videos): ' +
                    ', '.join(f'{key} {value:.2f}' for key, value in metrics.items()))
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
        for key in ('pred_bboxes_xyxy', 'gt_bboxes_xyxy', 'has_gt', 'visible', 'times'):
            video[key] = np.concatenate([e[key] for e in entries])[first]
        if video['video_name'] in names:
            raise ValueError(f'SOTMetric: videos {names[video["video_name"]]} and {video_id} '
                             f'share the name {video["video_name"]!r}.')
        names[video['video_name']] = video_id
        videos.append(video)
    return videos


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
