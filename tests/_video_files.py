"""Reading back the videos the demo paths record (a uniquely named module: ``conftest`` is
ambiguous)."""
from typing import List

import cv2
import numpy as np


def read_video_frames(path: str) -> List[np.ndarray]:
    """Every frame OpenCV decodes from the video file ``path``, BGR uint8 (H, W, 3), in order;
    read to the end rather than trusting the container's frame count."""
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames
        frames.append(frame)
