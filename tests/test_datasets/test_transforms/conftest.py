"""Fixtures of the transform tests."""
import numpy as np
import pytest
from _sot_frames import make_video
from mmengine.registry import init_default_scope


@pytest.fixture(autouse=True)
def procontext_scope():
    """Build transforms from config dicts in the ``procontext_mm`` scope."""
    import procontext_mm.datasets.transforms  # noqa: F401  (registers the transforms)
    init_default_scope('procontext_mm')


@pytest.fixture
def moving_target_video(tmp_path) -> dict:
    """30 frames, 240 x 320, a 40 x 30 target moving right 2 px per frame, all visible."""
    num = 30
    boxes = np.array([[100 + 2 * i, 90, 40, 30] for i in range(num)], np.float32)
    return make_video(tmp_path / 'moving', boxes, np.ones(num, bool))
