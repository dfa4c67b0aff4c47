"""Centre-based box head (score / offset / size maps) and its training loss (paper Eq. 2-5)."""
from typing import Dict, NamedTuple, Optional

import torch
from mmcv.cnn import ConvModule
from mmdet.models.utils.gaussian_target import gen_gaussian_target
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from mmengine.model import BaseModule
from torch import Tensor, nn

from procontext_mm.registry import MODELS, build_in_scope

BRANCHES = ('ctr', 'offset', 'size')


class CenterHeadOutput(NamedTuple):
    """Maps predicted on the search grid (H = W = search_size / stride).

    Attributes:
        score_map (Tensor): (B, 1, H, W) target-centre probability, in [1e-4, 1 - 1e-4].
        offset_map (Tensor): (B, 2, H, W) sub-cell offset (x, y) of the centre, grid units.
        size_map (Tensor): (B, 2, H, W) box (w, h) normalised by the search size, in
            [1e-4, 1 - 1e-4].
    """
    score_map: Tensor
    offset_map: Tensor
    size_map: Tensor


def clamped_sigmoid(x: Tensor) -> Tensor:
    """Sigmoid clamped to [1e-4, 1 - 1e-4] (keeps the focal loss finite)."""
    return x.sigmoid().clamp(min=1e-4, max=1 - 1e-4)


def centernet_radius(box_wh: Tensor, min_overlap: float = 0.7) -> Tensor:
    """Gaussian radius of CenterNet targets, in the variant OSTrack / ProContEXT train with.

    It is CornerNet's radius with every root divided by 2 instead of 2a (the "bug version"
    the reference keeps); mmdet's ``gaussian_radius`` is the corrected one, so we do not
    reuse it: the targets would differ from those the released weights were trained on.

    Args:
        box_wh (Tensor): (N, 2) box width and height in grid cells.
        min_overlap (float): Minimum IoU of a box shifted within the radius. Defaults to 0.7.

    Returns:
        Tensor: (N,) radius (float, not yet truncated).
    """
    width, height = box_wh[..., 0], box_wh[..., 1]
    b1 = height + width
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + torch.sqrt(b1**2 - 4 * c1)) / 2
    b2 = 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    r2 = (b2 + torch.sqrt(b2**2 - 16 * c2)) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    r3 = (b3 + torch.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return torch.min(r1, torch.min(r2, r3))


@MODELS.register_module()
class CenterHead(BaseModule):
    """Three conv branches on the search feature map: centre score, offset and size.

    Each branch: 4 x (conv3x3 + BN + ReLU) with channels C -> c -> c/2 -> c/4 -> c/8, then a
    1x1 conv to 1 (score), 2 (offset) or 2 (size) channels; score and size go through
    :func:`clamped_sigmoid`.

    Args:
        in_channels (int): Channels of the search feature map. Defaults to 768.
        feat_channels (int): Channels of the first conv (c). Defaults to 256.
        search_size (int): Search crop side in pixels. Defaults to 384.
        stride (int): Pixels per feature cell. Defaults to 16.
        loss_heatmap (dict): Focal loss on the score map. Defaults to mmdet's
            GaussianFocalLoss (alpha 2, gamma (= the paper's beta) 4).
        loss_iou (dict): Box IoU loss. Defaults to mmdet's GIoULoss, weight 2.
        loss_bbox (dict): Box L1 loss. Defaults to mmdet's L1Loss, weight 5.
        heatmap_min_overlap (float): CenterNet radius parameter. Defaults to 0.7.
        box_loss_at (str): Cell whose box the GIoU / L1 losses compare with the ground truth:
            ``'pred_peak'`` (arg-max of the predicted score map; the reference's) or
            ``'gt_centre'`` (the ground-truth centre cell, CenterNet's convention). While the
            score map is still poor, the arg-max box is rewarded for growing towards a target
            elsewhere, so a model trained from scratch for a short time learns over-sized
            boxes with ``'pred_peak'``. Defaults to ``'pred_peak'``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 768,
                 feat_channels: int = 256,
                 search_size: int = 384,
                 stride: int = 16,
                 loss_heatmap: dict = dict(type='mmdet.GaussianFocalLoss', alpha=2.0,
                                           gamma=4.0, loss_weight=1.0),
                 loss_iou: dict = dict(type='mmdet.GIoULoss', loss_weight=2.0),
                 loss_bbox: dict = dict(type='mmdet.L1Loss', loss_weight=5.0),
                 heatmap_min_overlap: float = 0.7,
                 box_loss_at: str = 'pred_peak',
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if search_size % stride:
            raise ValueError(f'search_size={search_size} is not a multiple of stride={stride}')
        if box_loss_at not in ('pred_peak', 'gt_centre'):
            raise ValueError(f"box_loss_at must be 'pred_peak' or 'gt_centre', got {box_loss_at!r}")
        self.box_loss_at = box_loss_at
        self.feat_size = search_size // stride
        self.heatmap_min_overlap = heatmap_min_overlap
        channels = [in_channels] + [feat_channels // 2**i for i in range(4)]
        out_channels = dict(ctr=1, offset=2, size=2)
        for branch in BRANCHES:
            for i in range(4):
                self.add_module(
                    f'conv{i + 1}_{branch}',
                    ConvModule(channels[i], channels[i + 1], 3, padding=1, bias=True,
                               norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')))
            self.add_module(f'conv5_{branch}', nn.Conv2d(channels[4], out_channels[branch], 1))
        self.loss_heatmap = build_in_scope(MODELS, loss_heatmap)
        self.loss_iou = build_in_scope(MODELS, loss_iou)
        self.loss_bbox = build_in_scope(MODELS, loss_bbox)
        self._xavier_init()

    def _xavier_init(self) -> None:
        # the reference's init; ConvModule's own (Kaiming) would be applied otherwise
        for param in self.parameters():
            if param.dim() > 1:
                nn.init.xavier_uniform_(param)

    def init_weights(self) -> None:
        super().init_weights()
        if not (isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained'):
            self._xavier_init()

    def _branch(self, x: Tensor, branch: str) -> Tensor:
        for i in range(1, 6):
            x = getattr(self, f'conv{i}_{branch}')(x)
        return x

    def forward(self, search_feat: Tensor) -> CenterHeadOutput:
        """Predict the three maps.

        Args:
            search_feat (Tensor): (B, C, H, W) search feature map.

        Returns:
            CenterHeadOutput: score, offset and size maps.
        """
        return CenterHeadOutput(
            score_map=clamped_sigmoid(self._branch(search_feat, 'ctr')),
            offset_map=self._branch(search_feat, 'offset'),
            size_map=clamped_sigmoid(self._branch(search_feat, 'size')))

    def decode(self, score_map: Tensor, offset_map: Tensor, size_map: Tensor):
        """Box at the arg-max cell of ``score_map`` (paper Eq. 4) and the max score (Eq. 6).

        Args:
            score_map (Tensor): (B, 1, H, W) map to take the arg-max of (the raw score map,
                or the score map times a window at tracking time).
            offset_map (Tensor): (B, 2, H, W).
            size_map (Tensor): (B, 2, H, W).

        Returns:
            tuple[Tensor, Tensor]: (B, 4) boxes cx, cy, w, h normalised by the search size,
            and (B,) maximum of ``score_map``.
        """
        max_score, index = score_map.flatten(1).max(dim=1, keepdim=True)
        return self.decode_at(index, offset_map, size_map), max_score.squeeze(1)

    def decode_at(self, index: Tensor, offset_map: Tensor, size_map: Tensor) -> Tensor:
        """Boxes at given cells of the maps.

        Args:
            index (Tensor): (B, 1) long, flat cell index ``y * W + x``.
            offset_map (Tensor): (B, 2, H, W).
            size_map (Tensor): (B, 2, H, W).

        Returns:
            Tensor: (B, 4) boxes cx, cy, w, h normalised by the search size.
        """
        index_y = torch.div(index, self.feat_size, rounding_mode='floor')
        index_x = index % self.feat_size
        gather_index = index.unsqueeze(1).expand(-1, 2, 1)
        size = size_map.flatten(2).gather(2, gather_index).squeeze(-1)
        offset = offset_map.flatten(2).gather(2, gather_index).squeeze(-1)
        centre = (torch.cat([index_x, index_y], dim=1).to(offset.dtype) + offset) / self.feat_size
        return torch.cat([centre, size], dim=1)

    def centre_cells(self, gt_bboxes_xyxy_norm: Tensor) -> Tensor:
        """(B, 4) normalised x1, y1, x2, y2 -> (B, 2) long (x, y) cells of the heat-map peaks."""
        boxes = gt_bboxes_xyxy_norm * self.feat_size
        return ((boxes[:, :2] + boxes[:, 2:]) / 2).round().long()

    def heatmap_targets(self, gt_bboxes_xyxy_norm: Tensor) -> Tensor:
        """CenterNet Gaussian heat-maps of the ground-truth boxes (paper Eq. 2).

        The peak sits at the rounded box centre in grid cells; the radius is
        :func:`centernet_radius` truncated to an integer. A centre outside the grid gives an
        empty map (such samples are rejected by the data pipeline).

        Args:
            gt_bboxes_xyxy_norm (Tensor): (B, 4) boxes x1, y1, x2, y2 normalised by the search
                size.

        Returns:
            Tensor: (B, 1, H, W) heat-maps in [0, 1] with value 1 at each centre.
        """
        wh = (gt_bboxes_xyxy_norm[:, 2:] - gt_bboxes_xyxy_norm[:, :2]) * self.feat_size
        centres = self.centre_cells(gt_bboxes_xyxy_norm).tolist()
        radii = centernet_radius(wh, self.heatmap_min_overlap).clamp(min=0).int().tolist()
        heatmaps = wh.new_zeros(len(wh), 1, self.feat_size, self.feat_size)
        for heatmap, (cx, cy), radius in zip(heatmaps, centres, radii):
            if 0 <= cx < self.feat_size and 0 <= cy < self.feat_size:
                gen_gaussian_target(heatmap[0], (cx, cy), radius)
        return heatmaps

    def loss(self, head_out: CenterHeadOutput, gt_bboxes_xyxy_norm: Tensor) -> Dict[str, Tensor]:
        """Paper Eq. 5: focal loss on the score map + GIoU + L1 on the decoded box.

        The focal loss is summed over the map and divided by the number of peaks (at least
        one), the reference's normalisation. Box losses compare the box decoded at
        ``box_loss_at`` (by default the arg-max of the predicted score map) with the ground
        truth clamped to [0, 1].

        Args:
            head_out (CenterHeadOutput): Predicted maps.
            gt_bboxes_xyxy_norm (Tensor): (B, 4) ground truth, x1, y1, x2, y2 normalised by
                the search size.

        Returns:
            dict[str, Tensor]: ``loss_heatmap``, ``loss_iou``, ``loss_bbox`` (weighted) and
            ``mean_iou`` of the decoded boxes (logged, not optimised).
        """
        heatmap = self.heatmap_targets(gt_bboxes_xyxy_norm)
        num_peaks = max(int(heatmap.eq(1).sum()), 1)
        loss_heatmap = self.loss_heatmap(head_out.score_map, heatmap, avg_factor=num_peaks)
        if self.box_loss_at == 'pred_peak':
            pred_cxcywh, _ = self.decode(*head_out)
        else:
            cells = self.centre_cells(gt_bboxes_xyxy_norm).clamp(0, self.feat_size - 1)
            index = (cells[:, 1] * self.feat_size + cells[:, 0]).unsqueeze(1)
            pred_cxcywh = self.decode_at(index, head_out.offset_map, head_out.size_map)
        pred_xyxy = bbox_cxcywh_to_xyxy(pred_cxcywh)
        gt_xyxy = gt_bboxes_xyxy_norm.clamp(min=0., max=1.)
        with torch.no_grad():
            mean_iou = bbox_overlaps(pred_xyxy, gt_xyxy, is_aligned=True).mean()
        return dict(
            loss_heatmap=loss_heatmap,
            loss_iou=self.loss_iou(pred_xyxy, gt_xyxy),
            loss_bbox=self.loss_bbox(pred_xyxy, gt_xyxy),
            mean_iou=mean_iou)
