"""What the CPU is and which reduced precision it runs natively (read from ``/proc/cpuinfo``)."""
import platform
import sys
from typing import Optional, Set

#: ``/proc/cpuinfo`` flags of x86 CPUs that multiply bfloat16 matrices natively.
BF16_CPU_FLAGS = ('amx_bf16', 'avx512_bf16')


def cpuinfo_field(name: str) -> Optional[str]:
    """The value of the first ``name : value`` line of ``/proc/cpuinfo``; None where there is
    no such line or file (other systems)."""
    if not sys.platform.startswith('linux'):
        return None
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, sep, value = line.partition(':')
                if sep and key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo``, else what ``platform`` knows)."""
    return (cpuinfo_field('model name') or platform.processor() or platform.machine()
            or 'unknown CPU')


def cpu_flags() -> Set[str]:
    """The CPU's feature flags (empty where ``/proc/cpuinfo`` is not readable)."""
    return set((cpuinfo_field('flags') or '').split())


def cpu_has_native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 matrices natively (AMX-BF16 or AVX512-BF16): there
    bfloat16 autocast speeds matmul-bound models up; elsewhere it emulates and is slower."""
    return any(flag in cpu_flags() for flag in BF16_CPU_FLAGS)
