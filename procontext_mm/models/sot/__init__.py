from .base import BaseSingleObjectTracker, check_frame, check_init_bbox
from .procontext import ProContEXT, hann_window_2d
from .static_box import StaticBoxTracker

__all__ = [
    'BaseSingleObjectTracker', 'ProContEXT', 'StaticBoxTracker', 'check_frame', 'check_init_bbox',
    'hann_window_2d'
]
