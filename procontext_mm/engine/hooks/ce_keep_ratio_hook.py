"""Warm-up schedule of the candidate-elimination keep ratio during training."""
import math
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from procontext_mm.registry import HOOKS


def ce_keep_ratio_at(progress: float, start: float, warmup: float, target: float) -> float:
    """Keep ratio of candidate elimination at a point of training (OSTrack's schedule).

    1.0 (no elimination) before ``start``, then a half-cosine decay from 1.0 to ``target``
    over ``warmup``, then ``target``.

    Args:
        progress (float): Current epoch (1-based, as the reference counts) or iteration.
        start (float): When the decay starts, same unit.
        warmup (float): Length of the decay, same unit.
        target (float): Final keep ratio.

    Returns:
        float: keep ratio in [target, 1].
    """
    if progress < start:
        return 1.
    if progress >= start + warmup:
        return target
    return target + (1 - target) * (math.cos((progress - start) / warmup * math.pi) + 1) * 0.5


@HOOKS.register_module()
class CEKeepRatioHook(Hook):
    """Set the backbone's training keep ratio from :func:`ce_keep_ratio_at` before each epoch
    (or iteration, with ``by_epoch=False``).

    Writes ``model.backbone.scheduled_ce_keep_ratio`` (used by the backbone's eliminating blocks
    in training-mode forwards only) and logs it as ``train/ce_keep_ratio``.

    With the GOT-10k recipe (start 20, warm-up 50, target 0.7) epochs 1-19 train without
    elimination and epochs >= 70 with ratio 0.7, as the reference does (epochs counted from 1).

    Args:
        start (int): Epoch (1-based) or iteration (0-based) at which the decay starts.
            Defaults to 20.
        warmup (int): Epochs / iterations of the decay. Defaults to 50.
        ce_keep_ratio (float, optional): Final ratio, in (0, 1]; None takes the smallest
            configured ``model.backbone.ce_keep_ratio``.
        by_epoch (bool): Schedule in epochs (True) or iterations. Defaults to True.
    """
    priority = 'NORMAL'

    def __init__(self, start: int = 20, warmup: int = 50,
                 ce_keep_ratio: Optional[float] = None, by_epoch: bool = True):
        if ce_keep_ratio is not None and not 0 < ce_keep_ratio <= 1:
            raise ValueError(f'ce_keep_ratio={ce_keep_ratio} must lie in (0, 1]')
        self.start = start
        self.warmup = warmup
        self.ce_keep_ratio = ce_keep_ratio
        self.by_epoch = by_epoch

    def _set(self, runner, progress: float) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        backbone = model.backbone
        target = self.ce_keep_ratio
        if target is None:
            # a backbone without eliminating blocks has no ratio: train without elimination
            target = min(backbone.ce_keep_ratio, default=1.)
        backbone.scheduled_ce_keep_ratio = ce_keep_ratio_at(progress, self.start, self.warmup,
                                                            target)
        runner.message_hub.update_scalar('train/ce_keep_ratio', backbone.scheduled_ce_keep_ratio)

    def before_train_epoch(self, runner) -> None:
        if self.by_epoch:
            self._set(runner, runner.epoch + 1)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self.by_epoch:
            self._set(runner, runner.iter)
