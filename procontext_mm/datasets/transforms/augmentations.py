"""Augmentations of the crops of a SOT training sample, with joint or per-crop random draws.

The reference augments in two stages: a *joint* stage (one draw for all frames of a sample:
grayscale p=0.05, horizontal flip p=0.5) and a *per-crop* stage (a new draw for every crop:
brightness factor in [0.8, 1.2], horizontal flip p=0.5). Each transform here works on the list
of crops that ``SOTCropRegions`` writes and takes ``shared=True`` (one draw for all crops) or
``shared=False`` (one draw per crop), so both stages are expressed in the pipeline config.

Why not mmcv's ``RandomFlip`` / ``RandomGrayscale`` under ``TransformBroadcaster``: with
per-crop draws (``share_random_params=False``) the broadcaster cannot collate the outputs when
only some crops were flipped (``RandomFlip`` adds ``swap_seg_labels`` to flipped items only:
``KeyError``), and ``RandomGrayscale`` truncates a float weighted sum instead of OpenCV's rounded
luma. mmdet's ``Brightness`` rounds its factor to one decimal. The image operations themselves
are mmcv's (``imflip``, ``bgr2gray`` / ``gray2bgr``).

Randomness: ``np.random`` (seeded per worker by mmengine).
"""
from typing import Any, List

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from procontext_mm.registry import TRANSFORMS


class _CropAugmentation(BaseTransform):
    """Apply one random operation to every crop of ``results['img']``.

    Subclasses define :meth:`draw` (one random parameter) and :meth:`apply` (the operation on
    crop ``i`` given its parameter).

    Args:
        shared (bool): One draw for all crops of the sample (the reference's joint stage) or
            one per crop.
    """

    def __init__(self, shared: bool) -> None:
        self.shared = bool(shared)

    def draw(self) -> Any:
        raise NotImplementedError

    def apply(self, results: dict, index: int, param: Any) -> None:
        raise NotImplementedError

    def transform(self, results: dict) -> dict:
        """Draw the parameter(s) and apply them to every crop."""
        if 'img' not in results or not isinstance(results['img'], list):
            raise KeyError(f'{self.__class__.__name__} needs results["img"] to be the list of '
                           'crops that SOTCropRegions writes')
        num_crops = len(results['img'])
        params = [self.draw()] * num_crops if self.shared else [
            self.draw() for _ in range(num_crops)]
        for index, param in enumerate(params):
            self.apply(results, index, param)
        return results


class _BernoulliAugmentation(_CropAugmentation):
    """A crop augmentation applied with probability ``prob`` per draw.

    Args:
        prob (float): Probability of applying it, in [0, 1].
        shared (bool): One draw for all crops of the sample or one per crop.
    """

    def __init__(self, prob: float, shared: bool) -> None:
        super().__init__(shared)
        if not 0. <= prob <= 1.:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = float(prob)

    def draw(self) -> bool:
        return bool(np.random.rand() < self.prob)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob}, shared={self.shared})'


@TRANSFORMS.register_module()
class SOTGrayscale(_BernoulliAugmentation):
    """Turn crops to grayscale (kept as 3 equal channels) with probability ``prob``.

    Uses OpenCV's luma (``mmcv.bgr2gray``), as the reference's ``cv.cvtColor`` does.

    Required / modified keys: img (list of (S, S, 3) uint8 BGR crops).

    Args:
        prob (float): Probability. Defaults to 0.05.
        shared (bool): One draw for all crops. Defaults to True (the reference's joint stage).
    """

    def __init__(self, prob: float = 0.05, shared: bool = True) -> None:
        super().__init__(prob, shared)

    def apply(self, results: dict, index: int, param: bool) -> None:
        if param:
            results['img'][index] = mmcv.gray2bgr(mmcv.bgr2gray(results['img'][index]))


@TRANSFORMS.register_module()
class SOTHorizontalFlip(_BernoulliAugmentation):
    """Mirror crops left-right with probability ``prob``, with their boxes and padding masks.

    A box (x1, y1, x2, y2) in a crop of width W becomes (W - x2, y1, W - x1, y2) (continuous
    pixel coordinates; the reference's normalised ``1 - x`` flip). ``flip`` records, per crop,
    whether it ends up mirrored (two flips of one crop cancel).

    Required keys: img (list of (S, S, 3) crops), gt_bboxes (list of (1, 4) xyxy crop pixels).
    Modified keys: img, gt_bboxes, padding_mask (if present). Added keys: flip (list[bool]).

    Args:
        prob (float): Probability. Defaults to 0.5.
        shared (bool): One draw for all crops (templates and search mirrored together).
            Defaults to True (the reference's joint stage; its per-crop stage is
            ``shared=False``).
    """

    def __init__(self, prob: float = 0.5, shared: bool = True) -> None:
        super().__init__(prob, shared)

    def transform(self, results: dict) -> dict:
        results.setdefault('flip', [False] * len(results.get('img', [])))
        return super().transform(results)

    def apply(self, results: dict, index: int, param: bool) -> None:
        if not param:
            return
        crop = results['img'][index]
        width = crop.shape[1]
        results['img'][index] = np.ascontiguousarray(mmcv.imflip(crop, 'horizontal'))
        bboxes = np.array(results['gt_bboxes'][index], dtype=np.float32)
        x1, x2 = bboxes[..., 0].copy(), bboxes[..., 2].copy()
        bboxes[..., 0], bboxes[..., 2] = width - x2, width - x1
        results['gt_bboxes'][index] = bboxes
        if 'padding_mask' in results:
            results['padding_mask'][index] = np.ascontiguousarray(
                results['padding_mask'][index][:, ::-1])
        results['flip'][index] = not results['flip'][index]


@TRANSFORMS.register_module()
class SOTBrightnessJitter(_CropAugmentation):
    """Multiply crops by a factor drawn uniformly from ``[max(0, 1 - jitter), 1 + jitter]``.

    The reference's ``ToTensorAndJitter(0.2)``: a continuous factor, saturated to the pixel
    range; rounded back to uint8 here (the contract keeps crops uint8 until the data
    preprocessor).

    Required / modified keys: img (list of uint8 crops).

    Args:
        jitter (float): Half-width of the factor's range. Defaults to 0.2.
        shared (bool): One factor for all crops. Defaults to False (the reference draws one
            per crop).
    """

    def __init__(self, jitter: float = 0.2, shared: bool = False) -> None:
        super().__init__(shared)
        if jitter < 0:
            raise ValueError(f'jitter must be >= 0, got {jitter}')
        self.jitter = float(jitter)

    def draw(self) -> float:
        return float(np.random.uniform(max(0., 1. - self.jitter), 1. + self.jitter))

    def apply(self, results: dict, index: int, param: float) -> None:
        scaled = results['img'][index].astype(np.float32) * param
        results['img'][index] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(jitter={self.jitter}, shared={self.shared})'


def sot_augmentation_pipeline(grayscale_prob: float = 0.05, joint_flip_prob: float = 0.5,
                              brightness_jitter: float = 0.2,
                              crop_flip_prob: float = 0.5) -> List[dict]:
    """Config dicts of the reference's augmentation, in its order.

    1. joint (one draw per sample): grayscale with ``grayscale_prob``, horizontal flip with
       ``joint_flip_prob``;
    2. per crop: brightness factor in ``1 +- brightness_jitter``, horizontal flip with
       ``crop_flip_prob``.

    With the reference's 0.5 / 0.5 the two flips make every crop mirrored independently with
    probability 0.5: template and search crops are *not* mirrored together.

    Returns:
        list[dict]: transform configs to put between ``SOTCropRegions`` and ``CheckSOTSample``.
    """
    return [
        dict(type='SOTGrayscale', prob=grayscale_prob, shared=True),
        dict(type='SOTHorizontalFlip', prob=joint_flip_prob, shared=True),
        dict(type='SOTBrightnessJitter', jitter=brightness_jitter, shared=False),
        dict(type='SOTHorizontalFlip', prob=crop_flip_prob, shared=False),
    ]
