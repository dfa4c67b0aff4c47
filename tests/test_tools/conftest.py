import sys

import pytest
from _tool_utils import REPO

sys.path.insert(0, str(REPO / 'tools'))


@pytest.fixture(scope='session')
def tiny_benchmark(tmp_path_factory):
    """A small built-in benchmark (GOT-10k layout) shared by the tool tests."""
    from procontext_apps.builtin_benchmark import BenchmarkSpec, generate_builtin_benchmark
    spec = BenchmarkSpec(seed=1, num_train_videos=4, num_val_videos=2, train_frames=(30, 30),
                         val_frames=(20, 20))
    return generate_builtin_benchmark(str(tmp_path_factory.mktemp('bench') / 'b'), spec,
                                      show_progress=False)
