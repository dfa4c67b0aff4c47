"""Choosing the frames of one training sample from a video ("trident" sampling)."""
import logging
from typing import List, Optional, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from procontext_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class TridentSampleFrames(BaseTransform):
    """Pick the static template, dynamic template(s) and search frame of a video.

    The ProContEXT reference samples ``trident_pro`` style:

    * the static template frame and the search frame are drawn uniformly (independently, so
      they may coincide) among the frames where the target is visible;
    * each dynamic template frame ``k`` is drawn uniformly from the ``max_interval[k]`` frames
      next to the search frame on the static template's side: ``[s - max_interval, s)`` when the
      static frame ``t`` comes before the search frame ``s``, ``[s, s + max_interval)`` when
      ``t >= s`` (clipped to the video); the target may be invisible there
      (``allow_invisible_dynamic=True``; ``False`` gives the older ``trident`` mode, which
      redraws all frames, up to ``max_tries`` times, until a visible dynamic frame exists).

    A still image (``num_frames == 1``, e.g. COCO) gives the same frame for every role.
    A video with at most ``2 * (2 + num_dynamic)`` visible frames, or fewer than
    ``min_num_frames`` frames, is rejected (``None``: mmengine resamples another video), as
    the reference's sequence sampler does.

    Randomness: ``np.random`` (seeded per worker by mmengine).

    Required keys (a video's data info, see ``docs/data_flow.md``):

    - bboxes_xywh (np.float32, (L, 4)): x1, y1, w, h per frame, image pixels, NaN if unknown
    - visible (np.bool_, (L,))
    - frame_path_template (str), first_frame_index (int), num_frames (int)
    - video_name (str, optional; only used in messages)

    Added keys (one entry per sampled frame, static first, then dynamic, search last):

    - frame_id (list[int]): 0-based frame indices
    - img_path (list[str])
    - frame_role (list[str]): ``'static'``, ``'dynamic'`` or ``'search'``
    - gt_bboxes_xywh (np.float32, (F, 4)): image pixels
    - frame_visible (np.bool_, (F,))
    - is_video_data (bool)

    Args:
        num_dynamic (int): Dynamic template frames per sample. Defaults to 1 (ProContEXT).
        max_interval (int | Sequence[int]): Frames around the search frame a dynamic template
            may come from, one value for all dynamic templates or one per dynamic template.
            Defaults to 200.
        allow_invisible_dynamic (bool): Dynamic templates may show an invisible target
            (``trident_pro``). Defaults to True.
        min_num_frames (int): Shorter videos are rejected. Defaults to 20.
        max_tries (int): Redraws when no dynamic frame qualifies (only possible with
            ``allow_invisible_dynamic=False``) before rejecting the video. Defaults to 100.
    """

    def __init__(self,
                 num_dynamic: int = 1,
                 max_interval: Union[int, Sequence[int]] = 200,
                 allow_invisible_dynamic: bool = True,
                 min_num_frames: int = 20,
                 max_tries: int = 100) -> None:
        if num_dynamic < 0:
            raise ValueError(f'num_dynamic must be >= 0, got {num_dynamic}')
        if isinstance(max_interval, int):
            max_interval = [max_interval] * num_dynamic
        max_interval = [int(gap) for gap in max_interval]
        if len(max_interval) != num_dynamic:
            raise ValueError(f'max_interval={max_interval} must give one interval per dynamic '
                             f'template (num_dynamic={num_dynamic})')
        if any(gap < 1 for gap in max_interval):
            raise ValueError(f'max_interval values must be >= 1, got {max_interval}')
        if max_tries < 1:
            raise ValueError(f'max_tries must be >= 1, got {max_tries}')
        self.num_dynamic = num_dynamic
        self.max_interval = max_interval
        self.allow_invisible_dynamic = allow_invisible_dynamic
        self.min_num_frames = min_num_frames
        self.max_tries = max_tries

    @property
    def num_frames_per_sample(self) -> int:
        """Frames in one sample: static + dynamic templates + search."""
        return 2 + self.num_dynamic

    @staticmethod
    def _draw(candidates: np.ndarray) -> Optional[int]:
        """One uniform draw from ``candidates`` (1-D int array); None if it is empty."""
        if len(candidates) == 0:
            return None
        return int(candidates[np.random.randint(len(candidates))])

    def sample_frame_ids(self, visible: np.ndarray) -> Optional[List[int]]:
        """Frame indices ``[static, dynamic_1, ..., dynamic_n, search]`` of one video.

        Args:
            visible (np.ndarray): (L,) bool, target visible per frame, L > 1.

        Returns:
            list[int] | None: 0-based indices, None if no valid choice was found.
        """
        num_frames = len(visible)
        visible_ids = np.flatnonzero(visible)
        for _ in range(self.max_tries):
            static_id = self._draw(visible_ids)
            search_id = self._draw(visible_ids)
            if static_id is None:
                return None
            dynamic_ids = []
            for gap in self.max_interval:
                if static_id >= search_id:
                    low, high = search_id, min(search_id + gap, num_frames)
                else:
                    low, high = max(search_id - gap, 0), search_id
                window = np.arange(low, high)
                if not self.allow_invisible_dynamic:
                    window = window[visible[low:high]]
                dynamic_ids.append(self._draw(window))
            if None not in dynamic_ids:
                return [static_id] + dynamic_ids + [search_id]
        return None

    def transform(self, results: dict) -> Optional[dict]:
        """Sample frames of the video described by ``results`` (see the class docstring)."""
        video_name = results.get('video_name', results.get('video_id', '?'))
        for key in ('bboxes_xywh', 'visible', 'frame_path_template', 'first_frame_index',
                    'num_frames'):
            if key not in results:
                raise KeyError(f'TridentSampleFrames needs the data info field {key!r} '
                               f'(video {video_name})')
        bboxes_xywh = np.asarray(results['bboxes_xywh'], dtype=np.float32)
        visible = np.asarray(results['visible'], dtype=bool)
        num_frames = int(results['num_frames'])
        if bboxes_xywh.shape != (num_frames, 4) or visible.shape != (num_frames, ):
            raise ValueError(
                f'Video {video_name}: num_frames={num_frames} but bboxes_xywh has shape '
                f'{bboxes_xywh.shape} and visible {visible.shape}; expected ({num_frames}, 4) '
                f'and ({num_frames},)')

        is_video_data = num_frames > 1
        if is_video_data:
            enough = (visible.sum() > 2 * self.num_frames_per_sample
                      and num_frames >= self.min_num_frames)
            frame_ids = self.sample_frame_ids(visible) if enough else None
            if frame_ids is None:
                print_log(f'TridentSampleFrames: video {video_name} ({num_frames} frames, '
                          f'{int(visible.sum())} visible) gave no sample; resampling',
                          logger='current', level=logging.DEBUG)
                return None
        else:
            frame_ids = [0] * self.num_frames_per_sample

        template = results['frame_path_template']
        first = int(results['first_frame_index'])
        results['frame_id'] = frame_ids
        results['img_path'] = [template.format(first + i) for i in frame_ids]
        results['frame_role'] = ['static'] + ['dynamic'] * self.num_dynamic + ['search']
        results['gt_bboxes_xywh'] = bboxes_xywh[frame_ids]
        results['frame_visible'] = visible[frame_ids]
        results['is_video_data'] = is_video_data
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_dynamic={self.num_dynamic}, '
                f'max_interval={self.max_interval}, '
                f'allow_invisible_dynamic={self.allow_invisible_dynamic}, '
                f'min_num_frames={self.min_num_frames}, max_tries={self.max_tries})')
