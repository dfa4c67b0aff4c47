"""Training-data transforms of single-object tracking (see ``docs/data_flow.md``)."""
from .augmentations import (SOTBrightnessJitter, SOTGrayscale, SOTHorizontalFlip,
                            sot_augmentation_pipeline)
from .cropping import CheckSOTSample, SOTCropRegions, jitter_bbox_xywh, padding_mask
from .formatting import PackSOTInputs, PackSOTTestInputs
from .frame_sampling import TridentSampleFrames
from .loading import LoadSOTFrames

__all__ = [
    'TridentSampleFrames', 'LoadSOTFrames', 'SOTCropRegions', 'CheckSOTSample', 'SOTGrayscale',
    'SOTHorizontalFlip', 'SOTBrightnessJitter', 'PackSOTInputs', 'PackSOTTestInputs',
    'sot_augmentation_pipeline', 'jitter_bbox_xywh', 'padding_mask'
]
