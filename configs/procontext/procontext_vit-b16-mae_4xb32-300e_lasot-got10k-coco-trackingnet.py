# ProContEXT, full model of Table 1 (TrackingNet row): ViT-B/16 (MAE), 192 px templates at
# K = [2, 4] (static + dynamic), 384 px search at factor 5, CE keep 0.7 at blocks 3/6/9; trained
# on LaSOT + GOT-10k vot-train + COCO + TrackingNet (1:1:1:1) for 300 epochs.
_base_ = [
    '../_base_/models/procontext_vit-b16.py',
    '../_base_/datasets/lasot_got10k_coco_trackingnet_train.py',
    '../_base_/schedules/sot_300e.py', '../_base_/default_runtime.py'
]
# keep the best checkpoint by GOT-10k val AO (validated every 20 epochs)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='sot/AO',
                                     rule='greater'))
