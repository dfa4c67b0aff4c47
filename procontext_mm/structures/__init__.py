from .crop import (CropRegion, box_crop_to_image, box_image_to_crop, clip_box_xywh, crop_square,
                   crop_window)

__all__ = [
    'CropRegion', 'crop_window', 'crop_square', 'box_image_to_crop', 'box_crop_to_image',
    'clip_box_xywh'
]
