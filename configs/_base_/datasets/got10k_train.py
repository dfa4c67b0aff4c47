# Training on GOT-10k (train_full), 60,000 samples per epoch, the reference's trident sampling
# and augmentation at 192 px templates (K = [2, 4]) / 384 px search (factor 5); validation on
# GOT-10k val with the GOT-10k protocol.
_base_ = ['./got10k_test.py']
data_root = 'data/GOT10k'
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='MixedVideoSampler', samples_per_epoch=60000),
    # fresh draws per epoch and worker; workers end with a killed training process
    worker_init_fn=dict(type='procontext_mm.datasets.worker_init.reseed_worker'),
    dataset=dict(
        type='GOT10kDataset',
        data_root=data_root,
        split='train_full',
        # named steps run in `order`: a variant overrides one by name (docs/data_flow.md)
        pipeline=dict(
            order=('sample_frames', 'load', 'crop', 'grayscale', 'flip_joint', 'brightness',
                   'flip_per_crop', 'check', 'pack'),
            sample_frames=dict(type='TridentSampleFrames', num_dynamic=1, max_interval=200,
                               min_num_frames=20),
            load=dict(type='LoadSOTFrames', on_error='resample'),
            crop=dict(type='SOTCropRegions', template_factors=(2.0, 4.0), template_size=192,
                      search_factor=5.0, search_size=384, search_center_jitter=4.5,
                      search_scale_jitter=0.5),
            # the reference's joint stage (one draw for all crops) ...
            grayscale=dict(type='SOTGrayscale', prob=0.05, shared=True),
            flip_joint=dict(type='SOTHorizontalFlip', prob=0.5, shared=True),
            # ... and its per-crop stage (one draw per crop)
            brightness=dict(type='SOTBrightnessJitter', jitter=0.2, shared=False),
            flip_per_crop=dict(type='SOTHorizontalFlip', prob=0.5, shared=False),
            check=dict(type='CheckSOTSample', stride=16),
            pack=dict(type='PackSOTInputs'),
        )))
