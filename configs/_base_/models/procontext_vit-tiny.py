# A tiny ProContEXT that trains from scratch on a CPU in minutes: 128-dim, 4-block ViT with
# 8 px patches, 32 px templates at K = [2, 4] (static + dynamic), 128 px search at factor 4
# (a 16 x 16 score map: with 16 px patches the 8 x 8 map is too coarse for the box size to be
# learned, docs/quickstart_recipe.md).
_base_ = ['./procontext_vit-b16.py']
template_size = 32
search_size = 128
patch_size = 8
model = dict(
    backbone=dict(
        template_size=template_size,
        search_size=search_size,
        patch_size=patch_size,
        embed_dims=128,
        num_layers=4,
        num_heads=4,
        drop_path_rate=0.,
        ce_layers=(1, 2),
        ce_keep_ratio=0.7,
        init_cfg=None),
    head=dict(in_channels=128, feat_channels=64, search_size=search_size, stride=patch_size),
    template_memory=dict(template_size=template_size),
    test_cfg=dict(search_factor=4.0, search_size=search_size))
