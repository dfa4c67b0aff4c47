from .center_head import CenterHead, CenterHeadOutput, centernet_radius, clamped_sigmoid

__all__ = ['CenterHead', 'CenterHeadOutput', 'centernet_radius', 'clamped_sigmoid']
