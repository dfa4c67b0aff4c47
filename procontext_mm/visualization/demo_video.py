"""Demo videos: tracking results drawn on their frames, written as a video or images.

* :class:`FrameWriter` writes frames to an ``.mp4`` / ``.avi`` or to a folder of PNG images;
* :class:`DemoWindow` shows them in a window (``q`` / Esc stops), where
  :func:`display_available`;
* :func:`write_demo_video` draws the results of one or several trackers on their video with
  :class:`~.sot_visualizer.SOTLocalVisualizer` and writes it.
"""
import os
import os.path as osp
import sys
from typing import Iterable, Mapping, Optional, Tuple, Union

import cv2
import numpy as np
from mmengine.utils import mkdir_or_exist

from procontext_mm.structures import TrackingResult
from .sot_visualizer import SOTLocalVisualizer

#: output extension -> fourcc of :class:`cv2.VideoWriter`
VIDEO_FOURCCS = {'.mp4': 'mp4v', '.avi': 'MJPG'}


class FrameWriter:
    """Write drawn frames to a video file or to a folder of images.

    Args:
        out_path (str): ``.mp4`` (fourcc ``mp4v``) or ``.avi`` (``MJPG``) file, or a folder
            (a path without extension) that receives ``000000.png``, ``000001.png``, ...
            (existing files of these names are replaced). Parent folders are created.
        fps (float): Frames per second of a video file. Defaults to 25.

    Raises:
        ValueError: For another extension or a non-positive ``fps``.
    """

    def __init__(self, out_path: str, fps: float = 25.):
        self.out_path = str(out_path)
        ext = osp.splitext(self.out_path)[1].lower()
        if ext and ext not in VIDEO_FOURCCS:
            raise ValueError(f'{self.out_path}: unsupported output; use '
                             f'{" or ".join(VIDEO_FOURCCS)}, or a folder (no extension)')
        if not fps or fps <= 0:
            raise ValueError(f'fps must be positive, got {fps}')
        self.fourcc = VIDEO_FOURCCS.get(ext)
        self.fps = float(fps)
        self.num_written = 0
        self._size: Optional[Tuple[int, int]] = None
        self._writer: Optional[cv2.VideoWriter] = None
        if self.fourcc is None:
            mkdir_or_exist(self.out_path)
        else:
            mkdir_or_exist(osp.dirname(osp.abspath(self.out_path)))

    def write(self, image_bgr: np.ndarray) -> None:
        """Append one (H, W, 3) uint8 BGR frame; every frame must have the first one's size.

        Raises:
            ValueError: For a frame of another size.
            OSError: If the video or image cannot be written.
        """
        size = (image_bgr.shape[1], image_bgr.shape[0])
        if self._size is None:
            self._size = size
        elif size != self._size:
            raise ValueError(f'{self.out_path}: frame {self.num_written} is {size[0]}x{size[1]} '
                             f'but the first frame was {self._size[0]}x{self._size[1]}')
        if self.fourcc is None:
            path = osp.join(self.out_path, f'{self.num_written:06d}.png')
            if not cv2.imwrite(path, image_bgr):
                raise OSError(f'{path}: cannot be written')
        else:
            if self._writer is None:
                self._writer = cv2.VideoWriter(self.out_path, cv2.VideoWriter_fourcc(*self.fourcc),
                                               self.fps, size)
                if not self._writer.isOpened():
                    raise OSError(f'{self.out_path}: OpenCV cannot write a {self.fourcc} video')
            self._writer.write(np.ascontiguousarray(image_bgr))
        self.num_written += 1

    def close(self) -> None:
        """Finish the video file."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> 'FrameWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def display_available() -> bool:
    """Whether a window can be opened.

    On Linux and the BSDs that needs an X11 (``$DISPLAY``) or Wayland (``$WAYLAND_DISPLAY``)
    session: without one, OpenCV's Qt backend aborts the whole process instead of raising.
    Windows and macOS always have a desktop.
    """
    if sys.platform.startswith(('linux', 'freebsd', 'openbsd', 'netbsd')):
        return bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'))
    return True


class DemoWindow:
    """An OpenCV window showing drawn frames; ``q`` or Esc (or closing the window) asks to stop.

    Args:
        name (str): Window title. Defaults to 'procontext_mm demo'.

    Raises:
        RuntimeError: Without a display (see :func:`display_available`).
    """

    #: key code -> its name in the stop reason
    STOP_KEYS = {ord('q'): 'q', 27: 'Esc'}

    def __init__(self, name: str = 'procontext_mm demo'):
        if not display_available():
            raise RuntimeError('No display ($DISPLAY / $WAYLAND_DISPLAY is not set) to show '
                               'the frames in a window')
        self.name = name
        self._shown = False

    def show(self, image_bgr: np.ndarray, wait_ms: int = 1) -> Optional[str]:
        """Show an (H, W, 3) uint8 BGR frame and look at the keyboard for ``wait_ms``.

        Returns:
            str | None: Why to stop (``'q pressed in the window'``, ``'window closed'``), or
            None to go on.

        Raises:
            RuntimeError: If this OpenCV has no GUI support (e.g. opencv-python-headless).
        """
        try:
            cv2.imshow(self.name, image_bgr)
            key = cv2.waitKey(max(1, int(wait_ms))) & 0xFF
            closed = self._shown and cv2.getWindowProperty(self.name, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error as error:
            raise RuntimeError(f'This OpenCV cannot show a window ({error.err}); install '
                               'opencv-python instead of opencv-python-headless') from None
        self._shown = True
        if key in self.STOP_KEYS:
            return f'{self.STOP_KEYS[key]} pressed in the window'
        return 'window closed' if closed else None

    def close(self) -> None:
        """Close the window (if it was opened)."""
        if self._shown:
            try:
                cv2.destroyWindow(self.name)
            except cv2.error:  # already closed by the user
                pass
            self._shown = False


def gt_bbox_at(gt_bboxes_xyxy: Optional[np.ndarray], index: int) -> Optional[np.ndarray]:
    """Row ``index`` of optional per-frame ground-truth boxes; None past their end."""
    if gt_bboxes_xyxy is None or index >= len(gt_bboxes_xyxy):
        return None
    return gt_bboxes_xyxy[index]


def write_demo_video(frames: Iterable[np.ndarray],
                     results: Union[TrackingResult, Mapping[str, TrackingResult]],
                     out_path: str,
                     gt_bboxes_xyxy: Optional[np.ndarray] = None,
                     fps: float = 25.,
                     visualizer: Optional[SOTLocalVisualizer] = None,
                     show_templates: bool = True) -> int:
    """Draw tracking results on their video and write it.

    Each frame shows the predicted box(es) with their confidence, the frame index, the
    ground truth (dashed, if given), a banner and border on frames where the dynamic templates
    were refreshed, and the current template crops (of the first tracker that has them).

    Args:
        frames (Iterable[np.ndarray]): The tracked (H, W, 3) uint8 BGR frames, in order.
        results (TrackingResult | Mapping[str, TrackingResult]): One tracker's result, or
            tracker name -> result (each box labelled with its name).
        out_path (str): ``.mp4`` / ``.avi`` file or folder of PNG frames (see
            :class:`FrameWriter`).
        gt_bboxes_xyxy (np.ndarray, optional): (N, 4) ground truth x1, y1, x2, y2 in pixels,
            NaN rows where absent.
        fps (float): Frames per second of a video file. Defaults to 25.
        visualizer (SOTLocalVisualizer, optional): The drawer; a default one if None.
        show_templates (bool): Draw the template strip. Defaults to True.

    Returns:
        int: Number of frames written.

    Raises:
        ValueError: If a result has fewer frames than the video.
    """
    named = {None: results} if isinstance(results, TrackingResult) else dict(results)
    visualizer = visualizer or SOTLocalVisualizer()
    with_templates = next((r for r in named.values() if r.template_snapshots), None)
    labels = with_templates.template_labels if with_templates is not None else None
    with FrameWriter(out_path, fps) as writer:
        for index, frame in enumerate(frames):
            short = [str(n) for n, r in named.items() if len(r) <= index]
            if short:
                where = frames.describe(index) if hasattr(frames, 'describe') else f'frame {index}'
                raise ValueError(f'{where}: no tracking result for this frame (results of '
                                 f'{", ".join(short)} are shorter than the video)')
            steps = {name: r.step(index) for name, r in named.items()}
            if not show_templates:
                for step in steps.values():
                    step.templates = None
            writer.write(visualizer.draw_track_steps(frame, steps,
                                                     gt_bbox_at(gt_bboxes_xyxy, index), labels))
        return writer.num_written
