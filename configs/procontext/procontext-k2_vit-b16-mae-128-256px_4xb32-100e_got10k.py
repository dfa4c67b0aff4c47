# Table 3 row 2: K = [2.0] static + dynamic templates.
_base_ = ['./procontext_vit-b16-mae-128-256px_4xb32-100e_got10k.py']
model = dict(template_memory=dict(static_factors=(2.0,), dynamic_factors=(2.0,)))
# training samples match the memory: templates cropped at K = [2.0] only
train_dataloader = dict(dataset=dict(pipeline=dict(crop=dict(template_factors=(2.0, )))))
