"""COCO as single-object tracking data: every instance is a one-frame video."""
import os.path as osp
from typing import List

import numpy as np
from mmdet.datasets.api_wrappers import COCO
from mmengine.logging import print_log

from procontext_mm.registry import DATASETS
from .annotation_parsers import AnnotationError, escape_braces
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex


@DATASETS.register_module()
class SOTCocoDataset(BaseSOTDataset):
    """COCO (e.g. 2017) instances as one-frame "videos" for SOT training.

    The official instances file (``annotations/instances_train2017.json``) is read with mmdet's
    COCO API. Each annotation that is not ``iscrowd`` (nor ``ignore``) becomes one video of one
    frame: ``video_name`` is ``<image file stem>_<annotation id>``, ``frame_path_template`` the
    image path (no placeholder), ``first_frame_index`` 0, ``bboxes_xywh`` (1, 4) the
    annotation's ``bbox`` (x, y, w, h pixels), ``visible`` True. The image ``width`` / ``height``
    of the file are used to reject boxes outside the image. Crowd annotations are skipped and
    counted in the log.

    The ProContEXT authors use only boxes larger than 50 px on both sides: pass
    ``bbox_min_size=50`` to do the same (smaller instances are then dropped from training).

    Per-video extras (scalars in the data info): ``category_id`` int32,
    ``image_id`` int64, ``ann_id`` int64.

    Args:
        ann_file (str): Instances json (relative to ``data_root`` or absolute).
        data_prefix (dict): ``img_path``: image folder (relative to ``data_root``).
            Defaults to ``dict(img_path='train2017/')``.
        **kwargs: See :class:`BaseSOTDataset`.
    """

    def __init__(self,
                 ann_file: str = 'annotations/instances_train2017.json',
                 data_prefix: dict = dict(img_path='train2017/'),
                 **kwargs) -> None:
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def _annotation_files(self, sequences: list) -> List[str]:
        return [self.ann_file]

    def _build_index(self, sequences: list) -> SOTIndex:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'annotation file not found: {self.ann_file}')
        coco = COCO(self.ann_file)
        img_prefix = self.data_prefix.get('img_path', '') or ''
        names, templates, boxes, sizes = [], [], [], []
        cat_ids, img_ids, ann_ids = [], [], []
        num_crowd = 0
        for ann_id in sorted(coco.anns):
            ann = coco.anns[ann_id]
            if ann.get('iscrowd', 0) or ann.get('ignore', False):
                num_crowd += 1
                continue
            bbox = ann.get('bbox')
            if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
                raise AnnotationError(f'{self.ann_file}: annotation id {ann_id}: "bbox" must be '
                                      f'[x, y, w, h], got {bbox!r}')
            img = coco.imgs.get(ann.get('image_id'))
            if img is None:
                raise AnnotationError(f'{self.ann_file}: annotation id {ann_id} refers to '
                                      f'image id {ann.get("image_id")!r}, which is not listed')
            img_path = osp.join(img_prefix, img['file_name'])
            if self.data_root:
                img_path = osp.relpath(img_path, self.data_root)
            names.append(f'{osp.splitext(osp.basename(img["file_name"]))[0]}_{ann_id}')
            templates.append(escape_braces(img_path))
            boxes.append(bbox)
            sizes.append((img.get('width', -1), img.get('height', -1)))
            cat_ids.append(ann.get('category_id', -1))
            img_ids.append(img['id'])
            ann_ids.append(ann_id)
        if num_crowd:
            print_log(f'SOTCocoDataset: {num_crowd} crowd / ignored annotations of '
                      f'{self.ann_file} skipped', logger='current')
        num = len(names)
        try:
            bboxes = np.array(boxes, dtype=np.float32).reshape(num, 4)
        except (TypeError, ValueError):
            bad = next(i for i, b in enumerate(boxes)
                       if not all(isinstance(v, (int, float)) for v in b))
            raise AnnotationError(f'{self.ann_file}: annotation id {ann_ids[bad]}: "bbox" '
                                  f'{boxes[bad]!r} is not numeric') from None
        ann_file = (osp.relpath(self.ann_file, self.data_root) if self.data_root
                    else self.ann_file)
        return SOTIndex(
            root=self.data_root,
            video_names=names,
            frame_templates=templates,
            ann_files=[ann_file],
            frame_offsets=np.arange(num + 1, dtype=np.int64),
            bboxes_xywh=bboxes,
            visible=np.ones(num, bool),
            img_size_wh=np.array(sizes, np.int32).reshape(num, 2),
            video_extras=dict(
                category_id=np.array(cat_ids, np.int32),
                image_id=np.array(img_ids, np.int64),
                ann_id=np.array(ann_ids, np.int64)),
            line_based=False)
