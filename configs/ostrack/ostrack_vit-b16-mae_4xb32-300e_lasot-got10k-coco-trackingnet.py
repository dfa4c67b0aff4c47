# OSTrack-384 baseline (vitb_384_mae_ce_32x4_ep300): one static 192 px template at factor 2,
# 384 px search at factor 5, no template update; the same data and schedule as ProContEXT.
_base_ = ['../procontext/procontext_vit-b16-mae_4xb32-300e_lasot-got10k-coco-trackingnet.py']
model = dict(template_memory=dict(static_factors=(2.0, ), dynamic_factors=()))
train_pipeline = [
    dict(type='TridentSampleFrames', num_dynamic=0, max_interval=200, min_num_frames=20),
    dict(type='LoadSOTFrames', on_error='resample'),
    dict(type='SOTCropRegions', template_factors=(2.0, ), template_size=192, search_factor=5.0,
         search_size=384, search_center_jitter=4.5, search_scale_jitter=0.5),
    dict(type='SOTGrayscale', prob=0.05, shared=True),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=True),
    dict(type='SOTBrightnessJitter', jitter=0.2, shared=False),
    dict(type='SOTHorizontalFlip', prob=0.5, shared=False),
    dict(type='CheckSOTSample', stride=16),
    dict(type='PackSOTInputs'),
]
# lists are replaced, not merged: the four datasets are restated with this pipeline
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(type='LaSOTDataset', data_root='data/LaSOT', split='train', pipeline=train_pipeline),
        dict(type='GOT10kDataset', data_root='data/GOT10k', split='vot-train',
             split_file='got10k_vot_train_split.txt', pipeline=train_pipeline),
        dict(type='SOTCocoDataset', data_root='data/coco', bbox_min_size=50,
             pipeline=train_pipeline),
        dict(type='TrackingNetDataset', data_root='data/TrackingNet', pipeline=train_pipeline),
    ]))
