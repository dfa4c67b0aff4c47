"""Fixtures shared by every test folder. Helpers that tests import live in uniquely named modules
(``_dist_runs``, ``test_tools/_tool_utils``, ...): a ``from conftest import`` would pick another
folder's conftest when the suite runs together."""
import pytest
import torch


@pytest.fixture
def one_thread():
    """One intra-op thread: tiny models run fastest on one, and the tests share the cores with
    other processes. A module of tiny-model tests uses it for all its tests with
    ``pytestmark = pytest.mark.usefixtures('one_thread')``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
