"""The per-frame samples SOTTestLoop hands SOTMetric on the VOT benchmarks (a uniquely named
module: ``conftest`` is ambiguous)."""
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData


def vot_frame_sample(pred_bbox_xywh, **metainfo) -> TrackDataSample:
    """A one-frame TrackDataSample: a DetDataSample with ``metainfo`` (frame_id, video_name,
    vot_status, vot_gt_region, ...) and the predicted box, given as xywh (pixels) and stored as
    xyxy float64 in ``pred_track_instances.bboxes`` (1, 4)."""
    x, y, w, h = pred_bbox_xywh
    det = DetDataSample(metainfo=metainfo)
    det.pred_track_instances = InstanceData(
        bboxes=torch.tensor([[x, y, x + w, y + h]], dtype=torch.float64))
    track = TrackDataSample()
    track.video_data_samples = [det]
    return track
