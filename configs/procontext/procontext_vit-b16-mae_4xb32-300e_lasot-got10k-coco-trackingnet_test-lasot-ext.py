# ProContEXT of Table 1 (the model that procontext_vit-b16-mae_4xb32-300e_lasot-got10k-coco-
# trackingnet.py trains; tests/test_configs checks that it is the same) on LaSOT-ext (the 150
# sequences of the LaSOT extension):
#   python tools/test.py THIS_CONFIG work_dirs/<training run>/epoch_300.pth [--out-dir DIR]
_base_ = [
    '../_base_/models/procontext_vit-b16.py', '../_base_/datasets/lasot_ext_test.py',
    '../_base_/default_runtime.py'
]
