"""Adapters that let outside evaluation toolkits run any registered SOT config + checkpoint.

* :class:`Got10kToolkitTracker` -- a ``got10k.trackers.Tracker`` (the ``got10k`` toolkit's
  ``ExperimentGOT10k`` / ``ExperimentOTB`` / ... ``run(tracker)``): ``init(image, box)`` /
  ``update(image)`` with PIL RGB images and ``x, y, w, h`` boxes.
* :class:`PytrackingTracker` -- pytracking's tracker contract: ``initialize(image, info)``
  with ``info['init_bbox'] = [x, y, w, h]`` / ``track(image, info=None)`` returning
  ``{'target_bbox': [x, y, w, h], ...}``, images (H, W, 3) uint8 RGB numpy arrays.
* the VOT TraX entry point ``tools/vot/procontext_trax.py`` uses :class:`SOTAdapter`.

All of them are thin: the tracker of :func:`~procontext_mm.apis.init_model` does the work on
BGR frames and ``x1, y1, x2, y2`` boxes; the adapters convert colour order and box format.
"""
import time
from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config

from procontext_mm.structures import bbox_xywh_to_xyxy, bbox_xyxy_to_xywh
from .inference import init_model

try:  # the got10k toolkit is optional (``pip install got10k``)
    from got10k.trackers import Tracker as _Got10kTracker
except ImportError:  # pragma: no cover - exercised only without got10k
    _Got10kTracker = None

ConfigType = Union[str, Path, Config]


def _to_bgr(image, channel_order: str) -> np.ndarray:
    """(H, W, 3) uint8 BGR array from a PIL image (RGB) or an array in ``channel_order``."""
    if hasattr(image, 'convert'):  # PIL image
        image, channel_order = np.asarray(image.convert('RGB')), 'rgb'
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError('expected an (H, W, 3) uint8 image, got '
                         f'{image.shape} {image.dtype}')
    if channel_order == 'rgb':
        image = image[..., ::-1]
    elif channel_order != 'bgr':
        raise ValueError(f'channel_order must be "rgb" or "bgr", got {channel_order!r}')
    return np.ascontiguousarray(image)


class SOTAdapter:
    """A tracker built from a config + checkpoint, driven with ``x, y, w, h`` boxes.

    Args:
        config (str | Path | Config): Config file or object of any registered SOT tracker.
        checkpoint (str, optional): Checkpoint to load (this package's or the authors').
        device (str | torch.device): Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config.
        model (torch.nn.Module, optional): An already built tracker; then ``config`` and
            ``checkpoint`` are ignored.
    """

    def __init__(self,
                 config: Optional[ConfigType] = None,
                 checkpoint: Optional[str] = None,
                 device: Union[str, torch.device] = 'cpu',
                 cfg_options: Optional[dict] = None,
                 model: Optional[torch.nn.Module] = None) -> None:
        if model is None:
            if config is None:
                raise ValueError('SOTAdapter needs a config (or a built model).')
            model = init_model(config, checkpoint, device=device, cfg_options=cfg_options)
        self.model = model

    def initialize_xywh(self, image, bbox_xywh, channel_order: str = 'bgr') -> None:
        """Start a video.

        Args:
            image: (H, W, 3) uint8 array in ``channel_order``, or a PIL image.
            bbox_xywh: (4,) initial box ``x1, y1, w, h`` in pixels.
            channel_order (str): ``'bgr'`` or ``'rgb'`` for arrays. Defaults to 'bgr'.
        """
        self.model.init(_to_bgr(image, channel_order), bbox_xywh_to_xyxy(bbox_xywh).tolist())

    def track_xywh(self, image, channel_order: str = 'bgr') -> Tuple[np.ndarray, float]:
        """Track into the next frame.

        Returns:
            tuple[np.ndarray, float]: (4,) float64 box ``x1, y1, w, h`` in pixels and the
            tracker's confidence.
        """
        bbox_xyxy, score = self.model.track(_to_bgr(image, channel_order))
        return bbox_xyxy_to_xywh(np.asarray(bbox_xyxy).reshape(4)), float(score)


def _default_name(config: Optional[ConfigType]) -> str:
    if isinstance(config, (str, Path)):
        return Path(config).stem
    model_cfg = config.get('model', {}) if isinstance(config, Config) else {}
    return str(model_cfg.get('type', 'procontext_mm'))


if _Got10kTracker is not None:
    _Got10kBase = _Got10kTracker
else:  # pragma: no cover - exercised only without got10k

    class _Got10kBase:

        def __init__(self, *args, **kwargs):
            raise ImportError('Got10kToolkitTracker needs the got10k toolkit: '
                              'pip install got10k==0.1.3 six')


class Got10kToolkitTracker(_Got10kBase):
    """A ``got10k.trackers.Tracker`` running a config + checkpoint of this package.

    The toolkit calls ``init(image, box)`` on the first frame and ``update(image)`` on the
    others, with PIL RGB images and boxes ``x1, y1, w, h`` in pixels; it records the first
    frame's box itself. Example::

        from got10k.experiments import ExperimentGOT10k
        tracker = Got10kToolkitTracker('configs/procontext/<config>.py', 'ckpt.pth')
        experiment = ExperimentGOT10k('data/GOT-10k', subset='val', result_dir='results',
                                      report_dir='reports')
        experiment.run(tracker)
        experiment.report([tracker.name])

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint to load.
        device (str | torch.device): Defaults to 'cpu'.
        name (str, optional): Tracker name (result folder). Defaults to the config file's
            stem, or the model type for a Config object.
        cfg_options (dict, optional): Overrides merged into the config.
        is_deterministic (bool): Tell the toolkit to run each sequence once. Defaults to True
            (the trackers of this package are deterministic in eval mode).
    """

    def __init__(self,
                 config: ConfigType,
                 checkpoint: Optional[str] = None,
                 device: Union[str, torch.device] = 'cpu',
                 name: Optional[str] = None,
                 cfg_options: Optional[dict] = None,
                 is_deterministic: bool = True) -> None:
        super().__init__(name=name or _default_name(config), is_deterministic=is_deterministic)
        self.adapter = SOTAdapter(config, checkpoint, device, cfg_options)

    def init(self, image, box) -> None:
        """First frame: PIL RGB ``image``, ``box`` = (4,) ``x1, y1, w, h`` in pixels."""
        self.adapter.initialize_xywh(image, box, channel_order='rgb')

    def update(self, image) -> np.ndarray:
        """Next frame (PIL RGB) -> (4,) float64 box ``x1, y1, w, h`` in pixels."""
        return self.adapter.track_xywh(image, channel_order='rgb')[0]


class PytrackingTracker:
    """pytracking's tracker contract over a config + checkpoint of this package.

    ``initialize(image, info)`` / ``track(image, info=None)`` with (H, W, 3) uint8 **RGB**
    numpy images (what pytracking's ``Tracker._read_image`` returns) and boxes
    ``[x1, y1, w, h]`` in pixels (``info['init_bbox']``, output ``'target_bbox'``). The
    outputs also carry ``'object_presence_score'`` (the tracker's confidence) and ``'time'``.

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint to load.
        device (str | torch.device): Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config.
        name (str, optional): Name of the tracker. Defaults as in
            :class:`Got10kToolkitTracker`.
    """

    def __init__(self,
                 config: ConfigType,
                 checkpoint: Optional[str] = None,
                 device: Union[str, torch.device] = 'cpu',
                 cfg_options: Optional[dict] = None,
                 name: Optional[str] = None) -> None:
        self.name = name or _default_name(config)
        self.adapter = SOTAdapter(config, checkpoint, device, cfg_options)

    def initialize(self, image: np.ndarray, info: dict) -> dict:
        """Start a video on ``image`` with ``info['init_bbox']`` = ``[x1, y1, w, h]``.

        Returns:
            dict: ``{'time': seconds}``.

        Raises:
            KeyError: If ``info`` has no ``'init_bbox'``.
        """
        if 'init_bbox' not in info:
            raise KeyError("PytrackingTracker.initialize: info needs 'init_bbox' "
                           f'([x, y, w, h] pixels), got keys {sorted(info)}')
        start = time.perf_counter()
        self.adapter.initialize_xywh(image, info['init_bbox'], channel_order='rgb')
        return {'time': time.perf_counter() - start}

    def track(self, image: np.ndarray, info: Optional[dict] = None) -> dict:
        """Track into ``image``.

        Returns:
            dict: ``target_bbox`` (list ``[x1, y1, w, h]``, pixels), ``object_presence_score``
            (float) and ``time`` (seconds).
        """
        start = time.perf_counter()
        bbox_xywh, score = self.adapter.track_xywh(image, channel_order='rgb')
        return {'target_bbox': bbox_xywh.tolist(), 'object_presence_score': score,
                'time': time.perf_counter() - start}
