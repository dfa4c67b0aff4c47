"""The multi-start experiment (VOT2020 / VOT2022 short-term) run in-process: the runs of
``vot-toolkit`` 0.7's own ``MultiStartExperiment`` on the same tracker, and its scores."""
import os
import os.path as osp

import numpy as np
import pytest
from _vot_data import toolkit_experiment, write_vot_list, write_vot_sequence

from procontext_mm.apis import (evaluate_vot_multistart_results, run_multistart_sequence,
                                run_vot_multistart_experiment)
from procontext_mm.evaluation import read_vot_results
from procontext_mm.models.sot import StaticBoxTracker
from procontext_mm.testing import moving_square_video

ANCHORS = {'ants': {0: 1, 12: 1, 20: -1, 29: -1}, 'bolt': {0: 1, 15: -1}}
INTERVAL = (3, 25)

pytestmark = pytest.mark.usefixtures('one_thread')


def _write_vot2022_stb(root):
    """Rectangles, frames and anchor.value in the layout of the VOT2022 STb download."""
    for index, (name, anchors) in enumerate(ANCHORS.items()):
        frames, boxes = moving_square_video(num_frames=30, step=(4 + index, 3), seed=index)
        regions = [[x1 + 0.5, y1, x2 - x1 - 1, y2 - y1] for x1, y1, x2, y2 in boxes.astype(float)]
        write_vot_sequence(root, name, frames, regions, [anchors.get(k, 0) for k in range(30)])
    return write_vot_list(root, ANCHORS)


def test_runs_and_scores_equal_the_vot_toolkit(tmp_path):
    pytest.importorskip('vot.experiment.multistart')
    from vot.analysis.multistart import AccuracyRobustness, AverageAccuracyRobustness
    from vot.dataset.common import read_sequence
    from vot.experiment.multistart import MultiStartExperiment
    from vot.tracker import Trajectory
    root = _write_vot2022_stb(str(tmp_path / 'vot2022stb'))
    dataset = dict(type='VOTDataset', data_root=root, use_cache=False)
    ours_dir, toolkit_dir = str(tmp_path / 'ours'), str(tmp_path / 'toolkit')
    report = run_vot_multistart_experiment(StaticBoxTracker(), dataset, out_dir=ours_dir,
                                           eao_interval=INTERVAL)

    sequences = [read_sequence(osp.join(root, name)) for name in ANCHORS]
    toolkit = toolkit_experiment(MultiStartExperiment, toolkit_dir, StaticBoxTracker())
    for sequence in sequences:
        toolkit.execute(None, sequence)
    for sequence in sequences:
        for anchor in ANCHORS[sequence.name]:
            stem = f'{sequence.name}_{anchor:08d}'
            ours = read_vot_results(osp.join(ours_dir, sequence.name, f'{stem}.txt'))
            theirs = [r.code if r.type == r.type.SPECIAL else (r.x, r.y, r.width, r.height)
                      for r in Trajectory.read(toolkit.results(None, sequence), stem).regions()]
            assert len(ours) == len(theirs) == (30 - anchor if ANCHORS[sequence.name][anchor] > 0
                                                else anchor + 1)
            for a, b in zip(ours, theirs):
                np.testing.assert_allclose(a, b, atol=1e-4)

    analysed = toolkit_experiment(MultiStartExperiment, ours_dir)
    per_sequence = [AccuracyRobustness().subcompute(analysed, None, seq, []) for seq in sequences]
    accuracy, robustness, *_ = AverageAccuracyRobustness().aggregate(None, sequences,
                                                                     per_sequence)
    assert report['accuracy'] == pytest.approx(accuracy, abs=1e-9)
    assert report['robustness'] == pytest.approx(robustness, abs=1e-12)
    assert 0 < report['robustness'] < 1  # the static box fails from some anchors
    rescored = evaluate_vot_multistart_results(ours_dir, dataset, eao_interval=INTERVAL)
    for key in ('accuracy', 'robustness', 'eao'):
        assert rescored[key] == pytest.approx(report[key], abs=1e-4)


def test_input_errors(tmp_path):
    root = _write_vot2022_stb(str(tmp_path / 'data'))
    os.remove(osp.join(root, 'bolt', 'anchor.value'))
    with pytest.raises(FileNotFoundError, match=r'bolt.anchor.value does not exist'):
        run_vot_multistart_experiment(StaticBoxTracker(),
                                      dict(type='VOTDataset', data_root=root, use_cache=False))
    gt = np.tile([10.0, 10.0, 20.0, 20.0], (3, 1))
    frames = [np.zeros((40, 40, 3), np.uint8)] * 3
    with pytest.raises(ValueError, match='Sequence s has no anchor frame'):
        run_multistart_sequence(StaticBoxTracker(), frames, gt, [0, 0, 0], 's')
    gt[2] = np.nan
    with pytest.raises(ValueError, match=r'Sequence s, frame 2: no ground-truth region'):
        run_multistart_sequence(StaticBoxTracker(), frames, gt, [0, 0, -1], 's')
