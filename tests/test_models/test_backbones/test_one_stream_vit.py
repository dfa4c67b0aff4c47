import math

import pytest
import torch
import torch.nn.functional as F

from procontext_mm.models.backbones import OneStreamViT, resize_pos_embed, template_centre_index

TINY = dict(template_size=64, search_size=128, embed_dims=48, num_layers=4, num_heads=3,
            drop_path_rate=0.)


def _inputs(batch=2, num_templates=4, seed=0, template_size=64, search_size=128):
    gen = torch.Generator().manual_seed(seed)
    templates = torch.randn(batch, num_templates, 3, template_size, template_size, generator=gen)
    search = torch.randn(batch, 3, search_size, search_size, generator=gen)
    return templates, search


@pytest.mark.parametrize('grid, centre', [(8, 3 * 8 + 3), (12, 5 * 12 + 5), (7, 3 * 7 + 3),
                                          (14, 6 * 14 + 6)])
def test_template_centre_matches_reference_ctr_point(grid, centre):
    assert template_centre_index(grid) == centre


def test_output_shapes_and_token_counts():
    torch.manual_seed(0)
    model = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=0.7).eval()
    templates, search = _inputs()
    out = model(templates, search)
    assert out.search_feat.shape == (2, 48, 8, 8)
    assert out.template_tokens.shape == (2, 4 * 16, 48)
    # 64 -> ceil(0.7 * 64) = 45 -> ceil(0.7 * 45) = 32
    assert [r.shape[1] for r in out.removed_index] == [64 - 45, 45 - 32]
    assert out.kept_index.shape == (2, 32)
    # kept and removed positions partition the grid
    for b in range(2):
        positions = torch.cat([out.kept_index[b]] + [r[b] for r in out.removed_index])
        assert sorted(positions.tolist()) == list(range(64))
    # removed positions are zero-filled, kept ones are not
    flat = out.search_feat.flatten(2).transpose(1, 2)
    removed = torch.cat(out.removed_index, dim=1)
    assert flat.gather(1, removed[..., None].expand(-1, -1, 48)).abs().sum() == 0
    assert (flat.gather(1, out.kept_index[..., None].expand(-1, -1, 48)).abs().sum(-1) > 0).all()


def test_eliminated_tokens_are_those_least_attended_by_template_centres():
    torch.manual_seed(1)
    model = OneStreamViT(**TINY, ce_layers=(1, ), ce_keep_ratio=0.5).eval()
    templates, search = _inputs(batch=1, seed=3)
    captured = {}
    block = model.blocks[1]
    block.register_forward_pre_hook(lambda m, args: captured.update(x=args[0].clone()))
    out = model(templates, search)
    # recompute the centre-row attention of block 1 by hand
    x = block.norm1(captured['x'])
    attn = block.attn
    qkv = attn.qkv(x).reshape(1, x.shape[1], 3, 3, 16).permute(2, 0, 3, 1, 4)
    q, k = qkv[0], qkv[1]
    probs = ((q @ k.transpose(-2, -1)) * attn.scale).softmax(-1)  # (1, heads, L, L)
    centres = [t * 16 + template_centre_index(4) for t in range(4)]
    scores = probs[0][:, centres, 64:].mean(1).mean(0)  # over centre rows, then heads
    expected_kept = set(scores.argsort(descending=True)[:math.ceil(0.5 * 64)].tolist())
    assert set(out.kept_index[0].tolist()) == expected_kept
    # and they stand in descending-score order (the reference's sort)
    assert torch.all(scores[out.kept_index[0]][:-1] >= scores[out.kept_index[0]][1:])


def test_ce_keep_ratio_one_equals_no_elimination():
    torch.manual_seed(2)
    plain = OneStreamViT(**TINY, ce_layers=()).eval()
    ratio_one = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=1.0).eval()
    ratio_one.load_state_dict(plain.state_dict())
    templates, search = _inputs(seed=5)
    a, b = plain(templates, search), ratio_one(templates, search)
    torch.testing.assert_close(a.search_feat, b.search_feat, rtol=0, atol=0)
    assert b.removed_index == []
    # a runtime override of 1.0 disables elimination too (warm-up phase of training)
    pruned = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=0.5).eval()
    pruned.load_state_dict(plain.state_dict())
    torch.testing.assert_close(pruned(templates, search, ce_keep_ratio=1.0).search_feat,
                               a.search_feat, rtol=0, atol=0)
    assert pruned(templates, search, ce_keep_ratio=0.9).kept_index.shape[1] == \
        math.ceil(0.9 * math.ceil(0.9 * 64))


def test_configured_ratio_is_stored_per_ce_block():
    model = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=0.7)
    assert model.ce_keep_ratio == (0.7, 0.7)
    assert [block.ce_keep_ratio for block in model.blocks] == [1., 0.7, 0.7, 1.]
    assert model.scheduled_ce_keep_ratio is None
    per_block = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=[0.8, 0.5])
    assert per_block.ce_keep_ratio == (0.8, 0.5)
    assert [block.ce_keep_ratio for block in per_block.blocks] == [1., 0.8, 0.5, 1.]


def test_scheduled_ratio_applies_in_train_mode_only():
    torch.manual_seed(6)
    model = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=0.5)
    templates, search = _inputs(seed=8)
    model.eval()
    configured = model(templates, search)
    explicit = model(templates, search, ce_keep_ratio=0.9)
    model.scheduled_ce_keep_ratio = 0.9

    # training mode: every eliminating block uses the schedule, as an explicit 0.9 would
    model.train()
    scheduled = model(templates, search)
    assert scheduled.kept_index.shape[1] == math.ceil(0.9 * math.ceil(0.9 * 64))
    assert torch.equal(scheduled.kept_index, explicit.kept_index)
    torch.testing.assert_close(scheduled.search_feat, explicit.search_feat, rtol=0, atol=0)
    # an explicit argument still wins over the schedule
    assert model(templates, search, ce_keep_ratio=1.0).removed_index == []

    # eval mode (tracking): the configured ratio, whatever the schedule says
    model.eval()
    tracked = model(templates, search)
    assert tracked.kept_index.shape[1] == math.ceil(0.5 * math.ceil(0.5 * 64))
    assert torch.equal(tracked.kept_index, configured.kept_index)
    torch.testing.assert_close(tracked.search_feat, configured.search_feat, rtol=0, atol=0)


def test_fused_attention_matches_explicit_attention():
    torch.manual_seed(3)
    fused = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=0.7).eval()
    explicit = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=0.7,
                            explicit_attention=True).eval()
    explicit.load_state_dict(fused.state_dict())
    templates, search = _inputs(seed=7)
    a, b = fused(templates, search), explicit(templates, search)
    assert torch.equal(a.kept_index, b.kept_index)
    torch.testing.assert_close(a.search_feat, b.search_feat, rtol=1e-4, atol=1e-5)


def test_all_template_tokens_range_scores_with_every_template_token():
    torch.manual_seed(4)
    model = OneStreamViT(**TINY, ce_layers=(0, ), ce_keep_ratio=0.25,
                         ce_template_range='all').eval()
    assert model.centre_rows(4, torch.device('cpu')) is None
    out = model(*_inputs(batch=1))
    assert out.kept_index.shape == (1, 16)


def test_mae_checkpoint_loading_resizes_position_embedding(tmp_path):
    torch.manual_seed(5)
    source = OneStreamViT(**TINY, ce_layers=())
    state = {k: v.clone() for k, v in source.state_dict().items()
             if k not in ('pos_embed_z', 'pos_embed_x')}
    grid = torch.randn(1, 14 * 14, 48)
    state['pos_embed'] = torch.cat([torch.zeros(1, 1, 48), grid], dim=1)
    state['decoder_embed.weight'] = torch.zeros(3, 3)  # MAE decoder keys are ignored
    state['mask_token'] = torch.zeros(1, 1, 48)
    path = tmp_path / 'mae_tiny.pth'
    torch.save({'model': state}, path)

    model = OneStreamViT(**TINY, ce_layers=(),
                         init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    torch.testing.assert_close(model.blocks[2].attn.qkv.weight, state['blocks.2.attn.qkv.weight'])
    expected_z = F.interpolate(grid.reshape(1, 14, 14, 48).permute(0, 3, 1, 2), size=(4, 4),
                               mode='bicubic', align_corners=False).flatten(2).transpose(1, 2)
    torch.testing.assert_close(model.pos_embed_z, expected_z)
    torch.testing.assert_close(model.pos_embed_x, resize_pos_embed(grid, (8, 8)))


def test_mae_checkpoint_of_another_model_is_rejected(tmp_path):
    path = tmp_path / 'not_a_vit.pth'
    torch.save({'model': {'conv.weight': torch.zeros(1)}}, path)
    model = OneStreamViT(**TINY, ce_layers=(),
                         init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(KeyError, match='missing keys'):
        model.init_weights()


@pytest.mark.parametrize('kwargs, message', [
    (dict(template_size=60), 'multiple of patch_size'),
    (dict(ce_layers=(1, 9)), r'must lie in \[0, 4\)'),
    (dict(ce_layers=(1, 2), ce_keep_ratio=(0.7, )),
     r'ce_keep_ratio=\(0.7,\) has 1 keep ratios for 2'),
    (dict(ce_keep_ratio=1.5, ce_layers=(1, )), r'ce_keep_ratio=\(1.5,\) must lie in \(0, 1\]'),
    (dict(ce_template_range='box'), "'centre' or 'all'"),
])
def test_invalid_configs_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        OneStreamViT(**{**TINY, 'ce_layers': (1, 2), **kwargs})


def test_every_trainable_parameter_gets_a_gradient():
    # DistributedDataParallel fails on parameters that never receive gradients
    model = OneStreamViT(**TINY, ce_layers=(1, 2), ce_keep_ratio=0.7)
    out = model(*_inputs(batch=1))
    (out.search_feat.sum() + out.template_tokens.sum()).backward()
    missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert missing == []
    assert not model.cls_token.requires_grad and not model.pos_embed.requires_grad
