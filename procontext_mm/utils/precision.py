"""Which reduced precision the machine runs natively."""
import sys
from typing import Set

#: ``/proc/cpuinfo`` flags of x86 CPUs that multiply bfloat16 matrices natively.
BF16_CPU_FLAGS = ('amx_bf16', 'avx512_bf16')


def cpu_flags() -> Set[str]:
    """The CPU's feature flags (``/proc/cpuinfo``; empty where it is not readable)."""
    if not sys.platform.startswith('linux'):
        return set()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return set(line.split(':', 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_has_native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 matrices natively (AMX-BF16 or AVX512-BF16): there
    bfloat16 autocast speeds matmul-bound models up; elsewhere it emulates and is slower."""
    return any(flag in cpu_flags() for flag in BF16_CPU_FLAGS)
