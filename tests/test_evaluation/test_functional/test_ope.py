"""OPE protocol (OTB / LaSOT / TrackingNet) against the ``got10k`` toolkit on random results."""
import numpy as np
import pytest

from procontext_mm.evaluation import load_tracking_results, write_tracking_results
from procontext_mm.evaluation.functional import (OPE_NORM_CENTER_THRESHOLDS, eval_ope,
                                                 precision_curve, success_curve)

TOL = 1e-4  # 0.01 points
# The toolkit's TrackingNet experiment is its OTB experiment on TrackingNet sequences.
TOOLKIT_EXPERIMENT = dict(otb='otb', trackingnet='otb', lasot='lasot')


def test_hand_computed():
    gt = np.array([[0, 0, 10, 10], [0, 0, 10, 10]], float)
    pred = np.array([[70, 70, 3, 3], [5, 0, 10, 10]], float)  # frame 0 is replaced by gt
    result = eval_ope([pred], [gt], 'otb')
    # frame 0: IoU 1 > t for 20 of the 21 thresholds; frame 1: IoU 1/3 > t for t <= 0.30 (7)
    assert result['success'] == pytest.approx((20 + 7) / 42)
    assert result['success_rate'] == 0.5  # at IoU 0.5: frame 0 only
    assert result['precision'] == 1.0  # errors 0 and 5 px, both <= 20
    # normalised errors 0 and 0.5: 0.5 <= t only at the last of the 51 thresholds
    assert result['norm_precision'] == pytest.approx((51 + 1) / 102)


def test_strict_and_non_strict_comparisons():
    np.testing.assert_array_equal(success_curve([0.5, 0.5], [0.45, 0.5]), [1, 0])
    np.testing.assert_array_equal(precision_curve([20.0], [19, 20]), [0, 1])


def test_averaging_over_sequences_not_frames():
    gt = np.array([[0, 0, 10, 10]] * 4, float)
    miss = np.array([[0, 0, 10, 10]] + [[90, 90, 1, 1]] * 3, float)
    result = eval_ope([gt, miss[:2]], [gt, gt[:2]], 'lasot', seq_names=['a', 'b'])
    # sequence a: always precise; sequence b: frame 0 only -> (1 + 1/2) / 2, not 5/6
    assert result['precision'] == pytest.approx(0.75)
    assert result['seq_wise']['b']['precision'] == 0.5


def test_lasot_drops_nan_rows_otb_counts_them_as_misses():
    gt = np.array([[0, 0, 10, 10], [np.nan] * 4, [0, 0, 10, 10]], float)
    pred = np.array([[0, 0, 10, 10]] * 3, float)
    assert eval_ope([pred], [gt], 'lasot')['precision'] == 1.0
    assert eval_ope([pred], [gt], 'otb')['precision'] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match='only_nan: no frame to score'):
        eval_ope([pred[:1]], [gt[1:2]], 'lasot', seq_names=['only_nan'])


def test_valid_mask_drops_frames():
    gt = np.array([[0, 0, 10, 10]] * 3, float)
    pred = np.array([[0, 0, 10, 10], [90, 90, 1, 1], [0, 0, 10, 10]], float)
    result = eval_ope([pred], [gt], 'otb', valid=[np.array([True, False, True])])
    assert result['precision'] == 1.0


def test_unknown_benchmark():
    with pytest.raises(ValueError, match='Unknown OPE benchmark'):
        eval_ope([np.zeros((1, 4))], [np.zeros((1, 4))], 'vot')


def _norm_precision_by_loop(pred, gt):
    """Independent per-frame reference: TrackingNet's normalised precision, AUC on [0, 0.5]."""
    pred, gt = pred.copy(), gt.copy()
    pred[0] = gt[0]
    hits = np.zeros(len(OPE_NORM_CENTER_THRESHOLDS))
    frames = 0
    for p, g in zip(pred, gt):
        if np.isnan(g).any():
            continue
        frames += 1
        dx = ((p[0] + (p[2] - 1) / 2) - (g[0] + (g[2] - 1) / 2)) / max(1.0, g[2])
        dy = ((p[1] + (p[3] - 1) / 2) - (g[1] + (g[3] - 1) / 2)) / max(1.0, g[3])
        hits += np.hypot(dx, dy) <= OPE_NORM_CENTER_THRESHOLDS
    return np.mean(hits / frames)


@pytest.mark.parametrize('benchmark', ['otb', 'trackingnet', 'lasot'])
@pytest.mark.parametrize('seed', range(25))
def test_matches_toolkit(seed, benchmark, make_sequences, toolkit_report, tmp_path):
    # NaN ground truth: part of LaSOT; for OTB it checks the toolkit's "NaN is a miss"
    sequences = make_sequences(seed, nan_gt=benchmark == 'lasot' or seed % 5 == 0)
    result_dir = str(tmp_path / benchmark / 'tracker')
    for seq in sequences:
        write_tracking_results(result_dir, seq['name'], seq['pred'], benchmark, seq['times'])
    names = [seq['name'] for seq in sequences]
    loaded = load_tracking_results(result_dir, names, benchmark)
    preds = [loaded[name]['bboxes_xywh'] for name in names]
    gts = [seq['gt'] for seq in sequences]
    ours = eval_ope(preds,
                    gts,
                    benchmark,
                    times=[loaded[name]['times'] for name in names],
                    seq_names=names)
    reference = toolkit_report(TOOLKIT_EXPERIMENT[benchmark], sequences, result_dir)

    overall = reference['overall']
    assert abs(ours['success'] - overall['success_score']) <= TOL
    assert abs(ours['precision'] - overall['precision_score']) <= TOL
    assert abs(ours['success_rate'] - overall['success_rate']) <= TOL
    np.testing.assert_allclose(ours['success_curve'], overall['success_curve'], atol=TOL)
    np.testing.assert_allclose(ours['precision_curve'], overall['precision_curve'], atol=TOL)
    assert (ours['fps'] or -1) == pytest.approx(overall['speed_fps'], rel=1e-9)
    for name in names:
        np.testing.assert_allclose(
            [ours['seq_wise'][name]['success'], ours['seq_wise'][name]['precision']], [
                reference['seq_wise'][name]['success_score'],
                reference['seq_wise'][name]['precision_score']
            ],
            atol=TOL)
    norm_by_loop = np.mean([_norm_precision_by_loop(p, g) for p, g in zip(preds, gts)])
    if benchmark == 'lasot' or not any(np.isnan(g).any() for g in gts):
        assert abs(ours['norm_precision'] - norm_by_loop) <= TOL
