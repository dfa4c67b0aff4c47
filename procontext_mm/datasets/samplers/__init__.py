from .mixed_video_sampler import MixedVideoSampler

__all__ = ['MixedVideoSampler']
