"""Which box convention a result file uses, checked against the ground truth.

Result files of SOT codebases hold ``x, y, w, h`` by convention, but files with corners
``x1, y1, x2, y2`` and files shifted by one pixel (1-based coordinates against 0-based ground
truth, or the reverse) exist, and score without any error, only with wrong numbers. The
first row of a one-pass result is the initialisation box, i.e. the ground truth of frame 0
(the got10k toolkit, pytracking, OSTrack and this project write it back), so the convention
shows there: it is the one under which the first rows equal the first ground-truth boxes.

Box format names (:data:`BOX_FORMATS`): ``'xywh'`` or ``'xyxy'``, optionally followed by
``'+1'`` / ``'-1'``: the file's coordinates are the ground truth's plus / minus one pixel
(``'+1'``: a 1-based file against 0-based ground truth; ``'-1'``: the reverse). Conversion to
the ground truth's ``xywh`` subtracts the shift from the corner(s); ``xyxy`` sizes are
``x2 - x1``, ``y2 - y1``.
"""
from typing import Sequence, Tuple

import numpy as np

from .boxes import bbox_iou_xywh

#: Box formats a result file may use (see the module docstring), the usual one first.
BOX_FORMATS = ('xywh', 'xywh+1', 'xywh-1', 'xyxy', 'xyxy+1', 'xyxy-1')
_SHIFTS = {'': 0, '+1': 1, '-1': -1}


def parse_box_format(box_format: str) -> Tuple[str, int]:
    """``'xyxy+1'`` -> ``('xyxy', 1)``.

    Raises:
        ValueError: On a name not in :data:`BOX_FORMATS`.
    """
    if box_format not in BOX_FORMATS:
        raise ValueError(f'Unknown box format {box_format!r}; expected one of {BOX_FORMATS}.')
    return box_format[:4], _SHIFTS[box_format[4:]]


def bboxes_to_xywh(bboxes: np.ndarray, box_format: str) -> np.ndarray:
    """Convert boxes of a result file to the ground truth's ``x, y, w, h``.

    Args:
        bboxes (np.ndarray): (..., 4) boxes in ``box_format``, pixels.
        box_format (str): One of :data:`BOX_FORMATS`.

    Returns:
        np.ndarray: (..., 4) float64 boxes ``x, y, w, h`` in the ground truth's coordinates.
    """
    layout, shift = parse_box_format(box_format)
    bboxes = np.array(bboxes, dtype=np.float64)
    if layout == 'xyxy':
        bboxes[..., 2:] -= bboxes[..., :2]
    bboxes[..., :2] -= shift
    return bboxes


def detect_box_format(pred_bboxes: Sequence[np.ndarray],
                      gt_bboxes_xywh: Sequence[np.ndarray],
                      tolerance_px: float = 1.0,
                      num_early_frames: int = 10,
                      origin_margin_px: float = 0.5,
                      iou_margin: float = 0.05) -> dict:
    """Detect the box format of a tracker's result files from their first rows.

    Decision, over the sequences whose first ground-truth box is finite with a positive size:

    1. **Layout** (``xywh`` / ``xyxy``): a sequence *matches* a layout when its first row,
       converted with one of the layout's shifts, is within ``tolerance_px`` of the first
       ground-truth box in every coordinate (1 px absorbs boxes written as truncated
       integers, as pytracking and OSTrack do). The layout matching more sequences wins if it
       matches at least half of them; equal counts (targets at the image origin) are
       ambiguous and keep ``xywh``.
    2. **Origin shift** (0, +1, -1) within that layout: the smallest median first-row error
       over the sequences. A runner-up within ``origin_margin_px`` is ambiguous (integer
       boxes against fractional ground truth cannot tell) and keeps shift 0.
    3. **No init box** (fewer than half of the sequences match either layout): the layout
       with the higher mean IoU against the ground truth over the first ``num_early_frames``
       frames (shift 0; one pixel does not show in IoUs); ambiguous within ``iou_margin``.

    Args:
        pred_bboxes (Sequence[np.ndarray]): per sequence, the file's (L, 4) rows, or (R, L, 4)
            for R repetitions (the first is checked).
        gt_bboxes_xywh (Sequence[np.ndarray]): per sequence, (L, 4) ground truth ``x, y, w, h``.
        tolerance_px (float): Largest first-row error of a match, pixels. Defaults to 1.
        num_early_frames (int): Frames used by the IoU fallback. Defaults to 10.
        origin_margin_px (float): See step 2. Defaults to 0.5.
        iou_margin (float): See step 3. Defaults to 0.05.

    Returns:
        dict: ``box_format`` (one of :data:`BOX_FORMATS`), ``method`` (``'first row'``,
        ``'early IoU'`` or ``'no evidence'``), ``ambiguous`` (bool), ``num_sequences``
        (sequences checked), ``matches`` (layout -> sequences whose first row matches it),
        ``median_error_px`` (format -> median first-row error), ``mean_early_iou`` (layout ->
        IoU, only for the fallback) and ``message``: one line saying what was found.
    """
    if len(pred_bboxes) != len(gt_bboxes_xywh):
        raise ValueError(f'{len(pred_bboxes)} result sequences but {len(gt_bboxes_xywh)} '
                         'ground-truth sequences.')
    firsts, gts_first, pairs = [], [], []
    for pred, gt in zip(pred_bboxes, gt_bboxes_xywh):
        pred = np.asarray(pred, dtype=np.float64)
        pred = pred[0] if pred.ndim == 3 else pred
        gt = np.asarray(gt, dtype=np.float64)
        if len(pred) and len(gt) and np.isfinite(gt[0]).all() and (gt[0, 2:] > 0).all():
            firsts.append(pred[0])
            gts_first.append(gt[0])
            pairs.append((pred, gt))
    report = dict(num_sequences=len(firsts), matches={}, median_error_px={},
                  mean_early_iou={}, ambiguous=False)
    if not firsts:
        return dict(report, box_format='xywh', method='no evidence', ambiguous=True,
                    message='no sequence with a first ground-truth box: xywh assumed')
    firsts, gts_first = np.stack(firsts), np.stack(gts_first)
    errors = {fmt: np.abs(bboxes_to_xywh(firsts, fmt) - gts_first).max(axis=1)
              for fmt in BOX_FORMATS}  # (N,) per format
    report['median_error_px'] = {fmt: float(np.median(e)) for fmt, e in errors.items()}
    matches = {layout: int((np.min([errors[f] for f in BOX_FORMATS if f[:4] == layout], axis=0)
                            <= tolerance_px).sum()) for layout in ('xywh', 'xyxy')}
    report['matches'] = matches
    num = len(firsts)
    best_layout = max(('xywh', 'xyxy'), key=lambda layout: matches[layout])  # xywh on ties
    if 2 * matches[best_layout] >= num:
        layout_ambiguous = matches['xywh'] == matches['xyxy']
        shifts = sorted((report['median_error_px'][f], BOX_FORMATS.index(f), f)
                        for f in BOX_FORMATS if f[:4] == best_layout)
        origin_ambiguous = shifts[1][0] - shifts[0][0] < origin_margin_px
        box_format = best_layout if origin_ambiguous else shifts[0][2]
        message = (f'first row = first ground-truth box as {box_format} in '
                   f'{matches[best_layout]}/{num} sequences (median error '
                   f'{report["median_error_px"][box_format]:.2f} px)')
        if layout_ambiguous:
            message += f'; as {"xyxy" if best_layout == "xywh" else "xywh"} too (boxes at ' \
                       'the image origin): xywh assumed'
        if origin_ambiguous:
            message += (f'; origin shift undetermined ({shifts[0][2]} {shifts[0][0]:.2f} px vs '
                        f'{shifts[1][2]} {shifts[1][0]:.2f} px): the ground truth\'s assumed')
        return dict(report, box_format=box_format, method='first row',
                    ambiguous=layout_ambiguous or origin_ambiguous, message=message)

    ious = {layout: float(np.mean([_early_iou(pred, gt, layout, num_early_frames)
                                   for pred, gt in pairs])) for layout in ('xywh', 'xyxy')}
    report['mean_early_iou'] = ious
    best_layout = max(('xywh', 'xyxy'), key=lambda layout: ious[layout])
    ambiguous = abs(ious['xywh'] - ious['xyxy']) < iou_margin
    box_format = 'xywh' if ambiguous else best_layout
    message = (f'first row is not the init box (matches in {max(matches.values())}/{num} '
               f'sequences); mean IoU of the first {num_early_frames} frames as xywh '
               f'{ious["xywh"]:.3f}, as xyxy {ious["xyxy"]:.3f}: {box_format}'
               + (' assumed (too close to tell)' if ambiguous else '')
               + '; origin shift not checked')
    return dict(report, box_format=box_format, method='early IoU', ambiguous=ambiguous,
                message=message)


def _early_iou(pred: np.ndarray, gt: np.ndarray, layout: str, num_frames: int) -> float:
    """Mean IoU of the first frames with a finite ground truth (0 without any)."""
    length = min(len(pred), len(gt), num_frames)
    pred_xywh = bboxes_to_xywh(pred[:length], layout)
    gt = gt[:length]
    keep = np.isfinite(gt).all(axis=1) & np.isfinite(pred_xywh).all(axis=1)
    return float(np.mean(bbox_iou_xywh(pred_xywh[keep], gt[keep]))) if keep.any() else 0.0


def describe_box_format(box_format: str) -> str:
    """``'xyxy+1'`` -> ``'x1,y1,x2,y2, coordinates +1 px (1-based against 0-based ground
    truth)'``: the words for reports."""
    layout, shift = parse_box_format(box_format)
    words = 'x,y,w,h' if layout == 'xywh' else 'x1,y1,x2,y2'
    if shift == 1:
        words += ', coordinates +1 px (1-based against 0-based ground truth)'
    elif shift == -1:
        words += ', coordinates -1 px (0-based against 1-based ground truth)'
    return words
