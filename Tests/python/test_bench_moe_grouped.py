"""The bench's grouped-GEMM MoE path (torchtitan's: tokens sorted by expert, groups padded to 16
rows, ``torch._grouped_mm``) computes what the per-expert loop computes, forward and backward.
Needs a CUDA GPU of compute capability 9.0 or newer; skipped elsewhere (CI has none)."""

from __future__ import annotations

import importlib.util

import pytest

HAS_TORCH = importlib.util.find_spec("torch") is not None


def _hopper() -> bool:
    if not HAS_TORCH:
        return False
    import torch

    return (torch.cuda.is_available() and hasattr(torch, "_grouped_mm")
            and torch.cuda.get_device_capability() >= (9, 0))


@pytest.mark.skipif(not _hopper(), reason="needs a CUDA GPU of compute capability 9.0+")
def test_grouped_experts_equal_the_loop() -> None:
    import torch

    from pdcost import ModelConfig
    from pdcost.bench.model import MoE, init_parameters

    config = ModelConfig.from_json({
        "architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "name": "moe-check",
        "hidden_size": 512, "intermediate_size": 1024, "num_attention_heads": 8,
        "num_key_value_heads": 4, "head_dim": 64, "num_hidden_layers": 1, "vocab_size": 1024,
        "num_experts": 16, "num_experts_per_tok": 4, "moe_intermediate_size": 256,
        "tie_word_embeddings": False}).resolved()
    torch.manual_seed(0)
    moe = MoE(config).cuda()
    init_parameters(moe)
    x = torch.randn(2, 300, 512, device="cuda", requires_grad=True)  # 600 tokens: uneven groups

    def run(grouped: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        moe.zero_grad()
        x.grad = None
        moe.experts.grouped_ok = (lambda t: grouped)  # type: ignore[method-assign]
        with torch.autocast("cuda", dtype=torch.bfloat16):
            y = moe(x)
        y.float().square().mean().backward()
        return y.detach().float(), x.grad.detach().clone(), moe.experts.w_up.grad.detach().clone()

    loop = run(False)
    grouped = run(True)
    for a, b in zip(loop, grouped):
        # bf16 products: the two paths sum in different orders.
        assert torch.allclose(a, b, rtol=5e-2, atol=5e-3 * a.abs().max().item()), (a - b).abs().max()
