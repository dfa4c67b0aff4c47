"""The VOT supervised (reset-based) experiment, stepped frame by frame.

One implementation of the protocol of the VOT2013 - VOT2019 short-term challenges (the
``baseline`` experiment of the ``vot2016``, ``vot2017``, ``vot2018/shortterm`` and
``vot2019/shortterm`` stacks), as ``vot-toolkit`` 0.7's ``SupervisedExperiment.execute`` runs
it, shared by every driver that owns frames and a tracker:

* :func:`procontext_mm.apis.run_supervised_sequence` (any ``init`` / ``track`` object, frames
  read from disk only when they are tracked), used by
  :func:`~procontext_mm.apis.run_vot_experiment`;
* :class:`~procontext_mm.engine.runner.SOTTestLoop` / ``SOTValLoop`` (the model inside
  mmengine's runner, frames from the test dataloader).

The driver asks :meth:`SupervisedRun.next_action` for every frame in order and does what it
says: ``'init'`` (initialise the tracker on :meth:`SupervisedRun.init_bbox_xyxy`), ``'track'``
(track, then hand the box to :meth:`SupervisedRun.tracked`) or ``'skip'`` (nothing: the
tracker has failed and waits for its re-initialisation).

Rules (``vot-toolkit`` 0.7, ``vot/experiment/multirun.py``):

* frame 0 is an initialisation, recorded ``1`` (:data:`VOT_INIT`);
* every later frame is tracked; a prediction whose overlap with the ground-truth region
  (:func:`~procontext_mm.evaluation.functional.vot.vot_region_overlap`, bounded to the image
  when ``bounded``) is ``<= failure_overlap`` (0) is a failure, recorded ``2``
  (:data:`VOT_FAILURE`); any other prediction is recorded as the region ``x, y, w, h``;
* after a failure on frame ``f`` the frames ``f + 1 .. f + skip_initialize - 1`` are skipped
  (recorded ``0``, :data:`VOT_SKIP`, never read) and the tracker is re-initialised on frame
  ``f + skip_initialize`` (5 in every challenge) with the ground truth of that frame; a
  failure within the last ``skip_initialize`` frames leaves the rest of the sequence skipped;
* the tracker receives the axis-aligned box of the ground-truth region (how the toolkit hands
  a polygon to a rectangle tracker).

The toolkit's ``skip_tags`` option (skip re-initialisation on frames with given tags) is unused
by the VOT2016 - VOT2019 stacks and not implemented. Scoring the records (accuracy with its
burn-in, robustness, EAO) is :func:`~procontext_mm.evaluation.functional.vot.eval_vot`.

The anchor-based (multi-start) experiment of VOT2020 / VOT2022 short-term is stepped the same
way by :class:`MultiStartRun` (``vot-toolkit`` 0.7, ``vot/experiment/multistart.py``), shared by
:func:`procontext_mm.apis.run_multistart_sequence` and the SOT loops: the driver visits the
frames in :meth:`MultiStartRun.frame_order` (every run, one after the other: from each
forward anchor to the last frame, then from each backward anchor back to frame 0), asks
:meth:`MultiStartRun.next_action` on each and initialises (the run's first frame, on the
axis-aligned box of the anchor's region) or tracks; no failure, no re-initialisation within a
run. Scoring is :func:`~procontext_mm.evaluation.functional.vot.eval_vot_multistart`.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from procontext_mm.structures import bbox_xywh_to_xyxy, bbox_xyxy_to_xywh
from .functional.vot import (VOT_SKIP_INITIALIZE, multistart_run_frames, vot_anchor_frames,
                             vot_region_overlap, vot_region_to_bbox_xywh)
from .results_io import VOT_FAILURE, VOT_INIT, VOT_SKIP

VOTRecord = Union[int, np.ndarray]
#: ``vot_status`` metainfo of a frame whose record is the tracker's region (not a status).
VOT_TRACKED = -1


def vot_init_bbox_xyxy(region, seq_name: str = '?', frame_index: int = 0) -> np.ndarray:
    """The box a VOT experiment initialises a box tracker with: the axis-aligned box of the
    ground-truth region (supervised and multi-start experiments alike).

    Args:
        region: (4,) ``x, y, w, h`` or (2N,) polygon, pixels.
        seq_name (str): For the message. frame_index (int): For the message.

    Returns:
        np.ndarray: (4,) float64 x1, y1, x2, y2 pixels.

    Raises:
        ValueError: If the region is missing or not finite (an initialisation frame must be
            annotated).
    """
    values = np.asarray(region, dtype=np.float64).reshape(-1)
    if values.size < 4 or not np.isfinite(values).all():
        raise ValueError(f'Sequence {seq_name}, frame {frame_index}: no ground-truth region '
                         f'({values.tolist()}) to initialise on; the VOT experiments '
                         'initialise on annotated frames only (short-term sequences).')
    return bbox_xywh_to_xyxy(vot_region_to_bbox_xywh(values))


class SupervisedRun:
    """One run of the supervised experiment on one sequence (rules in the module docstring).

    Args:
        gt_regions (Sequence): L ground-truth regions, (4,) ``x, y, w, h`` or (2N,) polygons
            ``x1, y1, ..., xN, yN``, pixels, as the sequence's ``groundtruth.txt`` gives them.
        skip_initialize (int): Frames from a failure to the re-initialisation. Defaults to 5.
        failure_overlap (float): A prediction with overlap ``<=`` this is a failure.
            Defaults to 0.
        bounded (bool): Count only pixels inside the image in the overlap (the toolkit's
            setting). Defaults to True.
        seq_name (str): Sequence name for messages.

    Attributes:
        records (list): L records, filled as the run goes: ``1`` / ``2`` / ``0`` or a (4,)
            float64 region ``x, y, w, h`` (what :func:`~procontext_mm.evaluation.results_io.
            write_vot_results` writes). Frames not reached yet hold ``0``.

    Raises:
        ValueError: If ``skip_initialize < 1`` or there is no region.
    """

    INIT, TRACK, SKIP = 'init', 'track', 'skip'

    def __init__(self,
                 gt_regions: Sequence[Sequence[float]],
                 skip_initialize: int = VOT_SKIP_INITIALIZE,
                 failure_overlap: float = 0.0,
                 bounded: bool = True,
                 seq_name: str = '?') -> None:
        if int(skip_initialize) < 1:
            raise ValueError(f'skip_initialize must be >= 1, got {skip_initialize}.')
        if len(gt_regions) == 0:
            raise ValueError(f'Sequence {seq_name}: no ground-truth region.')
        self.gt_regions = gt_regions
        self.skip_initialize = int(skip_initialize)
        self.failure_overlap = float(failure_overlap)
        self.bounded = bool(bounded)
        self.seq_name = seq_name
        self.records: List[VOTRecord] = [VOT_SKIP] * len(gt_regions)
        self._next_frame = 0  # the frame next_action() expects
        self._next_init = 0  # the frame of the next (re)initialisation
        self._pending: Optional[int] = None  # a frame to track, waiting for tracked()

    def __len__(self) -> int:
        return len(self.records)

    def next_action(self, frame_index: int) -> str:
        """What to do on frame ``frame_index`` (frames must come in order, 0, 1, ...).

        ``'init'`` and ``'skip'`` are recorded at once; after ``'track'`` the driver must call
        :meth:`tracked` before asking for the next frame.

        Returns:
            str: :attr:`INIT`, :attr:`TRACK` or :attr:`SKIP`.

        Raises:
            RuntimeError: If frames come out of order or a tracked frame was not reported.
        """
        if self._pending is not None:
            raise RuntimeError(f'Sequence {self.seq_name}: frame {self._pending} was tracked '
                               'but its box was not reported with tracked().')
        if frame_index != self._next_frame:
            raise RuntimeError(f'Sequence {self.seq_name}: expected frame {self._next_frame} '
                               f'of {len(self)}, got frame {frame_index}.')
        self._next_frame += 1
        if frame_index == self._next_init:
            self.records[frame_index] = VOT_INIT
            return self.INIT
        if frame_index < self._next_init:
            self.records[frame_index] = VOT_SKIP
            return self.SKIP
        self._pending = frame_index
        return self.TRACK

    def init_bbox_xyxy(self, frame_index: int) -> np.ndarray:
        """The box to initialise the tracker with on frame ``frame_index``.

        Returns:
            np.ndarray: (4,) float64 x1, y1, x2, y2 pixels, the axis-aligned box of the
            ground-truth region.

        Raises:
            ValueError: If the region is missing or not finite (the supervised experiment
                needs short-term sequences, annotated on every frame).
        """
        return vot_init_bbox_xyxy(self.gt_regions[frame_index], self.seq_name, frame_index)

    def tracked(self,
                frame_index: int,
                bbox_xyxy: Sequence[float],
                image_size_wh: Optional[Sequence[int]] = None) -> bool:
        """Record the tracker's box on a frame :meth:`next_action` said to track.

        Args:
            frame_index (int): The frame.
            bbox_xyxy (Sequence[float]): (4,) predicted x1, y1, x2, y2, pixels.
            image_size_wh (Sequence[int], optional): (W, H) of the frame, for the bounded
                overlap (ignored when ``bounded`` is False). Required when ``bounded``.

        Returns:
            bool: Whether the prediction is a failure (the tracker is then re-initialised
            ``skip_initialize`` frames later).
        """
        if self._pending != frame_index:
            raise RuntimeError(f'Sequence {self.seq_name}: tracked() for frame {frame_index}, '
                               f'but the frame to report is {self._pending}.')
        self._pending = None
        if self.bounded and image_size_wh is None:
            raise ValueError(f'Sequence {self.seq_name}, frame {frame_index}: the bounded '
                             'overlap needs the image size.')
        region = bbox_xyxy_to_xywh(np.asarray(bbox_xyxy, dtype=np.float64).reshape(4))
        try:
            overlap = vot_region_overlap(region, self.gt_regions[frame_index],
                                         image_size_wh if self.bounded else None)
        except ValueError as error:  # e.g. a NaN ground truth: not a short-term sequence
            raise ValueError(f'Sequence {self.seq_name}, frame {frame_index}: {error}') from None
        if overlap <= self.failure_overlap:
            self.records[frame_index] = VOT_FAILURE
            self._next_init = frame_index + self.skip_initialize
            return True
        self.records[frame_index] = region
        return False

    def status(self, frame_index: int) -> Optional[int]:
        """The status recorded on a frame (1, 2 or 0), or None if it holds a region."""
        record = self.records[frame_index]
        return int(record) if np.ndim(record) == 0 else None


class MultiStartRun:
    """The multi-start experiment on one sequence: every run from its anchors, in order (rules
    in the module docstring).

    Runs are ordered as the toolkit executes them: the forward anchors (``anchor.value > 0``)
    in frame order, then the backward ones (``< 0``). A driver visits
    :meth:`frame_order` and, on each frame, calls :meth:`next_action`, then initialises on
    :meth:`init_bbox_xyxy` or tracks and reports the box with :meth:`tracked`.

    Args:
        gt_regions (Sequence): L ground-truth regions, (4,) ``x, y, w, h`` or (2N,) polygons,
            pixels (NaN rows: no target; an anchor frame must be annotated).
        anchor_values (Sequence[float]): (L,) the sequence's ``anchor`` channel
            (``anchor.value``).
        seq_name (str): Sequence name for messages.

    Attributes:
        runs (list[tuple[int, bool]]): ``(anchor frame, reverse)`` of every run, in order.
        records (dict[int, list]): anchor frame -> the run's records in run order, filled as
            the run goes: ``1`` (:data:`VOT_INIT`) on the anchor frame, then (4,) float64
            regions ``x, y, w, h`` (frames not reached yet hold ``0``). What
            :func:`~procontext_mm.evaluation.results_io.write_vot_results` writes as
            ``<seq>_<anchor:08d>.txt``.

    Raises:
        ValueError: If the lengths differ or the sequence has no anchor (naming it).
    """

    INIT, TRACK = 'init', 'track'

    def __init__(self,
                 gt_regions: Sequence[Sequence[float]],
                 anchor_values: Sequence[float],
                 seq_name: str = '?') -> None:
        num_frames = len(gt_regions)
        if len(anchor_values) != num_frames:
            raise ValueError(f'Sequence {seq_name}: {num_frames} ground-truth regions but '
                             f'{len(anchor_values)} anchor values.')
        forward, backward = vot_anchor_frames(anchor_values)
        if not forward and not backward:
            raise ValueError(f'Sequence {seq_name} has no anchor frame (anchor.value has no '
                             'non-zero value).')
        self.gt_regions = gt_regions
        self.seq_name = seq_name
        self.runs: List[Tuple[int, bool]] = ([(f, False) for f in forward] +
                                             [(b, True) for b in backward])
        run_frames = [multistart_run_frames(anchor, reverse, num_frames)
                      for anchor, reverse in self.runs]
        self._frame_order = np.concatenate(run_frames)
        self._run_of_step = np.repeat(np.arange(len(self.runs)), [len(f) for f in run_frames])
        starts = np.cumsum([0] + [len(f) for f in run_frames])
        self._run_starts = starts[:-1]
        self.records: Dict[int, List[VOTRecord]] = {
            anchor: [VOT_SKIP] * len(frames)
            for (anchor, _), frames in zip(self.runs, run_frames)}
        self._step = 0  # the step next_action() expects
        self._pending: Optional[int] = None  # a frame to track, waiting for tracked()

    def __len__(self) -> int:
        """Frames visited by all runs together."""
        return len(self._frame_order)

    def frame_order(self) -> np.ndarray:
        """(N,) int64 0-based frames in the order the tracker sees them, all runs concatenated
        (a frame appears once per run that covers it)."""
        return self._frame_order.copy()

    def run_slices(self) -> Dict[int, slice]:
        """anchor frame -> the run's slice of :meth:`frame_order` (e.g. to split per-step times
        into runs)."""
        ends = list(self._run_starts[1:]) + [len(self)]
        return {anchor: slice(int(start), int(end))
                for (anchor, _), start, end in zip(self.runs, self._run_starts, ends)}

    @property
    def finished(self) -> bool:
        """Whether every run has been stepped to its end (and its last box reported)."""
        return self._step == len(self) and self._pending is None

    @property
    def current_run(self) -> Tuple[int, bool]:
        """``(anchor frame, reverse)`` of the run of the frame last given by
        :meth:`next_action`."""
        if self._step == 0:
            raise RuntimeError(f'Sequence {self.seq_name}: no frame stepped yet.')
        return self.runs[int(self._run_of_step[self._step - 1])]

    def next_action(self, frame_index: int) -> str:
        """What to do on frame ``frame_index``, the next frame of :meth:`frame_order`.

        ``'init'`` (the first frame of a run) is recorded at once; after ``'track'`` the driver
        must call :meth:`tracked` before asking for the next frame.

        Returns:
            str: :attr:`INIT` or :attr:`TRACK`.

        Raises:
            RuntimeError: If the frame is not the next of :meth:`frame_order`, the runs are
                over, or a tracked frame was not reported.
        """
        if self._pending is not None:
            raise RuntimeError(f'Sequence {self.seq_name}: frame {self._pending} was tracked '
                               'but its box was not reported with tracked().')
        if self._step >= len(self):
            raise RuntimeError(f'Sequence {self.seq_name}: every run is over ({len(self)} '
                               f'frames), got frame {frame_index}.')
        expected = int(self._frame_order[self._step])
        run = int(self._run_of_step[self._step])
        anchor, reverse = self.runs[run]
        if frame_index != expected:
            raise RuntimeError(
                f'Sequence {self.seq_name}: expected frame {expected} (run from anchor frame '
                f'{anchor}, {"backward" if reverse else "forward"}), got frame {frame_index}.')
        position = self._step - int(self._run_starts[run])
        self._step += 1
        if position == 0:
            self.records[anchor][0] = VOT_INIT
            return self.INIT
        self._pending = frame_index
        return self.TRACK

    def init_bbox_xyxy(self, frame_index: int) -> np.ndarray:
        """The box to initialise the tracker with on an anchor frame: (4,) float64 x1, y1,
        x2, y2 pixels, the axis-aligned box of its ground-truth region.

        Raises:
            ValueError: If the anchor frame has no ground-truth region.
        """
        return vot_init_bbox_xyxy(self.gt_regions[frame_index], self.seq_name, frame_index)

    def tracked(self, frame_index: int, bbox_xyxy: Sequence[float]) -> None:
        """Record the tracker's box on a frame :meth:`next_action` said to track.

        Args:
            frame_index (int): The frame.
            bbox_xyxy (Sequence[float]): (4,) predicted x1, y1, x2, y2, pixels.
        """
        if self._pending != frame_index:
            raise RuntimeError(f'Sequence {self.seq_name}: tracked() for frame {frame_index}, '
                               f'but the frame to report is {self._pending}.')
        self._pending = None
        step = self._step - 1
        run = int(self._run_of_step[step])
        anchor = self.runs[run][0]
        self.records[anchor][step - int(self._run_starts[run])] = bbox_xyxy_to_xywh(
            np.asarray(bbox_xyxy, dtype=np.float64).reshape(4))
