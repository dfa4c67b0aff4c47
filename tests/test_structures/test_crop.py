import math

import numpy as np
import pytest

from procontext_mm.structures import (box_crop_to_image, box_image_to_crop, clip_box_xywh,
                                      crop_square, crop_window)


def test_crop_window_size_and_rounding():
    # sqrt(30 * 20) * 2 = 48.99 -> ceil 49;
    # x1 = round(10 + 15 - 24.5) = round(0.5) = 0 (half to even)
    region = crop_window([10, 5, 30, 20], 2.0, 128)
    assert region.size == 49
    assert region.x1 == 0
    assert region.y1 == round(5 + 10 - 24.5)  # round(-9.5) = -10
    assert region.y1 == -10
    assert region.resize_factor == pytest.approx(128 / 49)


@pytest.mark.parametrize('bbox', [[0, 0, 0, 5], [0, 0, 5, -1], [float('nan'), 0, 5, 5],
                                  [0, 0, float('inf'), 5]])
def test_crop_window_rejects_bad_boxes(bbox):
    with pytest.raises(ValueError, match='Cannot crop around box'):
        crop_window(bbox, 2.0, 64)


def test_crop_square_inside_image_is_plain_resize():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (100, 120, 3), dtype=np.uint8)
    # window 20 px centred on (60, 50): fully inside -> the patch is the resized window
    patch, region = crop_square(image, [55, 45, 10, 10], 2.0, 20)
    assert (region.x1, region.y1, region.size) == (50, 40, 20)
    np.testing.assert_array_equal(patch, image[40:60, 50:70])


def test_crop_square_pads_outside_with_value_and_drops_last_column():
    image = np.full((10, 10, 3), 200, np.uint8)
    # window [4, 14) x [-2, 8): 2 rows above and the columns >= 9 (reference quirk) are padding
    patch, region = crop_square(image, [6.5, 0.5, 5, 5], 2.0, 10, pad_value=7)
    assert (region.x1, region.y1, region.size) == (4, -2, 10)
    assert (patch[:2] == 7).all()  # rows above the image
    assert (patch[2:, :5] == 200).all()  # image columns 4..8
    assert (patch[2:, 5:] == 7).all()  # column 9 is dropped as in the reference, then padding
    assert (patch[:, :, 1] == patch[:, :, 0]).all()  # every channel padded, not only the first


@pytest.mark.parametrize('bbox',
                         [[100, 100, 4, 4], [-30, 2, 4, 4], [2, -30, 4, 4], [-30, -30, 4, 4]])
def test_crop_square_window_outside_image_gives_padding(bbox):
    # windows right/below, and left/above the image (whose slice ends would be negative)
    image = np.full((10, 10, 3), 255, np.uint8)
    patch, _ = crop_square(image, bbox, 2.0, 16)
    assert patch.shape == (16, 16, 3)
    assert (patch == 0).all()


def test_box_maps_put_reference_box_at_crop_centre():
    ref = [40., 30., 20., 10.]
    crop_size, factor = 128, 4.0
    resize = crop_size / math.ceil(math.sqrt(200) * factor)
    box = box_image_to_crop(np.array(ref), ref, resize, crop_size)
    centre = box[:2] + box[2:] / 2
    np.testing.assert_allclose(centre, [(crop_size - 1) / 2] * 2, atol=1e-5)
    np.testing.assert_allclose(box[2:], np.array(ref[2:]) * resize, rtol=1e-6)
    # a box shifted by (dx, dy) in the image is shifted by (dx, dy) * resize in the crop
    shifted = box_image_to_crop(np.array([[45., 27., 20., 10.]]), ref, resize, crop_size)[0]
    np.testing.assert_allclose(shifted[:2] - box[:2], np.array([5., -3.]) * resize, rtol=1e-5)


def test_box_crop_to_image_inverts_search_mapping():
    previous = [100., 50., 40., 20.]
    search_size, resize = 256, 256 / 142.
    # the crop centre (search_size / 2) maps to the previous box centre
    out = box_crop_to_image([128., 128., 40. * resize, 20. * resize], previous, resize, search_size)
    np.testing.assert_allclose(out, previous, rtol=1e-9)
    out = box_crop_to_image([128. + 10 * resize, 128., 8., 8.], previous, resize, search_size)
    np.testing.assert_allclose(out[0] + out[2] / 2, 130.)


@pytest.mark.parametrize('box, expected', [
    ([10, 10, 20, 20], [10, 10, 20, 20]),
    ([-5, -5, 20, 20], [0, 0, 15, 15]),
    ([95, 95, 20, 20], [90, 90, 10, 10]),  # past the corner: margin 10 box on the border
    ([200, 200, 5, 5], [90, 90, 10, 10]),
])
def test_clip_box_keeps_margin(box, expected):
    assert clip_box_xywh(box, 100, 100, margin=10) == expected
