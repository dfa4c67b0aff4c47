"""tools/analysis_tools/search_params.py end to end on a tiny generated GOT-10k-layout benchmark
with a tiny ProContEXT: the trials are ranked by the metric, the best config reproduces the
best trial with tools/test.py, a rerun skips finished trials, test splits are refused (and
allowed with the flag), bad keys are named, and two gloo processes give the one-process
results."""
import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest
import torch
from _dist_runs import free_port
from _tool_utils import REPO
from mmengine.config import Config

from procontext_apps import param_search as ps
from procontext_apps.run_folder import RunFolderError
from procontext_mm.registry import MODELS
from procontext_mm.testing import tiny_tracker_cfg

TOOL = REPO / 'tools' / 'analysis_tools' / 'search_params.py'
BASE_CONFIGS = [str(REPO / 'configs/_base_/datasets/got10k_test.py'),
                str(REPO / 'configs/_base_/default_runtime.py')]
TINY_MODEL = tiny_tracker_cfg(embed_dims=64, num_layers=3, num_heads=2, head_channels=32)
SPACE = ['model.test_cfg.search_factor=3.0,4.0', 'model.test_cfg.window=hann,None']


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def tool():
    return _load(TOOL, 'search_params_tool')


pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """The tiny model's config (GOT-10k val / test loaders) and random weights."""
    folder = tmp_path_factory.mktemp('tiny')
    config = folder / 'tiny.py'
    config.write_text(f'_base_ = {BASE_CONFIGS!r}\nmodel = {TINY_MODEL!r}\n')
    torch.manual_seed(0)
    checkpoint = folder / 'tiny.pth'
    torch.save({'state_dict': MODELS.build(TINY_MODEL).state_dict()}, checkpoint)
    return str(config), str(checkpoint)


def _options(data_root, loader='val_dataloader', **extra):
    options = {f'{loader}.dataset.data_root': data_root,
               f'{loader}.dataset.use_cache': False,
               f'{loader}.num_workers': 0,
               f'{loader}.persistent_workers': False, **extra}
    return ['--cfg-options'] + [f'{key}={value}' for key, value in options.items()]


def test_trials_are_ranked_by_the_metric_and_the_best_config_reproduces_the_best_trial(
        tool, tiny, tiny_benchmark, tmp_path, capsys):
    config, checkpoint = tiny
    work_dir = tmp_path / 'search'
    record = tool.main([config, checkpoint, '--space', *SPACE, '--work-dir', str(work_dir),
                        *_options(tiny_benchmark)])
    trials = record['trials']
    assert record['metric'] == 'sot/AO' and record['dataloader'] == 'val_dataloader'
    assert sorted((t['settings']['model.test_cfg.search_factor'],
                   t['settings']['model.test_cfg.window']) for t in trials) == [
        ('3.0', 'None'), ('3.0', 'hann'), ('4.0', 'None'), ('4.0', 'hann')]
    aos = [t['metrics']['sot/AO'] for t in trials]
    assert aos == sorted(aos, reverse=True) and [t['rank'] for t in trials] == [1, 2, 3, 4]
    # each trial's metric is the one its own run reported in its results folder
    for trial in trials:
        with open(os.path.join(trial['trial_dir'], 'results', 'got10k_report.json')) as f:
            report = json.load(f)
        assert trial['metrics']['sot/AO'] == pytest.approx(100 * report['ao'], abs=1e-9)

    printed = capsys.readouterr().out
    table = (work_dir / ps.RESULTS_TEXT).read_text()
    assert table in printed
    first_row = [cell.strip() for cell in table.splitlines()[2].split('|')]
    best = trials[0]
    assert first_row[:3] == ['1', best['settings']['model.test_cfg.search_factor'],
                             best['settings']['model.test_cfg.window']]
    assert json.loads((work_dir / ps.RESULTS_JSON).read_text()) == record

    # the best config: the searched keys only, and tools/test.py gives the best trial's scores
    best_config = Config.fromfile(record['best_config'])
    assert best_config.model.test_cfg.search_factor == float(
        best['settings']['model.test_cfg.search_factor'])
    assert best_config.model.test_cfg.window == (
        None if best['settings']['model.test_cfg.window'] == 'None' else 'hann')
    assert best_config.model.test_cfg.search_size == TINY_MODEL['test_cfg']['search_size']
    test_tool = _load(REPO / 'tools' / 'test.py', 'sot_test_tool')
    metrics = test_tool.main([record['best_config'], checkpoint, '--work-dir',
                              str(tmp_path / 'test'),
                              *_options(tiny_benchmark, 'test_dataloader',
                                        **{'test_dataloader.dataset.split': 'val',
                                           'test_evaluator.format_only': False})])
    for key in ('sot/AO', 'sot/SR0.5', 'sot/SR0.75'):
        assert metrics[key] == pytest.approx(best['metrics'][key], abs=1e-9), key


def _fake_trials(monkeypatch, calls, fail_on=None):
    """Replace the runner by a metric computed from the settings; record the calls."""
    def run_trial(cfg, point, checkpoint, trial_dir, launcher='none'):
        settings = point.as_dict()
        if settings['model.test_cfg.search_factor'] == fail_on:
            raise KeyboardInterrupt  # the search is interrupted during this trial
        calls.append(point.name)
        return {'sot/AO': 10 * settings['model.test_cfg.search_factor']
                - settings['model.template_memory.update_interval'] / 100, 'sot/SR0.5': 1.0}

    monkeypatch.setattr(ps, 'run_trial', run_trial)


def _job(tiny, work_dir, space, **kwargs):
    config, checkpoint = tiny
    return ps.SearchJob(config=config, checkpoint=checkpoint, space=ps.parse_space(space),
                        work_dir=str(work_dir), **kwargs)


def test_a_rerun_skips_finished_trials_and_runs_only_the_rest(tiny, tmp_path, monkeypatch):
    work_dir = tmp_path / 'search'
    calls = []
    _fake_trials(monkeypatch, calls, fail_on=4.0)
    space = ['model.test_cfg.search_factor=3.0,4.0',
             'model.template_memory.update_interval=20,100']
    with pytest.raises(KeyboardInterrupt):
        ps.run_search(_job(tiny, work_dir, space))
    assert calls == ['model.template_memory.update_interval=20 model.test_cfg.search_factor=3.0',
                     'model.template_memory.update_interval=100 model.test_cfg.search_factor=3.0']

    calls.clear()
    _fake_trials(monkeypatch, calls)
    grown = ['model.template_memory.update_interval=20,100',  # keys in another order
             'model.test_cfg.search_factor=3.0,4.0,5.0']
    record = ps.run_search(_job(tiny, work_dir, grown))
    assert sorted(calls) == sorted(
        f'model.template_memory.update_interval={n} model.test_cfg.search_factor={f}'
        for n in (20, 100) for f in (4.0, 5.0))
    assert len(record['trials']) == 6
    assert record['trials'][0]['settings'] == {'model.template_memory.update_interval': '20',
                                               'model.test_cfg.search_factor': '5.0'}
    assert record['trials'][-1]['metrics']['sot/AO'] == pytest.approx(29.0)  # from the 1st run

    calls.clear()
    ps.run_search(_job(tiny, work_dir, grown, num_random=3, seed=1))  # a subset: all done
    assert calls == []


def test_a_search_of_another_checkpoint_is_refused_in_the_same_work_dir(tiny, tmp_path,
                                                                        monkeypatch):
    calls = []
    _fake_trials(monkeypatch, calls)
    space = ['model.test_cfg.search_factor=3.0', 'model.template_memory.update_interval=20']
    ps.run_search(_job(tiny, tmp_path / 'search', space))
    other = tmp_path / 'other.pth'
    other.write_bytes(open(tiny[1], 'rb').read() + b'\0')
    job = ps.SearchJob(config=tiny[0], checkpoint=str(other), space=ps.parse_space(space),
                       work_dir=str(tmp_path / 'search'))
    with pytest.raises(RunFolderError, match='another config, data or checkpoint.*--fresh'):
        ps.run_search(job)
    job.fresh = True
    ps.run_search(job)
    assert len(calls) == 2


def test_a_test_split_is_refused_with_the_dataset_and_the_way_out(tool, tiny, tmp_path):
    config, checkpoint = tiny
    with pytest.raises(SystemExit) as error:
        tool.main([config, checkpoint, '--space', 'model.test_cfg.search_factor=4.0',
                   '--work-dir', str(tmp_path / 'search'), '--dataloader', 'test'])
    message = str(error.value)
    assert message.startswith(f"search_params: {config}: test_dataloader is GOT-10k test "
                              "(GOT10kDataset split='test' at data/GOT10k)")
    assert '--cfg-options test_dataloader.dataset.split=val' in message
    assert '--allow-test-split' in message
    assert not (tmp_path / 'search').exists()  # refused before anything is written


def test_a_folder_benchmark_is_a_test_split_unless_allowed(tool, tiny, tiny_benchmark, tmp_path):
    """The benchmark's val videos read as an OTB-style folder (OPE protocol): refused, then
    searched with --allow-test-split and ranked by the OPE default, success."""
    folder_config = tmp_path / 'folder.py'
    dataset = dict(type='FolderSOTDataset', data_root=os.path.join(tiny_benchmark, 'val'),
                   img_dir='', ann_name='groundtruth.txt', use_cache=False)
    folder_config.write_text(
        f"_base_ = {[str(REPO / 'configs/_base_/datasets/sot_video_test.py'), BASE_CONFIGS[1]]!r}"
        f"\nmodel = {TINY_MODEL!r}\n"
        f"val_dataloader = dict(num_workers=0, persistent_workers=False, dataset={dataset!r})\n"
        "val_evaluator = dict(type='SOTMetric', benchmark='otb')\n")
    args = [str(folder_config), tiny[1], '--space', 'model.test_cfg.search_factor=4.0',
            '--work-dir', str(tmp_path / 'search')]
    with pytest.raises(SystemExit, match='an OTB-100-style folder of test sequences .* '
                       f'unless {re.escape(os.path.join(tiny_benchmark, "val"))} holds your '
                       'own validation videos'):
        tool.main(args)
    record = tool.main(args + ['--allow-test-split'])
    assert record['metric'] == 'sot/success' and record['rule'] == 'greater'
    assert record['test_split_allowed']
    assert set(record['trials'][0]['metrics']) >= {'sot/success', 'sot/precision'}


@pytest.mark.parametrize('space,message', [
    (['model.test_cfg.serach_factor=4.0'],
     "'model.test_cfg.serach_factor' is not a setting of .*tiny.py: model.test_cfg has no "
     "'serach_factor'"),
    (['model.template_memory.update_threshold=0.5'], "has no 'update_threshold'"),
    (['model.test_cfg.window=hann,none'], "'none' is ambiguous"),
    (['model.test_cfg.search_factor'], 'expected KEY=V1,V2'),
])
def test_bad_space_stops_before_any_trial(tool, tiny, tmp_path, space, message):
    with pytest.raises(SystemExit, match=message):
        tool.main([tiny[0], tiny[1], '--space', *space, '--work-dir', str(tmp_path / 's')])
    assert not (tmp_path / 's').exists()


@pytest.mark.slow
def test_two_gloo_processes_give_the_one_process_ranking(tool, tiny, tiny_benchmark, tmp_path):
    config, checkpoint = tiny
    space = ['model.test_cfg.search_factor=3.0,4.0']
    single = tool.main([config, checkpoint, '--space', *space, '--work-dir',
                        str(tmp_path / 'one'), *_options(tiny_benchmark)])
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')
    run = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         '--master_port', str(free_port()), str(TOOL), config, checkpoint, '--space', *space,
         '--work-dir', str(tmp_path / 'two'), '--launcher', 'pytorch',
         *_options(tiny_benchmark)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert 'videos per process: 1, 1' in run.stdout + run.stderr
    double = json.loads((tmp_path / 'two' / ps.RESULTS_JSON).read_text())
    assert [t['settings'] for t in double['trials']] == [t['settings'] for t in single['trials']]
    for one, two in zip(single['trials'], double['trials']):
        for key in ('sot/AO', 'sot/SR0.5', 'sot/SR0.75'):
            assert two['metrics'][key] == pytest.approx(one['metrics'][key], abs=1e-9)
