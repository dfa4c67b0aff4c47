"""Box-format conversions: the one place the package converts between box formats.

Formats (pixels, float):

* ``xyxy``: ``x1, y1, x2, y2``, the corners (what trackers take and return, as mmdet);
* ``xywh``: ``x1, y1, w, h``, the top-left corner and the size (what the benchmarks' files
  and toolkits use); ``x2 = x1 + w``, no ``+1``.
"""
import numpy as np


def bbox_xywh_to_xyxy(bboxes_xywh) -> np.ndarray:
    """``x1, y1, w, h`` -> ``x1, y1, x2, y2``.

    Args:
        bboxes_xywh (array-like): (..., 4) boxes.

    Returns:
        np.ndarray: (..., 4) float64 boxes with ``x2 = x1 + w`` and ``y2 = y1 + h``.
    """
    bboxes_xywh = np.asarray(bboxes_xywh, dtype=np.float64)
    return np.concatenate([bboxes_xywh[..., :2], bboxes_xywh[..., :2] + bboxes_xywh[..., 2:]],
                          axis=-1)


def bbox_xyxy_to_xywh(bboxes_xyxy) -> np.ndarray:
    """``x1, y1, x2, y2`` -> ``x1, y1, w, h``.

    Args:
        bboxes_xyxy (array-like): (..., 4) boxes.

    Returns:
        np.ndarray: (..., 4) float64 boxes with ``w = x2 - x1`` and ``h = y2 - y1``.
    """
    bboxes_xyxy = np.asarray(bboxes_xyxy, dtype=np.float64)
    return np.concatenate([bboxes_xyxy[..., :2], bboxes_xyxy[..., 2:] - bboxes_xyxy[..., :2]],
                          axis=-1)
