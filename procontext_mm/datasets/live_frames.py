"""The frames of a live source: a camera, a network stream, or a video file played as one.

:class:`LiveFrames` is the sequential sibling of :class:`~.video_frames.VideoFrames`: the same
frame contract ((H, W, 3) uint8 BGR arrays, ``describe(index)`` for messages), but read in the
order they arrive, with no random access and no known length, so that
:func:`procontext_mm.apis.iter_track` tracks it unchanged. :func:`open_video_source` picks the
reader for what a user typed: a file, a folder, a camera index or a URL.
"""
import glob
import os.path as osp
import re
import sys
import threading
import time
from typing import Iterator, List, Optional, Tuple, Union

import cv2
import numpy as np

from .video_frames import UnreadableFrameError, VideoFrames

#: URL schemes read as network streams (anything else OpenCV opens works too)
STREAM_SCHEMES = ('rtsp', 'rtsps', 'rtmp', 'http', 'https', 'udp', 'tcp', 'srt')


def parse_video_source(source: Union[int, str]) -> Union[int, str]:
    """A camera index as an int (``'0'`` -> ``0``); any other source unchanged."""
    if isinstance(source, int):
        return source
    return int(source) if str(source).strip().isdigit() else str(source)


def is_stream_url(source: Union[int, str]) -> bool:
    """Whether ``source`` is a URL (``scheme://...``), e.g. ``rtsp://host/stream``."""
    return isinstance(source, str) and re.match(r'^[A-Za-z][A-Za-z0-9+.-]*://', source) is not None


def redact_credentials(url: str) -> str:
    """``rtsp://user:password@host`` -> ``rtsp://user:***@host`` (for messages and logs)."""
    return re.sub(r'^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*):[^/@]*@', r'\1:***@', url)


class _LatestFrame:
    """A one-frame mailbox between a reading thread and the tracker.

    The reader :meth:`put` s every frame it reads, replacing one not taken yet; the tracker
    :meth:`take` s the newest. Frames are numbered in the order the source delivered them, so
    the frames replaced unseen are the gaps between the numbers taken.
    """

    def __init__(self):
        self._condition = threading.Condition()
        self._frame: Optional[np.ndarray] = None
        self._source_index = -1
        self._ended = False
        self.error: Optional[BaseException] = None

    def put(self, frame: np.ndarray, source_index: int) -> None:
        with self._condition:
            self._frame, self._source_index = frame, source_index
            self._condition.notify()

    def end(self, error: Optional[BaseException] = None) -> None:
        """No frame will come any more (``error``: why the reader failed)."""
        with self._condition:
            self._ended, self.error = True, error
            self._condition.notify()

    def take(self, after: int, poll: float = 0.1) -> Optional[Tuple[np.ndarray, int]]:
        """The newest frame numbered above ``after`` and its number; waits for one, and
        returns None once the source has ended without one."""
        with self._condition:
            # a timed wait keeps the main thread responsive to Ctrl-C
            while self._source_index <= after and not self._ended:
                self._condition.wait(poll)
            if self._source_index <= after:
                return None
            return self._frame, self._source_index


class LiveFrames:
    """The frames of a camera, a network stream or a video file, read in order as they come.

    The source is opened and its first frame read when the object is created, so that a
    source that does not work fails at once with its name. Iterating yields the first frame,
    then the next ones until the source stops delivering frames (the iteration then ends and
    :attr:`end_reason` says why). A live source has no beginning to go back to: a second
    iteration continues where the first stopped.

    What happens when the consumer (the tracker) is slower than the source:

    * ``realtime=False`` (every frame): each frame is read when the consumer asks for it.
      Nothing is skipped; a video file is simply tracked at the tracker's speed. A camera or
      stream keeps sending meanwhile: its driver / network buffer fills and then drops frames
      itself (invisibly), and what is tracked lags behind the present.
    * ``realtime=True`` (the present): a reading thread takes every frame as it arrives and
      keeps only the newest; the consumer gets the newest frame it has not seen, and the
      frames that came in meanwhile are dropped and counted (:attr:`num_dropped`). A video file
      is released at its frame rate, as a camera would deliver it.

    Args:
        source (int | str): A camera index (``0`` or ``'0'``), a stream URL (``rtsp://``,
            ``http(s)://``, ``udp://``, ...), a video file, or any other string
            :class:`cv2.VideoCapture` opens (e.g. a GStreamer pipeline).
        loop (bool): Start a video file again at its end: an endless live source, e.g. to try
            a live setup without a camera. Only for video files. Defaults to False.
        realtime (bool): Deliver the newest frame and drop the stale ones (see above).
            Defaults to False.
        timeout (float): Seconds to wait for a stream (a URL) to open and for each of its
            frames before it counts as stopped. Defaults to 10.

    Attributes:
        name (str): The source in messages: ``camera 0``, the URL (password masked) or the
            path. ``path`` is the same.
        fps (float | None): Frame rate the source reports, None if it reports none.
        first_frame (np.ndarray): The frame the source delivered first, (H, W, 3) uint8 BGR
            (the one to check / draw the initial box on; iterating yields it first).
        frame_size (tuple[int, int]): (width, height) of the first frame.
        num_read (int): Frames read from the source so far.
        num_dropped (int): Frames not delivered because newer ones had arrived (realtime).
        end_reason (str | None): Why the frames ended; None while they have not.

    Raises:
        UnreadableFrameError: The source cannot be opened or delivers no first frame.
        ValueError: ``loop`` for a source that is not a video file, or a bad ``timeout``.
    """

    def __init__(self, source: Union[int, str], loop: bool = False, realtime: bool = False,
                 timeout: float = 10.):
        self.source = parse_video_source(source)
        self.is_camera = isinstance(self.source, int)
        self.is_file = not self.is_camera and osp.isfile(self.source)
        if self.is_camera:
            self.name = f'camera {self.source}'
        elif is_stream_url(self.source):
            self.name = redact_credentials(self.source)
        else:
            self.name = self.source
        self.path = self.name
        if loop and not self.is_file:
            raise ValueError(f'{self.name}: loop=True needs a video file (a camera or stream '
                             'has no end to loop from)')
        if not timeout or timeout <= 0:
            raise ValueError(f'timeout must be positive, got {timeout}')
        self.loop = loop
        self.realtime = realtime
        self.timeout = float(timeout)
        self.num_read = 0
        self.num_dropped = 0
        self.end_reason: Optional[str] = None
        self._source_indices: List[int] = []  # source frame number of each delivered frame
        self._lock = threading.Lock()  # one iteration at a time

        self._capture = self._open()
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps: Optional[float] = float(fps) if fps and 0 < fps < 1000 else None
        first = self._read()
        if first is None:
            self._capture.release()
            raise UnreadableFrameError(f'{self.name}: opened, but delivered no frame')
        self.first_frame = first
        self.frame_size = (first.shape[1], first.shape[0])

    # ------------------------------------------------------------------ reading
    def _open(self) -> cv2.VideoCapture:
        if is_stream_url(self.source):
            # only for URLs: a backend that does not know these properties (a camera's V4L2)
            # refuses to open with them
            timeout_ms = int(self.timeout * 1000)
            capture = cv2.VideoCapture(self.source, cv2.CAP_ANY, [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                timeout_ms])
        else:
            capture = cv2.VideoCapture(self.source)
        if capture.isOpened():
            return capture
        if self.is_camera:
            cameras = sorted(glob.glob('/dev/video*')) if sys.platform.startswith('linux') \
                else None
            found = '' if cameras is None else (
                f'; cameras of this machine: {", ".join(cameras)}' if cameras else
                '; this machine has no camera (no /dev/video*)')
            raise UnreadableFrameError(
                f'{self.name}: cannot be opened (no camera with this index, or it is in use)'
                f'{found}')
        if is_stream_url(self.source):
            raise UnreadableFrameError(
                f'{self.name}: OpenCV cannot open this stream (unreachable or wrong address, '
                f'or a protocol its FFmpeg lacks; waited up to {self.timeout:g} s)')
        raise UnreadableFrameError(f'{self.name}: OpenCV cannot open this as a video, camera '
                                   'or stream')

    def _read(self) -> Optional[np.ndarray]:
        """The next frame, (H, W, 3) uint8 BGR (from the start again at the end of a looped
        file); None when the source delivers no more."""
        ok, frame = self._capture.read()
        if not ok and self.loop and self.num_read > 0:
            self._capture.release()
            self._capture = self._open()
            ok, frame = self._capture.read()
        if not ok or frame is None:
            return None
        self.num_read += 1
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        elif frame.shape[2] == 4:
            frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
        return frame

    def _stopped(self) -> str:
        if self.is_file and not self.loop:
            return f'{self.name}: end of the video after {self.num_read} frames'
        return f'{self.name} stopped delivering frames after {self.num_read} frames'

    def _reader(self, mailbox: _LatestFrame, stop: threading.Event) -> None:
        """The reading thread of realtime mode: every frame into ``mailbox`` as it comes."""
        # a file decodes faster than it plays: release its frames at its frame rate
        period = 1. / (self.fps or 25.) if self.is_file else 0.
        due = time.perf_counter()
        try:
            while not stop.is_set():
                frame = self._read()
                if frame is None:
                    break
                if period:
                    due = max(due + period, time.perf_counter())
                    stop.wait(max(0., due - time.perf_counter()))
                mailbox.put(frame, self.num_read - 1)
            mailbox.end()
        except BaseException as error:  # handed to the consumer, which raises it
            mailbox.end(error)

    # ------------------------------------------------------------------ frames
    def source_index(self, index: int) -> int:
        """The number in the source (0-based, in the order it sent them) of delivered frame
        ``index``; larger than ``index`` once frames were dropped.

        Raises:
            IndexError: For a frame not delivered yet.
        """
        if not 0 <= index < len(self._source_indices):
            raise IndexError(f'{self.name}: frame {index} was not delivered (frames 0 to '
                             f'{len(self._source_indices) - 1} were)')
        return self._source_indices[index]

    def describe(self, index: int) -> str:
        """Where delivered frame ``index`` comes from, for messages (with its number in the
        source when frames were dropped before it)."""
        if 0 <= index < len(self._source_indices) and self._source_indices[index] != index:
            return f'{self.name} (frame {index}, frame {self._source_indices[index]} of the source)'
        return f'{self.name} (frame {index})'

    def _deliver(self, frame: np.ndarray, source_index: int) -> np.ndarray:
        self._source_indices.append(source_index)
        return frame

    def __iter__(self) -> Iterator[np.ndarray]:
        if not self._lock.acquire(blocking=False):
            raise RuntimeError(f'{self.name}: is already being read by another loop')
        try:
            if not self._source_indices:
                yield self._deliver(self.first_frame, 0)
            if self.end_reason is not None or self._capture is None:
                return
            if not self.realtime:
                while True:
                    frame = self._read()
                    if frame is None:
                        break
                    yield self._deliver(frame, self.num_read - 1)
            else:
                yield from self._iter_newest()
            self.end_reason = self._stopped()
        finally:
            self._lock.release()

    def _iter_newest(self) -> Iterator[np.ndarray]:
        mailbox, stop = _LatestFrame(), threading.Event()
        reader = threading.Thread(target=self._reader, args=(mailbox, stop), daemon=True,
                                  name=f'LiveFrames reader of {self.name}')
        reader.start()
        last = self._source_indices[-1] if self._source_indices else -1
        try:
            while True:
                newest = mailbox.take(after=last)
                if newest is None:
                    break
                frame, source_index = newest
                self.num_dropped += source_index - last - 1
                last = source_index
                yield self._deliver(frame, source_index)
            if mailbox.error is not None:
                raise mailbox.error
        finally:
            stop.set()
            reader.join(self.timeout + 1.)  # a read in progress ends within the timeout

    def close(self) -> None:
        """Release the camera / stream / file (iterating afterwards yields nothing)."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None
            self.end_reason = self.end_reason or f'{self.name}: closed'

    def __enter__(self) -> 'LiveFrames':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = 'realtime' if self.realtime else 'every frame'
        return (f'{self.__class__.__name__}({self.name!r}, {mode}'
                f'{", looped" if self.loop else ""}, {self.num_read} frames read)')


def open_video_source(source: Union[int, str], loop: bool = False,
                      realtime: Optional[bool] = None,
                      timeout: float = 10.) -> Union[VideoFrames, LiveFrames]:
    """The frame reader for what a user gave: a file, a folder, a camera or a stream.

    * a folder of images, or a video file without ``loop`` / ``realtime``: a
      :class:`VideoFrames` (every frame, known length, random access);
    * a camera index (``0``), a URL (``rtsp://``, ``http(s)://``, ``udp://``, ...), a video
      file with ``loop`` or ``realtime``, or another string OpenCV opens: a
      :class:`LiveFrames`.

    Args:
        source (int | str): What to read.
        loop (bool): Play a video file endlessly (see :class:`LiveFrames`). Defaults to False.
        realtime (bool, optional): Drop stale frames when the tracker is slower than the
            source (see :class:`LiveFrames`). None (default): on for cameras and streams, off
            for files and folders (every frame is tracked).
        timeout (float): Seconds to wait for a stream (see :class:`LiveFrames`).

    Raises:
        FileNotFoundError: ``source`` is no file, folder, camera or URL, and OpenCV cannot
            open it either; or a folder without images.
        UnreadableFrameError: A camera, stream or video that cannot be opened or read.
        ValueError: ``loop`` / ``realtime`` for a folder of images, ``loop`` for a camera or
            stream.
    """
    source = parse_video_source(source)
    if isinstance(source, str) and osp.isdir(source):
        if loop or realtime:
            raise ValueError(f'{source}: a folder of images is read frame by frame; loop and '
                             'realtime need a video file, a camera or a stream')
        return VideoFrames(source)
    if isinstance(source, str) and osp.isfile(source):
        if loop or realtime:
            return LiveFrames(source, loop=loop, realtime=bool(realtime), timeout=timeout)
        return VideoFrames(source)
    live = isinstance(source, int) or is_stream_url(source)
    realtime = live if realtime is None else realtime
    try:
        return LiveFrames(source, loop=loop, realtime=realtime, timeout=timeout)
    except UnreadableFrameError:
        if live:
            raise
        raise FileNotFoundError(f'{source}: no such video file or folder of images (nor a '
                                'camera index, a URL or anything else OpenCV opens)') from None
