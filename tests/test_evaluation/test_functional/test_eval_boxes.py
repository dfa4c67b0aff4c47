"""Box measures: hand-computed examples and the toolkit's ``got10k.utils.metrics``."""
import numpy as np
import pytest

from procontext_mm.evaluation.functional import (bbox_iou_xywh, center_error_xywh,
                                                 clip_bboxes_xywh_got10k,
                                                 normalized_center_error_xywh)


def test_iou_hand_computed():
    pred = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 0, 10], [0, 0, 10, 10]], float)
    gt = np.array([[5, 0, 10, 10], [0, 0, 10, 10], [0, 0, 0, 10], [20, 20, 5, 5]], float)
    # overlap 50 / union 150; identical boxes; zero-size boxes; disjoint boxes
    np.testing.assert_allclose(bbox_iou_xywh(pred, gt), [1 / 3, 1, 0, 0], atol=1e-12)


def test_center_errors_hand_computed():
    # same sizes: centre offset (3, 4) -> 5 px; relative to a 10 x 10 target -> 0.5
    assert center_error_xywh([[0, 0, 10, 10]], [[3, 4, 10, 10]])[0] == pytest.approx(5.0)
    assert normalized_center_error_xywh([[0, 0, 10, 10]], [[3, 4, 10, 10]])[0] == pytest.approx(0.5)
    # centres are x1 + (w - 1) / 2: (1.5, 1.5) for a 4 x 4 box, (0.5, 0.5) for a 2 x 2 box
    assert center_error_xywh([[0, 0, 4, 4]], [[0, 0, 2, 2]])[0] == pytest.approx(np.sqrt(2))
    # a zero-size ground truth (centre (-0.5, -0.5)) is normalised by max(1, size) = 1
    assert normalized_center_error_xywh([[0, 0, 1, 1]],
                                        [[0, 0, 0, 0]])[0] == pytest.approx(np.sqrt(0.5))


def test_clip_got10k_shifts_rather_than_cuts():
    boxes = np.array([[-10, 5, 30, 200], [150, 10, 20, 20], [90, 40, 20, 20]], float)
    expected = [[0, 5, 30, 45], [100, 10, 0, 20], [90, 40, 10, 10]]
    np.testing.assert_array_equal(clip_bboxes_xywh_got10k(boxes, (100, 50)), expected)
    assert boxes[0, 0] == -10  # the input is not modified


@pytest.mark.parametrize('seed', range(5))
def test_match_toolkit_primitives(seed, make_sequences):
    metrics = pytest.importorskip('got10k.utils.metrics')
    for seq in make_sequences(seed, nan_gt=True):
        pred, gt = seq['pred'], seq['gt']
        np.testing.assert_array_equal(bbox_iou_xywh(pred, gt),
                                      metrics.rect_iou(pred.copy(), gt.copy()))
        np.testing.assert_allclose(center_error_xywh(pred, gt),
                                   metrics.center_error(pred, gt),
                                   rtol=1e-12)
        bound = seq['image_size_wh']
        np.testing.assert_array_equal(
            bbox_iou_xywh(clip_bboxes_xywh_got10k(pred, bound), clip_bboxes_xywh_got10k(gt, bound)),
            metrics.rect_iou(pred.copy(), gt.copy(), bound=bound))
