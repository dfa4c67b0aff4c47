# Table 2 row 1 / Table 3 row 1: one static template, K = [2.0], no dynamic template.
_base_ = ['./procontext_vit-b16-mae-128-256px_4xb32-100e_got10k.py']
model = dict(template_memory=dict(static_factors=(2.0,), dynamic_factors=()))
train_pipeline = [
    dict(type='TridentSampleFrames', num_dynamic=0, max_interval=200, min_num_frames=20),
    dict(type='LoadSOTFrames', on_error='resample'),
    dict(type='SOTCropRegions', template_factors=(2.0,), template_size=128, search_factor=4.0,
         search_size=256, search_center_jitter=3.0, search_scale_jitter=0.25),
    dict(type='SOTGrayscale', prob=0.05, shared=True),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=True),
    dict(type='SOTBrightnessJitter', jitter=0.2, shared=False),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=False),
    dict(type='CheckSOTSample', stride=16),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
