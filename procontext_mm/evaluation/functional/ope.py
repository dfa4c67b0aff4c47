"""One-pass evaluation (OPE): success, precision and normalised precision.

Conventions (those of the ``got10k`` toolkit's ``ExperimentOTB`` / ``ExperimentLaSOT`` /
``ExperimentTrackingNet``, which the numbers here reproduce):

* **First frame.** The prediction of frame 0 is replaced by the ground truth before scoring
  (the tracker was initialised with it), and frame 0 *is* scored: it counts as a success
  (IoU 1, error 0) unless its ground truth is degenerate.
* **Excluded frames.** ``lasot``: rows whose ground truth contains NaN are dropped. ``otb`` and
  ``trackingnet``: no frame is dropped (a NaN ground truth would count as a miss at every
  threshold; their annotations have none). Frames where the target is absent but annotated
  (LaSOT writes ``0,0,0,0``) are scored like any other frame, as the toolkit does; pass
  ``valid`` to drop more frames (e.g. invisible ones, the pytracking way).
* **Thresholds.** Success: IoU thresholds ``np.linspace(0, 1, 21)`` with a *strict*
  comparison ``IoU > t``. Precision: centre-error thresholds ``0, 1, ..., 50`` pixels with
  ``error <= t``. Normalised precision: thresholds ``np.linspace(0, 0.5, 51)`` with
  ``error <= t`` (centre offset divided by the ground-truth size, see
  :func:`normalized_center_error_xywh`).
* **Scores.** ``success`` = mean of the 21-point success curve (the "AUC");
  ``precision`` = precision curve at 20 px; ``norm_precision`` = mean of the 51-point
  normalised precision curve (the AUC over [0, 0.5], TrackingNet's N-PRE, as the toolkit's
  LaSOT experiment computes it; the toolkit's OTB / TrackingNet experiments do not report it).
  ``success_rate`` = success curve at IoU 0.5.
* **Averaging.** Curves are computed per sequence over its scored frames, then *averaged over
  sequences* (every sequence weighs the same, whatever its length), then scored.
* **Speed.** Per sequence, ``mean(1 / t)`` over the frame times ``t > 0``; overall, the mean of
  the per-sequence speeds over sequences that have one.

All returned values are fractions in [0, 1] (speeds in frames per second).
"""
from typing import Dict, Optional, Sequence

import numpy as np

from .boxes import bbox_iou_xywh, center_error_xywh, normalized_center_error_xywh
from .inputs import check_per_sequence_args, check_sequence_xywh

#: IoU thresholds of the OPE success curve (``IoU > t``).
OPE_IOU_THRESHOLDS = np.linspace(0, 1, 21)
#: Centre-error thresholds in pixels of the precision curve (``error <= t``).
OPE_CENTER_THRESHOLDS_PX = np.arange(0, 51)
#: Normalised centre-error thresholds of the normalised precision curve (``error <= t``).
OPE_NORM_CENTER_THRESHOLDS = np.linspace(0, 0.5, 51)
#: Centre-error threshold (pixels) of the precision score.
PRECISION_THRESHOLD_PX = 20

#: Whether rows with a NaN ground truth are dropped, per OPE benchmark.
OPE_EXCLUDES_NAN_GT = dict(otb=False, lasot=True, trackingnet=False)


def success_curve(ious: np.ndarray, thresholds: np.ndarray = OPE_IOU_THRESHOLDS) -> np.ndarray:
    """Fraction of frames with ``IoU > t`` (strict) for each threshold ``t``.

    Args:
        ious (np.ndarray): (N,) IoU of the scored frames, N > 0. NaN counts as a miss.
        thresholds (np.ndarray): (T,) IoU thresholds. Defaults to :data:`OPE_IOU_THRESHOLDS`.

    Returns:
        np.ndarray: (T,) success rates in [0, 1].
    """
    ious = np.asarray(ious, dtype=np.float64).reshape(-1, 1)
    assert len(ious) > 0, 'success_curve needs at least one frame'
    return np.mean(ious > np.asarray(thresholds)[None, :], axis=0)


def precision_curve(errors: np.ndarray,
                    thresholds: np.ndarray = OPE_CENTER_THRESHOLDS_PX) -> np.ndarray:
    """Fraction of frames with ``error <= t`` (non-strict) for each threshold ``t``.

    Args:
        errors (np.ndarray): (N,) centre errors of the scored frames, N > 0. NaN is a miss.
        thresholds (np.ndarray): (T,) thresholds, same unit as ``errors``. Defaults to
            :data:`OPE_CENTER_THRESHOLDS_PX`.

    Returns:
        np.ndarray: (T,) precisions in [0, 1].
    """
    errors = np.asarray(errors, dtype=np.float64).reshape(-1, 1)
    assert len(errors) > 0, 'precision_curve needs at least one frame'
    return np.mean(errors <= np.asarray(thresholds)[None, :], axis=0)


def ope_sequence_curves(pred_bboxes_xywh: np.ndarray,
                        gt_bboxes_xywh: np.ndarray,
                        valid: Optional[np.ndarray] = None,
                        exclude_nan_gt: bool = True,
                        seq_name: str = '?') -> Dict[str, np.ndarray]:
    """OPE curves of one sequence.

    Args:
        pred_bboxes_xywh (np.ndarray): (L, 4) predictions, pixels. Row 0 is ignored (replaced
            by the ground truth).
        gt_bboxes_xywh (np.ndarray): (L, 4) ground truth, pixels; NaN rows allowed.
        valid (np.ndarray, optional): (L,) bool, frames to score. Defaults to all frames.
        exclude_nan_gt (bool): Drop frames whose ground truth contains NaN (LaSOT).
        seq_name (str): Sequence name for error messages.

    Returns:
        dict: ``success_curve`` (21,), ``precision_curve`` (51,), ``norm_precision_curve``
        (51,) and ``num_frames`` (int), the number of scored frames.

    Raises:
        ValueError: On shape mismatch, a non-finite prediction, or no frame to score.
    """
    pred, gt, valid = check_sequence_xywh(pred_bboxes_xywh, gt_bboxes_xywh, valid, seq_name)
    if pred.shape[0] != 1:
        raise ValueError(f'Sequence {seq_name}: OPE scores one run, got {pred.shape[0]}.')
    pred = pred[0].copy()
    pred[0] = gt[0]
    if exclude_nan_gt:
        valid = valid & ~np.isnan(gt).any(axis=1)
    if not valid.any():
        raise ValueError(f'Sequence {seq_name}: no frame to score (every frame is excluded '
                         'or has no ground-truth box).')
    pred, gt = pred[valid], gt[valid]
    return dict(success_curve=success_curve(bbox_iou_xywh(pred, gt)),
                precision_curve=precision_curve(center_error_xywh(pred, gt)),
                norm_precision_curve=precision_curve(normalized_center_error_xywh(pred, gt),
                                                     OPE_NORM_CENTER_THRESHOLDS),
                num_frames=int(valid.sum()))


def ope_scores(curves: Dict[str, np.ndarray]) -> Dict[str, float]:
    """Scalar scores of (sequence or averaged) OPE curves.

    Args:
        curves (dict): ``success_curve``, ``precision_curve``, ``norm_precision_curve`` on
            the default threshold grids.

    Returns:
        dict: ``success`` (curve mean), ``precision`` (at 20 px), ``norm_precision`` (curve
        mean), ``success_rate`` (at IoU 0.5), fractions in [0, 1].
    """
    return dict(success=float(np.mean(curves['success_curve'])),
                precision=float(curves['precision_curve'][PRECISION_THRESHOLD_PX]),
                norm_precision=float(np.mean(curves['norm_precision_curve'])),
                success_rate=float(curves['success_curve'][len(OPE_IOU_THRESHOLDS) // 2]))


def ope_fps(times: Sequence[Optional[np.ndarray]]) -> Optional[float]:
    """Average speed: per-sequence ``mean(1 / t)`` over ``t > 0``, averaged over sequences.

    Args:
        times (Sequence[np.ndarray | None]): per sequence, frame times in seconds (any shape;
            NaN and non-positive values are ignored), or None when unknown.

    Returns:
        float | None: frames per second, or None if no sequence has a positive time.
    """
    speeds = [fps_from_times(t) for t in times]
    speeds = [s for s in speeds if s is not None]
    return float(np.mean(speeds)) if speeds else None


def fps_from_times(times: Optional[np.ndarray]) -> Optional[float]:
    """Speed ``mean(1 / t)`` over the frame times ``t > 0`` (NaN and zeros are ignored).

    Args:
        times (np.ndarray | None): frame times in seconds, any shape, or None.

    Returns:
        float | None: frames per second, or None without a positive time.
    """
    if times is None:
        return None
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    times = times[times > 0]  # NaN > 0 is False: NaN times are dropped too
    return float(np.mean(1.0 / times)) if len(times) else None


def eval_ope(pred_bboxes_xywh: Sequence[np.ndarray],
             gt_bboxes_xywh: Sequence[np.ndarray],
             benchmark: str = 'lasot',
             valid: Optional[Sequence[np.ndarray]] = None,
             times: Optional[Sequence[Optional[np.ndarray]]] = None,
             seq_names: Optional[Sequence[str]] = None) -> dict:
    """OPE evaluation of a tracker over a set of sequences (see the module docstring).

    Args:
        pred_bboxes_xywh (Sequence[np.ndarray]): per sequence, (L_i, 4) predictions, pixels.
        gt_bboxes_xywh (Sequence[np.ndarray]): per sequence, (L_i, 4) ground truth, pixels.
        benchmark (str): ``'otb'``, ``'lasot'`` or ``'trackingnet'``: selects whether NaN
            ground-truth rows are dropped (:data:`OPE_EXCLUDES_NAN_GT`). Defaults to 'lasot'.
        valid (Sequence[np.ndarray], optional): per sequence, (L_i,) bool, frames to score.
            Defaults to all frames.
        times (Sequence[np.ndarray | None], optional): per sequence, frame times in seconds.
        seq_names (Sequence[str], optional): sequence names for the report and errors.

    Returns:
        dict: ``success``, ``precision``, ``norm_precision``, ``success_rate`` (fractions),
        ``fps`` (float or None), the averaged curves ``success_curve`` (21,),
        ``precision_curve`` (51,), ``norm_precision_curve`` (51,), and ``seq_wise``: a dict
        sequence name -> its scores, curves and ``num_frames``.

    Raises:
        ValueError: On an unknown benchmark, inconsistent inputs, or an unscorable sequence.
    """
    if benchmark not in OPE_EXCLUDES_NAN_GT:
        raise ValueError(f'Unknown OPE benchmark {benchmark!r}; expected one of '
                         f'{sorted(OPE_EXCLUDES_NAN_GT)}.')
    seq_names, valid, times = check_per_sequence_args(len(gt_bboxes_xywh), pred_bboxes_xywh,
                                                      seq_names, valid, times)
    seq_wise = {}
    for name, pred, gt, seq_valid, seq_times in zip(seq_names, pred_bboxes_xywh, gt_bboxes_xywh,
                                                    valid, times):
        curves = ope_sequence_curves(pred, gt, seq_valid, OPE_EXCLUDES_NAN_GT[benchmark], name)
        seq_wise[name] = dict(**ope_scores(curves), **curves, fps=ope_fps([seq_times]))
    mean_curves = {
        key: np.mean([seq[key] for seq in seq_wise.values()], axis=0)
        for key in ('success_curve', 'precision_curve', 'norm_precision_curve')
    }
    return dict(**ope_scores(mean_curves), **mean_curves, fps=ope_fps(times), seq_wise=seq_wise)
