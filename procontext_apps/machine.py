"""Where a job ran: the CPU and the threads, for its report."""
import os
from typing import Optional

from procontext_mm.utils.cpu_info import cpu_name


def describe_machine(threads: Optional[int] = None) -> str:
    """``'<CPU model>, N cores, T intra-op thread(s)'`` (T: torch's current setting)."""
    import torch
    threads = torch.get_num_threads() if threads is None else threads
    return (f'{cpu_name()}, {os.cpu_count()} cores, {threads} intra-op '
            f'thread{"s" if threads != 1 else ""}')
