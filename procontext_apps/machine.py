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


#: Packages whose versions a report records (import name).
REPORTED_PACKAGES = ('torch', 'mmengine', 'mmcv', 'mmdet', 'procontext_mm')


def describe_environment(device: str = 'cpu') -> dict:
    """What a comparison or benchmark ran with, for its report.

    Args:
        device (str): The device the trackers ran on (``'cpu'``, ``'cuda:0'``).

    Returns:
        dict: ``versions`` (python and :data:`REPORTED_PACKAGES`; ``'not installed'`` where
        missing), ``device``, ``num_threads`` (torch's intra-op threads), ``cpu`` (model name),
        ``num_cores``.
    """
    import importlib
    import platform

    import torch
    versions = {'python': platform.python_version()}
    for package in REPORTED_PACKAGES:
        try:
            versions[package] = importlib.import_module(package).__version__
        except ImportError:
            versions[package] = 'not installed'
    return dict(versions=versions, device=str(device), num_threads=torch.get_num_threads(),
                cpu=cpu_name(), num_cores=os.cpu_count())


def format_environment(environment: dict) -> str:
    """One line of :func:`describe_environment`'s result, for printed headers."""
    versions = ', '.join(f'{k} {v}' for k, v in environment['versions'].items())
    return (f'{versions}; device {environment["device"]}, {environment["num_threads"]} '
            f'intra-op thread(s), {environment["cpu"]} ({environment["num_cores"]} cores)')
