"""Track one object through a video and write a video of the result.

    python tools/demo/demo_sot.py VIDEO --config CONFIG --checkpoint CKPT \
        --init-bbox X Y W H [--out out.mp4 | --out frames_dir] [--gt groundtruth.txt] \
        [--fps 25] [--show] [--device cpu]

VIDEO is a video file or a folder of images (sorted by name). Each output frame shows the
predicted box with its confidence, the frame index, and a banner where the dynamic templates
were refreshed, plus the current template crops in the bottom-right corner.
"""
import argparse
import os
from typing import List, Optional

import numpy as np

from procontext_mm.apis import init_model, run_demo
from procontext_mm.datasets import VideoFrames
from procontext_mm.datasets.annotation_parsers import parse_number_rows
from procontext_mm.structures import TrackingResult, bbox_xywh_to_xyxy


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Single-object tracking demo: track a target and write a video of it.')
    parser.add_argument('video', help='video file, or folder of .jpg/.png frames (sorted by name)')
    parser.add_argument('--config', required=True, help='tracker config file')
    parser.add_argument('--checkpoint', help='checkpoint (of this package or of the authors); '
                        'without it the weights are random')
    parser.add_argument(
        '--init-bbox', type=float, nargs=4, metavar=('X', 'Y', 'W', 'H'),
        help='target in the first frame: top-left corner x, y and width, height, in pixels '
        '(xywh). Without it: the first box of --gt, else a box drawn with the mouse when a '
        'display is available')
    parser.add_argument('--gt', metavar='FILE',
                        help='ground truth, one "x,y,w,h" line per frame (GOT-10k / LaSOT '
                        'groundtruth.txt), drawn dashed')
    parser.add_argument('--out', help='output .mp4 / .avi, or a folder (no extension) of PNG '
                        'frames')
    parser.add_argument('--fps', type=float,
                        help='frames per second of the output (default: the input video\'s, '
                        'else 25)')
    parser.add_argument('--show', action='store_true', help='show the frames while tracking '
                        '(needs a display)')
    parser.add_argument('--device', default='cpu', help='device, e.g. cpu or cuda:0')
    args = parser.parse_args(argv)
    if args.out is None and not args.show:
        parser.error('nothing to do: give --out and / or --show')
    if args.show and not os.environ.get('DISPLAY'):
        parser.error('--show needs a display ($DISPLAY is not set); use --out')
    return args


def select_bbox_xywh(frame: np.ndarray, source: str) -> List[float]:
    """Let the user draw the target on the first frame (OpenCV window).

    Raises:
        RuntimeError: Without a display, an OpenCV without GUI support, or an empty selection.
    """
    hint = 'pass the box with --init-bbox X Y W H'
    if not os.environ.get('DISPLAY'):
        raise RuntimeError(f'No --init-bbox and no display ($DISPLAY is not set) to draw the '
                           f'box on: {hint}')
    import cv2
    try:
        x, y, w, h = cv2.selectROI(f'Draw the target on {source}, then press Enter', frame,
                                   showCrosshair=False, fromCenter=False)
        cv2.destroyAllWindows()
    except cv2.error as error:
        raise RuntimeError(f'This OpenCV cannot open a window ({error.err}): {hint}') from None
    if w <= 0 or h <= 0:
        raise RuntimeError(f'No box was drawn: {hint}')
    return [float(x), float(y), float(w), float(h)]


def main(argv: Optional[List[str]] = None) -> TrackingResult:
    """Run the demo with command-line arguments ``argv`` (default: ``sys.argv``)."""
    args = parse_args(argv)
    frames = VideoFrames(args.video)
    gt_bboxes_xyxy = None
    if args.gt is not None:
        gt_xywh = parse_number_rows(args.gt)
        gt_bboxes_xyxy = bbox_xywh_to_xyxy(gt_xywh)
    if args.init_bbox is not None:
        init_bbox_xywh = args.init_bbox
    elif gt_bboxes_xyxy is not None:
        init_bbox_xywh = gt_xywh[0]
    else:
        init_bbox_xywh = select_bbox_xywh(next(iter(frames)), frames.describe(0))
    fps = args.fps or frames.fps or 25.

    model = init_model(args.config, args.checkpoint, device=args.device)
    result = run_demo(model, frames, bbox_xywh_to_xyxy(init_bbox_xywh).tolist(),
                      out_path=args.out, gt_bboxes_xyxy=gt_bboxes_xyxy, fps=fps, show=args.show)
    print(f'\nTracked {len(result)} frames at {result.fps:.1f} FPS; dynamic templates refreshed '
          f'on frames {result.update_frames or "none"}.')
    if args.out is not None:
        print(f'Wrote {args.out}')
    return result


if __name__ == '__main__':
    main()
