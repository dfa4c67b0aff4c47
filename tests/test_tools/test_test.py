"""End to end: ``tools/test.py`` on a tiny generated GOT-10k-layout benchmark with a tiny model.

The metrics printed / returned by the tool are checked against the official ``got10k`` toolkit
run on the raw results the tool wrote (``--out-dir``); the submission archive against the
GOT-10k server layout; a 2-process gloo run (``tools/dist_test.sh``) against the 1-process run.
"""
import importlib.util
import json
import os
import pickle
import shutil
import warnings
import zipfile

import numpy as np
import pytest
import torch
from _dist_runs import run_dist_test
from _tool_utils import REPO

from procontext_mm.registry import MODELS
from procontext_mm.testing import tiny_tracker_cfg

BASE_CONFIGS = [str(REPO / 'configs/_base_/datasets/got10k_test.py'),
                str(REPO / 'configs/_base_/default_runtime.py')]
TINY_MODEL = tiny_tracker_cfg(embed_dims=64, num_layers=3, num_heads=2, head_channels=32)


def _load_tool():
    """tools/test.py as a module (its file name would clash with the stdlib ``test``)."""
    spec = importlib.util.spec_from_file_location('sot_test_tool', REPO / 'tools' / 'test.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def tool():
    return _load_tool()


pytestmark = pytest.mark.usefixtures('one_thread')


def _write_config(path, model):
    path.write_text(f'_base_ = {BASE_CONFIGS!r}\nmodel = {model!r}\n')
    return str(path)


def _tiny_checkpoints(tmp_path):
    """Random weights of the tiny model, in this package's and in the authors' layout."""
    torch.manual_seed(0)
    model = MODELS.build(TINY_MODEL)
    ours = str(tmp_path / 'ours.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': dict(epoch=3, iter=30)}, ours)
    authors = {}
    for key, value in model.state_dict().items():
        if key.startswith('head.'):  # head.convK_X.{conv,bn}.* -> box_head.convK_X.{0,1}.*
            key = 'box_head.' + key[len('head.'):].replace('.conv.', '.0.').replace('.bn.', '.1.')
        authors[key] = value
    theirs = str(tmp_path / 'authors.pth.tar')
    torch.save({'net': authors, 'epoch': 3}, theirs)
    return ours, theirs


def _options(data_root, split='val', **extra):
    options = {
        'test_dataloader.dataset.data_root': data_root,
        'test_dataloader.dataset.split': split,
        'test_dataloader.dataset.use_cache': False,
        'test_dataloader.num_workers': 0,
        'test_dataloader.persistent_workers': False,
        'test_evaluator.format_only': False,
        **extra
    }
    return ['--cfg-options'] + [f'{key}={value}' for key, value in options.items()]


def _toolkit_report(data_root, out_dir):
    """The got10k toolkit's val report on ``<out_dir>/got10k/<seq>/<seq>_001.txt``."""
    experiments = pytest.importorskip('got10k.experiments')
    experiment = experiments.ExperimentGOT10k(data_root, subset='val',
                                              result_dir=str(out_dir / 'toolkit'),
                                              report_dir=str(out_dir / 'toolkit_report'))
    experiment.result_dir = str(out_dir)  # results of "tracker" 'got10k' in <out_dir>/got10k
    experiment.plot_curves = lambda *args, **kwargs: None
    with warnings.catch_warnings(), np.errstate(all='ignore'):
        warnings.simplefilter('ignore')
        return experiment.report(['got10k'])['got10k']['overall']


@pytest.mark.parametrize('tracker', ['procontext', 'static_box'])
def test_metrics_equal_the_got10k_toolkit_on_the_written_raw_results(
        tool, tiny_benchmark, tmp_path, tracker):
    if tracker == 'procontext':
        config = _write_config(tmp_path / 'tiny.py', TINY_MODEL)
        checkpoint = [_tiny_checkpoints(tmp_path)[0]]
    else:  # no parameters, no checkpoint
        config = _write_config(tmp_path / 'static.py', dict(type='StaticBoxTracker'))
        checkpoint = []
    out_dir = tmp_path / 'out'
    metrics = tool.main([config, *checkpoint, '--work-dir', str(tmp_path / 'work'),
                         '--out-dir', str(out_dir), *_options(tiny_benchmark)])
    assert set(metrics) == {'sot/AO', 'sot/SR0.5', 'sot/SR0.75', 'sot/FPS'}

    reference = _toolkit_report(tiny_benchmark, out_dir)
    num_scored = 2 * 19  # frames after the first one (bounds a one-frame SR difference)
    assert metrics['sot/AO'] == pytest.approx(100 * reference['ao'], abs=1e-3)
    assert metrics['sot/SR0.5'] == pytest.approx(100 * reference['sr'], abs=100 / num_scored)
    # times are written with 8 decimals: the static tracker's microsecond times lose digits
    assert metrics['sot/FPS'] == pytest.approx(reference['speed_fps'], rel=1e-2)
    if tracker == 'static_box':  # a tracker that gets some frames right: non-trivial values
        assert 0 < metrics['sot/SR0.5'] < 100 and metrics['sot/AO'] > 10

    with open(out_dir / 'frame_results.pkl', 'rb') as f:
        frames = pickle.load(f)
    assert [video['video_name'] for video in frames] == ['GOT-10k_Val_000001',
                                                         'GOT-10k_Val_000002']
    for video in frames:  # the benchmark format has the boxes; the scores are kept here
        raw = np.loadtxt(out_dir / 'got10k' / video['video_name'] /
                         f'{video["video_name"]}_001.txt', delimiter=',')
        boxes_xywh = np.c_[video['bboxes_xyxy'][:, :2],
                           video['bboxes_xyxy'][:, 2:] - video['bboxes_xyxy'][:, :2]]
        assert np.allclose(raw, boxes_xywh, atol=1e-3)
        assert video['scores'][0] == -1 and np.all(np.isfinite(video['scores']))


def test_the_authors_checkpoint_layout_gives_the_same_results(tool, tiny_benchmark, tmp_path):
    config = _write_config(tmp_path / 'tiny.py', TINY_MODEL)
    ours, theirs = _tiny_checkpoints(tmp_path)
    runs = {}
    for name, checkpoint in (('ours', ours), ('theirs', theirs)):
        out_dir = tmp_path / name
        metrics = tool.main([config, checkpoint, '--work-dir', str(tmp_path / 'work'),
                             '--out-dir', str(out_dir), *_options(tiny_benchmark)])
        with open(out_dir / 'frame_results.pkl', 'rb') as f:
            runs[name] = metrics, pickle.load(f)
    (metrics_ours, frames_ours), (metrics_theirs, frames_theirs) = runs['ours'], runs['theirs']
    assert metrics_theirs['sot/AO'] == metrics_ours['sot/AO']
    for video_ours, video_theirs in zip(frames_ours, frames_theirs):
        assert np.array_equal(video_ours['bboxes_xyxy'], video_theirs['bboxes_xyxy'])
        assert np.array_equal(video_ours['scores'], video_theirs['scores'])


def _got10k_test_split(benchmark, root):
    """A GOT-10k-layout ``test`` split made from ``val``: only the first box, no labels."""
    shutil.copytree(os.path.join(benchmark, 'val'), root / 'test')
    for seq in (root / 'test').iterdir():
        if seq.is_dir():
            gt = (seq / 'groundtruth.txt').read_text().splitlines()
            (seq / 'groundtruth.txt').write_text(gt[0] + '\n')
            for label in ('absence.label', 'cover.label', 'cut_by_image.label'):
                (seq / label).unlink(missing_ok=True)
    return str(root)


def test_format_only_on_the_test_split_writes_the_server_archive(tool, tiny_benchmark, tmp_path):
    data_root = _got10k_test_split(tiny_benchmark, tmp_path / 'got10k')
    config = _write_config(tmp_path / 'static.py', dict(type='StaticBoxTracker'))
    out_dir = tmp_path / 'submission'
    # the config's test split: format_only=True comes from configs/_base_/datasets/got10k_test.py
    metrics = tool.main([config, '--work-dir', str(tmp_path / 'work'), '--out-dir', str(out_dir),
                         '--cfg-options', f'test_dataloader.dataset.data_root={data_root}',
                         'test_dataloader.dataset.use_cache=False',
                         'test_dataloader.num_workers=0',
                         'test_dataloader.persistent_workers=False'])
    assert metrics == {}
    names = ['GOT-10k_Val_000001', 'GOT-10k_Val_000002']
    with zipfile.ZipFile(out_dir / 'got10k_submission.zip') as archive:
        assert sorted(archive.namelist()) == sorted(
            f'{name}/{name}{suffix}' for name in names for suffix in ('_001.txt', '_time.txt'))
        for name in names:
            first_box = np.loadtxt(os.path.join(data_root, 'test', name, 'groundtruth.txt'),
                                   delimiter=',')
            boxes = np.loadtxt(archive.open(f'{name}/{name}_001.txt'), delimiter=',')
            times = np.loadtxt(archive.open(f'{name}/{name}_time.txt'))
            num_frames = len([f for f in os.listdir(os.path.join(data_root, 'test', name))
                              if f.endswith('.jpg')])
            assert boxes.shape == (num_frames, 4) and times.shape == (num_frames, )
            assert np.allclose(boxes, first_box, atol=1e-3)  # the static tracker's prediction
    # --format-only needs somewhere to write
    with pytest.raises(ValueError, match='--format-only .* --out-dir'):
        tool.main([config, '--format-only', '--cfg-options', 'test_evaluator.out_dir=None'])


def test_a_tracker_with_parameters_needs_a_checkpoint(tool, tiny_benchmark, tmp_path):
    config = _write_config(tmp_path / 'tiny.py', TINY_MODEL)
    with pytest.raises(ValueError, match='ProContEXT has parameters: give a CHECKPOINT'):
        tool.main([config, '--work-dir', str(tmp_path), *_options(tiny_benchmark)])


@pytest.mark.parametrize('tracker', ['procontext', 'static_box'])
def test_two_gloo_processes_split_the_videos_and_merge_to_the_one_process_result(
        tool, tiny_benchmark, tmp_path, tracker):
    if tracker == 'procontext':
        config = _write_config(tmp_path / 'tiny.py', TINY_MODEL)
        checkpoint = _tiny_checkpoints(tmp_path)[0]
    else:  # the quickstart's baseline: no parameters, which plain DDP refuses to wrap
        config = str(REPO / 'configs' / 'quickstart' / 'static-box_builtin.py')
        checkpoint = None
    single = tool.main([config, *([checkpoint] if checkpoint else []),
                        '--work-dir', str(tmp_path / 'work1'), '--out-dir', str(tmp_path / 'out1'),
                        *_options(tiny_benchmark)])

    run = run_dist_test(config, checkpoint, 2, tmp_path, *_options(tiny_benchmark))
    assert 'videos per process: 1, 1' in run.log  # each rank tracked one of the two videos

    written = run.metrics  # by rank 0 only
    assert set(written) == set(single)
    for key in ('sot/AO', 'sot/SR0.5', 'sot/SR0.75'):
        assert written[key] == pytest.approx(single[key], abs=1e-9)
    merged = json.loads((tmp_path / 'out2' / 'got10k_report.json').read_text())
    assert 100 * merged['ao'] == pytest.approx(single['sot/AO'], abs=1e-9)
    assert 100 * merged['sr50'] == pytest.approx(single['sot/SR0.5'], abs=1e-9)
    assert 100 * merged['sr75'] == pytest.approx(single['sot/SR0.75'], abs=1e-9)
    with open(tmp_path / 'out1' / 'frame_results.pkl', 'rb') as f:
        frames_single = pickle.load(f)
    with open(tmp_path / 'out2' / 'frame_results.pkl', 'rb') as f:
        frames_dist = pickle.load(f)
    assert [v['video_name'] for v in frames_dist] == [v['video_name'] for v in frames_single]
    for video_dist, video_single in zip(frames_dist, frames_single):
        assert np.allclose(video_dist['bboxes_xyxy'], video_single['bboxes_xyxy'], atol=1e-4)


def test_precision_flag_sets_the_model_test_cfg(tool, tmp_path):
    config = _write_config(tmp_path / 'cfg.py', TINY_MODEL)
    cfg = tool.build_test_config(tool.parse_args([config, '--precision', 'auto']))
    assert cfg.model.test_cfg.precision == 'auto'
    assert tool.build_test_config(tool.parse_args([config])).model.test_cfg.get(
        'precision') is None  # the model's default (fp32) applies
    with pytest.raises(SystemExit):  # argparse names the allowed values
        tool.parse_args([config, '--precision', 'fp16'])
