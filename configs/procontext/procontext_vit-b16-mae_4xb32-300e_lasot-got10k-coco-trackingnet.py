# ProContEXT, full model of Table 1 (TrackingNet row): ViT-B/16 (MAE), 192 px templates at
# K = [2, 4] (static + dynamic), 384 px search at factor 5, CE keep 0.7 at blocks 3/6/9.
_base_ = ['../_base_/models/procontext_vit-b16.py', '../_base_/default_runtime.py']
