import json
from collections import Counter

import pytest
import torch

from procontext_mm.apis import init_model
from procontext_mm.deployment import (INPUT_NAMES, OUTPUT_NAMES, OnnxRuntimeNetwork,
                                      build_onnxruntime_network, max_abs_differences,
                                      network_metadata, quantize_int8)
from procontext_mm.deployment.onnx_export import METADATA_KEY, random_network_inputs

onnx = pytest.importorskip('onnx', reason='onnx is not installed (the deploy extra)')
pytest.importorskip('onnxruntime', reason='onnxruntime is not installed (the deploy extra)')


def _op_counts(onnx_file):
    return Counter(node.op_type for node in onnx.load(str(onnx_file)).graph.node)


def test_exported_maps_equal_pytorch_within_1e4(tiny_files):
    model = init_model(tiny_files['config'], tiny_files['checkpoint'])
    differences = max_abs_differences(model, OnnxRuntimeNetwork(tiny_files['onnx']),
                                      seeds=(0, 1, 2))
    assert set(differences) == set(OUTPUT_NAMES)
    assert max(differences.values()) <= 1e-4, differences


def test_the_graph_has_fixed_config_shapes_and_candidate_elimination_inside(tiny_files):
    model = onnx.load(tiny_files['onnx'])
    shapes = {i.name: tuple(d.dim_value for d in i.type.tensor_type.shape.dim)
              for i in model.graph.input}
    # tiny_tracker_cfg: 2 static + 2 dynamic templates of 64 px, 128 px search
    assert shapes == dict(templates=(1, 4, 3, 64, 64), search=(1, 3, 128, 128))
    assert tuple(o.name for o in model.graph.output) == OUTPUT_NAMES
    # one token ranking per eliminating block (ce_layers=(1, 2)) and one scatter back to the grid
    ops = _op_counts(tiny_files['onnx'])
    assert ops['TopK'] == 2 and ops['ScatterElements'] == 1


def test_the_file_records_what_the_maps_depend_on_beyond_shapes(tiny_files):
    model = init_model(tiny_files['config'], tiny_files['checkpoint'])
    props = {p.key: p.value for p in onnx.load(tiny_files['onnx']).metadata_props}
    assert json.loads(props[METADATA_KEY]) == network_metadata(model) == dict(
        template_labels=['S2', 'S4', 'D2', 'D4'], ce_layers=[1, 2], ce_keep_ratio=[0.7, 0.7],
        ce_template_range='centre')


def test_export_keeps_the_model_mode_and_its_pytorch_outputs(tiny_files):
    model = init_model(tiny_files['config'], tiny_files['checkpoint']).train()
    inputs = random_network_inputs(model)
    with torch.no_grad():
        before = model.eval().forward_crops(inputs['templates'], inputs['search'])
    model.train()
    network = build_onnxruntime_network(model)
    assert model.training and all(m.training for m in model.modules())
    with torch.no_grad():
        after = model.eval().forward_crops(inputs['templates'], inputs['search'])
    for old, new in zip(before, after):
        assert torch.equal(old, new)
    assert tuple(network.input_shapes) == INPUT_NAMES


def test_int8_quantises_the_matmuls_keeps_the_metadata_and_runs(tiny_files, tmp_path):
    int8_file = quantize_int8(tiny_files['onnx'], tmp_path / 'tiny_int8.onnx')
    ops = _op_counts(int8_file)
    assert ops['MatMulInteger'] > 0 and ops['DynamicQuantizeLinear'] > 0
    assert ops['Conv'] == _op_counts(tiny_files['onnx'])['Conv']  # convolutions stay float
    model = init_model(tiny_files['config'], tiny_files['checkpoint'])
    network = OnnxRuntimeNetwork(int8_file)
    network.check_matches(model)
    inputs = random_network_inputs(model)
    maps = network(inputs['templates'], inputs['search'])
    assert maps.score_map.shape == (1, 1, 8, 8) and maps.size_map.shape == (1, 2, 8, 8)
    assert all(torch.isfinite(m).all() for m in maps)
