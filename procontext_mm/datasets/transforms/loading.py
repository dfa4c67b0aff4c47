"""Reading the frames of one training sample."""
import logging
from collections import OrderedDict
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform, LoadImageFromFile
from mmengine.logging import print_log

from procontext_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadSOTFrames(BaseTransform):
    """Read every sampled frame of a sample, each distinct file once, with mmcv's loader.

    ``TransformBroadcaster(LoadImageFromFile)`` would work for the happy path, but does not fit
    SOT training on two points: (1) the frames of a sample often repeat (a still image gives
    the same file for every role; the dynamic template may be the search frame), and this
    transform decodes each distinct file once; (2) a frame that cannot be read must make
    mmengine resample the sample (return ``None``), which a broadcast ``LoadImageFromFile``
    cannot do (the broadcaster raises on a ``None`` from the wrapped transform, and a corrupt
    file fails an ``assert`` even with ``ignore_empty=True``).

    Required keys:

    - img_path (list[str]): one path per sampled frame

    Added keys (one entry per sampled frame; repeated paths share one array, which later
    transforms must not modify in place):

    - img (list[np.ndarray]): (H, W, 3) uint8 BGR frames
    - ori_shape (list[tuple]): (H, W) of each frame

    Args:
        on_error (str): What an unreadable / corrupt frame does: ``'resample'`` logs a warning
            naming the file and returns ``None`` (training); ``'raise'`` raises ``OSError``
            naming the file. Defaults to ``'resample'``.
        imdecode_backend (str): Decoder of ``mmcv.imfrombytes``. Defaults to ``'cv2'``.
        backend_args (dict, optional): File backend arguments of ``mmengine.fileio``
            (e.g. a petrel / http backend). Defaults to None (local files).
        cache_mb (float): Keep up to this many MiB of decoded frames in each data-loader
            worker, least recently used dropped first, so that a small benchmark is decoded
            once per worker instead of once per sample. Cached frames are read-only (a
            transform that wrote into one would change later samples). Defaults to 0 (off).
    """

    def __init__(self,
                 on_error: str = 'resample',
                 imdecode_backend: str = 'cv2',
                 backend_args: Optional[dict] = None,
                 cache_mb: float = 0) -> None:
        if on_error not in ('resample', 'raise'):
            raise ValueError(f"on_error must be 'resample' or 'raise', got {on_error!r}")
        if cache_mb < 0:
            raise ValueError(f'cache_mb must be >= 0, got {cache_mb}')
        self.cache_mb = cache_mb
        self._cache: 'OrderedDict[str, np.ndarray]' = OrderedDict()
        self._cached_bytes = 0
        self.on_error = on_error
        self.imdecode_backend = imdecode_backend
        self.backend_args = backend_args
        self._loader = LoadImageFromFile(
            to_float32=False, color_type='color', imdecode_backend=imdecode_backend,
            ignore_empty=False, backend_args=backend_args)

    def transform(self, results: dict) -> Optional[dict]:
        """Read ``results['img_path']`` into ``results['img']`` (see the class docstring)."""
        if 'img_path' not in results:
            raise KeyError('LoadSOTFrames needs the key "img_path" (list of frame paths); put '
                           'TridentSampleFrames before it')
        decoded = {}
        for path in results['img_path']:
            if path in decoded:
                continue
            try:
                decoded[path] = self._read(path)
            except Exception as err:  # any failure to read / decode this one file
                if self.on_error == 'raise':
                    raise OSError(f'Cannot read frame {path}: {err}') from err
                print_log(f'LoadSOTFrames: cannot read frame {path} ({err!r}); resampling '
                          f'(video {results.get("video_name", "?")})',
                          logger='current', level=logging.WARNING)
                return None
        results['img'] = [decoded[path] for path in results['img_path']]
        results['ori_shape'] = [img.shape[:2] for img in results['img']]
        return results

    def _read(self, path: str) -> np.ndarray:
        """Decode one frame, or take it from the cache."""
        frame = self._cache.get(path)
        if frame is not None:
            self._cache.move_to_end(path)
            return frame
        frame = self._loader.transform({'img_path': path})['img']
        if self.cache_mb > 0 and frame.nbytes <= self.cache_mb * 2**20:
            frame.setflags(write=False)
            self._cache[path] = frame
            self._cached_bytes += frame.nbytes
            while self._cached_bytes > self.cache_mb * 2**20:
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= dropped.nbytes
        return frame

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(on_error={self.on_error!r}, '
                f'imdecode_backend={self.imdecode_backend!r}, '
                f'backend_args={self.backend_args}, cache_mb={self.cache_mb})')
