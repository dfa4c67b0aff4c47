# Table 2 row 4: static templates K = [2.0, 2.7, 3.3, 4.0], no dynamic template.
_base_ = ['./procontext_vit-b16-mae-128-256px_4xb32-100e_got10k.py']
model = dict(template_memory=dict(static_factors=(2.0, 2.7, 3.3, 4.0), dynamic_factors=()))
# training samples match the memory: templates cropped at K, no dynamic template
train_dataloader = dict(dataset=dict(pipeline=dict(
    sample_frames=dict(num_dynamic=0), crop=dict(template_factors=(2.0, 2.7, 3.3, 4.0)))))
