"""VOT challenge sequences (VOT2016..2019 short- and long-term boxes / polygons)."""
import os.path as osp
from typing import List, Tuple

import numpy as np

from procontext_mm.registry import DATASETS
from .annotation_parsers import (AnnotationError, escape_braces, printf_to_format, read_name_list,
                                 read_text, row_format_error, split_number_rows)
from .base_sot_dataset import BaseSOTDataset
from .index_cache import SOTIndex, SOTIndexBuilder


@DATASETS.register_module()
class VOTDataset(BaseSOTDataset):
    """A VOT challenge dataset in the layout the VOT toolkit downloads.

    Layout (``data_root`` = the folder of the challenge's sequences)::

        list.txt                          sequence names, one per line
        <seq>/sequence                    ``key=value`` lines; ``channels.color`` gives the
                                          frame pattern, e.g. ``color/%08d.jpg``
        <seq>/color/00000001.jpg ...      frames, numbered from 1
        <seq>/groundtruth.txt             one region per frame: ``x,y,w,h`` (axis-aligned) or
                                          ``x1,y1,x2,y2,x3,y3,x4,y4`` (rotated polygon)

    Defaults: without a ``sequence`` file (or its ``channels.color`` key) the frames are
    ``color/%08d.jpg`` if ``<seq>/color`` exists, else ``%08d.jpg`` in the sequence folder.
    Rows of NaN (the target is absent in long-term challenges) are invisible frames.
    Segmentation-mask regions (VOT2020+, lines starting with ``m``) are not supported and are
    an error naming the line.

    VOT2020+ sequences also hold ``anchor.value`` (the anchor frames of the multi-start
    experiment, :func:`vot_anchor_values`); :func:`vot_ground_truth` gives the regions as the
    toolkit reads them (rectangles kept as rectangles) for the VOT protocols.

    ``bboxes_xywh`` holds the axis-aligned bounding box of each region; the per-frame extra
    ``polygons`` float32 (L, 8) holds the region as four corners (x1, y1, ..., x4, y4), an
    axis-aligned rectangle given as its corners clockwise from the top-left.

    Args:
        list_file (str): Sequence list relative to ``data_root``. Defaults to ``'list.txt'``.
        **kwargs: See :class:`BaseSOTDataset`.
    """

    def __init__(self, list_file: str = 'list.txt', **kwargs) -> None:
        self.list_file = list_file
        super().__init__(**kwargs)

    def _index_params(self) -> dict:
        return dict(list_file=osp.join(self.data_root, self.list_file))

    def _list_sequences(self) -> List[str]:
        return read_name_list(osp.join(self.data_root, self.list_file))

    def _annotation_files(self, sequences: List[str]) -> List[str]:
        files = [osp.join(self.data_root, self.list_file)]
        for name in sequences:
            seq_dir = osp.join(self.data_root, name)
            files += [osp.join(seq_dir, 'sequence'), osp.join(seq_dir, 'groundtruth.txt'),
                      osp.join(seq_dir, 'color')]
        return files

    def _frame_pattern(self, name: str) -> str:
        """Frame template of sequence ``name`` relative to its folder."""
        seq_file = osp.join(self.data_root, name, 'sequence')
        try:
            text = read_text(seq_file)
        except FileNotFoundError:
            text = ''
        for i, line in enumerate(text.splitlines()):
            key, sep, value = line.partition('=')
            if sep and key.strip() == 'channels.color':
                try:
                    return printf_to_format(value.strip())
                except ValueError as e:
                    raise AnnotationError(f'{seq_file}, line {i + 1}: {e}') from None
        has_color = osp.isdir(osp.join(self.data_root, name, 'color'))
        return 'color/{:08d}.jpg' if has_color else '{:08d}.jpg'

    def _build_index(self, sequences: List[str]) -> SOTIndex:
        builder = SOTIndexBuilder(root=self.data_root)
        for name in sequences:
            ann_rel = osp.join(name, 'groundtruth.txt')
            polygons, bboxes = read_vot_regions(osp.join(self.data_root, ann_rel))
            builder.add_video(
                name=name,
                frame_template=osp.join(escape_braces(name), self._frame_pattern(name)),
                ann_file=ann_rel,
                bboxes_xywh=bboxes,
                visible=np.isfinite(polygons).all(axis=1),
                first_frame_index=1,
                polygons=polygons)
        return builder.build()


def read_vot_regions(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Read a VOT ``groundtruth.txt`` of rectangles and / or 4-point polygons.

    Returns:
        tuple[np.ndarray, np.ndarray]: polygons float32 (L, 8) ``x1, y1, ..., x4, y4`` and
        their axis-aligned boxes float32 (L, 4) ``x, y, w, h`` (NaN rows stay NaN).

    Raises:
        AnnotationError: Empty file, a mask region, or a line of neither 4 nor 8 numbers.
    """
    lines, rows = split_number_rows(path)
    if not rows:
        raise AnnotationError(f'{path}: empty, expected one region per frame')
    what = 'x,y,w,h or x1,y1,...,x4,y4'
    polygons = np.empty((len(rows), 8), np.float32)
    for width in {len(r) for r in rows}:
        picked = [i for i, r in enumerate(rows) if len(r) == width]
        if width not in (4, 8):
            i = picked[0]
            if lines[i].lstrip().startswith('m'):
                raise AnnotationError(f'{path}, line {i + 1}: segmentation-mask regions are not '
                                      'supported (only rectangles and 4-point polygons)')
            raise row_format_error(path, lines, rows, (4, 8), what)
        try:
            values = np.array([rows[i] for i in picked], dtype=np.float32)
        except ValueError:
            raise row_format_error(path, lines, rows, (4, 8), what) from None
        if width == 4:
            x, y, w, h = values.T
            values = np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=1)
        polygons[picked] = values
    xs, ys = polygons[:, 0::2], polygons[:, 1::2]
    with np.errstate(invalid='ignore'):
        x1, y1 = xs.min(axis=1), ys.min(axis=1)
        bboxes = np.stack([x1, y1, xs.max(axis=1) - x1, ys.max(axis=1) - y1], axis=1)
    return polygons, bboxes


def vot_ground_truth(dataset, video_id: int) -> List[np.ndarray]:
    """Ground-truth regions of a video, as the VOT toolkit reads them.

    For a :class:`VOTDataset` the regions of its ``groundtruth.txt``, read again from the
    file: a line of 4 values stays a rectangle ``x, y, w, h`` (rasterised over ``w`` columns)
    and a line of 8 values a polygon (the dataset's ``polygons`` turn rectangles into corner
    polygons, which rasterise one pixel wider). For other datasets, ``bboxes_xywh``.

    Args:
        dataset (BaseSOTDataset): The dataset.
        video_id (int): Video index in the dataset.

    Returns:
        list[np.ndarray]: L float64 regions, (4,) or (2N,), pixels (NaN rows as in the file).

    Raises:
        ValueError: If the file has another number of regions than the video has frames.
    """
    info = dataset.get_data_info(video_id)
    if 'polygons' not in info:
        return list(np.asarray(info['bboxes_xywh'], dtype=np.float64))
    path = osp.join(dataset.data_root, info['video_name'], 'groundtruth.txt')
    rows = split_number_rows(path)[1]
    if len(rows) != info['num_frames']:
        raise ValueError(f'{path}: {len(rows)} regions but sequence {info["video_name"]} has '
                         f'{info["num_frames"]} frames.')
    return [np.asarray(row, dtype=np.float64) for row in rows]


def vot_anchor_values(dataset, video_id: int) -> np.ndarray:
    """The ``anchor`` value channel of a VOT2020+ sequence (``<seq>/anchor.value``, one number
    per frame: > 0 starts a forward run of the multi-start experiment, < 0 a backward run).

    Returns:
        np.ndarray: (L,) float64; missing trailing lines are 0, as the toolkit pads them.

    Raises:
        FileNotFoundError: If the sequence has no ``anchor.value`` (not a multi-start dataset).
        ValueError: On a line that is not a number, or more lines than frames.
    """
    info = dataset.get_data_info(video_id)
    path = osp.join(dataset.data_root, info['video_name'], 'anchor.value')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} does not exist: sequence {info["video_name"]} has no '
                                'anchor frames (the multi-start experiment of VOT2020+ needs '
                                'the anchor.value of every sequence).')
    lines = [line.strip() for line in read_text(path).splitlines()]
    values = np.zeros(info['num_frames'])
    if len(lines) > len(values):
        raise ValueError(f'{path}: {len(lines)} lines but sequence {info["video_name"]} has '
                         f'{len(values)} frames.')
    for index, line in enumerate(lines):
        try:
            values[index] = float(line)
        except ValueError:
            raise ValueError(f'{path}, line {index + 1}: {line!r} is not a number.') from None
    return values
