"""The VOT2022 multi-start protocol inside mmengine's runner: SOTTestLoop +
SOTMetric(vot2022) give the runs, raw files and scores of ``run_vot_multistart_experiment``, of
``vot-toolkit`` 0.7's own ``MultiStartExperiment`` on the same tracker and of its multi-start
analyses on our raw files."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from _dist_runs import static_box_vot_runs
from _vot_data import toolkit_experiment, write_vot_list, write_vot_sequence
from _vot_loops import assert_same_records, run_vot_in_loop, vot_test_tracker

from procontext_mm.apis import run_vot_multistart_experiment
from procontext_mm.evaluation import SOTMetric, read_vot_results
from procontext_mm.testing import moving_square_video

EAO_INTERVAL = (3, 25)  # the sequences are 24 - 30 frames long
#: name, frames, square speed (px / frame), anchors (frame -> anchor.value), frames without
#: target (NaN ground truth, as the toolkit writes an absent target)
SEQUENCES = [
    ('ants', 30, (5, 3), {0: 1, 12: 1, 20: -1, 29: -1}, [7]),
    ('bolt', 26, (7, 2), {0: 1, 15: -1}, []),
    ('crab', 24, (2, 1), {5: 1, 23: -1}, [10, 11]),  # no run from frame 0
]


pytestmark = pytest.mark.usefixtures('one_thread')


def write_vot2022_stb(root):
    """Sequences in the layout ``vot initialize vot2022/shorttermbox`` downloads: list.txt,
    <seq>/sequence, <seq>/color/%08d.png, <seq>/groundtruth.txt (rectangles x, y, w, h with
    fractional coordinates; NaN rows where the target is absent) and <seq>/anchor.value."""
    for index, (name, num_frames, step, anchors, absent) in enumerate(SEQUENCES):
        frames, boxes = moving_square_video(num_frames=num_frames, step=step, seed=index)
        regions = np.array([[x1 + 0.25, y1 - 0.5, x2 - x1 - 0.75, y2 - y1 + 0.5]
                            for x1, y1, x2, y2 in boxes.astype(np.float64)])
        regions[absent] = np.nan
        write_vot_sequence(root, name, frames, regions,
                           [anchors.get(k, 0) for k in range(num_frames)])
    return write_vot_list(root, [name for name, *_ in SEQUENCES])


@pytest.fixture(scope='module')
def vot_root(tmp_path_factory):
    return write_vot2022_stb(str(tmp_path_factory.mktemp('vot') / 'vot2022stb'))


def _metric_cfg(out_dir=None):
    return dict(type='SOTMetric', benchmark='vot2022', out_dir=out_dir,
                metric_options=dict(eao_interval=EAO_INTERVAL))


def run_in_loop(root, work_dir, out_dir, model=None, test_loop='SOTTestLoop'):
    return run_vot_in_loop(root, work_dir, _metric_cfg(None if out_dir is None else str(out_dir)),
                           model, test_loop)


def _run_files(result_dir):
    """Relative paths of every file under ``result_dir``."""
    return sorted(osp.relpath(osp.join(folder, name), result_dir)
                  for folder, _, names in os.walk(result_dir) for name in names)


def _run_length(num_frames, anchor, value):
    return num_frames - anchor if value > 0 else anchor + 1


def _toolkit_experiment(result_root, tracker=None):
    """vot-toolkit's MultiStartExperiment (the vot2022/shorttermbox baseline)."""
    from vot.experiment.multistart import MultiStartExperiment
    return toolkit_experiment(MultiStartExperiment, result_root, tracker)


def _toolkit_scores(experiment, sequences, interval):
    """vot-toolkit's multistart_average_ar and multistart_eao_score (EAOCurve aggregating the
    per-sequence EAOCurves, then the mean over [low, high])."""
    from vot.analysis.multistart import AccuracyRobustness, AverageAccuracyRobustness, EAOCurve
    per_sequence = [AccuracyRobustness().subcompute(experiment, None, seq, [])
                    for seq in sequences]
    accuracy, robustness, *_ = AverageAccuracyRobustness().aggregate(None, sequences,
                                                                     per_sequence)
    low, high = interval
    aggregator = EAOCurve(high=high)  # its included EAOCurves take the same ``high``
    partial = [aggregator.curves.subcompute(experiment, None, seq, []) for seq in sequences]
    curve = aggregator.aggregate(None, sequences, partial)[0]
    return dict(accuracy=accuracy, robustness=robustness,
                eao=float(np.mean(curve[low:high + 1])))


@pytest.mark.parametrize('kind', ['static_box', 'tiny_procontext'])
def test_loop_equals_run_vot_multistart_experiment_and_the_vot_toolkit(vot_root, tmp_path, kind):
    pytest.importorskip('vot.experiment.multistart')  # a bare 'vot' may be tools/vot/
    from vot.dataset.common import read_sequence
    from vot.tracker import Trajectory
    tracker = vot_test_tracker(kind)
    runner, metrics = run_in_loop(vot_root, tmp_path / 'work', tmp_path / 'loop', tracker)
    loop_dir, api_dir = str(tmp_path / 'loop' / 'vot2022'), str(tmp_path / 'api')
    report = run_vot_multistart_experiment(
        tracker, dict(type='VOTDataset', data_root=vot_root, use_cache=False), out_dir=api_dir,
        eao_interval=EAO_INTERVAL)

    # 1. SOTMetric = run_vot_multistart_experiment: the scores, the same raw files
    assert set(metrics) == {'sot/EAO', 'sot/accuracy', 'sot/robustness', 'sot/FPS'}
    for key, name in (('EAO', 'eao'), ('accuracy', 'accuracy'), ('robustness', 'robustness')):
        assert metrics[f'sot/{key}'] == pytest.approx(report[name], abs=1e-9), key
    assert 0 < metrics['sot/robustness'] < 1  # some runs fail, not all
    assert _run_files(loop_dir) == _run_files(api_dir) == sorted(
        osp.join(name, f'{name}_{anchor:08d}{suffix}') for name, _, _, anchors, _ in SEQUENCES
        for anchor in anchors for suffix in ('.txt', '_time.value'))
    for name, num_frames, _, anchors, _ in SEQUENCES:
        for anchor, value in anchors.items():
            stem = osp.join(name, f'{name}_{anchor:08d}')
            ours = read_vot_results(osp.join(loop_dir, f'{stem}.txt'), name)
            assert len(ours) == _run_length(num_frames, anchor, value) and ours[0] == 1
            assert_same_records(ours, read_vot_results(osp.join(api_dir, f'{stem}.txt')))
            times = [line for line in open(osp.join(loop_dir, f'{stem}_time.value'))]
            assert len(times) == len(ours) and all(float(t) > 0 for t in times)

    # 2. the loop's runs = the toolkit's own MultiStartExperiment on the same tracker
    sequences = [read_sequence(osp.join(vot_root, name)) for name, *_ in SEQUENCES]
    toolkit = _toolkit_experiment(str(tmp_path / 'toolkit'), tracker)
    for sequence in sequences:
        toolkit.execute(None, sequence)
    for sequence, (name, _, _, anchors, _) in zip(sequences, SEQUENCES):
        for anchor in anchors:
            stem = f'{name}_{anchor:08d}'
            theirs = [r.code if r.type == r.type.SPECIAL else (r.x, r.y, r.width, r.height)
                      for r in Trajectory.read(toolkit.results(None, sequence), stem).regions()]
            assert_same_records(read_vot_results(osp.join(loop_dir, name, f'{stem}.txt')),
                                theirs)

    # 3. the toolkit's multi-start analyses of our raw files = SOTMetric's scores
    expected = _toolkit_scores(_toolkit_experiment(loop_dir), sequences, EAO_INTERVAL)
    assert metrics['sot/accuracy'] == pytest.approx(expected['accuracy'], abs=1e-9)
    assert metrics['sot/robustness'] == pytest.approx(expected['robustness'], abs=1e-12)
    assert metrics['sot/EAO'] == pytest.approx(expected['eao'], abs=1e-9)

    # 4. frame_results: one entry per run, frames in run order (backward runs reversed)
    runs = [(video['video_name'], video['anchor'], video['reverse'], video['frame_ids'].tolist())
            for video in runner.test_loop.frame_results]
    assert runs == [
        (name, anchor, value < 0,
         list(range(anchor, num_frames)) if value > 0 else list(range(anchor, -1, -1)))
        for name, num_frames, _, anchors, _ in SEQUENCES
        for anchor, value in sorted(anchors.items(), key=lambda item: (item[1] < 0, item[0]))]
    report_file = tmp_path / 'loop' / 'vot2022_report.json'
    assert json.loads(report_file.read_text())['seq_wise']['ants']['num_runs'] == 4


def test_input_errors(tmp_path):
    with pytest.raises(ValueError, match=r"'vot2020' is not supported.*segmentation masks.*"
                       r"VOTDataset does not read.*benchmark='vot2022'.*bounding-box"):
        SOTMetric(benchmark='vot2020')
    with pytest.raises(ValueError, match=r"unknown metric_options \['skip_initialize'\]"):
        SOTMetric(benchmark='vot2022', metric_options=dict(skip_initialize=5))

    root = write_vot2022_stb(str(tmp_path / 'data'))
    # mmengine's plain TestLoop runs one pass, which the VOT2022 scores are not defined on
    with pytest.raises(ValueError, match=r'frame 0 of video ants carries no metainfo '
                       r'vot_status / vot_anchor.*multi-start protocol.*SOTTestLoop'):
        run_in_loop(root, tmp_path / 'plain', None, test_loop='TestLoop')
    os.remove(osp.join(root, 'bolt', 'anchor.value'))
    with pytest.raises(FileNotFoundError, match=r'bolt.anchor.value does not exist: sequence '
                       r'bolt has no anchor frames'):
        run_in_loop(root, tmp_path / 'no_anchor', None)
    with open(osp.join(root, 'bolt', 'anchor.value'), 'w') as f:
        f.write('0\n' * 26)
    with pytest.raises(ValueError, match='Sequence bolt has no anchor frame'):
        run_in_loop(root, tmp_path / 'zero_anchors', None)


@pytest.mark.slow
def test_two_gloo_processes_give_the_one_process_vot2022_scores(vot_root, tmp_path):
    """tools/dist_test.sh on the vot2022_test.py config: each rank runs the runs of its videos,
    SOTMetric gathers them and scores what one process scores."""
    runs = static_box_vot_runs(tmp_path, 'vot2022_test.py', vot_root, EAO_INTERVAL)
    log = runs[2].log
    assert 'videos per process: 2, 1' in log or 'videos per process: 1, 2' in log
    metrics_one, metrics_two = runs[1].metrics, runs[2].metrics
    assert set(metrics_one) == set(metrics_two) >= {'sot/EAO', 'sot/accuracy', 'sot/robustness'}
    for key in ('sot/EAO', 'sot/accuracy', 'sot/robustness'):
        assert metrics_two[key] == pytest.approx(metrics_one[key], abs=1e-12), key
    one, two = str(tmp_path / 'out1' / 'vot2022'), str(tmp_path / 'out2' / 'vot2022')
    assert _run_files(one) == _run_files(two)
    for path in _run_files(one):
        if path.endswith('.txt'):
            assert open(osp.join(one, path)).read() == open(osp.join(two, path)).read(), path
