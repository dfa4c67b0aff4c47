"""Small model configs and inputs for tests, examples and benchmarks (mmdet.testing style)."""
from .model_configs import tiny_tracker_cfg
from .video import moving_square_video

__all__ = ['tiny_tracker_cfg', 'moving_square_video']
