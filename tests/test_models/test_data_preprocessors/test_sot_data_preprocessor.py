import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData

from procontext_mm.models.data_preprocessors import SOTDataPreprocessor


def _track_sample(num_frames=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    frames = []
    for frame_id in range(num_frames):
        frame = DetDataSample(metainfo=dict(frame_id=frame_id, img_shape=(128, 128)))
        frame.gt_instances = InstanceData(bboxes=torch.rand(1, 4, generator=generator))
        frames.append(frame)
    sample = TrackDataSample(metainfo=dict(video_id=seed))
    sample.video_data_samples = frames
    sample.search_scale = torch.tensor([1.5])
    return sample


def test_training_groups_are_stacked_per_group_and_normalised_to_rgb():
    preprocessor = SOTDataPreprocessor()
    template = torch.randint(0, 256, (2, 2, 3, 8, 8), dtype=torch.uint8)  # 2 samples x 2 crops
    search = torch.randint(0, 256, (2, 1, 3, 16, 16), dtype=torch.uint8)
    out = preprocessor(dict(inputs=dict(template=list(template), search=list(search)),
                            data_samples=[_track_sample(seed=0), _track_sample(seed=1)]))
    assert out['inputs']['template'].shape == (2, 2, 3, 8, 8)
    assert out['inputs']['search'].shape == (2, 1, 3, 16, 16)
    mean = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)
    expected = (search.flip(-3).float() - mean) / std  # BGR -> RGB, then (x - mean) / std
    torch.testing.assert_close(out['inputs']['search'], expected)


def test_crops_of_different_sizes_in_one_group_are_refused():
    preprocessor = SOTDataPreprocessor()
    group = [
        torch.zeros(1, 3, 8, 8, dtype=torch.uint8),
        torch.zeros(1, 3, 16, 16, dtype=torch.uint8)
    ]
    with pytest.raises(ValueError, match=r"inputs\['search'\] mixes image shapes"):
        preprocessor(dict(inputs=dict(search=group)))


def test_tracking_frames_stay_uint8_pixels():
    frame = torch.randint(0, 256, (1, 3, 20, 30), dtype=torch.uint8)
    out = SOTDataPreprocessor()(dict(inputs=[frame], data_samples=[_track_sample()]))
    assert out['inputs']['img'].dtype == torch.uint8
    assert torch.equal(out['inputs']['img'][0], frame)


def test_cast_data_moves_track_samples_as_mmdet_does():
    """Same fields, metainfo and frame samples as ``TrackDataSample.to`` (which is bypassed
    because mmdet's setter formats a repr on every assignment)."""
    sample = _track_sample()
    ours = SOTDataPreprocessor().cast_data(dict(data_samples=[sample]))['data_samples'][0]
    reference = sample.to('cpu')
    assert isinstance(ours, TrackDataSample)
    assert sorted(ours.keys()) == sorted(reference.keys())
    assert ours.metainfo == reference.metainfo
    # a tensor field stays a tensor (mmdet's ``to`` iterates every field as a list)
    assert torch.equal(ours.search_scale, sample.search_scale)
    assert len(ours) == len(reference) == 3
    for moved, original in zip(ours.video_data_samples, sample.video_data_samples):
        assert moved is not original  # moved copies, as Tensor.to on another device would give
        assert moved.metainfo == original.metainfo
        assert torch.equal(moved.gt_instances.bboxes, original.gt_instances.bboxes)
