"""Tracking speed per frame of a config in every precision and backend, side by side.

    python tools/analysis_tools/benchmark.py CONFIG [--checkpoint CKPT] \
        [--reference-repo PATH] [--modes fp32 bf16 ort-fp32 ort-int8 ort-int8-all ...] \
        [--frames 10] [--rounds 3] [--warmup 2] [--threads 2] [--profile]

Every mode tracks the same generated video (batch 1) with the same weights (the checkpoint, or
random ones), interleaved in rounds so that load on a shared machine hits all modes alike, and
the table gives the median crop / forward / post-processing time per frame, FPS and, with
``--reference-repo``, each mode's speed-up over the authors' code (their network and tracker
imported from their repository, ``procontext_apps.reference_impl``). Modes:

  fp32            PyTorch, float32 (``test_cfg.precision='fp32'``)
  bf16            PyTorch, the backbone under bfloat16 autocast (``precision='bf16'``)
  ort-fp32/int8   ONNX Runtime on the exported network (``procontext_mm.deployment``; the
                  modes are skipped with a message where it or onnxruntime is missing); int8
                  keeps the MLPs' output layers float32 (``INT8_FLOAT_MODULES``)
  ort-int8-all    int8 in every linear layer (faster, less accurate)
  fp32-keep1.0    float32 without candidate elimination (keep ratio 1.0; Table 4's comparison)
  fp32-explicit   float32 with explicit (L, L) attention maps in every block, as the reference
                  computes attention (same numbers, the authors' compute pattern)
  bf16-keep1.0, bf16-explicit   the same in bfloat16 (not run unless asked for)
  authors         the authors' tracker and network, float32 (with ``--reference-repo``)

The accuracy columns compare each mode's score / offset / size maps with the fp32 maps on the
crops the fp32 tracker saw (max absolute difference) and count the frames on which the arg-max
cell of the Hann-windowed score map, where the box is decoded, is the same. The authors' network
shares the weights when they come from the random initialisation or from a checkpoint in their
format (``{'net': ...}``); otherwise its accuracy columns are left empty.
"""
import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config, DictAction

from procontext_apps.machine import describe_machine
from procontext_apps.reference_impl import check_reference_repo
from procontext_apps.text_table import format_table
from procontext_mm.apis import init_model
from procontext_mm.testing import moving_square_video
from procontext_mm.utils.checkpoint import load_foreign_checkpoint
from procontext_mm.utils.cpu_info import BF16_CPU_FLAGS, cpu_flags
from procontext_mm.utils.precision import resolve_precision

AUTHORS = 'authors'


@dataclass(frozen=True)
class Mode:
    """One way of running the config's tracker.

    Attributes:
        name (str): Row name (``--modes`` value).
        description (str): What runs.
        precision (str): ``'fp32'`` / ``'bf16'`` (PyTorch ``test_cfg.precision``), or the ONNX
            Runtime precision ``'fp32'`` / ``'int8'`` when ``onnxruntime`` is set.
        onnxruntime (bool): The network runs in ONNX Runtime.
        cfg_options (dict): Config overrides of this mode.
        int8_float_modules (tuple[str], optional): ONNX Runtime int8: the modules whose linear
            layers stay float32; None for the deployment default.
    """
    name: str
    description: str
    precision: str = 'fp32'
    onnxruntime: bool = False
    cfg_options: Dict[str, object] = field(default_factory=dict)
    int8_float_modules: Optional[Tuple[str, ...]] = None


MODES = {
    mode.name: mode
    for mode in (
        Mode('fp32', 'PyTorch float32'),
        Mode('bf16', 'PyTorch, backbone in bfloat16 autocast', precision='bf16'),
        Mode('ort-fp32', 'ONNX Runtime float32', onnxruntime=True),
        Mode('ort-int8', 'ONNX Runtime, int8 linear layers but the MLP outputs', precision='int8',
             onnxruntime=True),
        Mode('ort-int8-all', 'ONNX Runtime, int8 linear layers', precision='int8',
             onnxruntime=True, int8_float_modules=()),
        Mode('fp32-keep1.0', 'PyTorch float32, no candidate elimination',
             cfg_options={'model.backbone.ce_keep_ratio': 1.0}),
        Mode('bf16-keep1.0', 'PyTorch bfloat16, no candidate elimination', precision='bf16',
             cfg_options={'model.backbone.ce_keep_ratio': 1.0}),
        Mode('fp32-explicit', 'PyTorch float32, explicit (L, L) attention maps',
             cfg_options={'model.backbone.explicit_attention': True}),
        Mode('bf16-explicit', 'PyTorch bfloat16, explicit attention maps (bfloat16 matmuls; '
             'the elimination ranking from them too)', precision='bf16',
             cfg_options={'model.backbone.explicit_attention': True}),
    )
}
DEFAULT_MODES = ('fp32', 'bf16', 'ort-fp32', 'ort-int8', 'ort-int8-all', 'fp32-keep1.0',
                 'fp32-explicit')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='weights (this package\'s or the authors\'); '
                        'default: random')
    parser.add_argument('--reference-repo', help='root of a checkout of the authors\' '
                        'repository (github.com/jp-lan/ProContEXT): adds their tracker')
    parser.add_argument('--modes', nargs='+', choices=list(MODES), default=list(DEFAULT_MODES),
                        help='rows besides the authors\' (fp32 always runs: the reference of the '
                        'accuracy columns)')
    parser.add_argument('--frames', type=int, default=10, help='tracked frames per round')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=2, help='untimed frames per mode')
    parser.add_argument('--threads', type=int, default=2, help='intra-op threads (torch, ORT)')
    parser.add_argument('--height', type=int, default=480)
    parser.add_argument('--width', type=int, default=640)
    parser.add_argument('--profile', action='store_true',
                        help='also print the torch.profiler operator table of the forward of '
                        'every PyTorch mode')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    args = parser.parse_args(argv)
    for name in ('frames', 'rounds', 'threads'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be at least 1, got {getattr(args, name)}')
    if args.warmup < 0:
        parser.error(f'--warmup must be >= 0, got {args.warmup}')
    return args


# ------------------------------------------------------------------ trackers under test
class ModeTracker:
    """A mode's tracker and its network, behind one interface.

    Attributes:
        name (str): Row name.
        description (str): What runs.
        network (callable): (templates (1, T, 3, Hz, Wz), search (1, 3, Hx, Wx)) ->
            ``CenterHeadOutput``, the network of one tracking step.
        same_weights (bool): The network holds the weights of the fp32 mode.
    """

    def __init__(self, name: str, description: str, model, network: Callable,
                 same_weights: bool = True):
        self.name, self.description = name, description
        self.model = model
        self.network = network
        self.same_weights = same_weights

    def init(self, frame: np.ndarray, bbox_xyxy: np.ndarray) -> None:
        self.model.init(frame, bbox_xyxy)

    def track(self, frame: np.ndarray) -> Dict[str, float]:
        """Track one BGR frame; returns its ``crop`` / ``forward`` / ``post`` seconds."""
        self.model.track(frame)
        return dict(self.model.timings)


class AuthorsTracker(ModeTracker):
    """The authors' tracker (RGB frames, xywh boxes), timed in the same three parts: their
    ``sample_target`` + ``Preprocessor.process`` calls (crop), their network's forward, and the
    rest of their ``track`` (post-processing)."""

    def __init__(self, tracker, network: Callable, same_weights: bool):
        super().__init__(AUTHORS, 'the authors\' tracker and network, float32', tracker,
                         network, same_weights)
        import lib.test.tracker.procontext as reference_tracker_module
        self._seconds = dict(crop=0., forward=0.)
        reference_tracker_module.sample_target = self._timed(
            reference_tracker_module.sample_target, 'crop')
        tracker.preprocessor.process = self._timed(tracker.preprocessor.process, 'crop')
        tracker.network.forward = self._timed(tracker.network.forward, 'forward')

    def _timed(self, function: Callable, part: str) -> Callable:
        def timed(*args, **kwargs):
            start = time.perf_counter()
            result = function(*args, **kwargs)
            self._seconds[part] += time.perf_counter() - start
            return result
        return timed

    def init(self, frame: np.ndarray, bbox_xyxy: np.ndarray) -> None:
        x1, y1, x2, y2 = bbox_xyxy.tolist()
        self.model.initialize(np.ascontiguousarray(frame[..., ::-1]),
                              {'init_bbox': [x1, y1, x2 - x1, y2 - y1]})

    def track(self, frame: np.ndarray) -> Dict[str, float]:
        rgb = np.ascontiguousarray(frame[..., ::-1])  # their input; not part of their step
        self._seconds = dict(crop=0., forward=0.)
        start = time.perf_counter()
        self.model.track(rgb)
        total = time.perf_counter() - start
        return dict(self._seconds, post=total - sum(self._seconds.values()))


def build_pytorch_trackers(cfg: Config, mode_names: List[str], checkpoint: Optional[str],
                           threads: int) -> Dict[str, ModeTracker]:
    """The trackers of the PyTorch and ONNX Runtime modes, all with the fp32 model's weights."""
    base = init_model(cfg.copy(), checkpoint=checkpoint, precision='fp32')
    state_dict = base.state_dict()
    trackers = {}
    for name in mode_names:
        mode = MODES[name]
        if mode.onnxruntime:
            network = build_onnxruntime_backend(base, mode, threads)
            if network is None:
                continue
            model = init_model(cfg.copy(), precision='fp32')
            model.load_state_dict(state_dict)
            model.set_network_backend(network)
        elif name == 'fp32':
            model = base
        else:
            model = init_model(cfg.copy(), cfg_options=mode.cfg_options, precision=mode.precision)
            model.load_state_dict(state_dict)
        trackers[name] = ModeTracker(name, mode.description, model, model.tracking_forward)
    return trackers


def build_onnxruntime_backend(model, mode: Mode, threads: int):
    """``procontext_mm.deployment``'s ONNX Runtime network of ``model`` in ``mode``, or None
    (with a message) where the deployment package or onnxruntime is not installed."""
    try:
        from procontext_mm.deployment import INT8_FLOAT_MODULES, build_onnxruntime_network
        float_modules = (INT8_FLOAT_MODULES if mode.int8_float_modules is None else
                         mode.int8_float_modules)
        return build_onnxruntime_network(model, precision=mode.precision, num_threads=threads,
                                         int8_float_modules=float_modules)
    except ImportError as error:
        print(f'{mode.name} skipped: {error}')
        return None


def build_authors_tracker(cfg: Config, repo: str, checkpoint: Optional[str],
                          workdir: str) -> Tuple[AuthorsTracker, Optional[str]]:
    """The authors' tracker at the config's sizes, and the checkpoint our modes must load to
    share its weights (None: keep ``checkpoint``).

    With no ``checkpoint`` their network gets random weights, saved in their format for our
    modes; a checkpoint in their format is loaded into both; any other checkpoint leaves their
    network random (timing only).
    """
    from procontext_apps.reference_impl import (ReferenceSpec, build_reference_network,
                                                build_reference_tracker,
                                                reference_forward, reference_template_masks)
    model = init_model(cfg.copy())
    memory = model.template_memory
    if list(memory.static_factors) != list(memory.dynamic_factors):
        raise ValueError(
            f'{cfg.filename}: the authors\' tracker crops its dynamic templates at its static '
            f'factors; model.template_memory has static_factors={list(memory.static_factors)} '
            f'and dynamic_factors={list(memory.dynamic_factors)}')
    spec = ReferenceSpec.from_tracker(model)
    network = build_reference_network(repo, spec)
    ours_checkpoint, same_weights = None, True
    if checkpoint is None:
        ours_checkpoint = os.path.join(workdir, 'authors_random.pth.tar')
        torch.save({'net': network.state_dict()}, ours_checkpoint)
    else:
        weights = load_foreign_checkpoint(checkpoint)
        if isinstance(weights, dict) and 'net' in weights:
            network.load_state_dict(weights['net'])
        else:
            same_weights = False
            print(f'{checkpoint} is not in the authors\' format: their network keeps random '
                  'weights (timing only, no accuracy columns)')
    reference_checkpoint = os.path.join(workdir, 'authors_tracker.pth.tar')
    torch.save({'net': network.state_dict()}, reference_checkpoint)
    tracker = build_reference_tracker(network, spec, reference_checkpoint,
                                      memory.static_factors, model.test_cfg['search_factor'])
    masks = reference_template_masks(spec, memory.num_templates)
    authors = AuthorsTracker(
        tracker, lambda templates, search: reference_forward(network, templates, search, masks),
        same_weights)
    return authors, ours_checkpoint


# ------------------------------------------------------------------ measurements
def warm_up(trackers: Dict[str, ModeTracker], frames: List[np.ndarray],
            bbox_xyxy: np.ndarray) -> None:
    """Initialise every tracker on ``frames[0]`` and track the rest, untimed."""
    for tracker in trackers.values():
        tracker.init(frames[0], bbox_xyxy)
        for frame in frames[1:]:
            tracker.track(frame)


def time_rounds(trackers: Dict[str, ModeTracker], frames: List[np.ndarray],
                rounds: int) -> Dict[str, List[Dict[str, float]]]:
    """Track ``frames`` with every tracker, interleaved: ``rounds`` equal chunks, each tracked
    by every tracker in turn. Returns per tracker the per-frame timings."""
    per_round = len(frames) // rounds
    timings = {name: [] for name in trackers}
    with torch.inference_mode():
        for r in range(rounds):
            for name, tracker in trackers.items():
                for frame in frames[r * per_round:(r + 1) * per_round]:
                    timings[name].append(tracker.track(frame))
    return timings


def windowed_argmax(score_map: torch.Tensor, window: Optional[torch.Tensor]) -> int:
    """Index of the cell the tracker decodes its box at (arg-max of the windowed map)."""
    response = score_map if window is None else score_map * window
    return int(response.flatten().argmax())


def compare_maps(trackers: Dict[str, ModeTracker], inputs: List[tuple],
                 window: Optional[torch.Tensor]) -> Dict[str, dict]:
    """Each tracker's maps against the fp32 ones on the same crops.

    Returns:
        dict: per tracker ``score`` / ``offset`` / ``size`` (max abs difference) and
        ``argmax_agree`` (frames with the same windowed arg-max cell).
    """
    results = {name: dict(score=0., offset=0., size=0., argmax_agree=0)
               for name, tracker in trackers.items() if tracker.same_weights}
    with torch.inference_mode():
        for templates, search in inputs:
            expected = trackers['fp32'].network(templates, search)
            expected_cell = windowed_argmax(expected.score_map, window)
            for name in results:
                got = trackers[name].network(templates, search)
                for key, want, have in zip(('score', 'offset', 'size'), expected, got):
                    results[name][key] = max(results[name][key],
                                             float((have.float() - want).abs().max()))
                results[name]['argmax_agree'] += windowed_argmax(got.score_map,
                                                                 window) == expected_cell
    return results


def profile_forward(trackers: Dict[str, ModeTracker], inputs: List[tuple],
                    row_limit: int = 15) -> None:
    """Print torch.profiler's operator table (self CPU time) of each PyTorch network."""
    from torch.profiler import ProfilerActivity, profile
    for name, tracker in trackers.items():
        if name.startswith('ort-'):
            continue
        with torch.inference_mode():
            tracker.network(*inputs[0])  # warm
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                for templates, search in inputs:
                    tracker.network(templates, search)
        print(f'\n== {name}: operators of {len(inputs)} forwards, by self CPU time ==')
        print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=row_limit))


def main(argv=None):
    args = parse_args(argv)
    if args.reference_repo:
        check_reference_repo(args.reference_repo)  # before minutes of model building
    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    mode_names = ['fp32'] + [name for name in dict.fromkeys(args.modes) if name != 'fp32']
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix='procontext_benchmark_') as workdir:
        authors, checkpoint = None, args.checkpoint
        if args.reference_repo:
            authors, shared_checkpoint = build_authors_tracker(cfg, args.reference_repo,
                                                               args.checkpoint, workdir)
            checkpoint = shared_checkpoint or checkpoint
        trackers = build_pytorch_trackers(cfg, mode_names, checkpoint, args.threads)
        if authors is not None:
            trackers[AUTHORS] = authors

    fp32_model = trackers['fp32'].model
    recorded_inputs = []  # the crops the fp32 tracker's network sees in the timed rounds
    num_frames = 1 + args.warmup + args.frames * args.rounds
    frames, boxes = moving_square_video(num_frames, args.height, args.width, size=60,
                                        step=(2, 1))
    warm_up(trackers, frames[:1 + args.warmup], boxes[0])
    hook = fp32_model.backbone.register_forward_pre_hook(
        lambda module, inputs: recorded_inputs.append(inputs[:2]))
    timings = time_rounds(trackers, frames[1 + args.warmup:], args.rounds)
    hook.remove()
    load_after = os.getloadavg()
    accuracy = compare_maps(trackers, recorded_inputs, fp32_model.output_window)

    flags = sorted(cpu_flags() & set(BF16_CPU_FLAGS)) or ['none']
    auto, reason = resolve_precision('auto', 'cpu')
    print(f'\n{args.config}\n{describe_machine()}; bf16 flags: {", ".join(flags)}; '
          f'precision "auto" -> {auto} ({reason})\nload average (1 / 5 / 15 min) before '
          f'{" / ".join(f"{v:.1f}" for v in load_before)}, after '
          f'{" / ".join(f"{v:.1f}" for v in load_after)}; {args.rounds} rounds of '
          f'{args.frames} frames per mode (after {args.warmup} warm-up frames), batch 1, '
          f'{args.height}x{args.width} frames; median per frame\n')
    medians = {name: {part: statistics.median(t[part] for t in frame_times)
                      for part in ('crop', 'forward', 'post')}
               for name, frame_times in timings.items()}
    for median in medians.values():
        median['frame'] = median['crop'] + median['forward'] + median['post']
    reference = medians.get(AUTHORS)
    rows = []
    for name, median in medians.items():
        row = {'mode': name, 'crop ms': f'{1e3 * median["crop"]:.1f}',
               'forward ms': f'{1e3 * median["forward"]:.1f}',
               'post ms': f'{1e3 * median["post"]:.1f}',
               'frame ms': f'{1e3 * median["frame"]:.1f}', 'FPS': f'{1 / median["frame"]:.1f}',
               'fwd x authors': '-', 'frame x authors': '-', 'd score': '-',
               'd offset': '-', 'd size': '-', 'same arg-max': '-'}
        if reference is not None:
            row['fwd x authors'] = f'{reference["forward"] / median["forward"]:.2f}'
            row['frame x authors'] = f'{reference["frame"] / median["frame"]:.2f}'
        if name in accuracy:
            result = accuracy[name]
            row.update({f'd {key}': f'{result[key]:.1e}'
                        for key in ('score', 'offset', 'size')})
            row['same arg-max'] = f'{result["argmax_agree"]}/{len(recorded_inputs)}'
        rows.append(row)
    print(format_table(rows, list(rows[0])))
    print('\nmodes: ' + '; '.join(f'{t.name} = {t.description}' for t in trackers.values()))
    print('d score / offset / size: max |difference| of the maps from the fp32 maps on the crops '
          'the fp32 tracker saw; same arg-max: frames whose Hann-windowed score map peaks in the '
          'same cell')

    fp32_forward = medians['fp32']['forward']
    if 'fp32-keep1.0' in medians:
        full = medians['fp32-keep1.0']['forward']
        change = 1 - fp32_forward / full
        print(f'keep 0.7 vs 1.0 (fp32 forward): {1e3 * fp32_forward:.1f} vs {1e3 * full:.1f} ms, '
              f'{100 * abs(change):.1f}% {"less" if change >= 0 else "more"} time (Table 4: '
              '16.5% fewer FLOPs)')
    if 'fp32-explicit' in medians:
        print(f'fused vs explicit attention (fp32): forward '
              f'{medians["fp32-explicit"]["forward"] / fp32_forward:.2f}x faster')
    if reference is not None:
        fastest = min((name for name in medians if name != AUTHORS),
                      key=lambda name: medians[name]['frame'])
        speedup = reference['frame'] / medians[fastest]['frame']
        print(f'fastest mode: {fastest}, {speedup:.2f}x the authors\' fp32 tracker per frame '
              f'({reference["forward"] / medians[fastest]["forward"]:.2f}x per forward)')
    if args.profile:
        profile_forward(trackers, recorded_inputs[:5])


if __name__ == '__main__':
    main()
