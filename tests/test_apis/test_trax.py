"""The VOT TraX entry point (tools/vot/procontext_trax.py): its protocol parser, a loopback
session with a minimal client of our own, and the VOT toolkit driving it (when installed)."""
import os
import runpy
import subprocess
import sys
import threading
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from _vot_data import (TRAX_SCRIPT, write_static_box_config, write_tiny_config,
                       write_vot_dataset)
from mmengine.config import Config

from procontext_mm.apis import SOTAdapter, init_model, run_supervised_sequence
from procontext_mm.apis import evaluate_vot_results
from procontext_mm.datasets import VideoFrames
from procontext_mm.evaluation.functional.vot import vot_region_to_bbox_xywh
from procontext_mm.testing import tiny_tracker_cfg

TIMEOUT_S = 240

pytestmark = pytest.mark.usefixtures('one_thread')


trax_tool = SimpleNamespace(**runpy.run_path(str(TRAX_SCRIPT), run_name='procontext_trax'))


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """A VOT sequence, a tiny config file and a checkpoint of fixed random weights."""
    root = tmp_path_factory.mktemp('trax')
    torch.manual_seed(0)
    config = write_tiny_config(root / 'tiny_config.py')
    model = init_model(Config(dict(model=tiny_tracker_cfg(), default_scope='procontext_mm')))
    checkpoint = str(root / 'tiny.pth')
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    data = write_vot_dataset(root / 'vot', num_frames=16)
    return dict(root=root, config=config, checkpoint=checkpoint, data=data,
                static_config=write_static_box_config(root / 'static_config.py'),
                env=dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1'))


def test_message_parsing():
    name, args = trax_tool.parse_message(
        '@@TRAX:initialize "file:///a b/0001.jpg" "1.5,2,3,4" "k=v \\"q\\"" plain\n')
    assert name == 'initialize'
    assert args == ['file:///a b/0001.jpg', '1.5,2,3,4', 'k=v "q"', 'plain']
    assert trax_tool.parse_message(trax_tool.format_message('state', ['a"b\\c', ''])) == (
        'state', ['a"b\\c', ''])
    assert trax_tool.image_path('file:///data/x.jpg') == '/data/x.jpg'
    assert trax_tool.parse_properties(['a=1', 'b=x=y', 'junk']) == {'a': '1', 'b': 'x=y'}
    assert trax_tool.parse_region_xywh('1,2,3,4') == [1, 2, 3, 4]
    assert trax_tool.parse_region_xywh('1,2,7,3,6,9,0.5,8') == [0.5, 2, 6.5, 7]
    with pytest.raises(trax_tool.TraxProtocolError, match='masks are not supported'):
        trax_tool.parse_region_xywh('m1,2,3')
    with pytest.raises(trax_tool.TraxProtocolError, match='not a TraX message'):
        trax_tool.parse_message('hello')
    with pytest.raises(trax_tool.TraxProtocolError, match='unterminated quote'):
        trax_tool.parse_message('@@TRAX:frame "x')


def _expected_boxes(setup, num_frames):
    """Boxes x, y, w, h of the same tracker run in-process (frame 0: the initial box)."""
    adapter = SOTAdapter(setup['config'], setup['checkpoint'])
    frames = VideoFrames.from_files(setup['data']['frame_paths'])
    init_xywh = vot_region_to_bbox_xywh(setup['data']['polygons'][0])
    adapter.initialize_xywh(frames[0], init_xywh)
    return [init_xywh] + [adapter.track_xywh(frames[i])[0] for i in range(1, num_frames)]


def test_builtin_server_with_own_client(setup):
    """Loopback: spawn the entry point with the built-in protocol and speak TraX v3 to it."""
    paths, polygons = setup['data']['frame_paths'], setup['data']['polygons']
    stderr = open(setup['root'] / 'builtin_stderr.txt', 'w')
    server = subprocess.Popen(
        [sys.executable, str(TRAX_SCRIPT), setup['config'], setup['checkpoint'],
         '--backend', 'builtin', '--name', 'tiny'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
        env=setup['env'])
    watchdog = threading.Timer(TIMEOUT_S, server.kill)
    watchdog.start()

    def request(name, args):
        server.stdin.write(trax_tool.format_message(name, args))
        server.stdin.flush()
        return trax_tool.parse_message(server.stdout.readline())

    try:
        name, hello = trax_tool.parse_message(server.stdout.readline())
        assert name == 'hello'
        assert {'trax.version=3', 'trax.region=rectangle', 'trax.image=path',
                'trax.name=tiny'} <= set(hello)
        states = [request('initialize', ['file://' + paths[0],
                                         ','.join(map(str, polygons[0])), 'foo=bar'])]
        states += [request('frame', ['file://' + path]) for path in paths[1:4]]
        # a malformed request: the server answers quit with the reason and exits with 1
        name, args = request('frame', [])
        server.stdin.close()
        assert server.wait(TIMEOUT_S) == 1
    finally:
        watchdog.cancel()
        server.kill()
        stderr.close()
    assert name == 'quit' and 'frame needs an image' in args[0]
    expected = _expected_boxes(setup, 4)
    for (kind, args), box in zip(states, expected):
        assert kind == 'state'
        np.testing.assert_allclose([float(v) for v in args[0].split(',')], box, atol=2e-3)
        assert 0 <= float(trax_tool.parse_properties(args[1:])['confidence']) <= 1


@pytest.mark.parametrize('backend', ['auto', 'builtin'])
def test_vot_toolkit_runs_the_entry_point(setup, backend):
    """The VOT toolkit's supervised experiment over TraX (libtrax client) gives the records of
    our in-process runner, and its analysis the scores of ours on its raw results. The tracker
    is the static-box baseline: it fails on the moving square, so resets are exercised."""
    pytest.importorskip('vot.analysis')  # a bare 'vot' may be tools/vot/ (namespace)
    from vot.analysis.supervised import AccuracyRobustness, EAOCurve
    from vot.dataset import load_sequence
    from vot.experiment.multirun import SupervisedExperiment
    from vot.tracker import Registry
    from vot.workspace.storage import LocalStorage

    ini = setup['root'] / f'trackers_{backend}.ini'
    ini.write_text(f'[tiny]\nlabel = tiny\nprotocol = trax\ncommand = {sys.executable} '
                   f'{TRAX_SCRIPT} {setup["static_config"]} --backend {backend}\n'
                   'env_OMP_NUM_THREADS = 1\n')
    tracker = Registry([str(ini)])['tiny']
    sequence = load_sequence(setup['data']['seq_dir'])
    workspace = setup['root'] / f'workspace_{backend}'
    experiment = SupervisedExperiment(_identifier='baseline', _storage=LocalStorage(str(workspace)),
                                      skip_initialize=5, repetitions=1)
    experiment.execute(tracker, sequence)
    toolkit_run = experiment.gather(tracker, sequence)[0].regions()

    model = SOTAdapter(setup['static_config']).model
    frames = VideoFrames.from_files(setup['data']['frame_paths'])
    records, _ = run_supervised_sequence(model, frames, setup['data']['polygons'])
    statuses = [r for r in records if np.ndim(r) == 0]
    assert statuses.count(2) == 1 and statuses.count(1) == 2 and statuses.count(0) == 4
    assert len(toolkit_run) == len(records)
    for region, record in zip(toolkit_run, records):
        if np.ndim(record) == 0:
            assert region.code == record
        else:
            np.testing.assert_allclose([region.x, region.y, region.width, region.height],
                                       record, atol=2e-3)

    accuracy, failures, _, _ = AccuracyRobustness(burnin=3).subcompute(experiment, tracker,
                                                                       sequence, [])
    curve = EAOCurve().subcompute(experiment, tracker, [sequence], [])[0]
    dataset = dict(type='VOTDataset', data_root=setup['data']['root'], use_cache=False)
    report = evaluate_vot_results(str(workspace / 'results' / 'tiny' / 'baseline'), dataset,
                                  burnin=3, eao_interval=(1, 6))
    assert report['accuracy'] == pytest.approx(accuracy, abs=1e-6)
    assert report['robustness'] == failures
    np.testing.assert_allclose(report['eao_curve'], curve, atol=1e-6)
