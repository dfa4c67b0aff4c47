import importlib.util
import subprocess
import sys

import numpy as np
import pytest
import torch
from _tool_utils import REPO
from mmengine.config import Config

from procontext_mm.apis import init_model
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg

pytest.importorskip('onnxruntime', reason='onnxruntime is not installed (the deploy extra)')
pytest.importorskip('onnxscript', reason='onnxscript is not installed (the deploy extra)')
TOOL = REPO / 'tools/deployment/pytorch2onnx.py'


def _load_tool():
    spec = importlib.util.spec_from_file_location('pytorch2onnx', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pytorch2onnx = _load_tool()


@pytest.fixture(scope='module')
def tiny_config(tmp_path_factory):
    config = str(tmp_path_factory.mktemp('cfg') / 'tiny.py')
    Config(dict(model=tiny_tracker_cfg(), default_scope='procontext_mm')).dump(config)
    return config


def test_export_with_a_checkpoint_then_track_with_the_file(tiny_config, tmp_path, capsys):
    torch.manual_seed(1)
    model = init_model(tiny_config)
    checkpoint = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    out = tmp_path / 'out' / 'tiny.onnx'
    differences = pytorch2onnx.main([tiny_config, checkpoint, str(out)])
    printed = capsys.readouterr().out
    assert max(differences.values()) <= 1e-4
    assert f'Wrote {out}' in printed and 'templates (1, 4, 3, 64, 64)' in printed
    assert 'score_map' in printed and 'Parity within 0.0001: ok' in printed

    # the file carries the checkpoint's weights: tracking with it gives the PyTorch boxes
    frames, gt_xyxy = moving_square_video(num_frames=5)
    trackers = [init_model(tiny_config, checkpoint),
                init_model(tiny_config, backend='onnxruntime', onnx_file=str(out))]
    results = []
    for tracker in trackers:
        tracker.init(frames[0], gt_xyxy[0])
        results.append([tracker.track(frame)[0] for frame in frames[1:]])
    np.testing.assert_allclose(results[1], results[0], atol=1e-3, rtol=0)


def test_cfg_options_reach_the_exported_graph(tiny_config, tmp_path):
    out = tmp_path / 'tiny_t2.onnx'
    pytorch2onnx.main([tiny_config, 'none', str(out), '--opset', '18',
                       '--cfg-options', 'model.template_memory.dynamic_factors=[]'])
    onnx = pytest.importorskip('onnx')
    model = onnx.load(str(out))
    assert [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim] == \
        [1, 2, 3, 64, 64]
    assert {o.version for o in model.opset_import if o.domain in ('', 'ai.onnx')} == {18}


def test_maps_above_the_tolerance_fail_with_a_message(tiny_config, tmp_path, monkeypatch):
    monkeypatch.setattr(pytorch2onnx, 'max_abs_differences',
                        lambda model, network: dict(score_map=1e-7, offset_map=3e-3,
                                                    size_map=0.))
    with pytest.raises(SystemExit, match=r'tiny.onnx does not reproduce PyTorch: offset_map '
                       r'differs by 3.00e-03 > --atol 0.0001'):
        pytorch2onnx.main([tiny_config, 'none', str(tmp_path / 'tiny.onnx')])


@pytest.mark.slow
def test_int8_writes_a_smaller_quantised_file_not_held_to_the_tolerance(
        tiny_config, tmp_path, capsys):
    fp32, int8 = tmp_path / 'fp32.onnx', tmp_path / 'int8.onnx'
    pytorch2onnx.main([tiny_config, 'none', str(fp32)])
    pytorch2onnx.main([tiny_config, 'none', str(int8), '--precision', 'int8'])
    assert 'int8 maps are not held to --atol' in capsys.readouterr().out
    # qkv, proj and fc1 (2/3 of the transformer's weights, most of the parameters) are stored
    # in 1 byte instead of 4; with --int8-float-modules alone fc2 is too
    all_int8 = tmp_path / 'all_int8.onnx'
    pytorch2onnx.main([tiny_config, 'none', str(all_int8), '--precision', 'int8',
                       '--int8-float-modules'])
    assert all_int8.stat().st_size < 0.5 * fp32.stat().st_size < int8.stat().st_size
    assert int8.stat().st_size < 0.7 * fp32.stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ['all_int8.onnx', 'fp32.onnx',
                                                          'int8.onnx']


@pytest.mark.slow
def test_command_line_exit_status_above_the_tolerance(tiny_config, tmp_path):
    # --atol 0: float32 ONNX Runtime and PyTorch kernels never agree to the last bit everywhere
    run = subprocess.run([sys.executable, str(TOOL), tiny_config, 'none',
                          str(tmp_path / 'tiny.onnx'), '--atol', '0'],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert 'does not reproduce PyTorch' in run.stderr and '> --atol 0' in run.stderr
    assert 'max |ONNX Runtime - PyTorch| on random crops' in run.stdout


def test_int8_float_modules_without_int8_is_refused(tiny_config, tmp_path, capsys):
    with pytest.raises(SystemExit):
        pytorch2onnx.parse_args([tiny_config, 'none', str(tmp_path / 'x.onnx'),
                                 '--int8-float-modules', 'mlp.fc2'])
    assert '--int8-float-modules applies to --precision int8, not fp32' in capsys.readouterr().err
    args = pytorch2onnx.parse_args([tiny_config, 'none', 'x.onnx', '--precision', 'int8'])
    assert args.int8_float_modules == ['mlp.fc2']
