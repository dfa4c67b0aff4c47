from .adapters import Got10kToolkitTracker, PytrackingTracker, SOTAdapter
from .inference import inference_sot, init_model, load_tracker_weights
from .video import (FrameWriter, TrackingResult, TrackStep, UnreadableFrameError, VideoFrames,
                    iter_track, run_demo, track_video, write_demo_video)
from .vot_runner import evaluate_vot_results, run_supervised_sequence, run_vot_experiment

__all__ = ['inference_sot', 'init_model', 'load_tracker_weights']
__all__ += [
    'FrameWriter', 'TrackingResult', 'TrackStep', 'UnreadableFrameError', 'VideoFrames',
    'iter_track', 'run_demo', 'track_video', 'write_demo_video'
]
__all__ += ['Got10kToolkitTracker', 'PytrackingTracker', 'SOTAdapter']
__all__ += ['evaluate_vot_results', 'run_supervised_sequence', 'run_vot_experiment']
