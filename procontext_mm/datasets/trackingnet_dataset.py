"""TrackingNet (Müller et al., ECCV 2018) in its official layout."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np

from procontext_mm.registry import DATASETS
from .annotation_parsers import AnnotationError, escape_braces, list_frame_files, parse_number_rows
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder


@DATASETS.register_module()
class TrackingNetDataset(BaseSOTDataset):
    """TrackingNet, read from the files of the official release.

    Layout (``data_root`` = the TrackingNet root)::

        TRAIN_0 ... TRAIN_11/anno/<video>.txt      x,y,w,h per frame (comma separated)
        TRAIN_0 ... TRAIN_11/frames/<video>/0.jpg  frames, numbered from 0, not zero-padded
        TEST/anno/<video>.txt                      box of the first frame only
        TEST/frames/<video>/0.jpg ...

    Videos of a chunk are the ``*.txt`` files of its ``anno`` folder, sorted by name. TrackingNet
    has no visibility flags: every frame with a box counts as visible. For ``split='test'`` the
    number of frames comes from the frames on disk and boxes after the first frame are hidden.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        chunks (Sequence[int], optional): Training chunks ``i`` of ``TRAIN_i`` to use.
            Defaults to None: all twelve (0..11). Ignored for ``'test'``.
        **kwargs: See :class:`BaseSOTDataset`.
    """

    NUM_TRAIN_CHUNKS = 12

    def __init__(self, split: str = 'train', chunks: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(f'TrackingNetDataset: unknown split {split!r}, expected "train" or '
                             '"test"')
        if chunks is None:
            chunks = range(self.NUM_TRAIN_CHUNKS)
        chunks = [int(c) for c in chunks]
        bad = [c for c in chunks if not 0 <= c < self.NUM_TRAIN_CHUNKS]
        if bad:
            raise ValueError(f'TrackingNetDataset: chunks {bad} are not in 0..11')
        self.split = split
        self.chunks = sorted(set(chunks))
        super().__init__(**kwargs)

    @property
    def chunk_names(self) -> List[str]:
        """Folders read: ``TRAIN_<i>`` for the chosen chunks, or ``TEST``."""
        return ['TEST'] if self.split == 'test' else [f'TRAIN_{c}' for c in self.chunks]

    def _index_params(self) -> dict:
        return dict(split=self.split, chunks=self.chunk_names)

    def _list_sequences(self) -> List[Tuple[str, str]]:
        """(chunk folder, video name) of every annotation file."""
        videos = []
        for chunk in self.chunk_names:
            anno_dir = osp.join(self.data_root, chunk, 'anno')
            try:
                names = os.listdir(anno_dir)
            except FileNotFoundError:
                raise FileNotFoundError(
                    f'TrackingNetDataset: {anno_dir} not found (set chunks= to the chunks '
                    'that were downloaded)') from None
            videos.extend((chunk, n[:-4]) for n in sorted(names) if n.endswith('.txt'))
        return videos

    def _annotation_files(self, sequences: List[Tuple[str, str]]) -> List[str]:
        files = [osp.join(self.data_root, chunk, 'anno') for chunk in self.chunk_names]
        for chunk, name in sequences:
            files.append(osp.join(self.data_root, chunk, 'anno', f'{name}.txt'))
            if self.split == 'test':
                files.append(osp.join(self.data_root, chunk, 'frames', name))
        return files

    def _build_index(self, sequences: List[Tuple[str, str]]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        for chunk, name in sequences:
            ann_rel = osp.join(chunk, 'anno', f'{name}.txt')
            bboxes = parse_number_rows(osp.join(self.data_root, ann_rel))
            num_annotated = len(bboxes)
            frame_name, first = '{:d}.jpg', 0
            if self.split == 'test':
                frames_dir = osp.join(self.data_root, chunk, 'frames', name)
                frame_name, first, num_frames = list_frame_files(frames_dir)
                if num_frames < num_annotated:
                    raise AnnotationError(f'{ann_rel}: {num_annotated} boxes but only '
                                          f'{num_frames} frames in {frames_dir}')
                bboxes = np.concatenate(
                    [bboxes, np.full((num_frames - num_annotated, 4), np.nan, np.float32)])
            builder.add_video(
                name=name,
                frame_template=osp.join(escape_braces(osp.join(chunk, 'frames', name)),
                                        frame_name),
                ann_file=ann_rel,
                bboxes_xywh=bboxes,
                visible=np.ones(len(bboxes), bool),
                first_frame_index=first,
                num_annotated=num_annotated)
        return builder.build()
