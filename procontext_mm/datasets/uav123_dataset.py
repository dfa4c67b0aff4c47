"""UAV123 and UAV20L (Mueller et al., ECCV 2016) in their official layout."""
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np

from procontext_mm.registry import DATASETS
from .annotation_parsers import AnnotationError, escape_braces, parse_number_rows, read_text
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder
from .uav123_sequences import (UAV20L_SEQUENCES, UAV123_ATTRIBUTE_DESCRIPTIONS,
                               UAV123_ATTRIBUTE_NAMES, UAV123_SEQUENCES)


@DATASETS.register_module()
class UAV123Dataset(BaseSOTDataset):
    """UAV123 (123 sequences) or UAV20L (20 long sequences), read from the official release.

    Layout (``data_root`` = the folder holding ``anno`` and ``data_seq``)::

        anno/UAV123/<seq>.txt             x,y,w,h per frame of the sequence (comma separated);
                                          ``NaN,NaN,NaN,NaN`` where the target is out of view
        anno/UAV123/att/<seq>.txt         optional: 12 comma separated 0/1 attribute flags
        anno/UAV20L/<seq>.txt, att/...    the same for ``version='UAV20L'``
        data_seq/UAV123/<folder>/000001.jpg ...  the frames of every recording

    A sequence is a frame range of a recording's folder (``bird1_2`` = frames 775..1477 of
    ``bird1``; the UAV20L sequences are whole recordings): the ranges are the benchmark's own
    (:mod:`procontext_mm.datasets.uav123_sequences`), the annotation file has one line per frame
    of the range. Boxes are used as the files give them (the benchmark's MATLAB convention);
    the toolkits compare them with the tracker's output unchanged, and so does ``SOTMetric``.

    Visibility: a NaN row (target out of view) is an invisible frame; the UAV123 protocol does
    not score it (``SOTMetric(..., metric_options=dict(exclude_invisible=True))``, as the
    got10k toolkit's ``ExperimentUAV123`` and pytracking do, see
    ``configs/_base_/datasets/uav123_test.py``).

    Per-video extra ``attributes``: int8 (12,) the flags of ``att/<seq>.txt`` in the order of
    ``metainfo['attribute_names']`` (long names in ``metainfo['attribute_descriptions']``),
    all -1 when the sequence has no attribute file.

    Args:
        version (str): ``'UAV123'`` or ``'UAV20L'``. Defaults to ``'UAV123'``.
        sequences (Sequence[str], optional): A subset of the version's sequences, in this
            order. Defaults to None: all of them, sorted by name.
        **kwargs: See :class:`BaseSOTDataset`.

    Raises:
        ValueError: An unknown version or a sequence that is not one of the version's.
        FileNotFoundError: A missing annotation file or frame folder (the message names it).
        AnnotationError: A malformed line, an annotation whose line count differs from the
            sequence's frame range, a frame folder without the range's last frame, a malformed
            attribute file (the message names the file, the line and the value).
    """

    METAINFO = dict(
        classes=('object', ),
        attribute_names=UAV123_ATTRIBUTE_NAMES,
        attribute_descriptions=UAV123_ATTRIBUTE_DESCRIPTIONS)
    VERSIONS = {'UAV123': UAV123_SEQUENCES, 'UAV20L': UAV20L_SEQUENCES}
    #: Folder of the frames, relative to ``data_root`` (both versions read the same frames).
    FRAMES_DIR = osp.join('data_seq', 'UAV123')

    def __init__(self,
                 version: str = 'UAV123',
                 sequences: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        if version not in self.VERSIONS:
            raise ValueError(f'UAV123Dataset: unknown version {version!r}, expected one of '
                             f'{sorted(self.VERSIONS)}')
        table = self.VERSIONS[version]
        if sequences is not None:
            sequences = list(sequences)
            unknown = [name for name in sequences if name not in table]
            if unknown:
                raise ValueError(f'UAV123Dataset: {unknown} are not {version} sequences '
                                 f'(known: {", ".join(sorted(table)[:5])}, ... '
                                 f'{len(table)} in all)')
        self.version = version
        self.sequences = sequences
        super().__init__(**kwargs)

    def _index_params(self) -> dict:
        return dict(version=self.version, sequences=self.sequences)

    def _list_sequences(self) -> List[str]:
        if self.sequences is not None:
            return list(self.sequences)
        return sorted(self.VERSIONS[self.version])

    def _ann_file(self, name: str) -> str:
        return osp.join(self.data_root, 'anno', self.version, f'{name}.txt')

    def _attribute_file(self, name: str) -> str:
        return osp.join(self.data_root, 'anno', self.version, 'att', f'{name}.txt')

    def _annotation_files(self, sequences: List[str]) -> List[str]:
        table = self.VERSIONS[self.version]
        files = []
        for name in sequences:
            folder = table[name][0]
            # the frame folder: its mtime changes when frames are added or removed
            files += [self._ann_file(name), self._attribute_file(name),
                      osp.join(self.data_root, self.FRAMES_DIR, folder)]
        return files

    def _build_index(self, sequences: List[str]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        table = self.VERSIONS[self.version]
        for name in sequences:
            folder, first, last = table[name]
            ann_file = self._ann_file(name)
            bboxes = parse_number_rows(ann_file)
            num_frames = last - first + 1
            frames_rel = osp.join(self.FRAMES_DIR, folder)
            frames_dir = osp.join(self.data_root, frames_rel)
            if len(bboxes) != num_frames:
                raise AnnotationError(
                    f'{ann_file}: {len(bboxes)} lines, but {self.version} sequence {name} is '
                    f'frames {first}..{last} of {frames_dir} ({num_frames} frames)')
            if not osp.isdir(frames_dir):
                raise FileNotFoundError(f'UAV123Dataset: frame folder of sequence {name} not '
                                        f'found: {frames_dir}')
            frame_name = '{:06d}.jpg'
            last_frame = osp.join(frames_dir, frame_name.format(last))
            if not osp.isfile(last_frame):
                raise AnnotationError(
                    f'UAV123Dataset: {last_frame} not found: sequence {name} needs frames '
                    f'{first}..{last} of {frames_dir} (incomplete download?)')
            builder.add_video(
                name=name,
                frame_template=osp.join(escape_braces(frames_rel), frame_name),
                ann_file=osp.relpath(ann_file, self.data_root),
                bboxes_xywh=bboxes,
                visible=np.isfinite(bboxes).all(axis=1),  # NaN rows: out of view
                first_frame_index=first,
                video_extras=dict(attributes=self._read_attributes(name)))
        return builder.build()

    def _read_attributes(self, name: str) -> np.ndarray:
        """int8 (12,) the attribute flags of sequence ``name``, -1 without a file."""
        path = self._attribute_file(name)
        num_attributes = len(UAV123_ATTRIBUTE_NAMES)
        try:
            text = read_text(path)
        except FileNotFoundError:
            return np.full(num_attributes, -1, np.int8)
        tokens = text.replace(',', ' ').split()
        if len(tokens) != num_attributes:
            raise AnnotationError(f'{path}: {len(tokens)} values, expected {num_attributes} '
                                  f'attribute flags ({", ".join(UAV123_ATTRIBUTE_NAMES)})')
        for token in tokens:
            if token not in ('0', '1'):
                line = next(i for i, text_line in enumerate(text.splitlines())
                            if token in text_line.replace(',', ' ').split())
                raise AnnotationError(f'{path}, line {line + 1}: attribute flag {token!r} is '
                                      'not 0 or 1')
        return np.array(tokens, dtype=np.int8)
