"""Which floating-point precision a tracker runs its network in on a given device."""
from typing import Tuple, Union

import torch

from .cpu_info import BF16_CPU_FLAGS, cpu_has_native_bf16

#: Tracking precisions: float32, bfloat16 autocast, or bfloat16 only where the device
#: multiplies bfloat16 matrices natively.
TRACKING_PRECISIONS = ('fp32', 'bf16', 'auto')


def check_precision(precision: str, field: str = 'precision') -> str:
    """Return ``precision`` if it is one of :data:`TRACKING_PRECISIONS`.

    Raises:
        ValueError: naming ``field`` and the value found.
    """
    if precision not in TRACKING_PRECISIONS:
        raise ValueError(f'{field} must be one of {list(TRACKING_PRECISIONS)}, got {precision!r}')
    return precision


def resolve_precision(precision: str, device: Union[str, torch.device]) -> Tuple[str, str]:
    """Resolve a requested precision to the one used on ``device``.

    ``'auto'`` means bfloat16 where the device multiplies bfloat16 matrices natively (a CPU
    with AMX-BF16 / AVX512-BF16, a CUDA device that supports bfloat16) and float32 elsewhere:
    bfloat16 on a CPU without those instructions is emulated and slower than float32.

    Args:
        precision (str): ``'fp32'``, ``'bf16'`` or ``'auto'``.
        device (str | torch.device): Where the network runs.

    Returns:
        tuple[str, str]: ``'fp32'`` or ``'bf16'``, and why (for the log).
    """
    check_precision(precision)
    if precision != 'auto':
        return precision, 'asked for'
    device = torch.device(device)
    if device.type == 'cuda':
        if torch.cuda.is_bf16_supported():
            return 'bf16', f'"auto": {torch.cuda.get_device_name(device)} supports bfloat16'
        return 'fp32', f'"auto": {torch.cuda.get_device_name(device)} has no bfloat16 support'
    if device.type == 'cpu':
        flags = ' / '.join(BF16_CPU_FLAGS)
        if cpu_has_native_bf16():
            return 'bf16', f'"auto": the CPU multiplies bfloat16 natively ({flags})'
        return 'fp32', f'"auto": the CPU has no native bfloat16 matmul (none of {flags})'
    return 'fp32', f'"auto": no bfloat16 rule for {device.type} devices'
