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
this package); ``timm`` and ``torchvision``, which it imports but which do not install beside
this torch, are replaced by the few stand-ins below. Their tracker calls ``.cuda()``, which is
made a no-op.
"""
import argparse
import statistics
import sys
import time
import types
from types import SimpleNamespace as NS

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

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


# ------------------------------------------------------------------ import stand-ins
def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def _package(name: str, path: str) -> None:
    """Register a package without running its __init__ (which imports training utilities)."""
    _module(name, __path__=[path])


class _Identity(nn.Module):

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class _Mlp(nn.Module):
    """timm's Mlp parameter layout (fc1, act, fc2)."""

    def __init__(self, in_features, hidden_features=None, out_features=None, act_layer=nn.GELU,
                 drop=0.):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features or in_features)
        self.act = act_layer()
        self.fc2 = nn.Linear(hidden_features or in_features, out_features or in_features)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def _named_apply(fn, module, name='', depth_first=True, include_root=False):
    for child_name, child in module.named_children():
        _named_apply(fn, child, f'{name}.{child_name}' if name else child_name, depth_first, True)
    if include_root:
        fn(module=module, name=name)
    return module


def install_import_stand_ins(repo: str) -> None:
    """Make the authors' model and tracker modules importable on this CPU-only stack."""
    def to_2tuple(x):
        return tuple(x) if isinstance(x, (tuple, list)) else (x, x)

    _module('timm')
    _module('timm.data', IMAGENET_DEFAULT_MEAN=(0.485, 0.456, 0.406),
            IMAGENET_DEFAULT_STD=(0.229, 0.224, 0.225), IMAGENET_INCEPTION_MEAN=(0.5, ) * 3,
            IMAGENET_INCEPTION_STD=(0.5, ) * 3)
    _module('timm.models')
    _module('timm.models.helpers', build_model_with_cfg=None, adapt_input_conv=None,
            named_apply=_named_apply)
    _module('timm.models.registry', register_model=lambda fn: fn)
    _module('timm.models.vision_transformer', resize_pos_embed=None)
    _module('timm.models.layers', to_2tuple=to_2tuple, DropPath=_Identity, Mlp=_Mlp,
            trunc_normal_=lambda t, mean=0., std=1., a=-2., b=2.: nn.init.trunc_normal_(
                t, mean, std, a, b), lecun_normal_=nn.init.normal_)
    _module('torchvision')
    _module('torchvision.ops')
    _module('torchvision.ops.boxes',
            box_area=lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
    for name in ('lib.train', 'lib.train.data', 'lib.test', 'lib.test.tracker'):
        _package(name, f'{repo}/{name.replace(".", "/")}')
    _module('lib.vis')
    _module('lib.vis.visdom_cus', Visdom=object)
    _module('lib.utils.misc', NestedTensor=lambda tensors, mask: NS(tensors=tensors, mask=mask))
    torch.Tensor.cuda = lambda self, *a, **k: self
    nn.Module.cuda = lambda self, *a, **k: self
    sys.path.insert(0, repo)


# ------------------------------------------------------------------ the comparison
def build_reference(args, cfg):
    from lib.models.layers.head import CenterPredictor
    from lib.models.procontext.procontext import ProContEXT as ReferenceNet
    from lib.models.procontext.vit_ce import VisionTransformerCE
    torch.manual_seed(0)
    backbone = VisionTransformerCE(
        img_size=224, patch_size=16, embed_dim=args.embed_dims, depth=args.depth,
        num_heads=args.heads, drop_path_rate=0., ce_loc=args.ce_layers,
        ce_keep_ratio=[args.keep_ratio] * len(args.ce_layers))
    backbone.finetune_track(cfg, patch_start_index=1)
    head = CenterPredictor(inplanes=args.embed_dims, channel=args.head_channels,
                           feat_sz=args.search_size // 16, stride=16)
    net = ReferenceNet(backbone, head, aux_loss=False, head_type='CENTER')
    for module in net.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.3, 0.3)
    net.box_head.conv5_ctr.bias.data.add_(args.score_bias)
    return net.eval()


def main(argv=None):
    args = parse_args(argv)
    search_factor = args.search_factor or (4.0 if args.search_size == 256 else 5.0)
    install_import_stand_ins(args.reference_repo)
    import lib.test.tracker.procontext as reference_tracker_module
    from lib.utils.ce_utils import generate_mask_cond

    cfg = NS(DATA=NS(SEARCH=NS(SIZE=args.search_size), TEMPLATE=NS(SIZE=args.template_size)),
             MODEL=NS(BACKBONE=NS(STRIDE=16, CAT_MODE='direct', SEP_SEG=False,
                                  CE_LOC=args.ce_layers, CE_TEMPLATE_RANGE='CTR_POINT'),
                      RETURN_INTER=False),
             TEST=NS(SEARCH_SIZE=args.search_size))
    reference = build_reference(args, cfg)
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
    masks = [generate_mask_cond(cfg, 1, 'cpu', None) for _ in templates]
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

    reference_tracker_module.build_procontext = lambda *_, **__: reference
    params = NS(template_factor=[2.0, 4.0], template_size=size_z, search_factor=search_factor,
                search_size=size_x, checkpoint=args.checkpoint, debug=False, cfg=cfg)
    ref_tracker = reference_tracker_module.ProContEXT(params, 'generated')
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
