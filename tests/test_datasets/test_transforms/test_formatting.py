import numpy as np
import pytest
import torch
from _sot_frames import target_pixels
from mmcv.transforms import Compose
from mmdet.structures import DetDataSample, TrackDataSample

from procontext_mm.datasets.transforms import PackSOTInputs, sot_augmentation_pipeline
from procontext_mm.registry import TRANSFORMS


def train_pipeline(template_size=192, search_size=384, augment=True, grayscale_prob=0.05):
    """The training pipeline as the configs give it (see the report / configs/_base_)."""
    return Compose([
        dict(type='TridentSampleFrames', num_dynamic=1, max_interval=200),
        dict(type='LoadSOTFrames'),
        dict(type='SOTCropRegions', template_factors=(2.0, 4.0), template_size=template_size,
             search_factor=5.0, search_size=search_size, search_center_jitter=4.5,
             search_scale_jitter=0.5),
        *(sot_augmentation_pipeline(grayscale_prob=grayscale_prob) if augment else []),
        dict(type='CheckSOTSample', stride=16),
        dict(type='PackSOTInputs'),
    ])


def packable(num_templates=4):
    """Per-crop results with recognisable pixel values and boxes."""
    sizes = [8] * num_templates + [16]
    return dict(
        img=[np.full((s, s, 3), (i, 100 + i, 200 + i), np.uint8) for i, s in enumerate(sizes)],
        gt_bboxes=[np.array([[i, i + 1, i + 2, i + 3]], np.float32) for i in range(len(sizes))],
        crop_role=['template'] * num_templates + ['search'],
        context_factor=[2.0, 4.0] * (num_templates // 2) + [5.0],
        frame_id=[3] * num_templates + [7],
        img_path=[f'f{i}.jpg' for i in range(len(sizes))],
        video_id=5, video_name='vid')


def test_pack_shapes_dtypes_and_order():
    packed = TRANSFORMS.build(dict(type='PackSOTInputs'))(packable())
    template, search = packed['inputs']['template'], packed['inputs']['search']
    assert template.shape == (4, 3, 8, 8) and template.dtype == torch.uint8
    assert search.shape == (1, 3, 16, 16) and search.dtype == torch.uint8
    # channel order kept (BGR), crop order kept
    assert template[:, :, 0, 0].tolist() == [[i, 100 + i, 200 + i] for i in range(4)]
    assert search[0, :, 0, 0].tolist() == [4, 104, 204]

    sample = packed['data_samples']
    assert isinstance(sample, TrackDataSample) and len(sample) == 5
    frames = sample.video_data_samples
    assert all(isinstance(f, DetDataSample) for f in frames)
    for i, frame in enumerate(frames):
        assert frame.gt_instances.bboxes.dtype == torch.float32
        assert frame.gt_instances.bboxes.tolist() == [[i, i + 1, i + 2, i + 3]]
        assert frame.gt_instances.labels.dtype == torch.int64
        assert frame.gt_instances.labels.tolist() == [0]
        assert frame.img_path == f'f{i}.jpg' and frame.video_name == 'vid'
    assert [f.crop_role for f in frames] == ['template'] * 4 + ['search']
    assert [f.context_factor for f in frames] == [2.0, 4.0, 2.0, 4.0, 5.0]
    assert [f.frame_id for f in frames] == [3, 3, 3, 3, 7]
    assert sample.key_frames_inds == [4] and sample.ref_frames_inds == [0, 1, 2, 3]
    assert sample.video_id == 5


def test_pack_rejects_a_misplaced_search_crop():
    results = packable()
    results['crop_role'] = ['search'] + ['template'] * 4
    with pytest.raises(ValueError, match='search'):
        PackSOTInputs()(results)
    with pytest.raises(KeyError, match='gt_bboxes'):
        PackSOTInputs()(dict(img=[], crop_role=[]))


def test_full_pipeline_gives_the_contract(moving_target_video):
    np.random.seed(0)
    packed = train_pipeline()(dict(moving_target_video))
    assert packed['inputs']['template'].shape == (4, 3, 192, 192)
    assert packed['inputs']['search'].shape == (1, 3, 384, 384)
    frames = packed['data_samples'].video_data_samples
    assert [f.frame_role for f in frames] == ['static'] * 2 + ['dynamic'] * 2 + ['search']
    assert frames[0].img_path.endswith(f'{frames[0].frame_id + 1:08d}.png')


@pytest.mark.parametrize('seed', range(6))
def test_pipeline_search_box_covers_the_target_after_augmentation(moving_target_video, seed):
    np.random.seed(seed)
    # no grayscale: the test finds the target by its colour
    pipeline = train_pipeline(template_size=64, search_size=128, grayscale_prob=0.)
    packed = pipeline(dict(moving_target_video))
    search = packed['inputs']['search'][0].permute(1, 2, 0).numpy()
    frame = packed['data_samples'].video_data_samples[-1]
    box = frame.gt_instances.bboxes[0].numpy()
    pixels = target_pixels(search)
    assert pixels.shape[0] > 10
    tol = 1 + frame.resize_factor
    assert (pixels >= np.clip(box[:2], 0, 128) - tol).all()
    assert (pixels <= np.clip(box[2:], 0, 128) + tol).all()


def test_pipeline_resamples_when_a_frame_is_missing(moving_target_video, tmp_path):
    (tmp_path / 'moving' / '00000001.png').unlink()
    info = dict(moving_target_video, num_frames=1, bboxes_xywh=moving_target_video[
        'bboxes_xywh'][:1], visible=moving_target_video['visible'][:1])
    assert train_pipeline(augment=False)(info) is None


def test_pipeline_is_reproducible_under_a_seed(moving_target_video):
    pipeline = train_pipeline(template_size=64, search_size=128)
    outputs = []
    for _ in range(2):
        np.random.seed(11)
        outputs.append(pipeline(dict(moving_target_video)))
    for key in ('template', 'search'):
        assert torch.equal(outputs[0]['inputs'][key], outputs[1]['inputs'][key])
    boxes = [[f.gt_instances.bboxes for f in out['data_samples'].video_data_samples]
             for out in outputs]
    assert all(torch.equal(a, b) for a, b in zip(*boxes))


def test_pack_test_frame_carries_visibility_into_gt_instances():
    from procontext_mm.datasets.transforms import PackSOTTestInputs
    frame = np.full((20, 30, 3), 7, np.uint8)
    results = dict(img=[frame], img_id=[3], img_path=['f.jpg'], frame_id=[5], video_id=[1],
                   video_name=['seq'], ori_video_length=[9], ori_shape=[(20, 30)],
                   img_shape=[(20, 30)], gt_bboxes=[np.array([[1., 2., 11., 12.]], np.float32)],
                   gt_bboxes_labels=[np.zeros(1, np.int64)], visible=[np.array([False])])
    packed = PackSOTTestInputs().transform(results)
    assert packed['inputs'].shape == (1, 3, 20, 30) and packed['inputs'].dtype == torch.uint8
    det = packed['data_samples'][0]
    assert det.frame_id == 5 and det.video_name == 'seq' and det.ori_video_length == 9
    assert det.gt_instances.bboxes.tolist() == [[1., 2., 11., 12.]]
    assert det.gt_instances.visible.tolist() == [False]
