# ProContEXT ablation model (paper Sec. 3.4, Tables 2-4): 128 px templates, 256 px search at
# factor 4 (the largest template factor equals the search factor), K = [2, 4], static + dynamic
# templates, CE keep 0.7.
_base_ = ['../_base_/models/procontext_vit-b16.py', '../_base_/default_runtime.py']
template_size = 128
search_size = 256
model = dict(
    backbone=dict(template_size=template_size, search_size=search_size),
    head=dict(search_size=search_size),
    template_memory=dict(template_size=template_size),
    test_cfg=dict(search_factor=4.0, search_size=search_size))
