"""Generic one-folder-per-sequence layout (OTB-100 style, custom videos)."""
import os.path as osp
from typing import List, Sequence

import numpy as np

from procontext_mm.registry import DATASETS
from .annotation_parsers import (IMG_EXTENSIONS, AnnotationError, escape_braces, list_frame_files,
                                 parse_number_rows, read_name_list, subdirectories)
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder


@DATASETS.register_module()
class FolderSOTDataset(BaseSOTDataset):
    """Sequences stored as ``<seq>/<img_dir>/<number>.jpg`` + ``<seq>/<ann_name>``.

    This is the OTB-100 layout (``Basketball/img/0001.jpg``, ``Basketball/groundtruth_rect.txt``
    with ``ann_name='groundtruth_rect.txt'``) and a simple format for custom videos::

        <data_root>/list.txt                 optional: sequence names, one per line
        <data_root>/<seq>/img/0001.jpg ...   frames <number><ext>, consecutive numbers,
                                             zero-padded to one width or not padded
        <data_root>/<seq>/groundtruth.txt    x,y,w,h per frame; commas, tabs or spaces

    Sequences are those of ``list_file`` if it exists, else every sub-directory of
    ``data_root`` holding ``ann_name``. The frames on disk give the frame template, the first
    frame number and the frame count. Every frame with a box counts as visible (these layouts
    have no visibility flags); a NaN box is reported and made invisible.

    Args:
        img_dir (str): Folder of the frames inside a sequence folder; ``''`` when the frames
            are in the sequence folder itself. Defaults to ``'img'``.
        ann_name (str): Ground-truth file name inside a sequence folder.
            Defaults to ``'groundtruth.txt'``.
        list_file (str): Sequence list, relative to ``data_root`` (or absolute); ignored when it
            does not exist. Defaults to ``'list.txt'``.
        allow_partial_gt (bool): Accept fewer boxes than frames: the boxes are those of the
            first frames and the later boxes are hidden (test-only custom videos annotated in
            the first frame). If False, the counts must match. Defaults to False.
        img_extensions (Sequence[str]): Frame file extensions. Defaults to
            ``('.jpg', '.jpeg', '.png', '.bmp')``.
        **kwargs: See :class:`BaseSOTDataset`.
    """

    def __init__(self,
                 img_dir: str = 'img',
                 ann_name: str = 'groundtruth.txt',
                 list_file: str = 'list.txt',
                 allow_partial_gt: bool = False,
                 img_extensions: Sequence[str] = IMG_EXTENSIONS,
                 **kwargs) -> None:
        self.img_dir = img_dir
        self.ann_name = ann_name
        self.list_file = list_file
        self.allow_partial_gt = allow_partial_gt
        self.img_extensions = tuple(e.lower() for e in img_extensions)
        super().__init__(**kwargs)

    def _list_path(self) -> str:
        return osp.join(self.data_root, self.list_file)

    def _index_params(self) -> dict:
        return dict(img_dir=self.img_dir, ann_name=self.ann_name, list_file=self._list_path(),
                    allow_partial_gt=self.allow_partial_gt, img_extensions=self.img_extensions)

    def _list_sequences(self) -> List[str]:
        if osp.isfile(self._list_path()):
            return read_name_list(self._list_path())
        return [n for n in subdirectories(self.data_root)
                if osp.isfile(osp.join(self.data_root, n, self.ann_name))]

    def _annotation_files(self, sequences: List[str]) -> List[str]:
        files = [self._list_path(), self.data_root]
        for name in sequences:
            files.append(osp.join(self.data_root, name, self.ann_name))
            files.append(osp.join(self.data_root, name, self.img_dir))
        return files

    def _build_index(self, sequences: List[str]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        for name in sequences:
            ann_rel = osp.join(name, self.ann_name)
            ann_file = osp.join(self.data_root, ann_rel)
            bboxes = parse_number_rows(ann_file)
            frames_rel = osp.normpath(osp.join(name, self.img_dir))
            frame_name, first, num_frames = list_frame_files(
                osp.join(self.data_root, frames_rel), self.img_extensions)
            num_annotated = len(bboxes)
            if num_annotated > num_frames or (num_annotated < num_frames
                                              and not self.allow_partial_gt):
                raise AnnotationError(
                    f'{ann_file}: {num_annotated} boxes for {num_frames} frames in '
                    f'{osp.join(self.data_root, frames_rel)} (set allow_partial_gt=True if only '
                    'the first frames are annotated)')
            bboxes = np.concatenate(
                [bboxes, np.full((num_frames - num_annotated, 4), np.nan, np.float32)])
            builder.add_video(
                name=name,
                frame_template=osp.join(escape_braces(frames_rel), frame_name),
                ann_file=ann_rel,
                bboxes_xywh=bboxes,
                visible=np.ones(num_frames, bool),
                first_frame_index=first,
                num_annotated=num_annotated)
        return builder.build()
