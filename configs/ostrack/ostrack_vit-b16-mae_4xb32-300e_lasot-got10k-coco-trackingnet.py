# OSTrack-384 baseline (vitb_384_mae_ce_32x4_ep300): one static 192 px template at factor 2,
# 384 px search at factor 5, no template update; the same data and schedule as ProContEXT.
_base_ = ['../procontext/procontext_vit-b16-mae_4xb32-300e_lasot-got10k-coco-trackingnet.py']
model = dict(template_memory=dict(static_factors=(2.0, ), dynamic_factors=()))
# the four datasets share one pipeline (ConcatSOTDataset): one static template cropped at K = [2.0]
train_dataloader = dict(dataset=dict(pipeline=dict(
    sample_frames=dict(num_dynamic=0), crop=dict(template_factors=(2.0, )))))
