"""Pure numpy maths of the SOT benchmark protocols (no mmengine state, no file I/O)."""
from .bootstrap import (DEFAULT_CONFIDENCE, DEFAULT_NUM_RESAMPLES, bootstrap_ci,
                        bootstrap_indices, paired_comparison, weighted_mean_score)
from .box_format import (BOX_FORMATS, bboxes_to_xywh, describe_box_format, detect_box_format,
                         parse_box_format)
from .boxes import (bbox_iou_xywh, center_error_xywh, clip_bboxes_xywh_got10k,
                    normalized_center_error_xywh)
from .drift import eval_drift
from .got10k import GOT10K_IOU_THRESHOLDS, eval_got10k, got10k_scores, got10k_sequence_ious
from .inputs import check_per_sequence_args, check_sequence_xywh
from .ope import (OPE_CENTER_THRESHOLDS_PX, OPE_EXCLUDES_NAN_GT, OPE_IOU_THRESHOLDS,
                  OPE_NORM_CENTER_THRESHOLDS, PRECISION_THRESHOLD_PX, eval_ope, fps_from_times,
                  ope_fps, ope_scores, ope_sequence_curves, precision_curve, success_curve)

__all__ = [
    'clip_bboxes_xywh_got10k', 'bbox_iou_xywh', 'center_error_xywh',
    'normalized_center_error_xywh', 'check_sequence_xywh', 'check_per_sequence_args',
    'OPE_IOU_THRESHOLDS', 'OPE_CENTER_THRESHOLDS_PX', 'OPE_NORM_CENTER_THRESHOLDS',
    'PRECISION_THRESHOLD_PX', 'OPE_EXCLUDES_NAN_GT', 'success_curve', 'precision_curve',
    'ope_sequence_curves', 'ope_scores', 'ope_fps', 'fps_from_times', 'eval_ope',
    'GOT10K_IOU_THRESHOLDS', 'got10k_sequence_ious', 'got10k_scores', 'eval_got10k', 'eval_drift',
    'DEFAULT_NUM_RESAMPLES', 'DEFAULT_CONFIDENCE', 'bootstrap_indices', 'weighted_mean_score',
    'bootstrap_ci', 'paired_comparison', 'BOX_FORMATS', 'parse_box_format', 'bboxes_to_xywh',
    'detect_box_format', 'describe_box_format'
]
