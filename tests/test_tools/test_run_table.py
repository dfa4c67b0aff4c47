"""tools/analysis_tools/run_table.py: the rows agree with configs/procontext/README.md, quick
variants carry their row's settings, the dry run's GFLOPs are the FLOPs tool's, a quick table
runs end to end and resumes, and full mode checks the datasets before training."""
import json
import os.path as osp
import re
import runpy
from types import SimpleNamespace

import pytest
from _tool_utils import REPO
from mmengine.config import Config

from procontext_apps import paper_tables as pt
from procontext_apps import tracker_runs

TOOL = REPO / 'tools' / 'analysis_tools' / 'run_table.py'
run_table = SimpleNamespace(**runpy.run_path(str(TOOL), run_name='run_table'))
README = REPO / 'configs' / 'procontext' / 'README.md'
CONFIG_ROOT = str(REPO / 'configs')


def _readme_rows(section_start, section_end):
    """``(cells, config path)`` of the table lines of one README section."""
    text = README.read_text()
    text = text[text.index(section_start):text.index(section_end) if section_end else None]
    rows = []
    for line in text.splitlines():
        link = re.search(r'\]\(([^)]+\.py)\)', line)
        if line.startswith('|') and link:
            cells = [cell.strip() for cell in line.strip('|').split('|')]
            rows.append((cells, osp.normpath(osp.join('procontext', link.group(1)))))
    return rows


def _numbers(cell):
    return [float(v) for v in cell.split('/')] if cell not in ('', '-') else None


def test_rows_agree_with_the_configs_readme_and_every_config_exists():
    for row in pt.PAPER_ROWS:
        assert row.config is None or osp.isfile(row.config_path(CONFIG_ROOT)), row
        assert set(row.metrics) <= set(row.paper), row
    table1 = _readme_rows('## Table 1', '## Tables 2-4')
    assert {config for _, config in table1} == {r.config for r in pt.table_rows(1) if r.config}
    for cells, config in table1:
        row_metrics = {}
        for row in pt.table_rows(1):
            if row.config == config:
                row_metrics.update(row.paper)
        for cell, metrics in ((cells[4], ('AUC', 'N-PRE', 'PRE')),
                              (cells[5], ('AO', 'SR0.5', 'SR0.75'))):
            expected = _numbers(cell)
            got = [row_metrics[m] for m in metrics] if metrics[0] in row_metrics else None
            assert got == expected, (config, metrics)

    ablations = _readme_rows('## Tables 2-4', None)
    for table in (2, 3, 4):
        listed = [(cells, config) for cells, config in ablations
                  if str(table) in re.findall(r'\d', cells[0])]
        rows = pt.table_rows(table)
        assert sorted(c for _, c in listed) == sorted(r.config for r in rows)
        for cells, config in listed:
            row = next(r for r in rows if r.config == config)
            assert _numbers(cells[6]) == [row.paper['AO'], row.paper['SR0.5']]
            if table == 4:
                assert float(cells[5]) == row.paper['GFLOPs']
            described = pt.describe(Config.fromfile(row.config_path(CONFIG_ROOT)))
            assert described['κ'] == cells[2] and described['ρ'] == cells[4]
            # the row label is the paper's: number of scales / factors (+ DT) / rho
            label = {2: described['scale num'], 4: described['ρ'],
                     3: described['κ'] + (' + DT' if described['DT'] == '✓' else '')}[table]
            assert row.label == label


@pytest.mark.parametrize('table,index', [(1, 0), (2, 3), (3, 1), (4, 0)])
def test_quick_variant_carries_the_rows_settings_and_the_tiny_size(table, index):
    row = pt.table_rows(table)[index]
    full = Config.fromfile(row.config_path(CONFIG_ROOT))
    tiny = Config.fromfile(str(REPO / 'configs' / pt.TINY_CONFIG))
    quick = pt.quick_variant(full, tiny, 7, with_ope=table == 1)

    memory = quick.model.template_memory
    for key in ('static_factors', 'dynamic_factors', 'update_interval', 'score_threshold'):
        assert memory[key] == full.model.template_memory[key], key
    assert memory.template_size == tiny.model.template_memory.template_size
    assert quick.model.backbone.ce_keep_ratio == full.model.backbone.ce_keep_ratio
    for key in ('embed_dims', 'num_layers', 'num_heads', 'template_size', 'search_size',
                'ce_layers'):
        assert quick.model.backbone[key] == tiny.model.backbone[key], key
    assert quick.model.head == tiny.model.head

    crops, tiny_crops = (pt.train_step(c, pt.CROP_STEP) for c in (quick, tiny))
    assert tuple(crops.template_factors) == tuple(pt.train_step(full, pt.CROP_STEP)
                                                  .template_factors)
    assert crops.template_size == tiny_crops.template_size
    assert crops.search_size == tiny_crops.search_size
    assert (pt.train_step(quick, pt.SAMPLE_FRAMES_STEP).num_dynamic ==
            pt.train_step(full, pt.SAMPLE_FRAMES_STEP).num_dynamic)
    # every other step is the tiny config's
    quick_steps, tiny_steps = pt.train_pipeline(quick), pt.train_pipeline(tiny)
    assert list(quick_steps) == list(tiny_steps)
    for name in set(quick_steps) - {pt.CROP_STEP, pt.SAMPLE_FRAMES_STEP}:
        assert quick_steps[name] == tiny_steps[name], name
    assert quick.train_cfg.max_iters == 7
    assert all(s.end <= 7 for s in quick.param_scheduler)
    metrics = quick.test_evaluator if table == 1 else [quick.test_evaluator]
    assert [m.get('prefix') for m in metrics] == ([None, 'ope'] if table == 1 else [None])


def test_quick_variants_copy_only_what_the_table_varies():
    def configs(table):
        return [Config.fromfile(r.config_path(CONFIG_ROOT)) for r in pt.table_rows(table)
                if r.config]

    assert pt.varied_settings(configs(4)) == ('ce_keep_ratio', )
    assert 'ce_keep_ratio' not in pt.varied_settings(configs(3))
    assert set(pt.varied_settings(configs(3))) == {'template_memory', 'template_factors',
                                                   'num_dynamic'}
    tiny = Config.fromfile(str(REPO / 'configs' / pt.TINY_CONFIG))
    row = pt.table_rows(3)[0]  # K = [2.0], keep 0.7 in the full config
    quick = pt.quick_variant(Config.fromfile(row.config_path(CONFIG_ROOT)), tiny, 7,
                             copied=pt.varied_settings(configs(3)))
    assert quick.model.backbone.ce_keep_ratio == tiny.model.backbone.ce_keep_ratio
    assert tuple(quick.model.template_memory.static_factors) == (2.0, )


def test_full_configs_test_the_rows_split_under_the_data_root(tmp_path):
    train, test = pt.full_configs(pt.table_rows(2)[0], CONFIG_ROOT, str(tmp_path))
    assert train.train_dataloader.dataset.data_root == str(tmp_path / 'GOT10k')
    assert test.test_dataloader.dataset.split == 'val'
    assert not test.test_evaluator.get('format_only')
    _, test = pt.full_configs(pt.table_rows(1)[0], CONFIG_ROOT, str(tmp_path))
    assert test.test_dataloader.dataset.type == 'TrackingNetDataset'
    assert test.test_dataloader.dataset.data_root == str(tmp_path / 'TrackingNet')
    assert test.test_evaluator.format_only and test.test_evaluator.benchmark == 'trackingnet'


def test_full_table1_points_to_the_submission_archives():
    runs = [run_table.RowRun(row, row.name if row.config else '',
                             Config.fromfile(row.config_path(CONFIG_ROOT)) if row.config else None,
                             test_name=row.name) for row in pt.table_rows(1)]
    results = {run.name: dict(metrics={}, submission=f'/w/{run.name}.zip', checkpoint='c')
               for run in runs if run.name}
    lines, submissions = run_table.build_table(1, runs, results, {}, quick=False)
    assert [line['Method'] for line in lines] == ['OSTrack', 'ProContEXT']
    assert lines[0]['AUC ours'] == '[1]' and lines[0]['AO ours'] == '-'
    assert lines[0]['AO paper'] == '73.7'
    assert lines[1]['AUC ours'] == '[2]' and lines[1]['SR0.75 ours'] == '[3]'
    notes = run_table.table_notes(1, False, 0, '/data', submissions)
    assert any(n.startswith('[3] ProContEXT') and '100e_got10k.zip to the GOT-10k server' in n
               for n in notes)


def test_dry_run_table4_prints_the_rows_and_the_flops_tools_gflops(capsys, tmp_path):
    from procontext_mm.apis import init_model
    from procontext_mm.utils.complexity import tracking_forward_complexity
    record = run_table.main(['--table', '4', '--dry-run', '--data-root', str(tmp_path),
                             '--work-dir', str(tmp_path / 'w')])
    out = capsys.readouterr().out
    assert not (tmp_path / 'w').exists()
    assert [line['ρ'] for line in record['lines']] == ['0.6', '0.7', '0.8', '0.9', '1.0']
    for row in pt.table_rows(4):
        assert row.config in out
    for index in (0, ):  # the ViT-B FLOPs take seconds: one row
        row = pt.table_rows(4)[index]
        expected = tracking_forward_complexity(
            init_model(row.config_path(CONFIG_ROOT)))['layer_gmacs']
        assert record['lines'][index]['GFLOPs ours'] == pytest.approx(expected, abs=1e-9)
        assert f'{expected:.2f}' in out and f'{row.paper["GFLOPs"]:.1f}' in out
    assert f'{tmp_path / "GOT10k"} (missing)' in out


def test_quick_table3_runs_end_to_end_and_a_rerun_skips_finished_steps(
        tiny_benchmark, tmp_path, monkeypatch):
    work = tmp_path / 'quick'
    argv = ['--table', '3', '--quick', '--quick-iters', '2', '--data-root', tiny_benchmark,
            '--work-dir', str(work)]
    record = run_table.main(argv)
    saved = json.loads((work / 'table3.json').read_text())
    text = (work / 'table3.txt').read_text()
    assert 'NOT COMPARABLE' in text and 'Dynamic template' in text
    assert len(saved['rows']) == len(pt.table_rows(3)) == 3
    for entry, row in zip(saved['rows'], pt.table_rows(3)):
        assert 0 <= entry['ours']['AO'] <= 100
        assert entry['paper'] == row.paper and entry['config'] == row.config
    assert f'{row.paper["AO"]:.1f}' in text

    monkeypatch.setattr(tracker_runs, 'train_tracker', lambda *a, **k: pytest.fail('retrained'))
    monkeypatch.setattr(tracker_runs, 'test_tracker', lambda *a, **k: pytest.fail('retested'))
    again = run_table.main(argv)
    assert again['lines'] == record['lines']


def test_full_mode_fails_before_training_when_a_dataset_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(tracker_runs, 'train_tracker', lambda *a, **k: pytest.fail('trained'))
    (tmp_path / 'data' / 'GOT10k' / 'train').mkdir(parents=True)
    with pytest.raises(FileNotFoundError) as error:
        run_table.main(['--table', '2', '--data-root', str(tmp_path / 'data'),
                        '--work-dir', str(tmp_path / 'w')])
    assert str(tmp_path / 'data' / 'GOT10k' / 'val') in str(error.value)
    assert 'train (' not in str(error.value)
    assert not (tmp_path / 'w').exists()


def test_quick_table3_with_two_processes_per_run_uses_the_dist_scripts(
        tiny_benchmark, tmp_path, monkeypatch):
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    monkeypatch.setattr(tracker_runs, 'train_tracker', lambda *a, **k: pytest.fail('in process'))
    monkeypatch.setattr(tracker_runs, 'test_tracker', lambda *a, **k: pytest.fail('in process'))
    work = tmp_path / 'quick'
    record = run_table.main(['--table', '3', '--quick', '--quick-iters', '2', '--nproc', '2',
                             '--data-root', tiny_benchmark, '--work-dir', str(work)])
    assert len(record['rows']) == 3
    for row in record['rows']:
        train_dir, test_dir = work / 'train' / row['run'], work / 'test' / row['run']
        assert (train_dir / 'run_config.py').is_file()
        assert row['checkpoint'] == str(train_dir / 'iter_2.pth')
        train_log = next(train_dir.rglob('*.log')).read_text()
        assert 'Distributed training: True' in train_log and 'GPU number: 2' in train_log
        test_log = next(test_dir.rglob('*.log')).read_text()
        assert 'videos per process: 1, 1' in test_log  # the 2 val videos, one per process
        # the metrics read back from the test tool's --metrics-file are the written report's
        report = json.loads((work / 'results' / row['run'] / 'got10k_report.json').read_text())
        assert row['metrics']['sot/AO'] == pytest.approx(100 * report['ao'], abs=1e-6)
        assert row['ours']['AO'] == pytest.approx(100 * report['ao'], abs=1e-6)
