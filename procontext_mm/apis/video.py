"""Track a whole video and write a demo video of the result.

* :class:`VideoFrames` reads the frames of a video file or of a folder of images, lazily.
* :func:`iter_track` / :func:`track_video` run a tracker over them.
* :class:`FrameWriter` writes frames to an ``.mp4`` / ``.avi`` or to a folder of PNG images.
* :func:`write_demo_video` draws results (one tracker or several) with
  :class:`~procontext_mm.visualization.SOTLocalVisualizer`; :func:`run_demo` tracks, draws,
  writes and shows in one pass (what ``tools/demo/demo_sot.py`` does).
"""
import os
import os.path as osp
import re
import time
from dataclasses import dataclass, field
from typing import (Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple,
                    Union)

import cv2
import mmcv
import numpy as np
from mmengine.utils import ProgressBar, mkdir_or_exist
from torch import nn

from procontext_mm.datasets.base_sot_dataset import IMG_EXTENSIONS
from procontext_mm.visualization import SOTLocalVisualizer

#: output extension -> fourcc of :class:`cv2.VideoWriter`
VIDEO_FOURCCS = {'.mp4': 'mp4v', '.avi': 'MJPG'}


class UnreadableFrameError(OSError):
    """A frame could not be read or decoded (the message names the file)."""


def _natural_key(name: str) -> list:
    """Sort key that orders ``frame2.jpg`` before ``frame10.jpg``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', name)]


class VideoFrames:
    """The frames of a video file or of a folder of images, read lazily and in order.

    A folder holds its images (``.jpg``, ``.jpeg``, ``.png``, ``.bmp``) directly; they are
    ordered by name with numbers compared as numbers (``2.jpg`` before ``10.jpg``). A video file
    is anything OpenCV can decode. Iterating yields (H, W, 3) uint8 BGR frames (grey images are
    converted) and may be repeated.

    Args:
        path (str): Video file or folder of images.

    Raises:
        FileNotFoundError: ``path`` does not exist, or the folder holds no image.
        UnreadableFrameError: The video file cannot be opened or has no frame.
    """

    def __init__(self, path: str):
        self.path = str(path)
        if osp.isdir(self.path):
            names = [n for n in os.listdir(self.path)
                     if osp.splitext(n)[1].lower() in IMG_EXTENSIONS
                     and osp.isfile(osp.join(self.path, n))]
            if not names:
                raise FileNotFoundError(
                    f'{self.path}: no image ({", ".join(IMG_EXTENSIONS)}) in this folder')
            self.files: Optional[List[str]] = [
                osp.join(self.path, n) for n in sorted(names, key=_natural_key)]
            self.fps: Optional[float] = None
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

    @property
    def is_folder(self) -> bool:
        """Whether the frames come from a folder of images."""
        return self.files is not None

    def _open_video(self) -> mmcv.VideoReader:
        reader = mmcv.VideoReader(self.path)
        if not reader.opened:
            raise UnreadableFrameError(f'{self.path}: not a video OpenCV can open')
        return reader

    def __len__(self) -> int:
        """Number of frames (for a video file, as its header tells)."""
        return self._num_frames

    def describe(self, index: int) -> str:
        """Where frame ``index`` comes from, for messages: its file, or the video and index."""
        if self.files is not None:
            return self.files[index]
        return f'{self.path} (frame {index})'

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.files is not None:
            for path in self.files:
                frame = mmcv.imread(path, flag='color')
                if frame is None:
                    raise UnreadableFrameError(f'{path}: cannot be read as an image')
                yield frame
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


def describe_frame(frames: Iterable[np.ndarray], index: int) -> str:
    """Name frame ``index`` of ``frames`` for a message (its file when it has one)."""
    if isinstance(frames, VideoFrames):
        return frames.describe(index)
    return f'frame {index}'


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


# ---------------------------------------------------------------------- tracking
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


def template_labels(model: nn.Module) -> Optional[List[str]]:
    """Short labels of a tracker's template crops: ``S<factor>`` static, ``D<factor>`` dynamic.

    Returns:
        list[str] | None: one label per crop; None for a tracker without template memory.
    """
    memory = getattr(model, 'template_memory', None)
    if memory is None:
        return None
    return ([f'S{f:g}' for f in memory.static_factors]
            + [f'D{f:g}' for f in memory.dynamic_factors])


def iter_track(model: nn.Module, frames: Iterable[np.ndarray],
               init_bbox_xyxy) -> Iterator[Tuple[np.ndarray, TrackStep]]:
    """Track a video frame by frame.

    Args:
        model (nn.Module): A tracker with ``init(frame, bbox_xyxy)`` and
            ``track(frame) -> (bbox_xyxy, score)`` (e.g. from :func:`init_model`); a
            ``template_memory`` attribute, if any, tells when the templates were refreshed.
        frames (Iterable[np.ndarray]): (H, W, 3) uint8 BGR frames, e.g. :class:`VideoFrames`.
        init_bbox_xyxy: (4,) initial box x1, y1, x2, y2 in pixels, on the first frame.

    Yields:
        tuple[np.ndarray, TrackStep]: each frame and what the tracker did on it.

    Raises:
        ValueError: From the tracker for a bad initial box or frame; the message names the
            frame's file.
        FileNotFoundError: If ``frames`` is empty.
    """
    memory = getattr(model, 'template_memory', None)

    def current_templates():
        return None if memory is None else list(memory.templates)

    num_updates = 0
    index = -1
    for index, frame in enumerate(frames):
        start = time.perf_counter()
        try:
            if index == 0:
                model.init(frame, init_bbox_xyxy)
                bbox_xyxy = [float(v) for v in np.asarray(init_bbox_xyxy).reshape(-1)]
                score = -1.
            else:
                bbox_xyxy, score = model.track(frame)
        except ValueError as error:
            raise ValueError(f'{describe_frame(frames, index)}: {error}') from error
        elapsed = time.perf_counter() - start
        refreshed = memory is not None and len(memory.update_frames) > num_updates
        num_updates = 0 if memory is None else len(memory.update_frames)
        yield frame, TrackStep(index, [float(v) for v in bbox_xyxy], float(score), refreshed,
                               current_templates(), elapsed)
    if index < 0:
        raise FileNotFoundError(f'{getattr(frames, "path", "frames")}: no frame to track')


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


def track_video(model: nn.Module, frames: Iterable[np.ndarray], init_bbox_xyxy,
                progress: bool = False,
                on_step: Optional[Callable[[np.ndarray, TrackStep], None]] = None
                ) -> TrackingResult:
    """Track a whole video (see :func:`iter_track`); the frames are not kept.

    Args:
        model (nn.Module): The tracker.
        frames (Iterable[np.ndarray]): (H, W, 3) uint8 BGR frames.
        init_bbox_xyxy: (4,) initial box x1, y1, x2, y2 in pixels.
        progress (bool): Show a progress bar. Defaults to False.
        on_step (callable, optional): Called with each frame and its :class:`TrackStep` as
            soon as it is tracked (e.g. to draw it). Defaults to None.

    Returns:
        TrackingResult: per-frame boxes, scores and times, and the template refreshes.
    """
    bar = ProgressBar(len(frames)) if progress and hasattr(frames, '__len__') else None

    def steps():
        for frame, step in iter_track(model, frames, init_bbox_xyxy):
            if on_step is not None:
                on_step(frame, step)
            if bar is not None:
                bar.update()
            yield step

    return TrackingResult.from_steps(steps(), template_labels(model))


# ---------------------------------------------------------------------- drawing
def _row_or_none(bboxes: Optional[np.ndarray], index: int) -> Optional[np.ndarray]:
    """Row ``index`` of optional per-frame boxes; None past their end."""
    return None if bboxes is None or index >= len(bboxes) else bboxes[index]


def draw_track_steps(visualizer: SOTLocalVisualizer, frame: np.ndarray,
                     steps: Mapping[Optional[str], TrackStep], gt_bbox_xyxy=None,
                     labels: Optional[Sequence[str]] = None) -> np.ndarray:
    """Draw the steps of one or several trackers on a frame.

    Args:
        visualizer (SOTLocalVisualizer): The visualizer.
        frame (np.ndarray): (H, W, 3) uint8 BGR frame.
        steps (Mapping): Tracker name (None: a single unnamed tracker) -> its step on the
            frame. The first step holding templates gives the template strip.
        gt_bbox_xyxy (optional): (4,) ground truth x1, y1, x2, y2 in pixels (NaN: none).
        labels (Sequence[str], optional): Labels of the template crops.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR drawn frame.
    """
    names = list(steps)
    templates = next((s.templates for s in steps.values() if s.templates is not None), None)
    first = steps[names[0]]
    return visualizer.draw_sot_frame(
        frame, first.index, [s.bbox_xyxy for s in steps.values()],
        [s.score for s in steps.values()], [s.refreshed for s in steps.values()],
        names=None if names == [None] else [str(n) for n in names],
        gt_bbox_xyxy=gt_bbox_xyxy, templates=templates, template_labels=labels)


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
                raise ValueError(f'{describe_frame(frames, index)}: no tracking result for this '
                                 f'frame (results of {", ".join(short)} are shorter than '
                                 'the video)')
            steps = {name: r.step(index) for name, r in named.items()}
            if not show_templates:
                for step in steps.values():
                    step.templates = None
            writer.write(draw_track_steps(visualizer, frame, steps,
                                          _row_or_none(gt_bboxes_xyxy, index), labels))
        return writer.num_written


def run_demo(model: nn.Module,
             frames: Iterable[np.ndarray],
             init_bbox_xyxy,
             out_path: Optional[str] = None,
             gt_bboxes_xyxy: Optional[np.ndarray] = None,
             fps: float = 25.,
             show: bool = False,
             progress: bool = True,
             visualizer: Optional[SOTLocalVisualizer] = None) -> TrackingResult:
    """Track a video and draw it as it goes: write it and / or show it in a window.

    Args:
        model (nn.Module): The tracker.
        frames (Iterable[np.ndarray]): (H, W, 3) uint8 BGR frames, e.g. :class:`VideoFrames`.
        init_bbox_xyxy: (4,) initial box x1, y1, x2, y2 in pixels.
        out_path (str, optional): Output video or folder (see :class:`FrameWriter`); None
            writes nothing.
        gt_bboxes_xyxy (np.ndarray, optional): (N, 4) ground truth xyxy pixels, NaN rows where
            absent.
        fps (float): Frames per second of the output and of the display. Defaults to 25.
        show (bool): Show every drawn frame in a window (needs a display). Defaults to False.
        progress (bool): Show a progress bar. Defaults to True.
        visualizer (SOTLocalVisualizer, optional): The drawer; a default one if None.

    Returns:
        TrackingResult: what the tracker did (as :func:`track_video`).
    """
    visualizer = visualizer or SOTLocalVisualizer()
    labels = template_labels(model)
    writer = FrameWriter(out_path, fps) if out_path is not None else None

    def draw(frame: np.ndarray, step: TrackStep) -> None:
        drawn = draw_track_steps(visualizer, frame, {None: step},
                                 _row_or_none(gt_bboxes_xyxy, step.index), labels)
        if writer is not None:
            writer.write(drawn)
        if show:
            visualizer.show(drawn[..., ::-1], win_name='procontext_mm demo', wait_time=1. / fps)

    try:
        return track_video(model, frames, init_bbox_xyxy, progress, on_step=draw)
    finally:
        if writer is not None:
            writer.close()
