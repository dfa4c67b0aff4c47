"""How much a faster network (bfloat16, ONNX Runtime fp32 / int8) changes a tracker: accuracy,
arg-max cells and boxes against the float32 PyTorch network.

    python tools/analysis_tools/precision_agreement.py CONFIG CHECKPOINT [--compare bf16] \\
        [--cfg-options test_dataloader.dataset.data_root=...] [--max-videos N] [--first-frames 20]

On the videos of the config's test dataset it reports:
  * AO (GOT-10k protocol: mean IoU over the frames with a visible target) of the float32 tracker
    and of the tracker with the compared network (``--compare``: ``bf16``, ``ort-fp32``,
    ``ort-int8`` or ``ort-int8-all``, as in ``benchmark.py``; the ONNX Runtime ones need the
    ``deploy`` extra), each running freely;
  * on the float32 tracker's own path (same crops and templates fed to both networks), the
    share of frames whose arg-max cell of the windowed score map is the same with the compared
    network, and the largest / mean box difference there, in search-crop pixels;
  * the largest box-coordinate difference (image pixels) between the two free-running
    trajectories over the first N frames of every video, and the frame where they first part
    (IoU between the two boxes below 0.5);
  * a control: AO of the float32 tracker with Gaussian noise of ``--control-noise`` added to its
    normalised crops (1e-3 is 6% of one grey level). A tracker's trajectory is chaotic: after
    one frame's box moves by a fraction of a pixel, the videos go on differently, so this row
    shows how far AO moves under a change nobody could see.
CHECKPOINT may be this package's or the authors' (``{'net': ...}``), or ``none``.
"""
import argparse
import os.path as osp
from typing import Callable, Dict, List

import numpy as np
import torch
from mmengine.config import Config, DictAction
from torch import Tensor

from procontext_mm.apis import init_model, track_video
from procontext_mm.datasets import VideoFrames
from procontext_mm.evaluation.functional import bbox_iou_xywh, eval_got10k
from procontext_mm.models.heads.center_head import CenterHeadOutput
from procontext_mm.registry import DATASETS
from procontext_mm.structures import bbox_xyxy_to_xywh


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='bfloat16 vs float32 tracking: AO, arg-max agreement, box deviation',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='checkpoint, or "none" for the config\'s init')
    parser.add_argument('--compare', choices=COMPARED_NETWORKS, default='bf16',
                        help='the network compared with float32 PyTorch (default: bf16)')
    parser.add_argument('--max-videos', type=int, help='only the first N videos')
    parser.add_argument('--first-frames', type=int, default=20,
                        help='frames over which the free-running trajectories are compared')
    parser.add_argument('--control-noise', type=float, default=1e-3,
                        help='std of the noise added to the normalised crops in the control run '
                        '(0: no control run)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    return parser.parse_args(argv)


#: Networks compared with float32 PyTorch.
COMPARED_NETWORKS = ('bf16', 'ort-fp32', 'ort-int8', 'ort-int8-all')


def compared_network(model, name: str) -> Callable[[Tensor, Tensor], CenterHeadOutput]:
    """The network ``name`` (:data:`COMPARED_NETWORKS`) of ``model``'s weights:
    (templates, search) -> maps, as ``model.tracking_forward``."""
    if name == 'bf16':
        def bf16_forward(templates, search):
            model.tracking_precision = 'bf16'
            try:
                return type(model).tracking_forward(model, templates, search)
            finally:
                model.tracking_precision = 'fp32'
        return bf16_forward
    if name.startswith('ort-'):
        from procontext_mm.deployment import build_onnxruntime_network
        if name == 'ort-int8-all':
            return build_onnxruntime_network(model, precision='int8', int8_float_modules=())
        return build_onnxruntime_network(model, precision=name[len('ort-'):])
    raise ValueError(f'--compare must be one of {COMPARED_NETWORKS}, got {name!r}')


class PairedForward:
    """Stands in for a tracker's ``tracking_forward``: runs the float32 network (whose maps
    the tracker goes on with) and the compared one on the same crops, and records where the
    two disagree.

    Attributes:
        same_cell (list[bool]): per tracked frame, whether the arg-max cells of the windowed
            score maps are equal.
        box_diff_px (list[float]): per tracked frame, the largest |difference| of the decoded
            boxes (cx, cy, w, h), search-crop pixels.
    """

    def __init__(self, model, compared: Callable[[Tensor, Tensor], CenterHeadOutput]):
        self.model = model
        self.compared = compared
        self.same_cell: List[bool] = []
        self.box_diff_px: List[float] = []

    def _cell_and_box(self, maps: CenterHeadOutput):
        model = self.model
        response = maps.score_map
        if model.output_window is not None:
            response = response * model.output_window
        cell = int(response.flatten(1).argmax(dim=1))
        box, _ = model.head.decode(response, maps.offset_map, maps.size_map)
        return cell, box[0] * model.test_cfg['search_size']

    def __call__(self, templates, search):
        low_cell, low_box = self._cell_and_box(self.compared(templates, search))
        maps = self.model.forward_crops(templates, search)
        cell, box = self._cell_and_box(maps)
        self.same_cell.append(low_cell == cell)
        self.box_diff_px.append(float((low_box - box).abs().max()))
        return maps


def diverge_frame(boxes_a_xyxy: np.ndarray, boxes_b_xyxy: np.ndarray,
                  min_iou: float = 0.5) -> int:
    """First frame where two trajectories' boxes overlap with IoU < ``min_iou``; their length
    if they never do."""
    ious = bbox_iou_xywh(bbox_xyxy_to_xywh(boxes_a_xyxy), bbox_xyxy_to_xywh(boxes_b_xyxy))
    parted = np.flatnonzero(ious < min_iou)
    return int(parted[0]) if len(parted) else len(ious)


def noisy_crops(model, noise_std: float, seed: int = 0):
    """A stand-in for ``model._crops_to_tensor`` that adds N(0, noise_std) to the normalised
    crops (seeded, so the control run repeats)."""
    to_tensor, generator = model._crops_to_tensor, torch.Generator().manual_seed(seed)

    def crops_to_tensor(crops):
        tensor = to_tensor(crops)
        return tensor + noise_std * torch.randn(tensor.shape, generator=generator).to(tensor)

    return crops_to_tensor


def track_videos(model, videos: List[dict], noise_std: float = 0.,
                 forward=None) -> Dict[str, np.ndarray]:
    """(L, 4) xyxy boxes of every video tracked in float32, or with noisy crops
    (:func:`noisy_crops`), or with another network (``forward`` shadows the tracker's
    ``tracking_forward``)."""
    if noise_std:
        model._crops_to_tensor = noisy_crops(model, noise_std)
    if forward is not None:
        model.tracking_forward = forward
    try:
        boxes = {}
        for video in videos:
            init_xyxy = video['bboxes_xywh'][0].copy()
            init_xyxy[2:] += init_xyxy[:2]
            boxes[video['name']] = track_video(model, video['frames'], init_xyxy).bboxes_xyxy
        return boxes
    finally:  # drop the instance attributes: the class's methods show through again
        vars(model).pop('_crops_to_tensor', None)
        vars(model).pop('tracking_forward', None)


def compare_precisions(model, videos: List[dict], first_frames: int,
                       control_noise: float = 0., compare: str = 'bf16') -> Dict[str, object]:
    """Track every video with the float32 network, with the compared one, in float32 with
    paired forwards of both and, if ``control_noise``, in float32 with noisy crops.

    Args:
        model: A :class:`ProContEXT` tracker tracking in float32 PyTorch.
        videos (list[dict]): ``name``, ``frames`` (:class:`VideoFrames`), ``bboxes_xywh``
            (L, 4) ground truth pixels, ``visible`` (L,) bool.
        first_frames (int): Frames over which the free trajectories are compared.
        control_noise (float): Std of the control run's crop noise; 0 runs no control.
        compare (str): The compared network, :data:`COMPARED_NETWORKS`.

    Returns:
        dict: ``ao`` (run -> fraction: ``fp32``, ``compare``, ``fp32 + noise``), ``same_cell``
        (share of frames), ``box_diff_px`` (max, mean; search-crop px), ``free_diff_px`` (max
        over the first frames; image px), ``diverge_frames`` (video name -> first frame where
        the trajectories part).
    """
    if model.test_cfg['precision'] != 'fp32' or model.network_backend is not None:
        raise ValueError('compare_precisions needs a tracker tracking in float32 PyTorch, got '
                         f"precision {model.test_cfg['precision']!r}, backend "
                         f'{model.network_backend!r}')
    network = compared_network(model, compare)
    boxes = {'fp32': track_videos(model, videos),
             compare: track_videos(model, videos, forward=network)}
    if control_noise:
        boxes['fp32 + noise'] = track_videos(model, videos, noise_std=control_noise)
    paired = PairedForward(model, network)
    track_videos(model, videos, forward=paired)
    names = [video['name'] for video in videos]
    ao = {
        run: eval_got10k([bbox_xyxy_to_xywh(per_video[n]) for n in names],
                         [video['bboxes_xywh'] for video in videos],
                         [video['visible'] for video in videos], seq_names=names)['ao']
        for run, per_video in boxes.items()}
    free_diff = max(float(np.abs(boxes[compare][n][:first_frames]
                                 - boxes['fp32'][n][:first_frames]).max()) for n in names)
    return dict(ao=ao, same_cell=float(np.mean(paired.same_cell)),
                box_diff_px=(max(paired.box_diff_px), float(np.mean(paired.box_diff_px))),
                free_diff_px=free_diff,
                diverge_frames={n: diverge_frame(boxes['fp32'][n], boxes[compare][n])
                                for n in names},
                num_frames=len(paired.same_cell))


def load_videos(cfg: Config, max_videos=None) -> List[dict]:
    """The videos of the config's test dataset (annotations and lazily read frames)."""
    dataset_cfg = dict(cfg.test_dataloader.dataset, pipeline=[], test_mode=True)
    dataset = DATASETS.build(dataset_cfg)
    videos = []
    for video_id in range(len(dataset) if max_videos is None else min(max_videos, len(dataset))):
        info = dataset.get_data_info(video_id)
        files = [dataset.get_frame_path(video_id, i) for i in range(info['num_frames'])]
        videos.append(dict(name=info['video_name'], bboxes_xywh=info['bboxes_xywh'],
                           visible=info['visible'],
                           frames=VideoFrames.from_files(files, name=info['video_name'])))
    return videos


def main(argv=None):
    args = parse_args(argv)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = init_model(args.config, checkpoint, args.device, cfg_options=args.cfg_options)
    if not hasattr(model, 'tracking_forward'):
        raise TypeError(f'{args.config}: {type(model).__name__} has no network to run in '
                        'another precision')
    videos = load_videos(model.cfg, args.max_videos)
    with torch.inference_mode():
        report = compare_precisions(model, videos, args.first_frames, args.control_noise,
                                    args.compare)
    ao = report['ao']
    diverged = [f for f in report['diverge_frames'].values()]
    print(f'{osp.basename(args.config)}, checkpoint {args.checkpoint}: {len(videos)} videos, '
          f'{report["num_frames"]} tracked frames, {torch.get_num_threads()} threads')
    low = args.compare
    print(f'AO fp32 {100 * ao["fp32"]:.2f}, {low} {100 * ao[low]:.2f} '
          f'(difference {100 * (ao[low] - ao["fp32"]):+.2f} points)')
    if 'fp32 + noise' in ao:
        print(f'Control: fp32 with N(0, {args.control_noise:g}) added to the normalised crops: AO '
              f'{100 * ao["fp32 + noise"]:.2f} ({100 * (ao["fp32 + noise"] - ao["fp32"]):+.2f} '
              'points)')
    print(f'On the fp32 path, {low}: same arg-max cell in {100 * report["same_cell"]:.1f}% of '
          'frames; '
          f'box difference max {report["box_diff_px"][0]:.2f} / mean '
          f'{report["box_diff_px"][1]:.3f} search-crop px')
    print(f'Free-running: max box difference over the first {args.first_frames} frames '
          f'{report["free_diff_px"]:.2f} image px; trajectories part (IoU < 0.5) in '
          f'{sum(f < len(v["frames"]) for f, v in zip(diverged, videos))} of {len(videos)} '
          f'videos, first at frame {min(diverged)}')


if __name__ == '__main__':
    main()
