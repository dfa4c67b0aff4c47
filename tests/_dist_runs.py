"""``tools/dist_test.sh`` run with gloo processes on this machine, for the tests that compare a
distributed test with a one-process one (a uniquely named module: ``conftest`` is ambiguous)."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, NamedTuple, Optional, Sequence

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (torchrun's ``--master_port``)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class DistTestRun(NamedTuple):
    """What a ``tools/dist_test.sh`` run left: the metrics rank 0 wrote (``--metrics-file``) and
    the text of the log file in its work dir."""
    metrics: dict
    log: str


def run_dist_test(config, checkpoint: Optional[str], num_processes: int, run_dir,
                  *test_args: str) -> DistTestRun:
    """``bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES`` on a free port, one OpenMP
    thread a process, writing ``<run_dir>/work<N>``, ``out<N>`` (``--out-dir``) and
    ``metrics<N>.json``; the test fails with the end of stderr when the run fails.

    Args:
        config: the config file; its ``env_cfg`` picks the backend (gloo on CPU).
        checkpoint: the weights, or None for a tracker without parameters.
        num_processes: processes on this machine.
        run_dir: the folder of the run's outputs (also its working directory).
        test_args: more ``tools/test.py`` arguments (e.g. ``--cfg-options ...``).
    """
    run_dir = Path(run_dir)
    work_dir = run_dir / f'work{num_processes}'
    metrics_file = run_dir / f'metrics{num_processes}.json'
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1')
    run = subprocess.run(
        ['bash', str(REPO / 'tools' / 'dist_test.sh'), str(config), checkpoint or 'none',
         str(num_processes), '--work-dir', str(work_dir),
         '--out-dir', str(run_dir / f'out{num_processes}'), '--metrics-file', str(metrics_file),
         *test_args], cwd=run_dir, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return DistTestRun(json.loads(metrics_file.read_text()),
                       next(work_dir.rglob('*.log')).read_text())


def static_box_vot_runs(run_dir, dataset_config: str, data_root: str,
                        eao_interval: Sequence[int]) -> Dict[int, DistTestRun]:
    """The static-box tracker tested on ``configs/_base_/datasets/<dataset_config>`` (a VOT
    benchmark) at ``data_root`` by 1 and by 2 gloo processes: ``{1: run, 2: run}``, the raw
    results in ``<run_dir>/out1`` and ``out2``."""
    config = Path(run_dir) / 'static_box_vot.py'
    config.write_text(
        f"_base_ = ['{REPO}/configs/_base_/datasets/{dataset_config}', "
        f"'{REPO}/configs/_base_/default_runtime.py']\n"
        "model = dict(type='StaticBoxTracker')\n"
        "model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')\n"
        "env_cfg = dict(dist_cfg=dict(backend='gloo'))\n")
    low, high = eao_interval
    options = ['--cfg-options', f'test_dataloader.dataset.data_root={data_root}',
               'test_dataloader.dataset.use_cache=False', 'test_dataloader.num_workers=0',
               'test_dataloader.persistent_workers=False',
               f'test_evaluator.metric_options.eao_interval=[{low},{high}]']
    return {num_processes: run_dist_test(config, None, num_processes, run_dir, *options)
            for num_processes in (1, 2)}
