import pytest
import torch
from _deployment_utils import TINY_CFG_KWARGS
from mmengine.config import Config

from procontext_mm.testing import tiny_tracker_cfg


@pytest.fixture(scope='session')
def tiny_files(tmp_path_factory):
    """A tiny ProContEXT config, random weights saved as a checkpoint, and its network exported
    to ONNX (once per session: an export takes seconds): dict of paths ``config``,
    ``checkpoint``, ``onnx``."""
    pytest.importorskip('onnxruntime', reason='onnxruntime is not installed (the deploy extra)')
    pytest.importorskip('onnxscript', reason='onnxscript is not installed (the deploy extra)')
    from procontext_mm.apis import init_model
    from procontext_mm.deployment import export_tracker_network
    root = tmp_path_factory.mktemp('tiny_onnx')
    config = str(root / 'tiny.py')
    Config(dict(model=tiny_tracker_cfg(**TINY_CFG_KWARGS),
                default_scope='procontext_mm')).dump(config)
    torch.manual_seed(0)
    model = init_model(config)
    checkpoint = str(root / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    onnx_file = str(root / 'tiny.onnx')
    export_tracker_network(model, onnx_file)
    return dict(config=config, checkpoint=checkpoint, onnx=onnx_file)
