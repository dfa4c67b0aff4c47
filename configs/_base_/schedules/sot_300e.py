# Full-model schedule of the reference (procontext.yaml): 300 epochs, x0.1 at epoch 240,
# candidate-elimination warm-up over 80 epochs; the rest as sot_100e.py.
_base_ = ['./sot_100e.py']
max_epochs = 300
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[240], gamma=0.1)]
custom_hooks = [dict(type='CEKeepRatioHook', start=20, warmup=80, by_epoch=True)]
