# Training on GOT-10k (train_full), 60,000 samples per epoch, the reference's trident sampling
# and augmentation at 192 px templates (K = [2, 4]) / 384 px search (factor 5); validation on
# GOT-10k val with the GOT-10k protocol.
_base_ = ['./got10k_test.py']
data_root = 'data/GOT10k'
train_pipeline = [
    dict(type='TridentSampleFrames', num_dynamic=1, max_interval=200, min_num_frames=20),
    dict(type='LoadSOTFrames', on_error='resample'),
    dict(type='SOTCropRegions', template_factors=(2.0, 4.0), template_size=192, search_factor=5.0,
         search_size=384, search_center_jitter=4.5, search_scale_jitter=0.5),
    dict(type='SOTGrayscale', prob=0.05, shared=True),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=True),
    dict(type='SOTBrightnessJitter', jitter=0.2, shared=False),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=False),
    dict(type='CheckSOTSample', stride=16),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='MixedVideoSampler', samples_per_epoch=60000),
    dataset=dict(type='GOT10kDataset', data_root=data_root, split='train_full',
                 pipeline=train_pipeline))
