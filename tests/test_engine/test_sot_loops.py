"""SOTTestLoop / SOTValLoop on a tiny built-in benchmark (GOT-10k layout)."""
import io
import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.structures import InstanceData
from torch.utils.data import DataLoader

from procontext_mm.datasets import GOT10kDataset
from procontext_mm.engine.runner import (SOTTestLoop, SOTValLoop, VideoFrameRecorder,
                                         VideoProgressBar)
from procontext_mm.testing import tiny_tracker_cfg

TEST_PIPELINE = [dict(type='LoadSOTFrames', on_error='raise'), dict(type='PackSOTTestInputs')]


@pytest.fixture(scope='module')
def benchmark(tmp_path_factory):
    from procontext_apps.builtin_benchmark import BenchmarkSpec, generate_builtin_benchmark
    spec = BenchmarkSpec(seed=3, num_train_videos=3, num_val_videos=3, train_frames=(20, 24),
                         val_frames=(20, 24), image_size=(128, 96), object_size=(16, 40))
    return generate_builtin_benchmark(str(tmp_path_factory.mktemp('engine') / 'bench'), spec,
                                      show_progress=False)


pytestmark = pytest.mark.usefixtures('one_thread')


def _loader(benchmark, split='val', **kwargs):
    return dict(batch_size=1, num_workers=0, sampler=dict(type='mmdet.TrackImgSampler'),
                dataset=dict(type='GOT10kDataset', data_root=benchmark, split=split,
                             test_mode=True, use_cache=False, pipeline=TEST_PIPELINE), **kwargs)


def _test_runner(benchmark, work_dir, test_cfg, model=None):
    return Runner(model=model or dict(type='StaticBoxTracker'), work_dir=str(work_dir),
                  experiment_name=f'{work_dir.parent.name}_{work_dir.name}',
                  default_scope='procontext_mm', test_dataloader=_loader(benchmark),
                  test_cfg=test_cfg,
                  test_evaluator=dict(type='SOTMetric', benchmark='got10k'),
                  log_level='WARNING')


def _dataset(benchmark):
    init_default_scope('procontext_mm')  # the pipeline's transforms are ours
    return GOT10kDataset(data_root=benchmark, split='val', test_mode=True, use_cache=False,
                         pipeline=TEST_PIPELINE)


def test_plain_and_sot_test_loops_give_the_same_metrics_and_frame_results_are_kept(
        benchmark, tmp_path):
    plain = _test_runner(benchmark, tmp_path / 'plain', dict(type='TestLoop')).test()
    runner = _test_runner(benchmark, tmp_path / 'sot',
                          dict(type='SOTTestLoop', frame_results_file='frames.pkl',
                               show_progress=False))
    metrics = runner.test()
    assert set(metrics) == set(plain) == {'sot/AO', 'sot/SR0.5', 'sot/SR0.75', 'sot/FPS'}
    for key in ('sot/AO', 'sot/SR0.5', 'sot/SR0.75'):  # FPS: timing differs between runs
        assert metrics[key] == plain[key]
    assert 0 < metrics['sot/AO'] < 100

    dataset = _dataset(benchmark)
    results = runner.test_loop.frame_results
    assert [r['video_name'] for r in results] == [
        dataset.get_data_info(i)['video_name'] for i in range(len(dataset))]
    for video_id, result in enumerate(results):
        info = dataset.get_data_info(video_id)
        first_xywh = info['bboxes_xywh'][0]
        first_xyxy = np.r_[first_xywh[:2], first_xywh[:2] + first_xywh[2:]]
        assert result['video_id'] == video_id
        assert np.array_equal(result['frame_ids'], np.arange(info['num_frames']))
        # the static tracker predicts the initial box everywhere, score -1 on frame 0
        assert np.allclose(result['bboxes_xyxy'], first_xyxy, atol=1e-4)
        assert result['scores'][0] == -1 and np.all(result['scores'][1:] == 1)
        assert np.all(np.isfinite(result['times'])) and np.all(result['times'] >= 0)
    with open(tmp_path / 'sot' / 'frames.pkl', 'rb') as f:
        written = pickle.load(f)
    assert len(written) == len(results)
    assert np.array_equal(written[1]['bboxes_xyxy'], results[1]['bboxes_xyxy'])


def test_batch_size_other_than_one_is_rejected(benchmark, tmp_path):
    runner = Runner(model=dict(type='StaticBoxTracker'), work_dir=str(tmp_path),
                    experiment_name=tmp_path.name, default_scope='procontext_mm',
                    log_level='WARNING')
    with pytest.raises(ValueError, match=r'test_dataloader.batch_size=1 \(got 2\)'):
        SOTTestLoop(runner, dict(_loader(benchmark), batch_size=2), dict(type='SOTMetric'))
    with pytest.raises(ValueError, match=r'val_dataloader.batch_size=1 \(got 4\)'):
        SOTValLoop(runner, dict(_loader(benchmark), batch_size=4), dict(type='SOTMetric'))


def _runner_with_loader(tmp_path, loader):
    return Runner(model=dict(type='StaticBoxTracker'), work_dir=str(tmp_path),
                  experiment_name=tmp_path.name, default_scope='procontext_mm',
                  test_dataloader=loader, test_cfg=dict(type='SOTTestLoop', show_progress=False),
                  test_evaluator=dict(type='SOTMetric'), log_level='WARNING')


def test_a_sampler_of_whole_videos_is_rejected_before_tracking(benchmark, tmp_path):
    loader = dict(_loader(benchmark), sampler=dict(type='DefaultSampler', shuffle=False))
    with pytest.raises(ValueError, match=r"sampler DefaultSampler yields 0.*TrackImgSampler"):
        _runner_with_loader(tmp_path, loader).test()


@pytest.mark.parametrize('order, message', [
    ([(0, 0), (0, 2)], r'expected frame 1 of video GOT-10k_Val_000001.*got frame 2'),
    ([(0, 1)], r'expected frame 0 of a new video, got frame 1 of video GOT-10k_Val_000001'),
    ([(0, 0), (1, 0)], r'expected frame 1 of video GOT-10k_Val_000001.*got frame 0 of video '
     r'GOT-10k_Val_000002'),
    ([(0, 0), (0, 1)], r'video GOT-10k_Val_000001 stopped after frame 1 of 2\d'),
])
def test_frames_out_of_order_or_missing_fail(benchmark, tmp_path, order, message):
    loader = DataLoader(_dataset(benchmark), batch_size=1, sampler=order,
                        collate_fn=pseudo_collate)
    with pytest.raises(RuntimeError, match=message):
        _runner_with_loader(tmp_path, loader).test()


def _frame(video_id, frame_id, length, **meta):
    sample = DetDataSample(metainfo=dict(video_id=video_id, frame_id=frame_id,
                                         ori_video_length=length, **meta))
    sample.pred_track_instances = InstanceData(bboxes=torch.tensor([[1., 2., 3., 4.]]))
    return sample


def test_recorder_without_scores_or_times_and_without_metainfo():
    recorder = VideoFrameRecorder('L', 'test_dataloader', num_videos=1, show_progress=False)
    recorder.add(_frame(7, 0, 2, video_name='a'))
    recorder.add(_frame(7, 1, 2, video_name='a'))
    recorder.finish()
    (video, ) = recorder.videos
    assert video['video_name'] == 'a' and video['video_id'] == 7
    assert np.isnan(video['scores']).all() and np.isnan(video['times']).all()
    sample = DetDataSample(metainfo=dict(video_id=0, frame_id=0))
    with pytest.raises(KeyError, match="ori_video_length.*PackSOTTestInputs"):
        recorder.add(sample)


def test_progress_bar_counts_videos_and_frames():
    out = io.StringIO()
    bar = VideoProgressBar(3, file=out)
    bar.update(20)
    bar.update(24)
    bar.finish()
    text = out.getvalue()
    assert '1/3 videos, 20 frames' in text and '2/3 videos, 44 frames' in text
    assert 'FPS' in text and text.endswith('\n')
    out = io.StringIO()
    unknown = VideoProgressBar(0, file=out)
    unknown.update(5)
    assert 'videos: 1, frames: 5' in out.getvalue()


def test_progress_bar_writes_to_the_current_stdout_not_the_one_at_import(monkeypatch):
    replaced = io.StringIO()  # e.g. pytest's capture of one test, closed after it
    monkeypatch.setattr('sys.stdout', replaced)
    VideoProgressBar(2).update(7)
    assert '1/2 videos, 7 frames' in replaced.getvalue()


def test_validation_during_training_keeps_the_best_checkpoint_by_ao(benchmark, tmp_path):
    """The config pieces of validating on GOT-10k val every N iterations (see the report)."""
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
        model=tiny_tracker_cfg(embed_dims=64, num_layers=3, num_heads=2, head_channels=32),
        work_dir=str(tmp_path),
        experiment_name=tmp_path.name,
        default_scope='procontext_mm',
        train_dataloader=dict(
            batch_size=2, num_workers=0,
            sampler=dict(type='MixedVideoSampler', samples_per_epoch=8),
            dataset=dict(type='GOT10kDataset', data_root=benchmark, split='train',
                         use_cache=False, pipeline=train_pipeline)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=4, val_interval=2),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-4)),
        val_dataloader=_loader(benchmark),
        val_cfg=dict(type='SOTValLoop', show_progress=False),
        val_evaluator=dict(type='SOTMetric', benchmark='got10k'),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=4,
                                           save_best='sot/AO', rule='greater')),
        log_processor=dict(by_epoch=False),
        log_level='WARNING')
    runner.train()
    assert isinstance(runner.val_loop, SOTValLoop)
    aos = runner.message_hub.get_scalar('val/sot/AO').data[0]  # one value per validation
    assert len(aos) == 2 and all(0 <= ao <= 100 for ao in aos)
    best = [name for name in os.listdir(tmp_path) if name.startswith('best_sot_AO_iter_')]
    assert best == [f'best_sot_AO_iter_{2 if aos[0] >= aos[1] else 4}.pth']
    checkpoint = torch.load(osp.join(tmp_path, best[0]), map_location='cpu', weights_only=False)
    assert checkpoint['message_hub']['runtime_info']['best_score'] == pytest.approx(max(aos))
    assert len(runner.val_loop.frame_results) == 3  # the videos of the last validation
