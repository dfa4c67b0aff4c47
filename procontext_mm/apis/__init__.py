"""What users call: build a tracker, track a frame or a video, run it under outside toolkits
(got10k, pytracking) and the VOT supervised experiment."""
from .adapters import Got10kToolkitTracker, PytrackingTracker, SOTAdapter
from .inference import inference_sot, init_model, load_tracker_weights, set_tracking_precision
from .tracking import iter_track, run_demo, track_video
from .vot_runner import (evaluate_vot_multistart_results, evaluate_vot_results, load_vot_runs,
                         run_multistart_sequence, run_supervised_sequence,
                         run_vot_experiment, run_vot_multistart_experiment, vot_ground_truth)

__all__ = [
    'init_model', 'load_tracker_weights', 'set_tracking_precision', 'inference_sot', 'iter_track',
    'track_video', 'run_demo', 'Got10kToolkitTracker', 'PytrackingTracker', 'SOTAdapter',
    'run_supervised_sequence', 'run_vot_experiment', 'evaluate_vot_results', 'load_vot_runs',
    'vot_ground_truth', 'run_multistart_sequence', 'run_vot_multistart_experiment',
    'evaluate_vot_multistart_results'
]
