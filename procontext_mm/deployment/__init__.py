"""Running the tracker's network outside PyTorch (ONNX export, ONNX Runtime): its own package,
as mmdet 2.x's ``core/export``, so that only it needs the optional ``deploy`` extra (onnx,
onnxruntime, onnxscript are imported when a function here is called, not on import)."""
from .onnx_export import (INPUT_NAMES, INT8_FLOAT_MODULES, OUTPUT_NAMES, PRECISIONS,
                          export_tracker_network, matmuls_of_modules, network_input_shapes,
                          network_metadata, quantize_int8)
from .onnxruntime_network import (OnnxRuntimeNetwork, build_onnxruntime_network,
                                  max_abs_differences)

__all__ = [
    'INPUT_NAMES', 'INT8_FLOAT_MODULES', 'OUTPUT_NAMES', 'PRECISIONS', 'export_tracker_network',
    'matmuls_of_modules', 'network_input_shapes', 'network_metadata', 'quantize_int8',
    'OnnxRuntimeNetwork', 'build_onnxruntime_network', 'max_abs_differences'
]
