"""What a tracker did on a video: per-frame steps and the whole result."""
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

import numpy as np


@dataclass
class TrackStep:
    """What a tracker did on one frame.

    Attributes:
        index (int): 0-based frame index.
        bbox_xyxy (list[float]): Box x1, y1, x2, y2 in pixels (the initial box on frame 0).
        score (float): Confidence (maximum of the raw score map); -1 on frame 0.
        refreshed (bool): Whether the dynamic templates were refreshed on this frame.
        templates (list[np.ndarray] | None): The tracker's template crops after this frame,
            uint8 (h, w, 3) BGR (static then dynamic); None for a tracker without templates.
        track_time (float): Seconds spent in ``init`` / ``track``.
    """
    index: int
    bbox_xyxy: List[float]
    score: float
    refreshed: bool = False
    templates: Optional[List[np.ndarray]] = None
    track_time: float = 0.


@dataclass
class TrackingResult:
    """A tracker's output on a whole video.

    Attributes:
        bboxes_xyxy (np.ndarray): (N, 4) float32 boxes x1, y1, x2, y2 in pixels.
        scores (np.ndarray): (N,) float32 confidences, -1 on frame 0.
        update_frames (list[int]): Frames where the dynamic templates were refreshed.
        template_snapshots (dict[int, list[np.ndarray]]): Frame index -> template crops in
            effect from that frame on (frame 0 and every update frame); empty for a tracker
            without templates.
        template_labels (list[str] | None): Label of each template crop (``S2``, ``D4``...).
        track_times (np.ndarray): (N,) seconds spent per frame.
    """
    bboxes_xyxy: np.ndarray
    scores: np.ndarray
    update_frames: List[int] = field(default_factory=list)
    template_snapshots: Dict[int, List[np.ndarray]] = field(default_factory=dict)
    template_labels: Optional[List[str]] = None
    track_times: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @classmethod
    def from_steps(cls, steps: Iterable[TrackStep],
                   template_labels: Optional[List[str]] = None) -> 'TrackingResult':
        """Collect the steps of a video (e.g. from :func:`iter_track`); keeps the template
        crops of frame 0 and of the update frames only."""
        steps = list(steps)
        return cls(
            bboxes_xyxy=np.array([s.bbox_xyxy for s in steps], dtype=np.float32).reshape(-1, 4),
            scores=np.array([s.score for s in steps], dtype=np.float32),
            update_frames=[s.index for s in steps if s.refreshed],
            template_snapshots={s.index: s.templates for s in steps
                                if s.templates is not None and (s.index == 0 or s.refreshed)},
            template_labels=template_labels,
            track_times=np.array([s.track_time for s in steps], dtype=np.float32))

    def __len__(self) -> int:
        return len(self.bboxes_xyxy)

    @property
    def fps(self) -> float:
        """Tracking speed over the frames after the first, frames per second."""
        seconds = float(self.track_times[1:].sum())
        return (len(self) - 1) / seconds if seconds > 0 else float('nan')

    def step(self, index: int) -> TrackStep:
        """The :class:`TrackStep` of frame ``index`` (templates from the last snapshot)."""
        snapshots = [i for i in self.template_snapshots if i <= index]
        return TrackStep(index, self.bboxes_xyxy[index].tolist(), float(self.scores[index]),
                         index in self.update_frames,
                         self.template_snapshots[max(snapshots)] if snapshots else None,
                         float(self.track_times[index]) if len(self.track_times) else 0.)
