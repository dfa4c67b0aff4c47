"""SOTMetric on VOT2022 (multi-start): runs rebuilt from the frames' protocol metainfo, scores
equal to eval_vot_multistart, ranks and padding duplicates merged, incomplete runs refused."""
import numpy as np
import pytest
from _vot_frame_samples import vot_frame_sample
from mmengine.evaluator import Evaluator

from procontext_mm.engine.runner.sot_loops import _tracking_protocol
from procontext_mm.evaluation.functional.vot import (MULTISTART_EAO_INTERVAL, eval_vot_multistart,
                                                     multistart_run_frames, vot_anchor_frames)
from procontext_mm.evaluation.vot_protocol import VOT_INIT, VOT_TRACKED
from procontext_mm.registry import METRICS

SIZE_WH = (64, 48)
INTERVAL = (2, 20)


def _sequence(rng, length, anchors):
    """Ground truth (rectangles, a NaN row), anchor values and random runs of one sequence."""
    centre = np.array([30.0, 24.0]) + np.cumsum(rng.normal(0, 1.5, (length, 2)), axis=0)
    gt = np.column_stack([centre - 8, np.full((length, 2), 16.0)])
    gt[int(rng.integers(1, length))] = np.nan  # a frame without the target
    values = np.zeros(length)
    for frame, value in anchors.items():
        values[frame] = value
        gt[frame] = np.abs(gt[frame - 1 if frame else 1])  # anchors are annotated
    forward, backward = vot_anchor_frames(values)
    runs = {}
    for anchor, reverse in [(f, False) for f in forward] + [(b, True) for b in backward]:
        frames = multistart_run_frames(anchor, reverse, length)
        lost = int(rng.integers(2, len(frames) + 12))  # from here on, far away
        boxes = np.column_stack([centre[frames] - 8, np.full((len(frames), 2), 16.0)])
        boxes += rng.normal(0, 2, boxes.shape)
        boxes[lost:] = [50.0, 40.0, 4.0, 4.0]
        runs[anchor] = dict(reverse=reverse, frames=frames, boxes=boxes,
                            times=rng.uniform(0.01, 0.02, len(frames)))
    return dict(gt=gt, values=values, runs=runs, length=length)


def _samples(seq, video_id, name, anchors=None):
    """The frames of the runs as SOTTestLoop leaves them, in run order."""
    samples = []
    for anchor, run in seq['runs'].items():
        if anchors is not None and anchor not in anchors:
            continue
        for position, frame_id in enumerate(run['frames']):
            samples.append(vot_frame_sample(
                run['boxes'][position], frame_id=int(frame_id), video_id=video_id,
                video_name=name, ori_video_length=seq['length'], ori_shape=SIZE_WH[::-1],
                track_time=run['times'][position],
                vot_status=VOT_INIT if position == 0 else VOT_TRACKED,
                vot_gt_region=seq['gt'][frame_id], vot_anchor=anchor,
                vot_reverse=run['reverse'], vot_num_runs=len(seq['runs'])))
    return samples


def _records(seq):
    return {anchor: [VOT_INIT] + list(run['boxes'][1:]) for anchor, run in seq['runs'].items()}


@pytest.fixture
def sequences():
    rng = np.random.default_rng(2022)
    return [_sequence(rng, 30, {0: 1, 12: 1, 20: -1}), _sequence(rng, 25, {24: -1}),
            _sequence(rng, 28, {3: 2.0, 27: -0.5})]  # only the signs of anchor.value count


def _compute(sequences, ranks_videos, cfg):
    ranks = [Evaluator(METRICS.build(cfg)) for _ in ranks_videos]
    for rank, videos in zip(ranks, ranks_videos):
        for video, anchors in videos:
            rank.process(_samples(sequences[video], video, f's{video}', anchors))
    results = [entry for rank in ranks for entry in rank.metrics[0].results]
    return METRICS.build(cfg).compute_metrics(results)


def test_scores_equal_eval_vot_multistart_and_ranks_merge(sequences):
    cfg = dict(type='SOTMetric', benchmark='vot2022', metric_options=dict(eao_interval=INTERVAL))
    metric = METRICS.build(cfg)
    assert metric.tracking_protocol == dict(type='multistart', args=dict())
    assert _tracking_protocol(Evaluator(metric), 'SOTTestLoop')['type'] == 'multistart'
    assert METRICS.build(dict(type='SOTMetric', benchmark='vot2022')).vot_options[
        'eao_interval'] == MULTISTART_EAO_INTERVAL

    # two "ranks": videos 0, 1 on one; video 2 and a padding repeat of a run of video 0
    metrics = _compute(sequences, [[(0, None), (1, None)], [(2, None), (0, {12})]], cfg)
    report = eval_vot_multistart([_records(seq) for seq in sequences],
                                 [seq['gt'] for seq in sequences],
                                 [seq['values'] for seq in sequences], [SIZE_WH] * 3,
                                 ['s0', 's1', 's2'], eao_interval=INTERVAL)
    assert set(metrics) == {'EAO', 'accuracy', 'robustness', 'FPS'}
    for key, name in (('EAO', 'eao'), ('accuracy', 'accuracy'), ('robustness', 'robustness')):
        assert metrics[key] == pytest.approx(report[name], abs=1e-12), key
    assert 0 < metrics['robustness'] < 1 and 0 < metrics['EAO'] < 1
    assert 50 <= metrics['FPS'] <= 100  # frame times of 10 - 20 ms


def test_incomplete_runs_are_refused(sequences):
    cfg = dict(type='SOTMetric', benchmark='vot2022')
    with pytest.raises(ValueError, match=r'video s0 has 3 multi-start runs but only the runs '
                       r'from anchor frames \[0, 20\] were processed'):
        _compute(sequences, [[(0, {0, 20})]], cfg)
    metric = METRICS.build(cfg)
    samples = _samples(sequences[0], 0, 's0')
    del samples[35]  # run from frame 12 (after the 30 frames of run 0): frame 17
    Evaluator(metric).process(samples)
    for key in list(metric._frames):  # what evaluate() packs of the still-open runs
        metric.results.append(metric._pack(metric._frames.pop(key)))
    with pytest.raises(ValueError, match=r'forward multi-start run of video s0 from anchor '
                       r'frame 12 has 18 frames but frames \[17\] are missing'):
        metric.compute_metrics(metric.results)
