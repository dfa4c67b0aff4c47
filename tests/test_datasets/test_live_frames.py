import functools
import glob
import http.server
import threading
import time

import numpy as np
import pytest

from procontext_mm.datasets import (LiveFrames, UnreadableFrameError, VideoFrames,
                                    open_video_source)
from procontext_mm.datasets.live_frames import _LatestFrame, redact_credentials
from procontext_mm.testing import moving_square_video
from procontext_mm.visualization import FrameWriter

NUM_FRAMES = 6
SOURCE_FPS = 100.  # a frame every 10 ms when a file plays as a live source


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    """A 6-frame moving square as an .mp4 at 100 FPS, its frames, and a folder of it."""
    root = tmp_path_factory.mktemp('live')
    frames, _ = moving_square_video(num_frames=NUM_FRAMES, step=(9, 6))
    with FrameWriter(str(root / 'video.mp4'), SOURCE_FPS) as writer:
        for frame in frames:
            writer.write(frame)
    with FrameWriter(str(root / 'frames')) as writer:
        for frame in frames:
            writer.write(frame)
    return dict(root=root, mp4=str(root / 'video.mp4'), folder=str(root / 'frames'),
                frames=frames)


def which_frame(frame, originals):
    """Index of the original frame a decoded (lossy) frame is."""
    return int(np.argmin([np.abs(frame.astype(int) - o).mean() for o in originals]))


def test_looped_file_yields_every_frame_in_order_across_loops(video):
    frames = LiveFrames(video['mp4'], loop=True)
    assert frames.fps == pytest.approx(SOURCE_FPS) and frames.frame_size == (160, 120)
    assert not hasattr(frames, '__len__')  # a live source has no known length
    read = []
    for index, frame in enumerate(frames):
        assert frame.shape == (120, 160, 3) and frame.dtype == np.uint8
        read.append(frame)
        if index == 2 * NUM_FRAMES + 2:
            break
    assert [which_frame(f, video['frames']) for f in read] == \
        [i % NUM_FRAMES for i in range(2 * NUM_FRAMES + 3)]
    np.testing.assert_array_equal(read[0], frames.first_frame)
    assert frames.num_dropped == 0 and frames.end_reason is None
    assert frames.describe(4) == f'{video["mp4"]} (frame 4)'
    # no beginning to go back to: a second loop goes on where the first stopped
    assert which_frame(next(iter(frames)), video['frames']) == (2 * NUM_FRAMES + 3) % NUM_FRAMES
    frames.close()
    assert list(frames) == []


def test_a_file_played_live_ends_cleanly_naming_itself(video):
    frames = LiveFrames(video['mp4'])
    assert len(list(frames)) == NUM_FRAMES
    assert frames.end_reason == f'{video["mp4"]}: end of the video after {NUM_FRAMES} frames'


def test_realtime_drops_the_frames_that_came_while_the_consumer_was_busy(video):
    frames = LiveFrames(video['mp4'], loop=True, realtime=True)
    originals, source_indices = video['frames'], []
    for index, frame in enumerate(frames):
        source_index = frames.source_index(index)
        source_indices.append(source_index)
        # the frame delivered is the one the source sent with that number
        assert which_frame(frame, originals) == source_index % NUM_FRAMES, index
        if index == 8:
            break
        time.sleep(5 / SOURCE_FPS)  # a tracker 5 times slower than the source
    gaps = np.diff(source_indices) - 1
    assert (gaps >= 0).all()
    assert frames.num_dropped == gaps.sum() > 0
    late = int(np.argmax(gaps)) + 1
    assert frames.describe(late) == \
        f'{video["mp4"]} (frame {late}, frame {source_indices[late]} of the source)'
    with pytest.raises(IndexError, match='frame 9 was not delivered'):
        frames.source_index(9)
    frames.close()


def test_latest_frame_mailbox_keeps_the_newest_and_ends():
    mailbox = _LatestFrame()
    for number in range(3):
        mailbox.put(np.full((2, 2, 3), number, np.uint8), number)
    frame, number = mailbox.take(after=-1)
    assert number == 2 and frame[0, 0, 0] == 2  # 0 and 1 were replaced unseen
    mailbox.end()
    assert mailbox.take(after=2) is None and mailbox.error is None
    error = OSError('camera unplugged')
    mailbox.end(error)
    assert mailbox.error is error


@pytest.fixture
def http_server(video):
    """The video's folder served over HTTP (a network stream OpenCV's FFmpeg reads)."""
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(QuietHandler, directory=str(video['root'])))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    thread.join()


def test_stream_url_is_read_live_until_it_stops(video, http_server):
    url = f'{http_server}/video.mp4'
    frames = open_video_source(url)
    assert isinstance(frames, LiveFrames) and frames.realtime  # realtime by default for URLs
    frames.close()
    frames = open_video_source(url, realtime=False)
    received = list(frames)
    assert [which_frame(f, video['frames']) for f in received] == list(range(NUM_FRAMES))
    assert frames.end_reason == f'{url} stopped delivering frames after {NUM_FRAMES} frames'


def test_sources_that_do_not_open_are_named():
    # a port nothing listens on: refused at once; the password stays out of the message
    url = 'rtsp://viewer:s3cret@127.0.0.1:1/live'
    with pytest.raises(UnreadableFrameError, match='viewer:\\*\\*\\*@127.0.0.1:1/live') as info:
        open_video_source(url, timeout=2)
    assert 's3cret' not in str(info.value)
    missing = max([int(p[len('/dev/video'):]) for p in glob.glob('/dev/video[0-9]*')] + [-1]) + 1
    with pytest.raises(UnreadableFrameError, match=f'camera {missing}: cannot be opened'):
        open_video_source(str(missing))
    with pytest.raises(FileNotFoundError, match='nothing/here.mp4: no such video file'):
        open_video_source('nothing/here.mp4')


def test_redact_credentials():
    assert redact_credentials('rtsp://admin:pw@10.0.0.2:554/s') == 'rtsp://admin:***@10.0.0.2:554/s'
    assert redact_credentials('http://host/a:b@c') == 'http://host/a:b@c'  # not credentials
    assert redact_credentials('udp://@239.0.0.1:1234') == 'udp://@239.0.0.1:1234'


def test_open_video_source_picks_the_reader(video):
    assert isinstance(open_video_source(video['folder']), VideoFrames)
    assert isinstance(open_video_source(video['mp4']), VideoFrames)  # every frame, random access
    looped = open_video_source(video['mp4'], loop=True)
    assert isinstance(looped, LiveFrames) and looped.loop and not looped.realtime
    looped.close()
    with pytest.raises(ValueError, match='folder of images'):
        open_video_source(video['folder'], loop=True)
    with pytest.raises(ValueError, match='camera 0: loop=True needs a video file'):
        LiveFrames(0, loop=True)  # refused before the camera is opened
