# The built-in benchmark (procontext_mm.datasets.builtin_benchmark, GOT-10k layout): train on its
# train split, validate / test on its val split with the GOT-10k protocol. Crops for the tiny
# models of configs/quickstart (64 px templates at K = [2, 4], 128 px search at factor 4).
_base_ = ['./sot_video_test.py']
data_root = 'outputs/quickstart/benchmark'

train_pipeline = [
    dict(type='TridentSampleFrames', num_dynamic=1, max_interval=200, min_num_frames=20),
    dict(type='LoadSOTFrames', on_error='resample'),
    dict(type='SOTCropRegions', template_factors=(2.0, 4.0), template_size=64, search_factor=4.0,
         search_size=128, search_center_jitter=3.0, search_scale_jitter=0.25),
    dict(type='SOTGrayscale', prob=0.05, shared=True),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=True),
    dict(type='SOTBrightnessJitter', jitter=0.2, shared=False),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=False),
    dict(type='CheckSOTSample', stride=16),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='MixedVideoSampler', samples_per_epoch=8000),
    dataset=dict(type='GOT10kDataset', data_root=data_root, split='train', use_cache=False,
                 pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    dataset=dict(type='GOT10kDataset', data_root=data_root, split='val', use_cache=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='SOTMetric', benchmark='got10k')
test_evaluator = val_evaluator
