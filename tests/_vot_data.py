"""VOT test data in the toolkit's layout, tiny tracker config files, and vot-toolkit 0.7 driving
our trackers in-process, for the API and engine tests (a uniquely named module: ``conftest`` is
ambiguous)."""
import contextlib
import os
import os.path as osp
import pprint
import time
from pathlib import Path
from typing import List, Optional, Sequence

import cv2
import numpy as np

from procontext_mm.testing import moving_square_video, tiny_tracker_cfg

REPO = Path(__file__).resolve().parents[1]
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


def write_vot_sequence(root: str, name: str, frames: List[np.ndarray], regions,
                       anchor_values: Optional[Sequence[int]] = None) -> str:
    """One sequence in the layout the VOT toolkit downloads: ``<root>/<name>/color/%08d.png``,
    ``groundtruth.txt``, ``sequence`` (fps 30, the frames' width and height) and, for the
    multi-start stacks, ``anchor.value``.

    Args:
        frames: BGR uint8 images (H, W, 3).
        regions: (L, 4) rectangles x, y, w, h or (L, 8) polygons x1, y1, ..., x4, y4 in pixels,
            0-based; a NaN row is a frame without the target (written ``NaN,...``).
        anchor_values: per frame, written one a line to ``anchor.value`` (> 0 forward anchor,
            < 0 backward anchor, 0 none); None writes no file.

    Returns:
        str: the sequence folder.
    """
    seq_dir = osp.join(root, name)
    os.makedirs(osp.join(seq_dir, 'color'), exist_ok=True)
    for index, frame in enumerate(frames):
        cv2.imwrite(osp.join(seq_dir, 'color', f'{index + 1:08d}.png'), frame)
    with open(osp.join(seq_dir, 'groundtruth.txt'), 'w') as f:
        f.writelines(','.join('NaN' if np.isnan(v) else f'{v:.4f}' for v in row) + '\n'
                     for row in np.asarray(regions, dtype=np.float64))
    if anchor_values is not None:
        with open(osp.join(seq_dir, 'anchor.value'), 'w') as f:
            f.writelines(f'{value}\n' for value in anchor_values)
    height, width = frames[0].shape[:2]
    with open(osp.join(seq_dir, 'sequence'), 'w') as f:
        f.write(f'channels.color=color/%08d.png\nfps=30\nwidth={width}\nheight={height}\n')
    return seq_dir


def write_vot_list(root: str, names: Sequence[str]) -> str:
    """``<root>/list.txt``, the sequence names one a line; returns ``root``."""
    with open(osp.join(root, 'list.txt'), 'w') as f:
        f.write(''.join(name + '\n' for name in names))
    return root


def write_vot_dataset(root, name: str = 'square', num_frames: int = 12) -> dict:
    """A VOT sequence of the moving square, regions as slightly rotated 4-point polygons.

    Returns:
        dict: ``root``, ``seq_dir``, ``polygons`` (L, 8) float64 and ``size_wh``.
    """
    root = str(root)
    frames, boxes_xyxy = moving_square_video(num_frames=num_frames)
    polygons = np.array([[x1 + 0.3, y1, x2, y1 + 1.2, x2 - 0.5, y2, x1, y2 - 0.7]
                         for x1, y1, x2, y2 in boxes_xyxy.astype(np.float64)])
    seq_dir = write_vot_sequence(root, name, frames, polygons)
    write_vot_list(root, [name])
    height, width = frames[0].shape[:2]
    return dict(root=root, seq_dir=seq_dir, polygons=polygons, size_wh=(width, height),
                frame_paths=[osp.join(seq_dir, 'color', f'{i + 1:08d}.png')
                             for i in range(num_frames)])


class ToolkitRuntime:
    """A vot-toolkit tracker runtime calling our tracker in-process (instead of over TraX):
    initialised on the bounding rectangle of the region, reporting rectangles and the
    measured time."""

    def __init__(self, tracker):
        self.tracker, self.multiobject = tracker, False

    def initialize(self, frame, region, properties=None):
        from vot.region.shapes import Rectangle
        from vot.tracker import ObjectStatus
        bounds = region if isinstance(region, Rectangle) else region.convert(
            region.type.RECTANGLE)
        x, y, w, h = bounds.x, bounds.y, bounds.width, bounds.height
        start = time.perf_counter()
        self.tracker.init(cv2.imread(frame.filename()), [x, y, x + w, y + h])  # BGR, as ours
        return ObjectStatus(region, {}), time.perf_counter() - start

    def update(self, frame, properties=None):
        from vot.region.shapes import Rectangle
        from vot.tracker import ObjectStatus
        start = time.perf_counter()
        (x1, y1, x2, y2), _ = self.tracker.track(cv2.imread(frame.filename()))
        return ObjectStatus(Rectangle(x1, y1, x2 - x1, y2 - y1), {}), time.perf_counter() - start


def toolkit_experiment(experiment_cls, result_root: str, tracker=None, **kwargs):
    """vot-toolkit's ``experiment_cls`` (e.g. ``SupervisedExperiment``,
    ``MultiStartExperiment``) named 'baseline', reading / writing its trajectories in
    ``<result_root>/<seq>/`` and running ``tracker`` through :class:`ToolkitRuntime` (None:
    only for analysing results already there). ``kwargs`` go to the experiment."""
    from vot.tracker.results import Results
    from vot.workspace.storage import LocalStorage

    class Experiment(experiment_cls):

        def results(self, tracker_, sequence):
            return Results(LocalStorage(osp.join(result_root, sequence.name)))

        def _get_runtime(self, tracker_, sequence, multiobject=False):
            return contextlib.nullcontext(ToolkitRuntime(tracker))

    return Experiment('baseline', None, **kwargs)
