import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from procontext_mm.registry import MODELS
from procontext_mm.testing import tiny_tracker_cfg
from procontext_mm.utils.checkpoint import (convert_official_state_dict, load_foreign_checkpoint,
                                            official_key_to_mm)

REPO = Path(__file__).resolve().parents[2]


def _mm_to_official(key):
    """Inverse mapping, written independently: the authors' names of our keys."""
    if key.startswith('backbone.'):
        return key
    key = re.sub(r'^head\.', 'box_head.', key)
    return key.replace('.conv.', '.0.').replace('.bn.', '.1.')


class TrainerSettings:  # stands in for a class of the reference trainer pickled in a snapshot
    def __init__(self):
        self.lr = 4e-4


def _official_checkpoint(tmp_path, extra=None):
    torch.manual_seed(0)
    model = MODELS.build(tiny_tracker_cfg())
    state = {_mm_to_official(k): v for k, v in model.state_dict().items()}
    path = tmp_path / 'ProContEXT_ep0300.pth.tar'
    torch.save({'net': state, **(extra or {})}, path)
    return model, path


def test_key_mapping_of_the_reference_layout():
    assert official_key_to_mm(
        'backbone.blocks.3.attn.qkv.weight') == 'backbone.blocks.3.attn.qkv.weight'
    assert official_key_to_mm('box_head.conv2_offset.0.weight') == 'head.conv2_offset.conv.weight'
    assert official_key_to_mm('box_head.conv4_ctr.1.running_var') == 'head.conv4_ctr.bn.running_var'
    assert official_key_to_mm('box_head.conv5_size.bias') == 'head.conv5_size.bias'
    with pytest.raises(KeyError):
        official_key_to_mm('transformer.decoder.weight')


def test_converter_tool_round_trip(tmp_path):
    model, src = _official_checkpoint(tmp_path, extra={'epoch': 300, 'settings': TrainerSettings()})
    dst = tmp_path / 'converted.pth'
    out = subprocess.run([sys.executable, str(REPO / 'tools/model_converters/official_to_mm.py'),
                          str(src), str(dst)], capture_output=True, text=True, check=True)
    assert 'Converted 146 tensors' in out.stdout  # 56 backbone + 90 head tensors at tiny size
    converted = torch.load(dst, weights_only=True)
    assert converted['meta']['epoch'] == 300
    reference = model.state_dict()
    assert converted['state_dict'].keys() == reference.keys()
    for key, value in reference.items():
        assert torch.equal(converted['state_dict'][key], value), key


def test_snapshot_with_foreign_objects_loads_without_their_code(tmp_path):
    _, path = _official_checkpoint(tmp_path, extra={'settings': TrainerSettings()})
    checkpoint = load_foreign_checkpoint(str(path))
    assert isinstance(checkpoint['net']['backbone.pos_embed'], torch.Tensor)
    assert type(checkpoint['settings']).__name__ == '_Placeholder'


def test_checkpoint_of_another_model_names_its_keys():
    with pytest.raises(KeyError, match=r'2 keys are not in the ProContEXT / OSTrack layout.*'
                       r'cls_head.fc.weight'):
        convert_official_state_dict({'backbone.norm.weight': torch.zeros(1),
                                     'cls_head.fc.weight': torch.zeros(1),
                                     'cls_head.fc.bias': torch.zeros(1)})


def test_missing_checkpoint_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        load_foreign_checkpoint(str(tmp_path / 'nowhere.pth'))


def test_mmengine_checkpoint_with_message_hub_loads_under_weights_only(tmp_path):
    # what Runner.save_checkpoint stores in meta: the message hub's HistoryBuffers (numpy)
    import numpy as np
    from mmengine.logging import MessageHub
    from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint
    hub = MessageHub.get_instance('test_weights_only')
    hub.update_scalar('train/loss', np.float64(0.5))
    hub.update_scalar('train/loss', 0.25)
    model = torch.nn.Linear(2, 2)
    path = str(tmp_path / 'epoch_1.pth')
    save_checkpoint({'state_dict': model.state_dict(), 'meta': {'epoch': 1, 'iter': 7},
                     'message_hub': hub.state_dict()}, path)
    loaded = _load_checkpoint(path, map_location='cpu')  # torch.load's weights_only default
    restored = MessageHub.get_instance('test_weights_only_restored')
    restored.load_state_dict(loaded['message_hub'])
    assert restored.get_scalar('train/loss').mean() == pytest.approx(0.375)
    assert loaded['meta']['iter'] == 7
    assert torch.equal(loaded['state_dict']['weight'], model.weight)
