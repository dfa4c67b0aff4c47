"""Track a whole video with any tracker of the package, and draw it as it goes.

* :func:`iter_track` / :func:`track_video` run a tracker over the frames of a video
  (e.g. :class:`~procontext_mm.datasets.VideoFrames`) and return
  :class:`~procontext_mm.structures.TrackingResult`;
* :func:`run_demo` tracks, draws, writes and shows in one pass, with the running speed, on a
  video or a live source (what ``tools/demo/demo_sot.py`` does).
"""
import time
from contextlib import closing
from typing import Callable, Iterable, Iterator, Optional, Tuple

import numpy as np
from mmengine.logging import print_log
from mmengine.utils import ProgressBar
from torch import nn

from procontext_mm.structures import TrackingResult, TrackStep
from procontext_mm.utils import RunningFPS
from procontext_mm.visualization import (DemoWindow, FrameWriter, SOTLocalVisualizer,
                                         gt_bbox_at)


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
        frames (Iterable[np.ndarray]): (H, W, 3) uint8 BGR frames, e.g. :class:`VideoFrames`
            or :class:`LiveFrames` (a camera / stream).
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


def speed_text(fps: float, num_dropped: Optional[int] = None) -> str:
    """The demo's speed line: ``'24.3 FPS'``, with ``', 12 dropped'`` for a realtime source."""
    text = f'{fps:.1f} FPS'
    return text if num_dropped is None else f'{text}, {num_dropped} dropped'


def run_demo(model: nn.Module,
             frames: Iterable[np.ndarray],
             init_bbox_xyxy,
             out_path: Optional[str] = None,
             gt_bboxes_xyxy: Optional[np.ndarray] = None,
             fps: float = 25.,
             show: bool = False,
             progress: bool = True,
             visualizer: Optional[SOTLocalVisualizer] = None,
             show_fps: bool = False,
             fps_window: int = 30,
             max_frames: Optional[int] = None,
             status_interval: float = 5.) -> TrackingResult:
    """Track a video or a live source and draw it as it goes: write it and / or show it.

    It stops at the end of the frames, after ``max_frames``, when ``q`` / Esc is pressed in
    the window (or the window is closed), or on Ctrl-C (``KeyboardInterrupt``); in every case
    the frames tracked so far are returned, the output video is closed properly (playable) and
    the reason is logged.

    For frames that drop stale frames (a realtime :class:`~procontext_mm.datasets.LiveFrames`:
    ``realtime`` and ``num_dropped`` attributes), the speed line also counts the dropped frames,
    and the output repeats each drawn frame once per frame dropped after it: it shows what the
    window showed, at the source's pace, with one frame per frame the source delivered.

    Args:
        model (nn.Module): The tracker.
        frames (Iterable[np.ndarray]): (H, W, 3) uint8 BGR frames, e.g. :class:`VideoFrames`
            or :class:`LiveFrames`.
        init_bbox_xyxy: (4,) initial box x1, y1, x2, y2 in pixels.
        out_path (str, optional): Output video or folder (see :class:`FrameWriter`); None
            writes nothing.
        gt_bboxes_xyxy (np.ndarray, optional): (N, 4) ground truth xyxy pixels, NaN rows where
            absent.
        fps (float): Frames per second of the output. Defaults to 25.
        show (bool): Show every drawn frame in a window (:class:`DemoWindow`). Defaults to
            False.
        progress (bool): Show a progress bar for frames of known length; log the speed every
            ``status_interval`` seconds for the others. Defaults to True.
        visualizer (SOTLocalVisualizer, optional): The drawer; a default one if None.
        show_fps (bool): Write the tracking speed top-right on the frames (from frame 1 on):
            frames per second of the tracker (``init`` / ``track`` only, as
            :attr:`TrackingResult.fps`) over the last ``fps_window`` frames. Defaults to False.
        fps_window (int): Frames the shown speed is averaged over. Defaults to 30.
        max_frames (int, optional): Stop after this many frames. Defaults to None (no limit).
        status_interval (float): Seconds between speed log lines of frames without a length.
            Defaults to 5.

    Returns:
        TrackingResult: what the tracker did (as :func:`track_video`), on the frames tracked.

    Raises:
        RuntimeError: ``show`` without a display (see :func:`display_available`).
        ValueError: For a ``max_frames`` below 1.
    """
    if max_frames is not None and max_frames < 1:
        raise ValueError(f'max_frames must be at least 1, got {max_frames}')
    visualizer = visualizer or SOTLocalVisualizer()
    memory = _template_memory(model)
    labels = None if memory is None else memory.labels
    counts_drops = bool(getattr(frames, 'realtime', False)) and hasattr(frames, 'num_dropped')
    window = DemoWindow() if show else None
    num_frames = len(frames) if hasattr(frames, '__len__') else None
    if max_frames is not None and num_frames is not None:
        num_frames = min(num_frames, max_frames)
    bar = ProgressBar(num_frames) if progress and num_frames is not None else None
    speed = RunningFPS(fps_window)
    writer = FrameWriter(out_path, fps) if out_path is not None else None
    state = dict(stop_reason=None, last_drawn=None, drops_written=0,
                 last_status=time.perf_counter())

    def draw(frame: np.ndarray, step: TrackStep) -> None:
        if step.index > 0:  # frame 0 initialises the tracker: not a tracking speed
            speed.update(step.track_time)
        num_dropped = frames.num_dropped if counts_drops else None
        status_text = (speed_text(speed.fps, num_dropped) if show_fps and len(speed) else None)
        drawn = visualizer.draw_track_steps(frame, {None: step},
                                            gt_bbox_at(gt_bboxes_xyxy, step.index), labels,
                                            status_text=status_text)
        if writer is not None:
            if counts_drops and state['last_drawn'] is not None:
                for _ in range(num_dropped - state['drops_written']):
                    writer.write(state['last_drawn'])  # the window kept showing it meanwhile
                state['drops_written'] = num_dropped
            writer.write(drawn)
            state['last_drawn'] = drawn
        if window is not None:
            state['stop_reason'] = window.show(drawn)
        if bar is not None:
            bar.update()
        elif progress and len(speed) and \
                time.perf_counter() - state['last_status'] >= status_interval:
            state['last_status'] = time.perf_counter()
            print_log(f'frame {step.index}: {speed_text(speed.fps, num_dropped)} (tracker, '
                      f'last {len(speed)} frames)', logger='current')

    def steps() -> Iterator[TrackStep]:
        with closing(iter_track(model, frames, init_bbox_xyxy)) as tracked:
            try:
                for frame, step in tracked:
                    draw(frame, step)
                    yield step
                    if max_frames is not None and step.index + 1 >= max_frames:
                        state['stop_reason'] = state['stop_reason'] or \
                            f'max_frames = {max_frames} reached'
                    if state['stop_reason'] is not None:
                        return
            except KeyboardInterrupt:
                state['stop_reason'] = 'interrupted (Ctrl-C)'

    try:
        result = TrackingResult.from_steps(steps(), labels)
    finally:
        if writer is not None:
            writer.close()
        if window is not None:
            window.close()
    if bar is not None and bar.completed:
        bar.file.write('\n')  # the bar does not end its line
    reason = state['stop_reason'] or getattr(frames, 'end_reason', None)
    if reason is not None:
        print_log(f'Stopped after {len(result)} frames: {reason}', logger='current')
    return result
