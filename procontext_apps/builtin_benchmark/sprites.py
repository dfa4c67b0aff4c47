"""Cut-outs with an alpha matte, warped and pasted onto a frame.

Coordinates are pixels, 0-based, with pixel ``(i, j)`` (row, column) centred at ``x = j``,
``y = i`` and covering ``[j - 0.5, j + 0.5)`` (OpenCV's ``warpAffine`` convention). A pasted
cut-out's **mask** is the set of frame pixels where its warped alpha is >= 0.5 (:data:`MASK_ALPHA`);
its box in the GOT-10k files is the axis-aligned extent of those pixels.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import cv2
import numpy as np

#: A pixel belongs to a pasted cut-out's mask when the cut-out's alpha there is >= this.
MASK_ALPHA = 0.5

#: Smallest side of the coarsest pyramid level of a sprite.
_MIN_LEVEL_SIDE = 8


@dataclass(frozen=True)
class Sprite:
    """A cut-out: colour and alpha matte, kept at several resolutions (an image pyramid).

    Use :meth:`from_image` to build one. Level ``k`` is level ``k - 1`` halved with area
    averaging, so a strongly shrunk paste samples a level close to its final size instead of
    aliasing the full-resolution image.

    Attributes:
        bgr_levels (tuple[np.ndarray]): Per level, (h_k, w_k, 3) float32 BGR in [0, 255].
        alpha_levels (tuple[np.ndarray]): Per level, (h_k, w_k) float32 alpha in [0, 1].
        mask_size_wh (tuple[float, float]): Width and height, level-0 pixels, of the extent of
            the level-0 mask (alpha >= :data:`MASK_ALPHA`).
    """

    bgr_levels: Tuple[np.ndarray, ...]
    alpha_levels: Tuple[np.ndarray, ...]
    mask_size_wh: Tuple[float, float]

    @classmethod
    def from_image(cls, bgr: np.ndarray, alpha: np.ndarray) -> 'Sprite':
        """Build a sprite from a full-resolution colour image and alpha matte.

        Args:
            bgr (np.ndarray): (h, w, 3) BGR image, uint8 or float in [0, 255].
            alpha (np.ndarray): (h, w) alpha in [0, 1]; should be 0 along the border.

        Raises:
            ValueError: If the shapes disagree or the mask is empty.
        """
        if bgr.shape[:2] != alpha.shape or bgr.ndim != 3:
            raise ValueError(f'Sprite image {bgr.shape} and alpha {alpha.shape} disagree.')
        rows, cols = np.nonzero(alpha >= MASK_ALPHA)
        if rows.size == 0:
            raise ValueError('Sprite alpha has no pixel >= MASK_ALPHA.')
        bgr_levels = [np.ascontiguousarray(bgr, dtype=np.float32)]
        alpha_levels = [np.ascontiguousarray(alpha, dtype=np.float32)]
        while min(alpha_levels[-1].shape) >= 2 * _MIN_LEVEL_SIDE:
            h, w = alpha_levels[-1].shape
            size = ((w + 1) // 2, (h + 1) // 2)
            bgr_levels.append(cv2.resize(bgr_levels[-1], size, interpolation=cv2.INTER_AREA))
            alpha_levels.append(cv2.resize(alpha_levels[-1], size, interpolation=cv2.INTER_AREA))
        mask_size_wh = (float(cols.max() - cols.min() + 1), float(rows.max() - rows.min() + 1))
        return cls(tuple(bgr_levels), tuple(alpha_levels), mask_size_wh)


@dataclass
class SpriteWindow:
    """A sprite warped into frame coordinates, stored in the smallest window that holds it.

    The window may extend beyond the frame (negative origin, or past the right / bottom edge).

    Attributes:
        bgr (np.ndarray): (h, w, 3) float32 colour.
        alpha (np.ndarray): (h, w) float32 alpha in [0, 1].
        x0 (int): Frame column of the window's left column.
        y0 (int): Frame row of the window's top row.
    """

    bgr: np.ndarray
    alpha: np.ndarray
    x0: int
    y0: int

    def mask_pixels(self) -> int:
        """Pixels of the mask (alpha >= :data:`MASK_ALPHA`), inside the frame or not."""
        return int(np.count_nonzero(self.alpha >= MASK_ALPHA))


def warp_sprite(sprite: Sprite, centre_xy: Tuple[float, float], scale_xy: Tuple[float, float],
                angle_deg: float) -> SpriteWindow:
    """Scale, rotate and place a sprite.

    The sprite's centre (the centre of its level-0 image) lands on ``centre_xy``; its own x
    and y axes are scaled by ``scale_xy`` (frame pixels per level-0 sprite pixel), then
    rotated by ``angle_deg`` (counter-clockwise on screen, i.e. with y pointing down).

    Args:
        sprite (Sprite): The cut-out.
        centre_xy (tuple[float, float]): Frame position (x, y) of the sprite's centre, pixels.
        scale_xy (tuple[float, float]): Scale along the sprite's x and y axes (> 0).
        angle_deg (float): Rotation, degrees.

    Returns:
        SpriteWindow: Colour and alpha in the frame-aligned window that holds the result.
    """
    sx, sy = float(scale_xy[0]), float(scale_xy[1])
    # Coarsest level whose resolution is still >= the output resolution along the longer axis.
    level = int(np.clip(np.floor(np.log2(1.0 / max(sx, sy))), 0, len(sprite.alpha_levels) - 1))
    bgr, alpha = sprite.bgr_levels[level], sprite.alpha_levels[level]
    h0, w0 = sprite.alpha_levels[0].shape
    h, w = alpha.shape
    # Level-k pixel -> frame: scale (level-k -> level-0 pixels, then scale_xy), rotate, move.
    theta = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    linear = rot @ np.diag([sx * w0 / w, sy * h0 / h])
    centre_src = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
    offset = np.asarray(centre_xy, dtype=np.float64) - linear @ centre_src
    corners = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [-0.5, h - 0.5], [w - 0.5, h - 0.5]])
    frame_corners = corners @ linear.T + offset
    x0, y0 = np.floor(frame_corners.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(frame_corners.max(axis=0)).astype(int) + 2
    matrix = np.hstack([linear, (offset - (x0, y0))[:, None]])
    size = (int(x1 - x0), int(y1 - y0))
    win_bgr = cv2.warpAffine(bgr, matrix, size, flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
    win_alpha = cv2.warpAffine(alpha, matrix, size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    return SpriteWindow(win_bgr, win_alpha, int(x0), int(y0))


def window_slices(window: SpriteWindow, frame_hw: Tuple[int, int]
                  ) -> Optional[Tuple[Tuple[slice, slice], Tuple[slice, slice]]]:
    """Where a window overlaps a frame.

    Args:
        window (SpriteWindow): The warped sprite.
        frame_hw (tuple[int, int]): Frame (height, width).

    Returns:
        tuple | None: ``(frame_rows, frame_cols), (window_rows, window_cols)`` slices of the
        overlap, or None if the window lies entirely outside the frame.
    """
    height, width = frame_hw
    h, w = window.alpha.shape
    fx0, fy0 = max(window.x0, 0), max(window.y0, 0)
    fx1, fy1 = min(window.x0 + w, width), min(window.y0 + h, height)
    if fx0 >= fx1 or fy0 >= fy1:
        return None
    return ((slice(fy0, fy1), slice(fx0, fx1)),
            (slice(fy0 - window.y0, fy1 - window.y0), slice(fx0 - window.x0, fx1 - window.x0)))


def paste(canvas: np.ndarray, window: SpriteWindow,
          alpha_canvas: Optional[np.ndarray] = None) -> None:
    """Alpha-composite a window over a frame, in place.

    Args:
        canvas (np.ndarray): (H, W, 3) float32 frame, modified in place.
        window (SpriteWindow): What to paste; parts outside the frame are dropped.
        alpha_canvas (np.ndarray, optional): (H, W) float32; if given, receives the window's
            alpha over the overlap (overwriting), so the caller knows where the paste landed.
    """
    overlap = window_slices(window, canvas.shape[:2])
    if overlap is None:
        return
    frame_sl, win_sl = overlap
    alpha = window.alpha[win_sl][..., None]
    region = canvas[frame_sl]
    region += alpha * (window.bgr[win_sl] - region)
    if alpha_canvas is not None:
        alpha_canvas[frame_sl] = window.alpha[win_sl]


def superellipse_alpha(size_wh: Tuple[int, int], semi_axes: Tuple[float, float],
                       exponent: float, feather: float = 2.0) -> np.ndarray:
    """Soft alpha of a centred superellipse ``|x / a|^p + |y / b|^p <= 1``.

    ``p = 2`` is an ellipse; larger ``p`` tends to a rectangle with rounded corners. Alpha is
    0.5 on the curve and ramps to 0 / 1 over ``feather`` pixels across it (measured along the
    shorter axis).

    Args:
        size_wh (tuple[int, int]): Output (width, height), pixels.
        semi_axes (tuple[float, float]): Semi-axes (a, b), pixels.
        exponent (float): p (>= 1).
        feather (float): Width of the soft edge, pixels. Defaults to 2.

    Returns:
        np.ndarray: (height, width) float32 alpha in [0, 1].
    """
    w, h = size_wh
    a, b = semi_axes
    xs = np.abs(np.arange(w, dtype=np.float64) - (w - 1) / 2.0) / a
    ys = np.abs(np.arange(h, dtype=np.float64) - (h - 1) / 2.0) / b
    radius = (xs[None, :]**exponent + ys[:, None]**exponent)**(1.0 / exponent)
    alpha = 0.5 + (1.0 - radius) * min(a, b) / feather
    return np.clip(alpha, 0.0, 1.0).astype(np.float32)
