"""GOT-10k protocol: average overlap (AO), success rates (SR) and the success curve.

Conventions (those of the ``got10k`` toolkit's ``ExperimentGOT10k.report`` on the val split,
which the numbers here reproduce; the test split is scored the same way by the server):

* **First frame.** Frame 0 (the initialisation frame) is never scored.
* **Excluded frames.** Only frames where the target is visible are scored. The toolkit keeps
  frame ``i`` iff ``cover.label[i] > 0`` (some part of the target is visible); pass that as
  ``valid`` (``absence.label == 0`` marks the same frames in the released annotations).
* **Image bound.** Before the IoU, predictions *and* ground truth are bounded to the image
  with :func:`clip_bboxes_xywh_got10k` (corner clamped into the image, then size clamped),
  using the sequence's ``resolution`` (W, H).
* **Pooling.** IoUs of all scored frames of all sequences (and of all repetitions of a
  sequence) are pooled, and AO / SR / the curve are frame averages over the pool: a long
  sequence weighs more than a short one. Sequences with no scored frame (length 1, target
  never visible) contribute nothing; their sequence-wise scores are NaN.
* **Thresholds.** ``SR_t`` = fraction of frames with ``IoU > t`` (strict); the success curve
  uses ``np.linspace(0, 1, 101)``. The toolkit reports SR0.5; SR0.75 is the same rule at 0.75
  (= ``succ_curve[75]``), as the evaluation server reports it.
* **Speed.** ``mean(1 / t)`` pooled over all frames (first included) of all sequences with a
  time ``t > 0`` (NaN ignored).

All returned values are fractions in [0, 1] (speeds in frames per second).
"""
from typing import Optional, Sequence

import numpy as np

from .boxes import bbox_iou_xywh, clip_bboxes_xywh_got10k
from .inputs import check_per_sequence_args, check_sequence_xywh
from .ope import fps_from_times, success_curve

#: IoU thresholds of the GOT-10k success curve (``IoU > t``).
GOT10K_IOU_THRESHOLDS = np.linspace(0, 1, 101)


def got10k_sequence_ious(pred_bboxes_xywh: np.ndarray,
                         gt_bboxes_xywh: np.ndarray,
                         valid: Optional[np.ndarray] = None,
                         image_size_wh: Optional[Sequence[float]] = None,
                         seq_name: str = '?') -> np.ndarray:
    """IoUs of the scored frames of one sequence, all repetitions concatenated.

    Args:
        pred_bboxes_xywh (np.ndarray): (L, 4) predictions, pixels, or (R, L, 4) for R
            repetitions of a stochastic tracker.
        gt_bboxes_xywh (np.ndarray): (L, 4) ground truth, pixels.
        valid (np.ndarray, optional): (L,) bool, target visible (``cover > 0``). Defaults to
            all frames.
        image_size_wh (Sequence[float], optional): (W, H) of the frames, for the image bound.
            None skips the bound (not the official protocol).
        seq_name (str): Sequence name for error messages.

    Returns:
        np.ndarray: (R * K,) IoUs, K = number of scored frames (frames 1.. with ``valid``).

    Raises:
        ValueError: On shape mismatch, a non-finite prediction, or a scored frame whose
            ground truth is not finite.
    """
    pred, gt, valid = check_sequence_xywh(pred_bboxes_xywh, gt_bboxes_xywh, valid, seq_name)
    scored = valid.copy()
    scored[0] = False
    bad_gt = np.flatnonzero(scored & ~np.isfinite(gt).all(axis=1))
    if len(bad_gt):
        raise ValueError(f'Sequence {seq_name}: frame {bad_gt[0]} is marked visible but its '
                         f'ground truth is {gt[bad_gt[0]].tolist()}.')
    gt = gt[scored]
    if image_size_wh is not None:
        gt = clip_bboxes_xywh_got10k(gt, image_size_wh)
    ious = []
    for run in pred:
        run = run[scored]
        if image_size_wh is not None:
            run = clip_bboxes_xywh_got10k(run, image_size_wh)
        ious.append(bbox_iou_xywh(run, gt))
    return np.concatenate(ious)


def got10k_scores(ious: np.ndarray, times: Optional[np.ndarray] = None) -> dict:
    """AO, SR0.5, SR0.75, success curve and speed of a pool of frames.

    Args:
        ious (np.ndarray): (N,) IoUs of the pooled scored frames.
        times (np.ndarray, optional): frame times in seconds, any shape; NaN and non-positive
            values are ignored.

    Returns:
        dict: ``ao``, ``sr50``, ``sr75`` (fractions, NaN if N = 0), ``success_curve`` (101,)
        (NaN if N = 0) and ``fps`` (float, or None without a positive time).
    """
    ious = np.asarray(ious, dtype=np.float64).reshape(-1)
    if len(ious):
        curve = success_curve(ious, GOT10K_IOU_THRESHOLDS)
        scores = dict(ao=float(np.mean(ious)),
                      sr50=float(np.mean(ious > 0.5)),
                      sr75=float(np.mean(ious > 0.75)),
                      success_curve=curve)
    else:
        scores = dict(ao=np.nan,
                      sr50=np.nan,
                      sr75=np.nan,
                      success_curve=np.full(len(GOT10K_IOU_THRESHOLDS), np.nan))
    return dict(**scores, fps=fps_from_times(times))


def eval_got10k(pred_bboxes_xywh: Sequence[np.ndarray],
                gt_bboxes_xywh: Sequence[np.ndarray],
                valid: Optional[Sequence[np.ndarray]] = None,
                image_sizes_wh: Optional[Sequence[Optional[Sequence[float]]]] = None,
                times: Optional[Sequence[Optional[np.ndarray]]] = None,
                seq_names: Optional[Sequence[str]] = None) -> dict:
    """GOT-10k evaluation of a tracker over a set of sequences (see the module docstring).

    Args:
        pred_bboxes_xywh (Sequence[np.ndarray]): per sequence, (L_i, 4) or (R, L_i, 4)
            predictions, pixels.
        gt_bboxes_xywh (Sequence[np.ndarray]): per sequence, (L_i, 4) ground truth, pixels.
        valid (Sequence[np.ndarray], optional): per sequence, (L_i,) bool visibility
            (``cover > 0``). Defaults to all frames.
        image_sizes_wh (Sequence, optional): per sequence, (W, H) in pixels or None.
            Defaults to no image bound.
        times (Sequence[np.ndarray | None], optional): per sequence, frame times in seconds.
        seq_names (Sequence[str], optional): sequence names for the report and errors.

    Returns:
        dict: ``ao``, ``sr50``, ``sr75`` (fractions), ``success_curve`` (101,), ``fps``
        (float or None), ``num_frames`` (pooled scored frames) and ``seq_wise``: sequence
        name -> ``ao``, ``sr50``, ``sr75``, ``success_curve``, ``fps``, ``num_frames``.

    Raises:
        ValueError: On inconsistent inputs, or if no frame at all can be scored.
    """
    seq_names, valid, times = check_per_sequence_args(len(gt_bboxes_xywh), pred_bboxes_xywh,
                                                      seq_names, valid, times)
    image_sizes_wh = ([None] * len(seq_names) if image_sizes_wh is None else list(image_sizes_wh))
    if len(image_sizes_wh) != len(seq_names):
        raise ValueError(f'{len(seq_names)} sequences but {len(image_sizes_wh)} image sizes.')
    seq_wise, all_ious, all_times = {}, [], []
    for name, pred, gt, seq_valid, size_wh, seq_times in zip(seq_names, pred_bboxes_xywh,
                                                             gt_bboxes_xywh, valid, image_sizes_wh,
                                                             times):
        ious = got10k_sequence_ious(pred, gt, seq_valid, size_wh, name)
        seq_wise[name] = dict(**got10k_scores(ious, seq_times), num_frames=len(ious))
        all_ious.append(ious)
        if seq_times is not None:
            all_times.append(np.asarray(seq_times, dtype=np.float64).reshape(-1))
    all_ious = np.concatenate(all_ious)
    if len(all_ious) == 0:
        raise ValueError('No frame to score: every sequence has length 1 or an invisible '
                         'target after its first frame.')
    overall = got10k_scores(all_ious, np.concatenate(all_times) if all_times else None)
    return dict(**overall, num_frames=len(all_ious), seq_wise=seq_wise)
