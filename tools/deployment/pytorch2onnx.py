"""Export a tracker's network to ONNX and check it against PyTorch.

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT OUT.onnx [--precision fp32|int8]
        [--int8-float-modules mlp.fc2 ...] [--opset N] [--atol 1e-4] [--cfg-options k=v ...]

The graph maps the normalised template crops (1, T, 3, Hz, Wz) and search crop (1, 3, Hx, Wx)
to the score / offset / size maps, candidate elimination included; shapes are fixed by the
config. CHECKPOINT is this package's or the authors' (converted on load), or ``none`` for random
weights. After exporting, the file runs in ONNX Runtime on crops of random images beside the
PyTorch model and the largest difference of each map is printed; in fp32 a difference above
``--atol`` is an error (exit status 1). ``int8`` quantises the weights of the transformer's
linear layers per output channel (ONNX Runtime dynamic quantisation) except those of
``--int8-float-modules`` (default: the MLPs' output layers; give the flag alone to quantise
them all, faster and less accurate); its differences are printed, not held to ``--atol``.
Track with the file: ``init_model(CONFIG, backend='onnxruntime', onnx_file=OUT.onnx)``.
"""
import argparse
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

from mmengine.config import DictAction

from procontext_mm.apis import init_model
from procontext_mm.deployment import (INT8_FLOAT_MODULES, PRECISIONS, OnnxRuntimeNetwork,
                                      export_tracker_network, max_abs_differences,
                                      network_input_shapes, quantize_int8)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export a tracker\'s network to ONNX and check it against PyTorch')
    parser.add_argument('config', help='tracker config file')
    parser.add_argument('checkpoint', help='checkpoint of this package or of the authors, or '
                        '"none" for random weights')
    parser.add_argument('out', help='output .onnx file')
    parser.add_argument('--precision', choices=PRECISIONS, default='fp32',
                        help='fp32, or int8 (dynamic quantisation of the linear layers)')
    parser.add_argument('--int8-float-modules', nargs='*', metavar='MODULE',
                        help='with --precision int8: modules (path suffixes) whose linear layers '
                        f'stay float32 (default: {" ".join(INT8_FLOAT_MODULES)}; the flag alone: '
                        'quantise them all)')
    parser.add_argument('--opset', type=int, help='ONNX opset (default: the exporter\'s)')
    parser.add_argument('--atol', type=float, default=1e-4,
                        help='largest accepted |ONNX Runtime - PyTorch| of any map in fp32')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. model.backbone.ce_keep_ratio=1.0')
    args = parser.parse_args(argv)
    if args.int8_float_modules is None:
        args.int8_float_modules = list(INT8_FLOAT_MODULES)
    elif args.precision != 'int8':
        parser.error(f'--int8-float-modules applies to --precision int8, not {args.precision}')
    return args


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    """Export, check, print; returns the largest difference of each map.

    Raises:
        SystemExit: If an fp32 map differs from PyTorch by more than ``--atol``.
    """
    args = parse_args(argv)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = init_model(args.config, checkpoint, cfg_options=args.cfg_options)
    if not hasattr(model, 'forward_crops'):
        raise SystemExit(f'{args.config}: {type(model).__name__} has no network to export')
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix='procontext_onnx_') as folder:
        fp32_file = out if args.precision == 'fp32' else Path(folder) / 'network_fp32.onnx'
        export_tracker_network(model, fp32_file, args.opset)
        if args.precision == 'int8':
            quantize_int8(fp32_file, out, args.int8_float_modules)
    network = OnnxRuntimeNetwork(out)
    differences = max_abs_differences(model, network)

    print(f'Wrote {out} ({out.stat().st_size / 2**20:.1f} MB, {args.precision}), inputs '
          + ', '.join(f'{name} {shape}' for name, shape in network_input_shapes(model).items()))
    print('max |ONNX Runtime - PyTorch| on random crops: '
          + ', '.join(f'{name} {value:.2e}' for name, value in differences.items()))
    if args.precision == 'fp32':
        above = {name: value for name, value in differences.items() if value > args.atol}
        if above:
            raise SystemExit(
                f'{out} does not reproduce PyTorch: '
                + ', '.join(f'{name} differs by {value:.2e}' for name, value in above.items())
                + f' > --atol {args.atol:g}')
        print(f'Parity within {args.atol:g}: ok')
    else:
        print('int8 maps are not held to --atol (quantised weights and activations)')
    return differences


if __name__ == '__main__':
    main()
