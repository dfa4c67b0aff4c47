"""Template memory: which template crops a tracker attends to, and when they are refreshed.

ProContEXT (Algorithm 1), OSTrack and STARK-like trackers differ only in this policy:

=============  ================  =================  ===============  ==========
policy         static factors    dynamic factors    update interval  threshold
=============  ================  =================  ===============  ==========
ProContEXT     (2.0, 4.0)        (2.0, 4.0)         100              0.7
OSTrack        (2.0,)            ()                 --               --
STARK-like     (2.0,)            (2.0,)             200              0.5
=============  ================  =================  ===============  ==========
"""
from typing import List, Optional, Sequence

import numpy as np

from procontext_mm.registry import TASK_UTILS, build_in_scope
from procontext_mm.structures import crop_square


@TASK_UTILS.register_module()
class TemplateMemory:
    """Static templates cropped from the first frame plus dynamic templates refreshed from
    confident predictions.

    Templates are ordered static crops (one per static factor), then dynamic crops (one per
    dynamic factor); the backbone receives them in this order. At initialisation a dynamic
    crop is a copy of the static crop with the same factor (Algorithm 1, line 5: D = S), or
    is cropped from the first frame when no static crop has its factor.

    Args:
        static_factors (Sequence[float]): Context factors K of the static crops.
            Defaults to (2.0, 4.0).
        dynamic_factors (Sequence[float]): Context factors of the dynamic crops; empty for a
            tracker that never updates. Defaults to (2.0, 4.0).
        template_size (int): Side of every template crop in pixels. Defaults to 192.
        update_interval (int, optional): Dynamic templates may be refreshed on frames whose
            index (0 = initial frame) is a multiple of this; None never refreshes them (they
            stay the first frame's crops, e.g. to measure what refreshing brings).
            Defaults to 100.
        score_threshold (float): ... if the confidence is strictly above this (tau).
            Defaults to 0.7.
    """

    def __init__(self,
                 static_factors: Sequence[float] = (2.0, 4.0),
                 dynamic_factors: Sequence[float] = (2.0, 4.0),
                 template_size: int = 192,
                 update_interval: Optional[int] = 100,
                 score_threshold: float = 0.7):
        if not static_factors:
            raise ValueError('TemplateMemory needs at least one static factor')
        if update_interval is not None and update_interval < 1:
            raise ValueError(f'update_interval must be >= 1 or None (never), got '
                             f'{update_interval}')
        self.static_factors = tuple(float(f) for f in static_factors)
        self.dynamic_factors = tuple(float(f) for f in dynamic_factors)
        self.template_size = template_size
        self.update_interval = update_interval
        self.score_threshold = score_threshold
        self._templates: List[np.ndarray] = []
        self.version = 0  # bumped whenever the crops change, so callers can cache tensors
        self.update_frames: List[int] = []

    @property
    def num_templates(self) -> int:
        """Number of template crops the backbone sees."""
        return len(self.static_factors) + len(self.dynamic_factors)

    @property
    def labels(self) -> List[str]:
        """Short label of each template crop, in the order of :attr:`templates`:
        ``S<factor>`` for a static crop, ``D<factor>`` for a dynamic one (``S2``, ``D4``)."""
        return ([f'S{f:g}' for f in self.static_factors]
                + [f'D{f:g}' for f in self.dynamic_factors])

    @property
    def templates(self) -> List[np.ndarray]:
        """Current crops, (template_size, template_size, 3) uint8 each, static then dynamic."""
        if not self._templates:
            raise RuntimeError('TemplateMemory.reset() must be called on the first frame')
        return self._templates

    def _crop_all(self, frame: np.ndarray, bbox_xywh: Sequence[float],
                  factors: Sequence[float]) -> List[np.ndarray]:
        return [crop_square(frame, bbox_xywh, f, self.template_size)[0] for f in factors]

    def reset(self, frame: np.ndarray, bbox_xywh: Sequence[float]) -> None:
        """Start a new video: crop the static templates and initialise the dynamic ones.

        Nothing from a previous video survives (the reference tracker keeps appending to its
        template list, so a re-initialised tracker kept the previous video's templates).

        Args:
            frame (np.ndarray): (H, W, 3) uint8 first frame.
            bbox_xywh: (x1, y1, w, h) initial box in image pixels.
        """
        static = self._crop_all(frame, bbox_xywh, self.static_factors)
        static_of = dict(zip(self.static_factors, static))
        dynamic = [
            static_of[f].copy() if f in static_of else self._crop_all(frame, bbox_xywh, [f])[0]
            for f in self.dynamic_factors
        ]
        self._templates = static + dynamic
        self.update_frames = []
        self.version += 1

    def should_update(self, frame_index: int, score: float) -> bool:
        """Algorithm 1, line 10: refresh on every ``update_interval``-th frame if confident.

        Args:
            frame_index (int): Index of the frame in the video (0 = initial frame).
            score (float): Confidence of the prediction on that frame (the maximum of the raw
                score map, before the Hann window; paper Eq. 6).
        """
        return (bool(self.dynamic_factors) and self.update_interval is not None
                and frame_index % self.update_interval == 0 and score > self.score_threshold)

    def update(self, frame: np.ndarray, bbox_xywh: Sequence[float], frame_index: int) -> None:
        """Algorithm 1, line 11: re-crop every dynamic template around the prediction."""
        num_static = len(self.static_factors)
        self._templates[num_static:] = self._crop_all(frame, bbox_xywh, self.dynamic_factors)
        self.update_frames.append(frame_index)
        self.version += 1

    def observe(self, frame: np.ndarray, bbox_xywh: Sequence[float], frame_index: int,
                score: float) -> bool:
        """Update the dynamic templates if the policy says so.

        Returns:
            bool: Whether the dynamic templates were refreshed on this frame.
        """
        if not self.should_update(frame_index, score):
            return False
        self.update(frame, bbox_xywh, frame_index)
        return True

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(static_factors={self.static_factors}, '
                f'dynamic_factors={self.dynamic_factors}, template_size={self.template_size}, '
                f'update_interval={self.update_interval}, score_threshold={self.score_threshold})')


def build_template_memory(cfg: Optional[dict]) -> TemplateMemory:
    """Build a :class:`TemplateMemory` (or a registered subclass) from a config dict."""
    cfg = dict(type='TemplateMemory') if cfg is None else dict(cfg)
    cfg.setdefault('type', 'TemplateMemory')
    return build_in_scope(TASK_UTILS, cfg)
