from .inference import inference_sot, init_model, load_tracker_weights
from .video import (FrameWriter, TrackingResult, TrackStep, UnreadableFrameError, VideoFrames,
                    iter_track, run_demo, track_video, write_demo_video)

__all__ = ['inference_sot', 'init_model', 'load_tracker_weights']
__all__ += [
    'FrameWriter', 'TrackingResult', 'TrackStep', 'UnreadableFrameError', 'VideoFrames',
    'iter_track', 'run_demo', 'track_video', 'write_demo_video'
]
