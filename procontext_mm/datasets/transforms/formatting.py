"""Packing a cropped SOT training sample into model inputs and a ``TrackDataSample``."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmdet.datasets.transforms import PackTrackInputs
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData

from procontext_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackSOTInputs(BaseTransform):
    """Pack template and search crops into ``inputs`` and per-crop ``DetDataSample``s.

    Output (the contract of ``docs/data_flow.md``):

    * ``inputs = {'template': uint8 (T, 3, Hz, Wz), 'search': uint8 (1, 3, Hx, Wx)}``, BGR;
    * ``data_samples``: a ``TrackDataSample`` whose ``video_data_samples`` are the T + 1 crops
      in the input order (templates first, search last); each ``DetDataSample`` has
      ``gt_instances.bboxes`` (1, 4) float32 x1, y1, x2, y2 crop pixels,
      ``gt_instances.labels`` (1,) int64 zeros and the per-crop ``meta_keys`` as metainfo.
      The ``TrackDataSample`` metainfo has ``key_frames_inds`` (the search crop),
      ``ref_frames_inds`` (the templates) and the ``video_meta_keys``.

    Required keys: img (list of (S, S, 3) uint8 crops), gt_bboxes (list of (1, 4) xyxy),
    crop_role (list of ``'template'`` / ``'search'``; exactly one search crop, the last), and
    the listed meta keys that exist.

    Args:
        meta_keys (Sequence[str]): Per-crop list keys copied to each ``DetDataSample``'s
            metainfo (missing keys are skipped). Defaults to the contract's ``crop_role``,
            ``context_factor``, ``frame_id``, ``img_path`` plus ``frame_role``, ``img_shape``,
            ``ori_shape``, ``resize_factor``, ``flip``.
        video_meta_keys (Sequence[str]): Sample-level keys copied to every ``DetDataSample``
            and to the ``TrackDataSample``. Defaults to ``video_id``, ``video_name``.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('crop_role', 'context_factor', 'frame_id',
                                             'img_path', 'frame_role', 'img_shape',
                                             'ori_shape', 'resize_factor', 'flip'),
                 video_meta_keys: Sequence[str] = ('video_id', 'video_name')) -> None:
        self.meta_keys = tuple(meta_keys)
        self.video_meta_keys = tuple(video_meta_keys)

    @staticmethod
    def _stack(images: Sequence[np.ndarray]) -> torch.Tensor:
        """(H, W, 3) uint8 arrays -> (N, 3, H, W) uint8 contiguous tensor."""
        return torch.from_numpy(np.ascontiguousarray(np.stack(images).transpose(0, 3, 1, 2)))

    def transform(self, results: dict) -> dict:
        """Pack ``results`` (see the class docstring)."""
        for key in ('img', 'gt_bboxes', 'crop_role'):
            if key not in results:
                raise KeyError(f'PackSOTInputs needs the key {key!r}; run SOTCropRegions first')
        roles = list(results['crop_role'])
        num_crops = len(roles)
        if roles.count('search') != 1 or roles[-1] != 'search':
            raise ValueError(f'PackSOTInputs needs template crops followed by exactly one search '
                             f'crop, got crop_role={roles}')
        if len(results['img']) != num_crops or len(results['gt_bboxes']) != num_crops:
            raise ValueError(f'PackSOTInputs: {len(results["img"])} images and '
                             f'{len(results["gt_bboxes"])} boxes for {num_crops} crops')

        inputs = dict(template=self._stack(results['img'][:-1]),
                      search=self._stack(results['img'][-1:]))

        video_meta = {key: results[key] for key in self.video_meta_keys if key in results}
        frame_samples = []
        for i in range(num_crops):
            gt_instances = InstanceData()
            gt_instances.bboxes = torch.as_tensor(
                np.asarray(results['gt_bboxes'][i], dtype=np.float32).reshape(1, 4))
            gt_instances.labels = torch.zeros(1, dtype=torch.int64)
            metainfo = {key: results[key][i] for key in self.meta_keys if key in results}
            metainfo.update(video_meta)
            frame_samples.append(DetDataSample(gt_instances=gt_instances, metainfo=metainfo))

        data_sample = TrackDataSample()
        data_sample.video_data_samples = frame_samples
        data_sample.set_metainfo(dict(key_frames_inds=[num_crops - 1],
                                      ref_frames_inds=list(range(num_crops - 1)), **video_meta))
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'video_meta_keys={self.video_meta_keys})')


@TRANSFORMS.register_module()
class PackSOTTestInputs(PackTrackInputs):
    """mmdet's ``PackTrackInputs`` for test frames, plus the visibility flag.

    ``SOTMetric`` scores GOT-10k only on frames where the target is visible; mmdet's packer
    does not know the ``visible`` key, so it is added to every frame's ``gt_instances``
    ((1,) bool) here. ``video_name`` and ``ori_video_length`` are packed as metainfo.

    Args:
        meta_keys (tuple[str]): Extra metainfo keys. Defaults to ``('video_name', )``.
    """

    def __init__(self, meta_keys: tuple = ('video_name', )) -> None:
        super().__init__(meta_keys=tuple(meta_keys))

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        if 'visible' in results:
            for det_sample, visible in zip(packed['data_samples'], results['visible']):
                det_sample.gt_instances.visible = torch.as_tensor(
                    np.asarray(visible, dtype=bool).reshape(-1))
        return packed
