# OSTrack-384 baseline (vitb_384_mae_ce_32x4_ep300): one static 192 px template at factor 2,
# 384 px search at factor 5, no template update.
_base_ = ['../_base_/models/procontext_vit-b16.py', '../_base_/default_runtime.py']
model = dict(template_memory=dict(static_factors=(2.0, ), dynamic_factors=()))
