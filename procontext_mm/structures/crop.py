"""Square context crops around a target, and box mappings between image and crop.

One implementation serves the training pipeline and the tracker, so both see the same pixels.
The arithmetic follows the OSTrack / ProContEXT reference (``sample_target``) exactly, including
its rounding and its one-pixel quirk on the right / bottom border, because released weights were
trained on crops made that way and the tracker must reproduce their per-frame boxes.

Coordinate conventions: ``bbox_xywh`` = (x1, y1, w, h) in image pixels; ``bbox_cxcywh`` =
(cx, cy, w, h); "crop pixels" are pixels of the resized output patch.
"""
import math
from typing import NamedTuple, Sequence

import mmcv
import numpy as np


class CropRegion(NamedTuple):
    """Where a square crop lies in its source image.

    Attributes:
        x1 (int): Left edge of the crop window in image pixels (may be negative).
        y1 (int): Top edge of the crop window in image pixels (may be negative).
        size (int): Side of the square window in image pixels, before resizing.
        resize_factor (float): ``output_size / size``: image pixels -> crop pixels.
    """
    x1: int
    y1: int
    size: int
    resize_factor: float


def crop_window(bbox_xywh: Sequence[float], context_factor: float,
                output_size: int) -> CropRegion:
    """Square window of side ``ceil(sqrt(w * h) * context_factor)`` centred on the box.

    Args:
        bbox_xywh: (x1, y1, w, h) in image pixels, w > 0 and h > 0.
        context_factor (float): Window side over the box's geometric-mean side.
        output_size (int): Side of the resized patch in pixels.

    Returns:
        CropRegion: the window; ``x1``/``y1`` use Python's round-half-to-even, as the reference.

    Raises:
        ValueError: If the box is not finite or its window would be smaller than a pixel.
    """
    x, y, w, h = (float(v) for v in bbox_xywh)
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        raise ValueError(f'Cannot crop around box xywh={list(bbox_xywh)}: it must be finite '
                         'with positive width and height.')
    size = math.ceil(math.sqrt(w * h) * context_factor)
    if size < 1:
        raise ValueError(f'Crop window of box xywh={list(bbox_xywh)} at context factor '
                         f'{context_factor} is smaller than one pixel.')
    x1 = round(x + 0.5 * w - size * 0.5)
    y1 = round(y + 0.5 * h - size * 0.5)
    return CropRegion(x1=x1, y1=y1, size=size, resize_factor=output_size / size)


def crop_square(image: np.ndarray, bbox_xywh: Sequence[float], context_factor: float,
                output_size: int, pad_value: int = 0) -> tuple:
    """Crop a square context region around a box, pad outside the image, resize it.

    The window is :func:`crop_window`. Parts outside the image are filled with ``pad_value``.
    As in the reference, the last image column / row is treated as outside whenever the window
    reaches past it (their ``x2 - W + 1`` padding); kept for bit-exact crops of released weights.

    Args:
        image (np.ndarray): (H, W, C) uint8 image, any channel order.
        bbox_xywh: (x1, y1, w, h) of the target in image pixels.
        context_factor (float): Window side over the box's geometric-mean side.
        output_size (int): Side of the output patch.
        pad_value (int): Fill value outside the image. Defaults to 0.

    Returns:
        tuple[np.ndarray, CropRegion]: (output_size, output_size, C) patch with the dtype of
        ``image`` (bilinear resize, OpenCV's), and the window it was cut from.
    """
    region = crop_window(bbox_xywh, context_factor, output_size)
    img_h, img_w = image.shape[:2]
    x1, y1, x2, y2 = region.x1, region.y1, region.x1 + region.size, region.y1 + region.size
    pad_left, pad_top = max(0, -x1), max(0, -y1)
    pad_right, pad_bottom = max(x2 - img_w + 1, 0), max(y2 - img_h + 1, 0)
    rows, cols = (y1 + pad_top, y2 - pad_bottom), (x1 + pad_left, x2 - pad_right)
    # an end <= start means no overlap (checked before slicing: a negative end would wrap)
    if rows[1] > rows[0] and cols[1] > cols[0]:
        inside = image[rows[0]:rows[1], cols[0]:cols[1]]
        # a tuple: OpenCV fills only the first channel when given a scalar
        fill = (pad_value, ) * inside.shape[2] if inside.ndim == 3 else pad_value
        window = mmcv.impad(inside, padding=(pad_left, pad_top, pad_right, pad_bottom),
                            pad_val=fill)
    else:  # window entirely outside the image (the reference crashes or wraps around here)
        window = np.full((region.size, region.size) + image.shape[2:], pad_value, image.dtype)
    patch = mmcv.imresize(window, (output_size, output_size), interpolation='bilinear')
    return patch, region


def box_image_to_crop(bbox_xywh: np.ndarray, reference_bbox_xywh: Sequence[float],
                      resize_factor: float, output_size: int) -> np.ndarray:
    """Map boxes from image pixels into the crop cut around ``reference_bbox_xywh``.

    The reference box centre lands on ``(output_size - 1) / 2`` (the convention the training
    targets of the reference use).

    Args:
        bbox_xywh (np.ndarray): (..., 4) boxes (x1, y1, w, h) in image pixels.
        reference_bbox_xywh: (x1, y1, w, h) of the box the crop was centred on.
        resize_factor (float): ``CropRegion.resize_factor``.
        output_size (int): Side of the crop in pixels.

    Returns:
        np.ndarray: (..., 4) boxes (x1, y1, w, h) in crop pixels, float32.
    """
    bbox_xywh = np.asarray(bbox_xywh, dtype=np.float64)
    ref = np.asarray(reference_bbox_xywh, dtype=np.float64)
    ref_centre = ref[:2] + 0.5 * ref[2:]
    centre = bbox_xywh[..., :2] + 0.5 * bbox_xywh[..., 2:]
    out_wh = bbox_xywh[..., 2:] * resize_factor
    out_centre = (output_size - 1) / 2 + (centre - ref_centre) * resize_factor
    return np.concatenate([out_centre - 0.5 * out_wh, out_wh], axis=-1).astype(np.float32)


def box_crop_to_image(bbox_cxcywh_crop: Sequence[float], previous_bbox_xywh: Sequence[float],
                      resize_factor: float, output_size: int) -> list:
    """Map a box predicted in a search crop back to image pixels (the tracker's map-back).

    The crop centre ``output_size / 2`` is the centre of the previous box (the reference
    tracker's convention).

    Args:
        bbox_cxcywh_crop: (cx, cy, w, h) in crop pixels.
        previous_bbox_xywh: (x1, y1, w, h) the search crop was centred on, image pixels.
        resize_factor (float): ``CropRegion.resize_factor`` of the search crop.
        output_size (int): Side of the search crop in pixels.

    Returns:
        list[float]: (x1, y1, w, h) in image pixels.
    """
    cx, cy, w, h = (float(v) / resize_factor for v in bbox_cxcywh_crop)
    px, py, pw, ph = (float(v) for v in previous_bbox_xywh)
    half_side = 0.5 * output_size / resize_factor
    cx_image = cx + (px + 0.5 * pw - half_side)
    cy_image = cy + (py + 0.5 * ph - half_side)
    return [cx_image - 0.5 * w, cy_image - 0.5 * h, w, h]


def clip_box_xywh(bbox_xywh: Sequence[float], img_h: int, img_w: int,
                  margin: float = 0.) -> list:
    """Clip a box to the image, keeping at least ``margin`` pixels of width / height.

    Same rule as the reference ``clip_box``: corners are clamped into the image with the
    top-left kept ``margin`` away from the right / bottom border, so a target that leaves the
    image keeps a ``margin``-sized box on the border instead of vanishing.

    Args:
        bbox_xywh: (x1, y1, w, h) in image pixels.
        img_h (int): Image height.
        img_w (int): Image width.
        margin (float): Minimum width / height kept. Defaults to 0.

    Returns:
        list[float]: clipped (x1, y1, w, h).
    """
    x1, y1, w, h = (float(v) for v in bbox_xywh)
    x2, y2 = x1 + w, y1 + h
    x1 = min(max(0, x1), img_w - margin)
    x2 = min(max(margin, x2), img_w)
    y1 = min(max(0, y1), img_h - margin)
    y2 = min(max(margin, y2), img_h)
    return [x1, y1, max(margin, x2 - x1), max(margin, y2 - y1)]
