"""run_demo on live sources: a generated .mp4 played endlessly through cv2.VideoCapture
(:class:`LiveFrames` with ``loop=True``) stands in for a camera."""
import time

import cv2
import numpy as np
import pytest
from _video_files import read_video_frames
from mmengine.registry import init_default_scope

from procontext_mm.apis import iter_track, run_demo
from procontext_mm.datasets import LiveFrames
from procontext_mm.models.sot import StaticBoxTracker
from procontext_mm.testing import moving_square_video
from procontext_mm.visualization import FrameWriter, demo_video

NUM_FRAMES = 5
HEIGHT, WIDTH = 120, 160
SOURCE_FPS = 100.


class SlowTracker(StaticBoxTracker):
    """The static box, taking ``seconds`` per tracked frame; Ctrl-C on frame ``interrupt_at``."""

    def __init__(self, seconds=0., interrupt_at=None):
        super().__init__()
        self.seconds, self.interrupt_at, self.num_tracked = seconds, interrupt_at, 0

    def track(self, frame):
        self.num_tracked += 1
        if self.num_tracked == self.interrupt_at:
            raise KeyboardInterrupt
        time.sleep(self.seconds)
        return super().track(frame)


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    frames, gt_xyxy = moving_square_video(num_frames=NUM_FRAMES, height=HEIGHT, width=WIDTH,
                                          step=(9, 6))
    path = str(tmp_path_factory.mktemp('live') / 'video.mp4')
    with FrameWriter(path, SOURCE_FPS) as writer:
        for frame in frames:
            writer.write(frame)
    return dict(mp4=path, frames=frames, init_bbox_xyxy=gt_xyxy[0].tolist())


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('procontext_mm')


def test_iter_track_runs_unchanged_on_a_live_source(video):
    frames = LiveFrames(video['mp4'], loop=True)
    steps = []
    for frame, step in iter_track(StaticBoxTracker(), frames, video['init_bbox_xyxy']):
        steps.append(step)
        if len(steps) == 2 * NUM_FRAMES + 1:  # past the end of the file: it loops
            break
    assert [s.index for s in steps] == list(range(2 * NUM_FRAMES + 1))
    np.testing.assert_allclose([s.bbox_xyxy for s in steps],
                               [video['init_bbox_xyxy']] * len(steps))


def test_looped_file_max_frames_and_recording(video, tmp_path):
    out = str(tmp_path / 'live.mp4')
    frames = LiveFrames(video['mp4'], loop=True)
    result = run_demo(StaticBoxTracker(), frames, video['init_bbox_xyxy'], out_path=out,
                      fps=SOURCE_FPS, show_fps=True, max_frames=12)
    assert len(result) == 12 and frames.num_dropped == 0  # every frame: nothing dropped
    recorded = read_video_frames(out)
    assert len(recorded) == 12 and recorded[0].shape == (HEIGHT, WIDTH, 3)
    assert cv2.VideoCapture(out).get(cv2.CAP_PROP_FPS) == pytest.approx(SOURCE_FPS)


def test_speed_overlay_is_drawn_from_frame_1_on(video, tmp_path):
    drawn = {}
    for show_fps in (False, True):
        out = str(tmp_path / f'fps_{show_fps}')  # PNG frames: exact pixels
        run_demo(StaticBoxTracker(), LiveFrames(video['mp4']), video['init_bbox_xyxy'],
                 out_path=out, show_fps=show_fps)
        drawn[show_fps] = [cv2.imread(f'{out}/{i:06d}.png') for i in range(NUM_FRAMES)]
    # frame 0 initialises the tracker: no speed yet, the frames are identical
    np.testing.assert_array_equal(drawn[False][0], drawn[True][0])
    for index in range(1, NUM_FRAMES):
        rows, cols = np.nonzero((drawn[False][index] != drawn[True][index]).any(-1))
        assert len(rows) and rows.max() < HEIGHT // 4 and cols.min() > WIDTH // 4, index


def test_realtime_slow_tracker_drops_and_the_recording_keeps_the_source_timing(
        video, tmp_path):
    out = str(tmp_path / 'realtime.mp4')
    frames = LiveFrames(video['mp4'], loop=True, realtime=True)
    tracker = SlowTracker(seconds=5 / SOURCE_FPS)  # 5 times slower than the source
    result = run_demo(tracker, frames, video['init_bbox_xyxy'], out_path=out,
                      fps=SOURCE_FPS, show_fps=True, max_frames=8)
    assert len(result) == 8
    source_indices = [frames.source_index(i) for i in range(8)]
    assert frames.num_dropped == source_indices[-1] + 1 - 8 > 0
    # one recorded frame per frame the source delivered: the drawn frame is held meanwhile
    recorded = read_video_frames(out)
    assert len(recorded) == len(result) + frames.num_dropped
    # each tracked frame is the one the source sent at that moment (the present)
    for index, source_index in enumerate(source_indices):
        shown = recorded[source_index]
        distances = [np.abs(shown.astype(int) - f)[HEIGHT // 4:].mean() for f in video['frames']]
        assert int(np.argmin(distances)) == source_index % NUM_FRAMES, index


def test_ctrl_c_stops_cleanly_and_the_recording_is_playable(video, tmp_path):
    out = str(tmp_path / 'interrupted.mp4')
    tracker = SlowTracker(interrupt_at=4)  # Ctrl-C while tracking the 5th frame
    result = run_demo(tracker, LiveFrames(video['mp4'], loop=True), video['init_bbox_xyxy'],
                      out_path=out, fps=SOURCE_FPS)
    assert len(result) == 4
    recorded = read_video_frames(out)
    assert len(recorded) == 4 and recorded[0].shape == (HEIGHT, WIDTH, 3)


def test_q_in_the_window_stops(video, monkeypatch):
    shown = []

    def fake_show(self, image_bgr, wait_ms=1):
        shown.append(image_bgr)
        return 'q pressed in the window' if len(shown) == 3 else None

    monkeypatch.setenv('DISPLAY', ':99')
    monkeypatch.setattr(demo_video.DemoWindow, 'show', fake_show)
    monkeypatch.setattr(demo_video.DemoWindow, 'close', lambda self: None)
    result = run_demo(StaticBoxTracker(), LiveFrames(video['mp4'], loop=True),
                      video['init_bbox_xyxy'], show=True)
    assert len(result) == 3 and len(shown) == 3


def test_show_without_display_and_bad_max_frames_are_refused(video, monkeypatch):
    monkeypatch.setattr(demo_video.sys, 'platform', 'linux')
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    frames = LiveFrames(video['mp4'])
    with pytest.raises(RuntimeError, match='No display'):
        run_demo(StaticBoxTracker(), frames, video['init_bbox_xyxy'], show=True)
    with pytest.raises(ValueError, match='max_frames must be at least 1, got 0'):
        run_demo(StaticBoxTracker(), frames, video['init_bbox_xyxy'], max_frames=0)
