"""SOTMetric on the VOT benchmarks: records from the frames' protocol metainfo, scores equal to
eval_vot, results of several ranks merged, options and errors."""
import numpy as np
import pytest
from _vot_frame_samples import vot_frame_sample
from mmengine.evaluator import Evaluator

from procontext_mm.engine.runner.sot_loops import _tracking_protocol
from procontext_mm.evaluation.functional.vot import EAO_INTERVALS, eval_vot
from procontext_mm.evaluation.vot_protocol import VOT_TRACKED
from procontext_mm.registry import METRICS

SIZE_WH = (64, 48)


def _sequence(rng, length):
    """A supervised run as the loop leaves it: statuses, predicted boxes xywh, gt regions."""
    centre = np.array([30.0, 24.0]) + np.cumsum(rng.normal(0, 1.5, (length, 2)), axis=0)
    gt = np.column_stack([centre - 8, centre[:, 0] + 8, centre[:, 1] - 7, centre + 8,
                          centre[:, 0] - 8, centre[:, 1] + 7])  # 4-point polygons
    status = np.full(length, VOT_TRACKED)
    status[0] = 1
    fail = int(rng.integers(3, length - 6))
    status[fail], status[fail + 1:fail + 5], status[fail + 5] = 2, 0, 1
    pred_xywh = np.column_stack([centre - 8, np.full((length, 2), 16.0)])
    pred_xywh += rng.normal(0, 2, (length, 4))
    times = rng.uniform(0.01, 0.02, length)
    pred_xywh[status == 0], times[status == 0] = np.nan, np.nan  # skipped: never tracked
    return dict(status=status, pred=pred_xywh, gt=gt, times=times)


def _samples(seq, video_id, name):
    samples = []
    length = len(seq['status'])
    for frame_id in range(length):
        samples.append(vot_frame_sample(
            seq['pred'][frame_id], frame_id=frame_id, video_id=video_id, video_name=name,
            ori_video_length=length, ori_shape=SIZE_WH[::-1], track_time=seq['times'][frame_id],
            vot_status=int(seq['status'][frame_id]), vot_gt_region=seq['gt'][frame_id]))
    return samples


def _records(seq):
    return [int(s) if s != VOT_TRACKED else p for s, p in zip(seq['status'], seq['pred'])]


@pytest.mark.parametrize('year', ['vot2016', 'vot2017', 'vot2018', 'vot2019'])
def test_scores_equal_eval_vot_and_ranks_merge(year):
    rng = np.random.default_rng(int(year[-4:]))
    sequences = [_sequence(rng, int(rng.integers(20, 40))) for _ in range(3)]
    interval = (2, 15)
    cfg = dict(type='SOTMetric', benchmark=year, metric_options=dict(eao_interval=interval))
    metric = METRICS.build(cfg)
    assert metric.tracking_protocol == dict(
        type='supervised', args=dict(skip_initialize=5, failure_overlap=0.0, bounded=True))
    assert METRICS.build(dict(type='SOTMetric', benchmark=year)).vot_options['eao_interval'] \
        == EAO_INTERVALS[year]

    # two "ranks": videos 0, 1 on one, video 2 and a padding repeat of video 0 on the other
    ranks = [Evaluator(METRICS.build(cfg)), Evaluator(METRICS.build(cfg))]
    for rank, videos in zip(ranks, ([0, 1], [2, 0])):
        for video in videos:
            rank.process(_samples(sequences[video], video, f's{video}'))
    results = ranks[0].metrics[0].results + ranks[1].metrics[0].results
    metrics = metric.compute_metrics(results)

    report = eval_vot([_records(seq) for seq in sequences], [seq['gt'] for seq in sequences],
                      [SIZE_WH] * 3, ['s0', 's1', 's2'], eao_interval=interval)
    assert metrics['EAO'] == pytest.approx(report['eao'], abs=1e-12)
    assert metrics['accuracy'] == pytest.approx(report['accuracy'], abs=1e-12)
    assert metrics['robustness'] == pytest.approx(report['robustness'], abs=1e-12)
    assert metrics['num_failures'] == 3.0
    assert metrics['FPS'] == pytest.approx(
        np.mean([np.mean(1 / seq['times'][seq['status'] != 0]) for seq in sequences]))


def test_rectangle_regions_stay_rectangles_and_files_are_written(tmp_path):
    rng = np.random.default_rng(0)
    seq = _sequence(rng, 25)
    seq['gt'] = np.column_stack([seq['gt'][:, 6:8] - [0, 14], np.full((25, 2), 16.0)])  # xywh
    evaluator = Evaluator(METRICS.build(dict(type='SOTMetric', benchmark='vot2018',
                                             out_dir=str(tmp_path),
                                             metric_options=dict(eao_interval=(1, 10)))))
    evaluator.process(_samples(seq, 0, 'rect'))
    metrics = evaluator.evaluate(1)
    report = eval_vot([_records(seq)], [list(seq['gt'])], [SIZE_WH], ['rect'],
                      eao_interval=(1, 10))
    assert metrics['sot/accuracy'] == pytest.approx(report['accuracy'], abs=1e-12)
    lines = (tmp_path / 'vot2018' / 'rect' / 'rect_001.txt').read_text().splitlines()
    assert [line for line in lines if ',' not in line] == [
        str(s) for s in seq['status'] if s != VOT_TRACKED]
    assert (tmp_path / 'vot2018_report.json').is_file()


def test_options_and_protocol_conflicts():
    with pytest.raises(ValueError, match=r"unknown metric_options \['exclude_invisible'\] for "
                       r"benchmark 'vot2018'.*eao_interval"):
        METRICS.build(dict(type='SOTMetric', benchmark='vot2018',
                           metric_options=dict(exclude_invisible=True)))
    with pytest.raises(ValueError, match=r'eao_interval \(9, 3\)'):
        METRICS.build(dict(type='SOTMetric', benchmark='vot2019',
                           metric_options=dict(eao_interval=(9, 3))))
    assert METRICS.build(dict(type='SOTMetric', benchmark='got10k')).tracking_protocol is None

    def evaluator(*cfgs):
        return Evaluator([METRICS.build(dict(type='SOTMetric', prefix=f'm{i}', **cfg))
                          for i, cfg in enumerate(cfgs)])

    conflicting = evaluator(dict(benchmark='vot2018'),
                            dict(benchmark='vot2018', metric_options=dict(skip_initialize=3)))
    with pytest.raises(ValueError, match='Loop: the evaluator.s metrics ask for different'):
        _tracking_protocol(conflicting, 'Loop')
    same = evaluator(dict(benchmark='vot2018'), dict(benchmark='vot2016'),
                     dict(benchmark='got10k'))
    assert _tracking_protocol(same, 'Loop')['type'] == 'supervised'
    assert _tracking_protocol(evaluator(dict(benchmark='otb')), 'Loop') is None
