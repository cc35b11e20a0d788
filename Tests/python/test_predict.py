"""PDCostModel.predict over the native training cost model."""

from __future__ import annotations

import math

import pytest

from pdcost import (
    HardwareConfig,
    InfeasiblePlanError,
    ModelConfig,
    ParallelConfig,
    PDCostModel,
    PredictionResult,
    TrainingConfig,
    _native,
)


@pytest.fixture(scope="module")
def llama8b() -> PDCostModel:
    return PDCostModel(ModelConfig.from_name("llama3-8b"))


def test_predict_llama3_8b_dp8_is_finite_and_consistent(llama8b: PDCostModel) -> None:
    r = llama8b.predict(ParallelConfig(tp=1, dp=8), micro_batch_size=1, seq_len=8192,
                        gradient_accumulation_steps=4)
    assert isinstance(r, PredictionResult)
    for name in ("step_time_ms", "compute_time_ms", "memory_gb", "mfu", "hfu",
                 "compute_efficiency", "tokens_per_second", "tokens_per_second_per_gpu"):
        value = getattr(r, name)
        assert math.isfinite(value) and value > 0, name
    assert r.mfu <= r.hfu <= 1.0
    assert r.global_batch_size == 1 * 4 * 8
    # Hand identity: tokens/s/GPU x GPUs x step time = tokens per step.
    tokens = r.tokens_per_second_per_gpu * 8 * r.step_time_ms / 1e3
    assert tokens == pytest.approx(r.global_batch_size * 8192, rel=1e-9)
    assert r.tokens_per_second == pytest.approx(r.tokens_per_second_per_gpu * 8, rel=1e-12)
    m = r.memory_breakdown
    assert 0 < m.allocated_memory_gb <= m.reserved_memory_gb <= m.total_memory_gb
    assert r.memory_gb == m.total_memory_gb
    parts = (m.parameter_memory_gb + m.gradient_memory_gb + m.optimizer_memory_gb
             + m.activation_memory_gb + m.communication_buffer_gb + m.temporary_buffer_gb)
    assert parts == pytest.approx(m.allocated_memory_gb, rel=1e-9)
    assert set(r.comm_exposed_ms) == set(r.comm_overlapped_ms) == {"tp", "cp", "ep", "pp", "dp"}
    exposed = sum(r.comm_exposed_ms.values())
    assert exposed == pytest.approx(r.exposed_comm_time_ms, rel=1e-9, abs=1e-12)
    assert exposed + sum(r.comm_overlapped_ms.values()) == pytest.approx(r.total_comm_time_ms)
    d = r.to_dict()
    assert d["memory_breakdown"]["reserved_memory_gb"] == m.reserved_memory_gb
    assert isinstance(r.fits_memory, bool)


def test_more_tp_means_less_parameter_memory(llama8b: PDCostModel) -> None:
    tp1 = llama8b.predict(ParallelConfig(tp=1, dp=8)).memory_breakdown.parameter_memory_gb
    tp2 = llama8b.predict(ParallelConfig(tp=2, dp=4)).memory_breakdown.parameter_memory_gb
    tp8 = llama8b.predict(ParallelConfig(tp=8, dp=1)).memory_breakdown.parameter_memory_gb
    assert tp1 > tp2 > tp8 > 0


def test_invalid_plan_raises_infeasible_naming_the_constraint(llama8b: PDCostModel) -> None:
    from pdcost import GPUSpec
    hw = HardwareConfig(gpu=GPUSpec.from_name("H100-SXM-80GB"), num_nodes=3, gpus_per_node=8)
    cm = PDCostModel(ModelConfig.from_name("llama3-8b"), hw)
    with pytest.raises(InfeasiblePlanError, match="tp=3") as info:
        cm.predict(ParallelConfig(tp=3, dp=8))  # 24 GPUs add up; 3 does not divide 32 heads
    assert info.value.status == "PDCOST_EINFEASIBLE"
    with pytest.raises(InfeasiblePlanError, match="num_gpus"):
        llama8b.predict(ParallelConfig(tp=1, dp=4))


def test_plan_that_does_not_fit_is_a_result() -> None:
    cm = PDCostModel(ModelConfig.from_name("llama3-70b"))
    r = cm.predict(ParallelConfig(tp=1, dp=8, sharding="none"))
    assert r.fits_memory is False
    assert r.memory_breakdown.reserved_memory_gb > r.memory_breakdown.usable_memory_gb


def test_bad_strings_raise_value_error(llama8b: PDCostModel) -> None:
    with pytest.raises(ValueError, match="dtype"):
        TrainingConfig(dtype="bf17")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="recompute_granularity"):
        llama8b.predict(ParallelConfig(dp=8), recompute_granularity="most")
    with pytest.raises(ValueError, match="framework"):
        TrainingConfig(framework="jax")  # type: ignore[arg-type]


def test_options_default_to_the_training_config() -> None:
    training = TrainingConfig(micro_batch_size=2, sequence_length=4096,
                              gradient_accumulation_steps=3, recompute_granularity="full")
    cm = PDCostModel(ModelConfig.from_name("llama3-8b"), training_config=training)
    plan = ParallelConfig(dp=8)
    r = cm.predict(plan)
    assert (r.seq_len, r.global_batch_size, r.gradient_accumulation_steps) == (4096, 48, 3)
    assert r.recompute_time_ms > 0
    same = cm.predict(plan, micro_batch_size=2, seq_len=4096, gradient_accumulation_steps=3,
                      recompute_granularity="full")
    assert same == r
    assert cm.predict_calibrated(plan) == r
    none = cm.predict(plan, recompute_granularity="none")
    assert none.memory_breakdown.activation_memory_gb > r.memory_breakdown.activation_memory_gb


def test_max_seq_len_raises_memory_not_time(llama8b: PDCostModel) -> None:
    plan = ParallelConfig(dp=8)
    base = llama8b.predict(plan, seq_len=4096)
    padded = llama8b.predict(plan, seq_len=4096, max_seq_len=8192)
    assert padded.step_time_ms == base.step_time_ms
    assert padded.memory_breakdown.activation_memory_gb > base.memory_breakdown.activation_memory_gb


def test_offload_moves_optimizer_states(llama8b: PDCostModel) -> None:
    plan = ParallelConfig(dp=8)
    base = llama8b.predict(plan)
    off = llama8b.predict(plan, tensorwise_offload_optimizer=True, tensorwise_offload_ratio=0.95)
    assert off.memory_breakdown.optimizer_memory_gb < base.memory_breakdown.optimizer_memory_gb


def test_custom_gpu_and_multi_node() -> None:
    from pdcost import GPUSpec
    gpu = GPUSpec.from_name("H100-SXM-80GB")
    hw = HardwareConfig(gpu=gpu, num_nodes=2, gpus_per_node=8)
    cm = PDCostModel(ModelConfig.from_name("llama3-8b"), hw)
    r = cm.predict(ParallelConfig(tp=2, pp=2, dp=4, sp=True))
    assert r.memory_breakdown.num_stages == 2 and r.step_time_ms > 0


def test_native_cost_model_rejects_bad_tuples() -> None:
    model = ModelConfig.from_name("llama3-8b")._model()
    cm = _native.CostModel(model, ("H100-SXM-80GB", 8, 0), (8192, 1, 8, 0, 0, 0, 0, 0.0, 0, None, 0, 0, 0, 0, 0))
    result = cm.predict((1, 1, 1, 8, 1, 1, 0, 0, 1, 0, 0, 0))
    # pdcost_prediction: 7 times, 2 x 5 per-kind communication, 2 comm totals, MFU and HFU, 2
    # throughputs, micro-batches, 12 memory figures and 4 stage peaks = 40 doubles, then
    # peak_stage and fits_memory.
    assert len(result) == 42 and isinstance(result[41], bool)
    with pytest.raises(ValueError):
        cm.predict((1, 1, 1))
    with pytest.raises(ValueError):
        cm.predict((-1, 1, 1, 8, 1, 1, 0, 0, 1, 0, 0, 0))
    with pytest.raises(TypeError):
        cm.predict([1] * 12)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dtype"):
        _native.CostModel(model, ("H100-SXM-80GB", 8, 0), (8192, 1, 8, 9, 0, 0, 0, 0.0, 0, None, 0, 0, 0, 0, 0))
    with pytest.raises(TypeError):
        _native.CostModel("llama3-8b", ("H100-SXM-80GB", 8, 0), (8192, 1, 8, 0, 0, 0, 0, 0.0, 0, None, 0, 0, 0, 0, 0))


def test_recompute_modules_drop_what_they_name():
    # Qwen3-30B-A3B on 8 GPUs (ep 8), seq 4096, mbs 1, force-balanced: each rank holds 8 · 4096
    # routed copies per MoE layer. Recomputing `moe_act` drops each copy's bf16 activation output
    # (768 values): 48 layers · 8 · 4096 · 768 · 2 B = 2,415,919,104 B less than core_attn alone.
    from pdcost import FrameworkSettings
    model = ModelConfig.from_name("qwen3-30b-a3b")

    def activations(modules):
        training = TrainingConfig(sequence_length=4096, recompute_granularity="selective",
                                  recompute_modules=modules)
        cm = PDCostModel(model, HardwareConfig(gpu="H100-SXM-80GB", num_nodes=1, gpus_per_node=8),
                         training, settings=FrameworkSettings(moe_router_force_balance=True))
        return cm.predict(ParallelConfig(dp=8, ep=8)).memory_breakdown.activation_memory_gb * 2**30

    core = activations(("core_attn",))
    assert activations(()) == core  # Megatron-Core's default module
    assert abs((core - activations(("core_attn", "moe_act"))) - 2_415_919_104) < 1
    with pytest.raises(ValueError, match="recompute_modules: 'attn' is not one of"):
        TrainingConfig(recompute_modules=("attn",))
