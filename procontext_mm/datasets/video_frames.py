"""The frames of one video, read from disk when they are needed.

:class:`VideoFrames` is the one frame reader of the package: the tracking APIs, the demo, the
VOT runner and the tools read videos through it, from a video file, a folder of images or an
explicit list of frame files (e.g. a dataset's frames).
"""
import os
import os.path as osp
import re
from typing import Iterator, List, Optional, Sequence

import mmcv
import numpy as np

from .annotation_parsers import IMG_EXTENSIONS


class UnreadableFrameError(OSError):
    """A frame could not be read or decoded (the message names the file)."""


def _natural_key(name: str) -> list:
    """Sort key that orders ``frame2.jpg`` before ``frame10.jpg``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', name)]


class VideoFrames:
    """The frames of a video file, of a folder of images or of a list of image files, read
    lazily, in order or by index.

    A folder holds its images (``.jpg``, ``.jpeg``, ``.png``, ``.bmp``) directly; they are
    ordered by name with numbers compared as numbers (``2.jpg`` before ``10.jpg``). A video file
    is anything OpenCV can decode. Frames are (H, W, 3) uint8 BGR arrays (grey images are
    converted); iterating may be repeated, and ``frames[i]`` reads frame ``i`` alone.

    Args:
        path (str): Video file or folder of images.

    Raises:
        FileNotFoundError: ``path`` does not exist, or the folder holds no image.
        UnreadableFrameError: The video file cannot be opened or has no frame.
    """

    def __init__(self, path: str):
        self.path = str(path)
        self.fps: Optional[float] = None
        if osp.isdir(self.path):
            names = [n for n in os.listdir(self.path)
                     if osp.splitext(n)[1].lower() in IMG_EXTENSIONS
                     and osp.isfile(osp.join(self.path, n))]
            if not names:
                raise FileNotFoundError(
                    f'{self.path}: no image ({", ".join(IMG_EXTENSIONS)}) in this folder')
            self.files: Optional[List[str]] = [
                osp.join(self.path, n) for n in sorted(names, key=_natural_key)]
            self._num_frames = len(self.files)
        elif osp.isfile(self.path):
            self.files = None
            reader = self._open_video()
            self.fps = reader.fps or None
            self._num_frames = reader.frame_cnt
            if reader.read() is None:
                raise UnreadableFrameError(f'{self.path}: no frame could be decoded')
        else:
            raise FileNotFoundError(f'{self.path}: no such video file or folder of images')

    @classmethod
    def from_files(cls, files: Sequence[str], name: Optional[str] = None) -> 'VideoFrames':
        """The frames stored in ``files``, in this order (nothing is read or checked yet).

        Args:
            files (Sequence[str]): Image files, one per frame.
            name (str, optional): What ``path`` says in messages. Defaults to the folder of
                the first file.
        """
        frames = cls.__new__(cls)
        frames.files = [str(f) for f in files]
        frames.path = name if name is not None else (
            osp.dirname(frames.files[0]) if frames.files else '')
        frames.fps = None
        frames._num_frames = len(frames.files)
        return frames

    @property
    def is_folder(self) -> bool:
        """Whether the frames come from image files (a folder or a list of files)."""
        return self.files is not None

    def _open_video(self) -> mmcv.VideoReader:
        reader = mmcv.VideoReader(self.path)
        if not reader.opened:
            raise UnreadableFrameError(f'{self.path}: not a video OpenCV can open')
        return reader

    def __len__(self) -> int:
        """Number of frames (for a video file, as its header tells)."""
        return self._num_frames

    @property
    def first_frame(self) -> np.ndarray:
        """Frame 0 (the one to check / draw the initial box on), as
        :attr:`LiveFrames.first_frame <procontext_mm.datasets.LiveFrames.first_frame>`."""
        return self[0]

    def describe(self, index: int) -> str:
        """Where frame ``index`` comes from, for messages: its file, or the video and index."""
        if self.files is not None:
            return self.files[index]
        return f'{self.path} (frame {index})'

    @staticmethod
    def _read_image(path: str) -> np.ndarray:
        try:
            frame = mmcv.imread(path, flag='color')
        except FileNotFoundError:
            raise FileNotFoundError(f'{path}: no such frame file') from None
        if frame is None:
            raise UnreadableFrameError(f'{path}: cannot be read as an image')
        return frame

    def __getitem__(self, index: int) -> np.ndarray:
        """Frame ``index`` (negative indices count from the end).

        Raises:
            IndexError: For an index outside the video.
            FileNotFoundError: If the frame's file is missing.
            UnreadableFrameError: If the frame cannot be decoded.
        """
        if not -len(self) <= index < len(self):
            raise IndexError(f'{self.path}: frame {index} of a {len(self)}-frame video')
        index %= len(self)
        if self.files is not None:
            return self._read_image(self.files[index])
        frame = self._open_video()[index]
        if frame is None:
            raise UnreadableFrameError(f'{self.describe(index)}: cannot be decoded')
        return frame

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.files is not None:
            for path in self.files:
                yield self._read_image(path)
            return
        reader = self._open_video()
        while True:
            frame = reader.read()
            if frame is None:
                return
            yield frame

    def __repr__(self) -> str:
        kind = 'folder' if self.is_folder else 'video'
        return f'{self.__class__.__name__}({kind} {self.path!r}, {len(self)} frames)'
