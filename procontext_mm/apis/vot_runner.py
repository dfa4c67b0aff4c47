"""The VOT short-term supervised ("baseline") experiment, run in-process on any tracker.

The loop is the one of the VOT2016 - VOT2019 short-term challenges (VOT toolkit
``SupervisedExperiment``), stepped by
:class:`~procontext_mm.evaluation.vot_protocol.SupervisedRun` (its rules are there; the runner's
``SOTTestLoop`` steps the same class): initialise on frame 0 with the ground truth, track, and
re-initialise ``skip_initialize`` (5) frames after a failure (zero overlap with the ground
truth). The tracker always receives the axis-aligned box of the ground-truth region (as the
toolkit hands a polygon to a rectangle tracker) and reports a box; records are written in the
toolkit's raw format by
:func:`~procontext_mm.evaluation.results_io.write_vot_results`, and accuracy, robustness and
EAO come from :func:`~procontext_mm.evaluation.functional.vot.eval_vot`.

The anchor-based (multi-start) experiment of VOT2020 / VOT2022 short-term runs with
:func:`run_vot_multistart_experiment`, stepped by
:class:`~procontext_mm.evaluation.vot_protocol.MultiStartRun` (the runner's ``SOTTestLoop``
steps it too when the metric is ``SOTMetric(benchmark='vot2022')``).

For the VOT toolkit itself (``vot evaluate``), use the TraX entry point
``tools/vot/procontext_trax.py`` instead.
"""
import glob
import os.path as osp
import re
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.logging import print_log

from procontext_mm.datasets import VideoFrames
from procontext_mm.datasets.vot_dataset import vot_anchor_values, vot_ground_truth
from procontext_mm.evaluation.functional.vot import (EAO_INTERVALS, MULTISTART_EAO_INTERVAL,
                                                     MULTISTART_GRACE, MULTISTART_THRESHOLD,
                                                     VOT_BURNIN, VOT_SENSITIVITY,
                                                     VOT_SKIP_INITIALIZE, eval_vot,
                                                     eval_vot_multistart, multistart_run_frames,
                                                     vot_anchor_frames)
from procontext_mm.evaluation.results_io import (VOT_FAILURE, read_vot_results,
                                                 write_vot_results)
from procontext_mm.evaluation.vot_protocol import MultiStartRun, SupervisedRun

VOTRecord = Union[int, np.ndarray]


def run_supervised_sequence(tracker,
                            frames: Sequence[np.ndarray],
                            gt_regions: Sequence[Sequence[float]],
                            skip_initialize: int = VOT_SKIP_INITIALIZE,
                            failure_overlap: float = 0.0,
                            bounded: bool = True,
                            seq_name: str = '?') -> Tuple[List[VOTRecord], np.ndarray]:
    """Run the reset-based experiment once on one sequence.

    The protocol's steps are :class:`~procontext_mm.evaluation.vot_protocol.SupervisedRun`'s
    (the same as in ``SOTTestLoop``); this function only reads the frames it asks for and
    calls the tracker.

    Args:
        tracker: An object with ``init(frame, bbox_xyxy)`` and ``track(frame) ->
            (bbox_xyxy, score)`` (e.g. from :func:`~procontext_mm.apis.init_model`); frames
            are (H, W, 3) uint8 BGR, boxes x1, y1, x2, y2 in pixels.
        frames (Sequence[np.ndarray]): Indexable frames (e.g.
            :class:`~procontext_mm.datasets.VideoFrames`); frames
            skipped after a failure are never read.
        gt_regions (Sequence): L ground-truth regions, (4,) ``x, y, w, h`` or (8,) polygons.
        skip_initialize (int): Frames from a failure to the re-initialisation. Defaults to 5.
        failure_overlap (float): A prediction with overlap ``<=`` this is a failure.
            Defaults to 0.
        bounded (bool): Count only pixels inside the image in the overlap. Defaults to True.
        seq_name (str): Sequence name for messages.

    Returns:
        tuple: ``records`` (list of L VOT records: 1 / 2 / 0 or a (4,) float64 box
        ``x, y, w, h``) and ``times`` ((L,) float64 seconds spent in ``init`` / ``track``,
        NaN on skipped frames).

    Raises:
        ValueError: If the lengths differ, ``skip_initialize < 1`` or a ground-truth region is
            missing; errors of the tracker name the sequence and frame.
    """
    num_frames = len(gt_regions)
    if len(frames) != num_frames:
        raise ValueError(f'Sequence {seq_name}: {len(frames)} frames but {num_frames} '
                         'ground-truth regions.')
    run = SupervisedRun(gt_regions, skip_initialize, failure_overlap, bounded, seq_name)
    times = np.full(num_frames, np.nan)

    def call(step: Callable, frame_index: int):
        start = time.perf_counter()
        try:
            out = step()
        except ValueError as error:
            raise ValueError(f'Sequence {seq_name}, frame {frame_index}: {error}') from error
        times[frame_index] = time.perf_counter() - start
        return out

    for frame_index in range(num_frames):
        action = run.next_action(frame_index)
        if action == run.SKIP:
            continue
        if action == run.INIT:
            init_bbox_xyxy = run.init_bbox_xyxy(frame_index).tolist()
            image = frames[frame_index]
            call(lambda: tracker.init(image, init_bbox_xyxy), frame_index)
        else:
            image = frames[frame_index]
            bbox_xyxy, _ = call(lambda: tracker.track(image), frame_index)
            run.tracked(frame_index, bbox_xyxy, (image.shape[1], image.shape[0]))
    return run.records, times


def _build_dataset(dataset):
    """A dataset instance from an instance, a config dict or a VOT data root."""
    from procontext_mm.datasets import BaseSOTDataset
    if isinstance(dataset, BaseSOTDataset):
        return dataset
    from mmengine.registry import init_default_scope

    from procontext_mm.registry import DATASETS
    init_default_scope('procontext_mm')
    if isinstance(dataset, str):
        dataset = dict(type='VOTDataset', data_root=dataset)
    if not isinstance(dataset, dict):
        raise TypeError('dataset must be a BaseSOTDataset, a config dict or a VOT data root, '
                        f'got {type(dataset).__name__}.')
    return DATASETS.build(dict(dict(test_mode=True, pipeline=[]), **dataset))


def _frame_size_wh(path: str) -> Tuple[int, int]:
    from PIL import Image
    with Image.open(path) as image:
        return image.size


def run_vot_experiment(tracker,
                       dataset,
                       out_dir: Optional[str] = None,
                       repetitions: int = 1,
                       skip_initialize: int = VOT_SKIP_INITIALIZE,
                       failure_overlap: float = 0.0,
                       burnin: int = VOT_BURNIN,
                       sensitivity: float = VOT_SENSITIVITY,
                       eao_interval: Sequence[int] = EAO_INTERVALS['vot2018'],
                       bounded: bool = True) -> dict:
    """Run the supervised experiment on every video of a dataset, write and score it.

    Args:
        tracker: ``init`` / ``track`` tracker (see :func:`run_supervised_sequence`).
        dataset: A :class:`~procontext_mm.datasets.VOTDataset` (any SOT dataset works: its
            boxes are then the regions), a dataset config dict, or a VOT data root.
        out_dir (str, optional): Where to write the raw results (``<seq>/<seq>_001.txt`` and
            ``<seq>/<seq>_time.txt``, the layout of a VOT workspace's
            ``results/<tracker>/baseline``). Defaults to None (not written).
        repetitions (int): Runs per sequence (the challenges ask for 15 and the toolkit stops
            after 3 identical runs of a deterministic tracker; ours is deterministic).
            Defaults to 1.
        skip_initialize (int): Defaults to 5.
        failure_overlap (float): Defaults to 0.
        burnin (int): Burn-in of the accuracy. Defaults to 10.
        sensitivity (float): Of the AR-plot robustness. Defaults to 30.
        eao_interval (Sequence[int]): ``(low, high)`` of the EAO score. Defaults to VOT2018's.
        bounded (bool): Bound the overlaps to the image. Defaults to True.

    Returns:
        dict: the report of :func:`~procontext_mm.evaluation.functional.vot.eval_vot`, plus
        ``records`` (sequence name -> list of runs) and ``times`` (name -> (R, L) seconds).
    """
    dataset = _build_dataset(dataset)
    names, gts, sizes, all_runs, all_times = [], [], [], {}, {}
    for video_id in range(len(dataset)):
        name = dataset.get_data_info(video_id)['video_name']
        gt = vot_ground_truth(dataset, video_id)
        frames = VideoFrames.from_files(
            [dataset.get_frame_path(video_id, k) for k in range(len(gt))], name)
        runs, times = [], []
        for repetition in range(1, repetitions + 1):
            records, run_times = run_supervised_sequence(tracker, frames, gt, skip_initialize,
                                                         failure_overlap, bounded, name)
            runs.append(records)
            times.append(run_times)
            if out_dir is not None:
                write_vot_results(out_dir, name, records, run_times, repetition)
        num_failures = sum(1 for r in runs[0] if np.ndim(r) == 0 and r == VOT_FAILURE)
        print_log(f'VOT supervised: {name} ({len(gt)} frames) {num_failures} failures in run 1',
                  logger='current')
        names.append(name)
        gts.append(gt)
        sizes.append(_frame_size_wh(frames.files[0]) if bounded else None)
        all_runs[name] = runs
        all_times[name] = np.stack(times)
    report = eval_vot([all_runs[n] for n in names], gts, sizes, names, burnin, sensitivity,
                      eao_interval)
    return dict(report, records=all_runs, times=all_times)


def _read_toolkit_binary(path: str, seq_name: str,
                         num_frames: Optional[int]) -> List[VOTRecord]:
    """Records of a ``.bin`` trajectory (``vot-toolkit`` >= 0.6 default) via the toolkit."""
    try:
        from vot.region import Special
        from vot.region.io import read_trajectory
        from vot.region.shapes import Polygon, Rectangle
    except ImportError:
        raise ImportError(f'{path} is a binary VOT toolkit trajectory; reading it needs '
                          '"pip install vot-toolkit" (or set VOT_RESULTS_BINARY=false for '
                          'text results).') from None
    records: List[VOTRecord] = []
    for index, region in enumerate(read_trajectory(path)):
        if isinstance(region, Special):
            records.append(int(region.code))
        elif isinstance(region, Rectangle):
            records.append(np.array([region.x, region.y, region.width, region.height], float))
        elif isinstance(region, Polygon):
            records.append(np.array([region[i] for i in range(region.size)], float).ravel())
        else:
            raise ValueError(f'{path} (sequence {seq_name}), frame {index}: unsupported region '
                             f'type {type(region).__name__} (masks are not supported).')
    if num_frames is not None and len(records) != num_frames:
        raise ValueError(f'{path} (sequence {seq_name}): {len(records)} records but the '
                         f'sequence has {num_frames} frames.')
    return records


def load_vot_runs(result_dir: str, seq_name: str,
                  num_frames: Optional[int] = None) -> List[List[VOTRecord]]:
    """Every run ``<result_dir>/<seq>/<seq>_NNN.txt`` (or the toolkit's binary ``.bin``) of a
    sequence, in run order.

    Raises:
        FileNotFoundError: If the sequence has no run file.
    """
    pattern = re.compile(re.escape(seq_name) + r'_(\d{3})\.(txt|bin)$')
    files = sorted((int(m.group(1)), path)
                   for path in glob.glob(osp.join(glob.escape(result_dir), glob.escape(seq_name),
                                                  '*.*'))
                   if (m := pattern.match(osp.basename(path))))
    if not files:
        raise FileNotFoundError(f'No VOT results of sequence {seq_name} in {result_dir} '
                                f'(expected {osp.join(result_dir, seq_name, seq_name)}_001.txt).')
    return [(_read_toolkit_binary if path.endswith('.bin') else read_vot_results)(
        path, seq_name, num_frames) for _, path in files]


def evaluate_vot_results(result_dir: str,
                         dataset,
                         burnin: int = VOT_BURNIN,
                         sensitivity: float = VOT_SENSITIVITY,
                         eao_interval: Sequence[int] = EAO_INTERVALS['vot2018'],
                         bounded: bool = True) -> Dict:
    """Score raw VOT results already on disk (ours or the VOT toolkit's).

    Args:
        result_dir (str): Folder holding ``<seq>/<seq>_NNN.txt`` for every sequence (e.g. a
            VOT workspace's ``results/<tracker>/baseline``).
        dataset: As in :func:`run_vot_experiment`.
        burnin, sensitivity, eao_interval, bounded: As in :func:`run_vot_experiment`.

    Returns:
        dict: the report of :func:`~procontext_mm.evaluation.functional.vot.eval_vot`.
    """
    dataset = _build_dataset(dataset)
    names, gts, sizes, runs = [], [], [], []
    for video_id in range(len(dataset)):
        name = dataset.get_data_info(video_id)['video_name']
        gt = vot_ground_truth(dataset, video_id)
        names.append(name)
        gts.append(gt)
        runs.append(load_vot_runs(result_dir, name, len(gt)))
        sizes.append(_frame_size_wh(dataset.get_frame_path(video_id, 0)) if bounded else None)
    return eval_vot(runs, gts, sizes, names, burnin, sensitivity, eao_interval)


# ---------------------------------------------------------------------- multi-start (VOT2020+)
def run_multistart_sequence(tracker,
                            frames: Sequence[np.ndarray],
                            gt_regions: Sequence[Sequence[float]],
                            anchor_values: Sequence[float],
                            seq_name: str = '?') -> Tuple[Dict[int, list], Dict[int, np.ndarray]]:
    """Run the anchor-based experiment of VOT2020 / VOT2022 short-term on one sequence.

    As ``vot-toolkit`` 0.7's ``MultiStartExperiment``: from every forward anchor (value > 0 in
    the ``anchor`` channel) the tracker is initialised on the anchor frame and tracks to the
    last frame; from every backward anchor (value < 0) it tracks the frames in reverse to the
    first; never re-initialised. The tracker receives the axis-aligned box of the anchor's
    ground-truth region. The steps are
    :class:`~procontext_mm.evaluation.vot_protocol.MultiStartRun`'s (the same as in
    ``SOTTestLoop`` with ``SOTMetric(benchmark='vot2022')``); this function reads the frames it
    asks for and calls the tracker.

    Args:
        tracker: ``init`` / ``track`` tracker (see :func:`run_supervised_sequence`).
        frames (Sequence[np.ndarray]): L indexable (H, W, 3) uint8 BGR frames.
        gt_regions (Sequence): L ground-truth regions (NaN rows: no target).
        anchor_values (Sequence[float]): (L,) the ``anchor`` channel.
        seq_name (str): For messages.

    Returns:
        tuple[dict, dict]: anchor frame -> records in run order (status 1, then (4,) float64
        ``x, y, w, h``), and anchor frame -> (M,) float64 seconds per frame.

    Raises:
        ValueError: If the lengths differ, the sequence has no anchor or an anchor frame has
            no ground-truth region (naming the sequence).
    """
    if len(frames) != len(gt_regions):
        raise ValueError(f'Sequence {seq_name}: {len(frames)} frames but {len(gt_regions)} '
                         'ground-truth regions.')
    run = MultiStartRun(gt_regions, anchor_values, seq_name)
    step_times = np.full(len(run), np.nan)
    for step, frame_index in enumerate(run.frame_order().tolist()):
        action = run.next_action(frame_index)
        image = frames[frame_index]
        start = time.perf_counter()
        if action == run.INIT:
            tracker.init(image, run.init_bbox_xyxy(frame_index).tolist())
            step_times[step] = time.perf_counter() - start
        else:
            bbox_xyxy, _ = tracker.track(image)
            step_times[step] = time.perf_counter() - start
            run.tracked(frame_index, bbox_xyxy)
    times = {anchor: step_times[steps] for anchor, steps in run.run_slices().items()}
    return run.records, times


def run_vot_multistart_experiment(tracker,
                                  dataset,
                                  out_dir: Optional[str] = None,
                                  threshold: float = MULTISTART_THRESHOLD,
                                  grace: int = MULTISTART_GRACE,
                                  eao_interval: Sequence[int] = MULTISTART_EAO_INTERVAL,
                                  bounded: bool = True) -> dict:
    """Run the multi-start experiment on every video of a VOT2020+ dataset, write and score it.

    Args:
        tracker: ``init`` / ``track`` tracker.
        dataset: A :class:`~procontext_mm.datasets.VOTDataset` whose sequences have an
            ``anchor.value``, a dataset config dict, or a data root.
        out_dir (str, optional): Where to write ``<seq>/<seq>_<anchor:08d>.txt`` and
            ``<seq>/<seq>_<anchor:08d>_time.value`` (a VOT workspace's
            ``results/<tracker>/baseline``). Defaults to None.
        threshold, grace, eao_interval: Of
            :func:`~procontext_mm.evaluation.functional.vot.eval_vot_multistart`.
        bounded (bool): Bound the overlaps to the image. Defaults to True.

    Returns:
        dict: the report of ``eval_vot_multistart`` plus ``records`` (name -> anchor ->
        records) and ``times`` (name -> anchor -> seconds).
    """
    dataset = _build_dataset(dataset)
    names, gts, anchors, sizes, all_runs, all_times = [], [], [], [], {}, {}
    for video_id in range(len(dataset)):
        name = dataset.get_data_info(video_id)['video_name']
        gt = vot_ground_truth(dataset, video_id)
        values = vot_anchor_values(dataset, video_id)
        frames = VideoFrames.from_files(
            [dataset.get_frame_path(video_id, k) for k in range(len(gt))], name)
        runs, times = run_multistart_sequence(tracker, frames, gt, values, name)
        if out_dir is not None:
            for anchor, records in runs.items():
                write_vot_results(out_dir, name, records, times[anchor], run_id=f'{anchor:08d}')
        print_log(f'VOT multi-start: {name} ({len(gt)} frames) {len(runs)} runs',
                  logger='current')
        names.append(name)
        gts.append(gt)
        anchors.append(values)
        sizes.append(_frame_size_wh(frames.files[0]) if bounded else None)
        all_runs[name], all_times[name] = runs, times
    report = eval_vot_multistart([all_runs[n] for n in names], gts, anchors, sizes, names,
                                 threshold, grace, eao_interval)
    return dict(report, records=all_runs, times=all_times)


def evaluate_vot_multistart_results(result_dir: str,
                                    dataset,
                                    threshold: float = MULTISTART_THRESHOLD,
                                    grace: int = MULTISTART_GRACE,
                                    eao_interval: Sequence[int] = MULTISTART_EAO_INTERVAL,
                                    bounded: bool = True) -> dict:
    """Score multi-start results on disk (``<seq>/<seq>_<anchor:08d>.txt``, ours or the VOT
    toolkit's text results) with
    :func:`~procontext_mm.evaluation.functional.vot.eval_vot_multistart`.

    Raises:
        FileNotFoundError: If the run of an anchor is missing (naming the file).
    """
    dataset = _build_dataset(dataset)
    names, gts, anchors, sizes, runs = [], [], [], [], []
    for video_id in range(len(dataset)):
        name = dataset.get_data_info(video_id)['video_name']
        gt = vot_ground_truth(dataset, video_id)
        values = vot_anchor_values(dataset, video_id)
        forward, backward = vot_anchor_frames(values)
        seq_runs = {}
        for anchor, reverse in [(f, False) for f in forward] + [(b, True) for b in backward]:
            path = osp.join(result_dir, name, f'{name}_{anchor:08d}.txt')
            if not osp.isfile(path):
                raise FileNotFoundError(f'No multi-start run of sequence {name} from anchor '
                                        f'frame {anchor}: {path} does not exist.')
            length = len(multistart_run_frames(anchor, reverse, len(gt)))
            seq_runs[anchor] = read_vot_results(path, name, length)
        names.append(name)
        gts.append(gt)
        anchors.append(values)
        sizes.append(_frame_size_wh(dataset.get_frame_path(video_id, 0)) if bounded else None)
        runs.append(seq_runs)
    return eval_vot_multistart(runs, gts, anchors, sizes, names, threshold, grace, eao_interval)
