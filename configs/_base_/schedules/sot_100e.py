# GOT-10k schedule of the reference (procontext_got10k.yaml): 100 epochs of 60,000 samples,
# AdamW lr 4e-4 (backbone x0.1), weight decay 1e-4, x0.1 at epoch 80, grad-norm clip 0.1,
# candidate elimination off until epoch 20, then cosine to the target keep ratio over 50 epochs.
max_epochs = 100
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=20)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[80], gamma=0.1)]
custom_hooks = [dict(type='CEKeepRatioHook', start=20, warmup=50, by_epoch=True)]
auto_scale_lr = dict(enable=False, base_batch_size=128)
