"""Fixtures of the dataset tests: an isolated index cache and a log recorder."""
from typing import List
from unittest import mock

import pytest

from procontext_mm.datasets.index_cache import CACHE_DIR_ENV


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own cache directory (never ``~/.cache``)."""
    cache_dir = tmp_path / 'index_cache'
    monkeypatch.setenv(CACHE_DIR_ENV, str(cache_dir))
    return cache_dir


class LogRecorder:
    """Messages given to ``print_log`` by the dataset base class."""

    def __init__(self) -> None:
        self.messages: List[str] = []

    def __call__(self, msg, logger=None, level=None):
        self.messages.append(str(msg))

    def matching(self, *words: str) -> List[str]:
        return [m for m in self.messages if all(w in m for w in words)]


@pytest.fixture
def sot_log():
    """Record the log messages of the SOT datasets."""
    recorder = LogRecorder()
    with mock.patch('procontext_mm.datasets.base_sot_dataset.print_log', recorder):
        yield recorder
