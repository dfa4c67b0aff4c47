"""Base class of single-object trackers (mmtracking dev-1.x shape on mmdet 3.x structures)."""
import time
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmdet.structures import TrackDataSample
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor

from procontext_mm.structures import bbox_xyxy_to_xywh


def check_frame(frame: np.ndarray) -> np.ndarray:
    """Validate a frame given to a tracker: (H, W, 3) uint8.

    Raises:
        ValueError: naming the shape / dtype found.
    """
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 \
            or frame.shape[2] != 3 or frame.shape[0] < 1 or frame.shape[1] < 1:
        desc = (f'{type(frame).__name__} of shape {getattr(frame, "shape", None)} and dtype '
                f'{getattr(frame, "dtype", None)}')
        raise ValueError(f'A frame must be an (H, W, 3) uint8 array, got a {desc}')
    return frame


def check_init_bbox(bbox_xyxy: Union[np.ndarray, Tensor, List[float]], img_h: int,
                    img_w: int) -> List[float]:
    """Validate an initial box and return it as xywh.

    Args:
        bbox_xyxy: (4,) x1, y1, x2, y2 in image pixels.
        img_h (int): Image height.
        img_w (int): Image width.

    Returns:
        list[float]: (x1, y1, w, h).

    Raises:
        ValueError: If the box is not 4 finite numbers, has non-positive width or height, or
            does not overlap the image.
    """
    values = np.asarray(
        bbox_xyxy.detach().cpu() if isinstance(bbox_xyxy, Tensor) else bbox_xyxy,
        dtype=np.float64).reshape(-1)
    if values.size != 4 or not np.isfinite(values).all():
        raise ValueError(f'The initial box must be 4 finite numbers x1, y1, x2, y2, got '
                         f'{values.tolist()}')
    x1, y1, x2, y2 = values.tolist()
    if x2 <= x1 or y2 <= y1:
        raise ValueError(f'The initial box x1, y1, x2, y2 = {values.tolist()} has non-positive '
                         'width or height')
    if x2 <= 0 or y2 <= 0 or x1 >= img_w or y1 >= img_h:
        raise ValueError(f'The initial box x1, y1, x2, y2 = {values.tolist()} lies outside the '
                         f'{img_w}x{img_h} image')
    return bbox_xyxy_to_xywh(values).tolist()


class BaseSingleObjectTracker(BaseModel, metaclass=ABCMeta):
    """Base of single-object trackers.

    ``forward(inputs, data_samples, mode)`` dispatches to :meth:`loss` (training samples of
    template and search crops) or :meth:`predict` (one frame of one video at a time; the
    first frame of a video, ``frame_id == 0``, or a frame whose metainfo ``init_tracker`` is
    True, initialises the tracker with its ground-truth box). Between frames, per-video state
    lives in the tracker and is rebuilt by :meth:`init`, so nothing leaks from one video to the
    next.

    Subclasses implement :meth:`loss`, :meth:`init` and :meth:`track`. A tracker that
    attends to template crops exposes them as :attr:`template_memory` (a
    :class:`~procontext_mm.models.task_modules.TemplateMemory`: its crops, their labels and the
    frames where they were refreshed); the others leave it None.
    """

    template_memory = None

    @abstractmethod
    def loss(self, inputs: Dict[str, Tensor], data_samples: List[TrackDataSample]) -> dict:
        """Losses of a batch of training samples."""

    @abstractmethod
    def init(self, frame: np.ndarray, bbox_xyxy) -> None:
        """Start tracking in a new video.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 BGR first frame.
            bbox_xyxy: (4,) initial box x1, y1, x2, y2 in pixels.
        """

    @abstractmethod
    def track(self, frame: np.ndarray) -> Tuple[List[float], float]:
        """Track the target into the next frame.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 BGR frame.

        Returns:
            tuple[list[float], float]: box x1, y1, x2, y2 in pixels, and its confidence.
        """

    def forward(self, inputs: Dict[str, Tensor], data_samples: Optional[list] = None,
                mode: str = 'predict'):
        """Dispatch to ``loss`` / ``predict`` / ``tensor`` modes (mmengine convention)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}": use "loss", "predict" or "tensor"')

    def _forward(self, inputs: Dict[str, Tensor], data_samples=None):
        raise NotImplementedError(f'{self.__class__.__name__} has no "tensor" mode')

    @torch.no_grad()
    def predict(self, inputs: Dict[str, Tensor],
                data_samples: List[TrackDataSample]) -> List[TrackDataSample]:
        """Track one frame per sample (batch size 1: frames of one video are sequential).

        Args:
            inputs (dict): ``img``: uint8 (1, 1, 3, H, W) BGR frame.
            data_samples (list[TrackDataSample]): one sample holding one ``DetDataSample``
                with metainfo ``frame_id`` (0-based) and, on frame 0, ``gt_instances.bboxes``
                (1, 4) xyxy pixels. A test loop running a protocol with re-initialisations
                (VOT's supervised experiment) sets the metainfo ``init_tracker`` (bool) on
                every frame it tracks: True initialises on that frame's
                ``gt_instances.bboxes``, False tracks (default: ``frame_id == 0``). The model
                knows nothing more of the protocol.

        Returns:
            list[TrackDataSample]: the same samples with ``pred_track_instances`` (``bboxes``
            (1, 4) xyxy pixels, ``scores`` (1,); the initial frame gets the given box and
            score -1) and metainfo ``track_time`` (seconds spent in init / track).
        """
        frames = inputs['img']
        if frames.dim() != 5 or frames.shape[0] != 1:
            raise ValueError(f'predict() tracks one frame at a time: expected inputs["img"] of '
                             f'shape (1, 1, 3, H, W), got {tuple(frames.shape)}')
        frame = np.ascontiguousarray(frames[0, 0].permute(1, 2, 0).cpu().numpy())
        det_sample = data_samples[0][0]
        frame_id = det_sample.metainfo.get('frame_id')
        if frame_id is None:
            raise KeyError('predict() needs the metainfo "frame_id" of every frame')
        start = time.perf_counter()
        if det_sample.metainfo.get('init_tracker', frame_id == 0):
            gt_bbox = det_sample.gt_instances.bboxes
            self.init(frame, gt_bbox[0] if gt_bbox.ndim == 2 else gt_bbox)
            bbox_xyxy, score = [float(v) for v in gt_bbox.reshape(-1)], -1.
        else:
            bbox_xyxy, score = self.track(frame)
        elapsed = time.perf_counter() - start
        pred = InstanceData()
        pred.bboxes = torch.tensor([bbox_xyxy], dtype=torch.float32)
        pred.scores = torch.tensor([score], dtype=torch.float32)
        det_sample.pred_track_instances = pred
        det_sample.set_metainfo(dict(track_time=elapsed))
        return data_samples
