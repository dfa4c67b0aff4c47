"""Per-frame box measures of the SOT benchmarks, with the toolkits' exact conventions.

All functions take boxes as ``bboxes_xywh``: float arrays of shape (N, 4) holding
(x1, y1, w, h) in image pixels, row ``i`` of the prediction compared with row ``i`` of the
ground truth. They follow the conventions of the official ``got10k`` toolkit
(``got10k.utils.metrics``) so that benchmark numbers match it:

* IoU = intersection / (union + machine eps), clipped to [0, 1]; the box is the half-open
  pixel area ``[x1, x1 + w) x [y1, y1 + h)`` (no ``+1``); a zero-size box has IoU 0.
* The centre of a box is ``(x1 + (w - 1) / 2, y1 + (h - 1) / 2)`` (the "pixel-index" centre of
  the OTB toolkit, half a pixel up-left of the geometric centre). Both boxes are shifted
  alike, so centre *errors* equal those of geometric centres.
* Non-finite inputs propagate as NaN, which every later ``>`` / ``<=`` comparison treats as a
  miss.
"""
from typing import Sequence

import numpy as np


def clip_bboxes_xywh_got10k(bboxes_xywh: np.ndarray, image_size_wh: Sequence[float]) -> np.ndarray:
    """Bound boxes to the image the way the GOT-10k evaluation does before its IoU.

    This is *not* an intersection with the image: the corner is clamped to
    ``[0, W] x [0, H]`` first and the size is then clamped to ``[0, W - x1] x [0, H - y1]``,
    so a box hanging over the left / top border is shifted inside rather than cut
    (``x1=-10, w=30`` becomes ``x1=0, w=30`` in a wide image).

    Args:
        bboxes_xywh (np.ndarray): (N, 4) boxes, pixels.
        image_size_wh (Sequence[float]): (W, H) of the image in pixels (the ``resolution`` of
            the sequence's ``meta_info.ini``).

    Returns:
        np.ndarray: (N, 4) float64 clipped copy.
    """
    width, height = float(image_size_wh[0]), float(image_size_wh[1])
    out = np.array(bboxes_xywh, dtype=np.float64, copy=True).reshape(-1, 4)
    out[:, 0] = np.clip(out[:, 0], 0, width)
    out[:, 1] = np.clip(out[:, 1], 0, height)
    out[:, 2] = np.clip(out[:, 2], 0, width - out[:, 0])
    out[:, 3] = np.clip(out[:, 3], 0, height - out[:, 1])
    return out


def bbox_iou_xywh(pred_bboxes_xywh: np.ndarray, gt_bboxes_xywh: np.ndarray) -> np.ndarray:
    """Row-wise IoU, ``inter / (union + eps)`` clipped to [0, 1].

    Args:
        pred_bboxes_xywh (np.ndarray): (N, 4) predicted boxes, pixels.
        gt_bboxes_xywh (np.ndarray): (N, 4) ground-truth boxes, pixels.

    Returns:
        np.ndarray: (N,) float64 IoU; NaN where an input is NaN.
    """
    pred, gt = _as_pair(pred_bboxes_xywh, gt_bboxes_xywh)
    inter_x1 = np.maximum(pred[:, 0], gt[:, 0])
    inter_y1 = np.maximum(pred[:, 1], gt[:, 1])
    inter_x2 = np.minimum(pred[:, 0] + pred[:, 2], gt[:, 0] + gt[:, 2])
    inter_y2 = np.minimum(pred[:, 1] + pred[:, 3], gt[:, 1] + gt[:, 3])
    area_inter = np.maximum(inter_x2 - inter_x1, 0) * np.maximum(inter_y2 - inter_y1, 0)
    area_union = pred[:, 2] * pred[:, 3] + gt[:, 2] * gt[:, 3] - area_inter
    return np.clip(area_inter / (area_union + np.finfo(np.float64).eps), 0.0, 1.0)


def center_error_xywh(pred_bboxes_xywh: np.ndarray, gt_bboxes_xywh: np.ndarray) -> np.ndarray:
    """Row-wise Euclidean distance between box centres, in pixels.

    Args:
        pred_bboxes_xywh (np.ndarray): (N, 4) predicted boxes, pixels.
        gt_bboxes_xywh (np.ndarray): (N, 4) ground-truth boxes, pixels.

    Returns:
        np.ndarray: (N,) float64 distances between ``(x1 + (w - 1) / 2, y1 + (h - 1) / 2)``.
    """
    pred, gt = _as_pair(pred_bboxes_xywh, gt_bboxes_xywh)
    return np.linalg.norm(_center_xy(pred) - _center_xy(gt), axis=1)


def normalized_center_error_xywh(pred_bboxes_xywh: np.ndarray,
                                 gt_bboxes_xywh: np.ndarray) -> np.ndarray:
    """Row-wise centre distance after dividing each axis by the ground-truth size.

    The x offset is divided by ``max(1, gt_w)`` and the y offset by ``max(1, gt_h)`` (the
    TrackingNet definition as the got10k toolkit implements it), so the result is in units of
    the target size and a zero-size ground truth does not divide by zero.

    Args:
        pred_bboxes_xywh (np.ndarray): (N, 4) predicted boxes, pixels.
        gt_bboxes_xywh (np.ndarray): (N, 4) ground-truth boxes, pixels.

    Returns:
        np.ndarray: (N,) float64 normalised distances.
    """
    pred, gt = _as_pair(pred_bboxes_xywh, gt_bboxes_xywh)
    offset_xy = (_center_xy(pred) - _center_xy(gt)) / np.maximum(1.0, gt[:, 2:])
    return np.linalg.norm(offset_xy, axis=1)


def _center_xy(bboxes_xywh: np.ndarray) -> np.ndarray:
    return bboxes_xywh[:, :2] + (bboxes_xywh[:, 2:] - 1) / 2


def _as_pair(pred_bboxes_xywh: np.ndarray, gt_bboxes_xywh: np.ndarray):
    pred = np.asarray(pred_bboxes_xywh, dtype=np.float64).reshape(-1, 4)
    gt = np.asarray(gt_bboxes_xywh, dtype=np.float64).reshape(-1, 4)
    assert pred.shape == gt.shape, (pred.shape, gt.shape)
    return pred, gt
