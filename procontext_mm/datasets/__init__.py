from .annotation_parsers import AnnotationError
from .base_sot_dataset import BaseSOTDataset
from .concat_sot_dataset import ConcatSOTDataset
from .folder_dataset import FolderSOTDataset
from .got10k_dataset import GOT10kDataset
from .index_cache import IndexCache, SOTIndex, SOTIndexBuilder, StringTable
from .lasot_dataset import LASOT_EXTENSION_CLASSES, LaSOTDataset
from .live_frames import LiveFrames, open_video_source
from .nfs_dataset import NFSDataset
from .samplers import MixedVideoSampler
from .sot_coco_dataset import SOTCocoDataset
from .tnl2k_dataset import TNL2KDataset
from .trackingnet_dataset import TrackingNetDataset
from .uav123_dataset import UAV123Dataset
from .video_frames import UnreadableFrameError, VideoFrames
from .vot_dataset import VOTDataset, vot_anchor_values, vot_ground_truth
from .worker_init import reseed_worker

__all__ = [
    'AnnotationError', 'BaseSOTDataset', 'ConcatSOTDataset', 'FolderSOTDataset', 'GOT10kDataset',
    'IndexCache', 'SOTIndex', 'SOTIndexBuilder', 'StringTable', 'LaSOTDataset', 'MixedVideoSampler',
    'reseed_worker', 'SOTCocoDataset', 'TrackingNetDataset', 'VOTDataset', 'VideoFrames',
    'UnreadableFrameError', 'UAV123Dataset', 'NFSDataset', 'TNL2KDataset',
    'LASOT_EXTENSION_CLASSES', 'LiveFrames', 'open_video_source', 'vot_ground_truth',
    'vot_anchor_values'
]
