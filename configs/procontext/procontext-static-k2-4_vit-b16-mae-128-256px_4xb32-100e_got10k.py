# Table 2 row 2: static templates K = [2.0, 4.0], no dynamic template.
_base_ = ['./procontext_vit-b16-mae-128-256px_4xb32-100e_got10k.py']
model = dict(template_memory=dict(static_factors=(2.0, 4.0), dynamic_factors=()))
# training samples match the memory: no dynamic template (crops at K = [2, 4] as the base)
train_dataloader = dict(dataset=dict(pipeline=dict(sample_frames=dict(num_dynamic=0))))
