"""Base class of the single-object-tracking (SOT) datasets.

One *data info* is one **video** (see ``docs/data_flow.md``). Annotations of all videos are kept
in a :class:`~procontext_mm.datasets.index_cache.SOTIndex` (flat numpy arrays), parsed once
from the official files and cached; images are never opened here.
"""
import logging
import os.path as osp
import time
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from mmdet.datasets import BaseVideoDataset
from mmengine.dataset import force_full_init
from mmengine.logging import print_log

from procontext_mm.registry import DATASETS
from .annotation_parsers import escape_braces
from .index_cache import IndexCache, SOTIndex, files_fingerprint

#: How many files / videos a log message lists before it only counts the rest.
MAX_LISTED = 10


# ---------------------------------------------------------------------- dataset
@DATASETS.register_module()
class BaseSOTDataset(BaseVideoDataset):
    """Base class of SOT datasets: one data info per video, annotations in compact arrays.

    A subclass parses one benchmark layout by implementing :meth:`_list_sequences`,
    :meth:`_annotation_files` (every file the index is parsed from, used to validate the cache)
    and :meth:`_build_index`, and adds to :meth:`_index_params` every argument that changes
    what is parsed.

    After loading, boxes are checked (:meth:`_check_boxes`): a frame whose annotation says the
    target is visible but whose box is NaN / infinite, has a non-positive width or height, or
    lies fully outside the image (when the benchmark gives the image size) is reported (file
    and line) and made invisible; frames whose box side is not larger than ``bbox_min_size``
    are made invisible too (counted, not reported as errors). In training mode, videos without
    any visible frame are dropped (counted and named in the log); in test mode every video is
    kept.

    **Training** (``test_mode=False``): ``dataset[i]`` runs the pipeline on the data info of
    video ``i`` (:meth:`get_data_info`):

    * ``video_id`` (int): ``i``;  ``video_name`` (str): official sequence name;
    * ``frame_path_template`` (str): ``str.format`` template of the frame paths, called with the
      frame *number* (no placeholder for a still image);
    * ``first_frame_index`` (int): number of the first frame in file names;
    * ``num_frames`` (int): L;
    * ``bboxes_xywh``: float32 (L, 4) x1, y1, w, h pixels (NaN rows where the benchmark gives no
      box); ``visible``: bool (L,) target visible and its box usable;
      ``bbox_valid``: bool (L,) box finite, positive and not fully outside the image;
    * the dataset's per-frame extras (arrays of length L, e.g. GOT-10k ``cover``, VOT
      ``polygons``) and per-video extras (scalars, strings or small arrays, e.g. COCO
      ``category_id``, TNL2K ``language``, UAV123 ``attributes``); ``sample_idx``.

    ``dataset[(i, k)]`` adds ``key_frame_id=k`` (as mmdet's video datasets do).

    **Testing** (``test_mode=True``): ``len(dataset)`` is still the number of videos (as in
    mmdet's ``BaseVideoDataset``, so that mmdet's ``TrackImgSampler`` splits *videos* across
    ranks and yields ``(video, frame)`` pairs in order). ``dataset[(i, k)]`` is frame ``k`` of
    video ``i`` (:meth:`get_test_item`), every value a list with one element per frame so that
    ``TransformBroadcaster(LoadImageFromFile)`` and ``PackTrackInputs`` take it directly;
    ``dataset[i]`` gives all frames of video ``i`` in the same form.

    **Pipeline**: a list of transforms, or a dict of named steps: ``order``, the step names in
    the order they run, and ``step name -> transform config`` for each (None leaves the step
    out). Config files merge dicts key by key (and replace lists), so a config variant changes
    or removes one step by its name, e.g. ``pipeline=dict(crop=dict(template_factors=(2.0, )),
    grayscale=None)``, and adds one by naming it in a new ``order``. The order is explicit
    because mmengine writes configs back (``Config.dump``, the runner's copy in the work dir)
    with their keys sorted.

    Args:
        data_root (str): Root directory of the benchmark. Defaults to ''.
        cache_dir (str, optional): Directory of the index cache. Defaults to
            ``$PROCONTEXT_MM_CACHE_DIR`` or ``~/.cache/procontext_mm/sot_index``.
        use_cache (bool): Read / write the index cache. Defaults to True.
        bbox_min_size (float): A box whose width or height is not larger than this (pixels)
            makes its frame invisible. Defaults to 0.
        **kwargs: ``ann_file``, ``data_prefix``, ``indices``, ``pipeline``, ``test_mode``,
            ``lazy_init``, ``max_refetch``, ``metainfo`` of mmengine's ``BaseDataset``.
            ``pipeline`` may also be a dict of named steps (see above).
            ``serialize_data`` is always False: the index is already a few numpy arrays,
            shared by the dataloader workers without copies.

    Raises:
        ValueError: If a pipeline of named steps has no ``order``, names a step it does not
            define, or defines a step it does not name (the message names the step).
        TypeError: If a named step is neither a transform config nor None.
    """

    METAINFO = dict(classes=('object', ))
    #: Metainfo key of a training sample's ``data_samples``: how many samples the pipeline
    #: rejected (returned ``None``, so that mmengine drew another video) in this process since
    #: the previous sample it returned. ``SampleRejectionHook`` sums it into the training log.
    NUM_REJECTED_KEY = 'num_rejected_before'

    def __init__(self,
                 data_root: str = '',
                 cache_dir: Optional[str] = None,
                 use_cache: bool = True,
                 bbox_min_size: float = 0.,
                 **kwargs) -> None:
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.bbox_min_size = float(bbox_min_size)
        self.index: Optional[SOTIndex] = None
        self.index_source = ''
        self._num_rejected = 0
        if kwargs.pop('serialize_data', False):
            print_log(f'{type(self).__name__}: serialize_data=True is ignored (the index is '
                      'stored in numpy arrays)', logger='current', level=logging.DEBUG)
        if isinstance(kwargs.get('pipeline'), Mapping):  # mmengine's Compose takes a list
            kwargs['pipeline'] = _pipeline_steps(kwargs['pipeline'], type(self).__name__)
        super().__init__(data_root=data_root, serialize_data=False, **kwargs)

    # ------------------------------------------------------------ for subclasses
    def _index_params(self) -> dict:
        """Arguments that change what is parsed (part of the cache key). Extend in subclasses."""
        return dict(ann_file=self.ann_file, data_prefix=self.data_prefix)

    def _list_sequences(self) -> list:
        """The sequences to index (names, or whatever :meth:`_annotation_files` and
        :meth:`_build_index` take), from list / split files or directory listings. Read at
        every start, cheap."""
        return []

    def _annotation_files(self, sequences: list) -> List[str]:
        """Every file (or directory, whose mtime changes when frames are added / removed) the
        index of ``sequences`` is parsed from. A missing *optional* file must be listed too, so
        that adding it later invalidates the cache."""
        raise NotImplementedError

    def _build_index(self, sequences: list) -> SOTIndex:
        """Parse the official annotation files of ``sequences`` into a :class:`SOTIndex`."""
        raise NotImplementedError

    # ------------------------------------------------------------ loading
    def _load_index(self) -> SOTIndex:
        """Load the index from the cache or build it (and cache it)."""
        name = type(self).__name__
        start = time.perf_counter()
        sequences = self._list_sequences()
        files = self._annotation_files(sequences)
        if not self.use_cache:
            index, self.index_source = self._build_index(sequences), 'parsed (cache disabled)'
        else:
            cache = IndexCache(name, self.data_root, self._index_params(), self.cache_dir)
            fingerprint, num_files = files_fingerprint(files)
            index = cache.load(fingerprint)
            if index is not None:
                self.index_source = f'loaded from cache {cache.npz_path}'
            else:
                index = self._build_index(sequences)
                self.index_source = 'parsed'
                try:
                    cache.save(index, fingerprint, num_files)
                    self.index_source += f', cached to {cache.npz_path}'
                except OSError as e:
                    print_log(f'{name}: cannot write the index cache in {cache.cache_dir}: {e}',
                              logger='current', level=logging.WARNING)
        index.root = self.data_root  # the same directory, as spelled now (cache key: abspath)
        print_log(f'{name}: {index.num_videos} videos, {index.num_frames} frames from '
                  f'{len(files)} annotation files, {self.index_source} '
                  f'({time.perf_counter() - start:.2f} s)', logger='current')
        return index

    def load_data_list(self) -> np.ndarray:
        """Load the index; the "data list" is the int64 array of index videos in the dataset."""
        self.index = self._load_index()
        return np.arange(self.index.num_videos, dtype=np.int64)

    def filter_data(self) -> np.ndarray:
        """Check the boxes (:meth:`_check_boxes`) and, in training mode, drop videos without
        any visible frame."""
        self._check_boxes()
        index = self.index
        has_visible = np.logical_or.reduceat(self._visible, index.frame_offsets[:-1])
        empty = np.flatnonzero(~has_visible)
        if len(empty):
            listed = ', '.join(f'{index.video_names[v]} ({index.ann_file(v)})'
                               for v in empty[:MAX_LISTED])
            more = f' and {len(empty) - MAX_LISTED} more' if len(empty) > MAX_LISTED else ''
            action = 'kept (test mode)' if self.test_mode else 'dropped from training'
            print_log(f'{type(self).__name__}: {len(empty)} of {index.num_videos} videos have no '
                      f'visible frame (after the box checks), {action}: {listed}{more}',
                      logger='current', level=logging.WARNING)
        if self.test_mode:
            return np.asarray(self.data_list, dtype=np.int64)
        return np.asarray(self.data_list, dtype=np.int64)[has_visible[self.data_list]]

    def _check_boxes(self) -> None:
        """Derive per-frame ``bbox_valid`` and final ``visible`` and log bad boxes.

        Sets ``self._bbox_valid`` and ``self._visible`` (bool (F,)).
        """
        index = self.index
        bboxes = index.bboxes_xywh
        lengths = np.diff(index.frame_offsets)
        if np.any(index.num_annotated < lengths):
            frame_video = index.frame_video_ids()
            frame_in_video = np.arange(index.num_frames) - index.frame_offsets[frame_video]
            hidden = frame_in_video >= index.num_annotated[frame_video]
        else:
            hidden = np.zeros(index.num_frames, bool)
        finite = np.isfinite(bboxes).all(axis=1)
        with np.errstate(invalid='ignore'):
            positive = finite & (bboxes[:, 2] > 0) & (bboxes[:, 3] > 0)
        outside = np.zeros(index.num_frames, bool)
        if np.any(index.img_size_wh[:, 0] > 0):
            width = np.repeat(index.img_size_wh[:, 0], lengths)
            height = np.repeat(index.img_size_wh[:, 1], lengths)
            x1, y1 = bboxes[:, 0], bboxes[:, 1]
            outside = positive & (width > 0) & ((x1 >= width) | (y1 >= height)
                                                | (x1 + bboxes[:, 2] <= 0)
                                                | (y1 + bboxes[:, 3] <= 0))
        valid = positive & ~outside
        claimed = index.visible & ~hidden
        with np.errstate(invalid='ignore'):
            large = (bboxes[:, 2] > self.bbox_min_size) & (bboxes[:, 3] > self.bbox_min_size)
        self._bbox_valid = valid
        self._visible = claimed & valid & large

        name = type(self).__name__
        bad = claimed & ~valid
        if bad.any():
            reasons = dict(nan=claimed & ~finite, size=claimed & finite & ~positive,
                           outside=claimed & outside)
            bad_videos = np.unique(index.frame_video_ids()[bad])
            examples = []
            for v in bad_videos[:MAX_LISTED]:
                rows = index.video_rows(int(v))
                frames = np.flatnonzero(bad[rows])
                where = (f'lines {_short_list(frames + 1)}' if index.line_based
                         else f'{index.video_names[int(v)]}')
                examples.append(f'{index.ann_file(int(v))} ({where})')
            more = (f' and {len(bad_videos) - MAX_LISTED} more files'
                    if len(bad_videos) > MAX_LISTED else '')
            print_log(
                f'{name}: {int(bad.sum())} frames annotated as visible have an unusable box and '
                f'are marked invisible (NaN/inf: {int(reasons["nan"].sum())}, non-positive '
                f'size: {int(reasons["size"].sum())}, outside the image: '
                f'{int(reasons["outside"].sum())}) in {len(bad_videos)} videos: '
                f'{"; ".join(examples)}{more}', logger='current', level=logging.WARNING)
        small = claimed & valid & ~large
        if small.any():
            print_log(f'{name}: {int(small.sum())} frames with a box side <= bbox_min_size='
                      f'{self.bbox_min_size} are marked invisible', logger='current')

    # ------------------------------------------------------------ access
    def _video(self, idx: int) -> int:
        """Index video of dataset video ``idx``."""
        return int(self.data_list[idx])

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """Data info of video ``idx`` (training form, see the class docstring)."""
        if idx < 0:
            idx += len(self)
        video = self._video(idx)
        index = self.index
        rows = index.video_rows(video)
        info = dict(
            video_id=idx,
            video_name=index.video_names[video],
            frame_path_template=self.get_frame_path_template(idx),
            first_frame_index=int(index.first_frame_index[video]),
            num_frames=rows.stop - rows.start,
            bboxes_xywh=index.bboxes_xywh[rows].copy(),
            visible=self._visible[rows].copy(),
            bbox_valid=self._bbox_valid[rows].copy(),
            sample_idx=idx)
        for key, values in index.frame_extras.items():
            info[key] = values[rows].copy()
        info.update(self._video_extras(video))
        return info

    def _video_extras(self, video: int) -> dict:
        """Per-video extras of index video ``video``: Python scalars / strings, arrays copied."""
        extras = {}
        for key, values in self.index.video_extras.items():
            value = values[video]
            extras[key] = value.item() if value.ndim == 0 else value.copy()
        return extras

    @force_full_init
    def get_frame_path_template(self, video_id: int) -> str:
        """Absolute ``str.format`` template of the frame paths of video ``video_id``."""
        index = self.index
        video = self._video(video_id)
        return osp.join(escape_braces(index.root), index.frame_templates[video])

    @force_full_init
    def get_frame_path(self, video_id: int, frame_index: int) -> str:
        """Path of frame ``frame_index`` (0-based position in the video) of video ``video_id``."""
        video = self._video(video_id)
        num_frames = self.get_len_per_video(video_id)
        if not 0 <= frame_index < num_frames:
            raise IndexError(f'frame {frame_index} of video {video_id} '
                             f'({self.index.video_names[video]}, {num_frames} frames)')
        return self.get_frame_path_template(video_id).format(
            int(self.index.first_frame_index[video]) + frame_index)

    @force_full_init
    def get_len_per_video(self, idx: int) -> int:
        """Number of frames of video ``idx``."""
        video = self._video(idx)
        return int(self.index.frame_offsets[video + 1] - self.index.frame_offsets[video])

    @property
    @force_full_init
    def num_all_imgs(self) -> int:
        """Number of frames of all videos of the dataset."""
        videos = np.asarray(self.data_list, dtype=np.int64)
        return int(np.sum(self.index.frame_offsets[videos + 1] - self.index.frame_offsets[videos]))

    def get_cat_ids(self, index) -> List[int]:
        """Category of the tracked object: always ``[0]`` (class-agnostic)."""
        return [0]

    @force_full_init
    def get_test_item(self, video_id: int, frame_indices: Sequence[int]) -> Dict[str, list]:
        """Per-frame items of video ``video_id`` before the test pipeline.

        Every value is a list with one element per frame in ``frame_indices`` (0-based):

        * ``img_path`` (str), ``img_id`` (int, unique in the dataset), ``frame_id`` (int,
          0-based), ``video_id`` (int), ``video_name`` (str), ``ori_video_length`` (int);
        * ``gt_bboxes``: float32 (1, 4) x1, y1, x2, y2 pixels; zeros where the benchmark hides
          the box (test splits after the first frame) or gives none (NaN);
        * ``gt_bboxes_labels``: int64 (1,) zeros; ``visible``: bool (1,) as in the data info;
        * each per-frame extra of the dataset with a leading axis of 1 (e.g. VOT
          ``polygons`` float32 (1, 8));
        * each per-video extra of the dataset, the same value for every frame (e.g. TNL2K
          ``language`` str, UAV123 ``attributes`` int8 (12,)): ``PackSOTTestInputs(meta_keys=...)``
          puts it in the frames' metainfo.
        """
        index = self.index
        video = self._video(video_id)
        rows = index.video_rows(video)
        num_frames = rows.stop - rows.start
        template = self.get_frame_path_template(video_id)
        first = int(index.first_frame_index[video])
        name = index.video_names[video]
        item: Dict[str, list] = {
            key: []
            for key in ('img_path', 'img_id', 'frame_id', 'video_id', 'video_name',
                        'ori_video_length', 'gt_bboxes', 'gt_bboxes_labels', 'visible')
        }
        for key in index.frame_extras:
            item[key] = []
        video_extras = self._video_extras(video)
        for key in video_extras:
            item[key] = []
        for k in frame_indices:
            k = int(k)
            if not 0 <= k < num_frames:
                raise IndexError(f'frame {k} of video {video_id} ({name}, {num_frames} frames)')
            row = rows.start + k
            box = index.bboxes_xywh[row].astype(np.float32)
            if k >= index.num_annotated[video] or not np.isfinite(box).all():
                box_xyxy = np.zeros((1, 4), np.float32)
            else:
                box_xyxy = np.array([[box[0], box[1], box[0] + box[2], box[1] + box[3]]],
                                    np.float32)
            item['img_path'].append(template.format(first + k))
            item['img_id'].append(row)
            item['frame_id'].append(k)
            item['video_id'].append(video_id)
            item['video_name'].append(name)
            item['ori_video_length'].append(num_frames)
            item['gt_bboxes'].append(box_xyxy)
            item['gt_bboxes_labels'].append(np.zeros(1, np.int64))
            item['visible'].append(self._visible[row:row + 1].copy())
            for key, values in index.frame_extras.items():
                item[key].append(values[row:row + 1].copy())
            for key, value in video_extras.items():
                item[key].append(value)
        return item

    def prepare_data(self, idx: Union[int, Tuple[int, int]]):
        """Run the pipeline on a video (training) or on frames (testing).

        Args:
            idx (int | tuple[int, int]): A video index, or ``(video index, frame index)``.
        """
        if isinstance(idx, (tuple, list)):
            if len(idx) != 2:
                raise IndexError(f'expected (video index, frame index), got {idx}')
            video_idx, frame_idx = int(idx[0]), int(idx[1])
        else:
            video_idx, frame_idx = int(idx), None
        if self.test_mode:
            frames = (range(self.get_len_per_video(video_idx))
                      if frame_idx is None else [frame_idx])
            return self.pipeline(self.get_test_item(video_idx, frames))
        data_info = self.get_data_info(video_idx)
        if frame_idx is not None:
            data_info['key_frame_id'] = frame_idx
        results = self.pipeline(data_info)
        if results is None:
            self._num_rejected += 1
            return None
        data_sample = results.get('data_samples') if isinstance(results, dict) else None
        if hasattr(data_sample, 'set_metainfo'):  # a packed sample (not a bare pipeline)
            data_sample.set_metainfo({self.NUM_REJECTED_KEY: self._num_rejected})
            self._num_rejected = 0
        return results


def _pipeline_steps(steps: Mapping[str, object], dataset_name: str) -> List[dict]:
    """The transforms of a pipeline of named steps: its steps in ``order``, None left out.

    Raises:
        ValueError: For a missing ``order``, a name of ``order`` without a step, or a step
            missing from ``order``.
        TypeError: Naming the step whose value is neither a transform config nor None.
    """
    where = f'{dataset_name}: pipeline of named steps'
    order = steps.get('order')
    if not isinstance(order, (list, tuple)):
        raise ValueError(f'{where} needs "order", the step names in the order they run, got '
                         f'{order!r} (steps {sorted(k for k in steps if k != "order")})')
    defined = [name for name in steps if name != 'order']
    unknown = [name for name in order if name not in steps]
    unplaced = [name for name in defined if name not in order and steps[name] is not None]
    if unknown or unplaced:
        raise ValueError(f'{where}: "order" names undefined steps {unknown} and leaves out '
                         f'the defined steps {unplaced} (set a step to None to drop it)')
    transforms = []
    for name in order:
        step = steps[name]
        if step is None:  # removed by a config variant
            continue
        if not isinstance(step, Mapping):
            raise TypeError(f'{where}: step {name!r} must be a transform config (dict) or None '
                            f'to leave it out, got {type(step).__name__} {step!r}')
        transforms.append(step)
    return transforms


def _short_list(values: np.ndarray, limit: int = 5) -> str:
    """``'3, 7, 9'`` or ``'3, 7, 9, 10, 12, ... (40 in all)'``."""
    shown = ', '.join(str(int(v)) for v in values[:limit])
    return shown if len(values) <= limit else f'{shown}, ... ({len(values)} in all)'
