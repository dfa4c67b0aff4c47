"""Tracking precision: test_cfg.precision ('fp32' / 'bf16' / 'auto') and what stays float32."""
import pytest
import torch
from mmengine.logging import MMLogger

from procontext_mm.models.layers import Attention
from procontext_mm.registry import MODELS
from procontext_mm.testing import moving_square_video, tiny_tracker_cfg
from procontext_mm.utils import precision as precision_module
from procontext_mm.utils.precision import resolve_precision


def _tracker(precision='fp32', **kwargs):
    torch.manual_seed(0)
    cfg = tiny_tracker_cfg(**kwargs)
    cfg['test_cfg']['precision'] = precision
    return MODELS.build(cfg).eval()


def _crops(tracker):
    torch.manual_seed(1)
    size_z, size_x = tracker.backbone.template_size, tracker.backbone.search_size
    return torch.randn(1, 4, 3, size_z, size_z), torch.randn(1, 3, size_x, size_x)


@pytest.mark.parametrize('native, expected', [(True, 'bf16'), (False, 'fp32')])
def test_auto_is_bf16_only_on_a_cpu_with_native_bf16(monkeypatch, native, expected):
    monkeypatch.setattr(precision_module, 'cpu_has_native_bf16', lambda: native)
    chosen, reason = resolve_precision('auto', 'cpu')
    assert chosen == expected and reason.startswith('"auto"') and 'avx512_bf16' in reason
    assert resolve_precision('bf16', 'cpu') == ('bf16', 'asked for')
    assert resolve_precision('fp32', 'cpu') == ('fp32', 'asked for')


def test_unknown_precision_names_the_field():
    with pytest.raises(ValueError, match=r"test_cfg.precision must be one of .*'fp16'"):
        _tracker(precision='fp16')


def test_init_resolves_and_logs_the_precision(monkeypatch, capsys):
    monkeypatch.setattr(precision_module, 'cpu_has_native_bf16', lambda: True)
    MMLogger.get_instance('test_tracking_precision')  # print_log needs a current logger
    tracker = _tracker(precision='auto')
    assert tracker.tracking_precision is None  # resolved on the device, by init()
    frames, boxes = moving_square_video(num_frames=2)
    tracker.init(frames[0], boxes[0])
    assert tracker.tracking_precision == 'bf16'
    assert 'tracks in bf16 on cpu ("auto": the CPU multiplies bfloat16 natively' in \
        capsys.readouterr().out
    tracker.init(frames[0], boxes[0])  # same device and setting: not logged again
    assert 'tracks in' not in capsys.readouterr().out


def test_fp32_tracking_forward_is_forward_crops():
    tracker = _tracker()
    tracker.resolve_tracking_precision()
    templates, search = _crops(tracker)
    with torch.no_grad():
        for got, expected in zip(tracker.tracking_forward(templates, search),
                                 tracker.forward_crops(templates, search)):
            assert torch.equal(got, expected)


def test_bf16_maps_are_float32_and_close_to_fp32():
    tracker = _tracker(precision='bf16')
    tracker.resolve_tracking_precision()
    templates, search = _crops(tracker)
    with torch.no_grad():
        low = tracker.tracking_forward(templates, search)
        reference = tracker.forward_crops(templates, search)
    for name, got, expected in zip(low._fields, low, reference):
        assert got.dtype == torch.float32, name
        assert not torch.equal(got, expected), f'{name} was not computed in bfloat16'
        # bfloat16 keeps 8 mantissa bits: maps agree to a few per cent of their range
        assert (got - expected).abs().max() < 0.05 * expected.abs().max() + 1e-3, name


def test_elimination_ranking_stays_float32_under_autocast():
    attention = Attention(embed_dims=32, num_heads=2).eval()
    torch.manual_seed(2)
    q_rows, k = torch.randn(1, 2, 3, 16), torch.randn(1, 2, 50, 16)
    expected = attention.attention_rows(q_rows, k)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        got = attention.attention_rows(q_rows, k)
    assert got.dtype == torch.float32 and torch.equal(got, expected)
