import math

import numpy as np
import pytest

from procontext_mm.structures import TrackingResult
from procontext_mm.utils import RunningFPS


def test_speed_over_the_last_frames_only():
    speed = RunningFPS(window=4)
    assert math.isnan(speed.fps) and len(speed) == 0
    for seconds in (1.0, 1.0, 0.1, 0.1, 0.1, 0.1):  # slow start, then 10 frames per second
        speed.update(seconds)
    assert len(speed) == 4
    assert speed.fps == pytest.approx(10.)  # the slow frames left the window


def test_a_window_as_long_as_the_video_is_the_result_fps():
    times = np.array([0.5, 0.02, 0.03, 0.05], np.float32)  # frame 0: init, not counted
    result = TrackingResult(np.zeros((4, 4), np.float32), np.zeros(4, np.float32),
                            track_times=times)
    speed = RunningFPS(window=10)
    for seconds in times[1:]:
        speed.update(seconds)
    assert speed.fps == pytest.approx(result.fps)


def test_window_must_hold_a_frame():
    with pytest.raises(ValueError, match='window must be at least 1 frame, got 0'):
        RunningFPS(0)
