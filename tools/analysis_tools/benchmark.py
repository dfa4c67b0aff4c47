"""Tracking speed of a config on a generated video, split into crop / forward / post-processing.

    python tools/analysis_tools/benchmark.py CONFIG [--frames 20] [--rounds 3]

Runs, interleaved in rounds so that load on a shared machine hits all alike:
  * the config's model with candidate elimination at keep 0.7 and at 1.0 (no elimination);
  * the same weights with attention computed as the reference implementation does (explicit
    (L, L) attention maps in every block) -- same outputs, the authors' compute pattern;
and prints per-frame latency (median), FPS, the keep 0.7 / 1.0 ratio, and the forward time
against the time its conv + linear multiply-accumulates need at this machine's measured matmul
throughput.
"""
import argparse
import statistics
import time

import numpy as np
import torch
from mmengine.config import Config, DictAction

from procontext_mm.apis import init_model
from procontext_mm.testing import moving_square_video
from procontext_mm.utils.complexity import tracking_forward_complexity


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='tracking speed benchmark')
    parser.add_argument('config')
    parser.add_argument('--frames', type=int, default=20, help='tracked frames per round')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--height', type=int, default=480)
    parser.add_argument('--width', type=int, default=640)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    return parser.parse_args(argv)


def matmul_gmacs_per_second(rows: int = 1024, repeats: int = 20) -> float:
    """Measured float32 matmul throughput (GMAC/s, all torch threads) on ViT-B MLP shapes."""
    a, b = torch.randn(rows, 768), torch.randn(768, 3072)
    for _ in range(2):
        a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return rows * 768 * 3072 * repeats / (time.perf_counter() - start) / 1e9


def build_variants(cfg: Config, cfg_options: dict) -> dict:
    """The config's tracker at keep 0.7 and 1.0, and reference-style attention, same weights."""
    variants = {
        'keep 0.7': {'model.backbone.ce_keep_ratio': 0.7},
        'keep 1.0': {'model.backbone.ce_keep_ratio': 1.0},
        'keep 0.7, reference attention': {'model.backbone.ce_keep_ratio': 0.7,
                                          'model.backbone.explicit_attention': True},
    }
    models = {}
    for name, options in variants.items():
        torch.manual_seed(0)
        models[name] = init_model(cfg.copy(), cfg_options={**cfg_options, **options})
    state = models['keep 0.7'].state_dict()
    for model in models.values():
        model.load_state_dict(state)
    return models


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    models = build_variants(cfg, args.cfg_options or {})
    num_frames = 1 + args.warmup + args.frames * args.rounds
    frames, boxes = moving_square_video(num_frames, args.height, args.width, size=60, step=(1, 1))
    timings = {name: [] for name in models}
    outputs = {name: [] for name in models}
    throughputs = []
    for model in models.values():
        model.init(frames[0], boxes[0])
        for frame in frames[1:1 + args.warmup]:
            model.track(frame)
    with torch.inference_mode():
        for r in range(args.rounds):
            chunk = frames[1 + args.warmup + r * args.frames:1 + args.warmup + (r + 1) * args.frames]
            throughputs.append(matmul_gmacs_per_second())
            for name, model in models.items():
                for frame in chunk:
                    outputs[name].append(model.track(frame)[0])
                    timings[name].append(dict(model.timings))

    throughput = max(throughputs)  # the bound uses the best throughput seen between rounds
    print(f'{args.config}\ntorch threads: {torch.get_num_threads()}, matmul throughput: '
          f'{throughput:.1f} GMAC/s (best of {len(throughputs)} samples between rounds: '
          f'{", ".join(f"{t:.0f}" for t in throughputs)}), '
          f'{args.frames * args.rounds} frames per variant\n')
    header = (f'{"variant":<31} | {"GMAC":>5} | {"bound ms":>8} | {"crop ms":>7} | '
              f'{"forward ms":>10} | {"post ms":>7} | {"pre+post %":>10} | {"fwd/bound":>9} | {"FPS":>5}')
    print(header)
    print('-' * len(header))
    medians = {}
    for name, model in models.items():
        gmacs = tracking_forward_complexity(model)['layer_gmacs']
        med = {k: statistics.median(t[k] for t in timings[name]) for k in ('crop', 'forward', 'post')}
        total = sum(med.values())
        bound = gmacs / throughput
        medians[name] = med
        print(f'{name:<31} | {gmacs:5.1f} | {1e3 * bound:8.1f} | {1e3 * med["crop"]:7.1f} | '
              f'{1e3 * med["forward"]:10.1f} | {1e3 * med["post"]:7.1f} | '
              f'{100 * (med["crop"] + med["post"]) / total:10.2f} | '
              f'{med["forward"] / bound:9.2f} | {1 / total:5.2f}')
    fast, full = medians['keep 0.7']['forward'], medians['keep 1.0']['forward']
    reference = medians['keep 0.7, reference attention']['forward']
    same = np.allclose(outputs['keep 0.7'], outputs['keep 0.7, reference attention'], atol=1e-3)
    print(f'\nkeep 0.7 vs 1.0: forward {100 * (1 - fast / full):.1f}% faster '
          f'(Table 4: 16.5% fewer FLOPs)')
    print(f'fused vs reference attention at keep 0.7: {reference / fast:.2f}x faster, '
          f'identical boxes: {same}')


if __name__ == '__main__':
    main()
