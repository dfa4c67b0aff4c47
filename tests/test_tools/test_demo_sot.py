import glob
import importlib.util
import logging
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch
from _tool_utils import REPO
from _video_files import read_video_frames
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from procontext_mm.apis import track_video
from procontext_mm.datasets import UnreadableFrameError, VideoFrames
from procontext_mm.registry import MODELS
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg
from procontext_mm.structures import TrackingResult
from procontext_mm.visualization import write_demo_video
from procontext_mm.visualization.sot_visualizer import PRED_COLORS, REFRESH_COLOR

NUM_FRAMES = 7
HEIGHT, WIDTH = 120, 160
PRED_BGR = np.array(PRED_COLORS[0][::-1])  # the first tracker's box colour
REFRESH_BGR = np.array(REFRESH_COLOR[::-1])


def _load_tool():
    spec = importlib.util.spec_from_file_location('demo_sot', REPO / 'tools/demo/demo_sot.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo_sot = _load_tool()


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    """The moving square as a folder of PNG frames and as an .mp4; its xyxy ground truth."""
    root = tmp_path_factory.mktemp('video')
    frames, gt_xyxy = moving_square_video(num_frames=NUM_FRAMES, height=HEIGHT, width=WIDTH)
    folder = root / 'frames'
    folder.mkdir()
    for index, frame in enumerate(frames):
        cv2.imwrite(str(folder / f'{index + 1:08d}.png'), frame)
    mp4 = str(root / 'video.mp4')
    writer = cv2.VideoWriter(mp4, cv2.VideoWriter_fourcc(*'mp4v'), 10., (WIDTH, HEIGHT))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return dict(folder=str(folder), mp4=mp4, frames=frames, gt_xyxy=gt_xyxy)


@pytest.fixture(scope='module')
def model_files(tmp_path_factory):
    """Config of a tiny ProContEXT that refreshes its templates every 2 frames, and random
    weights."""
    root = tmp_path_factory.mktemp('model')
    model_cfg = tiny_tracker_cfg(update_interval=2, score_threshold=0.0)
    config = str(root / 'tiny.py')
    Config(dict(model=model_cfg, default_scope='procontext_mm')).dump(config)
    init_default_scope('procontext_mm')
    torch.manual_seed(0)
    checkpoint = str(root / 'tiny.pth')
    torch.save({'state_dict': MODELS.build(model_cfg).state_dict()}, checkpoint)
    return ['--config', config, '--checkpoint', checkpoint]


def _init_bbox_args(gt_xyxy):
    x1, y1, x2, y2 = gt_xyxy[0].tolist()
    return ['--init-bbox', str(x1), str(y1), str(x2 - x1), str(y2 - y1)]


def _edge_match(frame, bbox_xyxy, color_bgr, tol, margin=4):
    """Fraction of the pixels on the middle halves of the box's edges that have the colour.

    Edges within ``margin`` pixels of the image border are skipped (a refresh border is
    painted over them); None if no edge is left.
    """
    x1, y1, x2, y2 = np.round(bbox_xyxy).astype(int)
    rows = slice(max(y1, 0) + (min(y2, HEIGHT) - max(y1, 0)) // 4,
                 min(y2, HEIGHT) - (min(y2, HEIGHT) - max(y1, 0)) // 4)
    cols = slice(max(x1, 0) + (min(x2, WIDTH) - max(x1, 0)) // 4,
                 min(x2, WIDTH) - (min(x2, WIDTH) - max(x1, 0)) // 4)
    edges = [frame[rows, x] for x in (x1, x2) if margin <= x < WIDTH - margin]
    edges += [frame[y, cols] for y in (y1, y2) if margin <= y < HEIGHT - margin]
    if not edges:
        return None
    pixels = np.concatenate(edges).astype(int)
    return (np.abs(pixels - color_bgr) <= tol).all(-1).mean()


def _check_boxes_drawn(frames, bboxes_xyxy, color_bgr, tol, min_match):
    """The predicted boxes are drawn where they were predicted (at least on the first frames,
    whose boxes lie inside the image)."""
    matches = [_edge_match(f, b, color_bgr, tol) for f, b in zip(frames, bboxes_xyxy)]
    assert matches[0] is not None and matches[1] is not None
    for index, match in enumerate(matches):
        assert match is None or match > min_match, (index, match)


def _has_refresh_border(frame, tol):
    """Whether the outermost pixel ring has the refresh colour (asserting all or nothing)."""
    ring = np.concatenate([frame[0], frame[-1], frame[:, 0], frame[:, -1]]).astype(int)
    match = (np.abs(ring - REFRESH_BGR) <= tol).all(-1).mean()
    assert match > 0.95 or match < 0.05, f'{match:.0%} of the ring has the refresh colour'
    return match > 0.95


def test_folder_in_frames_out(video, model_files, tmp_path):
    out = str(tmp_path / 'drawn')
    result = demo_sot.main([video['folder'], *model_files, *_init_bbox_args(video['gt_xyxy']),
                            '--out', out])
    assert isinstance(result, TrackingResult) and len(result) == NUM_FRAMES
    np.testing.assert_allclose(result.bboxes_xyxy[0], video['gt_xyxy'][0])
    assert result.update_frames == [2, 4, 6]  # every 2nd frame, threshold 0
    written = list(VideoFrames(out))
    assert len(written) == NUM_FRAMES
    # lossless PNG: exact colours
    _check_boxes_drawn(written, result.bboxes_xyxy, PRED_BGR, tol=0, min_match=0.7)
    for index, frame in enumerate(written):
        assert frame.shape == (HEIGHT, WIDTH, 3)
        # refresh frames, and only they, get the border
        assert _has_refresh_border(frame, tol=0) == (index in result.update_frames), index


def test_mp4_in_mp4_out_with_gt_file(video, model_files, tmp_path):
    gt_file = tmp_path / 'groundtruth.txt'
    gt = video['gt_xyxy']
    np.savetxt(gt_file, np.concatenate([gt[:, :2], gt[:, 2:] - gt[:, :2]], 1), fmt='%.1f',
               delimiter=',')
    out = str(tmp_path / 'sub' / 'demo.mp4')
    # no --init-bbox: the first ground-truth box initialises the tracker
    result = demo_sot.main([video['mp4'], *model_files, '--gt', str(gt_file), '--out', out])
    np.testing.assert_allclose(result.bboxes_xyxy[0], gt[0])
    frames = read_video_frames(out)
    assert len(frames) == NUM_FRAMES
    assert frames[0].shape == (HEIGHT, WIDTH, 3)
    assert cv2.VideoCapture(out).get(cv2.CAP_PROP_FPS) == pytest.approx(10)  # input's fps
    # mp4v is lossy: colours within a tolerance
    _check_boxes_drawn(frames, result.bboxes_xyxy, PRED_BGR, tol=60, min_match=0.5)
    for index, frame in enumerate(frames):
        assert _has_refresh_border(frame, tol=60) == (index in result.update_frames), index


def test_write_demo_video_of_several_trackers(video, tmp_path):
    init_default_scope('procontext_mm')
    torch.manual_seed(1)
    procontext = MODELS.build(tiny_tracker_cfg(update_interval=3, score_threshold=0.0)).eval()
    static = MODELS.build(dict(type='StaticBoxTracker')).eval()
    frames = VideoFrames(video['folder'])
    results = {name: track_video(model, frames, video['gt_xyxy'][0])
               for name, model in [('ProContEXT', procontext), ('static', static)]}
    assert results['ProContEXT'].update_frames == [3, 6]
    assert results['static'].update_frames == [] and not results['static'].template_snapshots
    np.testing.assert_allclose(results['static'].bboxes_xyxy,
                               np.repeat(video['gt_xyxy'][:1], NUM_FRAMES, 0))
    out = str(tmp_path / 'both')
    assert write_demo_video(frames, results, out, gt_bboxes_xyxy=video['gt_xyxy']) == NUM_FRAMES
    written = list(VideoFrames(out))
    # each tracker in its colour; the second is drawn last, so on frame 0, where both boxes
    # are the initial box, only its colour shows
    _check_boxes_drawn(written, results['static'].bboxes_xyxy, np.array(PRED_COLORS[1][::-1]),
                       0, 0.7)
    _check_boxes_drawn(written[1:], results['ProContEXT'].bboxes_xyxy[1:], PRED_BGR, 0, 0.7)
    for index, frame in enumerate(written):
        assert _has_refresh_border(frame, tol=0) == (index in (3, 6))

    short = TrackingResult(results['static'].bboxes_xyxy[:3], results['static'].scores[:3])
    with pytest.raises(ValueError, match='00000004.png'):
        write_demo_video(frames, short, str(tmp_path / 'short.mp4'))


@pytest.mark.parametrize('case', ['missing', 'empty folder', 'not a video'])
def test_bad_input_is_named(case, model_files, tmp_path):
    path = tmp_path / 'input'
    if case == 'empty folder':
        path.mkdir()
    elif case == 'not a video':
        path = tmp_path / 'input.mp4'
        path.write_text('not a video')
    error = UnreadableFrameError if case == 'not a video' else FileNotFoundError
    with pytest.raises(error, match=str(path)):
        demo_sot.main([str(path), *model_files, '--init-bbox', '1', '1', '5', '5', '--out',
                       str(tmp_path / 'out.mp4')])


def test_unreadable_frame_is_named(video, model_files, tmp_path):
    folder = tmp_path / 'frames'
    folder.mkdir()
    for index, frame in enumerate(video['frames'][:4]):
        cv2.imwrite(str(folder / f'{index:04d}.png'), frame)
    (folder / '0002.png').write_bytes(b'\x89PNG truncated')
    with pytest.raises(UnreadableFrameError, match='0002.png'):
        demo_sot.main([str(folder), *model_files, *_init_bbox_args(video['gt_xyxy']),
                       '--out', str(tmp_path / 'out')])


@pytest.mark.parametrize('bbox_xywh, message', [
    (['500', '10', '20', '20'], 'outside'),
    (['10', '10', '0', '20'], 'non-positive'),
])
def test_bad_init_bbox_names_the_first_frame(bbox_xywh, message, video, model_files, tmp_path):
    first = osp.join(video['folder'], '00000001.png')
    with pytest.raises(ValueError, match=f'{first}.*{message}'):
        demo_sot.main([video['folder'], *model_files, '--init-bbox', *bbox_xywh,
                       '--out', str(tmp_path / 'out.mp4')])


def test_no_init_bbox_without_display_asks_for_it(video, model_files, tmp_path, monkeypatch):
    monkeypatch.delenv('DISPLAY', raising=False)
    with pytest.raises(RuntimeError, match='--init-bbox'):
        demo_sot.main([video['folder'], *model_files, '--out', str(tmp_path / 'out.mp4')])


def test_bad_output_and_arguments(video, model_files, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match='out.gif'):
        demo_sot.main([video['folder'], *model_files, *_init_bbox_args(video['gt_xyxy']),
                       '--out', str(tmp_path / 'out.gif')])
    with pytest.raises(SystemExit):  # nothing to do without --out / --record / --show
        demo_sot.main([video['folder'], *model_files])
    with pytest.raises(SystemExit):
        demo_sot.main([video['folder'], *model_files, '--show', '--max-frames', '0'])


# ---------------------------------------------------------------- live sources
# There is no camera here: a video file played endlessly (--loop) goes through the same
# cv2.VideoCapture reader (LiveFrames) as a camera or a stream.
STATIC_BOX = ['--config', str(REPO / 'configs/quickstart/static-box_builtin.py')]


def _init_bbox_xyxy_args(gt_xyxy):
    return ['--init-bbox-xyxy', *[str(v) for v in gt_xyxy[0].tolist()]]


@pytest.fixture
def logged():
    """The messages mmengine's current logger emits during the test."""
    logger = MMLogger.get_current_instance()
    handler = logging.Handler()
    messages = []
    handler.emit = lambda record: messages.append(record.getMessage())
    logger.addHandler(handler)
    yield messages
    logger.removeHandler(handler)


def test_looped_video_as_a_live_source_records_what_is_shown(video, tmp_path, capsys, logged):
    out = str(tmp_path / 'live.mp4')
    result = demo_sot.main([video['mp4'], *STATIC_BOX, '--loop', '--max-frames', '12',
                            '--record', out, *_init_bbox_xyxy_args(video['gt_xyxy'])])
    assert len(result) == 12  # past the end of the 7-frame file
    np.testing.assert_allclose(result.bboxes_xyxy[0], video['gt_xyxy'][0])
    recorded = read_video_frames(out)
    assert len(recorded) == 12 and recorded[0].shape == (HEIGHT, WIDTH, 3)
    _check_boxes_drawn(recorded[:NUM_FRAMES], result.bboxes_xyxy, PRED_BGR, tol=60,
                       min_match=0.5)
    assert 'Stopped after 12 frames: max_frames = 12 reached' in logged
    printed = capsys.readouterr().out
    assert 'Tracked 12 frames: tracker' in printed and 'dropped' not in printed


def test_realtime_counts_dropped_frames_in_the_summary(video, tmp_path, capsys):
    out = str(tmp_path / 'realtime.mp4')
    result = demo_sot.main([video['mp4'], *STATIC_BOX, '--loop', '--realtime',
                            '--max-frames', '4', '--record', out,
                            *_init_bbox_args(video['gt_xyxy'])])
    assert len(result) == 4
    printed = capsys.readouterr().out
    dropped = int(printed.split('Realtime: ')[1].split(' ')[0])
    assert len(read_video_frames(out)) == 4 + dropped  # the recording keeps the source's timing


def test_show_without_a_display_says_so_once_and_runs(video, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    result = demo_sot.main([video['mp4'], *STATIC_BOX, '--loop', '--show', '--max-frames', '9',
                            *_init_bbox_args(video['gt_xyxy'])])
    assert len(result) == 9
    assert capsys.readouterr().out.count('--show: no display') == 1


@pytest.mark.parametrize('source, message', [
    ('rtsp://127.0.0.1:1/live', r'rtsp://127.0.0.1:1/live: OpenCV cannot open this stream'),
    ('http://127.0.0.1:1/cam.mjpg', r'http://127.0.0.1:1/cam.mjpg: OpenCV cannot open'),
])
def test_streams_that_do_not_open_are_named(source, message, tmp_path):
    with pytest.raises(UnreadableFrameError, match=message):
        demo_sot.main([source, *STATIC_BOX, '--init-bbox', '1', '1', '5', '5',
                       '--record', str(tmp_path / 'out.mp4')])


def test_bad_camera_index_is_named(tmp_path):
    missing = len(glob.glob('/dev/video*')) + 50  # above any camera this machine has
    with pytest.raises(UnreadableFrameError, match=f'camera {missing}: cannot be opened'):
        demo_sot.main([str(missing), *STATIC_BOX, '--init-bbox', '1', '1', '5', '5',
                       '--record', str(tmp_path / 'out.mp4')])


@pytest.mark.parametrize('option, box, message', [
    ('--init-bbox-xyxy', ['200', '10', '220', '40'], 'lies outside the 160x120 image'),
    ('--init-bbox-xyxy', ['50', '10', '40', '40'], 'non-positive width or height'),
    ('--init-bbox', ['10', '150', '20', '20'], 'lies outside the 160x120 image'),
])
def test_bad_init_bbox_on_a_live_source_is_checked_on_its_first_frame(
        option, box, message, video, tmp_path):
    where = re.escape(f'{video["mp4"]} (frame 0): {option}')
    with pytest.raises(ValueError, match=f'{where}.*{box[0]}.*{message}'):
        demo_sot.main([video['mp4'], *STATIC_BOX, '--loop', option, *box,
                       '--record', str(tmp_path / 'out.mp4')])
    assert not (tmp_path / 'out.mp4').exists()  # refused before anything was written


def test_gt_needs_every_frame_in_order(video, tmp_path):
    gt_file = tmp_path / 'groundtruth.txt'
    gt_file.write_text('10,10,20,20\n')
    with pytest.raises(ValueError, match='--gt .* is read as a live source'):
        demo_sot.main([video['mp4'], *STATIC_BOX, '--loop', '--gt', str(gt_file),
                       '--record', str(tmp_path / 'out.mp4')])


@pytest.mark.slow
def test_sigint_stops_an_endless_source_and_the_recording_plays(video, tmp_path):
    """A real Ctrl-C (SIGINT) to the tool tracking an endless source, once it is recording."""
    out = tmp_path / 'interrupted.mp4'
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')
    process = subprocess.Popen(
        [sys.executable, str(REPO / 'tools/demo/demo_sot.py'), video['mp4'], *STATIC_BOX,
         '--loop', '--realtime', *_init_bbox_args(video['gt_xyxy']), '--record', str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while not out.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert out.exists(), process.communicate()[0][-3000:] if process.poll() else 'no output'
        # the file appears when the first frame is written, just before that frame counts as
        # tracked; a stop before any tracked frame is test_a_stop_before_the_first_frame_...
        time.sleep(1.)
        process.send_signal(signal.SIGINT)
        printed = process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, printed[-3000:]
    assert 'interrupted (Ctrl-C)' in printed
    tracked = int(printed.split('Tracked ')[1].split(' ')[0])
    delivered = int(printed.split(' frames the source delivered')[0].rsplit(' ', 1)[1])
    recorded = read_video_frames(str(out))
    # (more than delivered if the signal came while the frame after the last one was written)
    assert len(recorded) >= delivered >= tracked >= 1
    assert recorded[0].shape == (HEIGHT, WIDTH, 3)


def test_a_stop_before_the_first_frame_is_tracked_ends_cleanly(video, monkeypatch, capsys):
    """Ctrl-C between opening a live source and the first tracked frame: no speed or drop
    figures (there are none), exit without error."""
    empty = TrackingResult(np.zeros((0, 4), np.float32), np.zeros(0, np.float32))
    monkeypatch.setattr(demo_sot, 'run_demo', lambda *args, **kwargs: empty)
    result = demo_sot.main([video['mp4'], *STATIC_BOX, '--loop', '--realtime',
                            *_init_bbox_args(video['gt_xyxy']), '--max-frames', '1',
                            '--out', os.devnull])
    assert result is empty
    printed = capsys.readouterr().out
    assert 'Tracked no frame.' in printed
    assert 'FPS' not in printed and 'dropped' not in printed
