from .mixed_video_sampler import MixedVideoSampler, reseed_worker

__all__ = ['MixedVideoSampler', 'reseed_worker']
