"""cpu_info: fields of /proc/cpuinfo, the model name and native bfloat16."""
import sys
from unittest import mock

import pytest

from procontext_mm.utils import cpu_info

CPUINFO = ('processor\t: 0\nmodel name\t: Example CPU 9000\nflags\t\t: fpu sse avx512_bf16 '
           'avx512f\n\nprocessor\t: 1\nmodel name\t: Example CPU 9000\nflags\t\t: fpu\n')


@pytest.fixture
def fake_cpuinfo(monkeypatch):
    monkeypatch.setattr(sys, 'platform', 'linux')

    def use(text):
        return mock.patch('builtins.open', mock.mock_open(read_data=text))
    return use


def test_first_line_of_each_field_is_read(fake_cpuinfo):
    with fake_cpuinfo(CPUINFO):
        assert cpu_info.cpuinfo_field('model name') == 'Example CPU 9000'
        assert cpu_info.cpu_name() == 'Example CPU 9000'
        assert cpu_info.cpu_flags() == {'fpu', 'sse', 'avx512_bf16', 'avx512f'}
        assert cpu_info.cpu_has_native_bf16()
        assert cpu_info.cpuinfo_field('bogomips') is None


def test_without_bf16_flags_or_cpuinfo(fake_cpuinfo, monkeypatch):
    with fake_cpuinfo(CPUINFO.replace('avx512_bf16 ', '')):
        assert not cpu_info.cpu_has_native_bf16()
    monkeypatch.setattr(sys, 'platform', 'darwin')
    assert cpu_info.cpu_flags() == set() and not cpu_info.cpu_has_native_bf16()
    assert cpu_info.cpu_name()  # what platform knows, never empty
