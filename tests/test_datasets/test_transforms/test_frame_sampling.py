import numpy as np
import pytest

from procontext_mm.datasets.transforms import TridentSampleFrames
from procontext_mm.registry import TRANSFORMS


def video_info(visible, template='/data/v/{:08d}.jpg', first=1):
    visible = np.asarray(visible, bool)
    num = len(visible)
    boxes = np.stack([np.arange(num), np.zeros(num), np.full(num, 10.), np.full(num, 20.)],
                     axis=1).astype(np.float32)  # x1 = frame index, to check the box lookup
    return dict(video_id=3, video_name='v', frame_path_template=template,
                first_frame_index=first, num_frames=num, bboxes_xywh=boxes, visible=visible)


def test_build_from_config_and_repr():
    sampler = TRANSFORMS.build(dict(type='TridentSampleFrames', num_dynamic=2,
                                    max_interval=[50, 100]))
    assert isinstance(sampler, TridentSampleFrames)
    assert sampler.max_interval == [50, 100]
    assert 'max_interval=[50, 100]' in repr(sampler)


def test_trident_rules_hold_over_many_draws():
    rng = np.random.default_rng(0)
    num = 1000
    visible = rng.random(num) < 0.6
    info = video_info(visible)
    sampler = TridentSampleFrames(num_dynamic=1, max_interval=200)
    np.random.seed(0)
    statics, dynamics_invisible, sides = set(), 0, set()
    for _ in range(2000):
        results = sampler(dict(info))
        static_id, dynamic_id, search_id = results['frame_id']
        assert visible[static_id] and visible[search_id]
        if static_id >= search_id:
            assert search_id <= dynamic_id < min(search_id + 200, num)
            sides.add('after')
        else:
            assert max(search_id - 200, 0) <= dynamic_id < search_id
            sides.add('before')
        dynamics_invisible += not visible[dynamic_id]
        statics.add(static_id)
        assert results['frame_role'] == ['static', 'dynamic', 'search']
        np.testing.assert_array_equal(results['gt_bboxes_xywh'][:, 0], results['frame_id'])
        np.testing.assert_array_equal(results['frame_visible'], visible[results['frame_id']])
    assert sides == {'before', 'after'}
    # trident_pro: invisible dynamic frames are allowed (40 % of frames are invisible here)
    assert 400 < dynamics_invisible < 1200
    # static frames are spread over the visible frames, not stuck at a few
    assert len(statics) > 0.7 * visible.sum()


def test_visible_only_dynamic_mode():
    visible = np.arange(300) % 3 != 0
    sampler = TridentSampleFrames(max_interval=5, allow_invisible_dynamic=False)
    np.random.seed(1)
    for _ in range(300):
        frame_ids = sampler(video_info(visible))['frame_id']
        assert visible[frame_ids].all()


def test_several_dynamic_templates_use_their_own_interval():
    sampler = TridentSampleFrames(num_dynamic=2, max_interval=[3, 40])
    np.random.seed(2)
    gaps = [[], []]
    for _ in range(500):
        results = sampler(video_info(np.ones(400, bool)))
        static_id, dyn1, dyn2, search_id = results['frame_id']
        assert results['frame_role'] == ['static', 'dynamic', 'dynamic', 'search']
        gaps[0].append(abs(dyn1 - search_id))
        gaps[1].append(abs(dyn2 - search_id))
    assert max(gaps[0]) <= 3 and max(gaps[1]) <= 40 and max(gaps[1]) > 3


def test_paths_follow_the_template_and_first_index():
    np.random.seed(3)
    results = TridentSampleFrames()(video_info(np.ones(25, bool), first=1))
    for frame_id, path in zip(results['frame_id'], results['img_path']):
        assert path == f'/data/v/{frame_id + 1:08d}.jpg'
    assert results['is_video_data'] is True


def test_still_image_repeats_the_frame():
    info = video_info([True], template='/coco/train2017/000000000009.jpg', first=0)
    results = TridentSampleFrames(num_dynamic=1)(info)
    assert results['frame_id'] == [0, 0, 0]
    assert results['img_path'] == ['/coco/train2017/000000000009.jpg'] * 3
    assert results['is_video_data'] is False


@pytest.mark.parametrize('visible', [
    np.ones(19, bool),  # shorter than min_num_frames=20
    np.r_[np.ones(6, bool), np.zeros(50, bool)],  # 6 visible frames, not more than 2 * 3
])
def test_videos_with_too_few_frames_are_rejected(visible):
    assert TridentSampleFrames()(video_info(visible)) is None


def test_just_enough_visible_frames_is_accepted():
    visible = np.r_[np.ones(7, bool), np.zeros(50, bool)]
    np.random.seed(4)
    results = TridentSampleFrames()(video_info(visible))
    assert results is not None and max(results['frame_id'][::2]) < 7


def test_missing_field_is_named():
    info = video_info(np.ones(30, bool))
    del info['visible']
    with pytest.raises(KeyError, match='visible'):
        TridentSampleFrames()(info)


def test_inconsistent_lengths_are_reported():
    info = video_info(np.ones(30, bool))
    info['num_frames'] = 31
    with pytest.raises(ValueError, match='num_frames=31'):
        TridentSampleFrames()(info)


def test_bad_arguments():
    with pytest.raises(ValueError, match='one interval per dynamic'):
        TridentSampleFrames(num_dynamic=2, max_interval=[200])
    with pytest.raises(ValueError, match='>= 1'):
        TridentSampleFrames(max_interval=0)
