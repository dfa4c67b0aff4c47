"""Test mode of the SOT datasets with mmdet's sampler and mmcv / mmdet transforms."""
from unittest import mock

import numpy as np
import torch
from _fakes import make_got10k
from mmdet.datasets.samplers import TrackImgSampler
from mmdet.structures import TrackDataSample
from mmengine.dataset import ConcatDataset

from procontext_mm.datasets import GOT10kDataset
from procontext_mm.registry import DATASETS


def _val_dataset(root, pipeline=()):
    return DATASETS.build(
        dict(type='GOT10kDataset', data_root=root, split='val', test_mode=True,
             pipeline=list(pipeline)))


def test_test_mode_item_through_load_and_pack(tmp_path):
    root = str(tmp_path)
    _, val, _ = make_got10k(root, num_frames=5, images=True)
    pipeline = [
        dict(type='mmdet.TransformBroadcaster',
             transforms=[dict(type='mmdet.LoadImageFromFile')]),
        dict(type='mmdet.PackTrackInputs', meta_keys=('video_name', 'visible'))
    ]
    dataset = _val_dataset(root, pipeline)
    assert len(dataset) == 2  # videos, as mmdet's video datasets
    packed = dataset[(1, 3)]

    inputs = packed['inputs']
    assert isinstance(inputs, torch.Tensor) and inputs.shape == (1, 3, 48, 64)
    assert inputs.dtype == torch.uint8
    assert int(inputs[0, 0, 0, 0]) == 4  # the fake frame 00000004.jpg has blue = 4
    sample = packed['data_samples']
    assert isinstance(sample, TrackDataSample) and len(sample) == 1
    frame = sample[0]
    box = val['GOT-10k_Val_000002']['bboxes'][3]
    np.testing.assert_allclose(frame.gt_instances.bboxes.numpy(),
                               [[box[0], box[1], box[0] + box[2], box[1] + box[3]]], atol=1e-3)
    assert frame.gt_instances.labels.tolist() == [0]
    assert frame.frame_id == 3 and frame.video_id == 1 and frame.ori_video_length == 5
    assert frame.video_name == 'GOT-10k_Val_000002'
    assert frame.visible.tolist() == [True]
    assert frame.img_path.endswith('GOT-10k_Val_000002/00000004.jpg')
    assert frame.ori_shape == (48, 64)
    assert frame.img_id == dataset.index.frame_offsets[1] + 3


def test_raw_test_item_fields(tmp_path):
    root = str(tmp_path)
    make_got10k(root, num_frames=5)
    dataset = _val_dataset(root)
    item = dataset[(0, 2)]
    assert set(item) >= {'img_path', 'img_id', 'frame_id', 'video_id', 'video_name',
                         'ori_video_length', 'gt_bboxes', 'gt_bboxes_labels', 'visible'}
    assert all(isinstance(v, list) and len(v) == 1 for v in item.values())
    assert item['gt_bboxes'][0].shape == (1, 4) and item['gt_bboxes'][0].dtype == np.float32
    assert item['visible'][0].shape == (1, ) and item['visible'][0].dtype == bool
    whole = dataset[1]  # video index only: every frame of the video
    assert whole['frame_id'] == [0, 1, 2, 3, 4]
    # img ids are unique over the dataset
    ids = [dataset[(v, k)]['img_id'][0] for v in range(2) for k in range(5)]
    assert len(set(ids)) == 10


def test_track_img_sampler_shards_videos_across_ranks(tmp_path):
    root = str(tmp_path)
    make_got10k(root, num_train=5, num_frames=3)
    dataset = GOT10kDataset(data_root=root, split='train', test_mode=True)
    lengths = [dataset.get_len_per_video(v) for v in range(len(dataset))]
    assert lengths == [3, 4, 5, 6, 7]
    single = list(TrackImgSampler(dataset, seed=0))
    assert single == [(v, k) for v in range(5) for k in range(lengths[v])]
    shards = []
    for rank in range(2):
        with mock.patch('mmdet.datasets.samplers.track_img_sampler.get_dist_info',
                        return_value=(rank, 2)):
            shards.append(list(TrackImgSampler(dataset, seed=0)))
    videos = [{v for v, _ in shard} for shard in shards]
    assert videos[0].isdisjoint(videos[1]) and videos[0] | videos[1] == set(range(5))
    assert sorted(shards[0] + shards[1]) == single  # every frame once, videos kept whole


def test_concat_dataset_of_sot_datasets(tmp_path):
    root = str(tmp_path)
    make_got10k(root, num_train=3)
    concat = ConcatDataset([
        dict(type='procontext_mm.GOT10kDataset', data_root=root, split='train'),
        dict(type='procontext_mm.GOT10kDataset', data_root=root, split='val'),
    ])
    assert len(concat) == 5
    assert concat.get_data_info(3)['video_name'] == 'GOT-10k_Val_000001'
    assert concat.get_data_info(3)['video_id'] == 0


def test_val_dataloader_config_runs_video_by_video(tmp_path):
    """The test-mode config form: mmdet's TrackImgSampler over a SOT dataset."""
    from mmengine.runner import Runner
    root = str(tmp_path)
    make_got10k(root, num_frames=3, images=True)
    loader = Runner.build_dataloader(
        dict(
            batch_size=1,
            num_workers=0,
            sampler=dict(type='mmdet.TrackImgSampler'),
            dataset=dict(
                type='procontext_mm.GOT10kDataset',
                data_root=root,
                split='val',
                test_mode=True,
                pipeline=[
                    dict(type='mmdet.TransformBroadcaster',
                         transforms=[dict(type='mmdet.LoadImageFromFile')]),
                    dict(type='mmdet.PackTrackInputs', meta_keys=('video_name', 'visible'))
                ])),
        seed=0)
    order = [(batch['data_samples'][0][0].video_id, batch['data_samples'][0][0].frame_id)
             for batch in loader]
    assert order == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
