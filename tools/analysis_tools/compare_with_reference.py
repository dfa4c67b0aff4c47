"""Check procontext_mm against the authors' implementation, on the CPU.

    python tools/analysis_tools/compare_with_reference.py --reference-repo /path/to/ProContEXT \
        [--embed-dims 192 --depth 4 --heads 3 --ce-layers 1 2 --head-channels 64] \
        [--template-size 128 --search-size 256] [--frames 205] [--score-bias 2.0]

Builds the authors' network at the given sizes with random weights (BN statistics randomised
too), saves it as their checkpoint (``{'net': ...}``), loads that file with
``procontext_mm.apis.init_model``, and compares
  1. score / offset / size maps, boxes and eliminated token indices on the same inputs;
  2. per-frame boxes and template-update frames of both trackers on a generated video
     (``--score-bias`` shifts the score head so that some frames pass tau = 0.7);
  3. forward time, interleaved.
The authors' repository is only imported from ``--reference-repo`` (nothing of it is part of
this package), by ``procontext_apps.reference_impl`` (shared with ``benchmark.py``).
"""
import argparse
import statistics
import time

import numpy as np
import torch
from mmengine.config import Config

from procontext_apps.reference_impl import (ReferenceSpec, build_reference_network,
                                            build_reference_tracker, reference_template_masks)
from procontext_mm.apis import init_model
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--reference-repo', required=True, help="root of the authors' repo")
    parser.add_argument('--embed-dims', type=int, default=192)
    parser.add_argument('--depth', type=int, default=4)
    parser.add_argument('--heads', type=int, default=3)
    parser.add_argument('--ce-layers', type=int, nargs='*', default=[1, 2])
    parser.add_argument('--keep-ratio', type=float, default=0.7)
    parser.add_argument('--head-channels', type=int, default=64)
    parser.add_argument('--template-size', type=int, default=128)
    parser.add_argument('--search-size', type=int, default=256)
    parser.add_argument('--search-factor', type=float, default=None,
                        help='default: 4.0 for a 256 px search, 5.0 otherwise')
    parser.add_argument('--frames', type=int, default=205)
    parser.add_argument('--score-bias', type=float, default=0.)
    parser.add_argument('--timing-rounds', type=int, default=5)
    parser.add_argument('--checkpoint', default='/tmp/reference_random.pth.tar')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    search_factor = args.search_factor or (4.0 if args.search_size == 256 else 5.0)
    spec = ReferenceSpec(embed_dims=args.embed_dims, depth=args.depth, num_heads=args.heads,
                         ce_layers=tuple(args.ce_layers),
                         ce_keep_ratio=(args.keep_ratio, ) * len(args.ce_layers),
                         head_channels=args.head_channels, template_size=args.template_size,
                         search_size=args.search_size)
    reference = build_reference_network(args.reference_repo, spec, score_bias=args.score_bias)
    torch.save({'net': reference.state_dict()}, args.checkpoint)
    ours = init_model(
        Config(dict(default_scope='procontext_mm', model=tiny_tracker_cfg(
            embed_dims=args.embed_dims, num_layers=args.depth, num_heads=args.heads,
            template_size=args.template_size, search_size=args.search_size,
            ce_layers=args.ce_layers, ce_keep_ratio=args.keep_ratio,
            head_channels=args.head_channels, search_factor=search_factor))),
        checkpoint=args.checkpoint)
    print(f'{len(reference.state_dict())} tensors loaded from the reference layout')

    gen = torch.Generator().manual_seed(1)
    size_z, size_x = args.template_size, args.search_size
    templates = [torch.randn(1, 3, size_z, size_z, generator=gen) for _ in range(4)]
    search = torch.randn(1, 3, size_x, size_x, generator=gen)
    masks = reference_template_masks(spec, len(templates))
    stacked = torch.stack(templates, 1)
    with torch.inference_mode():
        ref_out = reference(template=templates, search=search, ce_template_mask=masks)
        our_out = ours.forward_crops(stacked, search)
        our_box, _ = ours.head.decode(*our_out)
        our_removed = ours.backbone(stacked, search).removed_index
    print('1. network outputs (max |difference|):')
    for name, ref_value, our_value in (
            ('score map', ref_out['score_map'], our_out.score_map),
            ('offset map', ref_out['offset_map'], our_out.offset_map),
            ('size map', ref_out['size_map'], our_out.size_map),
            ('box', ref_out['pred_boxes'].view(-1, 4), our_box)):
        print(f'   {name:<10} {float((ref_value - our_value).abs().max()):.2e}')
    same_tokens = all(torch.equal(a.long(), b) for a, b in
                      zip(ref_out['removed_indexes_s'], our_removed))
    print(f'   eliminated token indices identical: {same_tokens}')

    ref_tracker = build_reference_tracker(reference, spec, args.checkpoint, [2.0, 4.0],
                                          search_factor)
    frames, boxes = moving_square_video(args.frames, 240, 320, size=40, step=(2, 1), seed=3)
    x1, y1, x2, y2 = boxes[0].tolist()
    ref_tracker.initialize(np.ascontiguousarray(frames[0][..., ::-1]),
                           {'init_bbox': [x1, y1, x2 - x1, y2 - y1]})  # RGB, xywh
    ours.init(frames[0], boxes[0])
    max_diff, ref_updates = 0., []
    for index, frame in enumerate(frames[1:], start=1):
        before = [id(t) for t in ref_tracker.z_dict_list]
        ref_xywh = ref_tracker.track(np.ascontiguousarray(frame[..., ::-1]))['target_bbox']
        if [id(t) for t in ref_tracker.z_dict_list] != before:
            ref_updates.append(index)
        bx1, by1, bx2, by2 = ours.track(frame)[0]
        max_diff = max(max_diff, *(abs(a - b) for a, b in
                                   zip(ref_xywh, [bx1, by1, bx2 - bx1, by2 - by1])))
    print(f'2. tracking {args.frames} frames: max |box difference| {max_diff:.2e} px; template '
          f'updates at frames {ref_updates} (reference) / '
          f'{ours.template_memory.update_frames} (procontext_mm)')

    times = {'reference': [], 'procontext_mm': []}
    with torch.inference_mode():
        for _ in range(args.timing_rounds + 1):  # the first round warms up
            start = time.perf_counter()
            reference(template=templates, search=search, ce_template_mask=masks)
            times['reference'].append(time.perf_counter() - start)
            start = time.perf_counter()
            ours.forward_crops(stacked, search)
            times['procontext_mm'].append(time.perf_counter() - start)
    median = {k: statistics.median(v[1:]) for k, v in times.items()}
    print(f'3. forward (median of {args.timing_rounds}, interleaved): reference '
          f'{1e3 * median["reference"]:.0f} ms, procontext_mm {1e3 * median["procontext_mm"]:.0f} '
          f'ms, ratio {median["reference"] / median["procontext_mm"]:.2f}x')


if __name__ == '__main__':
    main()
