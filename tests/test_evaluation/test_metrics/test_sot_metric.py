"""SOTMetric: per-frame TrackDataSamples -> benchmark scores, files, val-loop integration."""
import copy
import os.path as osp
import zipfile

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.evaluator import Evaluator
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.structures import InstanceData

from procontext_mm.evaluation import SOTMetric
from procontext_mm.evaluation.functional import eval_got10k, eval_ope
from procontext_mm.structures import bbox_xyxy_to_xywh
from procontext_mm.registry import METRICS

TOL = 1e-2  # points


def _xyxy(bboxes_xywh):
    bboxes_xywh = np.asarray(bboxes_xywh, dtype=np.float64)
    return np.concatenate([bboxes_xywh[..., :2], bboxes_xywh[..., :2] + bboxes_xywh[..., 2:]],
                          axis=-1)


def frame_samples(seq, video_id, named=True, with_visible=True, with_gt=True):
    """One TrackDataSample per frame, as the model's predict() returns them."""
    samples = []
    width, height = seq['image_size_wh']
    for frame_id in range(len(seq['gt'])):
        metainfo = dict(frame_id=frame_id,
                        video_id=video_id,
                        ori_video_length=len(seq['gt']),
                        ori_shape=(height, width),
                        track_time=float(seq['times'][frame_id]))
        if named:
            metainfo['video_name'] = seq['name']
        det = DetDataSample(metainfo=metainfo)
        if with_gt:
            gt = InstanceData(
                bboxes=torch.tensor(_xyxy(seq['gt'][frame_id:frame_id + 1]), dtype=torch.float32))
            if with_visible:
                gt.visible = torch.tensor(seq['visible'][frame_id:frame_id + 1])
            det.gt_instances = gt
        det.pred_track_instances = InstanceData(bboxes=torch.tensor(_xyxy(
            seq['pred'][frame_id:frame_id + 1]),
                                                                    dtype=torch.float32),
                                                scores=torch.ones(1))
        track = TrackDataSample()
        track.video_data_samples = [det]
        samples.append(track)
    return samples


def run_evaluator(metric_cfg, sequences, seed=0, batch_size=3, **sample_kwargs):
    """Feed every frame, shuffled across videos, through mmengine's Evaluator."""
    evaluator = Evaluator(METRICS.build(metric_cfg))
    samples = [s for i, seq in enumerate(sequences) for s in frame_samples(seq, i, **sample_kwargs)]
    order = np.random.default_rng(seed).permutation(len(samples))
    for start in range(0, len(samples), batch_size):
        evaluator.process([samples[i] for i in order[start:start + batch_size]])
    return evaluator.evaluate(len(samples))


def _as_seen_by_metric(sequences):
    """xywh -> float32 xyxy (what the tensors hold) -> float64 xywh, as the metric does."""
    seen = []
    for seq in sequences:
        seq = dict(seq)
        for key in ('gt', 'pred'):
            seq[key] = bbox_xyxy_to_xywh(_xyxy(seq[key]).astype(np.float32))
        seen.append(seq)
    return seen


@pytest.mark.parametrize('seed', range(4))
def test_got10k_keys_and_values(seed, make_sequences):
    sequences = make_sequences(seed, num_seqs=4)
    for seq in sequences:  # the dataset hides the boxes of absent frames behind zeros
        seq['gt'][~seq['visible']] = 0.0
    metrics = run_evaluator(dict(type='SOTMetric', benchmark='got10k'), sequences, seed)
    assert set(metrics) == {'sot/AO', 'sot/SR0.5', 'sot/SR0.75', 'sot/FPS'}
    seen = _as_seen_by_metric(sequences)
    expected = eval_got10k([s['pred'] for s in seen], [s['gt'] for s in seen],
                           [s['visible'] for s in seen], [s['image_size_wh'] for s in seen],
                           [s['times'] for s in seen])
    assert metrics['sot/AO'] == pytest.approx(100 * expected['ao'], abs=1e-9)
    assert metrics['sot/SR0.5'] == pytest.approx(100 * expected['sr50'], abs=1e-9)
    assert metrics['sot/SR0.75'] == pytest.approx(100 * expected['sr75'], abs=1e-9)
    assert metrics['sot/FPS'] == pytest.approx(expected['fps'])


@pytest.mark.parametrize('benchmark', ['lasot', 'trackingnet', 'otb'])
def test_ope_keys_and_values(benchmark, make_sequences):
    sequences = make_sequences(7, num_seqs=5, nan_gt=benchmark == 'lasot')
    metrics = run_evaluator(dict(type='SOTMetric', benchmark=benchmark),
                            sequences,
                            with_visible=False)
    assert set(metrics) == {'sot/success', 'sot/precision', 'sot/norm_precision', 'sot/FPS'}
    seen = _as_seen_by_metric(sequences)
    expected = eval_ope([s['pred'] for s in seen], [s['gt'] for s in seen],
                        benchmark,
                        times=[s['times'] for s in seen])
    for key in ('success', 'precision', 'norm_precision'):
        assert metrics[f'sot/{key}'] == pytest.approx(100 * expected[key], abs=1e-9)


@pytest.mark.parametrize('benchmark, experiment', [('got10k', 'got10k'), ('lasot', 'lasot'),
                                                   ('trackingnet', 'otb')])
def test_end_to_end_against_toolkit(benchmark, experiment, make_sequences, toolkit_report,
                                    tmp_path):
    """Metric on frames vs the toolkit on the raw files the metric wrote (integer boxes, so
    the files' 3 decimals lose nothing)."""
    sequences = make_sequences(11, num_seqs=5, integer=True, nan_gt=benchmark == 'lasot')
    metrics = run_evaluator(dict(type='SOTMetric', benchmark=benchmark, out_dir=str(tmp_path)),
                            sequences)
    reference = toolkit_report(experiment, sequences, str(tmp_path / benchmark))['overall']
    if benchmark == 'got10k':
        pairs = [('AO', 'ao'), ('SR0.5', 'sr')]
        assert abs(metrics['sot/SR0.75'] - 100 * reference['succ_curve'][75]) <= TOL
    else:
        pairs = [('success', 'success_score'), ('precision', 'precision_score')]
    for ours, theirs in pairs:
        assert abs(metrics[f'sot/{ours}'] - 100 * reference[theirs]) <= TOL
    assert osp.isfile(osp.join(str(tmp_path), f'{benchmark}_report.json'))


def test_format_only_writes_submissions(make_sequences, tmp_path):
    sequences = make_sequences(3, num_seqs=3)
    for benchmark in ('got10k', 'trackingnet'):
        cfg = dict(type='SOTMetric',
                   benchmark=benchmark,
                   format_only=True,
                   out_dir=str(tmp_path),
                   metric_options=dict(save_vot_raw=True))
        assert run_evaluator(cfg, sequences, with_gt=False) == {}
        with zipfile.ZipFile(tmp_path / f'{benchmark}_submission.zip') as archive:
            names = set(archive.namelist())
        for seq in sequences:
            name = seq['name']
            expected = ({f'{name}/{name}_001.txt', f'{name}/{name}_time.txt'}
                        if benchmark == 'got10k' else {f'{name}.txt'})
            assert expected <= names
            assert osp.isfile(tmp_path / 'vot' / name / f'{name}_001.txt')
    with pytest.raises(ValueError, match='has no ground-truth box'):
        run_evaluator(dict(type='SOTMetric'), sequences, with_gt=False)


def test_duplicates_missing_frames_and_defaults(make_sequences):
    sequences = make_sequences(5, num_seqs=2)
    sequences[0]['gt'] = sequences[0]['gt'][:1].repeat(3, 0)
    for key in ('pred', 'visible', 'times', 'cover'):
        sequences[0][key] = sequences[0][key][:1].repeat(3, 0)
    sequences[0]['pred'][1:] = sequences[0]['gt'][1:]
    metric = METRICS.build(dict(type='SOTMetric', benchmark='otb'))
    samples = [s for i, seq in enumerate(sequences) for s in frame_samples(seq, i, named=False)]
    # a distributed sampler pads with repeated frames: they are counted once
    metric.process({}, [s.to_dict() for s in samples + copy.deepcopy(samples[:2])])
    with_duplicates = metric.evaluate(1)
    metric.process({}, [s.to_dict() for s in samples])
    assert metric.evaluate(1) == with_duplicates
    # a frame that never arrives is an error naming the video (default name: its id)
    metric.process({}, [s.to_dict() for s in samples[1:]])
    with pytest.raises(ValueError, match=r'video 0 \(id 0\) .*frames \[0\] are missing'):
        metric.evaluate(1)


def test_length_one_video_and_bad_arguments(make_sequences):
    seq = make_sequences(2, num_seqs=1)[0]
    for key in ('gt', 'pred', 'visible', 'times', 'cover'):
        seq[key] = seq[key][:1]
    seq['pred'][0] = seq['gt'][0] + 1000  # ignored: OPE scores frame 0 with the ground truth
    metrics = run_evaluator(dict(type='SOTMetric', benchmark='lasot'), [seq])
    assert metrics['sot/precision'] == 100.0
    with pytest.raises(ValueError, match='unknown benchmark'):
        SOTMetric(benchmark='vot2013')
    with pytest.raises(ValueError, match='unknown metric_options'):
        SOTMetric(metric_options=dict(only_visible=True))
    with pytest.raises(ValueError, match='needs out_dir'):
        SOTMetric(format_only=True)


class _FrameDataset(torch.utils.data.Dataset):
    """Test frames of a few videos, as a SOT test dataset yields them (no images needed)."""

    def __init__(self, sequences):
        self.samples = [s for i, seq in enumerate(sequences) for s in frame_samples(seq, i)]

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        return dict(inputs=torch.zeros(1), data_samples=copy.deepcopy(self.samples[index]))


class _ToyTracker(BaseModel):
    """Predicts the ground truth shifted by a learnt offset that training drives to zero."""

    def __init__(self):
        super().__init__()
        self.offset = torch.nn.Parameter(torch.tensor(12.0))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return dict(loss=self.offset**2)
        for track in data_samples:
            det = track.video_data_samples[0]
            det.pred_track_instances = InstanceData(bboxes=det.gt_instances.bboxes +
                                                    self.offset.detach(),
                                                    scores=torch.ones(1))
        return data_samples


def test_val_loop_reports_ao_and_keeps_best_checkpoint(make_sequences, tmp_path):
    sequences = make_sequences(21, num_seqs=3, integer=True)
    loader = dict(dataset=_FrameDataset(sequences),
                  batch_size=4,
                  num_workers=0,
                  sampler=dict(type='DefaultSampler', shuffle=False),
                  collate_fn=dict(type='pseudo_collate'))
    runner = Runner(
        model=_ToyTracker(),
        work_dir=str(tmp_path),
        default_scope='procontext_mm',
        train_dataloader=loader,
        val_dataloader=loader,
        train_cfg=dict(by_epoch=True, max_epochs=3, val_interval=1),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05)),
        val_evaluator=dict(type='SOTMetric', benchmark='got10k'),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1, save_best='sot/AO', rule='greater')),
        log_level='WARNING')
    runner.train()
    metrics = runner.val()
    assert {'sot/AO', 'sot/SR0.5', 'sot/SR0.75'} <= set(metrics)
    assert osp.isfile(osp.join(str(tmp_path), 'best_sot_AO_epoch_3.pth'))
