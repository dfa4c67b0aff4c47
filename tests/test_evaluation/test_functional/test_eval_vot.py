"""VOT short-term protocol: hand-computed cases, and the VOT toolkit (``vot-toolkit`` 0.7) as
the reference when it is installed."""
import numpy as np
import pytest

from procontext_mm.evaluation.functional.vot import (EAO_INTERVALS, eao_curve, eao_score,
                                                     eval_vot, vot_eao_segments,
                                                     vot_failures_inits, vot_region_overlap,
                                                     vot_region_overlaps,
                                                     vot_region_to_bbox_xywh, vot_run_accuracy,
                                                     vot_run_overlaps)

SQUARE = [0, 0, 10, 10]


# ---------------------------------------------------------------------- overlap, by hand
def test_rectangle_overlap_counts_pixels():
    assert vot_region_overlap(SQUARE, [5, 0, 10, 10]) == pytest.approx(50 / 150)
    assert vot_region_overlap(SQUARE, SQUARE) == 1.0
    assert vot_region_overlap(SQUARE, [20, 20, 5, 5]) == 0.0
    # coordinates are rounded half to even before rasterising: x=0.5 -> 0, x=1.5 -> 2
    assert vot_region_overlap([0.5, 0, 10, 10], SQUARE) == 1.0
    assert vot_region_overlap([1.5, 0, 10, 10], SQUARE) == pytest.approx(80 / 120)


def test_polygon_scan_conversion():
    # the square's corners as the toolkit converts a rectangle (last pixel x + w - 1)
    assert vot_region_overlap([0, 0, 9, 0, 9, 9, 0, 9], SQUARE) == 1.0
    # right triangle with legs of 10: rows 0..10 hold 11, 10, ..., 1 pixels = 66
    triangle = [0, 0, 10, 0, 0, 10]
    assert vot_region_overlap(triangle, [0, 0, 11, 11]) == pytest.approx(66 / 121)
    # the same triangle in another vertex order and rotated by 180 degrees
    assert vot_region_overlap([0, 10, 10, 0, 0, 0], [0, 0, 11, 11]) == pytest.approx(66 / 121)
    assert vot_region_overlap([10, 10, 0, 10, 10, 0], [0, 0, 11, 11]) == pytest.approx(66 / 121)


def test_image_bound_and_special_cases():
    # half of the prediction is left of the image: bounded, only the visible half counts
    assert vot_region_overlap([-5, 0, 10, 10], [0, 0, 5, 10]) == pytest.approx(0.5)
    assert vot_region_overlap([-5, 0, 10, 10], [0, 0, 5, 10], (100, 100)) == 1.0
    # both regions outside the image -> 0
    assert vot_region_overlap([200, 200, 5, 5], [200, 200, 5, 5], (100, 100)) == 0.0
    # the toolkit's quirk: a union of bounds at most one pixel wide counts as identical
    assert vot_region_overlap([3, 3, 1, 1], [3, 3, 1, 1]) == 1.0
    # a status record is an empty region
    assert vot_region_overlap(1, [20, 20, 10, 10]) == 0.0
    assert vot_region_overlap(np.array([2.0]), [20, 20, 10, 10]) == 0.0
    np.testing.assert_allclose(vot_region_overlaps([SQUARE, 0], [SQUARE, SQUARE]), [1.0, 0.0])


def test_region_errors_and_bounding_box():
    with pytest.raises(ValueError, match='5 values'):
        vot_region_overlap([0, 0, 1, 1, 1], SQUARE)
    with pytest.raises(ValueError, match='non-finite'):
        vot_region_overlap([0, 0, np.nan, 1], SQUARE)
    with pytest.raises(ValueError, match='2 regions compared with 1'):
        vot_region_overlaps([SQUARE, SQUARE], [SQUARE])
    np.testing.assert_allclose(vot_region_to_bbox_xywh([1, 2, 7, 3, 6, 9, 0.5, 8]),
                               [0.5, 2, 6.5, 7])
    np.testing.assert_allclose(vot_region_to_bbox_xywh([1, 2, 3, 4]), [1, 2, 3, 4])


# ---------------------------------------------------------------------- runs, by hand
def _gt(length):
    return [SQUARE] * length


def test_accuracy_skips_burnin_failures_and_skipped_frames():
    half = [5, 0, 10, 10]  # overlap 1/3 with SQUARE
    run = [1] + [SQUARE] * 11 + [half] * 3  # 15 frames
    overlaps = vot_run_overlaps(run, _gt(15))
    # frames 0..9 are burn-in: frames 10, 11 (overlap 1) and 12..14 (1/3) are scored
    accuracy, used = vot_run_accuracy(run, overlaps)
    assert used == 5 and accuracy == pytest.approx((2 + 3 / 3) / 5)
    assert vot_run_accuracy(run, overlaps, burnin=1) == (pytest.approx((11 + 1) / 14), 14)

    run = [1, SQUARE, 2, 0, 0, 0, 0, 1, SQUARE, SQUARE]
    overlaps = vot_run_overlaps(run, _gt(10))
    assert vot_failures_inits(run) == ([2], [0, 7])
    assert vot_run_accuracy(run, overlaps, burnin=1) == (1.0, 3)
    # skipped frames count (as zero overlap) when they are not ignored
    assert vot_run_accuracy(run, overlaps, burnin=1, ignore_unknown=False) == (3 / 7, 7)
    assert vot_run_accuracy(run, overlaps) == (0.0, 0)  # nothing outside the burn-in


def test_eao_segments_curve_and_score():
    run = [1, SQUARE, 2, 0, 0, 0, 0, 1, SQUARE, SQUARE]
    segments = vot_eao_segments(run, vot_run_overlaps(run, _gt(10)))
    assert [(list(o), done) for o, done in segments] == [([0.0, 1.0], False),
                                                         ([0.0, 1.0, 1.0], True)]
    # failed segment [0, .5, .5] (padded with zeros), completed segment [0, 1]
    curve = eao_curve([(np.array([0, .5, .5]), False), (np.array([0, 1.0]), True),
                       (np.array([0, .5]), False)])
    # n=1: (.5 + 1 + .5) / 3; n=2: the completed segment is too short, the failed ones count
    np.testing.assert_allclose(curve, [0, 2 / 3, (.5 + .25) / 2])
    assert eao_score(curve, (1, 2)) == pytest.approx((2 / 3 + .375) / 2)
    assert eao_score(curve, (1, 100)) == pytest.approx((2 / 3 + .375) / 2)
    assert np.isnan(eao_score(curve, (5, 10)))
    assert EAO_INTERVALS['vot2018'] == (100, 356) and EAO_INTERVALS['vot2019'] == (46, 291)
    with pytest.raises(ValueError, match='interval'):
        eao_score(curve, (3, 1))


def test_eval_vot_weights_sequences_by_length():
    long_run = [1] + [SQUARE] * 19  # 20 frames, no failure
    short_run = [1, SQUARE, 2, 0, 0, 0, 0, 1, SQUARE, SQUARE]  # 10 frames, 1 failure
    report = eval_vot([long_run, [short_run, short_run]], [_gt(20), _gt(10)],
                      seq_names=['long', 'short'], burnin=1, eao_interval=(1, 3))
    assert report['seq_wise']['short'] == dict(accuracy=1.0, failures=1.0, num_frames=10,
                                               num_runs=2)
    assert report['accuracy'] == 1.0
    assert report['robustness'] == pytest.approx(1 * 10 / 30)  # length-weighted failures
    assert report['num_failures'] == 1.0 and report['num_frames'] == 30
    assert report['failure_rate'] == pytest.approx(100 / 30)
    assert report['ar_robustness'] == pytest.approx(np.exp(-30 * (10 / 30) / 15))
    # segments: long [0, 1 x19] done; short (x2): [0, 1] failed, [0, 1, 1] done
    assert report['eao'] == pytest.approx(np.mean(report['eao_curve'][1:4]))
    assert report['eao_curve'][2] == pytest.approx((1 + .5 + .5 + 1 + 1) / 5)


def test_eval_vot_input_errors():
    with pytest.raises(ValueError, match='run 1: 2 records but the sequence has 3 frames'):
        eval_vot([[1, SQUARE]], [_gt(3)], seq_names=['a'])
    with pytest.raises(ValueError, match='first record must be the initialisation'):
        eval_vot([[[SQUARE, SQUARE]]], [_gt(2)], seq_names=['a'])
    with pytest.raises(ValueError, match='2 ground-truth sequences but 1 result'):
        eval_vot([[1, SQUARE]], [_gt(2), _gt(2)])
    with pytest.raises(ValueError, match='No sequence'):
        eval_vot([], [])


# ---------------------------------------------------------------------- the VOT toolkit
def _random_region(rng, polygon):
    center = rng.uniform(-30, 130, 2)
    if not polygon:
        return [*center, *rng.uniform(-2, 60, 2)]
    count = int(rng.choice([3, 4, 4, 5, 6]))
    angles = rng.uniform(0, 2 * np.pi, count)
    if rng.random() < 0.7:
        angles.sort()  # convex-ish; otherwise self-intersecting
    radius = rng.uniform(0, 40, count)
    points = np.stack([center[0] + radius * np.cos(angles),
                       center[1] + radius * np.sin(angles)], axis=1)
    if rng.random() < 0.3:
        points = np.round(points)
        points[1, 1] = points[0, 1]  # a horizontal edge through a pixel row
    return points.ravel().tolist()


def _toolkit_region(record):
    from vot.region import Special
    from vot.region.shapes import Polygon, Rectangle
    values = np.asarray(record, dtype=float).ravel()
    if values.size == 1:
        return Special(int(values[0]))
    if values.size == 4:
        return Rectangle(*values)
    return Polygon(list(zip(values[0::2], values[1::2])))


def test_overlap_equals_toolkit():
    pytest.importorskip('vot.region')  # a bare 'vot' may be tools/vot/ (namespace package)
    from vot.region import calculate_overlap
    rng = np.random.default_rng(0)
    for _ in range(400):
        a = _random_region(rng, rng.random() < 0.5) if rng.random() > 0.05 else [1]
        b = _random_region(rng, rng.random() < 0.5)
        bounds = tuple(int(v) for v in rng.integers(20, 160, 2))
        expected = calculate_overlap(_toolkit_region(a), _toolkit_region(b), bounds)
        assert vot_region_overlap(a, b, bounds) == pytest.approx(expected, abs=1e-12), (a, b,
                                                                                        bounds)
        if min(np.min(a), np.min(b)) >= 0:  # unbounded too (see the module docstring)
            expected = calculate_overlap(_toolkit_region(a), _toolkit_region(b))
            assert vot_region_overlap(a, b) == pytest.approx(expected, abs=1e-12), (a, b)


def _random_runs(rng, gt, num_runs):
    """Runs in the raw format with failures, skips, re-initialisations and noisy boxes."""
    runs = []
    for _ in range(num_runs):
        run, frame = [0] * len(gt), 0
        while frame < len(gt):
            run[frame] = 1
            frame += 1
            while frame < len(gt):
                if rng.random() < 0.08:
                    run[frame] = 2
                    frame += 5
                    break
                box = vot_region_to_bbox_xywh(gt[frame]) + rng.normal(0, 4, 4)
                run[frame] = np.abs(box) if rng.random() < 0.9 else box
                frame += 1
        runs.append(run)
    return runs


class _ToolkitSequence:
    """What the toolkit's analysis functions use of a sequence."""

    def __init__(self, gt, size_wh):
        self._gt, self.size = [_toolkit_region(r) for r in gt], size_wh

    def groundtruth(self):
        return self._gt

    def __len__(self):
        return len(self._gt)


@pytest.mark.parametrize('seed', range(3))
def test_accuracy_robustness_eao_equal_toolkit(seed):
    pytest.importorskip('vot.analysis')
    from vot.analysis.supervised import (AverageAccuracyRobustness, compute_accuracy,
                                         compute_eao_curve, count_failures)
    from vot.region import calculate_overlaps
    from vot.tracker import Trajectory
    rng = np.random.default_rng(seed)
    names, gts, sizes, all_runs = [], [], [], []
    toolkit_seq_results, overlaps_all, success_all = [], [], []
    for index in range(4):
        length = int(rng.integers(15, 120))
        centre = rng.uniform(40, 80, 2) + np.cumsum(rng.normal(0, 2, (length, 2)), axis=0)
        half = rng.uniform(5, 20, (length, 2))
        gt = np.column_stack([centre - half, centre[:, 0] + half[:, 0], centre[:, 1] - half[:, 1],
                              centre + half, centre[:, 0] - half[:, 0], centre[:, 1] + half[:, 1]])
        size_wh = (160, 120)
        runs = _random_runs(rng, gt, num_runs=int(rng.integers(1, 4)))
        names.append(f'seq{index}')
        gts.append(gt)
        sizes.append(size_wh)
        all_runs.append(runs)

        # the toolkit's per-sequence analysis (AccuracyRobustness.subcompute) and EAO cuts
        sequence = _ToolkitSequence(gt, size_wh)
        accuracy = failures = 0
        for run in runs:
            regions = [_toolkit_region(r) for r in run]
            failures += count_failures(regions)[0]
            accuracy += compute_accuracy(regions, sequence, 10, True, True)[0]
            overlaps = calculate_overlaps(regions, sequence.groundtruth(), size_wh)
            fails = [i for i, r in enumerate(run) if np.size(r) == 1 and r == 2]
            inits = [i for i, r in enumerate(run) if np.size(r) == 1 and r == 1]
            for k, fail in enumerate(fails):
                overlaps_all.append(overlaps[inits[k]:fail])
                success_all.append(False)
            if len(inits) > len(fails):
                overlaps_all.append(overlaps[inits[-1]:])
                success_all.append(True)
        toolkit_seq_results.append((accuracy / len(runs), failures / len(runs), None, length))

    report = eval_vot(all_runs, gts, sizes, names, eao_interval=(5, 60))
    for name, (accuracy, failures, _, length) in zip(names, toolkit_seq_results):
        assert report['seq_wise'][name]['accuracy'] == pytest.approx(accuracy, abs=1e-9)
        assert report['seq_wise'][name]['failures'] == failures
    accuracy, robustness, ar, _ = AverageAccuracyRobustness().aggregate(
        None, None, toolkit_seq_results)
    assert report['accuracy'] == pytest.approx(accuracy, abs=1e-9)
    assert report['robustness'] == pytest.approx(robustness, abs=1e-9)
    assert report['ar_robustness'] == pytest.approx(ar[0], abs=1e-9)
    curve = compute_eao_curve(overlaps_all, [1] * len(overlaps_all), success_all)
    np.testing.assert_allclose(report['eao_curve'], curve, atol=1e-6)  # toolkit: float32
    assert report['eao'] == pytest.approx(float(np.mean(curve[5:61])), abs=1e-6)
    assert Trajectory.FAILURE == 2 and Trajectory.INITIALIZATION == 1 and Trajectory.UNKNOWN == 0
