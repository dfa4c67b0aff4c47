"""Model configs at tiny sizes (every ViT-B size is configurable, so tests and CPU demos can run
the real code paths on small models)."""
from typing import Sequence, Union


def tiny_tracker_cfg(embed_dims: int = 192,
                     num_layers: int = 4,
                     num_heads: int = 3,
                     template_size: int = 64,
                     search_size: int = 128,
                     ce_layers: Sequence[int] = (1, 2),
                     ce_keep_ratio: Union[float, Sequence[float]] = 0.7,
                     head_channels: int = 64,
                     static_factors: Sequence[float] = (2.0, 4.0),
                     dynamic_factors: Sequence[float] = (2.0, 4.0),
                     update_interval: int = 100,
                     score_threshold: float = 0.7,
                     search_factor: float = 4.0) -> dict:
    """Config dict of a small ProContEXT (defaults: 192 dims, 4 blocks, 3 heads, CE at blocks
    1 and 2, 64-wide head, 64 px templates at K = (2, 4), 128 px search)."""
    return dict(
        type='ProContEXT',
        data_preprocessor=dict(type='SOTDataPreprocessor'),
        backbone=dict(
            type='OneStreamViT',
            template_size=template_size,
            search_size=search_size,
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=num_heads,
            drop_path_rate=0.,
            ce_layers=ce_layers,
            ce_keep_ratio=ce_keep_ratio),
        head=dict(type='CenterHead', in_channels=embed_dims, feat_channels=head_channels,
                  search_size=search_size),
        template_memory=dict(
            type='TemplateMemory',
            static_factors=static_factors,
            dynamic_factors=dynamic_factors,
            template_size=template_size,
            update_interval=update_interval,
            score_threshold=score_threshold),
        test_cfg=dict(search_factor=search_factor, search_size=search_size))
