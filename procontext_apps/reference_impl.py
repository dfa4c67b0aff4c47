"""The authors' ProContEXT network and tracker, imported from a checkout of their repository
(https://github.com/jp-lan/ProContEXT) for comparisons and benchmarks.

Nothing of their code is part of this project: it is imported from the folder given at run time
(``--reference-repo`` of ``tools/analysis_tools/compare_with_reference.py`` and
``tools/analysis_tools/benchmark.py``). ``timm`` and ``torchvision``, which it imports but which
do not install beside this torch, are replaced by the few stand-ins below, and the training /
visualisation packages it pulls in are registered without running their ``__init__``. Their
tracker calls ``.cuda()``, which is made a no-op for the rest of the process (these are
CPU-only tools).
"""
import importlib.machinery
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace as NS
from typing import List, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

from procontext_mm.models.heads.center_head import CenterHeadOutput

#: Files whose presence identifies a checkout of the authors' repository.
REFERENCE_FILES = ('lib/models/procontext/procontext.py', 'lib/models/procontext/vit_ce.py',
                   'lib/models/layers/head.py', 'lib/utils/ce_utils.py',
                   'lib/test/tracker/procontext.py', 'lib/train/data/processing_utils.py')

#: Template grids (template size / patch size) for which the authors' code defines the centre
#: token used by candidate elimination (``lib/utils/ce_utils.py: generate_mask_cond``).
REFERENCE_TEMPLATE_GRIDS = (7, 8, 12, 14)

_imported_repo = None  # the checkout whose ``lib`` package this process imported


def check_reference_repo(repo: Union[str, Path]) -> Path:
    """Return ``repo`` as an absolute path if it is a checkout of the authors' repository.

    Raises:
        ValueError: If ``repo`` is not a folder or lacks one of :data:`REFERENCE_FILES`,
            naming the path and the missing files.
    """
    path = Path(repo).expanduser().resolve()
    if not path.is_dir():
        raise ValueError(f'--reference-repo {repo}: no such folder; give the root of a checkout '
                         'of https://github.com/jp-lan/ProContEXT')
    missing = [name for name in REFERENCE_FILES if not (path / name).is_file()]
    if missing:
        raise ValueError(f'--reference-repo {repo} is not a checkout of the authors\' ProContEXT '
                         f'repository (https://github.com/jp-lan/ProContEXT): it lacks '
                         f'{", ".join(missing)}')
    return path


# ------------------------------------------------------------------ import stand-ins
def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    # a spec, as imported modules have (importlib.util.find_spec raises on a None __spec__)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package='__path__' in attrs)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def _package(name: str, path: Path) -> None:
    """Register a package without running its __init__ (which imports training utilities)."""
    _module(name, __path__=[str(path)])


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


def _to_2tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x, x)


def import_reference_repo(repo: Union[str, Path]) -> Path:
    """Make the authors' model and tracker modules (``lib.*``) importable on this CPU-only stack.

    Checks ``repo`` (:func:`check_reference_repo`), installs the import stand-ins and puts
    ``repo`` first on ``sys.path``. Calling it again with the same checkout does nothing.

    Returns:
        Path: the checkout's absolute path.

    Raises:
        ValueError: If ``repo`` is not the authors' repository, or another checkout was
            imported before in this process (its ``lib`` package cannot be swapped).
    """
    global _imported_repo
    path = check_reference_repo(repo)
    if _imported_repo is not None:
        if _imported_repo != path:
            raise ValueError(f'The authors\' code was already imported from {_imported_repo} in '
                             f'this process; cannot import it again from {path}')
        return path
    _module('timm')
    _module('timm.data', IMAGENET_DEFAULT_MEAN=(0.485, 0.456, 0.406),
            IMAGENET_DEFAULT_STD=(0.229, 0.224, 0.225), IMAGENET_INCEPTION_MEAN=(0.5, ) * 3,
            IMAGENET_INCEPTION_STD=(0.5, ) * 3)
    _module('timm.models')
    _module('timm.models.helpers', build_model_with_cfg=None, adapt_input_conv=None,
            named_apply=_named_apply)
    _module('timm.models.registry', register_model=lambda fn: fn)
    _module('timm.models.vision_transformer', resize_pos_embed=None)
    _module('timm.models.layers', to_2tuple=_to_2tuple, DropPath=_Identity, Mlp=_Mlp,
            trunc_normal_=lambda t, mean=0., std=1., a=-2., b=2.: nn.init.trunc_normal_(
                t, mean, std, a, b), lecun_normal_=nn.init.normal_)
    _module('torchvision')
    _module('torchvision.ops')
    _module('torchvision.ops.boxes',
            box_area=lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
    for name in ('lib.train', 'lib.train.data', 'lib.test', 'lib.test.tracker'):
        _package(name, path / name.replace('.', '/'))
    _module('lib.vis')
    _module('lib.vis.visdom_cus', Visdom=object)
    _module('lib.utils.misc', NestedTensor=lambda tensors, mask: NS(tensors=tensors, mask=mask))
    torch.Tensor.cuda = lambda self, *a, **k: self
    nn.Module.cuda = lambda self, *a, **k: self
    sys.path.insert(0, str(path))
    _imported_repo = path
    return path


# ------------------------------------------------------------------ the network
@dataclass(frozen=True)
class ReferenceSpec:
    """Sizes of a ProContEXT network, as both implementations take them.

    Attributes:
        embed_dims, depth, num_heads: the ViT (768, 12, 12 for ViT-B).
        ce_layers (tuple[int]): Blocks that eliminate candidates (0-based).
        ce_keep_ratio (tuple[float]): Keep ratio of each block of ``ce_layers``.
        head_channels (int): Width of the centre head's first conv.
        template_size, search_size (int): Crop sides in pixels.
        patch_size (int): Patch side in pixels (also the head's stride).
    """
    embed_dims: int = 192
    depth: int = 4
    num_heads: int = 3
    ce_layers: Tuple[int, ...] = (1, 2)
    ce_keep_ratio: Tuple[float, ...] = (0.7, 0.7)
    head_channels: int = 64
    template_size: int = 128
    search_size: int = 256
    patch_size: int = 16

    @classmethod
    def from_tracker(cls, model: nn.Module) -> 'ReferenceSpec':
        """The sizes of a :class:`procontext_mm.models.ProContEXT`."""
        backbone = model.backbone
        return cls(embed_dims=backbone.embed_dims, depth=len(backbone.blocks),
                   num_heads=backbone.blocks[0].attn.num_heads,
                   ce_layers=tuple(backbone.ce_layers),
                   ce_keep_ratio=tuple(backbone.ce_keep_ratio),
                   head_channels=model.head.conv1_ctr.conv.out_channels,
                   template_size=backbone.template_size, search_size=backbone.search_size,
                   patch_size=backbone.patch_size)

    def check(self) -> None:
        """Refuse sizes the authors' code cannot build.

        Raises:
            ValueError: If the template grid has no centre token in their code.
        """
        grid = self.template_size // self.patch_size
        if grid not in REFERENCE_TEMPLATE_GRIDS:
            raise ValueError(
                f'The authors\' code defines candidate elimination for template grids '
                f'{list(REFERENCE_TEMPLATE_GRIDS)} only; template_size={self.template_size} / '
                f'patch_size={self.patch_size} gives {grid}')


def reference_config(spec: ReferenceSpec) -> NS:
    """The fields of the authors' (EasyDict) config that their network and tracker read."""
    return NS(DATA=NS(SEARCH=NS(SIZE=spec.search_size), TEMPLATE=NS(SIZE=spec.template_size)),
              MODEL=NS(BACKBONE=NS(STRIDE=spec.patch_size, CAT_MODE='direct', SEP_SEG=False,
                                   CE_LOC=list(spec.ce_layers), CE_TEMPLATE_RANGE='CTR_POINT'),
                       RETURN_INTER=False),
              TEST=NS(SEARCH_SIZE=spec.search_size))


def build_reference_network(repo: Union[str, Path], spec: ReferenceSpec, seed: int = 0,
                            score_bias: float = 0.) -> nn.Module:
    """The authors' network at ``spec``'s sizes with random weights, in eval mode.

    BatchNorm statistics and affine parameters are randomised too (fresh ones are the identity
    and would hide a wrong normalisation in a comparison).

    Args:
        repo (str | Path): Root of the authors' repository.
        spec (ReferenceSpec): Sizes.
        seed (int): Seed of the random weights.
        score_bias (float): Added to the score head's last bias (shifts scores above / below
            the template-update threshold).

    Returns:
        nn.Module: their ``ProContEXT``; ``forward(template=[T x (1, 3, Hz, Wz)], search=(1, 3,
        Hx, Wx), ce_template_mask=reference_template_masks(...))`` gives a dict with
        ``score_map``, ``offset_map``, ``size_map``, ``pred_boxes``, ``removed_indexes_s``.
    """
    import_reference_repo(repo)
    spec.check()
    from lib.models.layers.head import CenterPredictor
    from lib.models.procontext.procontext import ProContEXT as ReferenceNet
    from lib.models.procontext.vit_ce import VisionTransformerCE
    torch.manual_seed(seed)
    keep_ratios = list(spec.ce_keep_ratio)
    backbone = VisionTransformerCE(
        img_size=224, patch_size=spec.patch_size, embed_dim=spec.embed_dims, depth=spec.depth,
        num_heads=spec.num_heads, drop_path_rate=0., ce_loc=list(spec.ce_layers),
        ce_keep_ratio=keep_ratios)
    backbone.finetune_track(reference_config(spec), patch_start_index=1)
    head = CenterPredictor(inplanes=spec.embed_dims, channel=spec.head_channels,
                           feat_sz=spec.search_size // spec.patch_size, stride=spec.patch_size)
    net = ReferenceNet(backbone, head, aux_loss=False, head_type='CENTER')
    for module in net.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.3, 0.3)
    net.box_head.conv5_ctr.bias.data.add_(score_bias)
    return net.eval()


def reference_template_masks(spec: ReferenceSpec, num_templates: int) -> List[Tensor]:
    """The candidate-elimination masks (template centre tokens) their tracker passes, one per
    template crop."""
    from lib.utils.ce_utils import generate_mask_cond
    cfg = reference_config(spec)
    return [generate_mask_cond(cfg, 1, 'cpu', None) for _ in range(num_templates)]


def reference_forward(network: nn.Module, templates: Tensor, search: Tensor,
                      masks: Sequence[Tensor]) -> CenterHeadOutput:
    """Run the authors' network on this package's crop tensors.

    Args:
        network (nn.Module): From :func:`build_reference_network`.
        templates (Tensor): (1, T, 3, Hz, Wz) normalised template crops.
        search (Tensor): (1, 3, Hx, Wx) normalised search crop.
        masks (Sequence[Tensor]): :func:`reference_template_masks` for T templates.

    Returns:
        CenterHeadOutput: their score / offset / size maps.
    """
    out = network(template=list(templates.unbind(1)), search=search, ce_template_mask=masks)
    return CenterHeadOutput(out['score_map'], out['offset_map'], out['size_map'])


def build_reference_tracker(network: nn.Module, spec: ReferenceSpec, checkpoint: str,
                            template_factors: Sequence[float], search_factor: float):
    """The authors' tracker (``lib/test/tracker/procontext.py``) around ``network``.

    Their tracker crops one static and one dynamic template per factor of
    ``template_factors``, refreshes the dynamic ones every 100 frames when the score exceeds
    0.7, and takes RGB frames and ``{'init_bbox': [x, y, w, h]}``.

    Args:
        network (nn.Module): From :func:`build_reference_network`.
        spec (ReferenceSpec): Its sizes.
        checkpoint (str): A file holding ``{'net': network.state_dict()}`` (their tracker
            loads it on construction).
        template_factors (Sequence[float]): Context factors of the templates.
        search_factor (float): Context factor of the search region.
    """
    import lib.test.tracker.procontext as reference_tracker_module
    reference_tracker_module.build_procontext = lambda *_, **__: network
    params = NS(template_factor=list(template_factors), template_size=spec.template_size,
                search_factor=search_factor, search_size=spec.search_size,
                checkpoint=checkpoint, debug=False, cfg=reference_config(spec))
    return reference_tracker_module.ProContEXT(params, 'generated')
