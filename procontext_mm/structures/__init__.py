from .bbox import bbox_xywh_to_xyxy, bbox_xyxy_to_xywh
from .crop import (CropRegion, box_crop_to_image, box_image_to_crop, clip_box_xywh, crop_square,
                   crop_window)
from .tracking_result import TrackingResult, TrackStep

__all__ = [
    'bbox_xywh_to_xyxy', 'bbox_xyxy_to_xywh', 'CropRegion', 'crop_window', 'crop_square',
    'box_image_to_crop', 'box_crop_to_image', 'clip_box_xywh', 'TrackingResult', 'TrackStep'
]
