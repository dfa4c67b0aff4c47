# The OSTrack-384 baseline (ostrack_vit-b16-mae_4xb32-300e_lasot-got10k-coco-trackingnet.py, the
# same model: one static template at factor 2) tested on VOT2022 short-term box (docs/vot.md).
_base_ = [
    '../_base_/models/procontext_vit-b16.py', '../_base_/datasets/vot2022_test.py',
    '../_base_/default_runtime.py'
]
model = dict(template_memory=dict(static_factors=(2.0, ), dynamic_factors=()))
