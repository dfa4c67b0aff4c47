"""The in-process VOT supervised experiment: reset bookkeeping, raw files, scores."""
import numpy as np
import pytest
import torch
from _vot_data import write_vot_dataset
from mmengine.config import Config

from procontext_mm.apis import (evaluate_vot_results, init_model, run_supervised_sequence,
                                run_vot_experiment)
from procontext_mm.evaluation import read_vot_results
from procontext_mm.evaluation.functional.vot import eval_vot, vot_region_to_bbox_xywh
from procontext_mm.testing import tiny_tracker_cfg

HEIGHT, WIDTH = 60, 80

pytestmark = pytest.mark.usefixtures('one_thread')


class _Frames:
    """Frames whose first pixel holds their index; records which frames were read."""

    def __init__(self, num_frames):
        self.num_frames, self.read = num_frames, []

    def __len__(self):
        return self.num_frames

    def __getitem__(self, index):
        self.read.append(index)
        frame = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
        frame[0, 0, 0] = index
        return frame


class _ScriptedTracker:
    """Reports the ground truth, except a box outside the image on ``fail_frames``."""

    def __init__(self, gt_xywh, fail_frames):
        self.gt_xywh, self.fail_frames, self.inits = gt_xywh, set(fail_frames), []

    def init(self, frame, bbox_xyxy):
        self.inits.append((int(frame[0, 0, 0]), list(bbox_xyxy)))

    def track(self, frame):
        index = int(frame[0, 0, 0])
        if index in self.fail_frames:
            return [500, 500, 510, 510], 0.1
        x, y, w, h = self.gt_xywh[index]
        return [x, y, x + w, y + h], 0.9


def test_reset_after_failure_bookkeeping():
    polygons = np.array([[10 + i, 10, 30 + i, 12, 28 + i, 30, 9 + i, 28] for i in range(20)],
                        float)
    gt_xywh = np.stack([vot_region_to_bbox_xywh(p) for p in polygons])
    tracker = _ScriptedTracker(gt_xywh, fail_frames={3, 16})
    frames = _Frames(20)
    records, times = run_supervised_sequence(tracker, frames, polygons, seq_name='s')

    statuses = [r if np.ndim(r) == 0 else 'box' for r in records]
    assert statuses == [1, 'box', 'box', 2, 0, 0, 0, 0, 1, 'box', 'box', 'box', 'box', 'box',
                        'box', 'box', 2, 0, 0, 0]
    # re-initialised 5 frames after each failure, on the polygon's bounding box (xyxy)
    assert [frame for frame, _ in tracker.inits] == [0, 8]
    np.testing.assert_allclose(tracker.inits[1][1], [17, 10, 38, 30])  # min / max x, y
    np.testing.assert_allclose(records[9], gt_xywh[9])
    assert sorted(set(frames.read)) == [i for i in range(20) if statuses[i] != 0]
    assert np.isnan(times[[4, 5, 6, 7, 17, 18, 19]]).all() and (times[:4] >= 0).all()

    report = eval_vot([records], [polygons], [(WIDTH, HEIGHT)], ['s'], burnin=2,
                      eao_interval=(1, 5))
    assert report['num_failures'] == 2 and report['seq_wise']['s']['failures'] == 2


def test_runner_input_errors():
    polygons = np.array([[10, 10, 20, 10, 20, 20, 10, 20]] * 4, float)
    tracker = _ScriptedTracker(np.zeros((4, 4)), ())
    with pytest.raises(ValueError, match='Sequence s: 3 frames but 4 ground-truth'):
        run_supervised_sequence(tracker, _Frames(3), polygons, seq_name='s')
    with pytest.raises(ValueError, match='skip_initialize'):
        run_supervised_sequence(tracker, _Frames(4), polygons, skip_initialize=0)
    polygons[0] = np.nan
    with pytest.raises(ValueError, match='Sequence s, frame 0: no ground-truth region'):
        run_supervised_sequence(tracker, _Frames(4), polygons, seq_name='s')


def test_experiment_on_vot_dataset_writes_rescorable_results(tmp_path):
    data = write_vot_dataset(tmp_path / 'vot', num_frames=14)
    torch.manual_seed(0)
    model = init_model(Config(dict(model=tiny_tracker_cfg(), default_scope='procontext_mm')))
    dataset = dict(type='VOTDataset', data_root=data['root'], use_cache=False)
    out_dir = str(tmp_path / 'results')
    report = run_vot_experiment(model, dataset, out_dir=out_dir, repetitions=2,
                                eao_interval=(1, 10), burnin=3)

    runs = report['records']['square']
    assert len(runs) == 2 and report['times']['square'].shape == (2, 14)
    assert report['seq_wise']['square']['num_runs'] == 2
    written = read_vot_results(str(tmp_path / 'results/square/square_002.txt'), 'square', 14)
    for record, expected in zip(written, runs[1]):
        np.testing.assert_allclose(record, expected, atol=1e-4)
    rescored = evaluate_vot_results(out_dir, dataset, eao_interval=(1, 10), burnin=3)
    for key in ('accuracy', 'robustness', 'eao', 'num_failures'):
        assert rescored[key] == pytest.approx(report[key], abs=1e-4)
    assert 0 <= report['accuracy'] <= 1 and 0 <= report['eao'] <= 1

    with pytest.raises(FileNotFoundError, match='No VOT results of sequence square'):
        evaluate_vot_results(str(tmp_path / 'nothing'), dataset)
