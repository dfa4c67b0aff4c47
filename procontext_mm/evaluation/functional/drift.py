"""Does a tracker drift? Box size against the ground truth, and AO over the parts of a video.

Two diagnostics of the GOT-10k protocol's scored frames (:func:`got10k_sequence_ious`
conventions: frame 0 and frames without a visible target are not scored, boxes bounded to
the image): the median ratio of predicted to true box **area** (1 = right-sized; a tracker
whose boxes grow over a video drifts above 1), and the AO of the first, second, ... part of
every video (a tracker that loses its target gets worse from part to part).
"""
from typing import Optional, Sequence

import numpy as np

from .boxes import clip_bboxes_xywh_got10k
from .got10k import got10k_sequence_ious
from .inputs import check_per_sequence_args, check_sequence_xywh


def eval_drift(pred_bboxes_xywh: Sequence[np.ndarray],
               gt_bboxes_xywh: Sequence[np.ndarray],
               valid: Optional[Sequence[Optional[np.ndarray]]] = None,
               image_sizes_wh: Optional[Sequence[Optional[Sequence[float]]]] = None,
               num_parts: int = 2,
               seq_names: Optional[Sequence[str]] = None) -> dict:
    """Box-area ratio and AO per part of the videos.

    Args:
        pred_bboxes_xywh (Sequence[np.ndarray]): Per sequence, (L, 4) predictions, pixels.
        gt_bboxes_xywh (Sequence[np.ndarray]): Per sequence, (L, 4) ground truth, pixels.
        valid (Sequence[np.ndarray], optional): Per sequence, (L,) bool, target visible.
        image_sizes_wh (Sequence, optional): Per sequence, (W, H) for the image bound.
        num_parts (int): Parts each video is cut into by frame index (``np.array_split``).
            Defaults to 2: first and second half.
        seq_names (Sequence[str], optional): Names for error messages.

    Returns:
        dict: ``area_ratio_median`` (median over all scored frames of predicted area / true
        area), ``ao_parts`` (list of ``num_parts`` AOs, fractions: the GOT-10k pooled mean IoU
        of the scored frames in part k of every video).

    Raises:
        ValueError: On mismatched lengths or shapes (naming the sequence), or
            ``num_parts < 1``.
    """
    if num_parts < 1:
        raise ValueError(f'num_parts must be >= 1, got {num_parts}')
    seq_names, valid, _ = check_per_sequence_args(len(gt_bboxes_xywh), pred_bboxes_xywh,
                                                  seq_names, valid, None)
    image_sizes_wh = ([None] * len(seq_names) if image_sizes_wh is None else list(image_sizes_wh))
    if len(image_sizes_wh) != len(seq_names):
        raise ValueError(f'{len(seq_names)} sequences but {len(image_sizes_wh)} image sizes.')
    ratios, part_ious = [], [[] for _ in range(num_parts)]
    for pred, gt, visible, size, name in zip(pred_bboxes_xywh, gt_bboxes_xywh, valid,
                                             image_sizes_wh, seq_names):
        pred, gt, visible = check_sequence_xywh(pred, gt, visible, name)
        pred = pred[0]  # the first run
        scored = visible.copy()
        scored[0] = False
        if size is not None:
            pred, gt = clip_bboxes_xywh_got10k(pred, size), clip_bboxes_xywh_got10k(gt, size)
        gt_area = gt[scored, 2] * gt[scored, 3]
        with np.errstate(divide='ignore', invalid='ignore'):
            ratio = pred[scored, 2] * pred[scored, 3] / gt_area
        ratios.append(ratio[gt_area > 0])
        for k, frames in enumerate(np.array_split(np.arange(len(gt)), num_parts)):
            in_part = np.zeros(len(gt), bool)
            in_part[frames] = True
            part_ious[k].append(got10k_sequence_ious(pred, gt, visible & in_part, None, name))
    ratios = np.concatenate(ratios) if ratios else np.zeros(0)
    return dict(
        area_ratio_median=float(np.median(ratios)) if len(ratios) else float('nan'),
        ao_parts=[float(np.concatenate(ious).mean()) if sum(map(len, ious)) else float('nan')
                  for ious in part_ious])
