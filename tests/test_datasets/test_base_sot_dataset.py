"""Test mode of the SOT datasets with mmdet's sampler and mmcv / mmdet transforms; training
pipelines given as named steps."""
from unittest import mock

import numpy as np
import pytest
import torch
from _fakes import make_got10k, random_boxes, write_got10k_split
from mmdet.datasets.samplers import TrackImgSampler
from mmdet.structures import TrackDataSample
from mmengine.config import Config
from mmengine.dataset import ConcatDataset

from procontext_mm.datasets import GOT10kDataset
from procontext_mm.registry import DATASETS, build_in_scope


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


# ---------------------------------------------------------------------- named-step pipelines
FRAME_SIZE_WH = (64, 48)


def _write_train_videos(root, num_videos=2, num_frames=8):
    """GOT-10k train videos whose boxes lie inside their 64 x 48 frames (frame n has blue n)."""
    write_got10k_split(root, 'train', {
        f'GOT-10k_Train_{i + 1:06d}': dict(
            bboxes=random_boxes(num_frames, seed=i, size_wh=FRAME_SIZE_WH),
            absence=[0] * num_frames, cover=[8] * num_frames, cut=[0] * num_frames,
            resolution=FRAME_SIZE_WH, num_frames=num_frames, images=True)
        for i in range(num_videos)})


def _training_steps():
    """A small training pipeline as named steps, with random draws in every step."""
    return dict(
        order=['sample_frames', 'load', 'crop', 'brightness', 'pack'],
        sample_frames=dict(type='TridentSampleFrames', num_dynamic=0, min_num_frames=1),
        load=dict(type='LoadSOTFrames', on_error='raise'),
        crop=dict(type='SOTCropRegions', template_factors=(2.0, ), template_size=32,
                  search_factor=4.0, search_size=64),
        brightness=dict(type='SOTBrightnessJitter', jitter=0.2, shared=False),
        pack=dict(type='PackSOTInputs'))


def _train_dataset(root, pipeline):
    return build_in_scope(DATASETS, dict(type='GOT10kDataset', data_root=root, split='train',
                                         use_cache=False, pipeline=pipeline))


def _transform_types(dataset):
    return [type(t).__name__ for t in dataset.pipeline.transforms]


def test_named_steps_run_as_the_equivalent_list(tmp_path):
    root = str(tmp_path)
    _write_train_videos(root)
    steps = _training_steps()
    listed = [steps[name] for name in steps['order']]
    named, listed = _train_dataset(root, steps), _train_dataset(root, listed)
    expected = ['TridentSampleFrames', 'LoadSOTFrames', 'SOTCropRegions', 'SOTBrightnessJitter',
                'PackSOTInputs']
    assert _transform_types(named) == _transform_types(listed) == expected
    for video in range(len(named)):
        samples = []
        for dataset in (named, listed):
            np.random.seed(video)  # the same draws: the same frames, jitter and brightness
            samples.append(dataset[video])
        named_sample, listed_sample = samples
        for key in ('template', 'search'):
            assert torch.equal(named_sample['inputs'][key], listed_sample['inputs'][key])
        for named_crop, listed_crop in zip(named_sample['data_samples'].video_data_samples,
                                           listed_sample['data_samples'].video_data_samples):
            assert named_crop.frame_id == listed_crop.frame_id
            assert torch.equal(named_crop.gt_instances.bboxes, listed_crop.gt_instances.bboxes)


def test_a_step_set_to_none_is_left_out(tmp_path):
    root = str(tmp_path)
    _write_train_videos(root)
    steps = _training_steps()
    steps['brightness'] = None
    dataset = _train_dataset(root, steps)
    assert _transform_types(dataset) == ['TridentSampleFrames', 'LoadSOTFrames',
                                         'SOTCropRegions', 'PackSOTInputs']
    sample = dataset[0]
    search_blue = sample['inputs']['search'][0, 0]
    frame_id = sample['data_samples'].video_data_samples[-1].frame_id
    # without the brightness jitter the search crop keeps its frame's colour (blue = number)
    assert int(search_blue.max()) == frame_id + 1


@pytest.mark.parametrize('bad_step', ['SOTCropRegions', [dict(type='SOTCropRegions')], 0.5])
def test_a_step_that_is_not_a_transform_config_is_named(tmp_path, bad_step):
    steps = _training_steps()
    steps['crop'] = bad_step
    with pytest.raises(TypeError, match=r"GOT10kDataset: pipeline of named steps: step 'crop' "
                                        r'must be a transform config \(dict\) or None'):
        _train_dataset(str(tmp_path), steps)


@pytest.mark.parametrize('change, message', [
    (dict(order=None), r'needs "order"'),
    (dict(order=['sample_frames', 'load', 'blur']), r"undefined steps \['blur'\]"),
    (dict(blur=dict(type='SOTGrayscale')), r"leaves out the defined steps \['blur'\]"),
])
def test_an_order_that_does_not_match_the_steps_is_named(tmp_path, change, message):
    steps = _training_steps()
    steps.update(change)
    with pytest.raises(ValueError, match=message):
        _train_dataset(str(tmp_path), steps)


def test_the_order_survives_a_dumped_config(tmp_path):
    """mmengine writes configs back with sorted keys (the runner's copy in the work dir): the
    steps keep running in ``order``, not in the order of their names."""
    root = str(tmp_path / 'data')
    _write_train_videos(root)
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='GOT10kDataset', data_root=root, split='train', use_cache=False,
        pipeline=_training_steps()))))
    cfg.dump(str(tmp_path / 'dumped.py'))
    dumped = Config.fromfile(str(tmp_path / 'dumped.py'))
    assert list(dumped.train_dataloader.dataset.pipeline)[:2] == ['brightness', 'crop']  # sorted
    dataset = build_in_scope(DATASETS, dumped.train_dataloader.dataset)
    assert _transform_types(dataset) == ['TridentSampleFrames', 'LoadSOTFrames',
                                         'SOTCropRegions', 'SOTBrightnessJitter',
                                         'PackSOTInputs']


def test_a_config_variant_overrides_one_step_by_name(tmp_path):
    root = str(tmp_path / 'data')
    _write_train_videos(root)
    (tmp_path / 'base.py').write_text(
        f'train_dataloader = dict(dataset=dict(type="GOT10kDataset", data_root={root!r}, '
        f'split="train", use_cache=False, pipeline={_training_steps()!r}))\n')
    (tmp_path / 'variant.py').write_text(
        "_base_ = ['./base.py']\n"
        'train_dataloader = dict(dataset=dict(pipeline=dict(\n'
        '    crop=dict(template_factors=(2.0, 4.0)), brightness=None)))\n')
    cfg = Config.fromfile(str(tmp_path / 'variant.py'))
    dataset = build_in_scope(DATASETS, cfg.train_dataloader.dataset)
    assert _transform_types(dataset) == ['TridentSampleFrames', 'LoadSOTFrames',
                                         'SOTCropRegions', 'PackSOTInputs']
    crop = dataset.pipeline.transforms[2]
    assert crop.template_factors == [2.0, 4.0]  # overridden
    assert (crop.template_size, crop.search_size) == (32, 64)  # kept from the base
    assert dataset[0]['inputs']['template'].shape == (2, 3, 32, 32)
