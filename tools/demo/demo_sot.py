"""Track one object through a video, a camera or a stream; show it, record it.

    python tools/demo/demo_sot.py SOURCE --config CONFIG --checkpoint CKPT \
        [--init-bbox X Y W H | --init-bbox-xyxy X1 Y1 X2 Y2] [--gt groundtruth.txt] \
        [--out out.mp4 | --record out.mp4 | --out frames_dir] [--show] [--fps 25] \
        [--realtime | --no-realtime] [--loop] [--max-frames N] [--device cpu]

SOURCE is a video file, a folder of images (sorted by name), a camera index (``0``) or a stream
URL (``rtsp://``, ``http(s)://``, ``udp://``, ... or anything OpenCV's VideoCapture opens).
Each frame shows the predicted box with its confidence, the frame index, the tracking speed
(top-right; with the dropped frames in realtime mode), a banner where the dynamic templates
were refreshed, and the current template crops in the bottom-right corner. ``q`` / Esc in the
window, or Ctrl-C, stops; the recording is closed properly either way. See docs/demo.md.
"""
import argparse
import time
from typing import List, Optional

import numpy as np

from procontext_mm.apis import init_model, run_demo
from procontext_mm.datasets import LiveFrames, open_video_source
from procontext_mm.datasets.annotation_parsers import parse_number_rows
from procontext_mm.models.sot import check_init_bbox
from procontext_mm.structures import TrackingResult, bbox_xywh_to_xyxy
from procontext_mm.utils.precision import TRACKING_PRECISIONS
from procontext_mm.visualization import display_available


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Single-object tracking demo: track a target in a video, a camera or a '
        'stream; show it in a window and / or record it.')
    parser.add_argument('source', metavar='SOURCE',
                        help='video file, folder of .jpg/.png frames (sorted by name), camera '
                        'index (0) or stream URL (rtsp://, http(s)://, udp://, ...)')
    parser.add_argument('--config', required=True, help='tracker config file')
    parser.add_argument('--checkpoint', help='checkpoint (of this package or of the authors); '
                        'without it the weights are random')
    box = parser.add_mutually_exclusive_group()
    box.add_argument(
        '--init-bbox', type=float, nargs=4, metavar=('X', 'Y', 'W', 'H'),
        help='target in the first frame: top-left corner x, y and width, height, in pixels '
        '(xywh, as in groundtruth.txt files). Without a box: the first box of --gt, else one '
        'drawn with the mouse on the first frame (needs a display)')
    box.add_argument(
        '--init-bbox-xyxy', type=float, nargs=4, metavar=('X1', 'Y1', 'X2', 'Y2'),
        help='the same target as corners: top-left x1, y1 and bottom-right x2, y2, in pixels')
    parser.add_argument('--gt', metavar='FILE',
                        help='ground truth of a video file or folder, one "x,y,w,h" line per '
                        'frame (GOT-10k / LaSOT groundtruth.txt), drawn dashed')
    parser.add_argument('--out', '--record', dest='out', metavar='OUT',
                        help='record what is shown: .mp4 / .avi, or a folder (no extension) of '
                        'PNG frames')
    parser.add_argument('--fps', type=float,
                        help='frames per second of the recording (default: the source\'s, else '
                        '25)')
    parser.add_argument('--show', action='store_true',
                        help='show the frames in a window (q / Esc stops); ignored, with a '
                        'message, where there is no display')
    parser.add_argument('--realtime', action=argparse.BooleanOptionalAction,
                        help='track the newest frame and drop the ones that came in while the '
                        'tracker was busy (the box follows the present; dropped frames are '
                        'counted). Default: on for cameras and streams, off for files and '
                        'folders (every frame is tracked)')
    parser.add_argument('--loop', action='store_true',
                        help='play a video file endlessly, as a live source (stop with '
                        '--max-frames, q / Esc or Ctrl-C)')
    parser.add_argument('--max-frames', type=int, metavar='N', help='stop after N frames')
    parser.add_argument('--timeout', type=float, default=10.,
                        help='seconds to wait for a stream to open and for each of its frames '
                        '(default: 10)')
    parser.add_argument('--device', default='cpu', help='device, e.g. cpu or cuda:0')
    parser.add_argument('--precision', choices=TRACKING_PRECISIONS,
                        help="tracking precision (default: the config's, fp32): bf16, or auto = "
                        'bf16 where the device multiplies bfloat16 natively (2.1-2.5x faster than '
                        'fp32 on such CPUs, docs/speed.md)')
    args = parser.parse_args(argv)
    if args.out is None and not args.show:
        parser.error('nothing to do: give --out / --record and / or --show')
    if args.max_frames is not None and args.max_frames < 1:
        parser.error(f'--max-frames must be at least 1, got {args.max_frames}')
    return args


def select_bbox_xywh(frame: np.ndarray, source: str) -> List[float]:
    """Let the user draw the target on the first frame (OpenCV window).

    Returns:
        list[float]: The box x, y, w, h in pixels (top-left corner and size).

    Raises:
        RuntimeError: Without a display, an OpenCV without GUI support, or an empty selection.
    """
    hint = 'pass the box with --init-bbox X Y W H'
    if not display_available():
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


def initial_bbox_xyxy(args: argparse.Namespace, frames,
                      gt_xywh: Optional[np.ndarray]) -> List[float]:
    """The target on the first frame, x1, y1, x2, y2 pixels, checked against its size.

    Raises:
        ValueError: For a box with non-positive size or outside the first frame (the message
            names the option, the box and the source).
        RuntimeError: Without any box and no display to draw one on.
    """
    first_frame = frames.first_frame
    if args.init_bbox is not None:
        option, given = '--init-bbox X Y W H', args.init_bbox
        bbox_xyxy = bbox_xywh_to_xyxy(args.init_bbox).tolist()
    elif args.init_bbox_xyxy is not None:
        option, given = '--init-bbox-xyxy X1 Y1 X2 Y2', args.init_bbox_xyxy
        bbox_xyxy = list(args.init_bbox_xyxy)
    elif gt_xywh is not None:
        option, given = f'the first box of {args.gt} (x, y, w, h)', gt_xywh[0].tolist()
        bbox_xyxy = bbox_xywh_to_xyxy(gt_xywh[0]).tolist()
    else:
        option = 'the box drawn'
        given = select_bbox_xywh(first_frame, frames.describe(0))
        bbox_xyxy = bbox_xywh_to_xyxy(given).tolist()
    try:
        check_init_bbox(bbox_xyxy, *first_frame.shape[:2])
    except ValueError as error:
        raise ValueError(f'{frames.describe(0)}: {option} = {[float(v) for v in given]}: '
                         f'{error}') from None
    return bbox_xyxy


def main(argv: Optional[List[str]] = None) -> TrackingResult:
    """Run the demo with command-line arguments ``argv`` (default: ``sys.argv``)."""
    args = parse_args(argv)
    show = args.show and display_available()
    if args.show and not show:
        print('--show: no display ($DISPLAY is not set), running without a window.')
    frames = open_video_source(args.source, loop=args.loop, realtime=args.realtime,
                               timeout=args.timeout)
    try:
        live = isinstance(frames, LiveFrames)
        gt_xywh = None
        if args.gt is not None:
            if live:
                raise ValueError(f'--gt {args.gt}: ground truth needs every frame of a video '
                                 f'file or folder, in order; {frames.name} is read as a live '
                                 'source (no --loop / --realtime with --gt)')
            gt_xywh = parse_number_rows(args.gt)
        init_bbox_xyxy = initial_bbox_xyxy(args, frames, gt_xywh)
        model = init_model(args.config, args.checkpoint, device=args.device,
                           precision=args.precision)
        start = time.perf_counter()
        result = run_demo(model, frames, init_bbox_xyxy, out_path=args.out,
                          gt_bboxes_xyxy=None if gt_xywh is None else bbox_xywh_to_xyxy(gt_xywh),
                          fps=args.fps or frames.fps or 25., show=show, show_fps=True,
                          max_frames=args.max_frames)
        seconds = time.perf_counter() - start
    finally:
        if live:
            frames.close()
    if not len(result):  # a stop (Ctrl-C) before the first frame was tracked
        print('Tracked no frame.')
        return result
    print(f'Tracked {len(result)} frames: tracker {result.fps:.1f} FPS (init / track only), '
          f'demo {len(result) / seconds:.1f} FPS (reading, drawing and writing included).')
    if live and frames.realtime:
        # counted up to the last frame tracked (a stop can come between delivery and tracking)
        delivered = frames.source_index(len(result) - 1) + 1
        dropped = delivered - len(result)
        print(f'Realtime: {dropped} stale frames dropped ({dropped / delivered:.0%} of the '
              f'{delivered} frames the source delivered meanwhile).')
    print(f'Dynamic templates refreshed on frames {result.update_frames or "none"}.')
    if args.out is not None:
        print(f'Wrote {args.out}')
    return result


if __name__ == '__main__':
    main()
