from .demo_video import FrameWriter, gt_bbox_at, write_demo_video
from .sot_visualizer import SOTLocalVisualizer

__all__ = ['SOTLocalVisualizer', 'FrameWriter', 'gt_bbox_at', 'write_demo_video']
