"""tools/analysis_tools/compare_sot.py on tiny generated datasets and result folders: the table
holds the functional metrics, per-attribute scores are those of the attribute's sequences, and
the plots are written."""
import os
import os.path as osp
import runpy
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from _tool_utils import REPO

from procontext_mm.evaluation import read_vot_results, write_tracking_results, write_vot_results
from procontext_mm.evaluation.functional import eval_got10k, eval_ope
from procontext_mm.evaluation.functional.vot import eval_vot

TOOL = REPO / 'tools' / 'analysis_tools' / 'compare_sot.py'
compare_sot = SimpleNamespace(**runpy.run_path(str(TOOL), run_name='compare_sot'))
NO_CACHE = ['--dataset-options', 'use_cache=False']
STATIC_BOX = "default_scope = 'procontext_mm'\nmodel = dict(type='StaticBoxTracker')\n"


def _write(path, text):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
    return str(path)


def _rows(boxes, fmt='%d'):
    return ''.join(','.join(fmt % v for v in row) + '\n' for row in boxes)


def _moving_boxes(rng, length):
    start = rng.integers(5, 20, 2)
    xy = start + np.cumsum(rng.integers(-2, 3, (length, 2)), axis=0)
    return np.column_stack([np.clip(xy, 0, 30), np.full((length, 2), 16)]).astype(np.float64)


def _noisy(rng, gt, scale):
    return np.abs(gt + rng.normal(0, scale, gt.shape))


@pytest.fixture(scope='module')
def lasot(tmp_path_factory):
    """Three LaSOT test sequences with frames, flags and attribute files; two result folders."""
    root = str(tmp_path_factory.mktemp('lasot') / 'LaSOT')
    rng = np.random.default_rng(0)
    names, gts = ['cat-1', 'cat-2', 'dog-1'], []
    for name in names:
        gt = _moving_boxes(rng, 10)
        seq_dir = osp.join(root, name.split('-')[0], name)
        _write(osp.join(seq_dir, 'groundtruth.txt'), _rows(gt))
        _write(osp.join(seq_dir, 'full_occlusion.txt'), ','.join(['0'] * 10) + '\n')
        os.makedirs(osp.join(seq_dir, 'img'))
        for k in range(10):
            cv2.imwrite(osp.join(seq_dir, 'img', f'{k + 1:08d}.jpg'),
                        np.full((48, 64, 3), 40 * k % 255, np.uint8))
        gts.append(gt)
    _write(osp.join(root, 'testing_set.txt'), '\n'.join(names) + '\n')
    flags = {'cat-1': [1] + [0] * 13, 'cat-2': [1, 1] + [0] * 12, 'dog-1': [0, 1] + [0] * 12}
    for name, values in flags.items():
        _write(osp.join(root, 'att', f'{name}.txt'), ','.join(map(str, values)) + '\n')
    results = {}
    for tracker, scale in (('good', 1.0), ('poor', 6.0)):
        results[tracker] = [_noisy(rng, gt, scale) for gt in gts]
        for name, boxes in zip(names, results[tracker]):
            write_tracking_results(osp.join(root, '..', 'results', tracker), name, boxes, 'lasot')
    return dict(root=root, names=names, gts=gts, results=results,
                result_dirs={t: osp.join(root, '..', 'results', t) for t in results})


def test_lasot_table_attributes_and_plots(lasot, tmp_path):
    config = _write(tmp_path / 'static_box.py', STATIC_BOX)
    out_dir = str(tmp_path / 'out')
    summary = compare_sot.main([
        'lasot', lasot['root'], *NO_CACHE, '--results', f'Good={lasot["result_dirs"]["good"]}',
        lasot['result_dirs']['poor'], '--config', config, '--checkpoint', 'none', '--name',
        'static', '--out-dir', out_dir
    ])
    # the config tracker's raw results are written, and scored like the result folders
    static = [np.loadtxt(osp.join(out_dir, 'results', 'static', f'{n}.txt'), delimiter=',')
              for n in lasot['names']]
    np.testing.assert_allclose(static[0], np.repeat(lasot['gts'][0][:1], 10, axis=0), atol=1e-3)
    expected = {name: eval_ope(preds, lasot['gts'], 'lasot', seq_names=lasot['names'])
                for name, preds in (('Good', lasot['results']['good']),
                                    ('poor', lasot['results']['poor']), ('static', static))}
    rows = {row['tracker']: row for row in summary['rows']}
    assert [row['tracker'] for row in summary['rows']] == sorted(
        expected, key=lambda n: -expected[n]['success'])
    for name, report in expected.items():
        assert rows[name]['AUC'] == pytest.approx(100 * report['success'], abs=1e-3)
        assert rows[name]['Precision'] == pytest.approx(100 * report['precision'], abs=1e-3)
        assert rows[name]['NormPrecision'] == pytest.approx(100 * report['norm_precision'],
                                                            abs=1e-3)
    assert isinstance(rows['static']['FPS'], float) and rows['Good']['FPS'] == 'n/a'

    # attributes: IV = cat-1, cat-2; POC = cat-2, dog-1; the other 12 have no sequence
    attributes = summary['attributes']
    assert sorted(attributes) == ['IV', 'POC']
    subset = eval_ope([lasot['results']['good'][i] for i in (1, 2)],
                      [lasot['gts'][i] for i in (1, 2)], 'lasot')
    assert attributes['POC']['success']['Good'] == pytest.approx(subset['success'], abs=1e-9)
    assert attributes['IV']['num_sequences'] == 2
    assert 'IV(2)' in summary['attribute_table'] and 'POC(2)' in summary['attribute_table']

    assert len(summary['plots']) == 3 + 2
    for path in summary['plots']:
        assert cv2.imread(path) is not None, path
    assert osp.isfile(osp.join(out_dir, 'summary.json'))


def test_got10k_results_with_repetitions(tmp_path):
    root = str(tmp_path / 'GOT-10k')
    rng = np.random.default_rng(1)
    names, gts, covers = ['GOT-10k_Val_000001', 'GOT-10k_Val_000002'], [], []
    for name in names:
        gt = _moving_boxes(rng, 12)
        cover = rng.integers(0, 9, 12)
        seq_dir = osp.join(root, 'val', name)
        _write(osp.join(seq_dir, 'groundtruth.txt'), _rows(gt, '%.1f'))
        _write(osp.join(seq_dir, 'cover.label'), ''.join(f'{c}\n' for c in cover))
        _write(osp.join(seq_dir, 'absence.label'), ''.join('0\n' for _ in cover))
        _write(osp.join(seq_dir, 'meta_info.ini'), '[METAINFO]\nresolution: (40, 36)\n')
        gts.append(gt)
        covers.append(cover)
    _write(osp.join(root, 'val', 'list.txt'), '\n'.join(names) + '\n')
    preds = []
    for name, gt in zip(names, gts):
        runs = np.stack([_noisy(rng, gt, 3.0) for _ in range(2)])
        for repetition, run in enumerate(runs, start=1):
            write_tracking_results(str(tmp_path / 'res'), name, run, 'got10k',
                                   repetition=repetition)
        preds.append(runs)

    summary = compare_sot.main(['got10k', root, *NO_CACHE, '--results', f'T={tmp_path / "res"}',
                                '--out-dir', str(tmp_path / 'out')])
    expected = eval_got10k(preds, gts, [c > 0 for c in covers], [(40, 36)] * 2, seq_names=names)
    row = summary['rows'][0]
    assert row['AO'] == pytest.approx(100 * expected['ao'], abs=1e-3)
    assert row['SR0_5'] == pytest.approx(100 * expected['sr50'], abs=1e-3)
    assert row['SR0_75'] == pytest.approx(100 * expected['sr75'], abs=1e-3)
    assert [osp.basename(p) for p in summary['plots']] == ['success_plot.png']


def test_vot_config_and_raw_results(tmp_path):
    root = str(tmp_path / 'vot')
    rng = np.random.default_rng(2)
    frames_gt = _moving_boxes(rng, 14) * 2
    seq_dir = osp.join(root, 'seq')
    for k in range(14):
        _write(osp.join(seq_dir, 'color', '.keep'), '')
        cv2.imwrite(osp.join(seq_dir, 'color', f'{k + 1:08d}.jpg'), np.zeros((80, 96, 3), np.uint8))
    _write(osp.join(seq_dir, 'groundtruth.txt'), _rows(frames_gt, '%.2f'))
    _write(osp.join(root, 'list.txt'), 'seq\n')
    records = [1] + [box for box in _noisy(rng, frames_gt[1:6], 1.0)] + [2, 0, 0, 0, 0, 1] + \
        [box for box in frames_gt[12:]]
    write_vot_results(str(tmp_path / 'raw'), 'seq', records)
    config = _write(tmp_path / 'static_box.py', STATIC_BOX)

    summary = compare_sot.main([
        'vot', root, *NO_CACHE, '--results', f'raw={tmp_path / "raw"}', '--config', config,
        '--eao-interval', '1', '8', '--out-dir', str(tmp_path / 'out')
    ])
    written = read_vot_results(str(tmp_path / 'raw' / 'seq' / 'seq_001.txt'))  # 4 decimals
    expected = eval_vot([written], [frames_gt], [(96, 80)], ['seq'], eao_interval=(1, 8))
    rows = {row['tracker']: row for row in summary['rows']}
    assert rows['raw']['EAO'] == '%.3f' % expected['eao']
    assert rows['raw']['Robustness'] == '%.3f' % expected['robustness']
    assert rows['raw']['Failures'] == '1.0'
    assert summary['reports']['static_box']['num_frames'] == 14
    assert osp.isfile(tmp_path / 'out' / 'results' / 'static_box' / 'seq' / 'seq_001.txt')
    assert [osp.basename(p) for p in summary['plots']] == ['eao_plot.png']


def test_argument_errors(lasot, tmp_path):
    base = ['lasot', lasot['root'], *NO_CACHE, '--out-dir', str(tmp_path)]
    with pytest.raises(ValueError, match='Nothing to compare'):
        compare_sot.main(base)
    with pytest.raises(ValueError, match='2 --config but 1 --checkpoint'):
        compare_sot.main(base + ['--config', 'a.py', '--config', 'b.py', '--checkpoint', 'x'])
    with pytest.raises(ValueError, match='must be unique'):
        compare_sot.main(base + ['--results', f'a={tmp_path}', f'a={tmp_path}'])
    with pytest.raises(FileNotFoundError, match='no folder'):
        compare_sot.main(base + ['--results', str(tmp_path / 'missing')])
    _write(osp.join(tmp_path, 'att', 'cat-1.txt'), '1,0\n')
    with pytest.raises(ValueError, match='2 flags but 14 attributes'):
        compare_sot.main(base + ['--results', lasot['result_dirs']['good'], '--attributes',
                                 str(tmp_path / 'att')])
