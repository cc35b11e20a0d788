"""Model loading, parameter counts and FLOPs through the Python API.

Expected values are published figures (model cards, papers) or hand calculations written out
here from the architecture; none is copied from pdcost's own output.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading

import pytest

from pdcost import FlopsPerToken, ModelConfig

from conftest import GPT2_CONFIG

REQUIRED_PRESETS = [
    "llama3-8b", "llama3-70b", "llama3.1-405b", "llama2-7b", "llama2-70b", "qwen3-30b-a3b",
    "qwen3-235b-a22b", "deepseek-v3", "mixtral-8x7b", "gpt3-175b", "qwen2.5-7b",
]


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------


def test_presets_listed_and_loadable():
    names = ModelConfig.presets()
    for name in REQUIRED_PRESETS:
        assert name in names
    for name in names:
        model = ModelConfig.from_name(name)
        assert model.name == name
        assert model.num_parameters() > 0
        assert 0 < model.num_active_parameters() <= model.num_parameters()


def test_preset_names_are_case_insensitive():
    assert ModelConfig.from_name("Qwen3-30B-A3B").name == "qwen3-30b-a3b"


def test_fixture_configs_load_by_path_text_bytes_and_dict(hf_config_files):
    for path in hf_config_files:
        by_path = ModelConfig.from_json(path)
        by_str_path = ModelConfig.from_json(str(path))
        text = path.read_text()
        by_text = ModelConfig.from_json(text)
        by_bytes = ModelConfig.from_json(text.encode())
        by_dict = ModelConfig.from_json(json.loads(text))
        counts = {m.num_parameters() for m in (by_path, by_str_path, by_text, by_bytes, by_dict)}
        assert len(counts) == 1, path.name
        raw = json.loads(text)
        # Multimodal wrappers keep the language model under text_config; BLOOM says n_layer;
        # newer NemotronH configs leave num_hidden_layers null and list layers_block_type.
        raw = raw.get("text_config", raw)
        layers = raw.get("num_hidden_layers") or raw.get("n_layer") or len(raw.get("layers_block_type", []))
        # The dataclass holds Hugging Face names with the file's values.
        assert by_path.hidden_size == raw["hidden_size"]
        assert by_path.num_hidden_layers == layers
        assert by_path.vocab_size == raw["vocab_size"]


def test_config_from_file_is_named_after_its_directory(gpt2_config_file):
    model = ModelConfig.from_json(gpt2_config_file)
    assert model.name == "gpt2"  # tmp_path/gpt2/config.json


# ------------------------------------------------------------------------------------------------
# Parameter counts against published figures
# ------------------------------------------------------------------------------------------------


def llama_total(*, layers, hidden, ffn, heads, kv_heads, vocab, tied=False):
    """Hugging Face LlamaForCausalLM parameter count, written out: q/o are h×h, k/v are
    h×(kv·head_dim), a SwiGLU MLP has three h×f matrices, two RMSNorm vectors per layer plus the
    final one, the embedding and (untied) LM head are V×h."""
    head_dim = hidden // heads
    attention = 2 * hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim
    mlp = 3 * hidden * ffn
    norms = 2 * hidden
    embeddings = vocab * hidden * (1 if tied else 2)
    return layers * (attention + mlp + norms) + hidden + embeddings


def test_llama3_8b_exact():
    # Meta-Llama-3-8B: 8,030,261,248 parameters (the safetensors index of the Hub checkpoint).
    published = 8_030_261_248
    by_hand = llama_total(layers=32, hidden=4096, ffn=14336, heads=32, kv_heads=8, vocab=128256)
    assert by_hand == published
    model = ModelConfig.from_name("llama3-8b")
    assert model.num_parameters() == published
    assert model.num_active_parameters() == published  # dense


def test_gpt2_exact(gpt2_config_file):
    # openai-community/gpt2: 124,439,808 parameters (the Hub's count for model.safetensors).
    published = 124_439_808
    h, layers, vocab, positions = 768, 12, 50257, 1024
    # Conv1D c_attn (h→3h) and c_proj with biases, MLP h→4h→h with biases, two LayerNorms
    # (scale+bias) per block and a final one, token + position embeddings, tied head.
    block = (h * 3 * h + 3 * h) + (h * h + h) + (h * 4 * h + 4 * h) + (4 * h * h + h) + 2 * 2 * h
    by_hand = layers * block + 2 * h + vocab * h + positions * h
    assert by_hand == published
    assert ModelConfig.from_json(gpt2_config_file).num_parameters() == published
    assert ModelConfig.from_json(GPT2_CONFIG).num_parameters() == published
    assert ModelConfig.from_name("gpt2").num_parameters() == published
    breakdown = ModelConfig.from_name("gpt2").parameter_breakdown()
    assert breakdown["lm_head"] == 0  # tied
    assert breakdown["position_embedding"] == positions * h


def within(value, published, tolerance=0.005):
    return abs(value - published) <= tolerance * published


def test_qwen3_30b_a3b_total_and_active():
    # Qwen/Qwen3-30B-A3B model card: "30.5B in total and 3.3B activated".
    model = ModelConfig.from_name("qwen3-30b-a3b")
    total, active = model.num_parameters(), model.num_active_parameters()
    assert within(total, 30.5e9)
    # The card truncates the active count to one decimal (3.35B is printed "3.3B"), so ours must
    # lie in [3.3B, 3.4B); and it must equal the architecture written out by hand:
    assert 3.3e9 <= active < 3.4e9
    h, layers, vocab, experts, top_k, expert_ffn = 2048, 48, 151936, 128, 8, 768
    heads, kv_heads, head_dim = 32, 4, 128
    attention = (2 * h * heads * head_dim + 2 * h * kv_heads * head_dim  # q,o and k,v
                 + 2 * head_dim)                                          # q_norm, k_norm
    router = h * experts
    expert = 3 * h * expert_ffn
    norms = 2 * h
    shared = layers * (attention + router + norms) + h + 2 * vocab * h
    assert total == shared + layers * experts * expert
    assert active == shared + layers * top_k * expert
    assert within(total, 30.5e9) and within(active, 3.35e9)


def test_the_model_card_figures_of_other_presets():
    # (preset, published total, published active or None): model cards and papers.
    published = [
        ("llama3-70b", 70.55e9, None),        # Meta-Llama-3-70B: 70,553,706,496
        ("llama3.1-405b", 405.85e9, None),    # Llama-3.1-405B: 405,853,388,800
        ("mixtral-8x7b", 46.7e9, 12.9e9),     # Mistral AI: 46.7B total, 12.9B per token
        ("gpt3-175b", 175e9, None),           # Brown et al. 2020, Table 2.1
        ("deepseek-v3", 671e9, None),         # DeepSeek-V3 report: 671B (without MTP)
        ("qwen3-235b-a22b", 235e9, None),     # Qwen3-235B-A22B card: 235B total
    ]
    for name, total, active in published:
        model = ModelConfig.from_name(name)
        assert within(model.num_parameters(), total), name
        if active is not None:
            assert within(model.num_active_parameters(), active), name
    # Cards that truncate the active count: DeepSeek-V3 "37B activated", Qwen3-235B "22B".
    assert 37e9 <= ModelConfig.from_name("deepseek-v3").num_active_parameters() < 38e9
    assert 22e9 <= ModelConfig.from_name("qwen3-235b-a22b").num_active_parameters() < 23e9


def test_breakdown_sums_to_total_and_mtp_is_apart():
    for name in ModelConfig.presets():
        model = ModelConfig.from_name(name)
        breakdown = model.parameter_breakdown()
        assert list(breakdown) == ["embedding", "position_embedding", "attention", "dense_mlp",
                                   "routed_experts", "shared_experts", "router", "norms",
                                   "lm_head", "mtp", "moe_latent_projections"]
        assert all(isinstance(v, int) and v >= 0 for v in breakdown.values())
        assert sum(v for k, v in breakdown.items() if k != "mtp") == model.num_parameters(), name
    assert ModelConfig.from_name("deepseek-v3").parameter_breakdown()["mtp"] > 0
    dense = ModelConfig.from_name("llama3-8b").parameter_breakdown()
    assert dense["routed_experts"] == dense["router"] == 0


# ------------------------------------------------------------------------------------------------
# FLOPs per token against a hand calculation
# ------------------------------------------------------------------------------------------------


def test_llama3_8b_flops_by_hand():
    L, h, f, heads, kv, V, s = 32, 4096, 14336, 32, 8, 128256, 8192
    d = h // heads
    # Weights a token multiplies with: q,k,v,o, the three MLP matrices, the LM head.
    matmul_params = L * (2 * h * heads * d + 2 * h * kv * d + 3 * h * f) + V * h
    matmul_forward = 2 * matmul_params
    # Attention core forward per token and layer: QK^T and scores·V, 2·s·d_attn FLOPs each.
    attention_full = L * 2 * 2 * s * (heads * d)
    attention_causal = attention_full / 2

    causal = ModelConfig.from_name("llama3-8b").flops_per_token(seq_len=s)
    assert isinstance(causal, FlopsPerToken)
    assert causal.causal is True and causal.seq_len == s
    assert causal.matmul_parameters == matmul_params
    assert causal.matmul_forward == matmul_forward
    assert causal.attention_forward == attention_causal
    assert causal.forward == matmul_forward + attention_causal
    assert causal.training == 3 * (matmul_forward + attention_causal)

    full = ModelConfig.from_name("llama3-8b").flops_per_token(seq_len=s, causal=False)
    assert full.attention_forward == attention_full
    # The training attention term with a full mask is the classic 12·L·s·d_attn.
    assert 3 * full.attention_forward == 12 * L * s * h
    assert full.training == 3 * (matmul_forward + attention_full)


def test_moe_flops_use_top_k_experts():
    h, L, V, E, k, fe, heads, kv, d, s = 2048, 48, 151936, 128, 8, 768, 32, 4, 128, 4096
    matmul_params = L * (2 * h * heads * d + 2 * h * kv * d + k * 3 * h * fe + h * E) + V * h
    flops = ModelConfig.from_name("qwen3-30b-a3b").flops_per_token(seq_len=s)
    assert flops.matmul_parameters == matmul_params
    assert flops.attention_forward == L * 2 * s * (heads * d + heads * d) / 2
    assert math.isclose(flops.training, 3 * (2 * matmul_params + flops.attention_forward))


def test_flops_default_sequence_length_is_8192():
    model = ModelConfig.from_name("llama3-8b")
    assert model.flops_per_token() == model.flops_per_token(seq_len=8192, causal=True)


# ------------------------------------------------------------------------------------------------
# Hand-built configs and the cached handle
# ------------------------------------------------------------------------------------------------


def test_seed_style_hand_built_config():
    # The ModelConfig example of the original pdcost README.
    model = ModelConfig(num_hidden_layers=48, hidden_size=6144, intermediate_size=16384,
                        num_attention_heads=32, num_key_value_heads=4, head_dim=192,
                        num_experts=128, num_experts_per_tok=8, moe_intermediate_size=1408,
                        vocab_size=152064)
    h, L, V = 6144, 48, 152064
    attention = 2 * h * 32 * 192 + 2 * h * 4 * 192
    experts = 128 * 3 * h * 1408
    total = model.num_parameters()
    # Qwen3-MoE layout (the inferred model_type) adds the q/k norms of width head_dim.
    assert total == L * (attention + 2 * 192 + experts + h * 128 + 2 * h) + h + 2 * V * h
    resolved = model.resolved()
    assert resolved.model_type == "qwen3_moe"
    assert resolved.num_parameters() == total


def test_replace_builds_a_new_model():
    # Configs are frozen: a change is a validated copy with its own native model.
    model = ModelConfig.from_name("llama3-8b")
    before = model.num_parameters()
    with pytest.raises(dataclasses.FrozenInstanceError, match="num_hidden_layers"):
        model.num_hidden_layers = 16  # type: ignore[misc]
    after = dataclasses.replace(model, num_hidden_layers=16).num_parameters()
    assert model.num_parameters() == before
    per_layer = (before - after) // 16
    assert before - after == 16 * per_layer and per_layer > 0


def test_concurrent_use_from_threads():
    models = [ModelConfig.from_name(n) for n in ModelConfig.presets()]
    serial = [(m.num_parameters(), m.flops_per_token(4096).training) for m in models]
    results: list[list] = [None] * 8  # type: ignore[list-item]

    def work(i):
        results[i] = [(m.num_parameters(), m.flops_per_token(4096).training) for m in models]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == serial for r in results)


def test_analysis_has_both_masks():
    analysis = ModelConfig.from_name("llama3-8b").analysis(seq_len=2048)
    assert analysis["parameters"]["total"] == 8_030_261_248
    flops = analysis["flops_per_token"]
    assert flops["full"]["attention_forward"] == 2 * flops["causal"]["attention_forward"]


# ------------------------------------------------------------------------------------------------
# Newer architectures and load warnings
# ------------------------------------------------------------------------------------------------


def test_new_architectures_match_published_counts():
    from conftest import HF_CONFIGS
    # Gemma Team 2024 (arXiv 2408.00118) Table 2: 917,504,000 embedding + 8,324,201,984 other.
    assert ModelConfig.from_json(HF_CONFIGS / "google__gemma-2-9b.json").num_parameters() == 9_241_705_984
    # bigscience/bloom-7b1 model card: 7,069,016,064 parameters (ALiBi, embedding LayerNorm).
    assert ModelConfig.from_json(HF_CONFIGS / "bigscience__bloom-7b1.json").num_parameters() == 7_069_016_064
    # OpenAI gpt-oss model card, Table 1: 116.83B total.
    oss = ModelConfig.from_json(HF_CONFIGS / "openai__gpt-oss-120b.json")
    assert abs(oss.num_parameters() - 116.83e9) <= 0.0005 * 116.83e9


def test_load_warnings_name_unpriced_keys():
    from conftest import HF_CONFIGS
    assert ModelConfig.from_name("llama3-8b").warnings() == []
    qwen35 = ModelConfig.from_json(HF_CONFIGS / "Qwen__Qwen3.5-35B-A3B.json")
    assert any(w.startswith("vision_config:") for w in qwen35.warnings())
    odd = {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
           "num_attention_heads": 4, "num_hidden_layers": 2, "vocab_size": 100,
           "mystery_sparsity": 0.5}
    assert [w.split(":")[0] for w in ModelConfig.from_json(odd).warnings()] == ["mystery_sparsity"]


def test_latent_moe_projections_are_their_own_component(hf_config_files):
    # Nemotron 3 Super: 40 MoE layers, h = 4096, latent 1024, 512 ReLU² experts of width 2688
    # that read and write the latent (2 · 1024 · 2688 each).
    path = next(p for p in hf_config_files if "Nemotron-3-Super" in p.name)
    parts = ModelConfig.from_json(path).parameter_breakdown()
    assert parts["moe_latent_projections"] == 40 * 2 * 4096 * 1024
    assert parts["routed_experts"] == 40 * 512 * 2 * 1024 * 2688
    assert ModelConfig.from_name("deepseek-v3").parameter_breakdown()["moe_latent_projections"] == 0
