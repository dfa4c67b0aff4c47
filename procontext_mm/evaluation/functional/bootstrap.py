"""Bootstrap confidence intervals over sequences, and paired comparisons of two trackers.

Every benchmark score here is a weighted mean of per-sequence values:

* OPE success AUC / precision / normalised precision are plain means over sequences (every
  sequence weighs 1: curves are averaged over sequences, and a curve's mean or its value at
  20 px is linear in the curve);
* GOT-10k AO / SR pool the frames of all sequences: they are the per-sequence AO / SR
  weighted by the sequence's number of scored frames (a ratio of sums).

The sequences are the sampled unit of a benchmark (frames of one video are not independent),
so the uncertainty of a score is estimated by resampling *sequences* with replacement and
recomputing the score (the nonparametric bootstrap), and the interval is the percentile
interval of the resampled scores.

Resamples are drawn as ``np.random.default_rng(seed).integers(0, N, size=(B, N))``: row ``b``
holds the sequence indices of resample ``b``. A seed fixes them; a paired comparison uses the
same rows for both trackers, so what is resampled is the set of sequences both ran on.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

#: Default number of bootstrap resamples.
DEFAULT_NUM_RESAMPLES = 1000
#: Default confidence level of the percentile intervals.
DEFAULT_CONFIDENCE = 0.95


def bootstrap_indices(num_sequences: int,
                      num_resamples: int = DEFAULT_NUM_RESAMPLES,
                      seed: int = 0) -> np.ndarray:
    """Sequence indices of the bootstrap resamples (drawn with replacement).

    Args:
        num_sequences (int): N, the number of sequences, > 0.
        num_resamples (int): B, the number of resamples, > 0. Defaults to 1000.
        seed (int): Seed of ``np.random.default_rng``. Defaults to 0.

    Returns:
        np.ndarray: (B, N) int64 indices in ``[0, N)``.
    """
    if num_sequences <= 0 or num_resamples <= 0:
        raise ValueError(f'Bootstrap needs at least one sequence and one resample, got '
                         f'{num_sequences} sequences and {num_resamples} resamples.')
    return np.random.default_rng(seed).integers(0, num_sequences,
                                                size=(num_resamples, num_sequences))


def weighted_mean_score(values: np.ndarray, weights: Optional[np.ndarray] = None) -> float:
    """The benchmark score of per-sequence values: ``sum(w * v) / sum(w)``.

    Args:
        values (np.ndarray): (N,) per-sequence values; NaN allowed where the weight is 0.
        weights (np.ndarray, optional): (N,) non-negative weights (GOT-10k: scored frames).
            Defaults to 1 for every sequence (OPE).

    Returns:
        float: the weighted mean, NaN if every weight is 0.
    """
    values, weights = _check_values(values, weights, 'values')
    return float(_resampled_means(values, weights, np.arange(len(values))[None])[0])


def bootstrap_ci(values: np.ndarray,
                 weights: Optional[np.ndarray] = None,
                 num_resamples: int = DEFAULT_NUM_RESAMPLES,
                 confidence: float = DEFAULT_CONFIDENCE,
                 seed: int = 0) -> Dict[str, float]:
    """Percentile bootstrap confidence interval of a weighted mean over sequences.

    Args:
        values (np.ndarray): (N,) per-sequence values (e.g. success AUC, or AO); NaN allowed
            where the weight is 0.
        weights (np.ndarray, optional): (N,) non-negative weights; defaults to 1 each.
        num_resamples (int): Number of resamples B. Defaults to 1000.
        confidence (float): Confidence level in (0, 1). Defaults to 0.95.
        seed (int): Seed of the resamples (:func:`bootstrap_indices`). Defaults to 0.

    Returns:
        dict: ``score`` (the weighted mean of all sequences), ``low`` and ``high`` (the
        ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles of the B resampled
        scores; resamples whose weights are all 0 are left out), ``confidence``,
        ``num_resamples``.

    Raises:
        ValueError: On a non-1-D input, a length mismatch, a negative weight, a NaN value
            with a positive weight, or a confidence outside (0, 1).
    """
    values, weights = _check_values(values, weights, 'values')
    indices = bootstrap_indices(len(values), num_resamples, seed)
    low, high = _percentile_interval(_resampled_means(values, weights, indices), confidence)
    return dict(score=weighted_mean_score(values, weights), low=low, high=high,
                confidence=confidence, num_resamples=num_resamples)


def paired_comparison(values_a: np.ndarray,
                      values_b: np.ndarray,
                      seq_names: Sequence[str],
                      weights_a: Optional[np.ndarray] = None,
                      weights_b: Optional[np.ndarray] = None,
                      num_resamples: int = DEFAULT_NUM_RESAMPLES,
                      confidence: float = DEFAULT_CONFIDENCE,
                      seed: int = 0,
                      tie_tolerance: float = 1e-9,
                      num_extremes: int = 5) -> dict:
    """Paired per-sequence comparison of tracker A against tracker B on the same sequences.

    The difference is ``score(A) - score(B)`` (for unit weights, the mean of the per-sequence
    differences); its interval resamples the sequences once for both trackers (the pairing).

    Args:
        values_a, values_b (np.ndarray): (N,) per-sequence values of A and B, same order.
        seq_names (Sequence[str]): (N,) sequence names.
        weights_a, weights_b (np.ndarray, optional): (N,) weights of A's and B's values
            (GOT-10k: scored frames, which differ when the repetitions differ); default 1.
        num_resamples (int): Number of resamples B. Defaults to 1000.
        confidence (float): Confidence level in (0, 1). Defaults to 0.95.
        seed (int): Seed of the resamples. Defaults to 0.
        tie_tolerance (float): Per-sequence differences with ``|d| <= tie_tolerance`` are
            ties. Defaults to 1e-9 (only float rounding).
        num_extremes (int): How many sequences to list with the largest difference either
            way. Defaults to 5.

    Returns:
        dict: ``difference`` (score of A minus score of B), ``low``, ``high`` (its percentile
        interval), ``confidence``, ``num_resamples``, ``wins`` / ``losses`` / ``ties`` (number
        of sequences where A's value is higher / lower / within the tolerance; sequences with
        a zero weight on either side are not counted), ``num_sequences``, and
        ``largest_gains`` / ``largest_losses``: up to ``num_extremes`` ``(name, a - b)`` pairs,
        the most positive / most negative differences first (only wins / only losses).

    Raises:
        ValueError: On inputs of different lengths or invalid values (see :func:`bootstrap_ci`).
    """
    values_a, weights_a = _check_values(values_a, weights_a, 'values_a')
    values_b, weights_b = _check_values(values_b, weights_b, 'values_b')
    seq_names = list(seq_names)
    if not len(values_a) == len(values_b) == len(seq_names):
        raise ValueError(f'Paired comparison needs one value per sequence for both trackers: '
                         f'got {len(values_a)} and {len(values_b)} values for '
                         f'{len(seq_names)} sequences.')
    indices = bootstrap_indices(len(values_a), num_resamples, seed)
    differences = (_resampled_means(values_a, weights_a, indices)
                   - _resampled_means(values_b, weights_b, indices))
    low, high = _percentile_interval(differences, confidence)
    scored = (weights_a > 0) & (weights_b > 0)
    per_seq = np.where(scored, values_a - values_b, np.nan)
    wins = scored & (per_seq > tie_tolerance)
    losses = scored & (per_seq < -tie_tolerance)
    order = np.argsort(-np.nan_to_num(per_seq, nan=0.0), kind='stable')
    gains = [(seq_names[i], float(per_seq[i])) for i in order if wins[i]][:num_extremes]
    drops = [(seq_names[i], float(per_seq[i])) for i in order[::-1] if losses[i]][:num_extremes]
    return dict(difference=weighted_mean_score(values_a, weights_a)
                - weighted_mean_score(values_b, weights_b),
                low=low, high=high, confidence=confidence, num_resamples=num_resamples,
                wins=int(wins.sum()), losses=int(losses.sum()),
                ties=int((scored & ~wins & ~losses).sum()), num_sequences=len(seq_names),
                largest_gains=gains, largest_losses=drops)


def _check_values(values, weights, what: str) -> Tuple[np.ndarray, np.ndarray]:
    """(N,) float64 values with NaN zeroed where the weight is 0, and (N,) float64 weights."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f'{what} must be a non-empty 1-D array of per-sequence values, got '
                         f'shape {values.shape}.')
    weights = (np.ones_like(values) if weights is None
               else np.asarray(weights, dtype=np.float64))
    if weights.shape != values.shape:
        raise ValueError(f'{what}: {len(values)} values but weights of shape {weights.shape}.')
    if not np.all(weights >= 0):
        raise ValueError(f'{what}: weights must be >= 0, got {weights[~(weights >= 0)][:3]}.')
    bad = np.flatnonzero((weights > 0) & ~np.isfinite(values))
    if len(bad):
        raise ValueError(f'{what}: value {values[bad[0]]} at sequence index {bad[0]} is not '
                         'finite but has a positive weight.')
    return np.where(weights > 0, values, 0.0), weights


def _resampled_means(values: np.ndarray, weights: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """(B,) weighted means of the resamples (rows of ``indices``); NaN where all weights are 0."""
    total_weight = weights[indices].sum(axis=1)
    total = (values * weights)[indices].sum(axis=1)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(total_weight > 0, total / total_weight, np.nan)


def _percentile_interval(statistics: np.ndarray, confidence: float) -> List[float]:
    if not 0 < confidence < 1:
        raise ValueError(f'confidence must be in (0, 1), got {confidence}.')
    statistics = statistics[np.isfinite(statistics)]
    if len(statistics) == 0:
        return [float('nan'), float('nan')]
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(statistics, [tail, 100 - tail])
    return [float(low), float(high)]
