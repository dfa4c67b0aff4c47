import numpy as np
import pytest
import torch
from mmengine.config import Config

from procontext_mm.apis import inference_sot, init_model
from procontext_mm.registry import MODELS
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg


def _config(**kwargs):
    return Config(dict(model=tiny_tracker_cfg(**kwargs), default_scope='procontext_mm'))


def _save(model, path):
    torch.save({'state_dict': model.state_dict(), 'meta': {'epoch': 1}}, path)
    return str(path)


def test_init_model_loads_weights_and_tracks_like_the_model(tmp_path):
    torch.manual_seed(3)
    source = MODELS.build(tiny_tracker_cfg()).eval()
    model = init_model(_config(), checkpoint=_save(source, tmp_path / 'w.pth'))
    assert not model.training and model.cfg.model.type == 'ProContEXT'
    for key, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)
    frames, boxes = moving_square_video(num_frames=4)
    source.init(frames[0], boxes[0])
    for frame_id, frame in enumerate(frames):
        result = inference_sot(model, frame, boxes[0], frame_id)
        instances = result[0].pred_track_instances
        bboxes, scores = instances.bboxes, instances.scores
        assert bboxes.shape == (1, 4) and scores.shape == (1, )
        if frame_id == 0:
            np.testing.assert_allclose(bboxes[0].numpy(), boxes[0])
            assert scores.item() == -1
        else:
            expected, score = source.track(frame)
            np.testing.assert_allclose(bboxes[0].numpy(), expected, rtol=1e-5)
            assert scores.item() == pytest.approx(score, rel=1e-5)


def test_init_model_from_config_file_with_options(tmp_path):
    path = tmp_path / 'cfg.py'
    _config().dump(str(path))
    model = init_model(str(path), cfg_options={'model.template_memory.update_interval': 7})
    assert model.template_memory.update_interval == 7


def test_wrong_checkpoint_names_missing_unexpected_and_mismatched_keys(tmp_path):
    other = MODELS.build(tiny_tracker_cfg(embed_dims=96, num_layers=3))
    path = _save(other, tmp_path / 'other.pth')
    with pytest.raises(ValueError) as err:
        init_model(_config(), checkpoint=path)
    message = str(err.value)
    assert 'missing keys: backbone.blocks.3' in message
    assert 'backbone.blocks.0.mlp.fc2.weight: checkpoint (96, 384) vs model (192, 768)' in message
    torch.save({'state_dict': {**other.state_dict(), 'extra.weight': torch.zeros(1)}}, path)
    with pytest.raises(ValueError, match='unexpected keys: extra.weight'):
        init_model(_config(num_layers=3, embed_dims=96), checkpoint=path)


def test_inference_rejects_bad_images():
    model = init_model(_config())
    with pytest.raises(ValueError, match='uint8 BGR'):
        inference_sot(model, np.zeros((20, 20, 3), np.float32), [1, 1, 5, 5], 0)


def test_init_model_precision_sets_the_tracking_precision():
    model = init_model(_config(), precision='bf16')
    assert model.test_cfg['precision'] == 'bf16' and model.cfg.model.test_cfg.precision == 'bf16'
    frames, boxes = moving_square_video(num_frames=2)
    model.init(frames[0], boxes[0])
    assert model.tracking_precision == 'bf16'
    assert init_model(_config()).test_cfg['precision'] == 'fp32'  # the default
    with pytest.raises(ValueError, match=r"precision must be one of \['fp32', 'bf16', 'auto'\], "
                       r"got 'half'"):
        init_model(_config(), precision='half')
    static = Config(dict(model=dict(type='StaticBoxTracker'), default_scope='procontext_mm'))
    with pytest.raises(ValueError, match='StaticBoxTracker runs no network'):
        init_model(static, precision='bf16')


def test_init_model_refuses_a_precision_for_the_onnxruntime_backend(tmp_path):
    with pytest.raises(ValueError, match=r"precision='bf16' applies to the PyTorch network"):
        init_model(_config(), precision='bf16', backend='onnxruntime',
                   onnx_file=str(tmp_path / 'net.onnx'))
