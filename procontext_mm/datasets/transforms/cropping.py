"""Template and search crops of a training sample, cut around jittered target boxes."""
import logging
import math
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from procontext_mm.registry import TRANSFORMS
from procontext_mm.structures.crop import CropRegion, box_image_to_crop, crop_square


def jitter_bbox_xywh(bbox_xywh: Sequence[float], center_jitter: float, scale_jitter: float,
                     size_noise: Sequence[float], offset_noise: Sequence[float]) -> np.ndarray:
    """The reference's box jitter, with its random draws passed in.

    ``size = wh * exp(size_noise * scale_jitter)``; the centre moves by
    ``sqrt(size_w * size_h) * center_jitter * (offset_noise - 0.5)`` along each axis, i.e. at
    most half of ``center_jitter`` jittered-box sides either way.

    Args:
        bbox_xywh: (x1, y1, w, h) target box, image pixels.
        center_jitter (float): Centre jitter factor (4.5 for the 384 px search crop).
        scale_jitter (float): Log-scale jitter factor (0.5 for the 384 px search crop).
        size_noise: (2,) standard normal draws (width, height).
        offset_noise: (2,) uniform [0, 1) draws (x, y).

    Returns:
        np.ndarray: (4,) float64 jittered box (x1, y1, w, h), image pixels.

    Raises:
        ValueError: If the box is not finite or has no positive width and height.
    """
    x1, y1, w, h = (float(v) for v in bbox_xywh)
    if not all(math.isfinite(v) for v in (x1, y1, w, h)) or w <= 0 or h <= 0:
        raise ValueError(f'Cannot jitter box xywh={[x1, y1, w, h]}: it must be finite with '
                         'positive width and height.')
    size = np.array([w, h]) * np.exp(np.asarray(size_noise, dtype=np.float64) * scale_jitter)
    max_offset = math.sqrt(size[0] * size[1]) * center_jitter
    centre = np.array([x1 + 0.5 * w, y1 + 0.5 * h]) + max_offset * (
        np.asarray(offset_noise, dtype=np.float64) - 0.5)
    return np.concatenate([centre - 0.5 * size, size])


def _image_pixels_1d(pad_before: int, pad_after: int, window_size: int,
                     output_size: int) -> np.ndarray:
    """Output pixels of a bilinear resize that read no padded window pixel, along one axis.

    The window has ``window_size`` pixels, of which ``[pad_before, window_size - pad_after)``
    come from the image; it is resized to ``output_size`` the way OpenCV's ``INTER_LINEAR``
    samples (``(j + 0.5) * scale - 0.5``, clamped at the borders). A pixel is an image pixel
    when both taps with a non-zero weight lie in the image part.
    """
    first, last = pad_before, window_size - pad_after - 1
    source = (np.arange(output_size) + 0.5) * (window_size / output_size) - 0.5
    left = np.floor(source)
    weight_right = source - left
    clamped = (source < 0) | (left >= window_size - 1)
    left = np.clip(left, 0, window_size - 1)
    weight_right[clamped] = 0.
    left_ok = (left >= first) & (left <= last)
    right_ok = (weight_right == 0) | (left + 1 <= last)
    return left_ok & right_ok


def padding_mask(region: CropRegion, img_shape: Sequence[int], output_size: int) -> np.ndarray:
    """Pixels of a :func:`crop_square` patch that are (partly) padding, not image.

    Same layout as ``crop_square`` (including its treatment of the last image row / column as
    outside when the window reaches past it), i.e. the reference's attention mask: True where
    the bilinear resize of the window read any padded pixel.

    A window that ends left of / above the image (``x1 + size <= 0`` or ``y1 + size <= 0``) is
    all padding here; ``crop_square`` (like the reference) slices such a window with a negative
    end index and so shows wrapped-around image content in it.

    Args:
        region (CropRegion): The window the patch was cut from.
        img_shape: (H, W) of the source image.
        output_size (int): Side of the patch.

    Returns:
        np.ndarray: (output_size, output_size) bool, True = padding.
    """
    img_h, img_w = img_shape[:2]
    x2, y2 = region.x1 + region.size, region.y1 + region.size
    cols = _image_pixels_1d(max(0, -region.x1), max(x2 - img_w + 1, 0), region.size, output_size)
    rows = _image_pixels_1d(max(0, -region.y1), max(y2 - img_h + 1, 0), region.size, output_size)
    return ~(rows[:, None] & cols[None, :])


@TRANSFORMS.register_module()
class SOTCropRegions(BaseTransform):
    """Cut the multi-scale template crops and the search crop of a sample.

    For every sampled frame the target box is jittered once (:func:`jitter_bbox_xywh`, the
    reference's formula; draws in frame order, per frame ``np.random.randn(2)`` then
    ``np.random.rand(2)``), then a square window of side ``ceil(sqrt(w * h) * factor)``
    around the jittered box is cropped and resized with
    :func:`procontext_mm.structures.crop.crop_square` (the tracker's own crop). A template frame
    gives one crop per factor of ``template_factors``; the search frame one crop at
    ``search_factor``. The (un-jittered) ground-truth box is mapped into each crop with
    ``box_image_to_crop`` relative to the jittered box.

    Output order: templates first, frame by frame in input order (static, then dynamic), all
    factors of a frame together (``[static@K0, static@K1, dynamic@K0, dynamic@K1]``), then the
    search crop. (The reference orders template crops factor-major; the model's shared template
    position embedding and token-symmetric attention make the order immaterial.)

    A box that cannot be cropped (non-finite, zero width / height, window under one pixel: the
    reference's "too small box") rejects the sample (``None``, logged at debug level).

    Required keys:

    - img (list[np.ndarray]): (H, W, 3) uint8 frames, one per sampled frame
    - gt_bboxes_xywh (np.ndarray): (F, 4) target boxes x1, y1, w, h, image pixels
    - frame_role (list[str]): ``'static'`` / ``'dynamic'`` / ``'search'`` per frame, exactly one
      ``'search'``
    - frame_id (list[int]), img_path (list[str]): per frame

    Modified / added keys (one entry per crop, T template crops then the search crop):

    - img (list[np.ndarray]): (S, S, 3) uint8 crops (S = template_size or search_size)
    - img_shape (list[tuple]): (S, S)
    - gt_bboxes (list[np.ndarray]): (1, 4) float32 x1, y1, x2, y2 in crop pixels
    - padding_mask (list[np.ndarray]): (S, S) bool, True where the crop shows padding
      (the reference's attention mask)
    - crop_role (list[str]): ``'template'`` / ``'search'``
    - context_factor (list[float]), resize_factor (list[float]): crop pixels per image pixel
    - jittered_bbox_xywh (list[np.ndarray]): (4,) the box the crop was centred on, image pixels
    - frame_role, frame_id, img_path, ori_shape: the frame's value, repeated per crop

    Args:
        template_factors (Sequence[float]): Context factors K of the template crops.
            Defaults to (2.0, 4.0).
        template_size (int): Side of a template crop. Defaults to 192.
        search_factor (float): Context factor of the search crop. Defaults to 5.0.
        search_size (int): Side of the search crop. Defaults to 384.
        template_center_jitter (float): Defaults to 0.
        template_scale_jitter (float): Defaults to 0.
        search_center_jitter (float): Defaults to 4.5.
        search_scale_jitter (float): Defaults to 0.5.
        pad_value (int): Fill value outside the image. Defaults to 0 (as the reference).
    """

    def __init__(self,
                 template_factors: Sequence[float] = (2.0, 4.0),
                 template_size: int = 192,
                 search_factor: float = 5.0,
                 search_size: int = 384,
                 template_center_jitter: float = 0.,
                 template_scale_jitter: float = 0.,
                 search_center_jitter: float = 4.5,
                 search_scale_jitter: float = 0.5,
                 pad_value: int = 0) -> None:
        self.template_factors = [float(f) for f in template_factors]
        if not self.template_factors or min(self.template_factors) <= 0 or search_factor <= 0:
            raise ValueError(f'Context factors must be positive, got template_factors='
                             f'{list(template_factors)}, search_factor={search_factor}')
        if template_size < 1 or search_size < 1:
            raise ValueError(f'Crop sizes must be >= 1, got template_size={template_size}, '
                             f'search_size={search_size}')
        self.template_size = int(template_size)
        self.search_factor = float(search_factor)
        self.search_size = int(search_size)
        self.template_center_jitter = float(template_center_jitter)
        self.template_scale_jitter = float(template_scale_jitter)
        self.search_center_jitter = float(search_center_jitter)
        self.search_scale_jitter = float(search_scale_jitter)
        self.pad_value = pad_value

    def _frame_settings(self, frame_role: str) -> tuple:
        """(crop role, factors, size, centre jitter, scale jitter) of a frame role."""
        if frame_role == 'search':
            return ('search', [self.search_factor], self.search_size, self.search_center_jitter,
                    self.search_scale_jitter)
        return ('template', self.template_factors, self.template_size,
                self.template_center_jitter, self.template_scale_jitter)

    def transform(self, results: dict) -> Optional[dict]:
        """Crop every sampled frame (see the class docstring)."""
        for key in ('img', 'gt_bboxes_xywh', 'frame_role', 'frame_id', 'img_path'):
            if key not in results:
                raise KeyError(f'SOTCropRegions needs the key {key!r}; run TridentSampleFrames '
                               'and LoadSOTFrames before it')
        frame_roles = list(results['frame_role'])
        if frame_roles.count('search') != 1:
            raise ValueError(f'SOTCropRegions needs exactly one search frame, got frame_role='
                             f'{frame_roles}')
        # templates first (input order), search last
        order = [i for i, r in enumerate(frame_roles) if r != 'search'] + [
            frame_roles.index('search')]
        try:
            return self._crop_all(results, frame_roles, order)
        except ValueError as err:  # a box that cannot be jittered / cropped
            print_log(f'SOTCropRegions: rejecting sample of video '
                      f'{results.get("video_name", "?")} (frames {results["frame_id"]}): {err}',
                      logger='current', level=logging.DEBUG)
            return None

    def _crop_all(self, results: dict, frame_roles: list, order: list) -> dict:
        """Jitter every frame's box, cut the crops in ``order``, write the per-crop keys."""
        # draw in input frame order, so that the draws do not depend on the output order
        jittered = {}
        for i, role in enumerate(frame_roles):
            _, _, _, center_jitter, scale_jitter = self._frame_settings(role)
            size_noise, offset_noise = np.random.randn(2), np.random.rand(2)
            jittered[i] = jitter_bbox_xywh(results['gt_bboxes_xywh'][i], center_jitter,
                                           scale_jitter, size_noise, offset_noise)

        crops = {key: [] for key in (
            'img', 'img_shape', 'gt_bboxes', 'padding_mask', 'crop_role', 'context_factor',
            'resize_factor', 'jittered_bbox_xywh', 'frame_role', 'frame_id', 'img_path',
            'ori_shape')}
        for i in order:
            image = results['img'][i]
            crop_role, factors, size, _, _ = self._frame_settings(frame_roles[i])
            gt_bbox_xywh = np.asarray(results['gt_bboxes_xywh'][i], dtype=np.float64)
            for factor in factors:
                patch, region = crop_square(image, jittered[i], factor, size, self.pad_value)
                bbox_xywh = box_image_to_crop(gt_bbox_xywh, jittered[i], region.resize_factor,
                                              size)
                bbox_xyxy = np.concatenate([bbox_xywh[:2], bbox_xywh[:2] + bbox_xywh[2:]])
                crops['img'].append(patch)
                crops['img_shape'].append(patch.shape[:2])
                crops['gt_bboxes'].append(bbox_xyxy.reshape(1, 4).astype(np.float32))
                crops['padding_mask'].append(padding_mask(region, image.shape, size))
                crops['crop_role'].append(crop_role)
                crops['context_factor'].append(factor)
                crops['resize_factor'].append(region.resize_factor)
                crops['jittered_bbox_xywh'].append(jittered[i])
                crops['frame_role'].append(frame_roles[i])
                crops['frame_id'].append(results['frame_id'][i])
                crops['img_path'].append(results['img_path'][i])
                crops['ori_shape'].append(image.shape[:2])
        results.update(crops)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(template_factors={self.template_factors}, '
                f'template_size={self.template_size}, search_factor={self.search_factor}, '
                f'search_size={self.search_size}, '
                f'template_center_jitter={self.template_center_jitter}, '
                f'template_scale_jitter={self.template_scale_jitter}, '
                f'search_center_jitter={self.search_center_jitter}, '
                f'search_scale_jitter={self.search_scale_jitter}, pad_value={self.pad_value})')


@TRANSFORMS.register_module()
class CheckSOTSample(BaseTransform):
    """Reject (``None``: mmengine resamples) samples that the model should not train on.

    Checks, in the reference's spirit (its ``valid`` flag):

    * every crop shows image content at the backbone's token positions: the padding mask
      sampled nearest-neighbour on the ``(S // stride)`` grid (what the reference does with
      ``F.interpolate``) must not be all padding (this implies the reference's other test,
      a full-resolution mask that is all padding);
    * the target box of the search crop is finite, wider and taller than ``min_box_size``
      crop pixels, and overlaps the crop (extra sanity checks: the reference's jitter never
      moves the target centre out of the search crop, so they only catch broken annotations).

    Why a sample was rejected is logged at debug level.

    Required keys (per crop, as ``SOTCropRegions`` writes them): padding_mask, gt_bboxes,
    crop_role, img_shape.

    Args:
        stride (int): Patch size of the backbone. Defaults to 16.
        min_box_size (float): Minimum width / height of the search target box, crop pixels.
            Defaults to 0 (only empty boxes are rejected).
    """

    def __init__(self, stride: int = 16, min_box_size: float = 0.) -> None:
        if stride < 1:
            raise ValueError(f'stride must be >= 1, got {stride}')
        self.stride = int(stride)
        self.min_box_size = float(min_box_size)

    def _grid_indices(self, length: int) -> np.ndarray:
        """Rows / columns that nearest-neighbour down-sampling to ``length // stride`` reads."""
        num = max(1, length // self.stride)
        return np.minimum(np.floor(np.arange(num) * (length / num)).astype(int), length - 1)

    def find_problem(self, results: dict) -> Optional[str]:
        """Why the sample is invalid, or None if it is valid."""
        for i, mask in enumerate(results['padding_mask']):
            rows, cols = self._grid_indices(mask.shape[0]), self._grid_indices(mask.shape[1])
            if mask[np.ix_(rows, cols)].all():
                return (f'{results["crop_role"][i]} crop {i} shows only padding at the '
                        f'stride-{self.stride} token positions')
        search_ids = [i for i, role in enumerate(results['crop_role']) if role == 'search']
        for i in search_ids:
            x1, y1, x2, y2 = (float(v) for v in np.asarray(results['gt_bboxes'][i]).reshape(4))
            crop_h, crop_w = results['img_shape'][i][:2]
            if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
                return f'search box xyxy={[x1, y1, x2, y2]} is not finite'
            if x2 - x1 <= self.min_box_size or y2 - y1 <= self.min_box_size:
                return (f'search box xyxy={[x1, y1, x2, y2]} is not larger than '
                        f'{self.min_box_size} px')
            if x2 <= 0 or y2 <= 0 or x1 >= crop_w or y1 >= crop_h:
                return f'search box xyxy={[x1, y1, x2, y2]} lies outside the {crop_w} px crop'
        return None

    def transform(self, results: dict) -> Optional[dict]:
        """Return ``results`` unchanged if valid, else None (see the class docstring)."""
        problem = self.find_problem(results)
        if problem is None:
            return results
        print_log(f'CheckSOTSample: rejecting sample of video {results.get("video_name", "?")} '
                  f'(frames {sorted(set(results.get("frame_id", [])))}): {problem}',
                  logger='current', level=logging.DEBUG)
        return None

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(stride={self.stride}, '
                f'min_box_size={self.min_box_size})')
