import cv2
import numpy as np
import pytest
from _sot_frames import crop_results, paint_frame, target_pixels

from procontext_mm.datasets.transforms import (SOTBrightnessJitter, SOTGrayscale, SOTHorizontalFlip,
                                               sot_augmentation_pipeline)
from procontext_mm.registry import TRANSFORMS

BOXES = [(140, 100, 40, 30), (150, 110, 36, 28), (160, 96, 44, 32)]


def cropped(seed=0):
    """Five crops (4 templates of 64 px, a 128 px search crop) of painted frames."""
    np.random.seed(seed)
    cropper = TRANSFORMS.build(dict(type='SOTCropRegions', template_size=64, search_size=128))
    frames = [paint_frame(240, 320, b) for b in BOXES]
    return cropper(crop_results(frames, BOXES, ['static', 'dynamic', 'search']))


def copy_crops(results):
    return [c.copy() for c in results['img']], [b.copy() for b in results['gt_bboxes']], [
        m.copy() for m in results['padding_mask']]


def test_flip_mirrors_every_crop_box_and_mask():
    results = cropped()
    imgs, boxes, masks = copy_crops(results)
    out = SOTHorizontalFlip(prob=1.0)(results)
    assert out['flip'] == [True] * 5
    for i in range(5):
        width = imgs[i].shape[1]
        np.testing.assert_array_equal(out['img'][i], imgs[i][:, ::-1])
        np.testing.assert_array_equal(out['padding_mask'][i], masks[i][:, ::-1])
        x1, y1, x2, y2 = boxes[i][0]
        np.testing.assert_allclose(out['gt_bboxes'][i][0], [width - x2, y1, width - x1, y2])
        # the painted target is still inside its (mirrored) box
        pixels = target_pixels(out['img'][i])
        tol = 1 + out['resize_factor'][i]
        box = out['gt_bboxes'][i][0]
        assert (pixels >= np.clip(box[:2], 0, width) - tol).all()
        assert (pixels <= np.clip(box[2:], 0, width) + tol).all()


def test_two_flips_cancel():
    results = cropped()
    imgs, boxes, _ = copy_crops(results)
    flip = SOTHorizontalFlip(prob=1.0)
    out = flip(flip(results))
    assert out['flip'] == [False] * 5
    for i in range(5):
        np.testing.assert_array_equal(out['img'][i], imgs[i])
        np.testing.assert_allclose(out['gt_bboxes'][i], boxes[i], atol=1e-5)


def test_flip_prob_zero_changes_nothing():
    results = cropped()
    imgs, _, _ = copy_crops(results)
    out = SOTHorizontalFlip(prob=0.0, shared=False)(results)
    assert out['flip'] == [False] * 5
    assert all(np.array_equal(a, b) for a, b in zip(out['img'], imgs))


def test_shared_flip_is_consistent_across_crops_per_crop_flip_is_not():
    shared_outcomes, mixed = set(), 0
    for seed in range(40):
        results = cropped()
        np.random.seed(seed)
        flags = SOTHorizontalFlip(prob=0.5, shared=True)(results)['flip']
        assert len(set(flags)) == 1  # all crops of a sample together
        shared_outcomes.add(flags[0])
        results = cropped()
        np.random.seed(seed)
        mixed += len(set(SOTHorizontalFlip(prob=0.5, shared=False)(results)['flip'])) > 1
    assert shared_outcomes == {True, False}
    assert mixed > 20  # 1 - 2 / 2**5 of samples mix flipped and unflipped crops


def test_grayscale_applies_opencv_luma_to_all_crops():
    results = cropped()
    imgs = [c.copy() for c in results['img']]
    out = TRANSFORMS.build(dict(type='SOTGrayscale', prob=1.0))(results)
    for before, after in zip(imgs, out['img']):
        gray = cv2.cvtColor(before, cv2.COLOR_BGR2GRAY)
        assert after.shape == before.shape and after.dtype == np.uint8
        for channel in range(3):
            np.testing.assert_array_equal(after[..., channel], gray)


def test_grayscale_is_all_or_nothing_per_sample():
    outcomes = set()
    for seed in range(30):
        results = cropped()
        np.random.seed(seed)
        out = SOTGrayscale(prob=0.5)(results)
        is_gray = [bool((c[..., 0] == c[..., 2]).all()) for c in out['img']]
        assert len(set(is_gray)) == 1
        outcomes.add(is_gray[0])
    assert outcomes == {True, False}


@pytest.mark.parametrize('shared', [False, True])
def test_brightness_factors_are_the_rederived_uniform_draws(shared):
    results = dict(img=[np.full((8, 8, 3), 100, np.uint8) for _ in range(5)])
    np.random.seed(7)
    out = SOTBrightnessJitter(jitter=0.2, shared=shared)(results)
    np.random.seed(7)
    factors = [np.random.uniform(0.8, 1.2) for _ in range(1 if shared else 5)]
    factors = factors * 5 if shared else factors
    for crop, factor in zip(out['img'], factors):
        assert crop.dtype == np.uint8
        assert (crop == np.rint(100 * factor)).all()
    values = {int(c[0, 0, 0]) for c in out['img']}
    assert (len(values) == 1) == shared
    assert all(80 <= v <= 120 for v in values)


def test_brightness_saturates():
    out = SOTBrightnessJitter(jitter=0.5)(dict(img=[np.full((2, 2, 3), 250, np.uint8)] * 50))
    values = np.array([c.max() for c in out['img']])
    assert values.max() == 255 and values.min() < 250


def test_augmentation_arguments_are_checked():
    with pytest.raises(ValueError, match='prob'):
        SOTHorizontalFlip(prob=1.5)
    with pytest.raises(ValueError, match='jitter'):
        SOTBrightnessJitter(jitter=-0.1)
    with pytest.raises(KeyError, match='list of'):
        SOTGrayscale()(dict(img=np.zeros((4, 4, 3), np.uint8)))


def test_reference_augmentation_pipeline_builds_and_keeps_boxes_on_target():
    stages = [TRANSFORMS.build(cfg) for cfg in sot_augmentation_pipeline()]
    assert [type(t) for t in stages] == [SOTGrayscale, SOTHorizontalFlip, SOTBrightnessJitter,
                                         SOTHorizontalFlip]
    assert [t.shared for t in stages] == [True, True, False, False]
    checked = 0
    for seed in range(10):
        results = cropped(seed)
        for stage in stages:
            results = stage(results)
        box, crop = results['gt_bboxes'][-1][0], results['img'][-1]
        pixels = target_pixels(crop)  # red stays red enough unless grayscale fired (p=0.05)
        if len(pixels):
            tol = 1 + results['resize_factor'][-1]
            assert (pixels >= np.clip(box[:2], 0, 128) - tol).all()
            assert (pixels <= np.clip(box[2:], 0, 128) + tol).all()
            checked += 1
    assert checked >= 8
