"""Compact per-frame index of a single-object-tracking benchmark, and its on-disk cache.

A benchmark such as TrackingNet (30k videos, 14M boxes) or GOT-10k (10k videos, 1.5M boxes)
is held as a handful of flat numpy arrays instead of Python objects per video or per frame:

* per frame (``F`` = frames of all videos, video ``v`` owns rows
  ``frame_offsets[v]:frame_offsets[v + 1]``): ``bboxes_xywh`` float32 (F, 4), ``visible`` bool
  (F,), plus optional ``frame_extras`` (e.g. GOT-10k ``cover`` int8 (F,), VOT ``polygons``
  float32 (F, 8));
* per video (``V``): ``first_frame_index`` int32, ``num_annotated`` int32 (frames with a
  ground-truth box, counted from the first one; later rows are hidden by the benchmark),
  ``img_size_wh`` int32 (V, 2) (-1 when unknown), optional ``video_extras``;
* strings (video names, frame path templates, annotation files) in :class:`StringTable`\\ s:
  one utf-8 byte buffer plus offsets.

The index is cached as an uncompressed ``.npz`` next to a ``.json`` that records how it was
built. The cache is valid while the dataset type, its parameters, the data root and the
``(path, mtime, size)`` of every annotation file it was parsed from stay the same.
"""
import hashlib
import json
import os
import os.path as osp
import tempfile
import time
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

#: Bump when the layout of the cached arrays or the parsing rules change.
INDEX_FORMAT_VERSION = 1

#: Environment variable that overrides the default cache directory.
CACHE_DIR_ENV = 'PROCONTEXT_MM_CACHE_DIR'


def default_cache_dir() -> str:
    """Return the default index cache directory.

    ``$PROCONTEXT_MM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/procontext_mm/sot_index``
    (``~/.cache/procontext_mm/sot_index`` when ``XDG_CACHE_HOME`` is unset).
    """
    if os.environ.get(CACHE_DIR_ENV):
        return os.environ[CACHE_DIR_ENV]
    cache_home = os.environ.get('XDG_CACHE_HOME') or osp.join(osp.expanduser('~'), '.cache')
    return osp.join(cache_home, 'procontext_mm', 'sot_index')


class StringTable:
    """An immutable list of strings stored as one utf-8 buffer and offsets.

    Args:
        data (np.ndarray): uint8 (B,) concatenated utf-8 bytes of all strings.
        offsets (np.ndarray): int64 (N + 1,) start of string ``i`` is ``offsets[i]``, its end
            ``offsets[i + 1]``.
    """

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        self.data = np.ascontiguousarray(data, dtype=np.uint8)
        self.offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        assert self.offsets.ndim == 1 and len(self.offsets) >= 1

    @classmethod
    def from_list(cls, strings: Sequence[str]) -> 'StringTable':
        """Pack a sequence of strings."""
        encoded = [s.encode('utf-8') for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        data = np.frombuffer(b''.join(encoded), dtype=np.uint8)
        return cls(data.copy(), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.data[start:end].tobytes().decode('utf-8')

    def to_list(self) -> List[str]:
        """Unpack all strings (allocates one Python string each)."""
        return [self[i] for i in range(len(self))]


class SOTIndex:
    """Annotations of all videos of a SOT benchmark in compact arrays.

    Args:
        root (str): Directory the relative ``frame_templates`` and ``ann_files`` are relative to.
        video_names (StringTable | list[str]): Official sequence names, (V,).
        frame_templates (StringTable | list[str]): ``str.format`` template of each video's frame
            paths, called with the frame *number* (``first_frame_index + frame index``); relative
            to ``root`` or absolute. Literal braces are escaped (``{{``, ``}}``).
        ann_files (StringTable | list[str]): Annotation file of each video (relative to
            ``root`` or absolute), used in messages about bad data; a single entry is shared by
            every video (COCO).
        frame_offsets (np.ndarray): int64 (V + 1,) frame rows of video ``v`` are
            ``frame_offsets[v]:frame_offsets[v + 1]``.
        bboxes_xywh (np.ndarray): float32 (F, 4) x1, y1, w, h in pixels; NaN rows where the
            benchmark gives no box.
        visible (np.ndarray): bool (F,) visibility as the benchmark's flags state it (absence,
            occlusion, out-of-view...), before any box check.
        first_frame_index (np.ndarray, optional): int32 (V,) number of the first frame in file
            names. Defaults to zeros.
        num_annotated (np.ndarray, optional): int32 (V,) number of leading frames with a
            ground-truth box; rows after them are hidden by the benchmark (test splits).
            Defaults to every frame.
        img_size_wh (np.ndarray, optional): int32 (V, 2) image width and height in pixels,
            -1 when the annotations do not give it. Defaults to -1.
        frame_extras (dict[str, np.ndarray], optional): more per-frame arrays, first dim F.
        video_extras (dict[str, np.ndarray], optional): more per-video arrays, first dim V.
        line_based (bool): Row ``i`` of a video is line ``i + 1`` of its annotation file (true
            for text benchmarks, false for COCO). Defaults to True.
    """

    def __init__(self,
                 root: str,
                 video_names,
                 frame_templates,
                 ann_files,
                 frame_offsets: np.ndarray,
                 bboxes_xywh: np.ndarray,
                 visible: np.ndarray,
                 first_frame_index: Optional[np.ndarray] = None,
                 num_annotated: Optional[np.ndarray] = None,
                 img_size_wh: Optional[np.ndarray] = None,
                 frame_extras: Optional[Dict[str, np.ndarray]] = None,
                 video_extras: Optional[Dict[str, np.ndarray]] = None,
                 line_based: bool = True) -> None:
        self.root = root
        self.video_names = _as_table(video_names)
        self.frame_templates = _as_table(frame_templates)
        self.ann_files = _as_table(ann_files)
        self.frame_offsets = np.ascontiguousarray(frame_offsets, dtype=np.int64)
        self.bboxes_xywh = np.ascontiguousarray(bboxes_xywh, dtype=np.float32).reshape(-1, 4)
        self.visible = np.ascontiguousarray(visible, dtype=bool)
        num_videos = len(self.frame_offsets) - 1
        num_frames = len(self.bboxes_xywh)
        self.first_frame_index = (np.zeros(num_videos, np.int32) if first_frame_index is None
                                  else np.asarray(first_frame_index, dtype=np.int32))
        self.num_annotated = (np.diff(self.frame_offsets).astype(np.int32)
                              if num_annotated is None else
                              np.asarray(num_annotated, dtype=np.int32))
        self.img_size_wh = (np.full((num_videos, 2), -1, np.int32) if img_size_wh is None
                            else np.asarray(img_size_wh, dtype=np.int32).reshape(-1, 2))
        self.frame_extras = dict(frame_extras or {})
        self.video_extras = dict(video_extras or {})
        self.line_based = bool(line_based)

        assert self.frame_offsets[0] == 0 and self.frame_offsets[-1] == num_frames
        assert np.all(np.diff(self.frame_offsets) > 0), 'every video needs at least one frame'
        assert len(self.visible) == num_frames
        for table in (self.video_names, self.frame_templates):
            assert len(table) == num_videos
        assert len(self.ann_files) in (1, num_videos)
        for arr in (self.first_frame_index, self.num_annotated, self.img_size_wh):
            assert len(arr) == num_videos
        for name, arr in self.frame_extras.items():
            assert len(arr) == num_frames, name
        for name, arr in self.video_extras.items():
            assert len(arr) == num_videos, name

    # The index is read-only once built: share it instead of copying it with a dataset.
    def __deepcopy__(self, memo) -> 'SOTIndex':
        return self

    @property
    def num_videos(self) -> int:
        """Number of videos V."""
        return len(self.frame_offsets) - 1

    @property
    def num_frames(self) -> int:
        """Number of frames F of all videos."""
        return len(self.bboxes_xywh)

    def video_rows(self, video: int) -> slice:
        """Rows of the per-frame arrays that belong to ``video``."""
        return slice(int(self.frame_offsets[video]), int(self.frame_offsets[video + 1]))

    def frame_video_ids(self) -> np.ndarray:
        """int32 (F,) the video of every frame row."""
        return np.repeat(np.arange(self.num_videos, dtype=np.int32), np.diff(self.frame_offsets))

    def ann_file(self, video: int) -> str:
        """Path of the annotation file of ``video`` (joined with ``root``)."""
        rel_path = self.ann_files[0 if len(self.ann_files) == 1 else video]
        return osp.join(self.root, rel_path)

    def nbytes(self) -> int:
        """Bytes held by the arrays of the index."""
        arrays = [v for v in self._arrays().values()]
        return int(sum(a.nbytes for a in arrays))

    # ------------------------------------------------------------------ save / load
    def _arrays(self) -> Dict[str, np.ndarray]:
        arrays = dict(
            frame_offsets=self.frame_offsets,
            bboxes_xywh=self.bboxes_xywh,
            visible=self.visible,
            first_frame_index=self.first_frame_index,
            num_annotated=self.num_annotated,
            img_size_wh=self.img_size_wh)
        for name in ('video_names', 'frame_templates', 'ann_files'):
            table = getattr(self, name)
            arrays[f'{name}.data'] = table.data
            arrays[f'{name}.offsets'] = table.offsets
        for name, arr in self.frame_extras.items():
            arrays[f'frame_extras.{name}'] = arr
        for name, arr in self.video_extras.items():
            arrays[f'video_extras.{name}'] = arr
        return arrays

    def save(self, path: str) -> None:
        """Write the index to ``path`` (an uncompressed ``.npz``) atomically."""
        arrays = self._arrays()
        arrays['meta'] = np.frombuffer(
            json.dumps(dict(root=self.root, line_based=self.line_based)).encode(), np.uint8)
        _atomic_write(path, lambda f: np.savez(f, **arrays))

    @classmethod
    def load(cls, path: str) -> 'SOTIndex':
        """Read an index written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        meta = json.loads(arrays.pop('meta').tobytes().decode())
        tables = {
            name: StringTable(arrays.pop(f'{name}.data'), arrays.pop(f'{name}.offsets'))
            for name in ('video_names', 'frame_templates', 'ann_files')
        }
        frame_extras = {k.split('.', 1)[1]: arrays.pop(k)
                        for k in list(arrays) if k.startswith('frame_extras.')}
        video_extras = {k.split('.', 1)[1]: arrays.pop(k)
                        for k in list(arrays) if k.startswith('video_extras.')}
        return cls(root=meta['root'], line_based=meta['line_based'], frame_extras=frame_extras,
                   video_extras=video_extras, **tables, **arrays)


def _as_table(strings) -> StringTable:
    return strings if isinstance(strings, StringTable) else StringTable.from_list(list(strings))


class SOTIndexBuilder:
    """Collect videos one by one, then concatenate them into a :class:`SOTIndex`.

    Args:
        root (str): See :class:`SOTIndex`.
        line_based (bool): See :class:`SOTIndex`. Defaults to True.
    """

    def __init__(self, root: str, line_based: bool = True) -> None:
        self.root = root
        self.line_based = line_based
        self._names: List[str] = []
        self._templates: List[str] = []
        self._ann_files: List[str] = []
        self._first: List[int] = []
        self._num_annotated: List[int] = []
        self._sizes: List[Tuple[int, int]] = []
        self._bboxes: List[np.ndarray] = []
        self._visible: List[np.ndarray] = []
        self._extras: Dict[str, List[np.ndarray]] = {}
        self._video_extras: Dict[str, list] = {}

    def add_video(self,
                  name: str,
                  frame_template: str,
                  ann_file: str,
                  bboxes_xywh: np.ndarray,
                  visible: np.ndarray,
                  first_frame_index: int = 0,
                  num_annotated: Optional[int] = None,
                  img_size_wh: Tuple[int, int] = (-1, -1),
                  video_extras: Optional[Dict[str, object]] = None,
                  **frame_extras: np.ndarray) -> None:
        """Add one video.

        Args:
            name (str): Official sequence name.
            frame_template (str): Frame path template (see :class:`SOTIndex`).
            ann_file (str): Its annotation file.
            bboxes_xywh (np.ndarray): (L, 4) boxes, NaN rows for frames without a box.
            visible (np.ndarray): bool (L,) visibility from the benchmark's flags.
            first_frame_index (int): Number of the first frame in file names. Defaults to 0.
            num_annotated (int, optional): Leading frames with a box. Defaults to L.
            img_size_wh (tuple[int, int]): Image size, (-1, -1) when unknown.
            video_extras (dict, optional): Per-video values (a scalar, a string or a
                fixed-shape array each, e.g. TNL2K ``language``, UAV123 ``attributes`` (12,));
                every video of an index must give the same names.
            **frame_extras (np.ndarray): More per-frame arrays of length L; every video of an
                index must give the same names.
        """
        num_frames = len(bboxes_xywh)
        assert num_frames > 0 and len(visible) == num_frames
        video_extras = video_extras or {}
        if self._names and set(frame_extras) != set(self._extras):
            raise KeyError(f'video {name}: extras {sorted(frame_extras)} differ from the '
                           f'previous videos\' {sorted(self._extras)}')
        if self._names and set(video_extras) != set(self._video_extras):
            raise KeyError(f'video {name}: video extras {sorted(video_extras)} differ from the '
                           f'previous videos\' {sorted(self._video_extras)}')
        self._names.append(name)
        self._templates.append(frame_template)
        self._ann_files.append(ann_file)
        self._first.append(first_frame_index)
        self._num_annotated.append(num_frames if num_annotated is None else num_annotated)
        self._sizes.append(tuple(img_size_wh))
        self._bboxes.append(np.asarray(bboxes_xywh, dtype=np.float32).reshape(-1, 4))
        self._visible.append(np.asarray(visible, dtype=bool))
        for key, value in frame_extras.items():
            assert len(value) == num_frames, key
            self._extras.setdefault(key, []).append(value)
        for key, value in video_extras.items():
            self._video_extras.setdefault(key, []).append(value)

    def __len__(self) -> int:
        return len(self._names)

    def build(self) -> SOTIndex:
        """Concatenate the collected videos (an empty builder gives an empty index)."""
        lengths = [len(b) for b in self._bboxes]
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])

        def cat(parts, dtype, shape):
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(shape, dtype)

        return SOTIndex(
            root=self.root,
            video_names=self._names,
            frame_templates=self._templates,
            ann_files=self._ann_files,
            frame_offsets=offsets,
            bboxes_xywh=cat(self._bboxes, np.float32, (0, 4)),
            visible=cat(self._visible, bool, (0, )),
            first_frame_index=np.asarray(self._first, np.int32),
            num_annotated=np.asarray(self._num_annotated, np.int32),
            img_size_wh=np.asarray(self._sizes, np.int32).reshape(-1, 2),
            frame_extras={k: np.concatenate(v) for k, v in self._extras.items()},
            # strings become a fixed-width unicode array: saved without pickling
            video_extras={k: np.asarray(v) for k, v in self._video_extras.items()},
            line_based=self.line_based)


# ---------------------------------------------------------------------- cache
def files_fingerprint(paths: Iterable[str]) -> Tuple[str, int]:
    """Hash the path, modification time and size of every file (or directory).

    A missing path is hashed as missing, so creating it later invalidates the hash.

    Returns:
        tuple[str, int]: sha1 hex digest and the number of paths.
    """
    digest = hashlib.sha1()
    count = 0
    for path in paths:
        try:
            st = os.stat(path)
            record = f'{path}\0{st.st_mtime_ns}\0{st.st_size}\n'
        except FileNotFoundError:
            record = f'{path}\0missing\n'
        digest.update(record.encode('utf-8', 'surrogateescape'))
        count += 1
    return digest.hexdigest(), count


def _atomic_write(path: str, write: Callable) -> None:
    """Write through a temporary file in the same directory, then rename it to ``path``."""
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix='.tmp_', suffix=osp.basename(path))
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
        os.replace(tmp_path, path)
    except BaseException:
        if osp.exists(tmp_path):
            os.remove(tmp_path)
        raise


class IndexCache:
    """Load a :class:`SOTIndex` from the cache, or build and cache it.

    The cache of one dataset configuration is ``<cache_dir>/<name>_<key>.npz`` plus
    ``<name>_<key>.json``; ``key`` hashes the format version, ``name``, ``root`` and
    ``params``. The json stores the fingerprint of the annotation files; a different
    fingerprint means the files changed and the index is rebuilt (and the cache overwritten).

    Args:
        name (str): Dataset type, e.g. ``'GOT10kDataset'``.
        root (str): Dataset root.
        params (dict): JSON-serialisable parameters that change what is parsed (split,
            split file, ...).
        cache_dir (str, optional): Where cache files go. Defaults to :func:`default_cache_dir`.
    """

    def __init__(self, name: str, root: str, params: dict,
                 cache_dir: Optional[str] = None) -> None:
        self.name = name
        self.root = root
        self.params = params
        self.cache_dir = cache_dir or default_cache_dir()
        key_src = json.dumps(
            dict(version=INDEX_FORMAT_VERSION, name=name, root=osp.abspath(root) if root else '',
                 params=params), sort_keys=True)
        key = hashlib.sha1(key_src.encode()).hexdigest()[:16]
        self.npz_path = osp.join(self.cache_dir, f'{name}_{key}.npz')
        self.json_path = osp.join(self.cache_dir, f'{name}_{key}.json')

    def load(self, fingerprint: str) -> Optional[SOTIndex]:
        """Return the cached index if it exists and matches ``fingerprint``, else None."""
        try:
            with open(self.json_path, 'r', encoding='utf-8') as f:
                record = json.load(f)
        except (OSError, ValueError):
            return None
        if (record.get('version') != INDEX_FORMAT_VERSION
                or record.get('fingerprint') != fingerprint or not osp.exists(self.npz_path)):
            return None
        try:
            return SOTIndex.load(self.npz_path)
        except (OSError, ValueError, KeyError, AssertionError):
            return None  # a truncated or foreign file: rebuild

    def save(self, index: SOTIndex, fingerprint: str, num_files: int) -> None:
        """Write ``index`` and its record (the record last, so it only names complete data)."""
        index.save(self.npz_path)
        record = dict(
            version=INDEX_FORMAT_VERSION, name=self.name, root=self.root, params=self.params,
            fingerprint=fingerprint, num_files=num_files, num_videos=index.num_videos,
            num_frames=index.num_frames, created=time.strftime('%Y-%m-%d %H:%M:%S'))
        _atomic_write(self.json_path,
                      lambda f: f.write(json.dumps(record, indent=1).encode('utf-8')))
