"""Training-step speed of a config with mmengine's OptimWrapper (float32) and BF16OptimWrapper.

    python tools/analysis_tools/benchmark_train_step.py CONFIG [--batch-size 2] [--steps 3] \
        [--rounds 3] [--warmup 1] [--threads 2] [--ce-keep-ratio R]

Builds the config's model (random weights) and optimizer wrapper twice with the same initial
weights: ``optim_wrapper.type='OptimWrapper'`` (float32) and ``'BF16OptimWrapper'`` (forwards
under bfloat16 autocast; what ``tools/train.py --amp`` chooses on a CPU with native bfloat16).
Both train on the same synthetic batch, shaped as the config's training pipeline packs it
(``batch_size`` samples of the template memory's crops at ``template_size`` and one search
crop at ``search_size``, uint8, a target box in the search crop), interleaved in rounds; the
table gives the median time of the forward (preprocessing + losses) and of the backward +
optimizer step (``OptimWrapper.update_params``: gradient clipping and the parameter update
included), samples per second, and the loss of the first step (same weights, same batch).
"""
import argparse
import copy
import os
import statistics
import time

import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.config import Config, DictAction
from mmengine.optim import build_optim_wrapper
from mmengine.structures import InstanceData

from procontext_apps.machine import describe_machine
from procontext_apps.text_table import format_table
from procontext_mm.apis import init_model
from procontext_mm.utils.cpu_info import BF16_CPU_FLAGS, cpu_flags

#: Rows: name -> optim_wrapper.type.
OPTIM_WRAPPER_TYPES = {'fp32': 'OptimWrapper', 'bf16': 'BF16OptimWrapper'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a training config (with optim_wrapper)')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3, help='timed steps per round')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1,
                        help='untimed steps per wrapper (at least 1: the first step, whose loss '
                        'is printed)')
    parser.add_argument('--threads', type=int, default=2, help='intra-op threads')
    parser.add_argument('--ce-keep-ratio', type=float, default=None,
                        help='keep ratio of the eliminating blocks (backbone.'
                        'scheduled_ce_keep_ratio, as CEKeepRatioHook sets it; 1.0 = the '
                        'warm-up epochs); default: the config\'s target ratio')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    args = parser.parse_args(argv)
    for name in ('batch_size', 'steps', 'rounds', 'threads'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1, got '
                         f'{getattr(args, name)}')
    if args.warmup < 1:
        parser.error(f'--warmup must be at least 1, got {args.warmup}')
    return args


def synthetic_batch(model, batch_size: int, seed: int = 0) -> dict:
    """A training batch as the SOT pipeline packs it (``PackSOTInputs``).

    Args:
        model (ProContEXT): Gives the crops: the template memory's static then dynamic
            factors (``context_factor`` metainfo) at ``backbone.template_size``, one search
            crop at ``backbone.search_size``.
        batch_size (int): Samples N.
        seed (int): Seed of the pixels and boxes.

    Returns:
        dict: ``inputs`` (``template``: N uint8 (T, 3, Hz, Wz) BGR tensors, ``search``: N
        uint8 (1, 3, Hx, Wx)) and ``data_samples`` (N ``TrackDataSample``: T template frames and
        the search frame, whose ``gt_instances.bboxes`` is (1, 4) xyxy in search-crop
        pixels).
    """
    gen = torch.Generator().manual_seed(seed)
    factors = list(model.template_memory.static_factors + model.template_memory.dynamic_factors)
    size_z, size_x = model.backbone.template_size, model.backbone.search_size
    inputs = dict(template=[], search=[])
    samples = []
    for _ in range(batch_size):
        inputs['template'].append(
            torch.randint(0, 256, (len(factors), 3, size_z, size_z), dtype=torch.uint8,
                          generator=gen))
        inputs['search'].append(
            torch.randint(0, 256, (1, 3, size_x, size_x), dtype=torch.uint8, generator=gen))
        frames = [DetDataSample(metainfo=dict(crop_role='template', context_factor=factor))
                  for factor in factors]
        search = DetDataSample(metainfo=dict(crop_role='search'))
        centre = size_x / 2 + (torch.rand(2, generator=gen) - 0.5) * size_x / 8
        half = size_x / 8 * (0.5 + torch.rand(2, generator=gen))
        search.gt_instances = InstanceData(bboxes=torch.cat([centre - half, centre + half])[None],
                                           labels=torch.zeros(1, dtype=torch.long))
        sample = TrackDataSample()
        sample.video_data_samples = frames + [search]
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def timed_train_step(model, data: dict, optim_wrapper) -> dict:
    """``BaseModel.train_step`` in two timed parts; returns their seconds and the loss."""
    start = time.perf_counter()
    with optim_wrapper.optim_context(model):
        batch = model.data_preprocessor(data, True)
        losses = model(**batch, mode='loss')
    loss, _ = model.parse_losses(losses)
    middle = time.perf_counter()
    optim_wrapper.update_params(loss)
    return dict(forward=middle - start, backward_step=time.perf_counter() - middle,
                loss=float(loss.detach()))


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if 'optim_wrapper' not in cfg:
        raise ValueError(f'{args.config} has no optim_wrapper: give a training config')
    load_before = os.getloadavg()
    torch.manual_seed(0)
    base = init_model(cfg.copy())
    runs = {}
    for name, wrapper_type in OPTIM_WRAPPER_TYPES.items():
        model = copy.deepcopy(base).train()
        model.backbone.scheduled_ce_keep_ratio = args.ce_keep_ratio
        wrapper_cfg = copy.deepcopy(cfg.optim_wrapper)
        wrapper_cfg.type = wrapper_type
        runs[name] = (model, build_optim_wrapper(model, wrapper_cfg))
    data = synthetic_batch(base, args.batch_size)

    first_loss = {}
    for name, (model, optim_wrapper) in runs.items():
        torch.manual_seed(0)  # the same stochastic depth draws in both first steps
        first_loss[name] = timed_train_step(model, data, optim_wrapper)['loss']
        for _ in range(args.warmup - 1):
            timed_train_step(model, data, optim_wrapper)
    timings = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, (model, optim_wrapper) in runs.items():
            for _ in range(args.steps):
                timings[name].append(timed_train_step(model, data, optim_wrapper))
    load_after = os.getloadavg()

    flags = sorted(cpu_flags() & set(BF16_CPU_FLAGS)) or ['none']
    ratio = base.backbone.ce_keep_ratio if args.ce_keep_ratio is None else args.ce_keep_ratio
    print(f'\n{args.config}\n{describe_machine()}; bf16 flags: {", ".join(flags)}\n'
          f'load average (1 / 5 / 15 min) before {" / ".join(f"{v:.1f}" for v in load_before)}'
          f', after {" / ".join(f"{v:.1f}" for v in load_after)}; batch {args.batch_size}, '
          f'candidate elimination keep ratio {ratio}; {args.rounds} rounds of {args.steps} '
          f'steps per wrapper (after {args.warmup} warm-up steps); median per step\n')
    rows, fp32_step = [], None
    for name, steps in timings.items():
        forward = statistics.median(t['forward'] for t in steps)
        backward = statistics.median(t['backward_step'] for t in steps)
        step = statistics.median(t['forward'] + t['backward_step'] for t in steps)
        fp32_step = fp32_step or step
        rows.append({'optim wrapper': f'{name} ({OPTIM_WRAPPER_TYPES[name]})',
                     'forward ms': f'{1e3 * forward:.0f}',
                     'backward+step ms': f'{1e3 * backward:.0f}',
                     'step ms': f'{1e3 * step:.0f}',
                     'samples/s': f'{args.batch_size / step:.2f}',
                     'x fp32': f'{fp32_step / step:.2f}',
                     'loss (1st step)': f'{first_loss[name]:.4f}'})
    print(format_table(rows, list(rows[0])))


if __name__ == '__main__':
    main()
