"""Batching and normalisation for single-object tracking inputs."""
from typing import Dict, Sequence, Union

import torch
from mmdet.structures import TrackDataSample
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from procontext_mm.registry import MODELS


@MODELS.register_module()
class SOTDataPreprocessor(BaseDataPreprocessor):
    """Stack and normalise the image groups of SOT samples.

    mmdet's ``TrackDataPreprocessor`` stacks one image group per sample and pads it to the
    batch's largest size; SOT training samples carry two groups of different sizes (template
    crops and the search crop) that must not be padded into each other, so each group is
    stacked and normalised on its own here.

    * Training / validation of the loss: ``inputs`` is a dict of groups, each a list (one per
      sample) of uint8 (T, 3, H, W) BGR tensors -> float (N, T, 3, H, W), RGB, normalised.
    * Tracking: ``inputs`` is a list of uint8 (1, 3, H, W) full frames -> uint8 (N, 1, 3, H, W)
      kept in pixel space; the tracker crops them and normalises the crops with
      :meth:`normalize` (cropping uint8 pixels, as the reference does, keeps released weights'
      numbers).

    Args:
        mean (Sequence[float]): RGB mean in 0-255 units. Defaults to ImageNet's.
        std (Sequence[float]): RGB std in 0-255 units. Defaults to ImageNet's.
        bgr_to_rgb (bool): Inputs are BGR (``mmcv.imread``) and the model wants RGB.
            Defaults to True.
        non_blocking (bool): Asynchronous host-to-device copies. Defaults to False.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 bgr_to_rgb: bool = True,
                 non_blocking: bool = False):
        super().__init__(non_blocking)
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(3, 1, 1), False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(3, 1, 1), False)
        self.bgr_to_rgb = bgr_to_rgb

    def cast_data(self, data):
        """Move ``data`` to the model's device, as mmengine's ``cast_data``.

        ``TrackDataSample`` is moved here, frame sample by frame sample: its own ``to()``
        goes through mmdet 3.3's ``video_data_samples`` setter, which formats the repr of the
        first frame's sample on every call (a stray f-string statement), a third of the
        preprocessing time of a tracking step.
        """
        if isinstance(data, TrackDataSample):
            moved = TrackDataSample(metainfo=dict(data.metainfo_items()))
            for key, value in data.items():
                if key == 'video_data_samples':  # stored as '_video_data_samples' by mmdet
                    frames = [frame.to(self.device, non_blocking=self._non_blocking)
                              for frame in value]
                    moved.set_field(frames, '_video_data_samples', dtype=list)
                    moved._data_fields.add(key)  # what assigning through the setter records
                else:
                    moved.set_field(super().cast_data(value), key)
            return moved
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], TrackDataSample):
            return type(data)(self.cast_data(sample) for sample in data)
        if isinstance(data, dict):
            return {key: self.cast_data(value) for key, value in data.items()}
        return super().cast_data(data)

    def normalize(self, images: Tensor) -> Tensor:
        """uint8 BGR (..., 3, H, W) -> float32 RGB normalised (..., 3, H, W)."""
        images = images.to(self.mean.device)
        if self.bgr_to_rgb:
            images = images.flip(-3)
        return (images.float() / 255. - self.mean / 255.) / (self.std / 255.)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Collate a batch.

        Args:
            data (dict): ``inputs`` (dict of image groups, or the list of frames) and
                ``data_samples``, as the dataloader gives them.
            training (bool): Unused (no batch augmentation).

        Returns:
            dict: ``inputs`` and ``data_samples`` moved to the model's device.
        """
        data = self.cast_data(data)
        inputs: Union[Dict[str, Sequence[Tensor]], Sequence[Tensor]] = data['inputs']
        if isinstance(inputs, dict):
            batch_inputs = {key: self.normalize(self._stack(key, group))
                            for key, group in inputs.items()}
        else:
            batch_inputs = {'img': self._stack('img', inputs)}
        return dict(inputs=batch_inputs, data_samples=data.get('data_samples'))

    @staticmethod
    def _stack(key: str, group: Union[Tensor, Sequence[Tensor]]) -> Tensor:
        if isinstance(group, Tensor):
            return group
        shapes = {tuple(t.shape) for t in group}
        if len(shapes) != 1:
            raise ValueError(f'inputs[{key!r}] mixes image shapes {sorted(shapes)}; every sample '
                             'of a batch must have crops of the same sizes')
        return torch.stack(list(group))
