"""Tiny VOT data and tiny tracker config files for the API tests (a uniquely named module:
``conftest`` is ambiguous)."""
import os
import os.path as osp
import pprint
from pathlib import Path

import cv2
import numpy as np

from procontext_mm.testing import moving_square_video, tiny_tracker_cfg

REPO = Path(__file__).resolve().parents[2]
TRAX_SCRIPT = REPO / 'tools' / 'vot' / 'procontext_trax.py'


def write_tiny_config(path) -> str:
    """A config file holding :func:`tiny_tracker_cfg` (what the TraX entry point loads)."""
    path = str(path)
    with open(path, 'w') as f:
        f.write("default_scope = 'procontext_mm'\nmodel = " + pprint.pformat(tiny_tracker_cfg())
                + '\n')
    return path


def write_static_box_config(path) -> str:
    """A config file of the static-box baseline (it fails once the square has moved away)."""
    path = str(path)
    with open(path, 'w') as f:
        f.write("default_scope = 'procontext_mm'\nmodel = dict(type='StaticBoxTracker')\n")
    return path


def write_vot_dataset(root, name: str = 'square', num_frames: int = 12) -> dict:
    """A VOT sequence of the moving square, regions as slightly rotated 4-point polygons.

    Returns:
        dict: ``root``, ``seq_dir``, ``polygons`` (L, 8) float64 and ``size_wh``.
    """
    root = str(root)
    frames, boxes_xyxy = moving_square_video(num_frames=num_frames)
    seq_dir = osp.join(root, name)
    os.makedirs(osp.join(seq_dir, 'color'), exist_ok=True)
    for index, frame in enumerate(frames):
        cv2.imwrite(osp.join(seq_dir, 'color', f'{index + 1:08d}.png'), frame)
    polygons = np.array([[x1 + 0.3, y1, x2, y1 + 1.2, x2 - 0.5, y2, x1, y2 - 0.7]
                         for x1, y1, x2, y2 in boxes_xyxy.astype(np.float64)])
    with open(osp.join(seq_dir, 'groundtruth.txt'), 'w') as f:
        f.writelines(','.join('%.4f' % v for v in row) + '\n' for row in polygons)
    height, width = frames[0].shape[:2]
    with open(osp.join(seq_dir, 'sequence'), 'w') as f:
        f.write(f'channels.color=color/%08d.png\nfps=30\nwidth={width}\nheight={height}\n')
    with open(osp.join(root, 'list.txt'), 'w') as f:
        f.write(name + '\n')
    return dict(root=root, seq_dir=seq_dir, polygons=polygons, size_wh=(width, height),
                frame_paths=[osp.join(seq_dir, 'color', f'{i + 1:08d}.png')
                             for i in range(num_frames)])
