"""VOT short-term "baseline" protocol: region overlap, accuracy, robustness and EAO.

Rules: the supervised (reset-based) experiment of the VOT2016 - VOT2019 short-term challenges,
scored the way the Python VOT toolkit (``vot-toolkit`` 0.7, stacks ``vot2016``, ``vot2017``,
``vot2018/shortterm``, ``vot2019/shortterm``) scores it. VOT2020 and later use the
anchor-based (multi-start) experiment: :func:`eval_vot_multistart` at the end of this module
(boxes and polygons; segmentation masks are not covered).

**Raw results.** One *run* of a tracker on a sequence is a list with one *record* per frame:
``1`` (the tracker was (re)initialised on this frame), ``2`` (failure: the prediction did not
overlap the ground truth), ``0`` (skipped: no prediction, the frames after a failure before the
re-initialisation), or a region (a (4,) rectangle ``x, y, w, h`` or a (2N,) polygon
``x1, y1, ..., xN, yN``, pixels). This is the content of the toolkit's ``<seq>_001.txt`` files
(:func:`procontext_mm.evaluation.results_io.read_vot_results` reads them). The experiment
(:mod:`procontext_mm.apis.vot_runner`) re-initialises the tracker ``skip_initialize = 5``
frames after a failure.

**Overlap** (:func:`vot_region_overlap`), as the toolkit computes it by rasterisation:

* coordinates are rounded to integers (round half to even) first;
* a rectangle ``x, y, w, h`` covers the pixel columns ``x .. x + w - 1`` and rows
  ``y .. y + h - 1`` (inclusive);
* a polygon is scan-converted row by row: on pixel row ``p`` every edge whose (closed) y-range
  contains ``p`` gives a crossing ``x`` (truncated towards zero), the crossings are sorted and
  the pixels between consecutive pairs are filled, ends included;
* both regions are rasterised on the union of their pixel bounds, clipped to the image
  ``[0, W - 1] x [0, H - 1]`` when the image size is given ("bounded", the toolkit's default);
* overlap = intersection pixels / union pixels; 0 when the union is empty. Two quirks are kept
  for identical numbers: if the union of the regions' bounds is degenerate (no more than one
  pixel wide or high) the overlap is 1, and if the clipped bounds are degenerate it is 0;
* a status record (0 / 1 / 2) is an empty region with bounds ``(0, 0, 0, 0)``.

With the image size given the numbers are those of the toolkit. Without it, a rectangle is
rasterised over all its pixels, whereas ``vot-toolkit`` 0.7 loses pixels of rectangles when the
union of the regions reaches negative coordinates (it clips to the absolute, not the relative,
right / bottom bound).

**Accuracy** of a run: mean overlap over its frames except skipped frames (``ignore_unknown``),
failure frames and the ``burnin = 10`` frames starting at every (re)initialisation (the
initialisation frame included); 0 if no frame is left. Per sequence, the mean over runs.

**Robustness**: per sequence, the number of failures averaged over runs. Over a dataset, both
accuracy and robustness are averaged over sequences weighted by their length (the toolkit's
"Accuracy" and "Robustness"); the AR-plot robustness is
``exp(-sensitivity * robustness / mean sequence length)`` with ``sensitivity = 30``.

**EAO**: every run is cut into segments, one per initialisation, from the initialisation frame
to the frame before the next failure (a *failed* segment) or to the end of the sequence. The
segments of all runs of all sequences are stacked (zero-padded to the longest); the running
mean overlap of a segment at length ``n`` is the mean of its overlaps ``1 .. n`` (the
initialisation frame is left out). The EAO curve at ``n`` averages the running means of the
failed segments (always, their padding counts as zero overlap) and of the segments that reach
the end of the sequence with at least ``n + 1`` frames. The EAO score is the mean of the curve
over the challenge's interval of sequence lengths ``[low, high]`` (:data:`EAO_INTERVALS`).
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..results_io import VOT_FAILURE, VOT_INIT, VOT_SKIP

VOTRegion = Union[int, np.ndarray, Sequence[float]]

#: EAO score intervals ``(low, high)`` of the VOT challenges (the toolkit stacks' values).
EAO_INTERVALS: Dict[str, Tuple[int, int]] = {
    'vot2016': (108, 371),
    'vot2017': (100, 356),
    'vot2018': (100, 356),
    'vot2019': (46, 291),
}
#: Frames re-initialised after a failure, burn-in frames and AR sensitivity of the challenges.
VOT_SKIP_INITIALIZE = 5
VOT_BURNIN = 10
VOT_SENSITIVITY = 30.0

_EMPTY, _RECTANGLE, _POLYGON = 0, 1, 2
_Bounds = Tuple[int, int, int, int]  # left, top, right, bottom, inclusive pixel indices


# ---------------------------------------------------------------------- regions
def is_vot_status(record: VOTRegion) -> bool:
    """Whether a record is a status code (0 skipped, 1 initialised, 2 failure), not a region."""
    if isinstance(record, np.ndarray):
        return record.size == 1
    if isinstance(record, (list, tuple)):
        return len(record) == 1 and np.ndim(record[0]) == 0
    return np.ndim(record) == 0


def _parse_region(region: VOTRegion) -> Tuple[int, np.ndarray]:
    """(kind, rounded data): (4,) rectangle, (N, 2) polygon or empty for a status code."""
    values = np.asarray(region, dtype=np.float64).reshape(-1)
    if values.size == 1:
        return _EMPTY, values
    if not np.isfinite(values).all():
        raise ValueError(f'VOT region {values.tolist()} has a non-finite value.')
    if values.size == 4:
        return _RECTANGLE, np.round(values)
    if values.size >= 6 and values.size % 2 == 0:
        return _POLYGON, np.round(values).reshape(-1, 2)
    raise ValueError(f'VOT region with {values.size} values: expected a status, 4 values '
                     'x,y,w,h or a polygon of 3+ points x1,y1,x2,y2,...')


def _region_bounds(kind: int, data: np.ndarray) -> _Bounds:
    if kind == _RECTANGLE:
        x, y, w, h = (int(v) for v in data)
        return x, y, x + w - 1, y + h - 1
    if kind == _POLYGON:
        (left, top), (right, bottom) = data.min(axis=0), data.max(axis=0)
        return int(left), int(top), int(right), int(bottom)
    return 0, 0, 0, 0


def _rasterize_rectangle(data: np.ndarray, bounds: _Bounds) -> np.ndarray:
    left, top, right, bottom = bounds
    mask = np.zeros((bottom - top + 1, right - left + 1), dtype=bool)
    x, y, w, h = (int(v) for v in data)
    if x > right or x + w - 1 < left or y > bottom or y + h - 1 < top:
        return mask
    col0, row0 = max(0, x - left), max(0, y - top)
    col1, row1 = min(right - left, x + w - 1 - left), min(bottom - top, y + h - 1 - top)
    mask[row0:row1 + 1, col0:col1 + 1] = True
    return mask


def _rasterize_polygon(points: np.ndarray, bounds: _Bounds) -> np.ndarray:
    """Scan conversion of a polygon (the toolkit's rules, vectorised over pixel rows)."""
    left, top, right, bottom = bounds
    height, width = bottom - top + 1, right - left + 1
    points = points - np.array([left, top], dtype=np.float64)
    xi, yi = points[:, 0], points[:, 1]
    xj, yj = np.roll(xi, 1), np.roll(yi, 1)  # edge (i - 1, i), closing edge first
    rows = np.arange(height, dtype=np.float64)[:, None]
    crosses = (rows >= np.minimum(yi, yj)) & (rows <= np.maximum(yi, yj))  # (H, E)
    dy, dx = yj - yi, xj - xi
    with np.errstate(divide='ignore', invalid='ignore'):
        x_cross = np.where(dy != 0, xi + (rows - yi) / dy * dx, xi)
    nodes = np.where(crosses, np.trunc(x_cross), np.inf)
    nodes.sort(axis=1)
    num_nodes = crosses.sum(axis=1)

    # walk the sorted crossings of every row at once: fill pairs, skip a doubled crossing
    row_ids = np.arange(height)
    position = np.zeros(height, dtype=np.int64)
    active = np.ones(height, dtype=bool)
    starts, ends, fill_rows = [], [], []
    for _ in range(nodes.shape[1]):
        active &= position < num_nodes - 1
        if not active.any():
            break
        first = nodes[row_ids, np.minimum(position, nodes.shape[1] - 1)]
        second = nodes[row_ids, np.minimum(position + 1, nodes.shape[1] - 1)]
        active &= ~(first >= width)
        skip = active & (first == second) & (position < num_nodes - 2)
        pair = active & ~skip
        draw = pair & (second >= 0)
        fill_rows.append(row_ids[draw])
        starts.append(np.maximum(first[draw], 0).astype(np.int64))
        ends.append(np.minimum(second[draw], width - 1).astype(np.int64))
        position += np.where(skip, 1, np.where(pair, 2, 0))
    mask = np.zeros((height, width + 1), dtype=np.int32)
    if fill_rows:
        fill_rows, starts, ends = (np.concatenate(v) for v in (fill_rows, starts, ends))
        keep = starts <= ends
        np.add.at(mask, (fill_rows[keep], starts[keep]), 1)
        np.add.at(mask, (fill_rows[keep], ends[keep] + 1), -1)
    return np.cumsum(mask, axis=1)[:, :width] > 0


def _rasterize(kind: int, data: np.ndarray, bounds: _Bounds) -> np.ndarray:
    if kind == _RECTANGLE:
        return _rasterize_rectangle(data, bounds)
    if kind == _POLYGON:
        return _rasterize_polygon(data, bounds)
    return np.zeros((bounds[3] - bounds[1] + 1, bounds[2] - bounds[0] + 1), dtype=bool)


def vot_region_overlap(region_a: VOTRegion,
                       region_b: VOTRegion,
                       image_size_wh: Optional[Sequence[int]] = None) -> float:
    """Overlap of two VOT regions, rasterised as the VOT toolkit does (module docstring).

    Args:
        region_a (VOTRegion): (4,) rectangle ``x, y, w, h``, (2N,) polygon
            ``x1, y1, ..., xN, yN`` (pixels), or a status code (an empty region).
        region_b (VOTRegion): Same, usually the ground truth.
        image_size_wh (Sequence[int], optional): (W, H) of the image; pixels outside are not
            counted ("bounded", the official setting). None counts every pixel.

    Returns:
        float: overlap in [0, 1].

    Raises:
        ValueError: On a region with a wrong number of values or a non-finite value.
    """
    kind_a, data_a = _parse_region(region_a)
    kind_b, data_b = _parse_region(region_b)
    bounds_a, bounds_b = _region_bounds(kind_a, data_a), _region_bounds(kind_b, data_b)
    union = (min(bounds_a[0], bounds_b[0]), min(bounds_a[1], bounds_b[1]),
             max(bounds_a[2], bounds_b[2]), max(bounds_a[3], bounds_b[3]))
    if union[0] >= union[2] or union[1] >= union[3]:
        return 1.0  # degenerate union: the toolkit treats the regions as identical
    if image_size_wh is not None:
        width, height = int(image_size_wh[0]), int(image_size_wh[1])
        union = (max(0, union[0]), max(0, union[1]), min(width - 1, union[2]),
                 min(height - 1, union[3]))
        if union[0] >= union[2] or union[1] >= union[3]:
            return 0.0
    if _EMPTY in (kind_a, kind_b):
        return 0.0  # nothing intersects an empty region (and an empty union scores 0)
    mask_a = _rasterize(kind_a, data_a, union)
    mask_b = _rasterize(kind_b, data_b, union)
    union_pixels = np.count_nonzero(mask_a | mask_b)
    return float(np.count_nonzero(mask_a & mask_b)) / union_pixels if union_pixels else 0.0


def vot_region_overlaps(regions_a: Sequence[VOTRegion],
                        regions_b: Sequence[VOTRegion],
                        image_size_wh: Optional[Sequence[int]] = None) -> np.ndarray:
    """Frame-wise :func:`vot_region_overlap` of two equally long lists of regions.

    Returns:
        np.ndarray: (L,) float64 overlaps.
    """
    if len(regions_a) != len(regions_b):
        raise ValueError(f'{len(regions_a)} regions compared with {len(regions_b)} regions.')
    return np.array([vot_region_overlap(a, b, image_size_wh) for a, b in zip(regions_a, regions_b)],
                    dtype=np.float64)


def vot_region_to_bbox_xywh(region: VOTRegion) -> np.ndarray:
    """Axis-aligned box of a region (how the toolkit hands a polygon to a rectangle tracker).

    Args:
        region (VOTRegion): (4,) rectangle ``x, y, w, h`` or (2N,) polygon, pixels.

    Returns:
        np.ndarray: (4,) float64 ``x1, y1, w, h`` with ``w = max x - min x`` (not rounded).
    """
    values = np.asarray(region, dtype=np.float64).reshape(-1)
    if values.size == 4:
        return values.copy()
    if values.size < 6 or values.size % 2:
        raise ValueError(f'VOT region with {values.size} values is not a rectangle or polygon.')
    points = values.reshape(-1, 2)
    (x1, y1), (x2, y2) = points.min(axis=0), points.max(axis=0)
    return np.array([x1, y1, x2 - x1, y2 - y1])


# ---------------------------------------------------------------------- runs
def _status(record: VOTRegion) -> Optional[int]:
    return int(np.asarray(record).reshape(-1)[0]) if is_vot_status(record) else None


def vot_failures_inits(run: Sequence[VOTRegion]) -> Tuple[List[int], List[int]]:
    """Frames of the failures and of the (re)initialisations of a run.

    Returns:
        tuple[list[int], list[int]]: failure frames, initialisation frames (0-based).
    """
    statuses = [_status(record) for record in run]
    return ([i for i, s in enumerate(statuses) if s == VOT_FAILURE],
            [i for i, s in enumerate(statuses) if s == VOT_INIT])


def vot_run_overlaps(run: Sequence[VOTRegion],
                     gt_regions: Sequence[VOTRegion],
                     image_size_wh: Optional[Sequence[int]] = None) -> np.ndarray:
    """Overlap of every record of a run with the ground truth (status records score as empty
    regions, i.e. 0 in practice).

    Returns:
        np.ndarray: (L,) float64.
    """
    return vot_region_overlaps(run, gt_regions, image_size_wh)


def vot_run_accuracy(run: Sequence[VOTRegion],
                     overlaps: np.ndarray,
                     burnin: int = VOT_BURNIN,
                     ignore_unknown: bool = True) -> Tuple[float, int]:
    """Accuracy of one run: mean overlap outside skipped, failure and burn-in frames.

    Args:
        run (Sequence[VOTRegion]): Records of the run.
        overlaps (np.ndarray): (L,) overlaps from :func:`vot_run_overlaps`.
        burnin (int): Frames left out from every initialisation on (that frame included).
            Defaults to 10.
        ignore_unknown (bool): Leave out skipped (0) frames. Defaults to True.

    Returns:
        tuple[float, int]: accuracy (0 if no frame is left) and the number of frames used.
    """
    keep = np.ones(len(run), dtype=bool)
    for index, record in enumerate(run):
        status = _status(record)
        if status == VOT_SKIP and ignore_unknown:
            keep[index] = False
        elif status == VOT_INIT:
            keep[index:index + burnin] = False
        elif status == VOT_FAILURE:
            keep[index] = False
    if not keep.any():
        return 0.0, 0
    return float(np.mean(np.asarray(overlaps, dtype=np.float64)[keep])), int(keep.sum())


def vot_eao_segments(run: Sequence[VOTRegion],
                     overlaps: np.ndarray) -> List[Tuple[np.ndarray, bool]]:
    """Cut a run into EAO segments.

    Returns:
        list[tuple[np.ndarray, bool]]: per initialisation, the overlaps from the
        initialisation frame up to (not including) the next failure, and whether the segment
        reached the end of the sequence without failing.
    """
    overlaps = np.asarray(overlaps, dtype=np.float64)
    failures, inits = vot_failures_inits(run)
    if not failures:
        return [(overlaps, True)]
    segments = [(overlaps[inits[k]:failures[k]], False) for k in range(len(failures))]
    if len(inits) > len(failures):
        segments.append((overlaps[inits[-1]:], True))
    return segments


def eao_curve(segments: Sequence[Tuple[np.ndarray, bool]]) -> np.ndarray:
    """Expected average overlap as a function of the sequence length.

    Args:
        segments (Sequence): ``(overlaps, completed)`` pairs from :func:`vot_eao_segments` of
            all runs of all sequences.

    Returns:
        np.ndarray: (M,) float64 curve, M = the longest segment; entry ``n`` is the expected
        mean overlap over frames ``1 .. n`` of a segment (entry 0 is that of the
        initialisation frame, normally 0).
    """
    if not segments:
        raise ValueError('EAO needs at least one segment.')
    length = max(len(overlaps) for overlaps, _ in segments)
    padded = np.zeros((len(segments), length), dtype=np.float64)
    counted = np.zeros((len(segments), length), dtype=bool)
    for row, (overlaps, completed) in enumerate(segments):
        padded[row, :len(overlaps)] = overlaps
        counted[row, :len(overlaps) if completed else length] = True
    running = padded.copy()
    if length > 1:
        running[:, 1:] = np.cumsum(padded[:, 1:], axis=1) / np.arange(1, length)
    return (running * counted).sum(axis=0) / counted.sum(axis=0)


def eao_score(curve: np.ndarray, interval: Sequence[int] = EAO_INTERVALS['vot2018']) -> float:
    """Mean of the EAO curve over the lengths ``low .. high`` (both included).

    Args:
        curve (np.ndarray): From :func:`eao_curve`.
        interval (Sequence[int]): ``(low, high)``; see :data:`EAO_INTERVALS`. Defaults to
            VOT2017 / VOT2018 ``(100, 356)``.

    Returns:
        float: the score; NaN when the curve is shorter than ``low + 1`` (every segment is
        shorter than the interval: use a smaller interval for short sequences).
    """
    low, high = int(interval[0]), int(interval[1])
    if not 0 <= low <= high:
        raise ValueError(f'EAO interval {interval}: expected 0 <= low <= high.')
    part = np.asarray(curve, dtype=np.float64)[low:high + 1]
    return float(np.mean(part)) if len(part) else float('nan')


# ---------------------------------------------------------------------- dataset
def _as_runs(entry, seq_name: str, length: int) -> List[list]:
    """Accept one run (a list of records) or a list of runs; check lengths and frame 0."""
    runs = [entry] if len(entry) and is_vot_status(entry[0]) else list(entry)
    if not runs:
        raise ValueError(f'Sequence {seq_name}: no run.')
    for index, run in enumerate(runs, start=1):
        if len(run) != length:
            raise ValueError(f'Sequence {seq_name}, run {index}: {len(run)} records but the '
                             f'sequence has {length} frames.')
        if _status(run[0]) != VOT_INIT:
            raise ValueError(f'Sequence {seq_name}, run {index}: the first record must be the '
                             f'initialisation status 1, got {np.asarray(run[0]).tolist()}.')
    return runs


def eval_vot(runs: Sequence,
             gt_regions: Sequence[Sequence[VOTRegion]],
             image_sizes_wh: Optional[Sequence[Optional[Sequence[int]]]] = None,
             seq_names: Optional[Sequence[str]] = None,
             burnin: int = VOT_BURNIN,
             sensitivity: float = VOT_SENSITIVITY,
             eao_interval: Sequence[int] = EAO_INTERVALS['vot2018'],
             ignore_unknown: bool = True) -> dict:
    """VOT short-term baseline scores of a tracker over a dataset (see the module docstring).

    Args:
        runs (Sequence): per sequence, its runs (list of runs, each a list of L records), or
            a single run.
        gt_regions (Sequence): per sequence, L ground-truth regions ((4,) ``x, y, w, h`` or
            (8,) polygons), e.g. the ``polygons`` of :class:`~procontext_mm.datasets.VOTDataset`.
        image_sizes_wh (Sequence, optional): per sequence, (W, H) for the bounded overlap, or
            None (unbounded, not the official setting). Defaults to all None.
        seq_names (Sequence[str], optional): sequence names for the report and errors.
        burnin (int): Burn-in frames of the accuracy. Defaults to 10.
        sensitivity (float): Sensitivity of the AR-plot robustness. Defaults to 30.
        eao_interval (Sequence[int]): EAO interval ``(low, high)``; see :data:`EAO_INTERVALS`.
            Defaults to VOT2017 / VOT2018 ``(100, 356)``.
        ignore_unknown (bool): Leave skipped frames out of the accuracy. Defaults to True.

    Returns:
        dict: ``accuracy`` (length-weighted mean over sequences of the mean run accuracy),
        ``robustness`` (length-weighted mean over sequences of the mean failure count, the
        toolkit's "Robustness"), ``ar_robustness`` (``exp(-sensitivity * robustness / mean
        length)``), ``num_failures`` (sum over sequences of the mean failure count),
        ``failure_rate`` (``num_failures`` per 100 frames, what mmtracking 1.x calls
        robustness), ``eao``, ``eao_curve`` (M,), ``num_frames`` (total) and ``seq_wise``:
        sequence name -> ``accuracy``, ``failures``, ``num_frames``, ``num_runs``.

    Raises:
        ValueError: On inconsistent inputs (naming the sequence and run).
    """
    num_seqs = len(gt_regions)
    if num_seqs == 0:
        raise ValueError('No sequence to evaluate.')
    seq_names = [str(i) for i in range(num_seqs)] if seq_names is None else list(seq_names)
    image_sizes_wh = [None] * num_seqs if image_sizes_wh is None else list(image_sizes_wh)
    for what, values in (('result entries', runs), ('sequence names', seq_names),
                         ('image sizes', image_sizes_wh)):
        if len(values) != num_seqs:
            raise ValueError(f'{num_seqs} ground-truth sequences but {len(values)} {what}.')

    seq_wise, segments = {}, []
    for name, entry, gt, size_wh in zip(seq_names, runs, gt_regions, image_sizes_wh):
        seq_runs = _as_runs(entry, name, len(gt))
        accuracies, failures = [], []
        for run in seq_runs:
            overlaps = vot_run_overlaps(run, gt, size_wh)
            accuracies.append(vot_run_accuracy(run, overlaps, burnin, ignore_unknown)[0])
            failures.append(len(vot_failures_inits(run)[0]))
            segments += vot_eao_segments(run, overlaps)
        seq_wise[name] = dict(accuracy=float(np.mean(accuracies)),
                              failures=float(np.mean(failures)),
                              num_frames=len(gt),
                              num_runs=len(seq_runs))
    lengths = np.array([seq['num_frames'] for seq in seq_wise.values()], dtype=np.float64)
    accuracy = float(np.sum([s['accuracy'] for s in seq_wise.values()] * lengths) / lengths.sum())
    mean_failures = np.array([s['failures'] for s in seq_wise.values()])
    robustness = float(np.sum(mean_failures * lengths) / lengths.sum())
    curve = eao_curve(segments)
    return dict(accuracy=accuracy,
                robustness=robustness,
                ar_robustness=float(np.exp(-sensitivity * robustness / lengths.mean())),
                num_failures=float(mean_failures.sum()),
                failure_rate=float(100.0 * mean_failures.sum() / lengths.sum()),
                eao=eao_score(curve, eao_interval),
                eao_curve=curve,
                num_frames=int(lengths.sum()),
                seq_wise=seq_wise)


# ---------------------------------------------------------------------- multi-start (VOT2020+)
#: EAO interval of the anchor-based experiment (``vot2020/shortterm``, ``vot2022/stb`` stacks);
#: the EAO curve is ``high`` entries long (``multistart_eao_curve`` with ``high: 755``).
MULTISTART_EAO_INTERVAL = (115, 755)
#: A multi-start run fails when the overlap stays ``<= threshold`` for ``grace`` frames.
MULTISTART_THRESHOLD = 0.1
MULTISTART_GRACE = 10


def vot_anchor_frames(anchor_values: Sequence[float]) -> Tuple[List[int], List[int]]:
    """Anchor frames of a sequence, as ``vot-toolkit``'s ``find_anchors`` reads them.

    Args:
        anchor_values (Sequence[float]): (L,) the sequence's ``anchor`` value channel
            (``anchor.value``, one number per frame).

    Returns:
        tuple[list[int], list[int]]: 0-based frames of the forward runs (value > 0) and of the
        backward runs (value < 0).
    """
    values = np.asarray(anchor_values, dtype=np.float64).reshape(-1)
    return np.flatnonzero(values > 0).tolist(), np.flatnonzero(values < 0).tolist()


def multistart_run_frames(anchor: int, reverse: bool, num_frames: int) -> np.ndarray:
    """Frames of the run started at ``anchor``, in the order the tracker sees them.

    Returns:
        np.ndarray: (M,) int64: ``anchor .. L - 1`` forward, ``anchor, anchor - 1, .., 0``
        backward.
    """
    if not 0 <= anchor < num_frames:
        raise ValueError(f'Anchor frame {anchor} outside a sequence of {num_frames} frames.')
    if reverse:
        return np.arange(anchor, -1, -1, dtype=np.int64)
    return np.arange(anchor, num_frames, dtype=np.int64)


def multistart_failure_frame(overlaps: np.ndarray, gt_empty: np.ndarray,
                             threshold: float = MULTISTART_THRESHOLD,
                             grace: int = MULTISTART_GRACE) -> int:
    """Where a multi-start run fails: the first of ``grace`` consecutive frames whose overlap is
    ``<= threshold`` while the target is annotated (a frame without a ground-truth region, like
    a frame tracked well, restarts the count, as in the toolkit).

    Args:
        overlaps (np.ndarray): (M,) overlaps of the run, in run order.
        gt_empty (np.ndarray): (M,) bool, frames without a ground-truth region.

    Returns:
        int: the number of frames before the failure (``M`` if the run does not fail).
    """
    remaining = grace
    for j, (overlap, empty) in enumerate(zip(overlaps, gt_empty)):
        if overlap <= threshold and not empty:
            remaining -= 1
            if remaining == 0:
                return j + 1 - grace
        else:
            remaining = grace
    return len(overlaps)


def _multistart_eao_partial(overlaps_all: List[np.ndarray], success_all: List[bool],
                            curve_length: int) -> Tuple[np.ndarray, np.ndarray]:
    """One sequence's EAO curve and its number of active runs per length (the toolkit's
    ``compute_eao_partial``, its division of a failed run's overlap sum by ``j - 1`` beyond the
    run's length included)."""
    phi = np.zeros(curve_length)
    active = np.zeros(curve_length)
    lengths = np.arange(1, curve_length)  # j
    for overlaps, success in zip(overlaps_all, success_all):
        overlaps = np.asarray(overlaps, dtype=np.float64)
        within = lengths < len(overlaps)
        running = np.cumsum(overlaps[1:]) / np.arange(1, len(overlaps))  # mean of o[1:j+1]
        phi[1:][within] += running[lengths[within] - 1]
        active[1:][within] += 1
        if not success:
            beyond = ~within
            with np.errstate(divide='ignore', invalid='ignore'):
                phi[1:][beyond] += np.sum(overlaps[1:]) / (lengths[beyond] - 1)
            active[1:][beyond] += 1
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(active > 0, phi / np.where(active > 0, active, 1), 0.0), active


def _as_gt_region(region) -> VOTRegion:
    """A ground-truth region; a row without a finite value is the empty region (status 0)."""
    values = np.asarray(region, dtype=np.float64).reshape(-1)
    return values if values.size > 1 and np.isfinite(values).all() else np.zeros(1)


def eval_vot_multistart(runs: Sequence[Dict[int, Sequence[VOTRegion]]],
                        gt_regions: Sequence[Sequence[VOTRegion]],
                        anchor_values: Sequence[Sequence[float]],
                        image_sizes_wh: Optional[Sequence[Optional[Sequence[int]]]] = None,
                        seq_names: Optional[Sequence[str]] = None,
                        threshold: float = MULTISTART_THRESHOLD,
                        grace: int = MULTISTART_GRACE,
                        eao_interval: Sequence[int] = MULTISTART_EAO_INTERVAL) -> dict:
    """Scores of the anchor-based (multi-start) experiment of VOT2020 / VOT2022 short-term,
    as ``vot-toolkit`` 0.7 computes them (``vot/analysis/multistart.py``).

    Every anchor frame starts a run (initialised on the anchor, never re-initialised) to the
    end of the sequence (forward anchors) or to its first frame (backward anchors). A run
    *fails* at the first of ``grace`` (10) consecutive frames with overlap ``<= threshold``
    (0.1) on annotated frames (:func:`multistart_failure_frame`); its frames before the
    failure are the tracked part.

    * Per sequence: accuracy = overlap summed over the tracked parts of all runs / their
      length (the initialisation frame counts, with overlap 0), robustness = tracked length /
      total length of the runs. Over the dataset: accuracy weighted by the tracked length,
      robustness by the sequence length.
    * EAO: the overlaps of a failed run are zeroed from the failure on; per sequence the
      toolkit's curve of running mean overlaps (``compute_eao_partial``), averaged over the
      sequences weighted by their active runs per length; the score is the mean of the curve
      over ``[low, high]``, the curve being ``high`` entries long.

    Args:
        runs (Sequence[dict]): per sequence, anchor frame (0-based) -> the run's records in
            run order (first the status 1, then (4,) / (2N,) regions or status codes).
        gt_regions (Sequence): per sequence, L ground-truth regions (NaN rows: no target).
        anchor_values (Sequence): per sequence, (L,) its ``anchor`` channel.
        image_sizes_wh (Sequence, optional): per sequence (W, H) for the bounded overlap.
        seq_names (Sequence[str], optional): names for the report and errors.
        threshold (float): Failure overlap. Defaults to 0.1.
        grace (int): Failure frames in a row. Defaults to 10.
        eao_interval (Sequence[int]): ``(low, high)``. Defaults to ``(115, 755)``.

    Returns:
        dict: ``accuracy``, ``robustness``, ``eao``, ``eao_curve`` ((high,) float64),
        ``num_frames`` and ``seq_wise``: name -> ``accuracy``, ``robustness``,
        ``tracked_frames``, ``run_frames``, ``num_frames``, ``num_runs``.

    Raises:
        ValueError: For a sequence without anchors, a missing run or a run of the wrong length
            (naming the sequence and anchor).
    """
    num_seqs = len(gt_regions)
    if num_seqs == 0:
        raise ValueError('No sequence to evaluate.')
    seq_names = [str(i) for i in range(num_seqs)] if seq_names is None else list(seq_names)
    image_sizes_wh = [None] * num_seqs if image_sizes_wh is None else list(image_sizes_wh)
    for what, values in (('result entries', runs), ('anchor channels', anchor_values),
                         ('sequence names', seq_names), ('image sizes', image_sizes_wh)):
        if len(values) != num_seqs:
            raise ValueError(f'{num_seqs} ground-truth sequences but {len(values)} {what}.')
    low, high = int(eao_interval[0]), int(eao_interval[1])
    if not 0 <= low <= high:
        raise ValueError(f'EAO interval {eao_interval}: expected 0 <= low <= high.')

    seq_wise, curves, actives = {}, [], []
    for name, seq_runs, gt, values, size_wh in zip(seq_names, runs, gt_regions, anchor_values,
                                                   image_sizes_wh):
        gt = [_as_gt_region(region) for region in gt]
        forward, backward = vot_anchor_frames(values)
        if len(values) != len(gt):
            raise ValueError(f'Sequence {name}: {len(values)} anchor values for {len(gt)} '
                             'frames.')
        if not forward and not backward:
            raise ValueError(f'Sequence {name} has no anchor frame.')
        tracked = run_frames = 0
        accuracy_sum = 0.0
        overlaps_all, success_all = [], []
        for anchor, reverse in [(f, False) for f in forward] + [(b, True) for b in backward]:
            frames = multistart_run_frames(anchor, reverse, len(gt))
            if anchor not in seq_runs:
                raise ValueError(f'Sequence {name}: no run from anchor frame {anchor}.')
            run = seq_runs[anchor]
            if len(run) != len(frames):
                raise ValueError(f'Sequence {name}, anchor {anchor}: {len(run)} records but '
                                 f'the run has {len(frames)} frames.')
            run_gt = [gt[k] for k in frames]
            overlaps = vot_region_overlaps(run, run_gt, size_wh)
            empty = np.array([region.size == 1 for region in run_gt])
            progress = multistart_failure_frame(overlaps, empty, threshold, grace)
            tracked += progress
            accuracy_sum += float(np.sum(overlaps[:progress]))
            run_frames += len(frames)
            eao_overlaps = overlaps.copy()
            eao_overlaps[progress:] = 0.0
            overlaps_all.append(eao_overlaps)
            success_all.append(progress >= len(overlaps))
        curve, active = _multistart_eao_partial(overlaps_all, success_all, high)
        curves.append(curve)
        actives.append(active)
        seq_wise[name] = dict(accuracy=accuracy_sum / tracked if tracked > 0 else 0.0,
                              robustness=tracked / run_frames,
                              tracked_frames=tracked,
                              run_frames=run_frames,
                              num_frames=len(gt),
                              num_runs=len(overlaps_all))
    seqs = list(seq_wise.values())
    tracked = np.array([s['tracked_frames'] for s in seqs], dtype=np.float64)
    lengths = np.array([s['num_frames'] for s in seqs], dtype=np.float64)
    accuracy = float(np.sum([s['accuracy'] for s in seqs] * tracked) / tracked.sum()) \
        if tracked.sum() > 0 else 0.0
    robustness = float(np.sum([s['robustness'] for s in seqs] * lengths) / lengths.sum())
    curves, actives = np.stack(curves), np.stack(actives)
    weight = actives.sum(axis=0)
    curve = np.where(weight > 0, (curves * actives).sum(axis=0) / np.where(weight > 0, weight, 1),
                     0.0)
    part = curve[low:high + 1]
    return dict(accuracy=accuracy,
                robustness=robustness,
                eao=float(np.mean(part)) if len(part) else float('nan'),
                eao_curve=curve,
                num_frames=int(lengths.sum()),
                seq_wise=seq_wise)
