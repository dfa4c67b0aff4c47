"""The files of the official GOT-10k layout, as text.

::

    <root>/<split>/list.txt                       one sequence name per line
    <root>/<split>/<sequence>/00000001.jpg ...     frames, 8 digits, numbered from 1
    <root>/<split>/<sequence>/groundtruth.txt      "x,y,w,h" per frame, 4 decimals
    <root>/<split>/<sequence>/absence.label        0 / 1 per frame (1 = target absent)
    <root>/<split>/<sequence>/cover.label          0 .. 8 per frame (visible-ratio level)
    <root>/<split>/<sequence>/cut_by_image.label   0 / 1 per frame (1 = cut by the border)
    <root>/<split>/<sequence>/meta_info.ini        "[METAINFO]" then "key: value" lines

``meta_info.ini`` keys come in GOT-10k's order (``url, begin_time, end_time, anno_fps,
object_class, motion_class, major_class, root_class, motion_adverb, resolution``): the
``got10k`` toolkit splits each line at ``': '``, and some loaders read the fields by line
number.
"""
from typing import Dict, Sequence

from .render import FrameLabel

#: Per-sequence annotation files, in the order they are hashed in the manifest.
LABEL_FILES = ('groundtruth.txt', 'absence.label', 'cover.label', 'cut_by_image.label',
               'meta_info.ini')

#: ``meta_info.ini`` keys, in GOT-10k's order.
META_KEYS = ('url', 'begin_time', 'end_time', 'anno_fps', 'object_class', 'motion_class',
             'major_class', 'root_class', 'motion_adverb', 'resolution')


def frame_filename(frame: int) -> str:
    """File name of 0-based frame ``frame``: ``00000001.jpg`` for frame 0."""
    return f'{frame + 1:08d}.jpg'


def format_label_files(labels: Sequence[FrameLabel], meta: Dict[str, str]) -> Dict[str, str]:
    """Contents of the annotation files of one sequence.

    Args:
        labels (Sequence[FrameLabel]): Labels of every frame, in order.
        meta (dict[str, str]): ``meta_info.ini`` fields; must have exactly :data:`META_KEYS`.

    Returns:
        dict[str, str]: File name (each of :data:`LABEL_FILES`) -> text.
    """
    if tuple(meta) != META_KEYS:
        raise ValueError(f'meta_info fields must be {META_KEYS}, got {tuple(meta)}.')
    bad = [f'{key}: {value!r}' for key, value in meta.items() if ': ' in value or '\n' in value]
    if bad:
        raise ValueError(f'meta_info values must not contain ": " or newlines: {bad}.')
    return {
        'groundtruth.txt': ''.join('{:.4f},{:.4f},{:.4f},{:.4f}\n'.format(*label.bbox_xywh)
                                   for label in labels),
        'absence.label': ''.join(f'{int(label.absent)}\n' for label in labels),
        'cover.label': ''.join(f'{label.cover}\n' for label in labels),
        'cut_by_image.label': ''.join(f'{int(label.cut_by_image)}\n' for label in labels),
        'meta_info.ini': '[METAINFO]\n' + ''.join(f'{k}: {v}\n' for k, v in meta.items()),
    }


def format_list_file(names: Sequence[str]) -> str:
    """Contents of a split's ``list.txt``."""
    return ''.join(f'{name}\n' for name in names)
