"""Synthetic frames for the transform tests: a red target painted on a grey background."""
from typing import List

import cv2
import numpy as np

BACKGROUND_BGR = (60, 60, 60)
TARGET_BGR = (0, 0, 255)


def paint_frame(height: int, width: int, bbox_xywh) -> np.ndarray:
    """(H, W, 3) uint8 BGR frame: grey background, red target filling the integer box."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = BACKGROUND_BGR
    x1, y1, w, h = (int(v) for v in bbox_xywh)
    frame[y1:y1 + h, x1:x1 + w] = TARGET_BGR
    return frame


def target_pixels(crop: np.ndarray) -> np.ndarray:
    """(N, 2) x, y centres of crop pixels that are mostly target (red minus blue > 128)."""
    redness = crop[..., 2].astype(int) - crop[..., 0].astype(int)
    ys, xs = np.nonzero(redness > 128)
    return np.stack([xs + 0.5, ys + 0.5], axis=1)


def make_video(directory, boxes_xywh: np.ndarray, visible: np.ndarray, height: int = 240,
               width: int = 320, first_frame_index: int = 1) -> dict:
    """Write PNG frames (lossless: exact pixels) and return the video's data info."""
    directory.mkdir(parents=True, exist_ok=True)
    for i, box in enumerate(boxes_xywh):
        frame = paint_frame(height, width, box) if visible[i] else paint_frame(
            height, width, (0, 0, 0, 0))
        cv2.imwrite(str(directory / f'{first_frame_index + i:08d}.png'), frame)
    return dict(video_id=0, video_name=directory.name,
                frame_path_template=str(directory / '{:08d}.png'),
                first_frame_index=first_frame_index, num_frames=len(boxes_xywh),
                bboxes_xywh=np.asarray(boxes_xywh, np.float32),
                visible=np.asarray(visible, bool))


def crop_results(frames: List[np.ndarray], boxes_xywh, roles: List[str]) -> dict:
    """Results dict as ``LoadSOTFrames`` leaves it, for frames held in memory."""
    return dict(img=list(frames), gt_bboxes_xywh=np.asarray(boxes_xywh, np.float32),
                frame_role=list(roles), frame_id=list(range(len(frames))),
                img_path=[f'frame{i}.png' for i in range(len(frames))], video_name='synthetic')
