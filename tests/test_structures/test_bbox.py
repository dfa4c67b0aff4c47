import numpy as np
import pytest

from procontext_mm.structures import bbox_xywh_to_xyxy, bbox_xyxy_to_xywh


def test_xywh_xyxy_values_and_round_trip():
    xywh = np.array([[10., 20., 30., 40.], [-5., 0.5, 1., 2.]])
    xyxy = bbox_xywh_to_xyxy(xywh)
    np.testing.assert_array_equal(xyxy, [[10, 20, 40, 60], [-5, 0.5, -4, 2.5]])
    np.testing.assert_array_equal(bbox_xyxy_to_xywh(xyxy), xywh)


@pytest.mark.parametrize('shape', [(4, ), (3, 4), (2, 5, 4)])
def test_any_leading_shape_and_float64(shape):
    rng = np.random.default_rng(0)
    boxes = rng.integers(0, 100, shape).astype(np.int32)  # ints and lists are accepted
    for convert in (bbox_xywh_to_xyxy, bbox_xyxy_to_xywh):
        out = convert(boxes)
        assert out.shape == shape and out.dtype == np.float64
    assert bbox_xywh_to_xyxy([1, 2, 3, 4]).tolist() == [1., 2., 4., 6.]
