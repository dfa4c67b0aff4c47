"""Where a job ran: the CPU and the threads, for its report."""
import os
import platform
from typing import Optional


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what ``platform`` knows)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown CPU'


def describe_machine(threads: Optional[int] = None) -> str:
    """``'<CPU model>, N cores, T intra-op thread(s)'`` (T: torch's current setting)."""
    import torch
    threads = torch.get_num_threads() if threads is None else threads
    return (f'{cpu_name()}, {os.cpu_count()} cores, {threads} intra-op '
            f'thread{"s" if threads != 1 else ""}')
