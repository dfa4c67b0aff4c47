from .inference import inference_sot, init_model, load_tracker_weights

__all__ = ['inference_sot', 'init_model', 'load_tracker_weights']
