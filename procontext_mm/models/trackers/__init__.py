from .base import BaseSingleObjectTracker, check_frame, check_init_bbox
from .procontext import ProContEXT, hann_window_2d

__all__ = ['BaseSingleObjectTracker', 'ProContEXT', 'check_frame', 'check_init_bbox', 'hann_window_2d']
