"""tools/analysis_tools/compare_sot.py on tiny generated datasets and result folders: the table
holds the functional metrics, per-attribute scores are those of the attribute's sequences, and
the plots are written."""
import json
import os
import os.path as osp
import platform
import re
import runpy
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from _tool_utils import REPO

from procontext_mm.evaluation import read_vot_results, write_tracking_results, write_vot_results
from procontext_mm.evaluation.functional import eval_got10k, eval_ope
from procontext_mm.evaluation.functional.vot import eval_vot
from procontext_mm.utils.cpu_info import cpu_name

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


# ---------------------------------------------------------------------- imported results
def _pytracking_folder(folder, names, boxes, times=True):
    """What pytracking's / OSTrack's running.py writes: <seq>.txt with tab-separated integer
    boxes (astype(int)), <seq>_time.txt beside it."""
    os.makedirs(folder, exist_ok=True)
    for name, rows in zip(names, boxes):
        np.savetxt(osp.join(folder, f'{name}.txt'), np.asarray(rows).astype(int),
                   delimiter='\t', fmt='%d')
        if times:
            np.savetxt(osp.join(folder, f'{name}_time.txt'), np.full(len(rows), 0.02),
                       delimiter='\t', fmt='%f')
    return folder


def _with_init_row(gt, tracked):
    """A one-pass result: the init box (the first ground truth) then the tracked boxes."""
    return np.vstack([gt[:1], tracked[1:]])


def _xyxy(bboxes_xywh):
    return np.column_stack([bboxes_xywh[:, :2], bboxes_xywh[:, :2] + bboxes_xywh[:, 2:]])


def test_pytracking_ostrack_and_toolkit_folders_with_box_format_check(lasot, tmp_path):
    """The three layouts are read and reported; an xyxy folder is detected and converted
    (same scores as its xywh twin); a forced format is obeyed and its disagreement shown."""
    names, gts = lasot['names'], lasot['gts']
    tracked = [_with_init_row(gt, np.round(pred)) for gt, pred in
               zip(gts, lasot['results']['good'])]
    xywh_dir = _pytracking_folder(str(tmp_path / 'pytracking' / 'dimp' / 'dimp50'), names,
                                  tracked)
    xyxy_dir = _pytracking_folder(str(tmp_path / 'ostrack' / 'vitb' / 'lasot'), names,
                                  [_xyxy(t) for t in tracked])
    toolkit_dir = str(tmp_path / 'toolkit')
    for name, rows in zip(names, tracked):
        write_tracking_results(toolkit_dir, name, rows, 'lasot')
    out_dir = str(tmp_path / 'out')
    summary = compare_sot.main([
        'lasot', lasot['root'], *NO_CACHE, '--results', f'PT={xywh_dir}',
        f'OS={tmp_path / "ostrack" / "vitb"}', f'TK={toolkit_dir}', f'FORCED={xywh_dir}',
        '--box-format', 'FORCED=xyxy', '--bootstrap', '0', '--out-dir', out_dir
    ])
    info = summary['trackers']
    assert info['PT']['source'] == 'pytracking' and info['PT']['box_format'] == 'xywh'
    assert info['OS']['source'] == 'ostrack' and info['OS']['box_format'] == 'xyxy'
    assert info['OS']['folder'] == xyxy_dir
    assert info['TK']['source'] == 'toolkit' and info['TK']['box_format'] == 'xywh'
    assert '3/3 sequences' in info['OS']['box_format_check']
    assert info['FORCED']['box_format_forced']
    assert info['FORCED']['box_format_check'].startswith('FORCED xyxy; the first rows suggest')
    for name in ('PT', 'OS', 'TK'):
        assert f'{name}: ' in summary['header'] and info[name]['folder'] in summary['header']

    expected = eval_ope(tracked, gts, 'lasot', seq_names=names)
    rows = {row['tracker']: row for row in summary['rows']}
    for name in ('PT', 'OS', 'TK'):  # the xyxy twin scores exactly as the xywh original
        assert rows[name]['AUC'] == pytest.approx(100 * expected['success'], abs=1e-9)
    assert rows['FORCED']['AUC'] < rows['PT']['AUC'] - 10  # read as xyxy: wrong boxes
    assert rows['PT']['FPS'] == pytest.approx(50.0)  # pytracking's _time.txt is read


def test_ostrack_got10k_subfolder_and_row_errors(tmp_path):
    root, names, gts = _got10k_tree(tmp_path, 3)
    rng = np.random.default_rng(5)
    preds = [_with_init_row(gt, np.trunc(_noisy(rng, gt, 2.0))) for gt in gts]
    config_dir = tmp_path / 'output' / 'test' / 'tracking_results' / 'ostrack' / 'vitb_256'
    _pytracking_folder(str(config_dir / 'got10k'), names, preds)
    summary = compare_sot.main(['got10k', root, *NO_CACHE, '--results', f'OSTrack={config_dir}',
                                '--bootstrap', '0', '--out-dir', str(tmp_path / 'out')])
    assert summary['trackers']['OSTrack']['source'] == 'ostrack'
    expected = eval_got10k(preds, gts, None, [(40, 36)] * 3, seq_names=names)
    assert summary['rows'][0]['AO'] == pytest.approx(100 * expected['ao'], abs=1e-9)

    # a file one row short, then an unparsable row: the file, counts and line are named
    short = str(config_dir / 'got10k' / f'{names[1]}.txt')
    np.savetxt(short, preds[1][:-1].astype(int), delimiter='\t', fmt='%d')
    base = ['got10k', root, *NO_CACHE, '--results', str(config_dir), '--out-dir',
            str(tmp_path / 'out')]
    with pytest.raises(ValueError, match=re.escape(short) + r' \(sequence GOT-10k_Val_000002\): '
                       r'11 rows but the sequence has 12 frames'):
        compare_sot.main(base)
    with open(short, 'a') as f:
        f.write('1\t2\tthree\t4\n')
    with pytest.raises(ValueError, match=r'GOT-10k_Val_000002\.txt \(sequence '
                                         r'GOT-10k_Val_000002\), line 12: not numeric'):
        compare_sot.main(base)


def _got10k_tree(tmp_path, num):
    """A GOT-10k val split of ``num`` 12-frame sequences (no frames needed), every frame
    visible, resolution 40 x 36."""
    root = str(tmp_path / 'GOT-10k')
    rng = np.random.default_rng(1)
    names, gts = [f'GOT-10k_Val_{i + 1:06d}' for i in range(num)], []
    for name in names:
        gt = _moving_boxes(rng, 12) + 0.5
        seq_dir = osp.join(root, 'val', name)
        _write(osp.join(seq_dir, 'groundtruth.txt'), _rows(gt, '%.4f'))
        _write(osp.join(seq_dir, 'cover.label'), '8\n' * 12)
        _write(osp.join(seq_dir, 'absence.label'), '0\n' * 12)
        _write(osp.join(seq_dir, 'meta_info.ini'), '[METAINFO]\nresolution: (40, 36)\n')
        gts.append(gt)
    _write(osp.join(root, 'val', 'list.txt'), '\n'.join(names) + '\n')
    return root, names, gts


# ---------------------------------------------------------------------- statistics
def test_confidence_intervals_and_paired_comparison(lasot, tmp_path):
    names = lasot['names']
    good, poor = lasot['result_dirs']['good'], lasot['result_dirs']['poor']
    summary = compare_sot.main([
        'lasot', lasot['root'], *NO_CACHE, '--results', f'good={good}', f'poor={poor}',
        f'twin={good}', '--bootstrap', '200', '--confidence', '0.9', '--seed', '3',
        '--paired', 'good', 'twin', '--out-dir', str(tmp_path)
    ])
    # the CI column is the percentile interval of the mean per-sequence AUC, recomputed here
    seq_auc = [eval_ope([p], [g], 'lasot')['success']
               for p, g in zip(lasot['results']['good'], lasot['gts'])]
    draws = np.random.default_rng(3).integers(0, 3, size=(200, 3))
    low, high = np.percentile(np.asarray(seq_auc)[draws].mean(axis=1), [5, 95])
    row = next(r for r in summary['rows'] if r['tracker'] == 'good')
    assert row['AUC 90% CI'] == '[%.2f, %.2f]' % (100 * low, 100 * high)
    assert '90% bootstrap CIs over sequences (200 resamples, seed 3)' in summary['table']
    # identical trackers: zero difference, degenerate interval, all ties
    twin = summary['paired']
    assert (twin['difference'], twin['low'], twin['high']) == (0, 0, 0)
    assert (twin['wins'], twin['losses'], twin['ties']) == (0, 0, 3)

    paired = compare_sot.main([
        'lasot', lasot['root'], *NO_CACHE, '--results', f'good={good}', f'poor={poor}',
        '--paired', 'poor', 'good', '--paired-top', '2', '--out-dir', str(tmp_path)
    ])['paired']
    seq_auc_poor = [eval_ope([p], [g], 'lasot')['success']
                    for p, g in zip(lasot['results']['poor'], lasot['gts'])]
    differences = np.subtract(seq_auc_poor, seq_auc)
    assert paired['difference'] == pytest.approx(differences.mean())
    assert paired['losses'] == 3 and paired['wins'] == 0
    assert [n for n, _ in paired['largest_losses']] == [names[i] for i in
                                                        np.argsort(differences)[:2]]
    with open(osp.join(tmp_path, 'summary.json')) as f:
        saved = json.load(f)
    assert saved['paired']['difference'] == pytest.approx(paired['difference'])
    assert saved['confidence_intervals']['num_resamples'] == 1000  # the default


def test_paired_and_option_errors(lasot, tmp_path):
    base = ['lasot', lasot['root'], *NO_CACHE, '--out-dir', str(tmp_path), '--results',
            f'a={lasot["result_dirs"]["good"]}']
    with pytest.raises(ValueError, match='--paired a b: give two different trackers'):
        compare_sot.main(base + ['--paired', 'a', 'b'])
    with pytest.raises(ValueError, match='the VOT protocol has no per-sequence score'):
        compare_sot.main(['vot'] + base[1:] + [f'b={tmp_path}', '--paired', 'a', 'b'])
    with pytest.raises(ValueError, match=r"--box-format a=xywz: 'xywz' is not one of"):
        compare_sot.main(base + ['--box-format', 'a=xywz'])
    with pytest.raises(ValueError, match=r"--results-source c=pytracking: no result folder "
                                         r"named 'c'"):
        compare_sot.main(base + ['--results-source', 'c=pytracking'])


# ---------------------------------------------------------------------- attributes, report
def test_otb_attributes_from_a_text_file_table_and_radar(tmp_path):
    """OTB frames carry no attributes: a user file gives the 11; table and radar follow."""
    root = str(tmp_path / 'OTB')
    rng = np.random.default_rng(7)
    names, gts = ['Basketball', 'Biker', 'Bird1', 'Car4'], []
    for name in names:
        gt = _moving_boxes(rng, 8)
        _write(osp.join(root, name, 'groundtruth_rect.txt'), _rows(gt))
        os.makedirs(osp.join(root, name, 'img'))
        for k in range(8):
            cv2.imwrite(osp.join(root, name, 'img', f'{k + 1:04d}.jpg'),
                        np.zeros((48, 64, 3), np.uint8))
        gts.append(gt)
    tags = {'Basketball': 'IV OCC DEF', 'Biker': 'SV OCC', 'Bird1': 'DEF FM', 'Car4': 'IV SV'}
    attr_file = _write(tmp_path / 'otb_attributes.txt',
                       ''.join(f'{n}: {t}\n' for n, t in tags.items()))
    preds = {t: [_with_init_row(gt, _noisy(rng, gt, s)) for gt in gts]
             for t, s in (('A', 1.0), ('B', 5.0))}
    for tracker, boxes in preds.items():
        for name, rows in zip(names, boxes):
            write_tracking_results(str(tmp_path / tracker), name, rows, 'otb')
    summary = compare_sot.main(['otb', root, *NO_CACHE, '--results', f'A={tmp_path / "A"}',
                                f'B={tmp_path / "B"}', '--attributes', attr_file,
                                '--out-dir', str(tmp_path / 'out')])
    assert list(summary['attributes']) == ['IV', 'SV', 'OCC', 'DEF', 'FM']  # OTB's order
    occ = eval_ope([preds['B'][i] for i in (0, 1)], [gts[i] for i in (0, 1)], 'otb')
    assert summary['attributes']['OCC']['success']['B'] == pytest.approx(occ['success'])
    assert 'OCC(2)' in summary['attribute_table'] and 'FM(1)' in summary['attribute_table']
    radar = osp.join(str(tmp_path / 'out'), 'attribute_radar.png')
    assert radar in summary['plots'] and cv2.imread(radar) is not None


def test_report_records_software_and_machine(lasot, tmp_path):
    import mmcv
    import mmdet
    import mmengine
    import torch

    import procontext_mm
    config = _write(tmp_path / 'static_box.py', STATIC_BOX)
    summary = compare_sot.main([
        'lasot', lasot['root'], *NO_CACHE, '--config', config, '--checkpoint', 'none',
        '--bootstrap', '0', '--out-dir', str(tmp_path / 'out')
    ])
    with open(tmp_path / 'out' / 'summary.json') as f:
        saved = json.load(f)
    environment = saved['environment']
    assert environment['versions'] == dict(
        python=platform.python_version(), torch=torch.__version__,
        mmengine=mmengine.__version__, mmcv=mmcv.__version__, mmdet=mmdet.__version__,
        procontext_mm=procontext_mm.__version__)
    assert environment['device'] == 'cpu'
    assert environment['num_threads'] == torch.get_num_threads()
    assert environment['cpu'] == cpu_name()
    static = saved['trackers']['static_box']
    assert static['precision'] == 'fp32' and static['checkpoint'] is None
    assert static['config'] == config
    for text in (torch.__version__, mmdet.__version__, cpu_name(), 'precision fp32'):
        assert text in summary['header']


def test_precision_and_dataset_rows():
    from mmengine.config import Config
    cfg = Config(dict(model=dict(type='ProContEXT', test_cfg=dict(precision='bf16'))))
    assert compare_sot.tracker_precision(cfg) == 'bf16'
    assert compare_sot.tracker_precision(Config(dict(model=dict(type='X')))) == 'fp32'
    rows = compare_sot.DATASETS
    assert rows['uav123'][0]['type'] == 'UAV123Dataset'
    assert rows['lasot_ext'][0] == dict(type='LaSOTDataset', split='extension')
    for name, type_name in (('nfs', 'NFSDataset'), ('tnl2k', 'TNL2KDataset')):
        assert rows[name][0]['type'] == type_name and rows[name][1] == 'lasot'  # OPE as LaSOT


REAL_SOT = os.environ.get('PROCONTEXT_REAL_SOT', '/work/shared/data/real_sot')


@pytest.mark.skipif(not osp.isdir(osp.join(REAL_SOT, 'lasot_full')),
                    reason='real SOT sample data not available')
def test_real_xyxy_tracker_output_is_detected_and_converted(tmp_path):
    """LaSOT airplane-1, real frames 1-25, and a real tracker's output on them that
    mmtracking stored as x1,y1,x2,y2: reported as xyxy and scored as converted boxes."""
    seq_dir = tmp_path / 'LaSOT' / 'airplane' / 'airplane-1'
    os.makedirs(seq_dir / 'img')
    for k in range(1, 26):
        os.symlink(osp.join(REAL_SOT, 'lasot_full', 'airplane', 'airplane-1', 'img',
                            f'{k:08d}.jpg'), seq_dir / 'img' / f'{k:08d}.jpg')
    gt = np.loadtxt(osp.join(REAL_SOT, 'lasot', 'airplane-1', 'groundtruth.txt'), delimiter=',')
    _write(seq_dir / 'groundtruth.txt', _rows(gt))
    _write(seq_dir / 'full_occlusion.txt', ','.join(['0'] * 25) + '\n')
    _write(tmp_path / 'LaSOT' / 'testing_set.txt', 'airplane-1\n')
    results = tmp_path / 'mmtracking_output'
    os.makedirs(results)
    track_xyxy = np.loadtxt(osp.join(REAL_SOT, 'lasot', 'airplane-1', 'track_results.txt'),
                            delimiter=',')
    _write(results / 'airplane-1.txt', _rows(track_xyxy))
    summary = compare_sot.main(['lasot', str(tmp_path / 'LaSOT'), *NO_CACHE, '--results',
                                f'mmtrack={results}', '--bootstrap', '0',
                                '--out-dir', str(tmp_path / 'out')])
    info = summary['trackers']['mmtrack']
    assert info['box_format'] == 'xyxy' and '1/1 sequences' in info['box_format_check']
    converted = np.column_stack([track_xyxy[:, :2], track_xyxy[:, 2:] - track_xyxy[:, :2]])
    expected = eval_ope([converted], [gt], 'lasot')
    assert summary['rows'][0]['AUC'] == pytest.approx(100 * expected['success'], abs=1e-9)
