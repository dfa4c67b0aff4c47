# How the SOT test loops are fed, shared by the benchmark configs (got10k_test.py, ...): one
# frame per item, read and packed with its box, visibility flag and video metainfo; batch size 1
# (the tracker runs one frame at a time); TrackImgSampler gives each rank whole videos and their
# frames in order. A benchmark config adds `dataset=dict(type=..., data_root=..., split=...)`
# and the evaluator; one without a validation split sets val_dataloader / val_cfg to None.
test_pipeline = [
    dict(type='LoadSOTFrames', on_error='raise'),
    dict(type='PackSOTTestInputs'),
]
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='mmdet.TrackImgSampler'),
    dataset=dict(test_mode=True, pipeline=test_pipeline))
val_dataloader = test_dataloader
test_cfg = dict(type='SOTTestLoop')
val_cfg = dict(type='SOTValLoop')
