"""The VOT supervised protocol inside mmengine's runner: SOTTestLoop + SOTMetric(vot2018) give
the records and scores of ``run_vot_experiment`` and of ``vot-toolkit`` 0.7 (its own
``SupervisedExperiment`` run on the same tracker, and its analysis on our raw results)."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from _dist_runs import static_box_vot_runs
from _vot_data import toolkit_experiment, write_vot_list, write_vot_sequence
from _vot_loops import (assert_same_records, run_vot_in_loop, vot_dataset_cfg,
                        vot_test_tracker)
from mmengine.runner import Runner

from procontext_mm.apis import run_vot_experiment
from procontext_mm.evaluation import read_vot_results
from procontext_mm.models.sot import StaticBoxTracker
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg

EAO_INTERVAL = (5, 30)  # the sequences are 36 - 40 frames long
SEQUENCES = [  # name, frames, square speed (px / frame), region kind
    ('fast', 40, (7, 3), 'polygon'),
    ('rect', 36, (5, 4), 'rectangle'),
    ('slow', 38, (2, 1), 'polygon'),
]


pytestmark = pytest.mark.usefixtures('one_thread')


def write_vot_benchmark(root):
    """Sequences in the layout the VOT toolkit downloads: list.txt, <seq>/sequence,
    <seq>/color/%08d.png, <seq>/groundtruth.txt (rotated 4-point polygons, or rectangles with
    fractional coordinates). A square bouncing at the image border makes a static box fail,
    and fail again after its re-initialisations."""
    for index, (name, num_frames, step, kind) in enumerate(SEQUENCES):
        frames, boxes = moving_square_video(num_frames=num_frames, step=step, seed=index)
        if kind == 'polygon':
            regions = [[x1 + 0.3, y1, x2, y1 + 1.2, x2 - 0.5, y2, x1, y2 - 0.7]
                       for x1, y1, x2, y2 in boxes.astype(np.float64)]
        else:
            regions = [[x1 + 0.25, y1 - 0.5, x2 - x1 - 0.75, y2 - y1 + 0.5]
                       for x1, y1, x2, y2 in boxes.astype(np.float64)]
        write_vot_sequence(root, name, frames, regions)
    return write_vot_list(root, [name for name, *_ in SEQUENCES])


@pytest.fixture(scope='module')
def vot_root(tmp_path_factory):
    return write_vot_benchmark(str(tmp_path_factory.mktemp('vot') / 'vot2018'))


def _metric_cfg(out_dir=None):
    return dict(type='SOTMetric', benchmark='vot2018', out_dir=out_dir,
                metric_options=dict(eao_interval=EAO_INTERVAL))


def run_in_loop(root, work_dir, out_dir, model=None):
    return run_vot_in_loop(root, work_dir, _metric_cfg(str(out_dir)), model)


def _records(result_dir, name, length):
    return read_vot_results(osp.join(result_dir, name, f'{name}_001.txt'), name, length)


def test_loop_and_metric_equal_run_vot_experiment(vot_root, tmp_path):
    runner, metrics = run_in_loop(vot_root, tmp_path / 'work', tmp_path / 'loop')
    report = run_vot_experiment(StaticBoxTracker(), dict(type='VOTDataset', data_root=vot_root,
                                                         use_cache=False),
                                out_dir=str(tmp_path / 'api'), eao_interval=EAO_INTERVAL)
    assert set(metrics) == {f'sot/{key}' for key in ('EAO', 'accuracy', 'robustness',
                                                     'failure_rate', 'num_failures', 'FPS')}
    for key, name in (('EAO', 'eao'), ('accuracy', 'accuracy'), ('robustness', 'robustness'),
                      ('failure_rate', 'failure_rate'), ('num_failures', 'num_failures')):
        assert metrics[f'sot/{key}'] == pytest.approx(report[name], abs=1e-9), key
    # the static box fails on the fast sequences, again after re-initialisations
    assert report['seq_wise']['fast']['failures'] >= 2 and metrics['sot/num_failures'] >= 3
    assert 0 < metrics['sot/EAO'] < 1 and 0 < metrics['sot/accuracy'] <= 1

    for name, length, *_ in SEQUENCES:
        loop_records = _records(str(tmp_path / 'loop' / 'vot2018'), name, length)
        assert_same_records(loop_records, _records(str(tmp_path / 'api'), name, length))
        codes = [r if np.ndim(r) == 0 else -1 for r in loop_records]
        for fail in [k for k, c in enumerate(codes) if c == 2]:  # 4 skipped, then re-init
            assert codes[fail + 1:fail + 5] == [0] * len(codes[fail + 1:fail + 5])
            assert fail + 5 >= length or codes[fail + 5] == 1
        times = np.loadtxt(osp.join(tmp_path, 'loop', 'vot2018', name, f'{name}_time.txt'))
        assert np.isnan(times[np.array(codes) == 0]).all()
        assert np.isfinite(times[np.array(codes) != 0]).all()
        assert osp.isfile(osp.join(tmp_path, 'loop', 'vot2018', name, f'{name}_001_time.value'))

    # the model was never called on skipped frames: their boxes are NaN in the frame results
    for video in runner.test_loop.frame_results:
        name = video['video_name']
        length = len(video['frame_ids'])
        codes = [r if np.ndim(r) == 0 else -1
                 for r in _records(str(tmp_path / 'loop' / 'vot2018'), name, length)]
        skipped = np.array(codes) == 0
        assert np.isnan(video['bboxes_xyxy'][skipped]).all()
        assert np.isfinite(video['bboxes_xyxy'][~skipped]).all()


def _supervised_experiment(result_root, tracker=None):
    """vot-toolkit's SupervisedExperiment (the vot2018 stack's baseline: skip_initialize 5)."""
    from vot.experiment.multirun import SupervisedExperiment
    return toolkit_experiment(SupervisedExperiment, result_root, tracker, repetitions=1,
                              skip_initialize=5)


def _toolkit_scores(experiment, sequences, interval):
    """vot-toolkit's analyses of the stack: supervised_average_ar and supervised_eao_score."""
    from vot.analysis.supervised import AccuracyRobustness, AverageAccuracyRobustness, EAOCurve
    per_sequence = [AccuracyRobustness().subcompute(experiment, None, seq, [])
                    for seq in sequences]
    accuracy, robustness, _, _ = AverageAccuracyRobustness().aggregate(None, sequences,
                                                                       per_sequence)
    curve = EAOCurve().subcompute(experiment, None, sequences, [])[0]
    low, high = interval
    eao = float(np.mean(curve[low:high + 1]))  # EAOScore.compute
    return dict(accuracy=accuracy, robustness=robustness, eao=eao,
                failures={seq.name: result[1] for seq, result in zip(sequences, per_sequence)})


@pytest.mark.parametrize('kind', ['static_box', 'tiny_procontext'])
def test_loop_equals_the_vot_toolkit_experiment_and_analysis(vot_root, tmp_path, kind):
    pytest.importorskip('vot.experiment.multirun')  # a bare 'vot' may be tools/vot/
    from vot.dataset.common import read_sequence
    from vot.region.shapes import Rectangle
    tracker = vot_test_tracker(kind)
    _, metrics = run_in_loop(vot_root, tmp_path / 'work', tmp_path / 'loop', tracker)
    sequences = [read_sequence(osp.join(vot_root, name)) for name, *_ in SEQUENCES]

    # 1. the toolkit runs its own supervised experiment on the same tracker
    toolkit = _supervised_experiment(str(tmp_path / 'toolkit'), tracker)
    for sequence in sequences:
        toolkit.execute(None, sequence)
    for sequence in sequences:
        theirs = [region.code if region.type == region.type.SPECIAL else
                  (region.x, region.y, region.width, region.height)
                  for region in toolkit.gather(None, sequence)[0].regions()]
        assert all(isinstance(r, int) or len(r) == 4 for r in theirs)
        ours = _records(str(tmp_path / 'loop' / 'vot2018'), sequence.name, len(sequence))
        assert_same_records(ours, theirs)
    assert all(isinstance(r, Rectangle) or r.type == r.type.SPECIAL
               for r in toolkit.gather(None, sequences[0])[0].regions())

    # 2. the toolkit's analysis of our raw results = SOTMetric's scores
    ours = _supervised_experiment(str(tmp_path / 'loop' / 'vot2018'))
    expected = _toolkit_scores(ours, sequences, EAO_INTERVAL)
    assert metrics['sot/accuracy'] == pytest.approx(expected['accuracy'], abs=1e-6)
    assert metrics['sot/robustness'] == pytest.approx(expected['robustness'], abs=1e-9)
    assert metrics['sot/EAO'] == pytest.approx(expected['eao'], abs=1e-6)  # toolkit: float32
    assert sum(expected['failures'].values()) == metrics['sot/num_failures'] > 0


def test_validation_on_vot_keeps_the_best_checkpoint_by_eao(vot_root, tmp_path):
    """A training run validating on VOT every 2 iterations; save_best on sot/EAO."""
    train_pipeline = [
        dict(type='TridentSampleFrames', num_dynamic=1, max_interval=200, min_num_frames=20),
        dict(type='LoadSOTFrames', on_error='resample'),
        dict(type='SOTCropRegions', template_factors=(2.0, 4.0), template_size=64,
             search_factor=4.0, search_size=128, search_center_jitter=3.0,
             search_scale_jitter=0.25),
        dict(type='CheckSOTSample', stride=16),
        dict(type='PackSOTInputs'),
    ]
    torch.manual_seed(0)
    runner = Runner(
        model=tiny_tracker_cfg(embed_dims=32, num_layers=3, num_heads=2, head_channels=16),
        work_dir=str(tmp_path), experiment_name=f'vot_val_{tmp_path.name}',
        default_scope='procontext_mm',
        train_dataloader=dict(
            batch_size=2, num_workers=0,
            sampler=dict(type='MixedVideoSampler', samples_per_epoch=8),
            dataset=dict(type='VOTDataset', data_root=vot_root, use_cache=False,
                         pipeline=train_pipeline)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=4, val_interval=2),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-3)),
        val_dataloader=dict(batch_size=1, num_workers=0,
                            sampler=dict(type='mmdet.TrackImgSampler'),
                            dataset=vot_dataset_cfg(vot_root)),
        val_cfg=dict(type='SOTValLoop', show_progress=False),
        val_evaluator=_metric_cfg(),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=4,
                                           save_best='sot/EAO', rule='greater')),
        log_processor=dict(by_epoch=False), log_level='WARNING')
    runner.train()
    eaos = runner.message_hub.get_scalar('val/sot/EAO').data[0]  # one value per validation
    assert len(eaos) == 2 and all(0 <= eao <= 1 for eao in eaos)
    best = [name for name in os.listdir(tmp_path) if name.startswith('best_sot_EAO_iter_')]
    assert best == [f'best_sot_EAO_iter_{2 if eaos[0] >= eaos[1] else 4}.pth']
    checkpoint = torch.load(osp.join(tmp_path, best[0]), map_location='cpu', weights_only=False)
    assert checkpoint['message_hub']['runtime_info']['best_score'] == pytest.approx(max(eaos))
    # the validation ran the supervised protocol: the frames after failures were skipped
    skipped = sum(np.isnan(video['bboxes_xyxy'][:, 0]).sum()
                  for video in runner.val_loop.frame_results)
    failures = runner.message_hub.get_scalar('val/sot/num_failures').current()
    assert skipped <= 4 * failures and (skipped > 0) == (failures > 0)


def test_the_plain_test_loop_is_refused_by_the_vot_metric(vot_root, tmp_path):
    with pytest.raises(ValueError, match=r"frame 0 of video fast carries no metainfo vot_status"
                       r".*supervised protocol.*SOTTestLoop"):
        run_vot_in_loop(vot_root, tmp_path / 'plain', _metric_cfg(), test_loop='TestLoop')


@pytest.mark.slow
def test_two_gloo_processes_give_the_one_process_vot_scores(vot_root, tmp_path):
    """tools/dist_test.sh on a vot2018_test.py config: each rank runs the protocol on its
    videos, SOTMetric gathers them and scores what one process scores."""
    runs = static_box_vot_runs(tmp_path, 'vot2018_test.py', vot_root, EAO_INTERVAL)
    log = runs[2].log
    assert 'videos per process: 2, 1' in log or 'videos per process: 1, 2' in log
    one, two = runs[1].metrics, runs[2].metrics
    assert set(one) == set(two)
    for key in ('sot/EAO', 'sot/accuracy', 'sot/robustness', 'sot/num_failures'):
        assert two[key] == pytest.approx(one[key], abs=1e-12), key
    for name, length, *_ in SEQUENCES:
        assert_same_records(_records(str(tmp_path / 'out2' / 'vot2018'), name, length),
                            _records(str(tmp_path / 'out1' / 'vot2018'), name, length), 0)
