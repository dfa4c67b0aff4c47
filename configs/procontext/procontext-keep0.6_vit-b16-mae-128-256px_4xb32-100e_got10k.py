# Table 4: K = [2, 4] static + dynamic, CE keep ratio 0.6.
_base_ = ['./procontext_vit-b16-mae-128-256px_4xb32-100e_got10k.py']
model = dict(backbone=dict(ce_keep_ratio=0.6))
