"""GOT-10k (Huang et al., TPAMI 2019) in its official layout."""
import os
import os.path as osp
import re
from typing import List, Optional, Tuple

import numpy as np

from procontext_mm.registry import DATASETS
from .annotation_parsers import (AnnotationError, escape_braces, list_frame_files,
                                 parse_number_rows, parse_optional_flags, read_name_list, read_text,
                                 subdirectories)
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder


@DATASETS.register_module()
class GOT10kDataset(BaseSOTDataset):
    """GOT-10k, read from the files of the official release.

    Layout (``data_root`` = the GOT-10k root)::

        <split folder>/list.txt                     sequence names, one per line
        <split folder>/<seq>/00000001.jpg ...        frames, numbered from 1
        <split folder>/<seq>/groundtruth.txt         x,y,w,h per frame (test: first frame only)
        <split folder>/<seq>/absence.label           0/1 per frame, 1 = target absent
        <split folder>/<seq>/cover.label             0..8 per frame, visible ratio in eighths
        <split folder>/<seq>/cut_by_image.label      0/1 per frame, 1 = box cut by the border
        <split folder>/<seq>/meta_info.ini           ``key: value`` lines; ``resolution: (W, H)``

    ``split`` chooses the split folder and the sequences:

    ============== ============== =====================================================
    split          folder         sequences
    ============== ============== =====================================================
    ``train``      ``train``      all of ``train/list.txt`` (same as ``train_full``)
    ``train_full`` ``train``      all of ``train/list.txt``
    ``vot-train``  ``train``      ``split_file`` (required), e.g. pytracking's
                                  ``got10k_vot_train_split.txt``
    ``vot-val``    ``train``      ``split_file`` (required), ``got10k_vot_val_split.txt``
    ``val``        ``val``        all of ``val/list.txt``
    ``test``       ``test``       all of ``test/list.txt``; the frame count comes from the
                                  frames on disk, boxes after the first frame are hidden
    ============== ============== =====================================================

    A split file has one entry per line: a 0-based index into the folder's ``list.txt`` (the
    format of pytracking / the ProContEXT authors' ``data_specs``) or a sequence name. A
    ``split_file`` given with another split restricts that split the same way.

    Visibility: ``visible = (absence == 0) & (cover > 0)``. Defaults when an optional file is
    missing: ``absence.label`` -> never absent; ``cover.label`` -> ``cover = -1`` (unknown,
    counts as visible); ``cut_by_image.label`` -> not cut; ``meta_info.ini`` or its
    ``resolution`` -> image size unknown (no out-of-image check). A missing ``list.txt`` falls
    back to the sorted sub-directories of the split folder. ``groundtruth.txt`` is required.

    Per-frame extras in the data info: ``cover`` int8 (L,) (0..8, -1 unknown) and
    ``cut_by_image`` bool (L,).

    Args:
        split (str): One of the splits above. Defaults to ``'train'``.
        split_file (str, optional): Split file (absolute or relative to ``data_root``).
            Defaults to None.
        **kwargs: See :class:`BaseSOTDataset`.
    """

    SPLIT_FOLDERS = {
        'train': 'train', 'train_full': 'train', 'vot-train': 'train', 'vot-val': 'train',
        'val': 'val', 'test': 'test'
    }
    LABEL_FILES = ('absence.label', 'cover.label', 'cut_by_image.label', 'meta_info.ini')

    def __init__(self, split: str = 'train', split_file: Optional[str] = None, **kwargs) -> None:
        if split not in self.SPLIT_FOLDERS:
            raise ValueError(f'GOT10kDataset: unknown split {split!r}, expected one of '
                             f'{sorted(self.SPLIT_FOLDERS)}')
        if split in ('vot-train', 'vot-val') and split_file is None:
            raise ValueError(
                f'GOT10kDataset: split {split!r} needs split_file=, the list of the train '
                f'sequences of that split (e.g. got10k_{split.replace("-", "_")}_split.txt of '
                'pytracking / the ProContEXT authors\' lib/train/data_specs)')
        self.split = split
        self.split_file = split_file
        super().__init__(**kwargs)

    @property
    def split_dir(self) -> str:
        """Directory of the split folder."""
        return osp.join(self.data_root, self.SPLIT_FOLDERS[self.split])

    def _split_file_path(self) -> Optional[str]:
        if self.split_file is None:
            return None
        return osp.join(self.data_root, self.split_file)

    def _index_params(self) -> dict:
        return dict(split=self.split, split_file=self._split_file_path())

    def _list_sequences(self) -> List[str]:
        list_file = osp.join(self.split_dir, 'list.txt')
        if osp.exists(list_file):
            names = read_name_list(list_file)
        else:
            names = subdirectories(self.split_dir)
        split_file = self._split_file_path()
        if split_file is not None:
            names = _select_by_split_file(split_file, names)
        return names

    def _annotation_files(self, sequences: List[str]) -> List[str]:
        files = [osp.join(self.split_dir, 'list.txt')]
        if self._split_file_path():
            files.append(self._split_file_path())
        # plain concatenation: osp.join of 60k paths is a third of a cached reload
        prefix = osp.join(self.split_dir, '')
        names = ('groundtruth.txt', ) + self.LABEL_FILES
        for seq in sequences:
            seq_dir = prefix + seq
            files.extend(f'{seq_dir}{os.sep}{f}' for f in names)
            if self.split == 'test':
                files.append(seq_dir)  # frames are counted on disk
        return files

    def _build_index(self, sequences: List[str]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        folder = self.SPLIT_FOLDERS[self.split]
        for name in sequences:
            seq_dir = osp.join(self.split_dir, name)
            gt_file = osp.join(seq_dir, 'groundtruth.txt')
            bboxes = parse_number_rows(gt_file)
            num_annotated = len(bboxes)
            first, frame_name = 1, '{:08d}.jpg'
            if self.split == 'test':
                frame_name, first, num_frames = list_frame_files(seq_dir)
                if num_frames < num_annotated:
                    raise AnnotationError(f'{gt_file}: {num_annotated} boxes but only '
                                          f'{num_frames} frames in {seq_dir}')
                pad = np.full((num_frames - num_annotated, 4), np.nan, np.float32)
                bboxes = np.concatenate([bboxes, pad])
            num_frames = len(bboxes)
            absence, _ = parse_optional_flags(
                osp.join(seq_dir, 'absence.label'), num_annotated, default=0)
            cover, _ = parse_optional_flags(
                osp.join(seq_dir, 'cover.label'), num_annotated, default=-1, max_value=8)
            cut, _ = parse_optional_flags(
                osp.join(seq_dir, 'cut_by_image.label'), num_annotated, default=0)
            extra_rows = num_frames - num_annotated
            absence = np.concatenate([absence, np.zeros(extra_rows, np.int8)])
            cover = np.concatenate([cover, np.full(extra_rows, -1, np.int8)])
            cut = np.concatenate([cut, np.zeros(extra_rows, np.int8)])
            rel_dir = escape_braces(osp.join(folder, name))
            builder.add_video(
                name=name,
                frame_template=osp.join(rel_dir, frame_name),
                ann_file=osp.join(folder, name, 'groundtruth.txt'),
                bboxes_xywh=bboxes,
                visible=(absence == 0) & (cover != 0),
                first_frame_index=first,
                num_annotated=num_annotated,
                img_size_wh=read_resolution(osp.join(seq_dir, 'meta_info.ini')),
                cover=cover,
                cut_by_image=cut.astype(bool))
        return builder.build()


def _select_by_split_file(split_file: str, names: List[str]) -> List[str]:
    """Sequences of ``names`` listed in a split file (0-based indices into ``names`` or
    names), in the split file's order."""
    known = set(names)
    selected = []
    for i, line in enumerate(read_text(split_file).splitlines()):
        entry = line.strip()
        if not entry:
            continue
        if entry.isdigit():
            k = int(entry)
            if k >= len(names):
                raise AnnotationError(f'{split_file}, line {i + 1}: index {k} is out of range, '
                                      f'the sequence list has {len(names)} names')
            selected.append(names[k])
        elif entry in known:
            selected.append(entry)
        else:
            raise AnnotationError(f'{split_file}, line {i + 1}: {entry!r} is neither an index '
                                  'nor a sequence of the split folder')
    return selected


_RESOLUTION = re.compile(r'\(\s*(\d+)\s*,\s*(\d+)\s*\)')


def read_resolution(meta_file: str) -> Tuple[int, int]:
    """Image (width, height) from a GOT-10k ``meta_info.ini`` line ``resolution: (W, H)``;
    ``(-1, -1)`` when the file or the line is missing.

    Raises:
        AnnotationError: The ``resolution`` line is not ``(W, H)`` with positive integers.
    """
    try:
        text = read_text(meta_file)
    except FileNotFoundError:
        return (-1, -1)
    for i, line in enumerate(text.splitlines()):
        key, sep, value = line.partition(':')
        if not sep or key.strip() != 'resolution':
            continue
        match = _RESOLUTION.fullmatch(value.strip())
        if match is None or min(int(match.group(1)), int(match.group(2))) <= 0:
            raise AnnotationError(f'{meta_file}, line {i + 1}: expected "resolution: (W, H)", '
                                  f'got {line.strip()!r}')
        return int(match.group(1)), int(match.group(2))
    return (-1, -1)
