import math

import numpy as np
import pytest
from _sot_frames import crop_results, paint_frame, target_pixels

from procontext_mm.datasets.transforms import (CheckSOTSample, SOTCropRegions, jitter_bbox_xywh,
                                               padding_mask)
from procontext_mm.registry import TRANSFORMS
from procontext_mm.structures.crop import crop_square

ROLES = ['static', 'dynamic', 'search']
BOXES = [(140, 100, 40, 30), (150, 110, 36, 28), (160, 96, 44, 32)]


def small_cropper(**kwargs):
    cfg = dict(type='SOTCropRegions', template_factors=(2.0, 4.0), template_size=64,
               search_factor=5.0, search_size=128)
    cfg.update(kwargs)
    return TRANSFORMS.build(cfg)


def painted_results(boxes=BOXES, roles=ROLES, height=240, width=320):
    return crop_results([paint_frame(height, width, b) for b in boxes], boxes, roles)


def xyxy(results, i):
    return results['gt_bboxes'][i].reshape(4).astype(np.float64)


def test_jitter_formula_with_given_draws():
    box = (10., 20., 30., 40.)
    np.testing.assert_allclose(jitter_bbox_xywh(box, 4.5, 0.5, (0, 0), (0.5, 0.5)), box)
    # exp(+0.5) * exp(-0.5): the jittered area stays 30 * 40, so sqrt(w * h) = sqrt(1200)
    out = jitter_bbox_xywh(box, 4.5, 0.5, (1., -1.), (1., 0.))
    w, h = 30 * math.exp(0.5), 40 * math.exp(-0.5)
    shift = math.sqrt(1200) * 4.5 * 0.5
    np.testing.assert_allclose(out, [25 + shift - w / 2, 40 - shift - h / 2, w, h])


@pytest.mark.parametrize('seed', [0, 1, 2, 3, 4])
def test_crop_boxes_match_the_rederived_jitter(seed):
    """Re-draw the jitter with the same seed and derive every crop's box by hand."""
    np.random.seed(seed)
    results = small_cropper()(painted_results())
    np.random.seed(seed)
    draws = [(np.random.randn(2), np.random.rand(2)) for _ in ROLES]  # in frame order

    crop_specs = [(0, 2.0, 64, 0., 0.), (0, 4.0, 64, 0., 0.), (1, 2.0, 64, 0., 0.),
                  (1, 4.0, 64, 0., 0.), (2, 5.0, 128, 4.5, 0.5)]
    for i, (frame, factor, size, centre_jitter, scale_jitter) in enumerate(crop_specs):
        x, y, w, h = BOXES[frame]
        size_noise, offset_noise = draws[frame]
        jw, jh = w * math.exp(size_noise[0] * scale_jitter), h * math.exp(
            size_noise[1] * scale_jitter)
        max_offset = math.sqrt(jw * jh) * centre_jitter
        jcx = x + w / 2 + max_offset * (offset_noise[0] - 0.5)
        jcy = y + h / 2 + max_offset * (offset_noise[1] - 0.5)
        scale = size / math.ceil(math.sqrt(jw * jh) * factor)
        cx = (size - 1) / 2 + (x + w / 2 - jcx) * scale
        cy = (size - 1) / 2 + (y + h / 2 - jcy) * scale
        expected = [cx - w * scale / 2, cy - h * scale / 2, cx + w * scale / 2, cy + h * scale / 2]
        np.testing.assert_allclose(xyxy(results, i), expected, rtol=0, atol=1e-3)
        np.testing.assert_allclose(results['resize_factor'][i], scale)
        np.testing.assert_allclose(results['jittered_bbox_xywh'][i],
                                   [jcx - jw / 2, jcy - jh / 2, jw, jh])
        assert results['img'][i].shape == (size, size, 3)
        assert results['context_factor'][i] == factor


@pytest.mark.parametrize('seed', range(8))
def test_painted_target_lands_in_the_predicted_search_box(seed):
    np.random.seed(seed)
    results = small_cropper()(painted_results())
    crop, box = results['img'][-1], xyxy(results, -1)
    size = crop.shape[0]
    # reference convention ((S - 1) / 2 centre, rounded window corner) + bilinear edges
    tol = 1.0 + results['resize_factor'][-1]
    pixels = target_pixels(crop)
    assert len(pixels) > 0
    assert (pixels >= box[:2] - tol).all() and (pixels <= box[2:] + tol).all()
    # and the box is tight: the painted extent reaches each (in-crop) edge of the box
    clipped = np.clip(box, 0, size)
    np.testing.assert_allclose(pixels.min(0), clipped[:2], atol=tol)
    np.testing.assert_allclose(pixels.max(0), clipped[2:], atol=tol)


def test_search_jitter_stays_within_the_reference_bounds():
    cropper = small_cropper()
    offsets = []
    for seed in range(200):
        np.random.seed(seed)
        box = xyxy(cropper(painted_results()), -1)
        offsets.append(np.abs((box[:2] + box[2:]) / 2 - 63.5))
    offsets = np.array(offsets)
    # centre moves at most 4.5 / 2 jittered sides; the crop spans 5 sides of 128 px
    bound = 4.5 / 2 * 128 / 5
    assert offsets.max() <= bound + 1e-3
    assert offsets.max() > 0.8 * bound  # the jitter is really applied


def test_templates_without_jitter_centre_the_target():
    results = small_cropper()(painted_results())
    for i, factor in enumerate([2.0, 4.0]):
        scale = 64 / math.ceil(math.sqrt(40 * 30) * factor)
        expected = [31.5 - 20 * scale, 31.5 - 15 * scale, 31.5 + 20 * scale, 31.5 + 15 * scale]
        np.testing.assert_allclose(xyxy(results, i), expected, atol=1e-4)
        pixels = target_pixels(results['img'][i])
        np.testing.assert_allclose(pixels.mean(0), [31.5 + 0.5, 31.5 + 0.5], atol=1.0)


def test_crop_order_and_per_crop_metadata():
    # the search frame given in the middle still comes out last
    results = small_cropper()(painted_results(roles=['static', 'search', 'dynamic']))
    assert results['crop_role'] == ['template'] * 4 + ['search']
    assert results['frame_role'] == ['static', 'static', 'dynamic', 'dynamic', 'search']
    assert results['frame_id'] == [0, 0, 2, 2, 1]
    assert results['img_path'] == ['frame0.png', 'frame0.png', 'frame2.png', 'frame2.png',
                                   'frame1.png']
    assert results['context_factor'] == [2.0, 4.0, 2.0, 4.0, 5.0]
    assert results['img_shape'] == [(64, 64)] * 4 + [(128, 128)]
    assert results['ori_shape'] == [(240, 320)] * 5
    assert all(b.shape == (1, 4) and b.dtype == np.float32 for b in results['gt_bboxes'])
    assert [m.shape for m in results['padding_mask']] == [(64, 64)] * 4 + [(128, 128)]


def test_padding_mask_matches_a_cropped_all_ones_image():
    rng = np.random.default_rng(0)
    checked = 0
    while checked < 150:
        height, width = rng.integers(20, 200, 2)
        box = [rng.uniform(-60, width + 20), rng.uniform(-60, height + 20),
               *rng.uniform(2, 80, 2)]
        factor, size = rng.choice([2.0, 4.0, 5.0]), int(rng.choice([16, 64, 100, 192]))
        ones = np.ones((height, width, 1), np.float64)
        patch, region = crop_square(ones, box, factor, size)
        if region.x1 + region.size <= 0 or region.y1 + region.size <= 0:
            continue  # window entirely left of / above the image: see the report on crop.py
        expected = patch.reshape(size, size) < 1  # any padded pixel mixed in
        np.testing.assert_array_equal(padding_mask(region, (height, width), size), expected)
        checked += 1


@pytest.mark.parametrize('bad_box', [(np.nan, 10, 20, 20), (100, 100, 0, 20), (100, 100, 5, -1)])
@pytest.mark.parametrize('frame', [1, 2])
def test_uncroppable_boxes_reject_the_sample(bad_box, frame):
    results = painted_results()
    results['gt_bboxes_xywh'][frame] = bad_box
    assert small_cropper()(results) is None


def test_crop_inputs_are_checked():
    with pytest.raises(ValueError, match='exactly one search'):
        small_cropper()(painted_results(roles=['static', 'dynamic', 'dynamic']))
    results = painted_results()
    del results['gt_bboxes_xywh']
    with pytest.raises(KeyError, match='gt_bboxes_xywh'):
        small_cropper()(results)
    with pytest.raises(ValueError, match='positive'):
        SOTCropRegions(template_factors=(2.0, 0.0))


# ---------------------------------------------------------------- CheckSOTSample


def check_results(template_mask, search_box=(40., 40., 80., 90.)):
    """Minimal per-crop results: one 64 px template, one 128 px search crop."""
    return dict(padding_mask=[template_mask, np.zeros((128, 128), bool)],
                gt_bboxes=[np.array([[0., 0., 10., 10.]], np.float32),
                           np.array([search_box], np.float32)],
                crop_role=['template', 'search'], img_shape=[(64, 64), (128, 128)])


def test_check_accepts_a_normal_sample():
    results = check_results(np.zeros((64, 64), bool))
    assert TRANSFORMS.build(dict(type='CheckSOTSample'))(results) is results


def test_check_requires_image_content_at_token_positions():
    check = CheckSOTSample(stride=16)
    mask = np.ones((64, 64), bool)
    mask[5, 5] = False  # image pixel, but not on the 16 px token grid (rows / cols 0,16,32,48)
    assert check(check_results(mask)) is None
    mask[16, 32] = False  # one grid position shows the image
    assert check(check_results(mask)) is not None


@pytest.mark.parametrize('box', [(np.nan, 1., 5., 5.), (10., 10., 10., 30.),
                                 (130., 10., 140., 30.), (-20., -20., -1., -1.)])
def test_check_rejects_degenerate_or_outside_search_boxes(box):
    assert CheckSOTSample()(check_results(np.zeros((64, 64), bool), box)) is None


def test_check_min_box_size():
    results = check_results(np.zeros((64, 64), bool), (10., 10., 12., 30.))
    assert CheckSOTSample()(results) is not None
    assert CheckSOTSample(min_box_size=2.0)(results) is None


def test_crop_outside_the_image_is_rejected_by_the_check():
    # a (say invisible) dynamic template whose box lies right of the image: all padding
    results = painted_results(boxes=[BOXES[0], (400, 100, 30, 30), BOXES[2]])
    results['img'][1] = paint_frame(240, 320, (0, 0, 0, 0))
    cropped = small_cropper()(results)
    assert cropped['padding_mask'][2].all() and not cropped['img'][2].any()
    assert CheckSOTSample()(cropped) is None
