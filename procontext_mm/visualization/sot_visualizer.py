"""Drawing of single-object-tracking results: box, confidence, frame index, template refreshes."""
from typing import List, Mapping, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmdet.visualization import TrackLocalVisualizer
from mmengine.structures import InstanceData
from mmengine.visualization.utils import tensor2ndarray

from procontext_mm.registry import VISUALIZERS
from procontext_mm.structures import TrackStep

RGB = Tuple[int, int, int]
#: default RGB colours: predicted boxes (one per tracker), ground truth, template refresh
PRED_COLORS: Tuple[RGB, ...] = ((40, 220, 40), (255, 140, 0), (40, 120, 255), (230, 40, 230))
GT_COLOR: RGB = (255, 255, 255)
REFRESH_COLOR: RGB = (255, 220, 0)


@VISUALIZERS.register_module()
class SOTLocalVisualizer(TrackLocalVisualizer):
    """mmdet's tracking visualizer for single-object trackers.

    mmdet's :class:`TrackLocalVisualizer` draws multi-object tracks (it needs ``labels`` and
    ``instances_id``); this subclass also draws SOT predictions, which hold only ``bboxes`` and
    ``scores``, so ``add_datasample`` works on the frames returned by
    :func:`procontext_mm.apis.inference_sot` (give it ``pred_score_thr=-np.inf``: the initial
    frame has score -1, and an SOT box is never to be filtered out).

    :meth:`draw_sot_frame` draws a whole demo frame: the predicted box(es) with their
    confidence, an optional ground-truth box, the frame index, a banner and a frame border
    where the dynamic templates were refreshed, and a strip of the current template crops in
    the bottom-right corner.

    Args:
        name (str): Instance name. Defaults to 'sot_visualizer'.
        image (np.ndarray, optional): (H, W, 3) RGB image to draw on. Defaults to None.
        vis_backends (list[dict], optional): Visual backend configs. Defaults to None.
        save_dir (str, optional): Save directory of the backends. Defaults to None.
        line_width (float): Width of the box lines in pixels. Defaults to 2.
        alpha (float): Opacity of the box lines. Defaults to 1.0 (exact colours).
        pred_colors (Sequence[tuple]): RGB colours of the predicted boxes, one per tracker
            (cycled). Defaults to green, orange, blue, magenta.
        gt_color (tuple): RGB colour of the dashed ground-truth box. Defaults to white.
        refresh_color (tuple): RGB colour of the refresh banner and frame border.
            Defaults to yellow (255, 220, 0).
        template_size (int, optional): Side in pixels of a template thumbnail; None picks a
            fifth of the shorter image side, between 24 and 96. Defaults to None.
    """

    def __init__(self,
                 name: str = 'sot_visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[list] = None,
                 save_dir: Optional[str] = None,
                 line_width: float = 2,
                 alpha: float = 1.0,
                 pred_colors: Sequence[RGB] = PRED_COLORS,
                 gt_color: RGB = GT_COLOR,
                 refresh_color: RGB = REFRESH_COLOR,
                 template_size: Optional[int] = None) -> None:
        super().__init__(name, image, vis_backends, save_dir, line_width, alpha)
        if not pred_colors:
            raise ValueError('pred_colors must hold at least one colour')
        self.pred_colors = [tuple(int(c) for c in color) for color in pred_colors]
        self.gt_color = tuple(gt_color)
        self.refresh_color = tuple(refresh_color)
        self.template_size = template_size

    # ------------------------------------------------------------------ helpers
    def _points(self, pixels: float) -> float:
        """matplotlib line widths are in points; convert from pixels at the canvas dpi."""
        return pixels * 72. / self.dpi

    def _clip_boxes(self, bboxes_xyxy: np.ndarray) -> np.ndarray:
        """Clip (N, 4) xyxy boxes to the current image (the parts outside are not visible)."""
        bboxes = np.asarray(bboxes_xyxy, dtype=np.float64).reshape(-1, 4).copy()
        # mmengine warns unless 0 <= x < width and 0 <= y < height
        bboxes[:, 0::2] = bboxes[:, 0::2].clip(0, self.width - 1e-2)
        bboxes[:, 1::2] = bboxes[:, 1::2].clip(0, self.height - 1e-2)
        return bboxes

    def _label(self, text: str, x: float, y: float, color: RGB, font_size: float,
               align: str = 'left', valign: str = 'top', text_color='black') -> None:
        """Text on a filled box whose anchor is kept inside the image."""
        position = np.array([min(max(x, 0.), self.width - 1.), min(max(y, 0.), self.height - 1.)])
        self.draw_texts(text, position, colors=text_color, font_sizes=font_size,
                        horizontal_alignments=align, vertical_alignments=valign,
                        bboxes=dict(facecolor=[c / 255 for c in color], alpha=0.85, pad=0.6,
                                    edgecolor='none'))

    def _draw_boxes_with_text(self, bboxes_xyxy: np.ndarray, texts: Sequence[str],
                              colors: Sequence[RGB]) -> None:
        """Boxes in their colours, each text (if any) above its box (inside it at the top of
        the image)."""
        bboxes = self._clip_boxes(bboxes_xyxy)
        if not len(bboxes):
            return
        self.draw_bboxes(bboxes, edge_colors=list(colors), alpha=self.alpha,
                         line_widths=self._points(self.line_width))
        font_size = max(self._default_font_size * 0.8, 7)
        line_px = 1.5 * font_size * self.dpi / 72  # height of a label, pixels
        for rank, ((x1, y1, _, _), text, color) in enumerate(zip(bboxes, texts, colors)):
            if not text:
                continue
            # labels of several trackers are stacked, so that equal boxes stay readable
            above = y1 > (rank + 1) * line_px + self.line_width
            y = (y1 - self.line_width - rank * line_px if above else
                 y1 + self.line_width + rank * line_px)
            self._label(text, x1, y, color, font_size, valign='bottom' if above else 'top')

    def _paste_templates(self, image_rgb: np.ndarray,
                         templates_bgr: Sequence[np.ndarray]) -> List[Tuple[int, int, int, int]]:
        """Paste the template crops, in place, as a row of thumbnails in the bottom-right
        corner (none if the image is too small for 8-pixel thumbnails).

        Returns:
            list[tuple]: the (x1, y1, x2, y2) pixel box of each thumbnail.
        """
        height, width = image_rgb.shape[:2]
        gap = 2
        size = self.template_size or int(np.clip(min(height, width) // 5, 24, 96))
        size = min(size, (width // 2 - gap) // len(templates_bgr) - gap, height // 3)
        if size < 8:
            return []
        y2 = height - gap
        x2 = width - gap
        x1 = x2 - len(templates_bgr) * (size + gap) + gap
        image_rgb[y2 - size - gap:, x1 - gap:] = 0  # dark plate behind the strip
        slots = []
        for index, crop in enumerate(templates_bgr):
            left = x1 + index * (size + gap)
            thumb = cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
            image_rgb[y2 - size:y2, left:left + size] = thumb[..., ::-1]
            slots.append((left, y2 - size, left + size, y2))
        return slots

    # ------------------------------------------------------------------ drawing
    def draw_sot_frame(self,
                       image_bgr: np.ndarray,
                       frame_index: int,
                       bboxes_xyxy,
                       scores,
                       refreshed: Optional[Sequence[bool]] = None,
                       names: Optional[Sequence[str]] = None,
                       gt_bbox_xyxy=None,
                       templates: Optional[Sequence[np.ndarray]] = None,
                       template_labels: Optional[Sequence[str]] = None,
                       status_text: Optional[str] = None) -> np.ndarray:
        """Draw one frame of a tracked video.

        Args:
            image_bgr (np.ndarray): (H, W, 3) uint8 BGR frame.
            frame_index (int): 0-based index of the frame, written top-left; on frame 0 the
                boxes are labelled ``init`` instead of a confidence.
            bboxes_xyxy: (K, 4) or (4,) predicted boxes x1, y1, x2, y2 in pixels, one per
                tracker.
            scores: (K,) confidences of the boxes.
            refreshed (Sequence[bool], optional): (K,) whether each tracker refreshed its
                dynamic templates on this frame; any True draws the refresh banner and a
                border painted over everything at the image edges. Defaults to none.
            names (Sequence[str], optional): (K,) tracker names put before the confidences
                (and in the banner). Defaults to no names.
            gt_bbox_xyxy (optional): (4,) ground-truth box x1, y1, x2, y2 in pixels, drawn
                dashed; None or non-finite values draw nothing.
            templates (Sequence[np.ndarray], optional): Current template crops, uint8
                (h, w, 3) BGR, shown as thumbnails in the bottom-right corner.
            template_labels (Sequence[str], optional): A short label per template crop
                (e.g. ``'S2'`` for the static crop of factor 2).
            status_text (str, optional): A line written top-right, white on black like the
                frame index (the live demo's tracking speed, e.g. ``'24.3 FPS'``).

        Returns:
            np.ndarray: (H, W, 3) uint8 BGR drawn frame.

        Raises:
            ValueError: If the numbers of boxes, scores, flags and names disagree.
        """
        bboxes = np.asarray(bboxes_xyxy, dtype=np.float64).reshape(-1, 4)
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        num = len(bboxes)
        refreshed = [False] * num if refreshed is None else [bool(r) for r in refreshed]
        lengths = dict(bboxes=num, scores=len(scores), refreshed=len(refreshed))
        if names is not None:
            lengths['names'] = len(names)
        if len(set(lengths.values())) != 1:
            raise ValueError(f'One box, score, refresh flag and name per tracker: got {lengths}')

        image_rgb = image_bgr[..., ::-1].copy()
        slots = []
        if templates:
            slots = self._paste_templates(image_rgb, templates)
        border = max(3, round(min(image_rgb.shape[:2]) / 60))
        self.set_image(image_rgb)
        font_size = self._default_font_size

        if any(refreshed):
            who = [n for n, r in zip(names or [], refreshed) if r]
            banner = 'dynamic templates refreshed' + (f' ({", ".join(who)})' if who else '')
            # right above the template thumbnails (bottom-right corner without them)
            bottom = min(y1 for _, y1, _, _ in slots) - 4 if slots else self.height - border - 2
            # shrink the text if it would not fit (a character is about 0.6 font size wide)
            fit = (self.width - 2 * border - 8) / (0.6 * len(banner) * self.dpi / 72)
            self._label(banner, self.width - border - 2, bottom, self.refresh_color,
                        min(font_size, fit), align='right', valign='bottom')
        if gt_bbox_xyxy is not None and np.isfinite(np.asarray(gt_bbox_xyxy, float)).all():
            self.draw_bboxes(self._clip_boxes(gt_bbox_xyxy), edge_colors=[self.gt_color],
                             line_styles='--', alpha=1.0,
                             line_widths=self._points(max(1., self.line_width / 2)))

        colors = [self.pred_colors[i % len(self.pred_colors)] for i in range(num)]
        values = ['init' if frame_index == 0 else f'{s:.2f}' for s in scores]
        texts = values if names is None else [f'{n} {v}' for n, v in zip(names, values)]
        self._draw_boxes_with_text(bboxes, texts, colors)

        self._label(f'#{frame_index}', border + 2, border + 2, (0, 0, 0), font_size,
                    text_color='white')
        if status_text:
            # right of the frame index, shrunk if it would not fit (a character is about 0.6
            # font size wide)
            char_px = 0.6 * self.dpi / 72
            free_px = self.width - 2 * border - 12 - char_px * font_size * len(f'#{frame_index}')
            self._label(status_text, self.width - border - 2, border + 2, (0, 0, 0),
                        min(font_size, free_px / (char_px * len(status_text))), align='right',
                        text_color='white')
        if slots and template_labels is not None and slots[0][2] - slots[0][0] >= 32:
            for (x1, y1, _, _), label in zip(slots, template_labels):
                self._label(label, x1, y1, (0, 0, 0), max(font_size * 0.6, 6),
                            text_color='white')
        drawn_rgb = self.get_image()
        if any(refreshed):  # a frame of the refresh colour around the image, above all
            for edge in (np.s_[:border], np.s_[-border:], np.s_[:, :border], np.s_[:, -border:]):
                drawn_rgb[edge] = self.refresh_color
        return np.ascontiguousarray(drawn_rgb[..., ::-1])

    def draw_track_steps(self,
                         image_bgr: np.ndarray,
                         steps: Mapping[Optional[str], TrackStep],
                         gt_bbox_xyxy=None,
                         template_labels: Optional[Sequence[str]] = None,
                         status_text: Optional[str] = None) -> np.ndarray:
        """Draw what one or several trackers did on a frame (:meth:`draw_sot_frame`).

        Args:
            image_bgr (np.ndarray): (H, W, 3) uint8 BGR frame.
            steps (Mapping): Tracker name (None: a single unnamed tracker) -> its
                :class:`~procontext_mm.structures.TrackStep` on the frame. The first step
                holding templates gives the template strip.
            gt_bbox_xyxy (optional): (4,) ground truth x1, y1, x2, y2 in pixels (NaN: none).
            template_labels (Sequence[str], optional): Labels of the template crops.
            status_text (str, optional): A line written top-right (e.g. the speed).

        Returns:
            np.ndarray: (H, W, 3) uint8 BGR drawn frame.
        """
        names = list(steps)
        templates = next((s.templates for s in steps.values() if s.templates is not None), None)
        first = steps[names[0]]
        return self.draw_sot_frame(
            image_bgr, first.index, [s.bbox_xyxy for s in steps.values()],
            [s.score for s in steps.values()], [s.refreshed for s in steps.values()],
            names=None if names == [None] else [str(n) for n in names],
            gt_bbox_xyxy=gt_bbox_xyxy, templates=templates, template_labels=template_labels,
            status_text=status_text)

    def _draw_instances(self, image: np.ndarray, instances: InstanceData) -> np.ndarray:
        """Draw instances on an RGB image (used by ``add_datasample``).

        Multi-object tracks (with ``instances_id``) are drawn by mmdet; SOT predictions
        (``bboxes`` (K, 4) xyxy pixels, optional ``scores`` (K,)) as boxes with confidences.

        Returns:
            np.ndarray: the drawn image, RGB.
        """
        if 'instances_id' in instances:
            return super()._draw_instances(image, instances)
        self.set_image(image)
        if 'bboxes' in instances:
            bboxes = tensor2ndarray(instances.bboxes).reshape(-1, 4)
            scores = tensor2ndarray(instances.scores).reshape(-1) if 'scores' in instances \
                else None
            texts = ([''] * len(bboxes) if scores is None else
                     ['init' if s < 0 else f'{s:.2f}' for s in scores])
            colors = [self.pred_colors[i % len(self.pred_colors)] for i in range(len(bboxes))]
            self._draw_boxes_with_text(bboxes, texts, colors)
        return self.get_image()
