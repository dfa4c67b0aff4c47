"""A generated video with a known target, for tests and benchmarks."""
from typing import List, Tuple

import numpy as np


def moving_square_video(num_frames: int = 8, height: int = 120, width: int = 160,
                        size: int = 24, step: Tuple[int, int] = (3, 2),
                        seed: int = 0) -> Tuple[List[np.ndarray], np.ndarray]:
    """A textured square moving at constant speed over a noisy background.

    Returns:
        tuple: ``frames``, list of (height, width, 3) uint8 BGR images, and ``bboxes_xyxy``,
        (num_frames, 4) float32 ground-truth boxes x1, y1, x2, y2 in pixels.
    """
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 80, (height, width, 3), dtype=np.uint8)
    target = rng.integers(150, 256, (size, size, 3), dtype=np.uint8)
    frames, boxes = [], []
    x, y = width // 4, height // 4
    for _ in range(num_frames):
        frame = background.copy()
        frame[y:y + size, x:x + size] = target
        frames.append(frame)
        boxes.append([x, y, x + size, y + size])
        x = int(np.clip(x + step[0], 0, width - size))
        y = int(np.clip(y + step[1], 0, height - size))
    return frames, np.asarray(boxes, dtype=np.float32)
