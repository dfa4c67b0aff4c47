"""Evaluation: protocol maths (``functional``), result files (``results_io``), metrics."""
from .attributes import ATTRIBUTE_NAMES, read_sequence_attributes
from .functional import (GOT10K_IOU_THRESHOLDS, OPE_CENTER_THRESHOLDS_PX, OPE_IOU_THRESHOLDS,
                         OPE_NORM_CENTER_THRESHOLDS, bbox_iou_xywh,
                         center_error_xywh, clip_bboxes_xywh_got10k, eval_got10k, eval_ope,
                         normalized_center_error_xywh)
from .metrics import SOTMetric
from .results_io import (RESULT_SOURCES, import_tracking_results, load_tracking_results,
                         make_got10k_submission, make_trackingnet_submission,
                         read_bboxes_file, read_times_file, read_vot_results, result_paths,
                         write_tracking_results, write_vot_results)
from .vot_protocol import MultiStartRun, SupervisedRun, vot_init_bbox_xyxy

__all__ = [
    'GOT10K_IOU_THRESHOLDS', 'OPE_IOU_THRESHOLDS', 'OPE_CENTER_THRESHOLDS_PX',
    'OPE_NORM_CENTER_THRESHOLDS', 'bbox_iou_xywh', 'center_error_xywh',
    'normalized_center_error_xywh', 'clip_bboxes_xywh_got10k', 'eval_got10k', 'eval_ope',
    'SOTMetric', 'result_paths', 'read_bboxes_file', 'read_times_file', 'read_vot_results',
    'write_tracking_results', 'write_vot_results', 'load_tracking_results',
    'make_got10k_submission', 'make_trackingnet_submission', 'RESULT_SOURCES',
    'import_tracking_results', 'ATTRIBUTE_NAMES', 'read_sequence_attributes', 'SupervisedRun',
    'vot_init_bbox_xyxy', 'MultiStartRun'
]
