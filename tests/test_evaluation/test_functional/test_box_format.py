"""Box-format detection of result files: every format is recognised from the first rows, the
pytracking-style integer truncation is tolerated, and undecidable cases say so."""
import os

import numpy as np
import pytest

from procontext_mm.evaluation.functional import (BOX_FORMATS, bbox_iou_xywh, bboxes_to_xywh,
                                                 describe_box_format, detect_box_format)


def _gts(rng, num=6, length=12, integer=True):
    gts = []
    for _ in range(num):
        xy = rng.uniform(20, 200, 2) + np.cumsum(rng.normal(0, 2, (length, 2)), axis=0)
        wh = np.tile(rng.uniform(15, 60, 2), (length, 1))
        gt = np.column_stack([xy, wh])
        gts.append(np.round(gt) if integer else gt)
    return gts


def _to_format(gt_xywh, box_format):
    """The inverse of bboxes_to_xywh, written out: what a file in that format holds."""
    shift = {'': 0, '+1': 1, '-1': -1}[box_format[4:]]
    out = gt_xywh.copy()
    out[:, :2] += shift
    if box_format.startswith('xyxy'):
        out[:, 2:] = out[:, :2] + gt_xywh[:, 2:]
    return out


@pytest.mark.parametrize('box_format', BOX_FORMATS)
def test_conversion_inverts_the_file_format(box_format):
    gt = _gts(np.random.default_rng(0), 1)[0]
    np.testing.assert_allclose(bboxes_to_xywh(_to_format(gt, box_format), box_format), gt)


@pytest.mark.parametrize('box_format', BOX_FORMATS)
def test_every_format_is_detected_from_the_init_rows(box_format):
    rng = np.random.default_rng(1)
    gts = _gts(rng)
    noisy = [gt + np.vstack([np.zeros((1, 4)), rng.normal(0, 3, (len(gt) - 1, 4))])
             for gt in gts]  # first row = the init box, later rows tracked
    found = detect_box_format([_to_format(p, box_format) for p in noisy], gts)
    assert found['box_format'] == box_format and found['method'] == 'first row'
    assert not found['ambiguous']
    assert found['matches'][box_format[:4]] == len(gts)
    assert found['median_error_px'][box_format] == pytest.approx(0.0, abs=1e-9)
    assert box_format in found['message']


def test_truncated_integer_boxes_with_fractional_ground_truth():
    """pytracking / OSTrack write boxes with astype(int): the layout is still found; the
    one-pixel origin cannot be told from truncation, and the report says so."""
    rng = np.random.default_rng(2)
    gts = _gts(rng, num=20, integer=False)
    truncated = [np.trunc(gt) for gt in gts]
    found = detect_box_format(truncated, gts)
    assert found['box_format'] == 'xywh' and found['matches']['xywh'] == 20
    assert found['ambiguous'] and 'origin shift undetermined' in found['message']
    xyxy = detect_box_format([np.trunc(_to_format(gt, 'xyxy')) for gt in gts], gts)
    assert xyxy['box_format'] == 'xyxy'


def test_xyxy_without_init_rows_falls_back_to_early_iou():
    rng = np.random.default_rng(3)
    gts = _gts(rng)
    tracked = [gt + rng.normal(0, 1.5, gt.shape) for gt in gts]  # no exact first row
    tracked = [np.vstack([np.zeros((1, 4)), t[1:]]) for t in tracked]  # e.g. 0,0,0,0 written
    found = detect_box_format([_to_format(t, 'xyxy') for t in tracked], gts)
    assert found['method'] == 'early IoU' and found['box_format'] == 'xyxy'
    assert found['mean_early_iou']['xyxy'] > found['mean_early_iou']['xywh'] + 0.3
    # the IoUs reported are those of the converted boxes
    expected = np.mean([np.mean(bbox_iou_xywh(t[:10], g[:10])) for t, g in zip(tracked, gts)])
    assert found['mean_early_iou']['xyxy'] == pytest.approx(expected, abs=0.05)


def test_boxes_at_the_origin_are_ambiguous_and_keep_xywh():
    gt = np.array([[0, 0, 30, 20]] * 5, float)  # x = y = 0: xywh and xyxy rows coincide
    found = detect_box_format([gt.copy()], [gt])
    assert found['box_format'] == 'xywh' and found['ambiguous']
    assert 'xyxy too' in found['message']


def test_no_usable_ground_truth():
    found = detect_box_format([np.zeros((3, 4))], [np.full((3, 4), np.nan)])
    assert found['method'] == 'no evidence' and found['box_format'] == 'xywh'


def test_repetitions_use_the_first_run_and_bad_names_are_refused():
    gt = _gts(np.random.default_rng(4), 1)[0]
    runs = np.stack([_to_format(gt, 'xyxy')] * 3)  # (R, L, 4), GOT-10k repetitions
    assert detect_box_format([runs], [gt])['box_format'] == 'xyxy'
    with pytest.raises(ValueError, match="Unknown box format 'cxcywh'"):
        bboxes_to_xywh(gt, 'cxcywh')
    assert '1-based against 0-based' in describe_box_format('xywh+1')


REAL_SOT = os.environ.get('PROCONTEXT_REAL_SOT', '/work/shared/data/real_sot')


@pytest.mark.skipif(not os.path.isdir(os.path.join(REAL_SOT, 'lasot')),
                    reason='real SOT sample data not available')
def test_real_tracker_output_in_xyxy_is_detected():
    """mmtracking's fixture holds a real tracker's output on LaSOT airplane-1 / -2, written
    as x1,y1,x2,y2 beside xywh ground truth: the check must say xyxy. (Its airplane-2 file
    does not start with the init box: one sequence of two matches, which is enough.)"""
    preds, gts = [], []
    for seq in ('airplane-1', 'airplane-2'):
        folder = os.path.join(REAL_SOT, 'lasot', seq)
        preds.append(np.loadtxt(os.path.join(folder, 'track_results.txt'), delimiter=','))
        gts.append(np.loadtxt(os.path.join(folder, 'groundtruth.txt'), delimiter=','))
    found = detect_box_format(preds, gts)
    assert found['box_format'] == 'xyxy' and found['method'] == 'first row'
    assert found['matches'] == {'xywh': 0, 'xyxy': 1} and not found['ambiguous']
    alone = detect_box_format(preds[1:], gts[1:])  # airplane-2 alone: the IoU fallback
    assert alone['method'] == 'early IoU' and alone['box_format'] == 'xyxy'
