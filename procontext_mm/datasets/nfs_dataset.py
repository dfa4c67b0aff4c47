"""Need for Speed, NfS (Kiani Galoogahi et al., ICCV 2017), in its official layout."""
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np

from procontext_mm.registry import DATASETS
from .annotation_parsers import (AnnotationError, escape_braces, list_frame_files, read_name_list,
                                 read_text, subdirectories)
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder

#: Frame rate of the recordings and of their annotations.
NFS_ANNOTATION_FPS = 240


@DATASETS.register_module()
class NFSDataset(BaseSOTDataset):
    """NfS (100 videos), read from the files of the official release.

    Layout (``data_root`` = the folder of the 100 sequence folders)::

        <seq>/30/<seq>/00001.jpg ...     frames of the 30 fps version
        <seq>/30/<seq>.txt               annotation (lines of the 240 fps recording, see below)
        <seq>/240/<seq>/00001.jpg ...    frames of the 240 fps version
        <seq>/240/<seq>.txt              annotation, one line per 240 fps frame

    An annotation line is a VATIC track line,
    ``track_id xmin ymin xmax ymax frame lost occluded generated "label"``: the box corners in
    pixels, ``lost`` = target out of view, ``occluded``, ``generated`` = interpolated by the
    annotation tool, and the object label in quotes. The box becomes x1, y1, w, h with
    ``w = xmax - xmin`` (the got10k toolkit's conversion).

    **30 fps** (the usual benchmark): the annotation file holds a line per 240 fps frame; 30 fps
    frame ``k`` (0-based) is 240 fps frame ``8k`` and takes line ``8k + 1`` (lines 1, 9, 17, ...).
    A file with one line per 30 fps frame is taken as it is. After this, a count that still
    differs from the frames on disk by one is cut to the shorter of the two; any other
    difference is an error. These are the rules of the got10k toolkit's ``NfS`` dataset, whose
    frames and boxes this class reproduces (``tests/test_datasets/test_nfs_dataset.py``). Lines
    are taken in file order: the ``frame`` column starts at 0 in some files and at 1 in others.

    Visibility: a frame is visible unless ``lost`` or ``occluded``; per-frame extras
    ``out_of_view`` and ``occluded`` (bool (L,)) keep both flags, the per-video extra
    ``object_class`` the label of the first line. The NfS protocol (OTB-style OPE) scores every
    frame: ``SOTMetric(benchmark='otb')``.

    Sequences: those of ``list_file`` (one name per line, relative to ``data_root``) if given,
    else every sub-folder of ``data_root`` that has a ``<fps>`` folder, sorted by name.

    Args:
        fps (int): ``30`` or ``240``. Defaults to 30.
        list_file (str, optional): Sequence list. Defaults to None.
        **kwargs: See :class:`BaseSOTDataset`.

    Raises:
        FileNotFoundError: A missing annotation file or frame folder (named in the message).
        AnnotationError: A malformed line (file, line and value), a track id that changes, or
            line and frame counts that the rules above cannot reconcile.
    """

    FPS = (30, 240)

    def __init__(self, fps: int = 30, list_file: Optional[str] = None, **kwargs) -> None:
        if fps not in self.FPS:
            raise ValueError(f'NFSDataset: fps must be one of {self.FPS}, got {fps!r}')
        self.fps = int(fps)
        self.list_file = list_file
        super().__init__(**kwargs)

    def _list_path(self) -> Optional[str]:
        return None if self.list_file is None else osp.join(self.data_root, self.list_file)

    def _index_params(self) -> dict:
        return dict(fps=self.fps, list_file=self._list_path())

    def _list_sequences(self) -> List[str]:
        if self.list_file is not None:
            return read_name_list(self._list_path())
        return [name for name in subdirectories(self.data_root)
                if osp.isdir(osp.join(self.data_root, name, str(self.fps)))]

    def _paths(self, name: str) -> Tuple[str, str]:
        """Annotation file and frame folder of sequence ``name``, relative to ``data_root``."""
        version_dir = osp.join(name, str(self.fps))
        return osp.join(version_dir, f'{name}.txt'), osp.join(version_dir, name)

    def _annotation_files(self, sequences: List[str]) -> List[str]:
        files = [self.data_root] if self.list_file is None else [self._list_path()]
        for name in sequences:
            # the frame folder: frames are counted on disk
            files.extend(osp.join(self.data_root, p) for p in self._paths(name))
        return files

    def _build_index(self, sequences: List[str]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        for name in sequences:
            ann_rel, frames_rel = self._paths(name)
            ann_file = osp.join(self.data_root, ann_rel)
            frames_dir = osp.join(self.data_root, frames_rel)
            if not osp.isdir(osp.join(self.data_root, name)):
                raise FileNotFoundError(f'NFSDataset: sequence folder not found: '
                                        f'{osp.join(self.data_root, name)}')
            table, label = parse_vatic_track(ann_file)
            frame_name, first, num_frames = list_frame_files(frames_dir)
            rows = self._rows_of_frames(ann_file, len(table), frames_dir, num_frames)
            table = table[rows]
            num_frames = len(table)  # a frame without a line is cut (see the class docstring)
            xmin, ymin, xmax, ymax, lost, occluded = table.T
            bboxes = np.stack([xmin, ymin, xmax - xmin, ymax - ymin], axis=1)
            builder.add_video(
                name=name,
                frame_template=osp.join(escape_braces(frames_rel), frame_name),
                ann_file=ann_rel,
                bboxes_xywh=bboxes,
                visible=(lost == 0) & (occluded == 0),
                first_frame_index=first,
                out_of_view=lost != 0,
                occluded=occluded != 0,
                video_extras=dict(object_class=label))
        return builder.build()

    def _rows_of_frames(self, ann_file: str, num_lines: int, frames_dir: str,
                        num_frames: int) -> np.ndarray:
        """Annotation lines (0-based) of the frames, one per frame kept (see the class
        docstring); raises :class:`AnnotationError` when the counts cannot be reconciled."""
        step = NFS_ANNOTATION_FPS // self.fps
        rows = np.arange(num_lines)
        if num_lines != num_frames and step > 1 and abs(num_lines / num_frames - step) < 1:
            rows = rows[::step]  # one line per 240 fps frame: subsample
        if abs(len(rows) - num_frames) > 1:
            raise AnnotationError(
                f'{ann_file}: {num_lines} lines for {num_frames} frames in {frames_dir}: expected '
                f'one line per frame' + (f' or one per 240 fps frame ({step} per frame)'
                                         if step > 1 else '') + ', give or take one')
        return rows[:num_frames]


#: Numbers of a VATIC line before the label, and those kept.
_VATIC_COLUMNS = ('track_id', 'xmin', 'ymin', 'xmax', 'ymax', 'frame', 'lost', 'occluded',
                  'generated')


def parse_vatic_track(path: str) -> Tuple[np.ndarray, str]:
    """Read a single-track VATIC annotation file (NfS).

    Every line is ``track_id xmin ymin xmax ymax frame lost occluded generated "label"``
    (whitespace separated, the label in double quotes, maybe followed by attributes).

    Args:
        path (str): The file.

    Returns:
        tuple[np.ndarray, str]: float32 (N, 6) ``xmin, ymin, xmax, ymax, lost, occluded`` per
        line (pixels, 0/1 flags), and the label of the first line.

    Raises:
        FileNotFoundError: The file is missing.
        AnnotationError: An empty file, a line without its 9 numbers or its quoted label, a
            non-number, a flag that is not 0/1, or a second track id (file, line and value in
            the message).
    """
    text = read_text(path)
    rows, label, track_id = [], None, None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    for i, line in enumerate(lines):
        where = f'{path}, line {i + 1}'
        numbers_part, quote, rest = line.partition('"')
        tokens = numbers_part.split()
        if not quote or '"' not in rest or len(tokens) != len(_VATIC_COLUMNS):
            raise AnnotationError(
                f'{where}: expected {len(_VATIC_COLUMNS)} numbers '
                f'({" ".join(_VATIC_COLUMNS)}) and a "label", got {line.strip()!r}')
        try:
            values = [float(t) for t in tokens]
        except ValueError:
            bad = next(t for t in tokens if not _is_number(t))
            raise AnnotationError(f'{where}: {bad!r} is not a number: {line.strip()!r}') from None
        fields = dict(zip(_VATIC_COLUMNS, values))
        for flag in ('lost', 'occluded', 'generated'):
            if fields[flag] not in (0, 1):
                raise AnnotationError(f'{where}: {flag} flag {tokens[_VATIC_COLUMNS.index(flag)]!r}'
                                      f' is not 0 or 1: {line.strip()!r}')
        if track_id is None:
            track_id, label = fields['track_id'], rest.partition('"')[0]
        elif fields['track_id'] != track_id:
            raise AnnotationError(f'{where}: track id {tokens[0]} differs from the first line\'s '
                                  f'{track_id:g} (NfS files hold one track)')
        rows.append([fields[k] for k in ('xmin', 'ymin', 'xmax', 'ymax', 'lost', 'occluded')])
    if not rows:
        raise AnnotationError(f'{path}: empty, expected one VATIC line per frame')
    return np.array(rows, dtype=np.float32), label


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
