import math

import numpy as np
import pytest
import torch

from procontext_mm.models.heads import CenterHead, CenterHeadOutput, centernet_radius


def _head(**kwargs):
    torch.manual_seed(0)
    return CenterHead(in_channels=32, feat_channels=32, search_size=128, stride=16, **kwargs)


def test_forward_shapes_and_ranges():
    head = _head().eval()
    out = head(torch.randn(2, 32, 8, 8) * 10)
    assert out.score_map.shape == (2, 1, 8, 8)
    assert out.offset_map.shape == (2, 2, 8, 8)
    assert out.size_map.shape == (2, 2, 8, 8)
    for m in (out.score_map, out.size_map):
        assert m.min() >= 1e-4 and m.max() <= 1 - 1e-4


def test_state_dict_layout_matches_the_reference_after_renaming():
    keys = _head().state_dict().keys()
    assert 'conv1_ctr.conv.weight' in keys and 'conv1_ctr.conv.bias' in keys  # conv keeps bias
    assert 'conv4_size.bn.running_var' in keys and 'conv5_offset.weight' in keys
    assert len(keys) == 3 * (4 * 7 + 2)  # 90 keys, as box_head.* of the reference


def test_decode_takes_argmax_cell_plus_offset_and_size():
    head = _head()
    score = torch.zeros(1, 1, 8, 8)
    score[0, 0, 5, 2] = 0.9  # row 5 (y), column 2 (x)
    offset = torch.zeros(1, 2, 8, 8)
    offset[0, :, 5, 2] = torch.tensor([0.25, 0.5])
    size = torch.full((1, 2, 8, 8), 0.1)
    size[0, :, 5, 2] = torch.tensor([0.3, 0.2])
    box, max_score = head.decode(score, offset, size)
    torch.testing.assert_close(box, torch.tensor([[(2 + 0.25) / 8, (5 + 0.5) / 8, 0.3, 0.2]]))
    torch.testing.assert_close(max_score, torch.tensor([0.9]))


def _reference_radius(w, h, o=0.7):
    """CornerNet radius with the roots divided by 2 (written independently for the test)."""
    r1 = ((h + w) + math.sqrt((h + w)**2 - 4 * w * h * (1 - o) / (1 + o))) / 2
    r2 = (2 * (h + w) + math.sqrt(4 * (h + w)**2 - 16 * (1 - o) * w * h)) / 2
    r3 = (-2 * o * (h + w) + math.sqrt(4 * o * o * (h + w)**2 - 16 * o * (o - 1) * w * h)) / 2
    return min(r1, r2, r3)


@pytest.mark.parametrize('w, h', [(2.0, 3.0), (0.5, 0.5), (4.0, 1.0)])
def test_centernet_radius(w, h):
    value = centernet_radius(torch.tensor([[w, h]]))[0].item()
    assert value == pytest.approx(_reference_radius(w, h), rel=1e-6)


def test_heatmap_target_hand_computed():
    head = _head()
    # box centre (3.5, 2.5) cells -> rounds to (4, 2) (half to even); w = h = 3 cells
    gt = torch.tensor([[2.0, 1.0, 5.0, 4.0]]) / 8
    heatmap = head.heatmap_targets(gt)[0, 0]
    radius = int(_reference_radius(3.0, 3.0))
    sigma = (2 * radius + 1) / 6
    ys, xs = np.mgrid[0:8, 0:8]
    expected = np.exp(-((xs - 4)**2 + (ys - 2)**2) / (2 * sigma**2))
    expected[(abs(xs - 4) > radius) | (abs(ys - 2) > radius)] = 0
    np.testing.assert_allclose(heatmap.numpy(), expected, atol=1e-6)
    assert heatmap[2, 4] == 1


def test_heatmap_centre_outside_grid_gives_empty_map():
    head = _head()
    assert head.heatmap_targets(torch.tensor([[1.1, 1.1, 1.3, 1.3]])).sum() == 0


def _reference_losses(score, gt_heatmap, pred_xyxy, gt_xyxy):
    """Eq. 3 / 5 written out by hand (focal normalised by the number of peaks)."""
    pos = gt_heatmap.eq(1).float()
    neg = gt_heatmap.lt(1).float()
    pos_loss = (torch.log(score) * (1 - score)**2 * pos).sum()
    neg_loss = (torch.log(1 - score) * score**2 * (1 - gt_heatmap)**4 * neg).sum()
    focal = -(pos_loss + neg_loss) / max(pos.sum().item(), 1)
    lt = torch.max(pred_xyxy[:, :2], gt_xyxy[:, :2])
    rb = torch.min(pred_xyxy[:, 2:], gt_xyxy[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(1)
    area = lambda b: (b[:, 2:] - b[:, :2]).prod(1)  # noqa: E731
    union = area(pred_xyxy) + area(gt_xyxy) - inter
    enclose = (torch.max(pred_xyxy[:, 2:], gt_xyxy[:, 2:]) -
               torch.min(pred_xyxy[:, :2], gt_xyxy[:, :2])).prod(1)
    giou = inter / union - (enclose - union) / enclose
    return focal, (1 - giou).mean(), (pred_xyxy - gt_xyxy).abs().mean()


def test_loss_equals_hand_computed_eq5():
    head = _head()
    gen = torch.Generator().manual_seed(0)
    out = CenterHeadOutput(
        score_map=torch.rand(2, 1, 8, 8, generator=gen).clamp(1e-4, 1 - 1e-4),
        offset_map=torch.rand(2, 2, 8, 8, generator=gen),
        size_map=torch.rand(2, 2, 8, 8, generator=gen).clamp(0.05, 0.5))
    gt = torch.tensor([[0.30, 0.35, 0.55, 0.60], [0.10, 0.50, 0.40, 0.95]])
    losses = head.loss(out, gt)
    pred_cxcywh, _ = head.decode(*out)
    pred_xyxy = torch.cat([pred_cxcywh[:, :2] - pred_cxcywh[:, 2:] / 2,
                           pred_cxcywh[:, :2] + pred_cxcywh[:, 2:] / 2], 1)
    focal, giou, l1 = _reference_losses(out.score_map, head.heatmap_targets(gt), pred_xyxy, gt)
    assert losses['loss_heatmap'].item() == pytest.approx(focal.item(), rel=1e-5)
    assert losses['loss_iou'].item() == pytest.approx(2 * giou.item(), rel=1e-5)
    assert losses['loss_bbox'].item() == pytest.approx(5 * l1.item(), rel=1e-6)


def test_loss_backpropagates_to_all_branches():
    head = _head()
    feat = torch.randn(2, 32, 8, 8, requires_grad=True)
    losses = head.loss(head(feat), torch.tensor([[0.3, 0.3, 0.6, 0.7], [0.2, 0.1, 0.5, 0.4]]))
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    for branch in ('ctr', 'offset', 'size'):
        assert getattr(head, f'conv5_{branch}').weight.grad.abs().sum() > 0


def test_box_loss_at_gt_centre_uses_the_ground_truth_peak_cell():
    head = _head(box_loss_at='gt_centre')
    gt = torch.tensor([[0.30, 0.35, 0.55, 0.60]])  # centre (0.425, 0.475) -> cell x 3, y 4
    score = torch.full((1, 1, 8, 8), 0.01)
    score[0, 0, 0, 7] = 0.99  # the predicted peak is elsewhere: it must not be used
    offset = torch.zeros(1, 2, 8, 8)
    offset[0, :, 4, 3] = torch.tensor([0.4, -0.2])
    size = torch.full((1, 2, 8, 8), 0.9)
    size[0, :, 4, 3] = torch.tensor([0.25, 0.25])
    losses = head.loss(CenterHeadOutput(score, offset, size), gt)
    cx, cy = (3 + 0.4) / 8, (4 - 0.2) / 8
    pred_xyxy = torch.tensor([[cx - 0.125, cy - 0.125, cx + 0.125, cy + 0.125]])
    _, giou, l1 = _reference_losses(score, head.heatmap_targets(gt), pred_xyxy, gt)
    assert losses['loss_iou'].item() == pytest.approx(2 * giou.item(), rel=1e-5)
    assert losses['loss_bbox'].item() == pytest.approx(5 * l1.item(), rel=1e-6)
    # the heat-map peak is that cell
    assert head.heatmap_targets(gt)[0, 0, 4, 3] == 1
    # the default ('pred_peak') decodes the (0, 7) cell instead: a size of 0.9
    default = _head().loss(CenterHeadOutput(score, offset, size), gt)
    assert default['loss_bbox'].item() > losses['loss_bbox'].item()


def test_box_loss_at_must_be_known():
    with pytest.raises(ValueError, match="box_loss_at must be 'pred_peak' or 'gt_centre'"):
        _head(box_loss_at='centre')
