"""eval_drift: box-area ratio and AO per part of the videos, on hand-built sequences."""
import numpy as np
import pytest

from procontext_mm.evaluation.functional import eval_drift, eval_got10k


def _sequence(num_frames=11, growth=1.0):
    gt = np.tile([[50., 40., 20., 10.]], (num_frames, 1))
    pred = gt.copy()
    scale = growth ** np.arange(num_frames)  # side grows by `growth` per frame
    pred[:, 2:] = gt[:, 2:] * scale[:, None]
    return pred, gt


def test_exact_boxes_have_ratio_one_and_full_ao():
    pred, gt = _sequence()
    report = eval_drift([pred], [gt])
    assert report['area_ratio_median'] == pytest.approx(1.0)
    assert report['ao_parts'] == pytest.approx([1.0, 1.0])


def test_growing_boxes_show_in_the_ratio_and_in_the_second_half():
    pred, gt = _sequence(num_frames=11, growth=1.1)
    report = eval_drift([pred], [gt], num_parts=2)
    # scored frames 1..10; areas grow by 1.21 per frame: the median is between frames 5 and 6
    expected_median = np.median(1.21 ** np.arange(1, 11))
    assert report['area_ratio_median'] == pytest.approx(expected_median)
    first, second = report['ao_parts']
    assert first > second
    # the parts pool as GOT-10k does: frames 1..5 and 6..10 (frame 0 is never scored)
    whole = eval_got10k([pred], [gt])['ao']
    assert (5 * first + 5 * second) / 10 == pytest.approx(whole)


def test_invisible_frames_are_left_out_and_bad_input_is_named():
    pred, gt = _sequence()
    pred[3] = [0, 0, 1000, 1000]  # wrong, but the target is invisible there
    valid = np.ones(len(gt), bool)
    valid[3] = False
    assert eval_drift([pred], [gt], [valid])['area_ratio_median'] == pytest.approx(1.0)
    with pytest.raises(ValueError, match='num_parts'):
        eval_drift([pred], [gt], num_parts=0)
    with pytest.raises(ValueError, match='Sequence seq-a'):
        eval_drift([pred[:5]], [gt], seq_names=['seq-a'])
