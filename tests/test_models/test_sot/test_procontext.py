import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData

from procontext_mm.models.sot import hann_window_2d
from procontext_mm.registry import MODELS
from procontext_mm.structures import crop_square
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg


def _tracker(**kwargs):
    torch.manual_seed(0)
    return MODELS.build(tiny_tracker_cfg(**kwargs)).eval()


def test_hann_window_matches_reference_formula():
    size = 8
    one_d = 0.5 * (1 - np.cos(2 * np.pi / (size + 1) * np.arange(1, size + 1)))
    np.testing.assert_allclose(hann_window_2d(size)[0, 0].numpy(), np.outer(one_d, one_d),
                               atol=1e-6)


def test_track_returns_boxes_inside_image_and_raw_scores():
    tracker = _tracker()
    frames, boxes = moving_square_video(num_frames=5)
    tracker.init(frames[0], boxes[0])
    for frame in frames[1:]:
        bbox, score = tracker.track(frame)
        assert len(bbox) == 4 and 0 <= bbox[0] < bbox[2] <= 160 and 0 <= bbox[1] < bbox[3] <= 120
        assert 1e-4 <= score <= 1 - 1e-4
        assert set(tracker.timings) == {'crop', 'forward', 'post'}


def test_algorithm1_update_timing(monkeypatch):
    tracker = _tracker(update_interval=3, score_threshold=0.5)
    frames, boxes = moving_square_video(num_frames=10)
    scores = iter([0.9, 0.9, 0.4, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9])  # frame 3 is not confident
    original = tracker.forward_crops

    def forward_with_score(templates, search, ce_keep_ratio=None):
        out = original(templates, search, ce_keep_ratio)
        score = torch.full_like(out.score_map, 0.01)
        score[..., 4, 4] = next(scores)
        return out._replace(score_map=score)

    monkeypatch.setattr(tracker, 'forward_crops', forward_with_score)
    tracker.init(frames[0], boxes[0])
    initial_dynamic = [t.copy() for t in tracker.template_memory.templates[2:]]
    states, dynamic = {}, {}
    for index, frame in enumerate(frames[1:], start=1):
        tracker.track(frame)
        states[index] = list(tracker.state_xywh)
        dynamic[index] = [t.copy() for t in tracker.template_memory.templates[2:]]
    # frames 3, 6, 9 are update frames; frame 3 is not confident (0.4 < tau)
    assert tracker.template_memory.update_frames == [6, 9]
    for index in (1, 3, 5):
        for got, exp in zip(dynamic[index], initial_dynamic):
            np.testing.assert_array_equal(got, exp)
    for index in (6, 7, 8):  # re-cropped around the frame-6 prediction, then kept
        for got, factor in zip(dynamic[index], (2.0, 4.0)):
            np.testing.assert_array_equal(got, crop_square(frames[6], states[6], factor, 64)[0])


def test_dynamic_templates_are_cropped_around_prediction_on_update(monkeypatch):
    tracker = _tracker(update_interval=2, score_threshold=0.0)
    frames, boxes = moving_square_video(num_frames=3)
    tracker.init(frames[0], boxes[0])
    tracker.track(frames[1])
    before = [t.copy() for t in tracker.template_memory.templates]
    tracker.track(frames[2])  # frame index 2: update
    state = tracker.state_xywh
    for i, factor in enumerate((2.0, 4.0)):
        np.testing.assert_array_equal(tracker.template_memory.templates[2 + i],
                                      crop_square(frames[2], state, factor, 64)[0])
        np.testing.assert_array_equal(tracker.template_memory.templates[i], before[i])


def test_reinit_starts_clean():
    tracker = _tracker(update_interval=1, score_threshold=0.0)
    frames_a, boxes_a = moving_square_video(num_frames=4, seed=1)
    frames_b, boxes_b = moving_square_video(num_frames=4, seed=2)
    tracker.init(frames_a[0], boxes_a[0])
    for frame in frames_a[1:]:
        tracker.track(frame)
    tracker.init(frames_b[0], boxes_b[0])
    results_after_reinit = [tracker.track(f) for f in frames_b[1:]]
    fresh = _tracker(update_interval=1, score_threshold=0.0)
    fresh.init(frames_b[0], boxes_b[0])
    results_fresh = [fresh.track(f) for f in frames_b[1:]]
    assert results_after_reinit == results_fresh


@pytest.mark.parametrize('bbox, message', [
    ([10, 10, 10, 30], 'non-positive width'),
    ([10, 10, 5, 30], 'non-positive width'),
    ([float('nan'), 10, 20, 30], 'finite'),
    ([500, 500, 520, 530], 'outside'),
    ([1, 2, 3], '4 finite numbers'),
])
def test_bad_init_box_raises(bbox, message):
    tracker = _tracker()
    frames, _ = moving_square_video(num_frames=1)
    with pytest.raises(ValueError, match=message):
        tracker.init(frames[0], bbox)


@pytest.mark.parametrize('frame', [
    np.zeros((20, 20), np.uint8), np.zeros((20, 20, 3), np.float32),
    np.zeros((20, 20, 4), np.uint8),
    [[0, 0, 0]]
])
def test_bad_frame_raises(frame):
    tracker = _tracker()
    with pytest.raises(ValueError, match=r'\(H, W, 3\) uint8'):
        tracker.init(frame, [1, 1, 5, 5])


def test_track_before_init_raises():
    with pytest.raises(RuntimeError, match='init'):
        _tracker().track(np.zeros((20, 20, 3), np.uint8))


def test_target_leaving_the_frame_keeps_a_margin_box_on_the_border():
    tracker = _tracker()
    frames, boxes = moving_square_video(num_frames=2)
    tracker.init(frames[0], boxes[0])
    tracker.state_xywh = [150., 110., 30., 30.]  # previous box mostly outside a 160x120 frame
    bbox, _ = tracker.track(frames[1])
    x1, y1, x2, y2 = bbox
    assert 0 <= x1 <= 150 and 0 <= y1 <= 110 and x2 <= 160 and y2 <= 120
    assert x2 - x1 >= 10 and y2 - y1 >= 10


def _frame_sample(frame_id, bbox=None):
    det = DetDataSample(metainfo=dict(frame_id=frame_id))
    if bbox is not None:
        det.gt_instances = InstanceData(bboxes=torch.tensor([bbox], dtype=torch.float32))
    sample = TrackDataSample()
    sample.video_data_samples = [det]
    return sample


def test_predict_on_track_data_samples_matches_init_track():
    tracker = _tracker()
    frames, boxes = moving_square_video(num_frames=4)
    results = []
    for i, frame in enumerate(frames):
        data = dict(inputs=[torch.from_numpy(frame).permute(2, 0, 1)[None]],
                    data_samples=[_frame_sample(i, boxes[0].tolist() if i == 0 else None)])
        out = tracker.test_step(data)[0][0]
        results.append((out.pred_track_instances.bboxes[0].tolist(),
                        out.pred_track_instances.scores.item()))
        assert out.track_time >= 0
    assert results[0] == (boxes[0].tolist(), -1.0)
    reference = _tracker()
    reference.init(frames[0], boxes[0])
    for (bbox, score), frame in zip(results[1:], frames[1:]):
        ref_bbox, ref_score = reference.track(frame)
        np.testing.assert_allclose(bbox, ref_bbox, rtol=1e-6)
        assert score == pytest.approx(ref_score, rel=1e-6)


def _training_batch(num_samples=2, num_templates=4, factors=None):
    gen = torch.Generator().manual_seed(0)
    inputs = dict(template=[torch.randint(0, 256, (num_templates, 3, 64, 64), dtype=torch.uint8,
                                          generator=gen)
                            for _ in range(num_samples)],
                  search=[torch.randint(0, 256, (1, 3, 128, 128), dtype=torch.uint8, generator=gen)
                          for _ in range(num_samples)])
    samples = []
    for i in range(num_samples):
        dets = [DetDataSample(metainfo=dict(crop_role='template'))
                for _ in range(num_templates)]
        if factors is not None:
            for det, factor in zip(dets, factors):
                det.set_metainfo(dict(context_factor=factor))
        search = DetDataSample(metainfo=dict(crop_role='search'))
        search.gt_instances = InstanceData(bboxes=torch.tensor([[40. + i, 44., 80., 90.]]),
                                           labels=torch.zeros(1, dtype=torch.long))
        sample = TrackDataSample()
        sample.video_data_samples = dets + [search]
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def test_loss_mode_gives_finite_losses_and_honours_scheduled_ce_keep_ratio():
    tracker = _tracker().train()
    data = tracker.data_preprocessor(_training_batch(), training=True)
    assert data['inputs']['template'].shape == (2, 4, 3, 64, 64)
    assert data['inputs']['template'].dtype == torch.float32
    losses = tracker(**data, mode='loss')
    assert set(losses) == {'loss_heatmap', 'loss_iou', 'loss_bbox', 'mean_iou'}
    assert all(torch.isfinite(v) for v in losses.values())
    calls = []
    tracker.backbone.register_forward_hook(
        lambda m, args, out: calls.append(out.kept_index.shape[1]))
    tracker.backbone.scheduled_ce_keep_ratio = 1.0
    tracker(**data, mode='loss')
    tracker.backbone.scheduled_ce_keep_ratio = None
    tracker(**data, mode='loss')
    assert calls == [64, 32]  # warm-up disables elimination; None uses 0.7 -> 45 -> 32
    assert not hasattr(tracker, 'train_keep_ratio')  # the schedule lives on the backbone only


@pytest.mark.parametrize('num_templates, factors, message', [
    (2, None, r'template crops 2 but the template memory tracks with 4'),
    (4, (2.0, 2.0, 4.0, 4.0), r'template crops \[2.0, 2.0, 4.0, 4.0\] .* \[2.0, 4.0, 2.0, 4.0\]'),
])
def test_training_crops_that_disagree_with_the_template_memory_are_refused(
        num_templates, factors, message):
    tracker = _tracker().train()
    data = tracker.data_preprocessor(_training_batch(num_templates=num_templates,
                                                     factors=factors), training=True)
    with pytest.raises(ValueError, match=message):
        tracker(**data, mode='loss')
    good = _training_batch(factors=(2.0, 4.0, 2.0, 4.0))  # static then dynamic, as tracking
    assert torch.isfinite(tracker(**tracker.data_preprocessor(good, training=True),
                                  mode='loss')['loss_iou'])


def test_inconsistent_sizes_are_rejected():
    cfg = tiny_tracker_cfg()
    cfg['template_memory']['template_size'] = 32
    with pytest.raises(ValueError, match='template_size'):
        MODELS.build(cfg)
    cfg = tiny_tracker_cfg()
    cfg['head']['search_size'] = 256
    with pytest.raises(ValueError, match='Search sizes disagree'):
        MODELS.build(cfg)


def test_static_box_baseline_keeps_the_initial_box():
    from procontext_mm.models.sot import StaticBoxTracker
    tracker = StaticBoxTracker()
    frames, boxes = moving_square_video(num_frames=3)
    tracker.init(frames[0], boxes[0])
    assert tracker.track(frames[2]) == (boxes[0].tolist(), 1.0)
    with pytest.raises(RuntimeError, match='nothing to train'):
        tracker.loss({}, [])


def _windowed_tracker(**test_cfg):
    cfg = tiny_tracker_cfg()
    cfg['test_cfg'].update(test_cfg)
    torch.manual_seed(0)
    return MODELS.build(cfg).eval()


def _track_boxes(tracker, num_frames=6):
    frames, boxes = moving_square_video(num_frames=num_frames)
    tracker.init(frames[0], boxes[0])
    return [tracker.track(frame)[0] for frame in frames[1:]]


def test_window_influence_default_is_the_plain_hann_product_and_zero_is_no_window():
    grid = 128 // 16  # the tiny tracker's search size / patch size
    default = _windowed_tracker()
    assert default.test_cfg['window_influence'] == 1.0
    assert torch.equal(default.output_window, hann_window_2d(grid))  # bit for bit as before
    half = _windowed_tracker(window_influence=0.5)
    torch.testing.assert_close(half.output_window, 0.5 + 0.5 * hann_window_2d(grid))
    # w = 0 flattens the window to ones: the same boxes as tracking without a window
    assert _track_boxes(_windowed_tracker(window_influence=0.0)) == _track_boxes(
        _windowed_tracker(window=None))


@pytest.mark.parametrize('influence', [-0.1, 1.5, 'strong', None])
def test_window_influence_outside_zero_one_is_refused(influence):
    with pytest.raises(ValueError, match=r'window_influence must be a number in \[0, 1\]'):
        _windowed_tracker(window_influence=influence)


def test_track_runs_its_network_through_the_backend_it_is_given():
    tracker = _tracker()
    frames, boxes = moving_square_video(num_frames=4)
    tracker.init(frames[0], boxes[0])
    pytorch_results = [tracker.track(frame) for frame in frames[1:]]

    calls = []

    def backend(templates, search):  # what a deployment backend sees and returns
        calls.append((tuple(templates.shape), tuple(search.shape)))
        return tracker.forward_crops(templates, search)

    tracker.set_network_backend(backend)
    tracker.init(frames[0], boxes[0])
    assert [tracker.track(frame) for frame in frames[1:]] == pytorch_results
    assert calls == [((1, 4, 3, 64, 64), (1, 3, 128, 128))] * 3

    # a backend's maps decide the box; None restores the PyTorch network
    tracker.set_network_backend(lambda templates, search: tracker.forward_crops(
        templates, search)._replace(score_map=torch.full((1, 1, 8, 8), 0.25)))
    tracker.init(frames[0], boxes[0])
    assert tracker.track(frames[1])[1] == 0.25
    tracker.set_network_backend(None)
    tracker.init(frames[0], boxes[0])
    assert tracker.track(frames[1]) == pytorch_results[0]


def test_unknown_test_cfg_keys_are_named():
    cfg = tiny_tracker_cfg()
    cfg['test_cfg']['serach_factor'] = 4.5
    with pytest.raises(ValueError, match=r"Unknown test_cfg keys \['serach_factor'\]; ProContEXT "
                       r"knows \[.*'search_factor'"):
        MODELS.build(cfg)
