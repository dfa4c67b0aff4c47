"""The script of one generated video: :class:`VideoPlan` and :func:`plan_video`.

A plan holds every per-frame parameter of a video (camera, target, distractors, occluder,
lighting), drawn once from the video's own random stream. Rendering a frame
(:func:`~.render.render_frame`) is then a pure function of ``(plan, frame index)``, so any frame
can be re-rendered on its own, e.g. by the tests.

What happens in a video:

* the camera pans and zooms slowly over a background photo;
* the target (a cut-out of another photo) moves along a smooth random path, changes scale
  (about x0.7 .. x1.4) and aspect (about x0.8 .. x1.2), rotates by up to 15 degrees, and its
  lighting, colour temperature and blur change gradually; the whole frame's brightness drifts;
* with ``out_of_view_prob`` it leaves the view across the nearest border, stays out for 5 .. 16
  frames and comes back;
* with ``occlusion_prob`` a patch of another photo (a board, an ellipse or a horse silhouette)
  passes over it, hiding it partly or completely;
* with ``distractor_prob`` 1 .. ``max_distractors`` look-alikes (the same cut-out with shifted
  hue, saturation, brightness and size) move around it, drawn behind it; they stay when the
  target leaves the view.

The first frame always shows the target whole (inside the image, not occluded), as GOT-10k's
initialisation frames do.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from .motion import episode_envelope, smooth_signal
from .photos import (BACKGROUNDS, CUTOUTS, OCCLUDER_SHAPES, OCCLUDER_TEXTURES, PHOTO_SOURCES,
                     PhotoLibrary)
from .spec import SPLITS, BenchmarkSpec

# Ranges of the gradual changes (natural log for scale, aspect and lighting gain).
_LOG_SCALE_RANGE = 0.35
_LOG_ASPECT_RANGE = 0.2
_MAX_ROTATION_DEG = 15.0
_LOG_GAIN_RANGE = 0.3
_COLOUR_TEMPERATURE_RANGE = 0.08
_LOG_ILLUMINATION_RANGE = 0.12
# The target's box never exceeds this fraction of the shorter image side.
_MAX_EXTENT_FRAC = 0.6
# Frames in the video from which episodes (leaving the view, occlusion) may start.
_FIRST_EPISODE_FRAC = 0.2
#: Frames per second written in ``meta_info.ini`` (GOT-10k annotates at 10 Hz).
ANNO_FPS = 10


@dataclass
class LayerTrack:
    """Per-frame pose and appearance of a pasted cut-out (the target or a distractor).

    Attributes:
        cutout (int): Index in :data:`~.photos.CUTOUTS`.
        colour_change (tuple | None): (hue shift deg, saturation gain, value gain) of a
            look-alike; None for the target.
        centre_xy (np.ndarray): (L, 2) position of the cut-out's centre, frame pixels.
        scale_xy (np.ndarray): (L, 2) frame pixels per cut-out pixel, along the cut-out's axes.
        angle_deg (np.ndarray): (L,) rotation, degrees.
        gain_bgr (np.ndarray): (L, 3) multiplicative lighting of the cut-out's colours.
        blur_sigma (np.ndarray): (L,) Gaussian blur of the cut-out's colours, pixels (0 = none).
    """

    cutout: int
    colour_change: Optional[Tuple[float, float, float]]
    centre_xy: np.ndarray
    scale_xy: np.ndarray
    angle_deg: np.ndarray
    gain_bgr: np.ndarray
    blur_sigma: np.ndarray


@dataclass
class OccluderTrack:
    """An occluder passing in front of the target.

    Attributes:
        texture (int): Index in :data:`~.photos.OCCLUDER_TEXTURES`.
        shape (str): One of :data:`~.photos.OCCLUDER_SHAPES`.
        size_wh (tuple[int, int]): On-screen size (width, height) before rotation, pixels.
        crop_frac_xy (tuple[float, float]): Where its patch is taken in the texture.
        angle_deg (float): Rotation, degrees.
        centre_xy (np.ndarray): (L, 2) position of its centre, frame pixels.
        crossing_frame (int): Frame at which its centre crosses the target's centre.
    """

    texture: int
    shape: str
    size_wh: Tuple[int, int]
    crop_frac_xy: Tuple[float, float]
    angle_deg: float
    centre_xy: np.ndarray
    crossing_frame: int


@dataclass
class VideoPlan:
    """Everything needed to render every frame of one video.

    Attributes:
        name (str): GOT-10k sequence name, e.g. ``GOT-10k_Val_000001``.
        split (str): ``'train'`` or ``'val'``.
        index (int): 0-based index of the video in its split.
        num_frames (int): L.
        image_size (tuple[int, int]): Frame (width, height).
        background (int): Index in :data:`~.photos.BACKGROUNDS`.
        camera_centre_xy (np.ndarray): (L, 2) background point at the frame centre, pixels of
            the (shrunk) background photo.
        camera_zoom (np.ndarray): (L,) background pixels per frame pixel.
        target (LayerTrack): The tracked object.
        distractors (list[LayerTrack]): Look-alikes, drawn behind the target.
        occluder (OccluderTrack | None): Occluder, drawn in front of the target.
        illumination (np.ndarray): (L,) gain of the whole frame.
        noise_std (float): Std of the Gaussian sensor noise, grey levels.
        noise_seed (int): Seed of the per-frame noise.
        out_of_view_frames (tuple[int, int] | None): First and last frame (inclusive) of the
            stretch where the path keeps the target entirely outside the image.
        meta (dict[str, str]): Fields of ``meta_info.ini``, in GOT-10k order.
    """

    name: str
    split: str
    index: int
    num_frames: int
    image_size: Tuple[int, int]
    background: int
    camera_centre_xy: np.ndarray
    camera_zoom: np.ndarray
    target: LayerTrack
    distractors: List[LayerTrack]
    occluder: Optional[OccluderTrack]
    illumination: np.ndarray
    noise_std: float
    noise_seed: int
    out_of_view_frames: Optional[Tuple[int, int]]
    meta: Dict[str, str] = field(default_factory=dict)


def sequence_name(split: str, index: int) -> str:
    """GOT-10k name of the ``index``-th (0-based) video of ``split``: ``GOT-10k_Train_000001``."""
    return f'GOT-10k_{split.capitalize()}_{index + 1:06d}'


def video_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The random stream of one video; independent of every other video of the benchmark."""
    return np.random.default_rng(np.random.SeedSequence([seed, SPLITS.index(split), index]))


def plan_video(spec: BenchmarkSpec, split: str, index: int, library: PhotoLibrary) -> VideoPlan:
    """Draw the script of video ``index`` of ``split``.

    Args:
        spec (BenchmarkSpec): The benchmark.
        split (str): ``'train'`` or ``'val'``.
        index (int): 0-based video index in the split.
        library (PhotoLibrary): Photos (the target's size in its photo matters).

    Returns:
        VideoPlan: The video's script; deterministic in ``(spec, split, index)``.
    """
    rng = video_rng(spec.seed, split, index)
    width, height = spec.image_size
    lo, hi = spec.frame_range(split)
    num = int(rng.integers(lo, hi + 1))
    t = np.arange(num, dtype=np.float64)

    cutout, background = _pick_content(rng, spec.seed, split, index)

    # --- target geometry: scale, aspect, rotation -> half extents of its rotated box.
    mask_w, mask_h = library.target_sprite(cutout).mask_size_wh
    size0 = np.exp(rng.uniform(*np.log(spec.object_size)))
    log_scale = _LOG_SCALE_RANGE * _from_zero(smooth_signal(rng, num, 60, 300))
    log_aspect = _LOG_ASPECT_RANGE * _from_zero(smooth_signal(rng, num, 60, 300))
    angle = _MAX_ROTATION_DEG * smooth_signal(rng, num, 50, 250)
    scale = size0 / np.sqrt(mask_w * mask_h) * np.exp(log_scale)
    scale_xy = np.stack([scale * np.exp(log_aspect / 2), scale * np.exp(-log_aspect / 2)], 1)
    extent_wh = scale_xy * (mask_w, mask_h)
    scale_xy *= min(1.0, _MAX_EXTENT_FRAC * min(width, height) / extent_wh.max())
    half_x, half_y = _half_extents(scale_xy * (mask_w, mask_h), angle)

    # --- path: smooth wander over the image; some videos brush the borders (cut_by_image).
    overshoot = rng.uniform(1.0, 1.3) if rng.random() < 0.3 else 1.0
    centre = np.empty((num, 2))
    for axis, (side, half) in enumerate(((width, half_x), (height, half_y))):
        room = max(0.0, side / 2.0 - half.max() - 2.0) * overshoot
        path = side / 2.0 + room * smooth_signal(rng, num, 40, 240)
        # Frame 0 whole and inside; the correction fades out over ~10 frames.
        safe = np.clip(path[0], half[0] + 2.0, side - half[0] - 2.0)
        centre[:, axis] = path + (safe - path[0]) * np.exp(-t / 6.0)
    base_centre = centre.copy()

    # --- leaving the view for a while.
    out_of_view = None
    if rng.random() < spec.out_of_view_prob:
        out_of_view = _leave_view(rng, centre, half_x, half_y, (width, height))

    # --- occluder passing over the target.
    occluder = None
    if rng.random() < spec.occlusion_prob:
        occluder = _plan_occluder(rng, centre, half_x, half_y, out_of_view, spec.image_size)

    # --- appearance: lighting, colour temperature, blur of the target; scene illumination.
    gain = np.exp(_LOG_GAIN_RANGE * smooth_signal(rng, num, 40, 200))
    warmth = _COLOUR_TEMPERATURE_RANGE * smooth_signal(rng, num, 60, 300)
    gain_bgr = gain[:, None] * np.stack([1 - warmth, np.ones(num), 1 + warmth], 1)
    blur = np.clip(2.4 * smooth_signal(rng, num, 30, 150) - 0.8, 0.0, None)
    illumination = np.exp(_LOG_ILLUMINATION_RANGE * smooth_signal(rng, num, 80, 300))
    target = LayerTrack(cutout, None, centre, scale_xy, angle, gain_bgr, blur)

    # --- look-alike distractors orbiting the target's (in-view) path.
    distractors = []
    if rng.random() < spec.distractor_prob:
        for _ in range(int(rng.integers(1, spec.max_distractors + 1))):
            distractors.append(
                _plan_distractor(rng, target, base_centre, 2 * np.sqrt(half_x * half_y)))

    camera_centre, camera_zoom = _plan_camera(
        rng, num, library.backdrop(BACKGROUNDS[background], spec.image_size).shape[:2],
        spec.image_size)
    noise_std = float(rng.uniform(1.0, 4.0))
    noise_seed = int(rng.integers(2**31))

    plan = VideoPlan(
        name=sequence_name(split, index), split=split, index=index, num_frames=num,
        image_size=spec.image_size, background=background, camera_centre_xy=camera_centre,
        camera_zoom=camera_zoom, target=target, distractors=distractors, occluder=occluder,
        illumination=illumination, noise_std=noise_std, noise_seed=noise_seed,
        out_of_view_frames=out_of_view)
    plan.meta = _meta_info(plan, half_x + half_y)
    return plan


def _pick_content(rng: np.random.Generator, seed: int, split: str, index: int) -> Tuple[int, int]:
    """Target cut-out and background of a video.

    Object classes and backgrounds are dealt from shuffled decks (one per split), so that even
    a handful of videos covers every class and many backgrounds; the video's own stream picks
    among the cut-outs of its class (the three coins). The background never comes from the
    target's photo.

    Returns:
        tuple[int, int]: Indices in :data:`~.photos.CUTOUTS` and :data:`~.photos.BACKGROUNDS`.
    """
    deck_rng = np.random.default_rng(np.random.SeedSequence([seed, SPLITS.index(split)]))
    classes = list(dict.fromkeys(cut.object_class for cut in CUTOUTS))
    class_deck = deck_rng.permutation(len(classes))
    background_deck = deck_rng.permutation(len(BACKGROUNDS))
    members = [i for i, cut in enumerate(CUTOUTS)
               if cut.object_class == classes[class_deck[index % len(classes)]]]
    cutout = members[int(rng.integers(len(members)))]
    for step in range(len(BACKGROUNDS)):
        background = int(background_deck[(index + step) % len(BACKGROUNDS)])
        if BACKGROUNDS[background].photo != CUTOUTS[cutout].photo:
            return cutout, background
    raise AssertionError('every background shares the photo of the target')


def _from_zero(signal: np.ndarray) -> np.ndarray:
    """Shift a [-1, 1] signal so that it starts at 0, keeping it within [-1, 1]."""
    shifted = signal - signal[0]
    return shifted / max(1.0, np.abs(shifted).max())


def _half_extents(extent_wh: np.ndarray, angle_deg: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Half width / height of the axis-aligned box of rotated (L, 2) rectangles."""
    cos, sin = np.abs(np.cos(np.deg2rad(angle_deg))), np.abs(np.sin(np.deg2rad(angle_deg)))
    w, h = extent_wh[:, 0], extent_wh[:, 1]
    return 0.5 * (w * cos + h * sin), 0.5 * (w * sin + h * cos)


def _leave_view(rng: np.random.Generator, centre: np.ndarray, half_x: np.ndarray,
                half_y: np.ndarray, image_wh: Tuple[int, int]) -> Optional[Tuple[int, int]]:
    """Add an excursion outside the image to ``centre`` (in place).

    Returns:
        tuple[int, int] | None: First and last frame during which the target is entirely
        outside the image, or None if the video is too short for an excursion.
    """
    num = len(centre)
    ramp, hold = int(rng.integers(4, 9)), int(rng.integers(4, 16))
    first, last = max(8, int(_FIRST_EPISODE_FRAC * num)), num - 2 * ramp - hold - 3
    if last <= first:
        return None
    start = int(rng.integers(first, last))
    plateau = np.arange(start + ramp, start + ramp + hold + 1)
    width, height = image_wh
    x, y = centre[plateau, 0], centre[plateau, 1]
    # Distance to move so that the whole rotated box is >= 2 px past each border.
    needed = {(-1, 0): x + half_x[plateau], (1, 0): width - x + half_x[plateau],
              (0, -1): y + half_y[plateau], (0, 1): height - y + half_y[plateau]}
    direction = min(needed, key=lambda d: needed[d].max())  # exit through the nearest border
    distance = needed[direction].max() + 2.0
    centre += np.outer(episode_envelope(num, start, ramp, hold), direction) * distance
    return int(plateau[0]), int(plateau[-1])


def _plan_occluder(rng: np.random.Generator, centre: np.ndarray, half_x: np.ndarray,
                   half_y: np.ndarray, out_of_view: Optional[Tuple[int, int]],
                   image_wh: Tuple[int, int]) -> Optional[OccluderTrack]:
    """An occluder crossing the target's path; None if no crossing time fits the video."""
    num = len(centre)
    extent_w, extent_h = 2 * half_x.mean(), 2 * half_y.mean()
    along, across = rng.uniform(0.6, 2.0), rng.uniform(1.0, 2.4)
    horizontal = rng.random() < 0.7
    if horizontal:
        size = (along * extent_w, across * extent_h)
        direction = np.array([rng.choice([-1.0, 1.0]), 0.0])
    else:
        size = (across * extent_w, along * extent_h)
        direction = np.array([0.0, rng.choice([-1.0, 1.0])])
    size_wh = (max(8, int(round(size[0]))), max(8, int(round(size[1]))))
    # Contact lasts about 2 * half_contact frames; it never reaches frame 0.
    half_contact = rng.uniform(5.0, 12.0)
    radius = 0.5 * np.hypot(*size_wh) + np.hypot(half_x, half_y).max()
    speed = radius / half_contact
    first = max(int(np.ceil(half_contact)) + 2, int(_FIRST_EPISODE_FRAC * num))
    frames = np.arange(first, num - 2)
    if out_of_view is not None:  # keep the two episodes apart
        margin = int(np.ceil(half_contact)) + 2
        frames = frames[(frames < out_of_view[0] - margin) | (frames > out_of_view[1] + margin)]
    if frames.size == 0:
        return None
    crossing = int(frames[rng.integers(frames.size)])
    normal = np.array([-direction[1], direction[0]])
    offset = rng.uniform(-0.25, 0.25) * (extent_h if horizontal else extent_w)
    t = np.arange(num, dtype=np.float64)
    occ_centre = (centre + np.outer(t - crossing, direction) * speed + normal * offset)
    return OccluderTrack(
        texture=int(rng.integers(len(OCCLUDER_TEXTURES))),
        shape=str(OCCLUDER_SHAPES[rng.integers(len(OCCLUDER_SHAPES))]),
        size_wh=size_wh, crop_frac_xy=(float(rng.random()), float(rng.random())),
        angle_deg=float(rng.uniform(-10.0, 10.0)), centre_xy=occ_centre, crossing_frame=crossing)


def _plan_distractor(rng: np.random.Generator, target: LayerTrack, base_centre: np.ndarray,
                     target_size: np.ndarray) -> LayerTrack:
    """A recoloured, rescaled copy of the target circling its in-view path.

    Args:
        rng (np.random.Generator): Source of randomness.
        target (LayerTrack): The target.
        base_centre (np.ndarray): (L, 2) target path without the out-of-view excursion.
        target_size (np.ndarray): (L,) target size ``sqrt(w * h)`` of its box, pixels.
    """
    num = len(base_centre)
    colour = (float(rng.choice([-1.0, 1.0]) * rng.uniform(25.0, 70.0)),
              float(rng.uniform(0.7, 1.4)), float(rng.uniform(0.75, 1.25)))
    # Centre distance 1.3 .. 3 target sizes, going round the target back and forth.
    radius = target_size * (1.3 + 0.85 * (1.0 + smooth_signal(rng, num, 60, 300)))
    phase = rng.uniform(0.0, 2.0 * np.pi) + np.pi * smooth_signal(rng, num, 80, 400)
    orbit = np.stack([np.cos(phase), np.sin(phase)], 1) * radius[:, None]
    return LayerTrack(
        cutout=target.cutout, colour_change=colour, centre_xy=base_centre + orbit,
        scale_xy=target.scale_xy * rng.uniform(0.75, 1.3),
        angle_deg=_MAX_ROTATION_DEG * smooth_signal(rng, num, 50, 250),
        gain_bgr=target.gain_bgr * rng.uniform(0.9, 1.1), blur_sigma=target.blur_sigma)


def _plan_camera(rng: np.random.Generator, num: int, photo_hw: Tuple[int, int],
                 image_wh: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Slow pan and zoom over a background photo of size ``photo_hw``."""
    photo_h, photo_w = photo_hw
    width, height = image_wh
    max_zoom = 0.97 * min(photo_w / width, photo_h / height)
    zoom = np.clip(rng.uniform(0.6, max(0.6, max_zoom)) *
                   np.exp(0.1 * smooth_signal(rng, num, 80, 400)), 0.3, max_zoom)
    centre = np.empty((num, 2))
    for axis, (photo_side, side) in enumerate(((photo_w, width), (photo_h, height))):
        room = np.maximum(0.0, photo_side / 2.0 - zoom * side / 2.0)
        centre[:, axis] = photo_side / 2.0 + 0.9 * room * smooth_signal(rng, num, 80, 400)
    return centre, zoom


def _meta_info(plan: VideoPlan, size: np.ndarray) -> Dict[str, str]:
    """``meta_info.ini`` fields of a plan, in the order GOT-10k writes them."""
    cut = CUTOUTS[plan.target.cutout]
    speed = np.linalg.norm(np.diff(plan.target.centre_xy, axis=0), axis=1) / size[1:]
    adverb = 'slowly' if np.median(speed) < 0.05 else 'fast' if np.median(speed) > 0.15 \
        else 'steadily'
    seconds = plan.num_frames // ANNO_FPS
    return {
        'url': PHOTO_SOURCES[cut.photo].url,
        'begin_time': '00:00:00',
        'end_time': f'{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}',
        'anno_fps': f'{ANNO_FPS}Hz',
        'object_class': cut.object_class,
        'motion_class': 'gliding',
        'major_class': cut.major_class,
        'root_class': cut.root_class,
        'motion_adverb': adverb,
        'resolution': f'({plan.image_size[0]}, {plan.image_size[1]})',
    }
