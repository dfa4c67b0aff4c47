"""Validation of the inputs of the benchmark functions (user errors become ValueErrors)."""
from typing import List, Optional, Sequence, Tuple

import numpy as np


def check_sequence_xywh(pred_bboxes_xywh: np.ndarray,
                        gt_bboxes_xywh: np.ndarray,
                        valid: Optional[np.ndarray] = None,
                        seq_name: str = '?') -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate one sequence's inputs and return them as float64 / bool arrays.

    Args:
        pred_bboxes_xywh (np.ndarray): (L, 4) predicted boxes, or (R, L, 4) for R repetitions.
        gt_bboxes_xywh (np.ndarray): (L, 4) ground-truth boxes.
        valid (np.ndarray, optional): (L,) bool, frames to score. Defaults to all True.
        seq_name (str): Name used in error messages.

    Returns:
        tuple: pred (R, L, 4) float64, gt (L, 4) float64, valid (L,) bool.

    Raises:
        ValueError: If shapes disagree, the sequence is empty or a prediction is not finite.
    """
    gt = np.asarray(gt_bboxes_xywh, dtype=np.float64)
    if gt.ndim != 2 or gt.shape[1] != 4 or gt.shape[0] == 0:
        raise ValueError(f'Sequence {seq_name}: ground truth must have shape (L, 4) with '
                         f'L >= 1, got {gt.shape}.')
    pred = np.asarray(pred_bboxes_xywh, dtype=np.float64)
    if pred.ndim == 2:
        pred = pred[None]
    if pred.ndim != 3 or pred.shape[1:] != gt.shape:
        raise ValueError(f'Sequence {seq_name}: {gt.shape[0]} ground-truth frames but '
                         f'predictions of shape {pred.shape} (expected (L, 4) or (R, L, 4) '
                         f'with L={gt.shape[0]}).')
    bad = np.argwhere(~np.isfinite(pred))
    if len(bad):
        raise ValueError(f'Sequence {seq_name}: prediction of frame {bad[0][1]} is not finite: '
                         f'{pred[bad[0][0], bad[0][1]].tolist()}.')
    if valid is None:
        valid = np.ones(gt.shape[0], dtype=bool)
    valid = np.asarray(valid, dtype=bool).reshape(-1)
    if valid.shape[0] != gt.shape[0]:
        raise ValueError(f'Sequence {seq_name}: {gt.shape[0]} ground-truth frames but '
                         f'{valid.shape[0]} visibility flags.')
    return pred, gt, valid


def check_per_sequence_args(num_seqs: int, pred_bboxes_xywh: Sequence,
                            seq_names: Optional[Sequence[str]], valid: Optional[Sequence],
                            times: Optional[Sequence]) -> List[list]:
    """Check that per-sequence argument lists have one entry per sequence; fill defaults.

    Args:
        num_seqs (int): Number of ground-truth sequences.
        pred_bboxes_xywh (Sequence): per-sequence predictions (only the length is checked).
        seq_names (Sequence[str], optional): names; defaults to ``'0', '1', ...``.
        valid (Sequence, optional): per-sequence frame masks; defaults to None entries.
        times (Sequence, optional): per-sequence frame times; defaults to None entries.

    Returns:
        list: ``[seq_names, valid, times]`` as lists of length ``num_seqs``.

    Raises:
        ValueError: If there is no sequence, a length differs, or names repeat.
    """
    if num_seqs == 0:
        raise ValueError('No sequence to evaluate.')
    seq_names = [str(i) for i in range(num_seqs)] if seq_names is None else list(seq_names)
    valid = [None] * num_seqs if valid is None else list(valid)
    times = [None] * num_seqs if times is None else list(times)
    for what, values in (('predictions', pred_bboxes_xywh), ('sequence names', seq_names),
                         ('visibility arrays', valid), ('time arrays', times)):
        if len(values) != num_seqs:
            raise ValueError(f'{num_seqs} ground-truth sequences but {len(values)} {what}.')
    if len(set(seq_names)) != num_seqs:
        raise ValueError('Sequence names are not unique.')
    return [seq_names, valid, times]
