from .one_stream_vit import (OneStreamViT, OneStreamViTOutput, resize_pos_embed,
                             template_centre_index)

__all__ = ['OneStreamViT', 'OneStreamViTOutput', 'resize_pos_embed', 'template_centre_index']
