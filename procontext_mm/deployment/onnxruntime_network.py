"""The tracking network run by ONNX Runtime, as a drop-in for :meth:`ProContEXT.forward_crops`
in tracking (:meth:`ProContEXT.set_network_backend`)."""
import json
import tempfile
from pathlib import Path
from typing import Dict, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor, nn

from procontext_mm.models.heads.center_head import CenterHeadOutput
from .onnx_export import (INPUT_NAMES, INT8_FLOAT_MODULES, METADATA_KEY, OUTPUT_NAMES,
                          PRECISIONS, export_tracker_network, import_deploy_dependency,
                          network_input_shapes, network_metadata, quantize_int8,
                          random_network_inputs)


class OnnxRuntimeNetwork:
    """An exported tracking network (:func:`export_tracker_network`) in an ONNX Runtime CPU
    session; calling it maps (templates, search) to :class:`CenterHeadOutput`.

    Args:
        onnx_file (str | Path): The exported network.
        num_threads (int, optional): ONNX Runtime intra-op threads; None uses
            ``torch.get_num_threads()`` (so both backends compute with the same threads).

    Attributes:
        input_shapes (dict[str, tuple]): Shape of each graph input, e.g. ``templates``
            (1, 4, 3, 128, 128), ``search`` (1, 3, 256, 256).
        metadata (dict): :func:`network_metadata` of the exported tracker (empty for files
            exported by other means).

    Raises:
        ImportError: If onnxruntime is not installed (naming the extra to install).
        FileNotFoundError: If ``onnx_file`` does not exist.
        ValueError: If ONNX Runtime cannot load the file, or its inputs / outputs are not the
            tracking network's (names in :data:`INPUT_NAMES`, :data:`OUTPUT_NAMES`).
    """

    def __init__(self, onnx_file: Union[str, Path], num_threads: Optional[int] = None):
        onnxruntime = import_deploy_dependency('onnxruntime')
        self.onnx_file = Path(onnx_file)
        if not self.onnx_file.is_file():
            raise FileNotFoundError(f'ONNX file {self.onnx_file} does not exist')
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = num_threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only
        try:
            self.session = onnxruntime.InferenceSession(
                str(self.onnx_file), options, providers=['CPUExecutionProvider'])
        except Exception as error:  # ORT raises plain Exception subclasses (Fail, InvalidGraph..)
            raise ValueError(f'ONNX Runtime cannot load {self.onnx_file}: {error}') from error
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        names = (tuple(i.name for i in inputs), tuple(o.name for o in outputs))
        if names != (INPUT_NAMES, OUTPUT_NAMES):
            raise ValueError(
                f'{self.onnx_file} is not a ProContEXT tracking network: inputs {names[0]} and '
                f'outputs {names[1]}, expected {INPUT_NAMES} and {OUTPUT_NAMES} (export it with '
                'tools/deployment/pytorch2onnx.py)')
        self.input_shapes = {i.name: tuple(i.shape) for i in inputs}
        metadata = self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
        self.metadata = json.loads(metadata) if metadata else {}

    def check_matches(self, model: nn.Module) -> None:
        """Refuse a file exported for another configuration than ``model``'s.

        Compares the input shapes with :func:`network_input_shapes` (number of templates,
        template and search sizes) and the stored template labels and candidate-elimination
        settings with :func:`network_metadata`.

        Raises:
            ValueError: Naming the file, the input or setting, the expected and the found value.
        """
        problems = [
            f'input {name!r} has shape {self.input_shapes[name]}, the config gives {shape}'
            + (f' ({model.template_memory.num_templates} templates '
               f'{model.template_memory.labels} of {shape[-1]} px)' if name == 'templates' else
               f' (search_size {shape[-1]})')
            for name, shape in network_input_shapes(model).items()
            if self.input_shapes[name] != shape
        ]
        problems += [
            f'it was exported with {key}={self.metadata[key]}, the config gives {value}'
            for key, value in network_metadata(model).items()
            if key in self.metadata and self.metadata[key] != value
        ]
        if problems:
            raise ValueError(f'{self.onnx_file} does not match the tracker\'s config: '
                             + '; '.join(problems) + '. Export it again from this config.')

    def __call__(self, templates: Tensor, search: Tensor) -> CenterHeadOutput:
        """Run the network.

        Args:
            templates (Tensor): (1, T, 3, Hz, Wz) normalised template crops.
            search (Tensor): (1, 3, Hx, Wx) normalised search crop.

        Returns:
            CenterHeadOutput: float32 maps on ``search``'s device.

        Raises:
            ValueError: If an input's shape is not the exported one.
        """
        feeds = {}
        for name, tensor in zip(INPUT_NAMES, (templates, search)):
            if tuple(tensor.shape) != self.input_shapes[name]:
                raise ValueError(f'{self.onnx_file} takes {name} of shape '
                                 f'{self.input_shapes[name]}, got {tuple(tensor.shape)}')
            feeds[name] = np.ascontiguousarray(tensor.detach().float().cpu().numpy())
        maps = self.session.run(list(OUTPUT_NAMES), feeds)
        return CenterHeadOutput(*(torch.from_numpy(m).to(search.device) for m in maps))


def build_onnxruntime_network(model: nn.Module, precision: str = 'fp32',
                              num_threads: Optional[int] = None,
                              opset_version: Optional[int] = None,
                              int8_float_modules: Sequence[str] = INT8_FLOAT_MODULES
                              ) -> OnnxRuntimeNetwork:
    """Export the tracking network of ``model`` to a temporary file and load it in ONNX Runtime
    (e.g. for benchmarks: ``model.set_network_backend(build_onnxruntime_network(model))``).

    Args:
        model (ProContEXT): The tracker with its weights.
        precision (str): ``'fp32'`` or ``'int8'`` (:func:`quantize_int8`). Defaults to 'fp32'.
        num_threads (int, optional): See :class:`OnnxRuntimeNetwork`.
        opset_version (int, optional): See :func:`export_tracker_network`.
        int8_float_modules (Sequence[str]): In int8, the modules whose linear layers stay
            float32 (``float_modules`` of :func:`quantize_int8`). Defaults to
            :data:`INT8_FLOAT_MODULES`.

    Returns:
        OnnxRuntimeNetwork: checked against ``model``'s config.
    """
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {PRECISIONS}, got {precision!r}')
    with tempfile.TemporaryDirectory(prefix='procontext_onnx_') as folder:
        onnx_file = export_tracker_network(model, Path(folder) / 'network_fp32.onnx',
                                           opset_version)
        if precision == 'int8':
            onnx_file = quantize_int8(onnx_file, Path(folder) / 'network_int8.onnx',
                                      int8_float_modules)
        network = OnnxRuntimeNetwork(onnx_file, num_threads)  # the session holds the graph
    network.check_matches(model)
    return network


def max_abs_differences(model: nn.Module, network: OnnxRuntimeNetwork,
                        seeds: Sequence[int] = (0, 1)) -> Dict[str, float]:
    """Largest absolute difference of each map between ``network`` and ``model``'s PyTorch
    forward (eval mode, float32) on crops of random images.

    Args:
        model (ProContEXT): The tracker the network was exported from.
        network (OnnxRuntimeNetwork): The exported network.
        seeds (Sequence[int]): One pair of random crops per seed.

    Returns:
        dict[str, float]: ``score_map``, ``offset_map``, ``size_map`` -> max |ORT - PyTorch|
        over all seeds.
    """
    was_training = model.training
    model.eval()
    differences = dict.fromkeys(OUTPUT_NAMES, 0.)
    try:
        for seed in seeds:
            inputs = random_network_inputs(model, seed)
            with torch.no_grad():
                expected = model.forward_crops(inputs['templates'], inputs['search'])
            got = network(inputs['templates'], inputs['search'])
            for name, want, have in zip(OUTPUT_NAMES, expected, got):
                differences[name] = max(differences[name],
                                        float((have.to(want) - want).abs().max()))
    finally:
        model.train(was_training)
    return differences
