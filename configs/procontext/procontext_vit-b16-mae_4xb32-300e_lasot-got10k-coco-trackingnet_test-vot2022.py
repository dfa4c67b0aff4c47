# The Table 1 ProContEXT (procontext_vit-b16-mae_4xb32-300e_lasot-got10k-coco-trackingnet.py,
# the same model) tested on VOT2022 short-term box with the multi-start protocol (EAO,
# accuracy, robustness; docs/vot.md):
#   python tools/test.py THIS_CONFIG CHECKPOINT [--out-dir DIR]
_base_ = [
    '../_base_/models/procontext_vit-b16.py', '../_base_/datasets/vot2022_test.py',
    '../_base_/default_runtime.py'
]
