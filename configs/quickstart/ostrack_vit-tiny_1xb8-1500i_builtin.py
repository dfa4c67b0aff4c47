# Quickstart: the same tiny network as a single-template (OSTrack-style) tracker: one static
# 32 px template at factor 2, no dynamic template, no template update.
_base_ = ['./procontext_vit-tiny_1xb8-1500i_builtin.py']
model = dict(template_memory=dict(static_factors=(2.0, ), dynamic_factors=()))
# training samples match the memory: templates cropped at K = [2.0], no dynamic template
train_dataloader = dict(dataset=dict(pipeline=dict(
    sample_frames=dict(num_dynamic=0), crop=dict(template_factors=(2.0, )))))
