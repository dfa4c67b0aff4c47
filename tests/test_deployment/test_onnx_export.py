import ast
import json
from collections import Counter

import pytest
import torch

from procontext_mm.apis import init_model
from procontext_mm.deployment import (INPUT_NAMES, OUTPUT_NAMES, OnnxRuntimeNetwork,
                                      build_onnxruntime_network, max_abs_differences,
                                      matmuls_of_modules, network_metadata, quantize_int8)
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


def _float_matmul_scopes(onnx_file):
    """Module path of every MatMul left in float32, e.g. 'model.backbone.blocks.0.mlp.fc2'."""
    scopes = []
    for node in onnx.load(str(onnx_file)).graph.node:
        if node.op_type == 'MatMul':
            names = [p.value for p in node.metadata_props if p.key == 'pkg.torch.onnx.name_scopes']
            scopes.append(ast.literal_eval(names[0])[-2])  # [..., module, op]
    return scopes


def test_int8_quantises_the_linear_layers_keeps_the_metadata_and_runs(tiny_files, tmp_path):
    int8_file = quantize_int8(tiny_files['onnx'], tmp_path / 'tiny_int8.onnx')
    ops = _op_counts(int8_file)
    # tiny: 4 blocks of qkv, proj, fc1 quantised; fc2 and the attention products stay float
    assert ops['MatMulInteger'] == 4 * 3 and ops['DynamicQuantizeLinear'] == 4 * 3
    assert ops['Conv'] == _op_counts(tiny_files['onnx'])['Conv']  # convolutions stay float
    float_scopes = _float_matmul_scopes(int8_file)
    assert sorted(s for s in float_scopes if s.endswith('fc2')) == [
        f'model.backbone.blocks.{i}.mlp.fc2' for i in range(4)]
    assert all(s.endswith(('fc2', '.attn')) for s in float_scopes), float_scopes
    props = {p.key for p in onnx.load(str(int8_file)).metadata_props}
    assert METADATA_KEY in props
    model = init_model(tiny_files['config'], tiny_files['checkpoint'])
    network = OnnxRuntimeNetwork(int8_file)
    network.check_matches(model)
    inputs = random_network_inputs(model)
    maps = network(inputs['templates'], inputs['search'])
    assert maps.score_map.shape == (1, 1, 8, 8) and maps.size_map.shape == (1, 2, 8, 8)
    assert all(torch.isfinite(m).all() for m in maps)
    # one weight zero point (and scale) per output channel, not one per tensor
    graph = onnx.load(str(int8_file)).graph
    initializers = {i.name: tuple(i.dims) for i in graph.initializer}
    weight_zero_points = [initializers[n.input[3]] for n in graph.node
                          if n.op_type == 'MatMulInteger']
    assert all(len(dims) == 1 and dims[0] > 1 for dims in weight_zero_points), weight_zero_points


def test_int8_without_float_modules_quantises_every_linear_layer(tiny_files, tmp_path):
    int8_file = quantize_int8(tiny_files['onnx'], tmp_path / 'all.onnx', float_modules=())
    assert _op_counts(int8_file)['MatMulInteger'] == 4 * 4
    assert all(s.endswith('.attn') for s in _float_matmul_scopes(int8_file))


def test_int8_names_a_float_module_that_matches_no_matmul(tiny_files, tmp_path):
    with pytest.raises(ValueError, match=r"no MatMul node comes from a module named \['mlp.fc3'\]"):
        quantize_int8(tiny_files['onnx'], tmp_path / 'x.onnx', float_modules=('mlp.fc3', ))
    assert matmuls_of_modules(tiny_files['onnx'], ('blocks.0.attn.qkv', )) != []
