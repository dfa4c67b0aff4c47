"""SupervisedRun: the supervised experiment's steps, with the toolkit's rules by hand."""
import numpy as np
import pytest

from procontext_mm.evaluation.vot_protocol import SupervisedRun, vot_init_bbox_xyxy

GT = [[10, 10, 20, 20]] * 9  # x, y, w, h
MISS = [60, 60, 70, 70]  # x1, y1, x2, y2: no overlap with GT
HIT = [10, 10, 30, 30]


def _drive(run, predictions):
    """Step a run; ``predictions`` gives the box of each tracked frame (in order)."""
    actions, boxes = [], iter(predictions)
    for frame in range(len(run)):
        action = run.next_action(frame)
        actions.append(action)
        if action == run.TRACK:
            run.tracked(frame, next(boxes), (100, 100))
    return actions


def test_failure_skips_four_frames_and_reinitialises_on_the_fifth():
    run = SupervisedRun(GT)
    actions = _drive(run, [HIT, MISS, HIT, MISS])
    assert actions == ['init', 'track', 'track', 'skip', 'skip', 'skip', 'skip', 'init', 'track']
    assert [run.status(k) for k in range(9)] == [1, None, 2, 0, 0, 0, 0, 1, None]
    np.testing.assert_allclose(run.records[1], [10, 10, 20, 20])  # the box as x, y, w, h
    # a failure near the end leaves the rest skipped, never re-initialised
    run = SupervisedRun(GT[:5])
    assert _drive(run, [HIT, HIT, MISS]) == ['init', 'track', 'track', 'track', 'skip']
    # failure_overlap: an overlap of 1/4 is a failure at 0.3, not at 0
    run = SupervisedRun(GT[:3], skip_initialize=1, failure_overlap=0.3)
    assert _drive(run, [[10, 10, 20, 20]]) == ['init', 'track', 'init']


def test_order_and_reporting_errors():
    run = SupervisedRun(GT, seq_name='s')
    with pytest.raises(RuntimeError, match='Sequence s: expected frame 0 of 9, got frame 1'):
        run.next_action(1)
    run.next_action(0)
    assert run.next_action(1) == run.TRACK
    with pytest.raises(RuntimeError, match='frame 1 was tracked but its box was not reported'):
        run.next_action(2)
    with pytest.raises(RuntimeError, match='tracked\\(\\) for frame 2, but the frame to report'):
        run.tracked(2, HIT, (100, 100))
    with pytest.raises(ValueError, match='bounded overlap needs the image size'):
        run.tracked(1, HIT)
    with pytest.raises(ValueError, match='skip_initialize must be >= 1'):
        SupervisedRun(GT, skip_initialize=0)
    with pytest.raises(ValueError, match='frame 3: no ground-truth region'):
        vot_init_bbox_xyxy([np.nan] * 4, 's', 3)
    np.testing.assert_allclose(vot_init_bbox_xyxy([1, 2, 7, 3, 6, 9, 0.5, 8]), [0.5, 2, 7, 9])
