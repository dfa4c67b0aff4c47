import mmcv
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from procontext_mm.registry import VISUALIZERS
from procontext_mm.visualization import SOTLocalVisualizer


def _close(pixels_bgr, color_rgb, tol=30):
    """Boolean mask of (..., 3) BGR pixels within ``tol`` of an RGB colour."""
    return (np.abs(pixels_bgr.astype(int) - np.array(color_rgb[::-1])) <= tol).all(-1)


@pytest.fixture
def image():
    return np.full((120, 160, 3), 60, np.uint8)


def test_built_from_the_registry():
    vis = VISUALIZERS.build(dict(type='SOTLocalVisualizer', name='test_registry_vis'))
    assert isinstance(vis, SOTLocalVisualizer)


def test_draw_sot_frame_box_edges_have_the_prediction_colour(image):
    vis = SOTLocalVisualizer(name='test_box')
    drawn = vis.draw_sot_frame(image, 3, [40, 50, 100, 100], [0.8])
    assert drawn.shape == image.shape and drawn.dtype == np.uint8
    color = vis.pred_colors[0]
    # the middle of each vertical edge is exactly the box colour (opaque lines)
    assert _close(drawn[60:95, 40], color, tol=0).all()
    assert _close(drawn[60:95, 100], color, tol=0).all()
    assert _close(drawn[100, 50:95], color, tol=0).all()
    # inside and outside the box the image is untouched
    assert (drawn[75, 60:90] == 60).all() and (drawn[60:95, 130] == 60).all()
    # no refresh: the image border keeps the image colour
    assert (drawn[30:90, 0] == 60).all()


def test_draw_sot_frame_marks_refresh_and_shows_gt_and_templates(image):
    vis = SOTLocalVisualizer(name='test_refresh', template_size=20)
    templates = [np.full((64, 64, 3), value, np.uint8) for value in (200, 150)]
    gt_color = vis.gt_color
    drawn = vis.draw_sot_frame(image, 4, [[40, 30, 80, 70]], [0.9], refreshed=[True],
                               gt_bbox_xyxy=[10, 20, 30, 110], templates=templates)
    # a refresh-coloured border all around the frame
    assert _close(drawn[30:90, 0], vis.refresh_color, tol=0).all()
    assert _close(drawn[119, 20:60], vis.refresh_color, tol=0).all()
    # ground truth: dashed, so part of its left edge has the gt colour
    assert 0.3 < _close(drawn[40:100, 10], gt_color).mean() < 1
    # the two thumbnails sit side by side in the bottom-right corner
    assert (drawn[104:112, 120:134] == 200).all() and (drawn[104:112, 142:156] == 150).all()


def test_draw_sot_frame_several_trackers_and_bad_lengths(image):
    vis = SOTLocalVisualizer(name='test_multi')
    drawn = vis.draw_sot_frame(image, 2, [[20, 20, 60, 60], [80, 40, 140, 100]], [0.5, 0.7],
                               refreshed=[False, True], names=['a', 'b'])
    assert _close(drawn[30:55, 20], vis.pred_colors[0], tol=0).all()
    assert _close(drawn[50:95, 140], vis.pred_colors[1], tol=0).all()
    with pytest.raises(ValueError, match='scores'):
        vis.draw_sot_frame(image, 2, [[20, 20, 60, 60], [80, 40, 140, 100]], [0.5])


def test_add_datasample_draws_an_sot_prediction(image, tmp_path):
    """mmdet's TrackLocalVisualizer needs track ids; SOT predictions only have a box."""
    vis = SOTLocalVisualizer(name='test_datasample')
    sample = DetDataSample()
    sample.pred_track_instances = InstanceData(bboxes=torch.tensor([[40., 50., 100., 100.]]),
                                               scores=torch.tensor([0.6]))
    out_file = str(tmp_path / 'sample.png')
    vis.add_datasample('sot', image[..., ::-1], sample, draw_gt=False, out_file=out_file,
                       pred_score_thr=-np.inf)
    drawn = mmcv.imread(out_file)
    assert drawn.shape == image.shape
    assert _close(drawn[60:95, 100], vis.pred_colors[0], tol=0).all()


def test_status_text_is_written_top_right_only(image):
    vis = SOTLocalVisualizer(name='test_status')
    args = (image, 5, [40, 50, 100, 100], [0.8])
    plain = vis.draw_sot_frame(*args)
    with_status = vis.draw_sot_frame(*args, status_text='24.3 FPS, 12 dropped')
    changed = (plain != with_status).any(-1)
    rows, cols = np.nonzero(changed)
    assert len(rows)  # the text is drawn ...
    # ... in the top-right corner (one line of text), nowhere else; right of the frame index,
    # which stays readable
    index_cols = np.nonzero((plain[:30] != image[:30]).any(-1))[1]
    assert rows.max() < 30 and cols.min() > index_cols.max() and cols.max() > 140
    # white text on a dark plate
    assert (with_status[changed] > 200).all(-1).any() and (with_status[changed] < 60).all(-1).any()
