"""Adapters for outside toolkits: got10k ``Tracker`` (same AO as SOTMetric) and pytracking."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData
from PIL import Image

from procontext_mm.apis import Got10kToolkitTracker, PytrackingTracker, SOTAdapter
from procontext_mm.registry import METRICS
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg

HEIGHT, WIDTH = 120, 160

pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.fixture
def config():
    torch.manual_seed(0)  # the adapters build their own (randomly initialised) model
    return Config(dict(model=tiny_tracker_cfg(), default_scope='procontext_mm'))


def _xyxy(bbox_xywh):
    x, y, w, h = np.asarray(bbox_xywh, dtype=np.float64)
    return [x, y, x + w, y + h]


def test_adapters_convert_colours_and_boxes(config):
    frames_bgr, boxes_xyxy = moving_square_video(num_frames=5, height=HEIGHT, width=WIDTH)
    init_xywh = [float(boxes_xyxy[0, 0]), float(boxes_xyxy[0, 1]), 24.0, 24.0]
    got10k_tracker = Got10kToolkitTracker(config, name='tiny')
    pytracking_tracker = PytrackingTracker(config)
    # the same weights in the reference model and the adapters
    reference = got10k_tracker.adapter.model
    pytracking_tracker.adapter.model.load_state_dict(reference.state_dict())
    assert got10k_tracker.name == 'tiny' and got10k_tracker.is_deterministic
    assert pytracking_tracker.name == 'ProContEXT'

    got10k_tracker.init(Image.fromarray(frames_bgr[0][..., ::-1]), init_xywh)
    out = pytracking_tracker.initialize(np.ascontiguousarray(frames_bgr[0][..., ::-1]),
                                        {'init_bbox': init_xywh})
    assert set(out) == {'time'}
    expected = []
    for frame in frames_bgr[1:]:
        got = got10k_tracker.update(Image.fromarray(frame[..., ::-1]))
        out = pytracking_tracker.track(np.ascontiguousarray(frame[..., ::-1]))
        assert set(out) == {'target_bbox', 'object_presence_score', 'time'}
        np.testing.assert_allclose(out['target_bbox'], got, rtol=0, atol=1e-4)
        expected.append(got)

    # the model itself on the BGR frames, with xyxy boxes
    reference.init(frames_bgr[0], _xyxy(init_xywh))
    for frame, got in zip(frames_bgr[1:], expected):
        bbox_xyxy, _ = reference.track(frame)
        np.testing.assert_allclose(_xyxy(got), bbox_xyxy, rtol=0, atol=1e-4)


def test_adapter_errors(config):
    with pytest.raises(ValueError, match='needs a config'):
        SOTAdapter()
    tracker = PytrackingTracker(config)
    with pytest.raises(KeyError, match="'init_bbox'"):
        tracker.initialize(np.zeros((HEIGHT, WIDTH, 3), np.uint8), {'init_bbox_xyxy': [0] * 4})
    with pytest.raises(ValueError, match=r'\(H, W, 3\) uint8'):
        tracker.initialize(np.zeros((HEIGHT, WIDTH, 3), np.float32), {'init_bbox': [1, 1, 9, 9]})


def _write_got10k_val(root, num_frames=8):
    """Two GOT-10k val sequences of the moving square (JPEG frames, labels, meta info)."""
    sequences = {}
    for index in range(2):
        name = f'GOT-10k_Val_{index + 1:06d}'
        frames, boxes_xyxy = moving_square_video(num_frames=num_frames, height=HEIGHT,
                                                 width=WIDTH, seed=index, step=(3 + index, -2))
        seq_dir = osp.join(root, 'val', name)
        os.makedirs(seq_dir)
        for k, frame in enumerate(frames):
            cv2.imwrite(osp.join(seq_dir, f'{k + 1:08d}.jpg'), frame)
        gt_xywh = np.column_stack([boxes_xyxy[:, :2], boxes_xyxy[:, 2:] - boxes_xyxy[:, :2]])
        cover = np.full(num_frames, 8)
        cover[3 + index] = 0  # one absent frame per sequence: not scored
        np.savetxt(osp.join(seq_dir, 'groundtruth.txt'), gt_xywh, fmt='%.4f', delimiter=',')
        np.savetxt(osp.join(seq_dir, 'cover.label'), cover, fmt='%d')
        np.savetxt(osp.join(seq_dir, 'absence.label'), (cover == 0).astype(int), fmt='%d')
        np.savetxt(osp.join(seq_dir, 'cut_by_image.label'), np.zeros(num_frames), fmt='%d')
        with open(osp.join(seq_dir, 'meta_info.ini'), 'w') as f:
            f.write(f'[METAINFO]\nobject_class: square\nresolution: ({WIDTH}, {HEIGHT})\n')
        sequences[name] = dict(gt_xywh=gt_xywh, visible=cover > 0)
    with open(osp.join(root, 'val', 'list.txt'), 'w') as f:
        f.write('\n'.join(sequences) + '\n')
    return sequences


def _track_samples(video_id, name, pred_xywh, gt_xywh, visible):
    """One TrackDataSample per frame, as the model's predict() returns them."""
    samples = []
    for frame_id in range(len(gt_xywh)):
        det = DetDataSample(metainfo=dict(frame_id=frame_id, video_id=video_id, video_name=name,
                                          ori_video_length=len(gt_xywh),
                                          ori_shape=(HEIGHT, WIDTH)))
        det.gt_instances = InstanceData(
            bboxes=torch.tensor([_xyxy(gt_xywh[frame_id])], dtype=torch.float32),
            visible=torch.tensor([bool(visible[frame_id])]))
        det.pred_track_instances = InstanceData(
            bboxes=torch.tensor([_xyxy(pred_xywh[frame_id])], dtype=torch.float32),
            scores=torch.ones(1))
        sample = TrackDataSample()
        sample.video_data_samples = [det]
        samples.append(sample)
    return samples


def test_got10k_experiment_ao_equals_sot_metric(tmp_path, config):
    experiments = pytest.importorskip('got10k.experiments')
    root = str(tmp_path / 'GOT-10k')
    sequences = _write_got10k_val(root)
    tracker = Got10kToolkitTracker(config, name='tiny')
    experiment = experiments.ExperimentGOT10k(root, subset='val',
                                              result_dir=str(tmp_path / 'results'),
                                              report_dir=str(tmp_path / 'reports'))
    experiment.run(tracker)
    toolkit_ao = experiment.report([tracker.name])[tracker.name]['overall']['ao']

    evaluator = Evaluator(METRICS.build(dict(type='SOTMetric', benchmark='got10k')))
    for video_id, (name, seq) in enumerate(sequences.items()):
        result_file = tmp_path / 'results' / 'GOT-10k' / 'tiny' / name / f'{name}_001.txt'
        pred_xywh = np.loadtxt(result_file, delimiter=',')
        assert pred_xywh.shape == seq['gt_xywh'].shape
        evaluator.process(_track_samples(video_id, name, pred_xywh, seq['gt_xywh'],
                                         seq['visible']))
    metrics = evaluator.evaluate(2 * len(sequences['GOT-10k_Val_000001']['gt_xywh']))
    assert 0 < toolkit_ao < 1
    assert metrics['sot/AO'] == pytest.approx(100 * toolkit_ao, abs=1e-4)
