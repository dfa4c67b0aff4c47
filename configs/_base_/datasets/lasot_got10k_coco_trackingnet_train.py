# Training data of the full model (Table 1): LaSOT train + GOT-10k vot-train (the pytracking
# split file `got10k_vot_train_split.txt`, placed in the GOT-10k root) + COCO 2017 train +
# TrackingNet, sampled 1:1:1:1, 60,000 samples per epoch; validation on GOT-10k val.
# The four datasets share got10k_train.py's pipeline, given once to ConcatSOTDataset: a variant
# overrides `train_dataloader.dataset.pipeline.<step>` without restating the datasets.
_base_ = ['./got10k_train.py']
lasot_root = 'data/LaSOT'
got10k_root = 'data/GOT10k'
coco_root = 'data/coco'
trackingnet_root = 'data/TrackingNet'
train_dataloader = dict(
    sampler=dict(type='MixedVideoSampler', ratios=[1, 1, 1, 1], samples_per_epoch=60000),
    dataset=dict(
        _delete_=True,
        type='ConcatSOTDataset',
        pipeline={{_base_.train_dataloader.dataset.pipeline}},
        datasets=[
            dict(type='LaSOTDataset', data_root=lasot_root, split='train'),
            dict(type='GOT10kDataset', data_root=got10k_root, split='vot-train',
                 split_file='got10k_vot_train_split.txt'),
            dict(type='SOTCocoDataset', data_root=coco_root, bbox_min_size=50),
            dict(type='TrackingNetDataset', data_root=trackingnet_root),
        ]))
