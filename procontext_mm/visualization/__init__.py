from .demo_video import (DemoWindow, FrameWriter, display_available, gt_bbox_at,
                         write_demo_video)
from .sot_visualizer import SOTLocalVisualizer

__all__ = [
    'SOTLocalVisualizer', 'FrameWriter', 'gt_bbox_at', 'write_demo_video', 'DemoWindow',
    'display_available'
]
