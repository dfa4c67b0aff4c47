"""TNL2K (Wang et al., CVPR 2021) in its official layout, with the language descriptions."""
import logging
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
from mmengine.logging import print_log

from procontext_mm.registry import DATASETS
from .annotation_parsers import (AnnotationError, escape_braces, list_frame_files,
                                 parse_number_rows, read_name_list, read_text, subdirectories)
from .base_sot_dataset import MAX_LISTED, BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder


@DATASETS.register_module()
class TNL2KDataset(BaseSOTDataset):
    """TNL2K, read from the files of the official release (test: 700 videos, train: 1300).

    Layout (``data_root`` = the folder of the sequence folders, e.g. ``TNL2K_test_subset``)::

        <seq>/imgs/00001.png ...     frames (numbered, one extension; numbering and padding
                                     vary between sequences)
        <seq>/groundtruth.txt        x,y,w,h per frame (comma separated); ``0,0,0,0`` where
                                     the target is absent
        <seq>/language.txt           the natural-language description of the target

    The training set ships in parts (``TNL2K_train_subset_p1/<seq>/...``): sequence folders
    one level deeper are found too; the folder ``revised_annotations`` is not a sequence.
    Sequences are those of ``list_file`` (one name or ``<part>/<name>`` per line, relative to
    ``data_root``) if given, else every folder holding a ``groundtruth.txt`` or an ``imgs``
    folder, sorted; the video name is the sequence folder's name.

    Visibility: a box with a non-positive width or height (the ``0,0,0,0`` of absent frames) is
    an invisible frame. The TNL2K toolkit divides the successes by *every* frame, absent ones
    included: ``SOTMetric(benchmark='lasot')`` without ``exclude_invisible`` does the same
    (an absent frame scores IoU 0).

    Per-video extra ``language`` (str): the description, its lines joined by a space ('' for
    an empty or missing ``language.txt``, which is logged). ``get_test_item`` repeats it for
    every frame; ``PackSOTTestInputs(meta_keys=('video_name', 'language'))`` puts it in the
    frames' metainfo (``configs/_base_/datasets/tnl2k_test.py``), where a vision-language
    tracker reads it. ProContEXT ignores it.

    Args:
        list_file (str, optional): Sequence list. Defaults to None.
        **kwargs: See :class:`BaseSOTDataset`.

    Raises:
        FileNotFoundError: A listed sequence without its folder, ``groundtruth.txt`` or
            ``imgs`` folder (named in the message).
        AnnotationError: A malformed ground-truth line (file, line, value), a line count that
            differs from the frame count, frames that are not numbered consecutively, or two
            sequence folders of the same name.
    """

    #: Folders of the release that are not sequences.
    NOT_SEQUENCES = ('revised_annotations', )

    def __init__(self, list_file: Optional[str] = None, **kwargs) -> None:
        self.list_file = list_file
        super().__init__(**kwargs)

    def _list_path(self) -> Optional[str]:
        return None if self.list_file is None else osp.join(self.data_root, self.list_file)

    def _index_params(self) -> dict:
        return dict(list_file=self._list_path())

    def _is_sequence(self, rel_dir: str) -> bool:
        # a folder of frames without its ground truth is a broken sequence (an error), not a part
        seq_dir = osp.join(self.data_root, rel_dir)
        return osp.isfile(osp.join(seq_dir, 'groundtruth.txt')) or osp.isdir(
            osp.join(seq_dir, 'imgs'))

    def _list_sequences(self) -> List[str]:
        """Sequence folders relative to ``data_root``."""
        if self.list_file is not None:
            return read_name_list(self._list_path())
        found = []
        for name in subdirectories(self.data_root):
            if name in self.NOT_SEQUENCES:
                continue
            if self._is_sequence(name):
                found.append(name)
            else:  # a part of the training set
                found.extend(f'{name}/{sub}'
                             for sub in subdirectories(osp.join(self.data_root, name))
                             if self._is_sequence(osp.join(name, sub)))
        return sorted(found, key=lambda rel_dir: (osp.basename(rel_dir), rel_dir))

    def _annotation_files(self, sequences: List[str]) -> List[str]:
        if self.list_file is not None:
            files = [self._list_path()]
        else:  # adding / removing a sequence changes these folders' mtime
            files = [self.data_root]
            files.extend(osp.join(self.data_root, name)
                         for name in subdirectories(self.data_root)
                         if name not in self.NOT_SEQUENCES and not self._is_sequence(name))
        for rel_dir in sequences:
            seq_dir = osp.join(self.data_root, rel_dir)
            files += [osp.join(seq_dir, 'groundtruth.txt'), osp.join(seq_dir, 'language.txt'),
                      osp.join(seq_dir, 'imgs')]
        return files

    def _build_index(self, sequences: List[str]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        seen: Dict[str, str] = {}
        without_language = []
        for rel_dir in sequences:
            name = osp.basename(osp.normpath(rel_dir))
            seq_dir = osp.join(self.data_root, rel_dir)
            if name in seen:
                raise AnnotationError(f'TNL2KDataset: two sequences are named {name!r}: '
                                      f'{osp.join(self.data_root, seen[name])} and {seq_dir}')
            seen[name] = rel_dir
            if not osp.isdir(seq_dir):
                raise FileNotFoundError(f'TNL2KDataset: sequence folder not found: {seq_dir}')
            gt_file = osp.join(seq_dir, 'groundtruth.txt')
            bboxes = parse_number_rows(gt_file)
            frames_dir = osp.join(seq_dir, 'imgs')
            frame_name, first, num_frames = list_frame_files(frames_dir)
            if len(bboxes) != num_frames:
                raise AnnotationError(f'{gt_file}: {len(bboxes)} lines, but {frames_dir} holds '
                                      f'{num_frames} frames')
            language = read_language(osp.join(seq_dir, 'language.txt'))
            if not language:
                without_language.append(osp.join(seq_dir, 'language.txt'))
            with np.errstate(invalid='ignore'):
                present = (bboxes[:, 2] > 0) & (bboxes[:, 3] > 0)
            builder.add_video(
                name=name,
                frame_template=osp.join(escape_braces(osp.join(rel_dir, 'imgs')), frame_name),
                ann_file=osp.join(rel_dir, 'groundtruth.txt'),
                bboxes_xywh=bboxes,
                visible=present,
                first_frame_index=first,
                video_extras=dict(language=language))
        if without_language:
            more = (f' and {len(without_language) - MAX_LISTED} more'
                    if len(without_language) > MAX_LISTED else '')
            print_log(f'TNL2KDataset: no language description in {len(without_language)} of '
                      f'{len(sequences)} sequences (language ""): '
                      f'{", ".join(without_language[:MAX_LISTED])}{more}',
                      logger='current', level=logging.WARNING)
        return builder.build()


def read_language(path: str) -> str:
    """The description of a ``language.txt``: its non-blank lines, stripped and joined by a
    space; '' when the file is missing or empty."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        return ''
    text = text.lstrip('\ufeff')  # a byte-order mark is not whitespace for str.strip
    return ' '.join(line.strip() for line in text.splitlines() if line.strip())
