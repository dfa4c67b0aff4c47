"""One-stream ViT: joint attention over several template crops and the search region, with
candidate elimination of search tokens (OSTrack / ProContEXT backbone)."""
import math
from typing import List, NamedTuple, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor, nn

from procontext_mm.registry import MODELS
from ..layers.transformer import CEBlock, PatchEmbed


class OneStreamViTOutput(NamedTuple):
    """Backbone output.

    Attributes:
        search_feat (Tensor): (B, C, Hs, Ws) normalised search tokens on their grid; tokens
            removed by candidate elimination are zeros.
        template_tokens (Tensor): (B, L_t, C) normalised template tokens.
        kept_index (Tensor): (B, K) grid positions (row-major) of the search tokens that
            survived every elimination.
        removed_index (list[Tensor]): per eliminating block, (B, removed) grid positions.
    """
    search_feat: Tensor
    template_tokens: Tensor
    kept_index: Tensor
    removed_index: List[Tensor]


def template_centre_index(grid_size: int) -> int:
    """Row-major index of the centre token of a ``grid_size`` x ``grid_size`` template grid.

    The centre cell is ``(grid_size - 1) // 2`` in both axes: (5, 5) on 12 x 12, (3, 3) on
    8 x 8, as the reference's ``CTR_POINT`` masks (which only define 7, 8, 12, 14).
    """
    centre = (grid_size - 1) // 2
    return centre * grid_size + centre


def resize_pos_embed(pos_embed: Tensor, grid_hw: Sequence[int]) -> Tensor:
    """Bicubically resize a (1, h*w, C) square position-embedding grid to ``grid_hw``.

    Returns:
        Tensor: (1, H*W, C) with H, W = ``grid_hw``.
    """
    old_size = math.isqrt(pos_embed.shape[1])
    if old_size * old_size != pos_embed.shape[1]:
        raise ValueError(f'Position embedding of {pos_embed.shape[1]} tokens is not a square grid')
    grid = pos_embed.reshape(1, old_size, old_size, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=tuple(grid_hw), mode='bicubic', align_corners=False)
    return grid.flatten(2).transpose(1, 2)


@MODELS.register_module()
class OneStreamViT(BaseModule):
    """ViT over concatenated [template_1; ...; template_T; search] tokens.

    All template crops share one position embedding ``pos_embed_z``; the search region has
    ``pos_embed_x``; both are bicubic resizes of the pretrained ``pos_embed`` grid (no cls
    token in the sequence). Candidate elimination happens inside the blocks listed in
    ``ce_layers`` (between attention and MLP, i.e. the 4th/7th/10th blocks for (3, 6, 9)).

    Args:
        template_size (int): Side of a template crop in pixels. Defaults to 192.
        search_size (int): Side of the search crop in pixels. Defaults to 384.
        patch_size (int): Patch side. Defaults to 16.
        embed_dims (int): Token dimension. Defaults to 768.
        num_layers (int): Number of blocks. Defaults to 12.
        num_heads (int): Attention heads. Defaults to 12.
        mlp_ratio (float): MLP hidden size over ``embed_dims``. Defaults to 4.
        qkv_bias (bool): Bias in qkv. Defaults to True.
        drop_path_rate (float): Stochastic depth of the last block (linear from 0).
            Defaults to 0.1.
        ce_layers (Sequence[int]): Indices of the blocks that eliminate. Defaults to (3, 6, 9).
        ce_keep_ratio (float | Sequence[float]): Candidate-elimination keep ratio, one value
            for every block of ``ce_layers`` or one per block, each in (0, 1]; 1.0 disables
            elimination. Defaults to 0.7.
        ce_template_range (str): Template tokens that score search tokens: ``'centre'`` (the
            centre token of every template crop; the papers' setting) or ``'all'``.
        pretrain_grid_size (int): Side of the pretrained ``pos_embed`` grid (224 / 16 = 14).
        explicit_attention (bool): Materialise attention maps as the reference does
            (slower, same numbers). Defaults to False.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=PATH)`` loads MAE /
            timm-layout ViT weights (``{'model': ...}`` or a bare state dict) and resizes the
            position embedding for the template and search grids.

    Attributes:
        ce_keep_ratio (tuple[float]): Configured keep ratio of each ``ce_layers`` block (what
            tracking uses; ``CEKeepRatioHook`` reads its training target here).
        scheduled_ce_keep_ratio (float, optional): Keep ratio of every eliminating block in
            training-mode forwards (the warm-up schedule, set by ``CEKeepRatioHook``); None
            uses :attr:`ce_keep_ratio`. Ignored in eval mode.
    """

    def __init__(self,
                 template_size: int = 192,
                 search_size: int = 384,
                 patch_size: int = 16,
                 embed_dims: int = 768,
                 num_layers: int = 12,
                 num_heads: int = 12,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop_path_rate: float = 0.1,
                 ce_layers: Sequence[int] = (3, 6, 9),
                 ce_keep_ratio: Union[float, Sequence[float]] = 0.7,
                 ce_template_range: str = 'centre',
                 pretrain_grid_size: int = 14,
                 explicit_attention: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        for name, size in (('template_size', template_size), ('search_size', search_size)):
            if size % patch_size:
                raise ValueError(f'{name}={size} is not a multiple of patch_size={patch_size}')
        if ce_template_range not in ('centre', 'all'):
            raise ValueError("ce_template_range must be 'centre' or 'all', got "
                             f'{ce_template_range!r}')
        ce_layers = tuple(ce_layers)
        if isinstance(ce_keep_ratio, (int, float)):
            ce_keep_ratio = (float(ce_keep_ratio), ) * len(ce_layers)
        ce_keep_ratio = tuple(ce_keep_ratio)
        if len(ce_keep_ratio) != len(ce_layers):
            raise ValueError(f'ce_keep_ratio={ce_keep_ratio} has {len(ce_keep_ratio)} keep ratios '
                             f'for {len(ce_layers)} ce_layers={ce_layers}')
        if any(not 0 <= i < num_layers for i in ce_layers):
            raise ValueError(f'ce_layers={ce_layers} must lie in [0, {num_layers})')
        if any(not 0 < r <= 1 for r in ce_keep_ratio):
            raise ValueError(f'ce_keep_ratio={ce_keep_ratio} must lie in (0, 1]')
        self.template_size = template_size
        self.search_size = search_size
        self.patch_size = patch_size
        self.embed_dims = embed_dims
        self.template_grid = template_size // patch_size
        self.search_grid = search_size // patch_size
        self.ce_layers = ce_layers
        self.ce_keep_ratio = ce_keep_ratio
        self.scheduled_ce_keep_ratio: Optional[float] = None
        self.ce_template_range = ce_template_range
        self.pretrain_grid_size = pretrain_grid_size

        self.patch_embed = PatchEmbed(patch_size, embed_dims)
        # cls_token and the pretrained-grid pos_embed are kept (unused in the forward) so that
        # checkpoints keep the reference's key layout and the grids can be re-derived.
        # Frozen: nothing in the forward uses them, and DDP requires every trainable
        # parameter to receive a gradient.
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dims), requires_grad=False)
        self.pos_embed = nn.Parameter(
            torch.zeros(1, pretrain_grid_size**2 + 1, embed_dims), requires_grad=False)
        self.pos_embed_z = nn.Parameter(torch.zeros(1, self.template_grid**2, embed_dims))
        self.pos_embed_x = nn.Parameter(torch.zeros(1, self.search_grid**2, embed_dims))
        ce_keep_ratio_of = dict(zip(ce_layers, ce_keep_ratio))
        drop_path_rates = torch.linspace(0, drop_path_rate, num_layers).tolist()
        self.blocks = nn.Sequential(*[
            CEBlock(embed_dims, num_heads, mlp_ratio, qkv_bias, drop_path=drop_path_rates[i],
                    ce_keep_ratio=ce_keep_ratio_of.get(i, 1.),
                    explicit_attention=explicit_attention)
            for i in range(num_layers)
        ])
        self.norm = nn.LayerNorm(embed_dims, eps=1e-6)
        self._reset_parameters()

    # ------------------------------------------------------------------ initialisation
    def _reset_parameters(self) -> None:
        """Random init of the ViT (timm's scheme), then derive the template / search grids."""
        trunc_normal_(self.pos_embed, std=.02)
        nn.init.normal_(self.cls_token, std=1e-6)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                trunc_normal_(module.weight, std=.02)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        self._derive_pos_embeds()

    @torch.no_grad()
    def _derive_pos_embeds(self) -> None:
        grid = self.pos_embed[:, 1:]
        self.pos_embed_z.copy_(resize_pos_embed(grid, (self.template_grid, ) * 2))
        self.pos_embed_x.copy_(resize_pos_embed(grid, (self.search_grid, ) * 2))

    def init_weights(self) -> None:
        """Load pretrained ViT weights when ``init_cfg`` asks for them.

        Position embeddings are resized from the checkpoint's grid; keys of the MAE decoder /
        classifier are ignored (listed in the log). Missing encoder keys are an error.
        """
        if not (isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained'):
            super().init_weights()
            return
        path = self.init_cfg['checkpoint']
        checkpoint = CheckpointLoader.load_checkpoint(path, map_location='cpu')
        state_dict = checkpoint.get('model', checkpoint.get('state_dict', checkpoint))
        prefix = self.init_cfg.get('prefix')
        if prefix:
            state_dict = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
        self.load_pretrained_vit(state_dict, source=path)
        self._is_init = True

    @torch.no_grad()
    def load_pretrained_vit(self, state_dict: dict, source: str = '<state_dict>') -> None:
        """Load a timm / MAE-layout ViT state dict.

        Args:
            state_dict (dict): Keys such as ``patch_embed.proj.weight``, ``pos_embed``
                (1, 1 + g*g, C), ``blocks.N.attn.qkv.weight``, ``norm.weight``.
            source (str): Name used in messages.

        Raises:
            KeyError: If encoder weights of this backbone are missing from the checkpoint.
            ValueError: If a tensor's shape does not match (e.g. another ViT size).
        """
        own = self.state_dict()
        derived = {'pos_embed_z', 'pos_embed_x'}
        missing = sorted(k for k in own if k not in state_dict and k not in derived)
        if missing:
            raise KeyError(f'{source} is not a ViT checkpoint for this backbone: '
                           f'{len(missing)} missing keys, e.g. {missing[:5]}')
        pos_embed = state_dict['pos_embed']
        if pos_embed.shape[-1] != self.embed_dims:
            raise ValueError(f'{source}: pos_embed has {pos_embed.shape[-1]} dims, the backbone '
                             f'has embed_dims={self.embed_dims}')
        # drop the cls position and resize the grid to the pretrained grid size this model keeps
        grid = pos_embed[:, -(math.isqrt(pos_embed.shape[1] - 1)**2):]
        target = {k: v for k, v in state_dict.items() if k in own and k not in derived}
        target['pos_embed'] = torch.cat(
            [pos_embed[:, :1], resize_pos_embed(grid, (self.pretrain_grid_size, ) * 2)], dim=1)
        for key, value in target.items():
            if value.shape != own[key].shape:
                raise ValueError(f'{source}: {key} has shape {tuple(value.shape)}, expected '
                                 f'{tuple(own[key].shape)}')
        self.load_state_dict(target, strict=False)
        self.pos_embed_z.copy_(resize_pos_embed(grid, (self.template_grid, ) * 2))
        self.pos_embed_x.copy_(resize_pos_embed(grid, (self.search_grid, ) * 2))
        ignored = sorted(k for k in state_dict if k not in own)
        print_log(f'Loaded pretrained ViT from {source}; ignored {len(ignored)} keys '
                  f'{ignored[:8]}{"..." if len(ignored) > 8 else ""}', logger='current')

    # ------------------------------------------------------------------ forward
    def centre_rows(self, num_templates: int, device: torch.device) -> Optional[Tensor]:
        """Token positions of the template centres in the joint sequence (None for 'all')."""
        if self.ce_template_range == 'all':
            return None
        per_template = self.template_grid**2
        centre = template_centre_index(self.template_grid)
        return torch.arange(num_templates, device=device) * per_template + centre

    def forward(self, templates: Tensor, search: Tensor,
                ce_keep_ratio: Optional[float] = None) -> OneStreamViTOutput:
        """Encode templates and search region jointly.

        Args:
            templates (Tensor): (B, T, 3, Hz, Wz) normalised template crops (static crops
                first, then dynamic, as the tracker orders them).
            search (Tensor): (B, 3, Hx, Wx) normalised search crop.
            ce_keep_ratio (float, optional): Keep ratio used by every eliminating block in
                this forward (>= 1 disables elimination). None uses
                :attr:`scheduled_ce_keep_ratio` in training mode when it is set, else the
                configured :attr:`ce_keep_ratio`.

        Returns:
            OneStreamViTOutput: search feature map, template tokens, kept / removed positions.
        """
        if templates.dim() != 5 or search.dim() != 4:
            raise ValueError('templates must be (B, T, 3, H, W) and search (B, 3, H, W), got '
                             f'{tuple(templates.shape)} and {tuple(search.shape)}')
        batch, num_templates = templates.shape[:2]
        z = self.patch_embed(templates.flatten(0, 1)) + self.pos_embed_z
        z = z.reshape(batch, -1, self.embed_dims)  # (B, T*Lz, C), template by template
        x = self.patch_embed(search) + self.pos_embed_x
        num_template_tokens, num_search = z.shape[1], x.shape[1]
        tokens = torch.cat([z, x], dim=1)

        if ce_keep_ratio is None and self.training:
            ce_keep_ratio = self.scheduled_ce_keep_ratio
        centre_rows = self.centre_rows(num_templates, tokens.device)
        search_index = torch.arange(num_search, device=tokens.device).expand(batch, -1)
        removed_index = []
        for block in self.blocks:
            tokens, search_index, removed = block(tokens, num_template_tokens, centre_rows,
                                                  search_index, ce_keep_ratio)
            if removed is not None:
                removed_index.append(removed)
        tokens = self.norm(tokens)

        # scatter kept tokens back to their grid positions; removed positions stay zero
        kept = tokens[:, num_template_tokens:]
        search_tokens = kept.new_zeros(batch, num_search, self.embed_dims)
        search_tokens.scatter_(1, search_index.unsqueeze(-1).expand_as(kept), kept)
        search_feat = search_tokens.transpose(1, 2).reshape(batch, self.embed_dims,
                                                            self.search_grid, self.search_grid)
        return OneStreamViTOutput(search_feat, tokens[:, :num_template_tokens], search_index,
                                  removed_index)
