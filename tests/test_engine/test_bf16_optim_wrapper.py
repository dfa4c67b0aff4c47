"""BF16OptimWrapper: forwards in bfloat16 under autocast, float32 weights and updates."""
import torch
from mmengine.registry import init_default_scope
from torch import nn

from procontext_mm.registry import OPTIM_WRAPPERS


def _wrapper(model, lr=0.1):
    init_default_scope('procontext_mm')
    return OPTIM_WRAPPERS.build(dict(type='BF16OptimWrapper',
                                     optimizer=torch.optim.SGD(model.parameters(), lr=lr)))


def test_forward_runs_in_bfloat16_and_the_weights_stay_float32():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16))
    wrapper = _wrapper(model)
    inputs = torch.randn(4, 8)
    with wrapper.optim_context(model):
        hidden = model[0](inputs)
        normed = model[1](hidden)
    assert hidden.dtype == torch.bfloat16  # matmuls in bfloat16
    before = model[0].weight.detach().clone()
    wrapper.update_params(normed.float().square().mean())
    assert model[0].weight.dtype == torch.float32 and model[0].weight.grad is None
    assert not torch.equal(model[0].weight, before)
    # outside the context the model computes in float32 again
    assert model[0](inputs).dtype == torch.float32


def test_bfloat16_training_follows_float32_training():
    torch.manual_seed(0)
    data, target = torch.randn(64, 8), torch.randn(64, 1)
    losses = {}
    for name, bf16 in (('fp32', False), ('bf16', True)):
        torch.manual_seed(1)
        model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
        wrapper = _wrapper(model, lr=0.05)
        for _ in range(50):
            if bf16:
                with wrapper.optim_context(model):
                    loss = (model(data).float() - target).square().mean()
                wrapper.update_params(loss)
            else:
                loss = (model(data) - target).square().mean()
                wrapper.optimizer.zero_grad()
                loss.backward()
                wrapper.optimizer.step()
        losses[name] = float(loss)
    first = float((target - target.mean()).square().mean())
    assert losses['bf16'] < 0.8 * first  # it learns
    assert abs(losses['bf16'] - losses['fp32']) < 0.05 * first  # as float32 does
