"""Video-by-video test and validation loops of single-object tracking.

mmengine's ``TestLoop`` / ``ValLoop`` already run a SOT benchmark correctly when the dataloader
is set up for it (checked with ``TrackImgSampler`` + ``SOTMetric``): mmdet's
``TrackImgSampler`` shards the *videos* across ranks and yields ``(video, frame)`` pairs in
order, the tracker initialises itself on every ``frame_id == 0``, ``SOTMetric`` groups the
frames by video and ``BaseVideoMetric`` gathers them across ranks. What they lack, and what
:class:`SOTTestLoop` / :class:`SOTValLoop` add:

* **checks** that make a wrong dataloader fail at once instead of scoring garbage: batch size
  1, a sampler that yields ``(video, frame)`` pairs, and frames arriving in order (frame 0 of
  a video, then 1, 2, ... to its last frame, before the next video starts);
* a **video-level progress bar** (videos done, frames per second, ETA) on the main process,
  and a summary line (videos, frames, wall time, end-to-end FPS over all ranks);
* the **per-frame results** (box, confidence score, tracking time of every frame), gathered
  from all ranks into :attr:`SOTTestLoop.frame_results` and optionally written to a pickle
  file. The benchmark-format raw results and submission archives are written by
  ``SOTMetric(out_dir=...)``; those formats have no place for the scores.

* the **VOT supervised protocol** (VOT2016 - VOT2019 ``baseline``): when the evaluator scores
  it (``SOTMetric(benchmark='vot2018')`` ...), the tracker is re-initialised 5 frames after
  each failure, stepped by :class:`~procontext_mm.evaluation.vot_protocol.SupervisedRun`, the
  class :func:`~procontext_mm.apis.run_vot_experiment` steps too.

* the **VOT multi-start protocol** (VOT2022 short-term box, ``SOTMetric(benchmark='vot2022')``):
  from every anchor frame of ``<seq>/anchor.value`` the tracker is initialised and tracks to
  the last frame (forward anchors) or back to frame 0 (backward anchors), stepped by
  :class:`~procontext_mm.evaluation.vot_protocol.MultiStartRun`, the class
  :func:`~procontext_mm.apis.run_vot_multistart_experiment` steps too. Its runs visit frames
  backwards and several times, so the loop fetches the frames of the runs itself (see
  :meth:`SOTTestLoop.multistart_dataloader`).

Where the protocol switch lives: the **evaluator** asks for it (a metric's
``tracking_protocol`` attribute), neither a loop option nor the dataset. The records of the
protocol (1 / 2 / 0 codes, re-initialisations) are what the VOT scores are defined on: EAO of
a one-pass run is meaningless, so the metric that computes EAO is the one place that knows the
run must be supervised, and ``test_evaluator = dict(type='SOTMetric', benchmark='vot2018')``
is all a config says, as for any benchmark (and ``val_evaluator`` the same during training).
A loop option would have to be kept in step with the metric by hand; the dataset is the wrong
owner because the same sequences are run one-pass (VOT's ``unsupervised`` experiment, OPE
metrics). The model stays protocol-agnostic: the loop sets the metainfo ``init_tracker`` on
every frame it tracks (True: initialise on ``gt_instances.bboxes``) and does not call the model
on the frames skipped after a failure (their ``pred_track_instances`` are NaN). Each frame
leaves the loop with the metainfo ``vot_status`` (1 initialised, 2 failure, 0 skipped, -1
tracked: the record is the predicted box) and ``vot_gt_region`` (the ``groundtruth.txt``
region the protocol compared with), which ``SOTMetric`` scores; a frame of a multi-start run
also carries ``vot_anchor`` (the run's anchor frame), ``vot_reverse`` (a backward run) and
``vot_num_runs`` (the runs of its video).

Both loops call the same hooks as mmengine's loops (``before_test_iter``,
``after_val_epoch`` with the metrics, ...), so ``CheckpointHook(save_best='sot/AO')`` and
visualisation hooks work unchanged.
"""
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Union

import numpy as np
import torch
from mmengine.dist import all_gather_object, is_main_process
from mmengine.evaluator import Evaluator
from mmengine.fileio import dump
from mmengine.logging import print_log
from mmengine.runner import TestLoop, ValLoop
from mmengine.runner.amp import autocast
from mmengine.structures import InstanceData
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader

from procontext_mm.datasets.vot_dataset import vot_anchor_values, vot_ground_truth
from procontext_mm.evaluation.results_io import VOT_INIT
from procontext_mm.evaluation.vot_protocol import VOT_TRACKED, MultiStartRun, SupervisedRun
from procontext_mm.registry import LOOPS


class VideoProgressBar(ProgressBar):
    """mmengine's progress bar counting videos and showing the frame rate.

    Args:
        num_videos (int): Videos to run (0: unknown, no bar and no ETA).
        file: Output stream. Defaults to the ``sys.stdout`` of the moment (not of the import:
            a replaced and closed stream, e.g. pytest's capture, would be written to).
        unit (str): What is counted, e.g. ``'runs'`` (multi-start runs). Defaults to
            ``'videos'``.
    """

    def __init__(self, num_videos: int, file=None, unit: str = 'videos') -> None:
        self.num_frames = 0
        self.unit = unit
        super().__init__(task_num=num_videos, file=file or sys.stdout)

    def update(self, num_frames: int = 1) -> None:  # type: ignore[override]
        """Mark one more video (of ``num_frames`` frames) done and redraw."""
        self.completed += 1
        self.num_frames += num_frames
        elapsed = self.timer.since_start()
        fps = self.num_frames / elapsed if elapsed > 0 else float('inf')
        if self.task_num > 0:
            fraction = self.completed / self.task_num
            eta = int(elapsed * (1 - fraction) / fraction + 0.5)
            msg = (f'\r[{{}}] {self.completed}/{self.task_num} {self.unit}, '
                   f'{self.num_frames} frames, {fps:.1f} FPS, elapsed: {int(elapsed + 0.5)}s, '
                   f'ETA: {eta:5}s')
            width = max(2, min(self.bar_width, self.terminal_width - len(msg) + 2,
                               int(self.terminal_width * 0.6)))
            marks = int(width * fraction)
            self.file.write(msg.format('>' * marks + ' ' * (width - marks)))
        else:
            self.file.write(f'\r{self.unit}: {self.completed}, frames: {self.num_frames}, '
                            f'{fps:.1f} FPS, elapsed: {int(elapsed + 0.5)}s')
        self.file.flush()

    def finish(self) -> None:
        """End the progress line."""
        self.file.write('\n')
        self.file.flush()


class VideoFrameRecorder:
    """Check that frames come in order, video after video, and keep their results.

    Args:
        loop_name (str): Name used in messages (e.g. ``'SOTTestLoop'``).
        config_field (str): The dataloader's config field, named in errors (e.g.
            ``'test_dataloader'``).
        num_videos (int): Videos this process will see (0 if unknown); for the progress bar.
        show_progress (bool): Draw a :class:`VideoProgressBar`.
    """

    def __init__(self, loop_name: str, config_field: str, num_videos: int,
                 show_progress: bool) -> None:
        self.loop_name = loop_name
        self.config_field = config_field
        self.videos: List[dict] = []
        self._frames: List[dict] = []
        self._length = 0
        self.start_time = time.perf_counter()
        self.progress = VideoProgressBar(num_videos) if show_progress else None

    def check_next(self, det_sample) -> None:
        """Check that a frame about to be tracked is the next one (before the model sees it).

        Args:
            det_sample (DetDataSample): The frame's data sample (metainfo ``video_id``,
                ``frame_id``, ``ori_video_length``, optional ``video_name``).

        Raises:
            KeyError: If one of those metainfo keys is missing.
            RuntimeError: If the frame is not the next frame of the current video, or not
                frame 0 of a new video once the current one is complete.
        """
        meta = self._check_metainfo(det_sample)
        video_id, frame_id = meta['video_id'], int(meta['frame_id'])
        if self._frames:
            current = self._frames[-1]
            expected = (current['video_id'], current['frame_id'] + 1)
            where = (f'frame {current["frame_id"] + 1} of video {current["video_name"]} '
                     f'({self._length} frames)')
        else:
            expected, where = (video_id, 0), 'frame 0 of a new video'
        if (video_id, frame_id) != expected:
            raise RuntimeError(
                f'{self.loop_name}: expected {where}, got frame {frame_id} of video '
                f'{meta.get("video_name", video_id)}. Frames must arrive one at a time, video '
                f'after video, in order: set {self.config_field}.batch_size=1 and '
                f"{self.config_field}.sampler=dict(type='mmdet.TrackImgSampler') on a dataset "
                'with test_mode=True.')

    def _check_metainfo(self, det_sample) -> dict:
        meta = det_sample.metainfo
        for key in ('video_id', 'frame_id', 'ori_video_length'):
            if key not in meta:
                raise KeyError(f'{self.loop_name}: a frame carries no metainfo {key!r}; the test '
                               f'pipeline of {self.config_field} must pack it (PackSOTTestInputs '
                               'does, see docs/data_flow.md)')
        return meta

    def add(self, det_sample) -> None:
        """Record one predicted frame (a ``DetDataSample`` with ``pred_track_instances``).

        Raises:
            KeyError, RuntimeError: As :meth:`check_next`.
        """
        self.check_next(det_sample)
        frame_id = int(det_sample.metainfo['frame_id'])
        if frame_id == 0:
            self._length = int(det_sample.metainfo['ori_video_length'])
        self._frames.append(_frame_record(det_sample))
        if frame_id + 1 == self._length:
            self._close_video()

    def _close_video(self, **extra) -> None:
        frames = self._frames
        self.videos.append(dict(
            **extra,
            video_id=frames[0]['video_id'],
            video_name=frames[0]['video_name'],
            frame_ids=np.array([f['frame_id'] for f in frames], dtype=np.int64),
            bboxes_xyxy=np.stack([f['bbox_xyxy'] for f in frames]).astype(np.float32),
            scores=np.array([f['score'] for f in frames], dtype=np.float32),
            times=np.array([f['time'] for f in frames], dtype=np.float64)))
        self._frames = []
        if self.progress is not None:
            self.progress.update(len(frames))

    def finish(self) -> float:
        """End the run; returns the wall time in seconds.

        Raises:
            RuntimeError: If the last video stopped before its last frame.
        """
        if self.progress is not None:
            self.progress.finish()
        if self._frames:
            last = self._frames[-1]
            raise RuntimeError(
                f'{self.loop_name}: video {last["video_name"]} stopped after frame '
                f'{last["frame_id"]} of {self._length}; every frame of a video must be run '
                f'(check {self.config_field}.sampler)')
        return time.perf_counter() - self.start_time


class MultiStartFrameRecorder(VideoFrameRecorder):
    """Check that frames come in the order of the multi-start runs and keep each run's results.

    Args:
        loop_name (str), config_field (str), show_progress (bool): As
            :class:`VideoFrameRecorder`.
        runs (list[tuple]): This process's runs in order: ``(video_id, video_name, anchor,
            reverse, frame_ids)`` with frame_ids (M,) int the run's frames in run order.

    Attributes:
        videos (list[dict]): One entry per finished *run*, the keys of
            :class:`VideoFrameRecorder`'s plus ``anchor`` (int) and ``reverse`` (bool);
            ``frame_ids`` and the arrays are in run order.
    """

    def __init__(self, loop_name: str, config_field: str, runs: List[tuple],
                 show_progress: bool) -> None:
        super().__init__(loop_name, config_field, 0, False)
        self.runs = runs
        self._run_index = 0
        self.progress = VideoProgressBar(len(runs), unit='runs') if show_progress else None

    def check_next(self, det_sample) -> None:
        """Check that a frame is the next frame of the current run.

        Raises:
            KeyError: If a metainfo key is missing (as :class:`VideoFrameRecorder`).
            RuntimeError: If it is another frame, or all runs are done.
        """
        meta = self._check_metainfo(det_sample)
        got = (meta['video_id'], int(meta['frame_id']))
        if self._run_index >= len(self.runs):
            raise RuntimeError(f'{self.loop_name}: every multi-start run is done, got frame '
                               f'{got[1]} of video {meta.get("video_name", got[0])}.')
        video_id, name, anchor, reverse, frame_ids = self.runs[self._run_index]
        expected = (video_id, int(frame_ids[len(self._frames)]))
        if got != expected:
            raise RuntimeError(
                f'{self.loop_name}: expected frame {expected[1]} of video {name} (the '
                f'{"backward" if reverse else "forward"} multi-start run from anchor frame '
                f'{anchor}), got frame {got[1]} of video {meta.get("video_name", got[0])}; '
                f'{self.config_field}.dataset[(video, frame)] must give that frame.')

    def add(self, det_sample) -> None:
        """Record one predicted frame of the current run.

        Raises:
            KeyError, RuntimeError: As :meth:`check_next`.
        """
        self.check_next(det_sample)
        self._frames.append(_frame_record(det_sample))
        _, _, anchor, reverse, frame_ids = self.runs[self._run_index]
        if len(self._frames) == len(frame_ids):
            self._close_video(anchor=anchor, reverse=reverse)
            self._run_index += 1

    def finish(self) -> float:
        """End the runs; returns the wall time in seconds.

        Raises:
            RuntimeError: If a run was not finished.
        """
        if self.progress is not None:
            self.progress.finish()
        if self._run_index < len(self.runs):
            video_id, name, anchor, _, frame_ids = self.runs[self._run_index]
            raise RuntimeError(f'{self.loop_name}: the multi-start run of video {name} from '
                               f'anchor frame {anchor} stopped after {len(self._frames)} of '
                               f'{len(frame_ids)} frames.')
        return time.perf_counter() - self.start_time


class _SOTLoopMixin:
    """The video-by-video ``run`` shared by :class:`SOTTestLoop` and :class:`SOTValLoop`.

    ``stage`` (``'test'`` / ``'val'``) chooses the hooks (``before_test_iter`` ...) and the
    model step (``test_step`` / ``val_step``), as in mmengine's loops.
    """
    stage = 'test'

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 fp16: bool = False,
                 frame_results_file: Optional[str] = None,
                 show_progress: bool = True) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)  # type: ignore[call-arg]
        field = f'{self.stage}_dataloader'
        batch_size = getattr(self.dataloader, 'batch_size', None)
        if batch_size != 1:
            raise ValueError(f'{type(self).__name__} tracks one frame at a time: set '
                             f'{field}.batch_size=1 (got {batch_size})')
        self.frame_results_file = frame_results_file
        self.show_progress = show_progress
        self.frame_results: List[dict] = []
        self._recorder: Optional[VideoFrameRecorder] = None
        self.tracking_protocol = _tracking_protocol(self.evaluator, type(self).__name__)
        self._supervised_run: Optional[SupervisedRun] = None
        self._multistart_runs: Dict[int, MultiStartRun] = {}

    @property
    def _protocol_type(self) -> Optional[str]:
        return None if self.tracking_protocol is None else self.tracking_protocol['type']

    def _videos_of_rank(self) -> List[int]:
        """Videos the sampler gives this process, in order; checks it yields (video, frame)
        pairs."""
        sampler = self.dataloader.sampler
        videos: Dict[int, None] = {}  # ordered set
        for index in sampler:
            if not (isinstance(index, (tuple, list)) and len(index) == 2):
                raise ValueError(
                    f'{type(self).__name__} needs a sampler that yields (video index, frame '
                    f'index) pairs, one frame at a time, in order; {self.stage}_dataloader.'
                    f'sampler {type(sampler).__name__} yields {index!r}. Use '
                    "sampler=dict(type='mmdet.TrackImgSampler') with a test_mode=True dataset.")
            videos[int(index[0])] = None
        return list(videos)

    def multistart_dataloader(self, video_ids: List[int]) -> DataLoader:
        """The frames of the multi-start runs of ``video_ids``, in run order.

        Why the loop fetches the frames itself instead of iterating the configured
        dataloader: a multi-start run from a backward anchor visits the frames in reverse, and
        a frame is visited once per run that covers it, while ``TrackImgSampler`` yields each
        frame once, in order. A sampler emitting the run order would have to be configured
        together with the metric (the protocol is the evaluator's choice, see the module
        docstring) and would have to read the anchors. So the configured dataloader still says
        *what* is run and *how* frames are read: its dataset, the videos its sampler gives
        this process (the sharding over ranks), its pipeline, workers and collate function;
        the loop asks for ``dataset[(video, k)]`` in the order of
        :meth:`~procontext_mm.evaluation.vot_protocol.MultiStartRun.frame_order` through a
        dataloader built alike, with that list as its sampler (so workers still read ahead).

        Builds the :class:`~procontext_mm.evaluation.vot_protocol.MultiStartRun` of every
        video first (ground truth and ``anchor.value``), so a sequence without anchors fails
        before any tracking.

        Returns:
            DataLoader: batch size 1, one frame per batch.

        Raises:
            FileNotFoundError: If a sequence has no ``anchor.value`` (naming it).
            ValueError: If a sequence has no anchor frame.
        """
        loader = self.dataloader
        dataset = loader.dataset
        if not hasattr(dataset, 'get_data_info'):
            raise TypeError(f'{type(self).__name__}: the VOT multi-start protocol reads the '
                            'ground truth and anchors from the dataset; '
                            f'{self.stage}_dataloader.dataset {type(dataset).__name__} is not a '
                            'SOT dataset (e.g. VOTDataset).')
        self._multistart_runs, order = {}, []
        for video_id in video_ids:
            name = dataset.get_data_info(video_id)['video_name']
            run = MultiStartRun(vot_ground_truth(dataset, video_id),
                                vot_anchor_values(dataset, video_id), name)
            self._multistart_runs[video_id] = run
            order += [(video_id, frame_id) for frame_id in run.frame_order().tolist()]
        workers = dict(num_workers=loader.num_workers)
        if loader.num_workers > 0:
            workers.update(prefetch_factor=loader.prefetch_factor,
                           worker_init_fn=loader.worker_init_fn,
                           multiprocessing_context=loader.multiprocessing_context,
                           timeout=loader.timeout)
        return DataLoader(dataset, batch_size=1, sampler=order, collate_fn=loader.collate_fn,
                          pin_memory=loader.pin_memory, **workers)

    def _multistart_recorder(self) -> 'MultiStartFrameRecorder':
        runs = []
        for video_id, run in self._multistart_runs.items():
            frames = run.frame_order()
            for anchor, steps in run.run_slices().items():
                reverse = dict(run.runs)[anchor]
                runs.append((video_id, run.seq_name, anchor, reverse, frames[steps]))
        return MultiStartFrameRecorder(type(self).__name__, f'{self.stage}_dataloader', runs,
                                       self.show_progress and is_main_process())

    def run(self) -> dict:
        """Track every video of this process, gather the per-frame results, evaluate.

        Returns:
            dict: The evaluator's metrics (e.g. ``sot/AO``).
        """
        runner = self.runner
        runner.call_hook(f'before_{self.stage}')
        runner.call_hook(f'before_{self.stage}_epoch')
        runner.model.eval()
        video_ids = self._videos_of_rank()
        if self._protocol_type == 'multistart':
            dataloader = self.multistart_dataloader(video_ids)
            self._recorder = self._multistart_recorder()
        else:
            dataloader = self.dataloader
            self._recorder = VideoFrameRecorder(type(self).__name__, f'{self.stage}_dataloader',
                                                len(video_ids),
                                                self.show_progress and is_main_process())
        for idx, data_batch in enumerate(dataloader):
            self.run_iter(idx, data_batch)
        wall_time = self._recorder.finish()
        self._collect_frame_results(wall_time)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        runner.call_hook(f'after_{self.stage}_epoch', metrics=metrics)
        runner.call_hook(f'after_{self.stage}')
        return metrics

    @torch.no_grad()
    def run_iter(self, idx: int, data_batch: dict) -> None:
        """Track one frame: model step, record, ``evaluator.process``, hooks.

        Args:
            idx (int): Index of the frame in this process's run.
            data_batch (dict): One frame from the dataloader.
        """
        runner = self.runner
        runner.call_hook(f'before_{self.stage}_iter', batch_idx=idx, data_batch=data_batch)
        for track_sample in data_batch['data_samples']:
            self._recorder.check_next(track_sample.video_data_samples[0])
        action = None
        if self._protocol_type == 'supervised':
            action = self._supervised_before_step(data_batch['data_samples'][0])
        elif self._protocol_type == 'multistart':
            action = self._multistart_before_step(data_batch['data_samples'][0])
        if action == SupervisedRun.SKIP:  # waiting for the re-initialisation: no model step
            outputs = data_batch['data_samples']
            outputs[0].video_data_samples[0].pred_track_instances = InstanceData(
                bboxes=torch.full((1, 4), float('nan')), scores=torch.full((1, ), float('nan')))
        else:
            with autocast(enabled=self.fp16):
                outputs = getattr(runner.model, f'{self.stage}_step')(data_batch)
        if self._protocol_type == 'supervised':
            self._supervised_after_step(outputs[0].video_data_samples[0], action)
        elif self._protocol_type == 'multistart':
            self._multistart_after_step(outputs[0].video_data_samples[0], action)
        for track_sample in outputs:
            for det_sample in track_sample.video_data_samples:
                self._recorder.add(det_sample)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        runner.call_hook(f'after_{self.stage}_iter', batch_idx=idx, data_batch=data_batch,
                         outputs=outputs)

    def _supervised_before_step(self, track_sample) -> str:
        """Ask the VOT supervised run what to do on this frame and tell the model.

        Returns:
            str: ``SupervisedRun.INIT``, ``TRACK`` or ``SKIP``.
        """
        det_sample = track_sample.video_data_samples[0]
        meta = det_sample.metainfo
        frame_id = int(meta['frame_id'])
        if frame_id == 0:
            name = str(meta.get('video_name', meta['video_id']))
            dataset = self.dataloader.dataset
            if not hasattr(dataset, 'get_data_info'):
                raise TypeError(f'{type(self).__name__}: the VOT supervised protocol reads the '
                                'ground-truth regions from the dataset; '
                                f'{self.stage}_dataloader.dataset {type(dataset).__name__} is '
                                'not a SOT dataset (e.g. VOTDataset).')
            regions = vot_ground_truth(dataset, int(meta['video_id']))
            if len(regions) != int(meta['ori_video_length']):
                raise ValueError(f'{type(self).__name__}: video {name} has '
                                 f'{meta["ori_video_length"]} frames but {len(regions)} '
                                 'ground-truth regions.')
            self._supervised_run = SupervisedRun(regions, seq_name=name,
                                                 **self.tracking_protocol['args'])
        run = self._supervised_run
        action = run.next_action(frame_id)
        if action == run.INIT:
            # the protocol's box (the region's axis-aligned box), as run_vot_experiment gives it
            det_sample.gt_instances.bboxes = torch.as_tensor(
                run.init_bbox_xyxy(frame_id)[None], dtype=torch.float32)
        if action != run.SKIP:
            det_sample.set_metainfo(dict(init_tracker=action == run.INIT))
        return action

    def _supervised_after_step(self, det_sample, action: str) -> None:
        """Hand a tracked box to the run; write the frame's record status and ground-truth
        region into its metainfo (``vot_status``, ``vot_gt_region``) for ``SOTMetric``."""
        run = self._supervised_run
        frame_id = int(det_sample.metainfo['frame_id'])
        if action == run.TRACK:
            height, width = det_sample.metainfo['ori_shape'][:2]
            run.tracked(frame_id, _numpy(det_sample.pred_track_instances.bboxes).reshape(4),
                        (width, height))
        status = run.status(frame_id)
        det_sample.set_metainfo(dict(
            vot_status=VOT_TRACKED if status is None else status,
            vot_gt_region=np.asarray(run.gt_regions[frame_id], dtype=np.float64)))

    def _multistart_before_step(self, track_sample) -> str:
        """Step the video's multi-start run on this frame and tell the model to initialise
        (the first frame of a run, on the anchor's box) or to track.

        Returns:
            str: ``MultiStartRun.INIT`` or ``TRACK``.
        """
        det_sample = track_sample.video_data_samples[0]
        frame_id = int(det_sample.metainfo['frame_id'])
        run = self._multistart_runs[int(det_sample.metainfo['video_id'])]
        action = run.next_action(frame_id)
        if action == run.INIT:
            det_sample.gt_instances.bboxes = torch.as_tensor(
                run.init_bbox_xyxy(frame_id)[None], dtype=torch.float32)
        det_sample.set_metainfo(dict(init_tracker=action == run.INIT))
        return action

    def _multistart_after_step(self, det_sample, action: str) -> None:
        """Hand a tracked box to the run; write the frame's status, ground-truth region and run
        (``vot_status``, ``vot_gt_region``, ``vot_anchor``, ``vot_reverse``,
        ``vot_num_runs``) into its metainfo for ``SOTMetric``."""
        frame_id = int(det_sample.metainfo['frame_id'])
        run = self._multistart_runs[int(det_sample.metainfo['video_id'])]
        if action == run.TRACK:
            run.tracked(frame_id, _numpy(det_sample.pred_track_instances.bboxes).reshape(4))
        anchor, reverse = run.current_run
        det_sample.set_metainfo(dict(
            vot_status=VOT_INIT if action == run.INIT else VOT_TRACKED,
            vot_gt_region=np.asarray(run.gt_regions[frame_id], dtype=np.float64),
            vot_anchor=anchor, vot_reverse=reverse, vot_num_runs=len(run.runs)))

    def _collect_frame_results(self, wall_time: float) -> None:
        """Gather the videos of all ranks into :attr:`frame_results`, log a summary and write
        ``frame_results_file`` (main process)."""
        parts = all_gather_object((self._recorder.videos, wall_time))
        videos = sorted((video for part, _ in parts for video in part),
                        key=lambda video: video['video_id'])
        self.frame_results = videos
        self._recorder = None
        if not is_main_process():
            return
        num_frames = sum(len(video['frame_ids']) for video in videos)
        slowest = max(seconds for _, seconds in parts)
        fps = num_frames / slowest if slowest > 0 else float('inf')
        per_process = ', '.join(str(len({video['video_id'] for video in part}))
                                for part, _ in parts)
        num_videos = len({video['video_id'] for video in videos})
        runs = f' ({len(videos)} multi-start runs)' if self._protocol_type == 'multistart' else ''
        print_log(f'{type(self).__name__}: {num_videos} videos, {num_frames} frames{runs} in '
                  f'{slowest:.1f} s on {len(parts)} process(es) (videos per process: '
                  f'{per_process}): {fps:.1f} FPS end to end (data loading included; the '
                  'metric\'s FPS counts tracking time only)', logger='current')
        if self.frame_results_file:
            path = self.frame_results_file
            if not osp.isabs(path):
                path = osp.join(self.runner.work_dir, path)
            dump(videos, path, file_format='pkl')
            print_log(f'{type(self).__name__}: per-frame boxes, scores and times written to '
                      f'{path}', logger='current')


@LOOPS.register_module()
class SOTTestLoop(_SOTLoopMixin, TestLoop):
    """Test loop of single-object tracking: video by video, frame by frame.

    Each process runs its share of the videos (``TrackImgSampler`` splits them), one frame per
    iteration, in order; the tracker initialises itself from the ground truth on frame 0 of
    every video and tracks the others. ``evaluator.process`` gets every frame and
    ``evaluator.evaluate`` gathers and scores them at the end. When a metric asks for the VOT
    supervised protocol (``SOTMetric(benchmark='vot2018')`` ...), the tracker is also
    re-initialised 5 frames after each failure; when it asks for the multi-start protocol
    (``SOTMetric(benchmark='vot2022')``), each process runs every run from every anchor of its
    videos (:meth:`multistart_dataloader`). See the module docstring for what this adds
    to mmengine's ``TestLoop`` and why the protocol is the evaluator's choice.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): A test-mode SOT dataset with ``batch_size=1`` and
            ``sampler=dict(type='mmdet.TrackImgSampler')``.
        evaluator (Evaluator | dict | list): E.g. ``dict(type='SOTMetric', ...)``.
        fp16 (bool): Run the model under autocast. Defaults to False.
        frame_results_file (str, optional): Pickle file (absolute, or relative to the work
            dir) receiving :attr:`frame_results`. Defaults to None (not written).
        show_progress (bool): Draw the video progress bar on the main process.
            Defaults to True.

    Attributes:
        tracking_protocol (dict | None): The protocol the evaluator asked for
            (``dict(type='supervised', args=...)``, ``dict(type='multistart', args={})``) or
            None (one pass).
        frame_results (list[dict]): After :meth:`run`, one entry per video of all ranks,
            sorted by ``video_id``: ``video_id`` (int), ``video_name`` (str), ``frame_ids``
            int64 (L,), ``bboxes_xyxy`` float32 (L, 4) x1, y1, x2, y2 image pixels (frame 0:
            the initial box), ``scores`` float32 (L,) confidence (frame 0: -1), ``times``
            float64 (L,) seconds spent by the tracker on each frame (frames skipped by the
            VOT protocol: NaN boxes, scores and times). Multi-start protocol: one entry per
            *run* (the runs of a video in their order), with ``anchor`` (int) and ``reverse``
            (bool) and the frames in run order (the anchor frame first).

    Raises:
        ValueError: If the batch size is not 1 (at construction) or the sampler does not
            yield ``(video, frame)`` pairs (at :meth:`run`).
        RuntimeError: If frames arrive out of order or a video is cut short.
    """
    stage = 'test'


@LOOPS.register_module()
class SOTValLoop(_SOTLoopMixin, ValLoop):
    """Validation loop of single-object tracking (during training, every ``val_interval``).

    The same video-by-video run as :class:`SOTTestLoop`, with mmengine's validation hooks and
    ``model.val_step``; the metrics (e.g. ``sot/AO``) reach ``CheckpointHook(save_best=...)``
    through ``after_val_epoch``. Arguments as :class:`SOTTestLoop`.
    """
    stage = 'val'


def _tracking_protocol(evaluator: Evaluator, loop_name: str) -> Optional[dict]:
    """The tracking protocol the evaluator's metrics score (None: one pass, OPE).

    A metric asks for a protocol through its attribute ``tracking_protocol``: None, or a dict
    ``type`` (``'supervised'``) and ``args`` (keyword arguments of :class:`SupervisedRun`).

    Raises:
        ValueError: If two metrics ask for different protocols, or for an unknown one.
    """
    protocols = []
    for metric in evaluator.metrics:
        protocol = getattr(metric, 'tracking_protocol', None)
        if protocol is not None and protocol not in protocols:
            protocols.append(protocol)
    if len(protocols) > 1:
        raise ValueError(f'{loop_name}: the evaluator\'s metrics ask for different tracking '
                         f'protocols {protocols}; one run of the videos can follow only one.')
    if not protocols:
        return None
    if protocols[0].get('type') not in ('supervised', 'multistart'):
        raise ValueError(f'{loop_name}: unknown tracking protocol {protocols[0]}; known: '
                         "'supervised' (VOT2016 - VOT2019), 'multistart' (VOT2022).")
    return protocols[0]


def _frame_record(det_sample) -> dict:
    """What the recorders keep of a predicted frame."""
    meta = det_sample.metainfo
    pred = det_sample.pred_track_instances
    return dict(video_id=meta['video_id'],
                video_name=str(meta.get('video_name', meta['video_id'])),
                frame_id=int(meta['frame_id']),
                bbox_xyxy=_numpy(pred.bboxes).reshape(4),
                score=float(_numpy(pred.scores).reshape(-1)[0]) if 'scores' in pred else np.nan,
                time=float(meta.get('track_time', np.nan)))


def _numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)
