"""A trivial baseline tracker: the box stays where it was initialised."""
from typing import List, Tuple

import numpy as np

from procontext_mm.registry import MODELS, build_in_scope
from .base import BaseSingleObjectTracker, check_frame, check_init_bbox


@MODELS.register_module()
class StaticBoxTracker(BaseSingleObjectTracker):
    """Predicts the initial box on every frame with confidence 1.

    The lower bound any learned tracker must clear on a benchmark; it runs through the same
    test loop, metric and tools as the real trackers (it has no parameters and no loss).
    Distributed testing needs ``model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')``
    (DDP refuses a model without parameters), as ``configs/quickstart/static-box_builtin.py``
    sets, and the checkpoint ``none`` of ``tools/dist_test.sh``.
    """

    def __init__(self, data_preprocessor: dict = None, init_cfg: dict = None):
        super().__init__(
            data_preprocessor=build_in_scope(MODELS, data_preprocessor
                                             or dict(type='SOTDataPreprocessor')),
            init_cfg=init_cfg)
        self.bbox_xyxy = None

    def loss(self, inputs, data_samples) -> dict:
        raise RuntimeError('StaticBoxTracker has nothing to train')

    def init(self, frame: np.ndarray, bbox_xyxy) -> None:
        check_frame(frame)
        x1, y1, w, h = check_init_bbox(bbox_xyxy, *frame.shape[:2])
        self.bbox_xyxy = [x1, y1, x1 + w, y1 + h]

    def track(self, frame: np.ndarray) -> Tuple[List[float], float]:
        if self.bbox_xyxy is None:
            raise RuntimeError('init() must be called on the first frame before track()')
        check_frame(frame)
        return list(self.bbox_xyxy), 1.0
