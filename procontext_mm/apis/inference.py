"""High-level APIs: build a tracker from a config + checkpoint, track one frame."""
from pathlib import Path
from typing import Optional, Union

import numpy as np
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from torch import nn

from procontext_mm.registry import MODELS
from procontext_mm.utils.precision import TRACKING_PRECISIONS, check_precision
from procontext_mm.utils.checkpoint import (convert_official_state_dict, describe_key_mismatch,
                                            load_foreign_checkpoint)


def load_tracker_weights(model: nn.Module, checkpoint: str) -> dict:
    """Load weights into a tracker, strictly.

    Accepts this package's checkpoints (``{'state_dict': ...}``, as mmengine's runner saves
    them) and the authors' / OSTrack checkpoints (``{'net': ...}``), converted on the fly.

    Args:
        model (nn.Module): The tracker.
        checkpoint (str): Path of the checkpoint.

    Returns:
        dict: The checkpoint's ``meta`` (empty for the authors' files).

    Raises:
        ValueError: Naming the missing / unexpected / wrongly shaped keys when the checkpoint
            does not belong to this model.
    """
    ckpt = load_foreign_checkpoint(checkpoint)
    if not isinstance(ckpt, dict):
        raise ValueError(f'{checkpoint} does not hold a state dict (got {type(ckpt).__name__})')
    if 'net' in ckpt:
        state_dict = convert_official_state_dict(ckpt['net'])
    else:
        state_dict = ckpt.get('state_dict', ckpt)
    state_dict = {k[len('module.'):] if k.startswith('module.') else k: v
                  for k, v in state_dict.items()}
    problems = describe_key_mismatch(model.state_dict(), state_dict, checkpoint)
    if problems:
        raise ValueError('The checkpoint does not match the model:\n  ' + '\n  '.join(problems))
    model.load_state_dict(state_dict, strict=True)
    meta = ckpt.get('meta', {})
    return meta if isinstance(meta, dict) else {}


#: Where :func:`init_model` runs the tracking network.
BACKENDS = ('pytorch', 'onnxruntime')


def init_model(config: Union[str, Path, Config], checkpoint: Optional[str] = None,
               device: Union[str, torch.device] = 'cpu',
               cfg_options: Optional[dict] = None,
               precision: Optional[str] = None,
               backend: str = 'pytorch',
               onnx_file: Optional[str] = None) -> nn.Module:
    """Build a tracker from a config file and optionally load a checkpoint.

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint of this package or of the authors
            (``{'net': ...}``). None keeps the random / pretrained initialisation.
        device (str | torch.device): Where to put the model. Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config.
        precision (str, optional): Tracking precision, ``'fp32'``, ``'bf16'`` or ``'auto'``
            (sets ``model.test_cfg.precision``, see :class:`ProContEXT`). None keeps the
            config's.
        backend (str): What runs the network while tracking: ``'pytorch'`` or
            ``'onnxruntime'`` (``onnx_file``, exported from this config by
            ``tools/deployment/pytorch2onnx.py``; cropping, window, decoding and template
            memory stay the same Python code; the network's weights are the file's, so
            ``checkpoint`` may be None). Defaults to 'pytorch'.
        onnx_file (str, optional): The exported network, for ``backend='onnxruntime'``; its
            precision (fp32 / int8) was chosen at export, so ``precision`` does not apply.

    Returns:
        nn.Module: the tracker in eval mode, with ``model.cfg`` set.

    Raises:
        ValueError: For an unknown backend or precision, an ``onnx_file`` without the ONNX
            Runtime backend or the reverse, ``precision='bf16'`` / ``'auto'`` with ONNX Runtime,
            or an ONNX file exported for another config.
        FileNotFoundError: If ``onnx_file`` does not exist.
        ImportError: If onnxruntime is not installed (the ``deploy`` extra).
    """
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
    if (backend == 'onnxruntime') != (onnx_file is not None):
        raise ValueError(f"onnx_file is needed with backend='onnxruntime' and only then, got "
                         f'backend={backend!r}, onnx_file={onnx_file!r}')
    if backend == 'onnxruntime' and precision not in (None, 'fp32'):
        raise ValueError(f"precision={precision!r} applies to the PyTorch network; with "
                         "backend='onnxruntime' the ONNX file's precision applies (fp32 or int8, "
                         'chosen by pytorch2onnx.py --precision)')
    if isinstance(config, (str, Path)):
        config = Config.fromfile(str(config))
    elif not isinstance(config, Config):
        raise TypeError(f'config must be a path or a Config, got {type(config).__name__}')
    if cfg_options:
        config.merge_from_dict(cfg_options)
    if precision is not None:
        set_tracking_precision(config, precision)
    init_default_scope(config.get('default_scope', 'procontext_mm'))
    model_cfg = config.model.copy()
    model_cfg.get('backbone', {}).pop('init_cfg', None)  # no pretrained download at inference
    model = MODELS.build(model_cfg)
    if checkpoint is not None:
        load_tracker_weights(model, checkpoint)
    model.cfg = config
    if backend == 'onnxruntime':
        if not hasattr(model, 'set_network_backend'):
            raise ValueError(f'{type(model).__name__} has no network to run in ONNX Runtime')
        from procontext_mm.deployment import OnnxRuntimeNetwork  # imports onnxruntime on use
        network = OnnxRuntimeNetwork(onnx_file)
        network.check_matches(model)
        model.set_network_backend(network)
    return model.to(device).eval()


def set_tracking_precision(config: Config, precision: str) -> None:
    """Set ``model.test_cfg.precision`` of a tracker config (e.g. from a ``--precision``
    flag).

    Raises:
        ValueError: For an unknown precision, or a model without a network to run in it.
    """
    check_precision(precision)
    if config.model.get('type') == 'StaticBoxTracker':
        raise ValueError(f'precision={precision!r}: the StaticBoxTracker runs no network; only '
                         f'trackers with a network take one of {list(TRACKING_PRECISIONS)}')
    config.merge_from_dict({'model.test_cfg.precision': precision})


def inference_sot(model: nn.Module, image: np.ndarray, init_bbox, frame_id: int) -> TrackDataSample:
    """Track one frame, mmtracking 1.x style.

    Args:
        model (nn.Module): A tracker from :func:`init_model`.
        image (np.ndarray): (H, W, 3) uint8 BGR frame.
        init_bbox: (4,) initial box x1, y1, x2, y2 in pixels; used when ``frame_id == 0``.
        frame_id (int): 0-based index of the frame in its video; 0 (re)initialises the tracker.

    Returns:
        TrackDataSample: one frame whose ``pred_track_instances.bboxes`` is (1, 4) xyxy in
        pixels and ``.scores`` (1,) (-1 on the initial frame).
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 \
            or image.shape[2] != 3:
        raise ValueError('image must be an (H, W, 3) uint8 BGR array, got '
                         f'{getattr(image, "shape", type(image))} {getattr(image, "dtype", "")}')
    det_sample = DetDataSample(metainfo=dict(frame_id=frame_id, ori_shape=image.shape[:2],
                                             img_shape=image.shape[:2]))
    if frame_id == 0:
        gt = InstanceData()
        gt.bboxes = torch.as_tensor(np.asarray(init_bbox, dtype=np.float32).reshape(1, 4))
        det_sample.gt_instances = gt
    sample = TrackDataSample()
    sample.video_data_samples = [det_sample]
    frame = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None]
    return model.test_step(dict(inputs=[frame], data_samples=[sample]))[0]
