import numpy as np
import pytest

from procontext_mm.structures import TrackingResult, TrackStep


def _crop(value):
    return np.full((4, 4, 3), value, np.uint8)


def _steps():
    return [
        TrackStep(0, [0., 0., 10., 10.], -1., False, [_crop(0)], 0.5),
        TrackStep(1, [1., 1., 11., 11.], 0.9, False, [_crop(0)], 0.1),
        TrackStep(2, [2., 2., 12., 12.], 0.8, True, [_crop(2)], 0.3),
        TrackStep(3, [3., 3., 13., 13.], 0.7, False, [_crop(2)], 0.1),
    ]


def test_from_steps_keeps_template_snapshots_of_the_first_and_refresh_frames():
    result = TrackingResult.from_steps(_steps(), template_labels=['S2'])
    assert len(result) == 4 and result.bboxes_xyxy.shape == (4, 4)
    assert result.update_frames == [2]
    assert sorted(result.template_snapshots) == [0, 2]
    # a step is rebuilt with the templates in effect on its frame
    assert result.step(1).templates[0][0, 0, 0] == 0
    assert result.step(3).templates[0][0, 0, 0] == 2
    assert result.step(2).refreshed and not result.step(3).refreshed
    np.testing.assert_allclose(result.step(3).bbox_xyxy, [3, 3, 13, 13])


def test_fps_leaves_out_the_initial_frame():
    result = TrackingResult.from_steps(_steps())
    assert result.fps == pytest.approx(3 / 0.5)
    assert np.isnan(TrackingResult.from_steps(_steps()[:1]).fps)
