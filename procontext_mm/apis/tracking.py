"""Track a whole video with any tracker of the package, and draw it as it goes.

* :func:`iter_track` / :func:`track_video` run a tracker over the frames of a video
  (e.g. :class:`~procontext_mm.datasets.VideoFrames`) and return
  :class:`~procontext_mm.structures.TrackingResult`;
* :func:`run_demo` tracks, draws, writes and shows in one pass (what ``tools/demo/demo_sot.py``
  does).
"""
import time
from typing import Callable, Iterable, Iterator, Optional, Tuple

import numpy as np
from mmengine.utils import ProgressBar
from torch import nn

from procontext_mm.structures import TrackingResult, TrackStep
from procontext_mm.visualization import FrameWriter, SOTLocalVisualizer, gt_bbox_at


def _template_memory(model: nn.Module):
    """The tracker's template memory; None for a tracker without templates."""
    return getattr(model, 'template_memory', None)


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
    memory = _template_memory(model)

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
            where = frames.describe(index) if hasattr(frames, 'describe') else f'frame {index}'
            raise ValueError(f'{where}: {error}') from error
        elapsed = time.perf_counter() - start
        refreshed = memory is not None and len(memory.update_frames) > num_updates
        num_updates = 0 if memory is None else len(memory.update_frames)
        yield frame, TrackStep(index, [float(v) for v in bbox_xyxy], float(score), refreshed,
                               current_templates(), elapsed)
    if index < 0:
        raise FileNotFoundError(f'{getattr(frames, "path", "frames")}: no frame to track')


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

    memory = _template_memory(model)
    return TrackingResult.from_steps(steps(), None if memory is None else memory.labels)


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
    memory = _template_memory(model)
    labels = None if memory is None else memory.labels
    writer = FrameWriter(out_path, fps) if out_path is not None else None

    def draw(frame: np.ndarray, step: TrackStep) -> None:
        drawn = visualizer.draw_track_steps(frame, {None: step},
                                            gt_bbox_at(gt_bboxes_xyxy, step.index), labels)
        if writer is not None:
            writer.write(drawn)
        if show:
            visualizer.show(drawn[..., ::-1], win_name='procontext_mm demo', wait_time=1. / fps)

    try:
        return track_video(model, frames, init_bbox_xyxy, progress, on_step=draw)
    finally:
        if writer is not None:
            writer.close()
