"""Export of a ProContEXT tracker's network (backbone with candidate elimination + head) to ONNX.

The exported graph maps the normalised template crops and search crop of one tracking step to
the score / offset / size maps (:class:`CenterHeadOutput`); cropping, the Hann window, decoding
and the template memory stay Python (:meth:`ProContEXT.track`). Shapes are fixed by the config:
``templates`` (1, T, 3, Hz, Wz) with T = static + dynamic templates, ``search`` (1, 3, Hx, Wx).
"""
import ast
import contextlib
import importlib
import json
import logging
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

from procontext_mm.models.heads.center_head import CenterHeadOutput
from procontext_mm.version import __version__

#: Names of the graph's inputs and outputs, in order.
INPUT_NAMES = ('templates', 'search')
OUTPUT_NAMES = CenterHeadOutput._fields  # ('score_map', 'offset_map', 'size_map')
#: ``metadata_props`` key holding :func:`network_metadata` (JSON) in exported files.
METADATA_KEY = 'procontext_mm.network'
#: Precisions :func:`export_tracker_network` / the deployment tool offer.
PRECISIONS = ('fp32', 'int8')


def import_deploy_dependency(name: str):
    """Import an optional dependency of the deployment code, or say which extra installs it.

    Raises:
        ImportError: If ``name`` (onnx, onnxruntime, onnxscript) is not installed.
    """
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(
            f'{name} is not installed: ONNX export and the ONNX Runtime backend need the '
            '"deploy" extra, pip install "procontext_mm[deploy]" (in a clone: '
            'pip install -e ".[deploy]")') from error


def network_input_shapes(model: nn.Module) -> Dict[str, Tuple[int, ...]]:
    """Input shapes of the tracking network of ``model``, as :meth:`ProContEXT.track` feeds it.

    Args:
        model (ProContEXT): The tracker.

    Returns:
        dict[str, tuple[int]]: ``templates`` (1, T, 3, Hz, Wz) with T the number of static +
        dynamic templates of ``model.template_memory`` and Hz = Wz its ``template_size``;
        ``search`` (1, 3, Hx, Wx) with Hx = Wx = ``model.test_cfg['search_size']``.
    """
    memory = model.template_memory
    template_size, search_size = memory.template_size, model.test_cfg['search_size']
    return dict(templates=(1, memory.num_templates, 3, template_size, template_size),
                search=(1, 3, search_size, search_size))


def network_metadata(model: nn.Module) -> Dict[str, object]:
    """What the network's outputs depend on beyond its input shapes (stored in exported files
    and checked on load): the template order and the candidate-elimination settings."""
    backbone = model.backbone
    return dict(template_labels=model.template_memory.labels,
                ce_layers=list(backbone.ce_layers),
                ce_keep_ratio=list(backbone.ce_keep_ratio),
                ce_template_range=backbone.ce_template_range)


class TrackingNetwork(nn.Module):
    """``model.forward_crops`` as the module that is exported: (templates, search) -> maps.

    Args:
        model (ProContEXT): The tracker; its configured candidate-elimination keep ratios are
            used (eval mode).
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, templates: Tensor, search: Tensor) -> CenterHeadOutput:
        return self.model.forward_crops(templates, search)


def random_network_inputs(model: nn.Module, seed: int = 0) -> Dict[str, Tensor]:
    """Normalised crops of random uint8 images, shaped as :func:`network_input_shapes`.

    Returns:
        dict[str, Tensor]: ``templates`` and ``search``, float32 on the model's device.
    """
    generator = torch.Generator().manual_seed(seed)
    inputs = {}
    for name, shape in network_input_shapes(model).items():
        images = torch.randint(0, 256, shape, generator=generator, dtype=torch.uint8)
        inputs[name] = model.data_preprocessor.normalize(images)
    return inputs


@contextlib.contextmanager
def _quiet_exporter():
    # The exporter logs one warning per torchvision operator it cannot register; torchvision is
    # not a dependency of this package (it does not import beside its torch), so they are noise.
    logger = logging.getLogger('torch.onnx._internal.exporter._registration')
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def export_tracker_network(model: nn.Module, onnx_file: Union[str, Path],
                           opset_version: Optional[int] = None) -> Path:
    """Export the tracking network of ``model`` to ``onnx_file`` (float32).

    Uses torch's ``torch.export``-based exporter (``dynamo=True``, needs onnxscript): the
    TorchScript exporter (``dynamo=False``) is deprecated since torch 2.9 and traces the
    candidate-elimination token counts through tensor shapes (TracerWarnings); both give the
    same maps. Candidate elimination (top-k of the template-centre attention, gathers and the
    final scatter) is inside the graph, at the configured keep ratios. Weights are stored
    inside the file (no external data).

    Args:
        model (ProContEXT): The tracker; its training mode is restored afterwards.
        onnx_file (str | Path): Output file; parent folders are created.
        opset_version (int, optional): ONNX opset; None takes the exporter's default (20 with
            torch 2.13).

    Returns:
        Path: ``onnx_file``.
    """
    import_deploy_dependency('onnx')
    import_deploy_dependency('onnxscript')
    onnx_file = Path(onnx_file)
    onnx_file.parent.mkdir(parents=True, exist_ok=True)
    inputs = random_network_inputs(model)
    was_training = model.training
    model.eval()
    try:
        with _quiet_exporter(), torch.no_grad():
            program = torch.onnx.export(
                TrackingNetwork(model).eval(), (inputs['templates'], inputs['search']),
                dynamo=True, verbose=False, opset_version=opset_version,
                input_names=list(INPUT_NAMES), output_names=list(OUTPUT_NAMES))
    finally:
        model.train(was_training)
    program.model.producer_name = 'procontext_mm'
    program.model.producer_version = __version__
    program.model.metadata_props[METADATA_KEY] = json.dumps(network_metadata(model))
    program.save(str(onnx_file), external_data=False)
    return onnx_file


#: Modules whose MatMuls :func:`quantize_int8` leaves in float32 by default: the MLPs' output
#: layers. Their input is the GELU output (4 x wider than the token width, heavy-tailed), which
#: one dynamic uint8 scale per tensor resolves worst; quantising them too cost 0.7 AO points on
#: the trained quickstart ProContEXT for a 1.4x faster frame (docs/deployment.md).
INT8_FLOAT_MODULES = ('mlp.fc2', )
#: Key of the module path list in the nodes' ``metadata_props`` (torch.onnx's dynamo exporter).
_NAME_SCOPES_KEY = 'pkg.torch.onnx.name_scopes'


def matmuls_of_modules(onnx_file: Union[str, Path], modules: Sequence[str]) -> List[str]:
    """Names of the MatMul nodes exported from the modules whose path ends with one of
    ``modules`` (e.g. ``'mlp.fc2'`` matches ``model.backbone.blocks.3.mlp.fc2``), read from the
    module paths the exporter records in each node's metadata.

    Raises:
        ValueError: If a name in ``modules`` matches no MatMul of the file.
    """
    onnx = import_deploy_dependency('onnx')
    graph = onnx.load(str(onnx_file), load_external_data=False).graph
    found = {module: [] for module in modules}
    for node in graph.node:
        if node.op_type != 'MatMul':
            continue
        scopes = next((ast.literal_eval(prop.value) for prop in node.metadata_props
                       if prop.key == _NAME_SCOPES_KEY), [])
        for module in modules:
            if any(scope == module or scope.endswith('.' + module) for scope in scopes):
                found[module].append(node.name)
    missing = [module for module, nodes in found.items() if not nodes]
    if missing:
        raise ValueError(f'{onnx_file}: no MatMul node comes from a module named {missing} '
                         f'(the module paths are read from the {_NAME_SCOPES_KEY!r} metadata '
                         'that export_tracker_network writes)')
    return [name for nodes in found.values() for name in nodes]


def quantize_int8(fp32_file: Union[str, Path], int8_file: Union[str, Path],
                  float_modules: Sequence[str] = INT8_FLOAT_MODULES) -> Path:
    """ONNX Runtime dynamic quantisation: int8 weights of the transformer's linear layers, one
    scale per output channel, activations quantised per call.

    What stays float32: the attention products (ONNX Runtime quantises only MatMuls with a
    constant weight), the MatMuls of ``float_modules`` and the convolutions (patch embedding,
    head: their ``ConvInteger`` kernels run slower than float here). Per-channel weight scales
    cost no time and halve the AO loss of one scale per tensor (docs/deployment.md).

    Args:
        fp32_file (str | Path): Float32 file from :func:`export_tracker_network`.
        int8_file (str | Path): Output file; keeps the metadata of ``fp32_file``.
        float_modules (Sequence[str]): Module path suffixes whose MatMuls stay float32
            (:func:`matmuls_of_modules`); ``()`` quantises every linear layer (fastest).
            Defaults to :data:`INT8_FLOAT_MODULES`.

    Returns:
        Path: ``int8_file``.

    Raises:
        ValueError: If a name in ``float_modules`` matches no MatMul of ``fp32_file``.
    """
    quantization = import_deploy_dependency('onnxruntime.quantization')
    float_matmuls = matmuls_of_modules(fp32_file, float_modules) if float_modules else []
    int8_file = Path(int8_file)
    int8_file.parent.mkdir(parents=True, exist_ok=True)
    quantization.quantize_dynamic(str(fp32_file), str(int8_file),
                                  weight_type=quantization.QuantType.QInt8,
                                  op_types_to_quantize=['MatMul'], per_channel=True,
                                  nodes_to_exclude=float_matmuls)
    return int8_file
