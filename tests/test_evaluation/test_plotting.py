"""Comparison plots: files written, curves checked, legend sorted by score."""
import cv2
import numpy as np
import pytest

from procontext_mm.evaluation.functional import (GOT10K_IOU_THRESHOLDS, OPE_IOU_THRESHOLDS,
                                                 eval_ope)
from procontext_mm.evaluation.plotting import (legend_entries, plot_attribute_radar, plot_curves,
                                               plot_eao, plot_precision, plot_success,
                                               radar_radial_range)


def _ope_reports():
    rng = np.random.default_rng(0)
    gt = [np.column_stack([rng.uniform(0, 200, (30, 2)), rng.uniform(10, 60, (30, 2))])
          for _ in range(3)]
    reports = {}
    for name, noise in (('good', 2.0), ('poor', 15.0), ('mid', 6.0)):
        preds = [g + rng.normal(0, noise, g.shape) for g in gt]
        reports[name] = eval_ope(preds, gt, 'otb')
    return reports


def _check_png(path):
    image = cv2.imread(str(path))
    assert image is not None and image.shape == (690, 840, 3)  # 5.6 x 4.6 in at 150 dpi
    assert image.std() > 10  # something was drawn


def test_legend_is_sorted_by_score():
    entries = legend_entries({'b': 0.5, 'a': 0.7, 'c': float('nan'), 'd': None})
    assert entries == [('a', '[0.700] a'), ('b', '[0.500] b'), ('c', '[nan] c'),
                       ('d', '[n/a] d')]
    assert legend_entries({'x': 71.234}, '{:.1f}') == [('x', '[71.2] x')]


def test_ope_plots(tmp_path):
    reports = _ope_reports()
    curves = {n: r['success_curve'] for n, r in reports.items()}
    scores = {n: r['success'] for n, r in reports.items()}
    assert scores['good'] > scores['mid'] > scores['poor']
    _check_png(plot_success(curves, scores, str(tmp_path / 'success.png')))
    _check_png(plot_precision({n: r['precision_curve'] for n, r in reports.items()},
                              {n: r['precision'] for n, r in reports.items()},
                              str(tmp_path / 'sub' / 'precision.png')))
    _check_png(plot_precision({n: r['norm_precision_curve'] for n, r in reports.items()},
                              {n: r['norm_precision'] for n, r in reports.items()},
                              str(tmp_path / 'norm.png'), normalized=True))


def test_got10k_and_eao_plots(tmp_path):
    curve = np.clip(1.2 - np.linspace(0, 1, len(GOT10K_IOU_THRESHOLDS)) * 1.3, 0, 1)
    _check_png(plot_success({'t': curve}, {'t': float(curve.mean())}, str(tmp_path / 'g.png'),
                            score_name='AO'))
    eao = {'long': np.linspace(0.6, 0.3, 400), 'short': np.linspace(0.5, 0.2, 120)}
    _check_png(plot_eao(eao, {'long': 0.41, 'short': 0.3}, str(tmp_path / 'eao.png'),
                        (100, 356)))


def test_plot_input_errors(tmp_path):
    with pytest.raises(ValueError, match='no curve'):
        plot_curves({}, OPE_IOU_THRESHOLDS, {}, str(tmp_path / 'x.png'), 't', 'x', 'y')
    with pytest.raises(ValueError, match="no score for \\['a'\\]"):
        plot_success({'a': np.zeros(21)}, {}, str(tmp_path / 'x.png'))
    with pytest.raises(ValueError, match='curve of a has shape \\(20,\\)'):
        plot_curves({'a': np.zeros(20)}, OPE_IOU_THRESHOLDS, {'a': 0.1}, str(tmp_path / 'x.png'),
                    't', 'x', 'y')


def test_attribute_radar(tmp_path):
    scores = {'good': {'IV': 0.71, 'OCC': 0.55, 'FM': 0.62, 'LR': 0.48},
              'poor': {'IV': 0.40, 'OCC': 0.32, 'FM': 0.45, 'LR': 0.30}}
    path = plot_attribute_radar(scores, str(tmp_path / 'radar.png'),
                                num_sequences={'IV': 3, 'OCC': 2, 'FM': 1, 'LR': 4})
    image = cv2.imread(path)
    assert image is not None and image.std() > 10
    # the radial axis starts a tenth below the worst score and ends above the best
    assert radar_radial_range(np.array([[0.71, 0.55], [0.32, 0.30]])) == pytest.approx((0.2, 0.8))
    assert radar_radial_range(np.array([0.0, 0.0])) == pytest.approx((0.0, 0.1))
    assert radar_radial_range(np.array([1.0, 0.97])) == pytest.approx((0.8, 1.0))
    with pytest.raises(ValueError, match='at least 3 attributes'):
        plot_attribute_radar({'a': {'IV': 0.5, 'OCC': 0.4}}, str(tmp_path / 'x.png'))
    with pytest.raises(ValueError, match='poor has attributes'):
        plot_attribute_radar({'good': scores['good'], 'poor': {'IV': 0.4, 'OCC': 0.3, 'FM': 0.1}},
                             str(tmp_path / 'x.png'))
