# ProContEXT with a ViT-B/16 backbone, 192 px templates at K = [2, 4] (static + dynamic) and a
# 384 px search region (paper Sec. 3.2; the authors' procontext.yaml).
template_size = 192
search_size = 384
model = dict(
    type='ProContEXT',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='OneStreamViT',
        template_size=template_size,
        search_size=search_size,
        patch_size=16,
        embed_dims=768,
        num_layers=12,
        num_heads=12,
        mlp_ratio=4,
        drop_path_rate=0.1,
        ce_layers=(3, 6, 9),
        ce_keep_ratio=0.7,
        ce_template_range='centre',
        init_cfg=dict(type='Pretrained', checkpoint='pretrained/mae_pretrain_vit_base.pth')),
    head=dict(
        type='CenterHead',
        in_channels=768,
        feat_channels=256,
        search_size=search_size,
        stride=16,
        loss_heatmap=dict(type='mmdet.GaussianFocalLoss', alpha=2.0, gamma=4.0, loss_weight=1.0),
        loss_iou=dict(type='mmdet.GIoULoss', loss_weight=2.0),
        loss_bbox=dict(type='mmdet.L1Loss', loss_weight=5.0)),
    template_memory=dict(
        type='TemplateMemory',
        static_factors=(2.0, 4.0),
        dynamic_factors=(2.0, 4.0),
        template_size=template_size,
        update_interval=100,
        score_threshold=0.7),
    test_cfg=dict(search_factor=5.0, search_size=search_size, window='hann', clip_margin=10))
