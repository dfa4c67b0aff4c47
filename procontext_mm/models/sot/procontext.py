"""ProContEXT: one-stream transformer tracker with multi-scale static and dynamic templates."""
import time
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import torch
from mmdet.structures import TrackDataSample
from mmengine.logging import print_log
from torch import Tensor

from procontext_mm.registry import MODELS, build_in_scope
from procontext_mm.structures import box_crop_to_image, clip_box_xywh, crop_square
from procontext_mm.utils.precision import check_precision, resolve_precision
from ..heads.center_head import CenterHeadOutput
from ..task_modules.template_memory import build_template_memory
from .base import BaseSingleObjectTracker, check_frame, check_init_bbox


def hann_window_2d(size: int) -> Tensor:
    """(1, 1, size, size) outer product of 1-D Hann windows that are positive everywhere
    (``hann(size + 2)`` without its zero end points, the reference's "centred" window)."""
    window = torch.hann_window(size + 2, periodic=False, dtype=torch.float32)[1:-1]
    return (window[:, None] * window[None, :])[None, None]


@MODELS.register_module()
class ProContEXT(BaseSingleObjectTracker):
    """ProContEXT tracker (Lan et al., ICASSP 2023); OSTrack is the same model with a
    single static template and no update (see ``configs/ostrack``).

    Args:
        backbone (dict): One-stream ViT config (:class:`OneStreamViT`).
        head (dict): Box head config (:class:`CenterHead`).
        template_memory (dict): Template policy (:class:`TemplateMemory`): static / dynamic
            context factors, template size, update interval and threshold.
        test_cfg (dict): Tracking settings: ``search_factor`` (5.0), ``search_size`` (384),
            ``window`` (``'hann'`` or None), ``window_influence`` (1.0: the score map is
            multiplied by ``(1 - w) + w * hann``, so 1.0 is the reference's plain product with
            the Hann window and 0.0 the same as no window), ``clip_margin`` (10 px),
            ``precision`` of the tracking forward (``'fp32'``, ``'bf16'`` or ``'auto'``: bf16
            where the device multiplies bfloat16 natively; see :meth:`tracking_forward`).
        data_preprocessor (dict): :class:`SOTDataPreprocessor` config.
        train_cfg (dict, optional): Unused; the candidate-elimination keep-ratio warm-up is
            set by ``CEKeepRatioHook`` on the backbone
            (``backbone.scheduled_ce_keep_ratio``, used in training-mode forwards only).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 template_memory: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='SOTDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            # built here in this scope: mmengine's BaseModel would look it up in the root
            # registry, which finds it only when procontext_mm is the default scope
            data_preprocessor = build_in_scope(MODELS, data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = build_in_scope(MODELS, backbone)
        self.head = build_in_scope(MODELS, head)
        self.template_memory = build_template_memory(template_memory)
        self.test_cfg = dict(search_factor=5.0, search_size=self.backbone.search_size,
                             window='hann', window_influence=1.0, clip_margin=10,
                             precision='fp32')
        unknown = sorted(set(test_cfg or {}) - set(self.test_cfg))
        if unknown:  # a misspelt setting would otherwise be ignored without a word
            raise ValueError(f'Unknown test_cfg keys {unknown}; ProContEXT knows '
                             f'{sorted(self.test_cfg)}')
        self.test_cfg.update(test_cfg or {})
        self.train_cfg = train_cfg or {}
        self._check_sizes()
        search_grid = self.test_cfg['search_size'] // self.backbone.patch_size
        window = hann_window_2d(search_grid) if self.test_cfg['window'] == 'hann' else None
        influence = self.test_cfg['window_influence']
        if window is not None and influence != 1.0:  # 1.0 keeps the reference's window exactly
            window = (1.0 - influence) + influence * window
        self.register_buffer('output_window', window, persistent=False)
        #: 'fp32' or 'bf16': test_cfg.precision resolved on the model's device by init()
        self.tracking_precision: Optional[str] = None
        self._precision_resolved_for = None
        self.network_backend: Optional[Callable[[Tensor, Tensor], CenterHeadOutput]] = None
        self._reset_video_state()

    def _check_sizes(self) -> None:
        sizes = dict(backbone_search=self.backbone.search_size,
                     test_search=self.test_cfg['search_size'],
                     head_search=self.head.feat_size * self.backbone.patch_size)
        if len(set(sizes.values())) != 1:
            raise ValueError(f'Search sizes disagree: {sizes}')
        if self.template_memory.template_size != self.backbone.template_size:
            raise ValueError(f'template_memory.template_size={self.template_memory.template_size}'
                             f' but backbone.template_size={self.backbone.template_size}')
        if self.test_cfg['window'] not in ('hann', None):
            raise ValueError("test_cfg.window must be 'hann' or None, got "
                             f"{self.test_cfg['window']!r}")
        check_precision(self.test_cfg['precision'], 'test_cfg.precision')
        influence = self.test_cfg['window_influence']
        if not (isinstance(influence, (int, float)) and 0.0 <= influence <= 1.0):
            raise ValueError('test_cfg.window_influence must be a number in [0, 1], got '
                             f'{influence!r}')

    def _reset_video_state(self) -> None:
        self.state_xywh: Optional[List[float]] = None
        self.frame_index = -1
        self._template_tensor: Optional[Tensor] = None
        self._template_version = -1
        self.timings: Dict[str, float] = {}

    # ------------------------------------------------------------------ network
    def forward_crops(self, templates: Tensor, search: Tensor,
                      ce_keep_ratio: Optional[float] = None) -> CenterHeadOutput:
        """Run backbone and head on normalised crops.

        Args:
            templates (Tensor): (B, T, 3, Hz, Wz).
            search (Tensor): (B, 3, Hx, Wx).
            ce_keep_ratio (float, optional): Candidate-elimination keep ratio of this forward
                (see :meth:`OneStreamViT.forward`); None lets the backbone choose (its warm-up
                schedule in training mode, its configured ratios otherwise).

        Returns:
            CenterHeadOutput: score / offset / size maps on the search grid.
        """
        return self.head(self.backbone(templates, search, ce_keep_ratio).search_feat)

    def set_network_backend(
            self, backend: Optional[Callable[[Tensor, Tensor], CenterHeadOutput]]) -> None:
        """Let :meth:`track` run its network through ``backend`` instead of PyTorch.

        Cropping, the Hann window, decoding and the template memory stay this module's code;
        only the network call changes. Training and :meth:`forward_crops` are unaffected.

        Args:
            backend (callable, optional): (templates (1, T, 3, Hz, Wz), search (1, 3, Hx, Wx))
                -> :class:`CenterHeadOutput`, as :meth:`forward_crops` in eval mode, e.g.
                :class:`procontext_mm.deployment.OnnxRuntimeNetwork`; None restores PyTorch.
        """
        self.network_backend = backend

    def tracking_forward(self, templates: Tensor, search: Tensor) -> CenterHeadOutput:
        """The network call of :meth:`track`: the backend set by :meth:`set_network_backend`
        if any, else :meth:`forward_crops` in :attr:`tracking_precision`.

        In ``'bf16'`` the backbone runs under bfloat16 autocast: its matmuls and convolutions
        in bfloat16, while the residual stream, LayerNorm (float32 inputs stay float32 under
        CPU autocast) and the candidate-elimination ranking
        (:meth:`Attention.attention_rows`) stay float32. The head runs in float32: its
        sigmoid score map is arg-maxed, and bfloat16's 8-bit mantissa would make neighbouring
        cells tie.

        Args:
            templates (Tensor): (1, T, 3, Hz, Wz) normalised template crops.
            search (Tensor): (1, 3, Hx, Wx) normalised search crop.

        Returns:
            CenterHeadOutput: float32 score / offset / size maps on the search grid.
        """
        if self.network_backend is not None:
            return self.network_backend(templates, search)
        if self.tracking_precision != 'bf16':
            return self.forward_crops(templates, search)
        with torch.autocast(search.device.type, dtype=torch.bfloat16):
            search_feat = self.backbone(templates, search).search_feat
        return self.head(search_feat.float())

    def resolve_tracking_precision(self) -> str:
        """Resolve ``test_cfg.precision`` on the model's current device (logged when it
        changes) and return it as :attr:`tracking_precision` (``'fp32'`` or ``'bf16'``)."""
        device = next(self.parameters()).device
        key = (self.test_cfg['precision'], device)
        if key != self._precision_resolved_for:
            self.tracking_precision, reason = resolve_precision(*key)
            self._precision_resolved_for = key
            print_log(f'{type(self).__name__} tracks in {self.tracking_precision} on {device} '
                      f'({reason})', logger='current')
        return self.tracking_precision

    def _forward(self, inputs: Dict[str, Tensor], data_samples=None) -> CenterHeadOutput:
        return self.forward_crops(inputs['template'], inputs['search'][:, 0])

    def loss(self, inputs: Dict[str, Tensor], data_samples: List[TrackDataSample]) -> dict:
        """Losses of a batch (paper Eq. 5).

        Args:
            inputs (dict): ``template`` (N, T, 3, Hz, Wz) and ``search`` (N, 1, 3, Hx, Wx),
                normalised.
            data_samples (list[TrackDataSample]): per sample, T template + 1 search
                ``DetDataSample``; the last one's ``gt_instances.bboxes`` (1, 4) is the target
                in search-crop pixels, xyxy.

        Returns:
            dict[str, Tensor]: ``loss_heatmap``, ``loss_iou``, ``loss_bbox``, ``mean_iou``.

        Raises:
            ValueError: If the samples' template crops are not the ones the template memory
                gives the tracker (their number, or their context factors in order).
        """
        self._check_training_templates(data_samples[0])
        search = inputs['search'][:, 0]
        gt_xyxy = torch.stack(
            [sample[-1].gt_instances.bboxes.reshape(4) for sample in data_samples])
        gt_xyxy_norm = gt_xyxy.to(search) / search.shape[-1]
        head_out = self.forward_crops(inputs['template'], search)
        return self.head.loss(head_out, gt_xyxy_norm)

    def _check_training_templates(self, sample: TrackDataSample) -> None:
        """Training crops must be what tracking feeds the network: the memory's static then
        dynamic crops at its factors (a config whose pipeline disagrees with its
        ``template_memory`` would otherwise train a network it never tracks with)."""
        memory = self.template_memory
        expected = list(memory.static_factors + memory.dynamic_factors)
        got = [crop.metainfo.get('context_factor') for crop in sample.video_data_samples[:-1]]
        if None in got:  # samples packed without the factors: check the number only
            expected, got = len(expected), len(got)
        if got != expected:
            raise ValueError(
                f'The training samples hold template crops {got} but the template memory tracks '
                f'with {expected} (static_factors={list(memory.static_factors)}, '
                f'dynamic_factors={list(memory.dynamic_factors)}): make the training pipeline\'s '
                'crop.template_factors / sample_frames.num_dynamic agree with '
                'model.template_memory')

    # ------------------------------------------------------------------ tracking
    def _crops_to_tensor(self, crops: List[np.ndarray]) -> Tensor:
        """uint8 (H, W, 3) BGR crops -> normalised (len, 3, H, W) RGB on the model device."""
        batch = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2)
        return self.data_preprocessor.normalize(batch)

    def _templates(self) -> Tensor:
        """(1, T, 3, Hz, Wz) tensor of the memory's crops, rebuilt only when they change."""
        if self._template_version != self.template_memory.version:
            self._template_tensor = self._crops_to_tensor(self.template_memory.templates)[None]
            self._template_version = self.template_memory.version
        return self._template_tensor

    def init(self, frame: np.ndarray, bbox_xyxy) -> None:
        """Start a new video (Algorithm 1, lines 4-6): crop static and dynamic templates.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 BGR first frame.
            bbox_xyxy: (4,) initial box x1, y1, x2, y2 in pixels; must have positive size and
                overlap the image.

        Raises:
            ValueError: For a malformed frame or box.
        """
        check_frame(frame)
        bbox_xywh = check_init_bbox(bbox_xyxy, *frame.shape[:2])
        self._reset_video_state()
        self.resolve_tracking_precision()
        self.template_memory.reset(frame, bbox_xywh)
        self.state_xywh = bbox_xywh
        self.frame_index = 0

    @torch.no_grad()
    def track(self, frame: np.ndarray) -> Tuple[List[float], float]:
        """Track into the next frame (Algorithm 1, lines 8-11).

        Crops the search region around the previous box, predicts the score / offset / size
        maps, takes the arg-max of the Hann-windowed score map, maps the box back to the image
        and clips it (a target that leaves the image keeps a ``clip_margin``-pixel box on the
        border), then lets the template memory refresh the dynamic templates with the raw
        (pre-window) maximum score.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 BGR frame.

        Returns:
            tuple[list[float], float]: box x1, y1, x2, y2 in pixels and the raw max score.
        """
        if self.state_xywh is None:
            raise RuntimeError('init() must be called on the first frame before track()')
        check_frame(frame)
        self.frame_index += 1
        search_size = self.test_cfg['search_size']
        t0 = time.perf_counter()
        search_patch, region = crop_square(frame, self.state_xywh, self.test_cfg['search_factor'],
                                           search_size)
        search = self._crops_to_tensor([search_patch])
        templates = self._templates()
        t1 = time.perf_counter()
        head_out = self.tracking_forward(templates, search)
        t2 = time.perf_counter()
        raw_score = float(head_out.score_map.max())
        response = head_out.score_map
        if self.output_window is not None:
            response = response * self.output_window
        box_cxcywh_norm, _ = self.head.decode(response, head_out.offset_map, head_out.size_map)
        box_cxcywh_crop = (box_cxcywh_norm[0] * search_size).tolist()
        img_h, img_w = frame.shape[:2]
        self.state_xywh = clip_box_xywh(
            box_crop_to_image(box_cxcywh_crop, self.state_xywh, region.resize_factor, search_size),
            img_h, img_w, margin=self.test_cfg['clip_margin'])
        self.template_memory.observe(frame, self.state_xywh, self.frame_index, raw_score)
        t3 = time.perf_counter()
        self.timings = dict(crop=t1 - t0, forward=t2 - t1, post=t3 - t2)
        x1, y1, w, h = self.state_xywh
        return [x1, y1, x1 + w, y1 + h], raw_score
