"""Frames per second over the last frames of a running tracker (the demo's FPS overlay)."""
from collections import deque


class RunningFPS:
    """Speed over a sliding window of per-frame times, ``frames / seconds``.

    It is :attr:`TrackingResult.fps <procontext_mm.structures.TrackingResult.fps>` (frames
    over total time) restricted to the last ``window`` frames, so it follows changes of speed
    without flickering from frame to frame.

    Args:
        window (int): Number of most recent frame times averaged. Defaults to 30.

    Raises:
        ValueError: For a window below 1.
    """

    def __init__(self, window: int = 30):
        if window < 1:
            raise ValueError(f'window must be at least 1 frame, got {window}')
        self.window = int(window)
        self._times = deque(maxlen=self.window)

    def update(self, seconds: float) -> None:
        """Add the time one frame took, in seconds."""
        self._times.append(float(seconds))

    @property
    def fps(self) -> float:
        """Frames per second over the window; NaN before any frame (or if no time passed)."""
        total = sum(self._times)
        return len(self._times) / total if total > 0 else float('nan')

    def __len__(self) -> int:
        """Number of frame times in the window."""
        return len(self._times)
