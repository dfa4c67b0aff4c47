import numpy as np
import pytest
import torch
from _deployment_utils import TINY_CFG_KWARGS
from mmengine.config import Config

from procontext_mm.apis import init_model
from procontext_mm.deployment import OnnxRuntimeNetwork
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg

onnx = pytest.importorskip('onnx', reason='onnx is not installed (the deploy extra)')
pytest.importorskip('onnxruntime', reason='onnxruntime is not installed (the deploy extra)')


def _track(model, frames, init_xyxy):
    model.init(frames[0], init_xyxy)
    boxes, scores = zip(*(model.track(frame) for frame in frames[1:]))
    return np.array(boxes), np.array(scores), list(model.template_memory.update_frames)


def test_the_onnxruntime_tracker_gives_the_pytorch_boxes_and_template_updates(tiny_files):
    frames, gt_xyxy = moving_square_video(num_frames=16)
    pytorch_model = init_model(tiny_files['config'], tiny_files['checkpoint'])
    boxes, scores, updates = _track(pytorch_model, frames, gt_xyxy[0])
    # the update decisions compare the raw score with the threshold: confirm this video has
    # refresh frames of both outcomes, so that equal update frames say something
    assert updates and len(updates) < (len(frames) - 1) // TINY_CFG_KWARGS['update_interval']

    ort_model = init_model(tiny_files['config'], backend='onnxruntime',
                           onnx_file=tiny_files['onnx'])
    assert isinstance(ort_model.network_backend, OnnxRuntimeNetwork)
    ort_boxes, ort_scores, ort_updates = _track(ort_model, frames, gt_xyxy[0])
    np.testing.assert_allclose(ort_boxes, boxes, atol=1e-3, rtol=0)
    np.testing.assert_allclose(ort_scores, scores, atol=1e-4, rtol=0)
    assert ort_updates == updates


def test_the_network_returns_center_head_output_like_forward_crops(tiny_files):
    model = init_model(tiny_files['config'], tiny_files['checkpoint'])
    network = OnnxRuntimeNetwork(tiny_files['onnx'], num_threads=1)
    templates, search = torch.zeros(1, 4, 3, 64, 64), torch.ones(1, 3, 128, 128)
    got = network(templates, search)
    with torch.no_grad():
        expected = model.forward_crops(templates, search)
    assert type(got) is type(expected) and got._fields == expected._fields
    for have, want in zip(got, expected):
        assert have.dtype == want.dtype and have.shape == want.shape
    with pytest.raises(ValueError, match=r'takes search of shape \(1, 3, 128, 128\), got '
                       r'\(1, 3, 96, 96\)'):
        network(templates, torch.ones(1, 3, 96, 96))


@pytest.mark.parametrize('cfg_kwargs, message', [
    (dict(dynamic_factors=()), r"input 'templates' has shape \(1, 4, 3, 64, 64\), the config "
     r"gives \(1, 2, 3, 64, 64\) \(2 templates \['S2', 'S4'\] of 64 px\)"),
    (dict(search_size=160), r"input 'search' has shape \(1, 3, 128, 128\), the config gives "
     r"\(1, 3, 160, 160\) \(search_size 160\)"),
    (dict(ce_keep_ratio=1.0), r'exported with ce_keep_ratio=\[0.7, 0.7\], the config gives '
     r'\[1.0, 1.0\]'),
])
def test_a_file_exported_for_another_config_is_refused(tiny_files, tmp_path, cfg_kwargs,
                                                       message):
    other = str(tmp_path / 'other.py')
    Config(dict(model=tiny_tracker_cfg(**{**TINY_CFG_KWARGS, **cfg_kwargs}),
                default_scope='procontext_mm')).dump(other)
    with pytest.raises(ValueError, match=rf'tiny.onnx does not match the tracker\'s config: '
                       rf'.*{message}'):
        init_model(other, backend='onnxruntime', onnx_file=tiny_files['onnx'])


def test_missing_unreadable_and_foreign_files_are_refused(tiny_files, tmp_path):
    missing = tmp_path / 'missing.onnx'
    with pytest.raises(FileNotFoundError, match='ONNX file .*missing.onnx does not exist'):
        init_model(tiny_files['config'], backend='onnxruntime', onnx_file=str(missing))
    garbage = tmp_path / 'garbage.onnx'
    garbage.write_bytes(b'not a protobuf')
    with pytest.raises(ValueError, match='ONNX Runtime cannot load .*garbage.onnx'):
        OnnxRuntimeNetwork(garbage)
    # a valid ONNX model that is not a tracking network
    helper = onnx.helper
    value = helper.make_tensor_value_info('image', onnx.TensorProto.FLOAT, [1, 3])
    result = helper.make_tensor_value_info('out', onnx.TensorProto.FLOAT, [1, 3])
    graph = helper.make_graph([helper.make_node('Identity', ['image'], ['out'])], 'g', [value],
                              [result])
    foreign = tmp_path / 'identity.onnx'
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)]), foreign)
    with pytest.raises(ValueError, match=r"identity.onnx is not a ProContEXT tracking network: "
                       r"inputs \('image',\) and outputs \('out',\)"):
        OnnxRuntimeNetwork(foreign)


def test_init_model_backend_arguments_are_checked(tiny_files):
    with pytest.raises(ValueError, match="backend must be one of .* got 'tensorrt'"):
        init_model(tiny_files['config'], backend='tensorrt')
    with pytest.raises(ValueError, match="onnx_file is needed with backend='onnxruntime'"):
        init_model(tiny_files['config'], backend='onnxruntime')
    with pytest.raises(ValueError, match="only then, got backend='pytorch'"):
        init_model(tiny_files['config'], onnx_file=tiny_files['onnx'])
