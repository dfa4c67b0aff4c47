# ProContEXT, GOT-10k model of Table 1 (GOT-10k row): trained on GOT-10k train only, 100 epochs.
_base_ = [
    '../_base_/models/procontext_vit-b16.py', '../_base_/datasets/got10k_train.py',
    '../_base_/schedules/sot_100e.py', '../_base_/default_runtime.py'
]
# keep the best checkpoint by GOT-10k val AO (validated every 20 epochs)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='sot/AO',
                                     rule='greater'))
