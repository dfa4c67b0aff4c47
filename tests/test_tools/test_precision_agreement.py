"""precision_agreement: bfloat16 vs float32 tracking on a tiny generated benchmark."""
import numpy as np
import pytest
import torch
from _tool_utils import REPO

import analysis_tools.precision_agreement as tool
from procontext_mm.apis import init_model, track_video

CONFIG = str(REPO / 'configs/quickstart/procontext_vit-tiny_1xb8-1500i_builtin.py')


pytestmark = pytest.mark.usefixtures('one_thread')


def test_diverge_frame_is_the_first_frame_below_the_iou():
    boxes = np.array([[0, 0, 10, 10]] * 5, dtype=np.float32)
    moved = boxes.copy()
    moved[3:] += 6  # IoU 16 / 184 from frame 3 on
    assert tool.diverge_frame(boxes, boxes) == 5
    assert tool.diverge_frame(boxes, moved) == 3


def test_report_on_the_built_in_benchmark(tiny_benchmark, capsys):
    options = [f'test_dataloader.dataset.data_root={tiny_benchmark}']
    tool.main([CONFIG, 'none', '--max-videos', '2', '--first-frames', '5', '--cfg-options',
               *options])
    out = capsys.readouterr().out
    assert '2 videos, 38 tracked frames' in out  # 2 val videos of 20 frames, frame 0 is init
    for line in ('AO fp32 ', 'Control: fp32 with N(0, 0.001)', 'same arg-max cell in',
                 'over the first 5 frames'):
        assert line in out


def test_runs_equal_plain_tracking_and_leave_the_model_as_it_was(tiny_benchmark):
    model = init_model(CONFIG, cfg_options={'test_dataloader.dataset.data_root': tiny_benchmark})
    videos = tool.load_videos(model.cfg, max_videos=1)
    video = videos[0]
    init_xyxy = video['bboxes_xywh'][0] + np.r_[0, 0, video['bboxes_xywh'][0][:2]]
    with torch.no_grad():
        plain = track_video(model, video['frames'], init_xyxy).bboxes_xyxy
        paired = tool.PairedForward(model, tool.compared_network(model, 'bf16'))
        paired_path = tool.track_videos(model, videos, forward=paired)[video['name']]
        report = tool.compare_precisions(model, videos, first_frames=5, control_noise=1e-3)
    # the paired run goes on with the float32 maps: its path is the float32 one
    np.testing.assert_array_equal(paired_path, plain)
    assert len(paired.same_cell) == len(plain) - 1
    assert 'tracking_forward' not in vars(model) and '_crops_to_tensor' not in vars(model)
    assert model.test_cfg['precision'] == 'fp32' and model.tracking_precision == 'fp32'
    assert set(report['ao']) == {'fp32', 'bf16', 'fp32 + noise'}
    assert 0 <= report['same_cell'] <= 1 and report['num_frames'] == 19
    assert report['box_diff_px'][0] >= report['box_diff_px'][1] >= 0


def test_onnxruntime_fp32_network_agrees_with_pytorch_on_every_frame(tiny_benchmark):
    pytest.importorskip('onnxruntime')
    pytest.importorskip('onnxscript')
    model = init_model(CONFIG, cfg_options={'test_dataloader.dataset.data_root': tiny_benchmark})
    videos = tool.load_videos(model.cfg, max_videos=1)
    with torch.no_grad():
        report = tool.compare_precisions(model, videos, first_frames=5, compare='ort-fp32')
    # the same function within 1e-6: same cells, sub-millipixel boxes, the same trajectory
    assert report['same_cell'] == 1.0 and report['box_diff_px'][0] < 1e-3
    assert report['ao']['ort-fp32'] == pytest.approx(report['ao']['fp32'], abs=1e-4)
