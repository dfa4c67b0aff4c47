"""Runner loops of single-object tracking."""
from .sot_loops import SOTTestLoop, SOTValLoop, VideoFrameRecorder, VideoProgressBar

__all__ = ['SOTTestLoop', 'SOTValLoop', 'VideoFrameRecorder', 'VideoProgressBar']
