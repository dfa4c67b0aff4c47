"""Bootstrap intervals over sequences and the paired comparison, on cases with known answers."""
import numpy as np
import pytest

from procontext_mm.evaluation.functional import (bootstrap_ci, bootstrap_indices, eval_got10k,
                                                 paired_comparison, weighted_mean_score)


def test_indices_are_seeded_draws_with_replacement():
    indices = bootstrap_indices(7, 50, seed=3)
    assert indices.shape == (50, 7) and indices.min() >= 0 and indices.max() < 7
    np.testing.assert_array_equal(indices, bootstrap_indices(7, 50, seed=3))
    assert not np.array_equal(indices, bootstrap_indices(7, 50, seed=4))
    # with replacement: some resample repeats a sequence
    assert any(len(set(row)) < 7 for row in indices)


def test_ci_equals_a_direct_numpy_computation():
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 1, 40)
    ci = bootstrap_ci(values, num_resamples=500, confidence=0.9, seed=11)
    # independent re-computation: the documented draw, then the percentile interval
    draws = np.random.default_rng(11).integers(0, 40, size=(500, 40))
    means = np.array([values[row].mean() for row in draws])
    assert ci['score'] == pytest.approx(values.mean())
    assert [ci['low'], ci['high']] == pytest.approx(np.percentile(means, [5, 95]))
    assert ci['low'] < ci['score'] < ci['high']


def test_weighted_ci_is_the_frame_pooled_ratio():
    """GOT-10k AO pools frames: the score is sum(IoU) / frames; resampling sequences
    resamples their IoU sums and frame counts together."""
    rng = np.random.default_rng(1)
    ious = [rng.uniform(0, 1, n) for n in (3, 10, 1, 25, 7)]
    values, weights = np.array([i.mean() for i in ious]), np.array([len(i) for i in ious])
    assert weighted_mean_score(values, weights) == pytest.approx(np.concatenate(ious).mean())
    ci = bootstrap_ci(values, weights, num_resamples=200, seed=0)
    draws = np.random.default_rng(0).integers(0, 5, size=(200, 5))
    pooled = [np.concatenate([ious[i] for i in row]).mean() for row in draws]
    assert [ci['low'], ci['high']] == pytest.approx(np.percentile(pooled, [2.5, 97.5]))


def test_width_follows_the_standard_error():
    """Large sample: the 95% percentile interval of a mean is about +-1.96 standard errors."""
    values = np.random.default_rng(2).normal(0.6, 0.2, 400)
    ci = bootstrap_ci(values, num_resamples=2000, seed=0)
    standard_error = values.std() / np.sqrt(len(values))
    assert ci['high'] - ci['low'] == pytest.approx(2 * 1.96 * standard_error, rel=0.1)


def test_identical_trackers_give_zero_difference_and_a_degenerate_interval():
    values = np.random.default_rng(3).uniform(0, 1, 12)
    result = paired_comparison(values, values.copy(), [f's{i}' for i in range(12)])
    assert result['difference'] == 0 and result['low'] == 0 and result['high'] == 0
    assert (result['wins'], result['losses'], result['ties']) == (0, 0, 12)
    assert result['largest_gains'] == [] and result['largest_losses'] == []


def test_constant_shift():
    values = np.random.default_rng(4).uniform(0.2, 0.8, 30)
    result = paired_comparison(values + 0.05, values, [str(i) for i in range(30)])
    assert result['difference'] == pytest.approx(0.05)
    assert result['low'] == pytest.approx(0.05) and result['high'] == pytest.approx(0.05)
    assert (result['wins'], result['losses'], result['ties']) == (30, 0, 0)


def test_paired_interval_uses_the_same_resamples_for_both():
    """The interval of the difference is that of the per-sequence differences' mean (unit
    weights), narrower than what unpaired resampling of two noisy trackers would give."""
    rng = np.random.default_rng(5)
    difficulty = rng.uniform(0.1, 0.9, 50)  # shared: what pairing cancels
    a, b = difficulty + rng.normal(0.03, 0.01, 50), difficulty
    names = [str(i) for i in range(50)]
    result = paired_comparison(a, b, names, num_resamples=300, seed=7)
    direct = bootstrap_ci(a - b, num_resamples=300, seed=7)
    assert [result['low'], result['high']] == pytest.approx([direct['low'], direct['high']])
    assert result['low'] > 0  # a is better on every sequence; the interval says so
    assert bootstrap_ci(a, num_resamples=300)['low'] < bootstrap_ci(b, num_resamples=300)['high']


def test_wins_losses_ties_and_extremes():
    a = np.array([0.5, 0.9, 0.2, 0.4, 0.7, 0.3])
    b = np.array([0.5, 0.4, 0.6, 0.3, 0.7, 0.6])
    names = ['tie1', 'big_win', 'big_loss', 'small_win', 'tie2', 'loss']
    result = paired_comparison(a, b, names, num_extremes=2)
    assert (result['wins'], result['losses'], result['ties']) == (2, 2, 2)
    assert [n for n, _ in result['largest_gains']] == ['big_win', 'small_win']
    assert [n for n, _ in result['largest_losses']] == ['big_loss', 'loss']
    assert result['largest_gains'][0][1] == pytest.approx(0.5)
    assert result['largest_losses'][0][1] == pytest.approx(-0.4)
    assert result['difference'] == pytest.approx(np.mean(a - b))


def test_got10k_sequence_values_reproduce_the_pooled_ao():
    """The per-sequence AO weighted by scored frames is eval_got10k's AO (also with a
    sequence that has no scored frame: NaN AO, weight 0)."""
    rng = np.random.default_rng(6)
    gts = [np.column_stack([rng.uniform(0, 50, (n, 2)), rng.uniform(5, 20, (n, 2))])
           for n in (6, 9, 4)]
    preds = [gt + rng.normal(0, 2, gt.shape) for gt in gts]
    valid = [np.ones(6, bool), np.ones(9, bool), np.array([1, 0, 0, 0], bool)]
    report = eval_got10k(preds, gts, valid, seq_names=['a', 'b', 'c'])
    values = [report['seq_wise'][n]['ao'] for n in 'abc']
    weights = [report['seq_wise'][n]['num_frames'] for n in 'abc']
    assert np.isnan(values[2]) and weights[2] == 0
    assert weighted_mean_score(values, weights) == pytest.approx(report['ao'])
    assert bootstrap_ci(values, weights, num_resamples=100)['score'] == pytest.approx(
        report['ao'])


@pytest.mark.parametrize('call, message', [
    (lambda: bootstrap_ci([0.1, np.nan]), 'not finite but has a positive weight'),
    (lambda: bootstrap_ci([0.1, 0.2], [1, -1]), 'weights must be >= 0'),
    (lambda: bootstrap_ci([]), 'non-empty 1-D'),
    (lambda: bootstrap_ci([0.1, 0.2], confidence=95), r'confidence must be in \(0, 1\)'),
    (lambda: paired_comparison([0.1, 0.2], [0.1], ['a', 'b']), '2 and 1 values for 2'),
])
def test_input_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
