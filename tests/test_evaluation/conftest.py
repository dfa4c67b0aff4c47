"""Shared fixtures of the evaluation tests: seeded random tracking results and the official
``got10k`` toolkit (PyPI 0.1.3) run on them as the reference."""
import functools
import os.path as osp
import warnings
from typing import Dict, List, Optional
from unittest import mock

import numpy as np
import pytest


def _random_sequence(rng: np.random.Generator, length: int, nan_gt: bool,
                     integer: Optional[bool]) -> Dict:
    """One sequence with the hard cases: absent frames, failures, zero-size boxes, boxes
    outside the image, integer boxes (ties at thresholds) and exact predictions."""
    width, height = (int(v) for v in rng.integers(40, 400, size=2))
    size = np.array([width, height, width, height], dtype=np.float64)
    gt = np.column_stack([
        rng.uniform(-0.2, 1.0, (length, 2)) * size[:2],
        rng.uniform(0.0, 0.6, (length, 2)) * size[:2],
    ])
    noise_scale = rng.choice([0.0, 0.02, 0.1, 0.4]) * np.maximum(gt[:, [2, 3, 2, 3]], 1)
    pred = gt + rng.normal(0.0, 1.0, (length, 4)) * noise_scale
    draw = rng.random((6, length))
    failed = draw[0] < 0.15
    pred[failed] = rng.uniform(-0.5, 1.5, (int(failed.sum()), 4)) * size  # failures
    pred[draw[1] < 0.05, 2:] = 0.0  # zero-size predictions
    pred[draw[2] < 0.1, 0] += width * rng.choice([-1.5, 1.5])  # out of the image
    pred[draw[3] < 0.05] = gt[draw[3] < 0.05]  # exact predictions (IoU 1)
    gt[draw[4] < 0.05, rng.integers(2, 4)] = 0.0  # zero-size ground truth
    if integer or (integer is None and rng.random() < 0.5):  # ties at the thresholds
        gt, pred = np.round(gt), np.round(pred)
    pred[:, 2:] = np.abs(pred[:, 2:])
    cover = rng.integers(0, 9, size=length)
    cover[draw[5] < 0.3] = 0  # absent targets (GOT-10k cover label 0)
    if nan_gt:  # LaSOT-style rows without a box (never the first frame)
        gt[np.r_[False, rng.random(length - 1) < 0.1]] = np.nan
    times = rng.uniform(0.005, 0.05, size=length)
    times[rng.random(length) < 0.1] = np.nan
    times[rng.random(length) < 0.1] = 0.0
    return dict(gt=gt,
                pred=pred,
                cover=cover,
                visible=cover > 0,
                times=times,
                image_size_wh=(width, height))


def random_sequences(seed: int,
                     nan_gt: bool = False,
                     num_seqs: Optional[int] = None,
                     integer: Optional[bool] = None) -> List[Dict]:
    """Sequences of lengths 1, 2 and 3..80, named ``seq_000`` ...; seeded. ``integer``
    forces (True) or forbids (False) integer boxes; None draws it per sequence."""
    rng = np.random.default_rng(seed)
    num_seqs = num_seqs or int(rng.integers(1, 7))
    sequences = []
    for index in range(num_seqs):
        length = int(rng.choice([1, 2, int(rng.integers(3, 80))], p=[0.15, 0.15, 0.7]))
        seq = _random_sequence(rng, length, nan_gt, integer)
        seq['name'] = f'seq_{index:03d}'
        sequences.append(seq)
    return sequences


@pytest.fixture
def make_sequences():
    """Factory ``make_sequences(seed, nan_gt=False, num_seqs=None, integer=None)``."""
    return random_sequences


class _ToolkitDataset:
    """The part of the toolkit's dataset interface its ``report`` methods use."""

    def __init__(self, sequences: List[Dict], with_meta: bool):
        self.sequences = {seq['name']: seq for seq in sequences}
        self.seq_names = list(self.sequences)
        self.with_meta = with_meta
        self.return_meta = with_meta

    def __len__(self):
        return len(self.seq_names)

    def __getitem__(self, key):
        seq = self.sequences[key if isinstance(key, str) else self.seq_names[key]]
        img_files = [f'{i:08d}.jpg' for i in range(len(seq['gt']))]
        if not self.with_meta:
            return img_files, seq['gt'].copy()
        meta = dict(cover=seq['cover'].astype(float), resolution=str(seq['image_size_wh']))
        return img_files, seq['gt'].copy(), meta

    def __iter__(self):
        return (self[i] for i in range(len(self)))


@pytest.fixture
def toolkit_report(tmp_path):
    """Run the toolkit's ``report`` on result files: ``toolkit_report(experiment, sequences,
    result_dir)`` -> the toolkit's performance dict of the tracker.

    ``experiment`` is ``'got10k'`` (``ExperimentGOT10k``, val split) or ``'otb'``
    (``ExperimentOTB``, also the toolkit's TrackingNet experiment), or ``'lasot'``: the
    toolkit's LaSOT experiment is not in the PyPI release, so it is rebuilt the way the
    toolkit's GitHub master defines it, an ``ExperimentOTB`` whose ``_calc_metrics`` drops
    the rows whose ground truth contains NaN.

    ``np.loadtxt`` is given ``ndmin=2`` while the toolkit runs: without it a one-frame result
    file loads as a 1-D row and the toolkit cannot score sequences of length 1.
    """
    got10k_experiments = pytest.importorskip('got10k.experiments')
    from got10k.utils.metrics import center_error, rect_iou

    class ExperimentLaSOT(got10k_experiments.ExperimentOTB):

        def _calc_metrics(self, boxes, anno):
            rows = ~np.any(np.isnan(anno), axis=1)
            return rect_iou(boxes[rows], anno[rows]), center_error(boxes[rows], anno[rows])

    def run(experiment: str, sequences: List[Dict], result_dir: str) -> Dict:
        classes = dict(got10k=got10k_experiments.ExperimentGOT10k,
                       otb=got10k_experiments.ExperimentOTB,
                       lasot=ExperimentLaSOT)
        exp = object.__new__(classes[experiment])  # skip __init__: it opens a real dataset
        exp.dataset = _ToolkitDataset(sequences, with_meta=experiment == 'got10k')
        exp.result_dir = osp.dirname(result_dir)
        exp.report_dir = str(tmp_path / 'toolkit_reports')
        exp.plot_curves = lambda *args, **kwargs: None
        if experiment == 'got10k':
            exp.subset, exp.nbins_iou, exp.repetitions = 'val', 101, 3
        else:
            exp.nbins_iou, exp.nbins_ce = 21, 51
        loadtxt_2d = functools.partial(np.loadtxt, ndmin=2)
        with mock.patch.object(np, 'loadtxt', loadtxt_2d), np.errstate(all='ignore'), \
                warnings.catch_warnings():
            warnings.simplefilter('ignore')  # mean of empty slices (length-1 sequences)
            performance = exp.report([osp.basename(result_dir)])
        return performance[osp.basename(result_dir)]

    return run
