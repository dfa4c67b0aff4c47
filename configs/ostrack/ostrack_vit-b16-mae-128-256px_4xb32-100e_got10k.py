# OSTrack baseline (Ye et al., ECCV 2022; its vitb_256_mae_ce_32x4_got10k_ep100 setting):
# the same one-stream ViT with one static 128 px template at factor 2 and no template update,
# 256 px search at factor 4, CE keep 0.7. Authors' OSTrack checkpoints load with
# tools/model_converters/official_to_mm.py (same key layout).
_base_ = ['../_base_/models/procontext_vit-b16.py', '../_base_/default_runtime.py']
template_size = 128
search_size = 256
model = dict(
    backbone=dict(template_size=template_size, search_size=search_size),
    head=dict(search_size=search_size),
    template_memory=dict(
        static_factors=(2.0, ), dynamic_factors=(), template_size=template_size),
    test_cfg=dict(search_factor=4.0, search_size=search_size))
