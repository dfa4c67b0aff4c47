"""The multi-start experiment (VOT2020 / VOT2022 short-term) run in-process: the runs of
``vot-toolkit`` 0.7's own ``MultiStartExperiment`` on the same tracker, and its scores."""
import contextlib
import os
import os.path as osp

import cv2
import numpy as np
import pytest

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
        os.makedirs(osp.join(root, name, 'color'))
        for k, frame in enumerate(frames):
            cv2.imwrite(osp.join(root, name, 'color', f'{k + 1:08d}.png'), frame)
        with open(osp.join(root, name, 'groundtruth.txt'), 'w') as f:
            f.writelines(f'{x1 + 0.5:.4f},{y1:.4f},{x2 - x1 - 1:.4f},{y2 - y1:.4f}\n'
                         for x1, y1, x2, y2 in boxes.astype(float))
        with open(osp.join(root, name, 'anchor.value'), 'w') as f:
            f.writelines(f'{anchors.get(k, 0)}\n' for k in range(30))
        with open(osp.join(root, name, 'sequence'), 'w') as f:
            f.write('channels.color=color/%08d.png\nfps=30\nwidth=160\nheight=120\n')
    with open(osp.join(root, 'list.txt'), 'w') as f:
        f.write(''.join(name + '\n' for name in ANCHORS))
    return root


class _Runtime:
    """A vot-toolkit runtime calling our tracker in-process."""

    def __init__(self, tracker):
        self.tracker, self.multiobject = tracker, False

    def initialize(self, frame, region, properties=None):
        from vot.tracker import ObjectStatus
        self.tracker.init(cv2.imread(frame.filename()),
                          [region.x, region.y, region.x + region.width, region.y + region.height])
        return ObjectStatus(region, {}), 0.0

    def update(self, frame, properties=None):
        from vot.region.shapes import Rectangle
        from vot.tracker import ObjectStatus
        (x1, y1, x2, y2), _ = self.tracker.track(cv2.imread(frame.filename()))
        return ObjectStatus(Rectangle(x1, y1, x2 - x1, y2 - y1), {}), 0.0


def test_runs_and_scores_equal_the_vot_toolkit(tmp_path):
    pytest.importorskip('vot.experiment.multistart')
    from vot.analysis.multistart import AccuracyRobustness, AverageAccuracyRobustness
    from vot.dataset.common import read_sequence
    from vot.experiment.multistart import MultiStartExperiment
    from vot.tracker import Trajectory
    from vot.tracker.results import Results
    from vot.workspace.storage import LocalStorage
    root = _write_vot2022_stb(str(tmp_path / 'vot2022stb'))
    dataset = dict(type='VOTDataset', data_root=root, use_cache=False)
    ours_dir, toolkit_dir = str(tmp_path / 'ours'), str(tmp_path / 'toolkit')
    report = run_vot_multistart_experiment(StaticBoxTracker(), dataset, out_dir=ours_dir,
                                           eao_interval=INTERVAL)

    class Experiment(MultiStartExperiment):

        def __init__(self, result_root, tracker=None):
            super().__init__('baseline', None)
            self.result_root, self.tracker = result_root, tracker

        def results(self, tracker, sequence):
            return Results(LocalStorage(osp.join(self.result_root, sequence.name)))

        def _get_runtime(self, tracker, sequence, multiobject=False):
            return contextlib.nullcontext(_Runtime(self.tracker))

    sequences = [read_sequence(osp.join(root, name)) for name in ANCHORS]
    toolkit = Experiment(toolkit_dir, StaticBoxTracker())
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

    per_sequence = [AccuracyRobustness().subcompute(Experiment(ours_dir), None, seq, [])
                    for seq in sequences]
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
