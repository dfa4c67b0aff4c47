from .ce_keep_ratio_hook import CEKeepRatioHook, ce_keep_ratio_at

__all__ = ['CEKeepRatioHook', 'ce_keep_ratio_at']
