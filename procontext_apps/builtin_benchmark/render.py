"""Rendering a frame of a :class:`~.scene.VideoPlan`, and the GOT-10k labels of that frame.

Layers, back to front: background (camera view of a photo), distractors, target, occluder;
then the scene illumination and sensor noise. The labels are computed from the target's
alpha as pasted and the occluder's alpha, never from the plan's nominal geometry, so they
describe exactly what is in the picture:

* **box** (``groundtruth.txt``): the axis-aligned extent of the target's mask pixels
  (alpha >= 0.5) that lie inside the image, as ``x, y, w, h`` in 0-based pixel-edge
  coordinates (the box covers pixel columns ``x .. x + w - 1``); occluded parts of the target
  still count (the box says where the object is; ``cover`` says how much of it is seen). The
  box is ``-1, -1, -1, -1`` when the target is absent, as GOT-10k writes it.
* **visible fraction**: target mask pixels inside the image and not under the occluder's mask,
  divided by all target mask pixels (inside the image or not).
* **absence** = 1 iff the visible fraction is 0 (out of view, or fully occluded).
* **cover**: the visible fraction in GOT-10k's 9 levels: 0 = 0 %, 1 = (0, 15 %],
  2 = (15, 30 %], ..., 6 = (75, 90 %], 7 = (90, 100 %), 8 = 100 %.
* **cut_by_image** = 1 iff the target is present and part of its mask lies outside the image.
"""
import functools
from dataclasses import dataclass
from typing import Tuple

import cv2
import numpy as np

from .photos import BACKGROUNDS, PhotoLibrary
from .scene import LayerTrack, VideoPlan
from .sprites import MASK_ALPHA, SpriteWindow, paste, warp_sprite

#: Box written for a frame where the target is absent (GOT-10k's convention).
ABSENT_BBOX_XYWH = (-1.0, -1.0, -1.0, -1.0)

# Sensor noise: windows of one noise field per video, shifted by up to 2 * margin pixels.
_NOISE_MARGIN = 16


@dataclass
class RenderedFrame:
    """A rendered frame and the layers the labels are computed from.

    Attributes:
        image (np.ndarray): (H, W, 3) uint8 BGR frame, as written to the JPEG file.
        target_alpha (np.ndarray): (H, W) float32 alpha of the target as pasted (0 where it is
            not), before the occluder.
        occluder_alpha (np.ndarray): (H, W) float32 alpha of the occluder (zeros if none).
        target_pixels (int): Number of target mask pixels (alpha >= 0.5) wherever they fall,
            inside the image or outside it.
    """

    image: np.ndarray
    target_alpha: np.ndarray
    occluder_alpha: np.ndarray
    target_pixels: int


@dataclass(frozen=True)
class FrameLabel:
    """GOT-10k labels of one frame (see the module docstring for the exact rules).

    Attributes:
        bbox_xywh (tuple[float, float, float, float]): Box (x, y, w, h), 0-based pixels;
            :data:`ABSENT_BBOX_XYWH` when absent.
        absent (bool): ``absence.label``.
        cover (int): ``cover.label``, 0 .. 8.
        cut_by_image (bool): ``cut_by_image.label``.
        visible_fraction (float): Visible fraction of the target's mask, in [0, 1].
    """

    bbox_xywh: Tuple[float, float, float, float]
    absent: bool
    cover: int
    cut_by_image: bool
    visible_fraction: float


def render_frame(plan: VideoPlan, frame: int, library: PhotoLibrary,
                 with_target: bool = True) -> RenderedFrame:
    """Render frame ``frame`` (0-based) of a video.

    Args:
        plan (VideoPlan): The video's script.
        frame (int): 0-based frame index.
        library (PhotoLibrary): Photos.
        with_target (bool): False leaves the target out (everything else identical, noise
            included), e.g. to see which pixels the target changed. Defaults to True.

    Returns:
        RenderedFrame: The image and the layers the labels come from.
    """
    width, height = plan.image_size
    canvas = _camera_view(plan, frame, library)
    for distractor in plan.distractors:
        paste(canvas, _layer_window(distractor, frame, library))
    target_alpha = np.zeros((height, width), np.float32)
    target = _layer_window(plan.target, frame, library)
    if with_target:
        paste(canvas, target, target_alpha)
    occluder_alpha = np.zeros((height, width), np.float32)
    occ = plan.occluder
    if occ is not None:
        sprite = library.occluder_sprite(occ.texture, occ.shape, occ.size_wh, occ.crop_frac_xy,
                                         plan.image_size)
        paste(canvas, warp_sprite(sprite, occ.centre_xy[frame], (1.0, 1.0), occ.angle_deg),
              occluder_alpha)
    canvas *= plan.illumination[frame]
    canvas += _sensor_noise(plan, frame)
    np.clip(canvas, 0.0, 255.0, out=canvas)
    image = (canvas + 0.5).astype(np.uint8)  # round to nearest
    return RenderedFrame(image, target_alpha, occluder_alpha,
                         target.mask_pixels() if with_target else 0)


def label_frame(rendered: RenderedFrame) -> FrameLabel:
    """GOT-10k labels of a rendered frame.

    Args:
        rendered (RenderedFrame): Output of :func:`render_frame` (with the target).

    Returns:
        FrameLabel: Box, absence, cover, cut-by-image and visible fraction.
    """
    in_image = rendered.target_alpha >= MASK_ALPHA
    visible = np.count_nonzero(in_image & (rendered.occluder_alpha < MASK_ALPHA))
    total = rendered.target_pixels
    if visible == 0:
        return FrameLabel(ABSENT_BBOX_XYWH, True, 0, False, 0.0)
    rows = np.flatnonzero(in_image.any(axis=1))
    cols = np.flatnonzero(in_image.any(axis=0))
    x1, y1 = int(cols[0]), int(rows[0])
    bbox = (float(x1), float(y1), float(cols[-1] + 1 - x1), float(rows[-1] + 1 - y1))
    cut = bool(np.count_nonzero(in_image) < total)
    return FrameLabel(bbox, False, cover_level(visible, total), cut, visible / total)


def cover_level(visible_pixels: int, total_pixels: int) -> int:
    """GOT-10k ``cover`` level (0 .. 8) of a visible fraction ``visible / total``.

    0 = 0 %, k = ((k - 1) * 15 %, k * 15 %] for k = 1 .. 6, 7 = (90 %, 100 %), 8 = 100 %.
    Integer arithmetic, so that boundary fractions fall on the documented side.

    Args:
        visible_pixels (int): Visible pixels (0 .. total).
        total_pixels (int): All pixels of the object (> 0).
    """
    if not 0 <= visible_pixels <= total_pixels or total_pixels <= 0:
        raise ValueError(f'Bad pixel counts: visible {visible_pixels} of {total_pixels}.')
    if visible_pixels == 0:
        return 0
    if visible_pixels == total_pixels:
        return 8
    for level in range(1, 7):  # visible / total <= 0.15 * level, in integers
        if 20 * visible_pixels <= 3 * level * total_pixels:
            return level
    return 7


@functools.lru_cache(maxsize=2)
def _noise_field(seed: int, height: int, width: int) -> np.ndarray:
    """(height + 2 * _NOISE_MARGIN, width + 2 * _NOISE_MARGIN, 3) float32 standard normal noise.

    Drawing fresh Gaussian noise for every frame would be the slowest step of rendering; a
    video draws one field and every frame takes a randomly shifted window of it.
    """
    shape = (height + 2 * _NOISE_MARGIN, width + 2 * _NOISE_MARGIN, 3)
    field = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
    field.flags.writeable = False
    return field


def _sensor_noise(plan: VideoPlan, frame: int) -> np.ndarray:
    """(H, W, 3) float32 noise of ``frame``: a window of the video's noise field, scaled."""
    width, height = plan.image_size
    dx, dy = np.random.default_rng([plan.noise_seed, frame]).integers(0, 2 * _NOISE_MARGIN + 1, 2)
    return _noise_field(plan.noise_seed, height, width)[dy:dy + height, dx:dx + width] * \
        np.float32(plan.noise_std)


def _camera_view(plan: VideoPlan, frame: int, library: PhotoLibrary) -> np.ndarray:
    """(H, W, 3) float32 background: the camera's view of the background photo."""
    width, height = plan.image_size
    photo = library.backdrop(BACKGROUNDS[plan.background], plan.image_size)
    zoom = float(plan.camera_zoom[frame])
    cx, cy = plan.camera_centre_xy[frame]
    # frame pixel u <- photo point centre + zoom * (u - (W - 1) / 2)
    matrix = np.array([[zoom, 0.0, cx - zoom * (width - 1) / 2.0],
                       [0.0, zoom, cy - zoom * (height - 1) / 2.0]])
    view = cv2.warpAffine(photo, matrix, (width, height),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REFLECT_101)
    return view.astype(np.float32)


def _layer_window(layer: LayerTrack, frame: int, library: PhotoLibrary) -> SpriteWindow:
    """The cut-out of a layer, placed, lit and blurred as at ``frame``."""
    sprite = library.target_sprite(layer.cutout, layer.colour_change)
    window = warp_sprite(sprite, layer.centre_xy[frame], layer.scale_xy[frame],
                         float(layer.angle_deg[frame]))
    window.bgr *= layer.gain_bgr[frame].astype(np.float32)
    sigma = float(layer.blur_sigma[frame])
    if sigma > 0.05:
        window.bgr = cv2.GaussianBlur(window.bgr, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    return window
