"""FLOPs of one tracking forward, in the convention of the paper's Table 4."""
from collections import Counter
from math import prod
from typing import Any, Dict, List

import torch
from mmengine.analysis import FlopAnalyzer
from mmengine.analysis.jit_handles import get_shape
from torch import nn

#: operators whose multiply-accumulates make up Table 4's GFLOPs (thop's convention: conv and
#: linear layers; attention products and normalisation not included)
LAYER_OPS = ('conv', 'linear', 'addmm')
ATTENTION_OPS = ('scaled_dot_product_attention', 'matmul', 'bmm')


def sdpa_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """Multiply-accumulates of ``scaled_dot_product_attention``: QK^T and (softmax)V.

    mmengine's counter has no handle for it and would count 0.
    """
    q_shape, k_shape, v_shape = (get_shape(v) for v in inputs[:3])
    *batch, length_q, dims = q_shape
    length_k = k_shape[-2]
    return prod(batch) * length_q * length_k * (dims + v_shape[-1])


class _TrackingForward(nn.Module):
    """Wraps the crop-level forward so the analyser traces backbone + head only."""

    def __init__(self, tracker: nn.Module):
        super().__init__()
        self.tracker = tracker

    def forward(self, templates, search):
        return tuple(self.tracker.forward_crops(templates, search))


def tracking_forward_complexity(tracker: nn.Module) -> Dict[str, float]:
    """Count one tracking forward of ``tracker`` (all its templates + one search crop).

    Returns:
        dict: ``layer_gmacs`` (conv + linear, Table 4's figure), ``attention_gmacs``
        (attention products), ``other_gmacs`` (normalisation etc.), ``params_m``,
        ``num_templates``, ``template_size``, ``search_size``.
    """
    backbone = tracker.backbone
    num_templates = tracker.template_memory.num_templates
    device = next(tracker.parameters()).device
    templates = torch.zeros(1, num_templates, 3, backbone.template_size, backbone.template_size,
                            device=device)
    search = torch.zeros(1, 3, backbone.search_size, backbone.search_size, device=device)
    was_training = tracker.training
    tracker.eval()
    analyzer = FlopAnalyzer(_TrackingForward(tracker), (templates, search))
    analyzer.set_op_handle('aten::scaled_dot_product_attention', sdpa_flop_jit)
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    by_operator = Counter(analyzer.by_operator())
    tracker.train(was_training)
    layer = sum(v for k, v in by_operator.items() if k in LAYER_OPS)
    attention = sum(v for k, v in by_operator.items() if k in ATTENTION_OPS)
    other = sum(by_operator.values()) - layer - attention
    return dict(
        layer_gmacs=layer / 1e9,
        attention_gmacs=attention / 1e9,
        other_gmacs=other / 1e9,
        params_m=sum(p.numel() for p in tracker.parameters()) / 1e6,
        num_templates=num_templates,
        template_size=backbone.template_size,
        search_size=backbone.search_size)
