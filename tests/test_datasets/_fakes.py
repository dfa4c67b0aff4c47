"""Writers of tiny benchmark trees in the official formats (no real data needed).

Every writer takes plain numbers and writes the files exactly as the benchmark ships them.
Frames are empty files unless ``images=True`` (then small real JPEGs), because indexing never
opens an image.
"""
import json
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np


def _write(path: str, text: str) -> str:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', newline='\n') as f:
        f.write(text)
    return path


def write_frames(directory: str, numbers: Iterable[int], name_format: str = '{:08d}.jpg',
                 images: bool = False, size_wh=(64, 48)) -> List[str]:
    """Write frames ``name_format.format(n)``: empty files, or solid-colour JPEGs whose blue
    channel is ``n % 256`` when ``images``."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for n in numbers:
        path = osp.join(directory, name_format.format(n))
        if images:
            import cv2
            img = np.zeros((size_wh[1], size_wh[0], 3), np.uint8)
            img[..., 0] = n % 256
            cv2.imwrite(path, img)
        else:
            open(path, 'wb').close()
        paths.append(path)
    return paths


def boxes_text(bboxes, sep: str = ',', fmt: str = '{:.4f}') -> str:
    """One line per box (any number of values), values joined by ``sep``."""
    return ''.join(sep.join(fmt.format(v) for v in box) + '\n' for box in bboxes)


def lines_text(values) -> str:
    return ''.join(f'{int(v)}\n' for v in values)


def random_boxes(num: int, seed: int = 0, size_wh=(640, 480)) -> np.ndarray:
    """(num, 4) x, y, w, h boxes inside an image of ``size_wh``."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(10, size_wh[0] / 3, num)
    h = rng.uniform(10, size_wh[1] / 3, num)
    x = rng.uniform(0, size_wh[0] - w)
    y = rng.uniform(0, size_wh[1] - h)
    return np.round(np.stack([x, y, w, h], axis=1), 4).astype(np.float32)


# ---------------------------------------------------------------------- GOT-10k
def got10k_meta_info(resolution=(640, 480), object_class='ichneumon') -> str:
    return ('[METAINFO]\nurl: https://youtu.be/xxxxxxxxxxx\nbegin: 00:00:04\nend: 00:00:09\n'
            f'anno_fps: 10Hz\nobject_class: {object_class}\nmotion_class: walking\n'
            'major_class: viverrine\nroot_class: animal\nmotion_adverb: slowly\n'
            f'resolution: ({resolution[0]}, {resolution[1]})\n')


def write_got10k_sequence(split_dir: str, name: str, bboxes, absence=None, cover=None,
                          cut=None, resolution=(640, 480), num_frames: Optional[int] = None,
                          images: bool = False) -> str:
    """One GOT-10k sequence folder. ``None`` label arrays are not written (file missing);
    ``resolution=None`` writes no meta_info.ini; frames are written when ``num_frames``."""
    seq_dir = osp.join(split_dir, name)
    _write(osp.join(seq_dir, 'groundtruth.txt'), boxes_text(bboxes))
    for file_name, values in (('absence.label', absence), ('cover.label', cover),
                              ('cut_by_image.label', cut)):
        if values is not None:
            _write(osp.join(seq_dir, file_name), lines_text(values))
    if resolution is not None:
        _write(osp.join(seq_dir, 'meta_info.ini'), got10k_meta_info(resolution))
    if num_frames:
        write_frames(seq_dir, range(1, num_frames + 1), images=images)
    return seq_dir


def write_got10k_split(root: str, split: str, sequences: Dict[str, dict],
                       with_list: bool = True) -> str:
    """A GOT-10k split folder; ``sequences`` maps names to kwargs of
    :func:`write_got10k_sequence`."""
    split_dir = osp.join(root, split)
    os.makedirs(split_dir, exist_ok=True)
    for name, seq in sequences.items():
        write_got10k_sequence(split_dir, name, **seq)
    if with_list:
        _write(osp.join(split_dir, 'list.txt'), ''.join(f'{n}\n' for n in sequences))
    return split_dir


def make_got10k(root: str, num_train: int = 4, num_frames: int = 6, images: bool = False):
    """A small GOT-10k with train (full labels), val and test (first box only) splits."""
    train = {}
    for i in range(num_train):
        n = num_frames + i
        train[f'GOT-10k_Train_{i + 1:06d}'] = dict(
            bboxes=random_boxes(n, seed=i), absence=[0] * n, cover=[8] * n, cut=[0] * n,
            num_frames=n if images else None, images=images)
    write_got10k_split(root, 'train', train)
    val = {f'GOT-10k_Val_{i + 1:06d}': dict(
        bboxes=random_boxes(num_frames, seed=100 + i), absence=[0] * num_frames,
        cover=[8] * num_frames, cut=[0] * num_frames, num_frames=num_frames, images=images)
        for i in range(2)}
    write_got10k_split(root, 'val', val)
    test = {f'GOT-10k_Test_{i + 1:06d}': dict(
        bboxes=random_boxes(1, seed=200 + i), resolution=None, num_frames=num_frames + i,
        images=images) for i in range(2)}
    write_got10k_split(root, 'test', test)
    return train, val, test


# ---------------------------------------------------------------------- LaSOT
def write_lasot_sequence(root: str, name: str, bboxes, full_occlusion=None, out_of_view=None,
                         num_frames: Optional[int] = None) -> str:
    """``<class>/<name>/`` with ``groundtruth.txt`` (integer x,y,w,h as LaSOT writes them) and
    the one-line flag files (``None`` = not written)."""
    seq_dir = osp.join(root, name.rsplit('-', 1)[0], name)
    _write(osp.join(seq_dir, 'groundtruth.txt'), boxes_text(bboxes, fmt='{:.0f}'))
    for file_name, flags in (('full_occlusion.txt', full_occlusion),
                             ('out_of_view.txt', out_of_view)):
        if flags is not None:
            _write(osp.join(seq_dir, file_name), ','.join(str(int(v)) for v in flags) + '\n')
    _write(osp.join(seq_dir, 'nlp.txt'), f'the {name} in the video\n')
    if num_frames:
        write_frames(osp.join(seq_dir, 'img'), range(1, num_frames + 1))
    return seq_dir


def write_name_list(path: str, names: Sequence[str]) -> str:
    return _write(path, ''.join(f'{n}\n' for n in names))


# ---------------------------------------------------------------------- TrackingNet
def write_trackingnet_video(root: str, chunk: str, name: str, bboxes,
                            num_frames: Optional[int] = None) -> None:
    """``<chunk>/anno/<name>.txt`` and (when ``num_frames``) ``<chunk>/frames/<name>/<i>.jpg``."""
    _write(osp.join(root, chunk, 'anno', f'{name}.txt'), boxes_text(bboxes, fmt='{:.2f}'))
    if num_frames:
        write_frames(osp.join(root, chunk, 'frames', name), range(num_frames), '{:d}.jpg')


# ---------------------------------------------------------------------- COCO
def write_coco(path: str, images: List[dict], annotations: List[dict],
               categories: Optional[List[dict]] = None) -> str:
    """An instances json (``images``: id, file_name, width, height; ``annotations``: id,
    image_id, category_id, bbox, area, iscrowd)."""
    categories = categories or [dict(id=1, name='person'), dict(id=18, name='dog')]
    return _write(path, json.dumps(dict(images=images, annotations=annotations,
                                        categories=categories)))


# ---------------------------------------------------------------------- VOT
def write_vot_sequence(root: str, name: str, regions: Sequence[Sequence[float]],
                       sequence_file: Optional[str] = 'channels.color=color/%08d.jpg\nfps=30\n',
                       num_frames: Optional[int] = None) -> None:
    """A VOT sequence: ``groundtruth.txt`` (4 or 8 values per line), ``sequence``, frames."""
    seq_dir = osp.join(root, name)
    _write(osp.join(seq_dir, 'groundtruth.txt'), boxes_text(regions, fmt='{:.2f}'))
    if sequence_file is not None:
        _write(osp.join(seq_dir, 'sequence'), sequence_file)
    if num_frames:
        write_frames(osp.join(seq_dir, 'color'), range(1, num_frames + 1))


# ---------------------------------------------------------------------- UAV123
def write_uav123_sequence(root: str, name: str, bboxes, version: str = 'UAV123',
                          attributes: Optional[Sequence[int]] = None) -> str:
    """``anno/<version>/<name>.txt`` (x,y,w,h, ``NaN`` rows as the release writes them) and,
    when given, ``anno/<version>/att/<name>.txt`` (one line of comma separated flags)."""
    lines = ''.join('NaN,NaN,NaN,NaN\n' if np.isnan(box).any()
                    else ','.join(f'{v:g}' for v in box) + '\n' for box in np.asarray(bboxes))
    path = _write(osp.join(root, 'anno', version, f'{name}.txt'), lines)
    if attributes is not None:
        _write(osp.join(root, 'anno', version, 'att', f'{name}.txt'),
               ','.join(str(int(a)) for a in attributes) + '\n')
    return path


def write_uav123_frames(root: str, folder: str, numbers: Iterable[int]) -> List[str]:
    """Frames ``data_seq/UAV123/<folder>/%06d.jpg`` (empty files)."""
    return write_frames(osp.join(root, 'data_seq', 'UAV123', folder), numbers, '{:06d}.jpg')


# ---------------------------------------------------------------------- NfS
def nfs_vatic_text(bboxes_xyxy, lost=None, occluded=None, first_frame_number: int = 1,
                   label: str = 'person', track_id: int = 1) -> str:
    """VATIC lines ``track_id xmin ymin xmax ymax frame lost occluded generated "label"``."""
    num = len(bboxes_xyxy)
    lost = np.zeros(num, int) if lost is None else lost
    occluded = np.zeros(num, int) if occluded is None else occluded
    return ''.join(
        f'{track_id} {b[0]:.0f} {b[1]:.0f} {b[2]:.0f} {b[3]:.0f} {first_frame_number + i} '
        f'{int(lost[i])} {int(occluded[i])} {i % 2} "{label}"\n'
        for i, b in enumerate(np.asarray(bboxes_xyxy)))


def write_nfs_sequence(root: str, name: str, annotation_text: str, num_frames: int,
                       fps: int = 30) -> str:
    """``<name>/<fps>/<name>.txt`` and ``num_frames`` frames ``<name>/<fps>/<name>/%05d.jpg``
    numbered from 1."""
    version_dir = osp.join(root, name, str(fps))
    _write(osp.join(version_dir, f'{name}.txt'), annotation_text)
    write_frames(osp.join(version_dir, name), range(1, num_frames + 1), '{:05d}.jpg')
    return version_dir


# ---------------------------------------------------------------------- TNL2K
def write_tnl2k_sequence(root: str, rel_dir: str, bboxes, language: Optional[str],
                         numbers: Iterable[int], name_format: str = '{:05d}.png',
                         images: bool = False) -> str:
    """``<rel_dir>/groundtruth.txt``, ``<rel_dir>/language.txt`` (not written for None) and
    the frames ``<rel_dir>/imgs/<name_format>``."""
    seq_dir = osp.join(root, rel_dir)
    _write(osp.join(seq_dir, 'groundtruth.txt'), boxes_text(bboxes, fmt='{:.0f}'))
    if language is not None:
        _write(osp.join(seq_dir, 'language.txt'), language)
    write_frames(osp.join(seq_dir, 'imgs'), numbers, name_format, images=images)
    return seq_dir
