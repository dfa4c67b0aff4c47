"""Mixed-precision training in bfloat16 on any device, the CPU included."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper
from torch import nn

from procontext_mm.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BF16OptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward passes run under ``torch.autocast`` in bfloat16.

    mmengine's ``AmpOptimWrapper`` needs CUDA (or NPU / MLU) and a gradient scaler; bfloat16
    has float32's exponent range, so it needs no loss scaling, and CPUs with native bfloat16
    matrix units (AMX, AVX512-BF16) run its matmuls several times faster than float32. The
    weights, gradients and optimizer state stay float32, and the ops that autocast's policy
    for the device keeps in float32 stay there. Usage::

        optim_wrapper = dict(type='BF16OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3))

    Args:
        **kwargs: As mmengine's ``OptimWrapper`` (``optimizer``, ``clip_grad``,
            ``accumulative_counts``).
    """

    @contextmanager
    def optim_context(self, model: nn.Module):
        """The parent's context (gradient accumulation) plus bfloat16 autocast on the device
        of the model's parameters."""
        device_type = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(device_type, dtype=torch.bfloat16):
            yield
