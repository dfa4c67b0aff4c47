"""The anchor-based (multi-start) experiment of VOT2020 / VOT2022: by hand, and against
``vot-toolkit`` 0.7's analysis (``vot/analysis/multistart.py``) run on raw results written in
its workspace layout."""
import os
import os.path as osp

import numpy as np
import pytest

from procontext_mm.evaluation.functional.vot import (eval_vot_multistart,
                                                     multistart_failure_frame,
                                                     multistart_run_frames, vot_anchor_frames)

SQUARE = [0, 0, 10, 10]


def test_anchors_run_frames_and_failure_point():
    assert vot_anchor_frames([1, 0, 0, -1, 0, 1.0]) == ([0, 5], [3])
    assert multistart_run_frames(3, False, 6).tolist() == [3, 4, 5]
    assert multistart_run_frames(3, True, 6).tolist() == [3, 2, 1, 0]
    with pytest.raises(ValueError, match='Anchor frame 6 outside a sequence of 6'):
        multistart_run_frames(6, False, 6)
    low = np.array([0.9, 0.0, 0.05, 0.1, 0.2, 0.0, 0.0, 0.0])
    never_empty = np.zeros(8, bool)
    # 3 low frames in a row from frame 1 -> failure at frame 1: 1 frame tracked
    assert multistart_failure_frame(low, never_empty, grace=3) == 1
    # frame 4 (0.2) restarts the count; 5, 6, 7 fail -> 5 frames tracked
    assert multistart_failure_frame(low[[0, 4, 4, 4, 4, 5, 6, 7]], never_empty, grace=3) == 5
    # a frame without ground truth restarts the count too: frames 1 | 3 | 5, 6, 7 -> fails at 5
    empty = np.zeros(8, bool)
    empty[2] = True
    assert multistart_failure_frame(low, empty, grace=3) == 5
    assert multistart_failure_frame(np.ones(8), never_empty, grace=3) == 8


def test_scores_by_hand():
    gt = [SQUARE] * 6
    half = [5, 0, 10, 10]  # overlap 1/3
    runs = {0: [1, SQUARE, half, half, SQUARE, SQUARE],  # never fails
            5: [1, [50, 50, 5, 5], [50, 50, 5, 5], [50, 50, 5, 5], SQUARE, SQUARE]}  # backward
    report = eval_vot_multistart([runs], [gt], [[1, 0, 0, 0, 0, -1]], grace=2,
                                 eao_interval=(1, 8))
    seq = report['seq_wise']['0']
    # the initialisation frame scores overlap 0, so it counts towards the grace frames: the
    # backward run fails at once (frames 0, 1 low), 0 frames tracked
    assert seq['tracked_frames'] == 6 + 0 and seq['run_frames'] == 12
    assert seq['accuracy'] == pytest.approx((0 + 1 + 2 / 3 + 2) / 6)
    assert report['robustness'] == pytest.approx(6 / 12)
    # curve (8 entries) at j = 1: (1 + 0) / 2 runs; j = 5: mean of the forward run's frames
    # 1..5 and the failed run's zeros; j = 6, 7: beyond the runs, only the failed run counts
    assert len(report['eao_curve']) == 8
    np.testing.assert_allclose(report['eao_curve'][1], 0.5)
    np.testing.assert_allclose(report['eao_curve'][5], ((1 + 2 / 3 + 2) / 5 + 0) / 2)
    np.testing.assert_allclose(report['eao_curve'][6:], 0)
    assert report['eao'] == pytest.approx(np.mean(report['eao_curve'][1:]))
    with pytest.raises(ValueError, match='Sequence 0: no run from anchor frame 5'):
        eval_vot_multistart([{0: runs[0]}], [gt], [[1, 0, 0, 0, 0, -1]])
    with pytest.raises(ValueError, match='Sequence 0 has no anchor frame'):
        eval_vot_multistart([runs], [gt], [[0] * 6])


# ---------------------------------------------------------------------- the VOT toolkit
def _random_sequence(rng, length):
    centre = rng.uniform(40, 80, 2) + np.cumsum(rng.normal(0, 2, (length, 2)), axis=0)
    half = rng.uniform(5, 20, (length, 2))
    gt = np.column_stack([centre - half, 2 * half])  # VOT2022 STb: rectangles x, y, w, h
    gt[rng.random(length) < 0.05] = np.nan  # frames without the target
    anchors = np.zeros(length)
    picks = rng.choice(length, size=min(length, int(rng.integers(1, 5))), replace=False)
    anchors[picks] = rng.choice([-1.0, 1.0], size=len(picks))
    return gt, anchors


def _random_run(rng, gt_rows, fail_from):
    run = [1]
    for k, row in enumerate(gt_rows[1:], start=1):
        if not np.isfinite(row).all() or k >= fail_from:
            run.append(np.array([200.0, 200.0, 5.0, 5.0]) + rng.normal(0, 1, 4))  # lost
        else:
            run.append(np.abs(row + rng.normal(0, 3, 4)))
    return run


def _write_toolkit_sequence(root, name, gt, anchors, size_wh):
    os.makedirs(osp.join(root, name))
    with open(osp.join(root, name, 'sequence'), 'w') as f:
        f.write(f'channels.color=color/%08d.jpg\nwidth={size_wh[0]}\nheight={size_wh[1]}\n'
                f'length={len(gt)}\n')
    with open(osp.join(root, name, 'groundtruth.txt'), 'w') as f:
        f.writelines(('NaN,NaN,NaN,NaN' if not np.isfinite(row).all() else
                      ','.join(repr(float(v)) for v in row)) + '\n' for row in gt)
    with open(osp.join(root, name, 'anchor.value'), 'w') as f:
        f.writelines(f'{v}\n' for v in anchors)


def _write_toolkit_run(result_dir, name, anchor, run):
    os.makedirs(osp.join(result_dir, name), exist_ok=True)
    with open(osp.join(result_dir, name, f'{name}_{anchor:08d}.txt'), 'w') as f:
        f.writelines((str(r) if np.ndim(r) == 0 else ','.join(repr(float(v)) for v in r)) + '\n'
                     for r in run)


@pytest.mark.parametrize('seed', range(3))
def test_multistart_scores_equal_toolkit(seed, tmp_path):
    pytest.importorskip('vot.analysis.multistart')
    from vot.analysis.multistart import AccuracyRobustness, AverageAccuracyRobustness, EAOCurves
    from vot.dataset.common import read_sequence
    from vot.experiment.multistart import MultiStartExperiment
    from vot.tracker.results import Results
    from vot.workspace.storage import LocalStorage

    rng = np.random.default_rng(seed)
    data_root, result_dir = str(tmp_path / 'data'), str(tmp_path / 'results')
    names, gts, anchor_values, sizes, all_runs = [], [], [], [], []
    for index in range(4):
        name, size_wh = f'seq{index}', (160, 120)
        gt, anchors = _random_sequence(rng, int(rng.integers(15, 90)))
        forward, backward = vot_anchor_frames(anchors)
        runs = {}
        for anchor, reverse in [(f, False) for f in forward] + [(b, True) for b in backward]:
            frames = multistart_run_frames(anchor, reverse, len(gt))
            fail_from = int(rng.integers(1, len(frames) + 15))  # some runs never fail
            runs[anchor] = _random_run(rng, gt[frames], fail_from)
            _write_toolkit_run(result_dir, name, anchor, runs[anchor])
        _write_toolkit_sequence(data_root, name, gt, anchors, size_wh)
        names.append(name)
        gts.append(gt)
        anchor_values.append(anchors)
        sizes.append(size_wh)
        all_runs.append(runs)

    class Experiment(MultiStartExperiment):

        def results(self, tracker, sequence):
            return Results(LocalStorage(osp.join(result_dir, sequence.name)))

    experiment = Experiment('baseline', None)
    sequences = [read_sequence(osp.join(data_root, name)) for name in names]
    interval, curve_length = (5, 60), 60
    per_sequence = [AccuracyRobustness().subcompute(experiment, None, seq, [])
                    for seq in sequences]
    accuracy, robustness, _, _, _ = AverageAccuracyRobustness().aggregate(None, sequences,
                                                                          per_sequence)
    # EAOCurve.aggregate: sequences weighted by their active runs per length
    partial = [EAOCurves(high=curve_length).subcompute(experiment, None, seq, [])
               for seq in sequences]
    curve = np.zeros(curve_length)
    weight = np.zeros(curve_length)
    for (seq_curve, active), seq_weight in partial:
        curve += np.array(seq_curve) * np.array(active) * seq_weight
        weight += np.array(active) * seq_weight
    curve = np.where(weight > 0, curve / np.where(weight > 0, weight, 1), 0)

    report = eval_vot_multistart(all_runs, gts, anchor_values, sizes, names,
                                 eao_interval=(interval[0], curve_length))
    for name, (seq_accuracy, seq_robustness, *_) in zip(names, per_sequence):
        assert report['seq_wise'][name]['accuracy'] == pytest.approx(seq_accuracy, abs=1e-9)
        assert report['seq_wise'][name]['robustness'] == pytest.approx(seq_robustness, abs=1e-12)
    assert report['accuracy'] == pytest.approx(accuracy, abs=1e-9)
    assert report['robustness'] == pytest.approx(robustness, abs=1e-12)
    np.testing.assert_allclose(report['eao_curve'], curve, atol=1e-12)
    # EAOScore.compute: mean of the curve over [low, high]
    assert report['eao'] == pytest.approx(float(np.mean(curve[interval[0]:curve_length + 1])),
                                          abs=1e-12)
    assert 0 < report['robustness'] < 1  # some runs failed, some did not
