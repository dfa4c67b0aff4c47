"""LaSOT (Fan et al., CVPR 2019) in its official layout."""
import os.path as osp
from typing import List, Optional

import numpy as np

from procontext_mm.registry import DATASETS
from .annotation_parsers import (AnnotationError, escape_braces, parse_flags, parse_number_rows,
                                 read_name_list, read_text, subdirectories)
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder

#: The 15 classes of the LaSOT extension (Fan et al., IJCV 2021), 10 sequences each
#: (``<class>-1`` .. ``<class>-10``): the 150 test sequences of "LaSOT-ext" (the list of
#: pytracking's ``lasotextensionsubsetdataset.py``).
LASOT_EXTENSION_CLASSES = ('atv', 'badminton', 'cosplay', 'dancingshoe', 'footbag', 'frisbee',
                           'jianzi', 'lantern', 'misc', 'opossum', 'paddle', 'raccoon', 'rhino',
                           'skatingshoe', 'wingsuit')
LASOT_EXTENSION_SEQUENCES_PER_CLASS = 10


@DATASETS.register_module()
class LaSOTDataset(BaseSOTDataset):
    """LaSOT, read from the files of the official release.

    Layout (``data_root`` = the LaSOT root, holding one folder per class)::

        <class>/<class>-<n>/img/00000001.jpg ...   frames, numbered from 1
        <class>/<class>-<n>/groundtruth.txt        x,y,w,h per frame (comma separated)
        <class>/<class>-<n>/full_occlusion.txt     one line of comma separated 0/1 per frame
        <class>/<class>-<n>/out_of_view.txt        one line of comma separated 0/1 per frame
        testing_set.txt, training_set.txt          official protocol-II lists (optional)

    ``split``: ``'test'`` = the 280 sequences of ``testing_set.txt``; ``'train'`` = the 1120 of
    ``training_set.txt``, or, if that file is absent, every sequence found under the class
    folders that is not in ``testing_set.txt``; ``'all'`` = every sequence found;
    ``'extension'`` = the 150 sequences of the LaSOT extension ("LaSOT-ext": 15 new classes x
    10, :data:`LASOT_EXTENSION_CLASSES`, same per-sequence layout; ``data_root`` is the folder
    of its 15 class folders, or a LaSOT root they were unpacked into). With ``'extension'``,
    ``metainfo['categories']`` lists the 15 classes (a video's class is its name up to the
    last ``-``). ``split_file`` (one sequence name per line) replaces the official list of the
    split.

    Visibility: ``visible = ~(full_occlusion | out_of_view)``; a missing flag file means no
    frame has that flag. ``groundtruth.txt`` is required.

    Args:
        split (str): ``'train'``, ``'test'``, ``'all'`` or ``'extension'``. Defaults to
            ``'train'``.
        split_file (str, optional): List of sequence names (absolute or relative to
            ``data_root``). Defaults to None (official lists).
        **kwargs: See :class:`BaseSOTDataset`.
    """

    SPLITS = ('train', 'test', 'all', 'extension')

    def __init__(self, split: str = 'train', split_file: Optional[str] = None, **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'LaSOTDataset: unknown split {split!r}, expected one of '
                             f'{self.SPLITS}')
        self.split = split
        self.split_file = split_file
        if split == 'extension':
            kwargs['metainfo'] = dict(categories=LASOT_EXTENSION_CLASSES,
                                      **(kwargs.get('metainfo') or {}))
        super().__init__(**kwargs)

    def _list_path(self, name: str) -> str:
        return osp.join(self.data_root, name)

    def _index_params(self) -> dict:
        split_file = None if self.split_file is None else self._list_path(self.split_file)
        return dict(split=self.split, split_file=split_file)

    def _all_sequences(self) -> List[str]:
        names = []
        for cls_name in subdirectories(self.data_root):
            prefix = f'{cls_name}-'
            names.extend(n for n in subdirectories(osp.join(self.data_root, cls_name))
                         if n.startswith(prefix))
        return names

    def _list_files(self) -> List[str]:
        """The list files the split is read from."""
        if self.split_file is not None:
            return [self._list_path(self.split_file)]
        if self.split == 'test':
            return [self._list_path('testing_set.txt')]
        if self.split == 'train':
            return [self._list_path('training_set.txt'), self._list_path('testing_set.txt')]
        return []

    def _list_sequences(self) -> List[str]:
        if self.split_file is not None:
            return read_name_list(self._list_path(self.split_file))
        if self.split == 'all':
            return self._all_sequences()
        if self.split == 'extension':
            return [f'{cls_name}-{n}' for cls_name in LASOT_EXTENSION_CLASSES
                    for n in range(1, LASOT_EXTENSION_SEQUENCES_PER_CLASS + 1)]
        train_list, test_list = (self._list_path('training_set.txt'),
                                 self._list_path('testing_set.txt'))
        if self.split == 'test':
            return read_name_list(test_list)
        if osp.exists(train_list):
            return read_name_list(train_list)
        if not osp.exists(test_list):
            raise FileNotFoundError(
                f'LaSOTDataset: split "train" needs {train_list} or {test_list} (the official '
                'protocol-II lists), or split_file=')
        test_names = set(read_name_list(test_list))
        return [n for n in self._all_sequences() if n not in test_names]

    def _seq_dir(self, name: str) -> str:
        return osp.join(self.data_root, name.rsplit('-', 1)[0], name)

    def _annotation_files(self, sequences: List[str]) -> List[str]:
        files = list(self._list_files())
        if self.split == 'all' or (self.split == 'train' and self.split_file is None):
            # class folders: adding / removing a sequence changes their mtime
            files.append(self.data_root)
            files.extend(osp.join(self.data_root, c) for c in subdirectories(self.data_root))
        for name in sequences:
            seq_dir = self._seq_dir(name)
            files.extend(osp.join(seq_dir, f)
                         for f in ('groundtruth.txt', 'full_occlusion.txt', 'out_of_view.txt'))
        return files

    def _build_index(self, sequences: List[str]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        for name in sequences:
            if '-' not in name:
                raise AnnotationError(f'LaSOTDataset: sequence name {name!r} is not '
                                      '<class>-<number>')
            seq_dir = self._seq_dir(name)
            if not osp.isdir(seq_dir):
                raise FileNotFoundError(f'LaSOTDataset: folder of sequence {name} (split '
                                        f'{self.split!r}) not found: {seq_dir}')
            bboxes = parse_number_rows(osp.join(seq_dir, 'groundtruth.txt'))
            hidden = np.zeros(len(bboxes), bool)
            for flag_name in ('full_occlusion.txt', 'out_of_view.txt'):
                flag_file = osp.join(seq_dir, flag_name)
                try:
                    text = read_text(flag_file)
                except FileNotFoundError:
                    continue
                hidden |= parse_flags(flag_file, len(bboxes), 1, text).astype(bool)
            rel_dir = osp.relpath(seq_dir, self.data_root)
            builder.add_video(
                name=name,
                frame_template=osp.join(escape_braces(rel_dir), 'img', '{:08d}.jpg'),
                ann_file=osp.join(rel_dir, 'groundtruth.txt'),
                bboxes_xywh=bboxes,
                visible=~hidden,
                first_frame_index=1)
        return builder.build()
