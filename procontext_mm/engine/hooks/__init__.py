from .ce_keep_ratio_hook import CEKeepRatioHook, ce_keep_ratio_at
from .sample_rejection_hook import SampleRejectionHook, count_rejections

__all__ = ['CEKeepRatioHook', 'ce_keep_ratio_at', 'SampleRejectionHook', 'count_rejections']
