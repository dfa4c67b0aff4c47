"""GOT-10k protocol against ``got10k.experiments.ExperimentGOT10k`` (val) on random results."""
import numpy as np
import pytest

from procontext_mm.evaluation import load_tracking_results, write_tracking_results
from procontext_mm.evaluation.functional import eval_got10k, got10k_scores

TOL = 1e-4  # 0.01 points


def test_hand_computed():
    gt = np.array([[0, 0, 10, 10]] * 4, float)
    pred = np.array([[50, 50, 1, 1], [5, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]], float)
    visible = np.array([True, True, False, True])
    # frame 0 (init) and frame 2 (absent) are not scored: IoUs 1/3 and 1
    result = eval_got10k([pred], [gt], [visible], times=[np.array([0.5, 0.25, np.nan, 0])])
    assert result['ao'] == pytest.approx(2 / 3)
    assert result['sr50'] == 0.5 and result['sr75'] == 0.5 and result['num_frames'] == 2
    assert result['fps'] == pytest.approx((2 + 4) / 2)  # mean of 1 / t over t > 0
    # strict thresholds: an IoU of exactly 0.5 is not a success at 0.5
    scores = got10k_scores(np.array([0.5, 0.75, 1.0]))
    assert scores['sr50'] == pytest.approx(2 / 3) and scores['sr75'] == pytest.approx(1 / 3)
    assert scores['success_curve'][0] == 1.0 and scores['success_curve'][100] == 0.0


def test_pooling_over_frames_not_sequences():
    gt = np.array([[0, 0, 10, 10]] * 5, float)
    hit, miss = np.array([0, 0, 10, 10], float), np.array([90, 90, 1, 1], float)
    long_seq = np.stack([hit, hit, hit, hit, hit])
    short_seq = np.stack([hit, miss])
    result = eval_got10k([long_seq, short_seq], [gt, gt[:2]], seq_names=['a', 'b'])
    assert result['ao'] == pytest.approx(4 / 5)  # 4 hits + 1 miss, not (1 + 0) / 2
    assert result['seq_wise']['b']['ao'] == 0.0


def test_length_one_sequences_are_not_scored():
    gt = np.array([[0, 0, 10, 10]], float)
    with pytest.raises(ValueError, match='No frame to score'):
        eval_got10k([gt], [gt])
    result = eval_got10k([gt, np.repeat(gt, 2, axis=0)], [gt, np.repeat(gt, 2, axis=0)],
                         seq_names=['one', 'two'])
    assert np.isnan(result['seq_wise']['one']['ao']) and result['ao'] == 1.0


def test_input_errors_name_the_sequence():
    gt = np.zeros((3, 4))
    with pytest.raises(ValueError, match='seq_x.*2 ground-truth|seq_x.*shape'):
        eval_got10k([np.zeros((2, 4))], [gt], seq_names=['seq_x'])
    bad = np.ones((3, 4))
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match='seq_y: prediction of frame 1'):
        eval_got10k([bad], [gt], seq_names=['seq_y'])
    gt_nan = np.ones((3, 4))
    gt_nan[2] = np.nan
    with pytest.raises(ValueError, match='seq_z: frame 2 is marked visible'):
        eval_got10k([np.ones((3, 4))], [gt_nan], seq_names=['seq_z'])


@pytest.mark.parametrize('seed', range(40))
def test_matches_toolkit(seed, make_sequences, toolkit_report, tmp_path):
    sequences = make_sequences(seed)
    rng = np.random.default_rng(1000 + seed)
    num_runs = 3 if seed % 4 == 0 else 1  # stochastic trackers: runs _001.._003 are pooled
    result_dir = str(tmp_path / 'GOT-10k' / 'tracker')
    for seq in sequences:
        times = np.tile(seq['times'][:, None], (1, num_runs))
        for run in range(num_runs):
            pred = seq['pred'] + (rng.normal(0, 2, seq['pred'].shape) if run else 0)
            write_tracking_results(result_dir,
                                   seq['name'],
                                   pred,
                                   'got10k',
                                   times if run == 0 else None,
                                   repetition=run + 1)
    names = [seq['name'] for seq in sequences]
    loaded = load_tracking_results(result_dir, names, 'got10k',
                                   {seq['name']: len(seq['gt'])
                                    for seq in sequences})
    reference = toolkit_report('got10k', sequences, result_dir)

    args = ([loaded[name]['bboxes_xywh'] for name in names], [seq['gt'] for seq in sequences],
            [seq['visible'] for seq in sequences], [seq['image_size_wh'] for seq in sequences],
            [loaded[name]['times'] for name in names], names)
    if np.isnan(reference['overall']['ao']):  # nothing scored anywhere
        with pytest.raises(ValueError, match='No frame to score'):
            eval_got10k(*args)
        return
    ours = eval_got10k(*args)
    overall = reference['overall']
    assert abs(ours['ao'] - overall['ao']) <= TOL
    assert abs(ours['sr50'] - overall['sr']) <= TOL
    assert abs(ours['sr75'] - overall['succ_curve'][75]) <= TOL
    np.testing.assert_allclose(ours['success_curve'], overall['succ_curve'], atol=TOL)
    assert (ours['fps'] or -1) == pytest.approx(overall['speed_fps'], rel=1e-9)
    for name in names:
        expected = reference['seq_wise'][name]
        np.testing.assert_allclose([ours['seq_wise'][name]['ao'], ours['seq_wise'][name]['sr50']],
                                   [expected['ao'], expected['sr']],
                                   atol=TOL,
                                   equal_nan=True)
