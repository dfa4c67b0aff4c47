"""Transformer layers of the one-stream ViT.

Parameter names (``qkv``, ``proj``, ``fc1``, ``fc2``, ``norm1``, ``norm2``) follow timm / MAE /
OSTrack so that MAE weights and the authors' checkpoints load without renaming.
"""
import math
from typing import NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from torch import Tensor, nn


class PatchEmbed(nn.Module):
    """Non-overlapping patch embedding: (B, 3, H, W) -> (B, H/p * W/p, C), row-major."""

    def __init__(self, patch_size: int, embed_dims: int, in_channels: int = 3):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, embed_dims, patch_size, stride=patch_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    """Multi-head self-attention that can also return selected attention rows.

    The output is computed with ``F.scaled_dot_product_attention`` (fused kernel, no
    (L, L) probability matrix kept). When candidate elimination needs the attention
    probabilities of a few query tokens, only those rows are recomputed (softmax over all
    keys, the same numbers as rows of the full map) instead of materialising the full map.

    Args:
        embed_dims (int): Token dimension C.
        num_heads (int): Number of heads; C must be divisible by it.
        qkv_bias (bool): Bias in the qkv projection. Defaults to True.
        attn_drop (float): Dropout on attention probabilities. Defaults to 0.
        proj_drop (float): Dropout after the output projection. Defaults to 0.
        explicit (bool): Compute softmax(QK^T)V with an explicit (L, L) map, as the
            reference does; slower, kept for debugging and timing comparisons.
    """

    def __init__(self, embed_dims: int, num_heads: int, qkv_bias: bool = True,
                 attn_drop: float = 0., proj_drop: float = 0., explicit: bool = False):
        super().__init__()
        if embed_dims % num_heads != 0:
            raise ValueError(f'embed_dims={embed_dims} is not divisible by num_heads={num_heads}')
        self.num_heads = num_heads
        self.head_dims = embed_dims // num_heads
        self.scale = self.head_dims**-0.5
        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=qkv_bias)
        self.attn_drop = attn_drop
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.proj_drop = nn.Dropout(proj_drop)
        self.explicit = explicit

    def forward(self, x: Tensor, prob_rows: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Attend over all tokens.

        Args:
            x (Tensor): (B, L, C) tokens.
            prob_rows (Tensor, optional): (R,) indices of query tokens whose attention
                probabilities are wanted.

        Returns:
            tuple[Tensor, Tensor | None]: (B, L, C) output tokens, and (B, heads, R, L)
            attention probabilities of the rows in ``prob_rows`` (None if not asked).
        """
        batch, length, channels = x.shape
        qkv = self.qkv(x).reshape(batch, length, 3, self.num_heads, self.head_dims)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, heads, L, d)
        drop = self.attn_drop if self.training else 0.
        if self.explicit:
            probs = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
            out = F.dropout(probs, drop, self.training) @ v
            rows = probs[:, :, prob_rows] if prob_rows is not None else None
        else:
            out = F.scaled_dot_product_attention(q, k, v, dropout_p=drop)
            rows = None
            if prob_rows is not None:
                rows = self.attention_rows(q[:, :, prob_rows], k)
        out = out.transpose(1, 2).reshape(batch, length, channels)
        return self.proj_drop(self.proj(out)), rows

    def attention_rows(self, q_rows: Tensor, k: Tensor) -> Tensor:
        """Attention probabilities of a few query rows, always in float32.

        They rank search tokens for candidate elimination: under bfloat16 autocast the
        probabilities of neighbouring tokens round to equal values (8 mantissa bits) and the
        ranking would break ties differently from float32, so this runs with autocast off.

        Args:
            q_rows (Tensor): (B, heads, R, d) queries of the wanted rows.
            k (Tensor): (B, heads, L, d) keys.

        Returns:
            Tensor: (B, heads, R, L) float32 probabilities.
        """
        with torch.autocast(q_rows.device.type, enabled=False):
            logits = (q_rows.float() @ k.float().transpose(-2, -1)) * self.scale
            return logits.softmax(dim=-1)


class Mlp(nn.Module):
    """Two linear layers with GELU between (the ViT MLP)."""

    def __init__(self, embed_dims: int, hidden_dims: int, drop: float = 0.):
        super().__init__()
        self.fc1 = nn.Linear(embed_dims, hidden_dims)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dims, embed_dims)
        self.drop = nn.Dropout(drop)

    def forward(self, x: Tensor) -> Tensor:
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class EliminationResult(NamedTuple):
    """Search tokens kept by candidate elimination.

    Attributes:
        tokens (Tensor): (B, L_t + K, C) template tokens followed by the K kept search tokens.
        kept_index (Tensor): (B, K) original grid positions of the kept search tokens, in the
            order they now stand (descending score).
        removed_index (Tensor): (B, L_s - K) original positions of the removed tokens.
    """
    tokens: Tensor
    kept_index: Tensor
    removed_index: Tensor


def eliminate_candidates(tokens: Tensor, centre_probs: Tensor, num_template_tokens: int,
                         keep_ratio: float, search_index: Tensor) -> EliminationResult:
    """Keep the search tokens the template centres attend to most (candidate elimination).

    Score of a search token = attention probability from the template centre tokens to it,
    averaged over the centre tokens and then over heads. The ``ceil(keep_ratio * L_s)`` best
    are kept, ordered by descending score (``torch.sort``, as the reference, so ties resolve
    identically).

    Args:
        tokens (Tensor): (B, L_t + L_s, C) template tokens then current search tokens.
        centre_probs (Tensor): (B, heads, R, L_t + L_s) attention probabilities of the R
            template centre tokens.
        num_template_tokens (int): L_t.
        keep_ratio (float): Fraction of the current search tokens to keep, in (0, 1].
        search_index (Tensor): (B, L_s) original positions of the current search tokens.

    Returns:
        EliminationResult: tokens, kept and removed original positions.
    """
    num_search = tokens.shape[1] - num_template_tokens
    num_keep = math.ceil(keep_ratio * num_search)
    scores = centre_probs[..., num_template_tokens:].mean(dim=2).mean(dim=1)  # (B, L_s)
    order = torch.sort(scores, dim=1, descending=True)[1]
    keep_order, removed_order = order[:, :num_keep], order[:, num_keep:]
    search_tokens = tokens[:, num_template_tokens:]
    kept_tokens = search_tokens.gather(
        1, keep_order.unsqueeze(-1).expand(-1, -1, search_tokens.shape[-1]))
    return EliminationResult(
        tokens=torch.cat([tokens[:, :num_template_tokens], kept_tokens], dim=1),
        kept_index=search_index.gather(1, keep_order),
        removed_index=search_index.gather(1, removed_order))


class CEBlock(nn.Module):
    """Pre-norm ViT block with optional candidate elimination between attention and MLP.

    Args:
        embed_dims (int): Token dimension.
        num_heads (int): Attention heads.
        mlp_ratio (float): MLP hidden size over ``embed_dims``. Defaults to 4.
        qkv_bias (bool): Bias in qkv. Defaults to True.
        drop_path (float): Stochastic depth rate. Defaults to 0.
        ce_keep_ratio (float): Candidate elimination keep ratio of this block; 1.0 disables
            elimination here. Defaults to 1.0.
        explicit_attention (bool): See :class:`Attention`. Defaults to False.
    """

    def __init__(self, embed_dims: int, num_heads: int, mlp_ratio: float = 4.,
                 qkv_bias: bool = True, drop_path: float = 0., ce_keep_ratio: float = 1.,
                 explicit_attention: bool = False):
        super().__init__()
        self.norm1 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.attn = Attention(embed_dims, num_heads, qkv_bias, explicit=explicit_attention)
        self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()
        self.norm2 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.mlp = Mlp(embed_dims, int(embed_dims * mlp_ratio))
        self.ce_keep_ratio = ce_keep_ratio

    def resolve_ce_keep_ratio(self, ce_keep_ratio: Optional[float] = None) -> float:
        """Keep ratio used in this forward.

        An override (e.g. the training warm-up schedule) applies only to blocks that eliminate
        at all, and an override >= 1 disables elimination (the reference's rule).

        Args:
            ce_keep_ratio (float, optional): Override for this forward; None uses the block's
                own :attr:`ce_keep_ratio`.

        Returns:
            float: keep ratio in (0, 1]; 1.0 means no elimination.
        """
        if self.ce_keep_ratio >= 1 or (ce_keep_ratio is not None and ce_keep_ratio >= 1):
            return 1.
        return self.ce_keep_ratio if ce_keep_ratio is None else ce_keep_ratio

    def forward(self, x: Tensor, num_template_tokens: int, centre_rows: Optional[Tensor],
                search_index: Tensor, ce_keep_ratio: Optional[float] = None
                ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
        """Run the block.

        Args:
            x (Tensor): (B, L_t + L_s, C) tokens, templates first.
            num_template_tokens (int): L_t.
            centre_rows (Tensor, optional): (R,) positions of the template centre tokens used
                to score search tokens; None scores with all template tokens.
            search_index (Tensor): (B, L_s) original positions of the search tokens in x.
            ce_keep_ratio (float, optional): Keep ratio override for this forward (see
                :meth:`resolve_ce_keep_ratio`); None uses the block's own ratio.

        Returns:
            tuple: tokens (B, L_t + K, C), search positions (B, K), removed positions
            (B, L_s - K) or None when nothing was removed.
        """
        keep_ratio = self.resolve_ce_keep_ratio(ce_keep_ratio)
        num_search = x.shape[1] - num_template_tokens
        eliminate = math.ceil(keep_ratio * num_search) < num_search
        prob_rows = None
        if eliminate:
            prob_rows = centre_rows if centre_rows is not None else torch.arange(
                num_template_tokens, device=x.device)
        attn_out, centre_probs = self.attn(self.norm1(x), prob_rows)
        x = x + self.drop_path(attn_out)
        removed = None
        if eliminate:
            x, search_index, removed = eliminate_candidates(x, centre_probs, num_template_tokens,
                                                            keep_ratio, search_index)
        x = x + self.drop_path(self.mlp(self.norm2(x)))
        return x, search_index, removed
