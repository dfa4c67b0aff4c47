"""SupervisedRun and MultiStartRun: the experiments' steps, with the toolkit's rules by hand."""
import numpy as np
import pytest

from procontext_mm.evaluation.vot_protocol import MultiStartRun, SupervisedRun, vot_init_bbox_xyxy

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


def test_multistart_runs_forward_then_backward_each_from_its_anchor():
    gt = [[10.0 + k, 10, 20, 20] for k in range(6)]
    run = MultiStartRun(gt, [0, 0, 1, 0, -1, 0], 'seq')  # forward from 2, backward from 4
    assert run.runs == [(2, False), (4, True)]
    assert run.frame_order().tolist() == [2, 3, 4, 5, 4, 3, 2, 1, 0]
    assert run.run_slices() == {2: slice(0, 4), 4: slice(4, 9)}
    actions = []
    for step, frame in enumerate(run.frame_order().tolist()):
        actions.append(run.next_action(frame))
        assert run.current_run == ((2, False) if step < 4 else (4, True))
        if actions[-1] == run.INIT:  # the axis-aligned box of the anchor's region
            np.testing.assert_allclose(run.init_bbox_xyxy(frame), [10 + frame, 10,
                                                                   30 + frame, 30])
        else:
            run.tracked(frame, [frame, 0, frame + 5, 5])
    assert actions == ['init'] + ['track'] * 3 + ['init'] + ['track'] * 4
    assert run.finished
    assert run.records[2][0] == 1 and run.records[4][0] == 1
    np.testing.assert_allclose(run.records[4][1:], [[k, 0, 5, 5] for k in (3, 2, 1, 0)])


def test_multistart_errors_name_the_sequence():
    gt = [[10, 10, 20, 20]] * 4
    with pytest.raises(ValueError, match='Sequence s has no anchor frame'):
        MultiStartRun(gt, [0, 0, 0, 0], 's')
    with pytest.raises(ValueError, match='Sequence s: 4 ground-truth regions but 3 anchor'):
        MultiStartRun(gt, [1, 0, 0], 's')
    run = MultiStartRun(gt, [0, 0, 0, -1], 's')
    with pytest.raises(RuntimeError, match=r'expected frame 3 \(run from anchor frame 3, '
                       r'backward\), got frame 0'):
        run.next_action(0)
    run.next_action(3)
    run.next_action(2)
    with pytest.raises(RuntimeError, match='frame 2 was tracked but its box was not reported'):
        run.next_action(1)
    with pytest.raises(ValueError, match=r'Sequence s, frame 1: no ground-truth region'):
        MultiStartRun([[1, 1, 5, 5], [np.nan] * 4], [0, 1], 's').init_bbox_xyxy(1)
