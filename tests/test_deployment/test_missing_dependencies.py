import sys

import pytest

from procontext_mm.deployment import OnnxRuntimeNetwork, export_tracker_network
from procontext_mm.registry import MODELS
from procontext_mm.testing import tiny_tracker_cfg


@pytest.mark.parametrize('missing', ['onnxruntime', 'onnxscript'])
def test_a_missing_dependency_names_the_extra_to_install(monkeypatch, tmp_path, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import <missing>` fail
    with pytest.raises(ImportError, match=rf'{missing} is not installed: .* need the "deploy" '
                       r'extra, pip install "procontext_mm\[deploy\]"'):
        if missing == 'onnxruntime':
            OnnxRuntimeNetwork(tmp_path / 'network.onnx')
        else:
            export_tracker_network(MODELS.build(tiny_tracker_cfg()), tmp_path / 'network.onnx')


def test_importing_the_package_does_not_import_onnx():
    # procontext_mm.deployment imports onnx / onnxruntime only when its functions are called
    import subprocess
    code = ('import sys, procontext_mm, procontext_mm.apis, procontext_mm.deployment; '
            'print(sorted(m for m in ("onnx", "onnxruntime", "onnxscript") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == '[]'
