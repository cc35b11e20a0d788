"""Framework settings as explicit inputs: the dataclass follows the library's one table, every
door takes them (PDCostModel, per call, search, CLI), results say what was given and what was
defaulted, and bad values are rejected naming the field."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import typing

import pytest

from pdcost import (FrameworkSettings, HardwareConfig, InvalidArgumentError, ModelConfig,
                    ParallelConfig, PDCostModel, TrainingConfig, _native)
from pdcost.cli import main
from pdcost.settings import VARIABLE_SETTINGS, settings_fields

GIB = float(1 << 30)


def test_dataclass_follows_the_native_table() -> None:
    rows = settings_fields()
    fields = dataclasses.fields(FrameworkSettings)
    assert [f.name for f in fields] == [r["key"] for r in rows]
    hints = typing.get_type_hints(FrameworkSettings)
    for row in rows:
        if row["type"] == "choice":
            literal = typing.get_args(hints[row["key"]])[0]
            assert list(typing.get_args(literal)) == row["choices"], row["key"]
        expected = {"bool": bool, "number": float, "integer": int, "string": str}.get(row["type"])
        if expected is not None:
            assert typing.get_args(hints[row["key"]])[0] is expected, row["key"]
    # The sweepable keys are boolean settings of the table.
    kinds = {r["key"]: r["type"] for r in rows}
    assert all(kinds[k] == "bool" for k in VARIABLE_SETTINGS)


def test_bad_values_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"FrameworkSettings.fp8_recipe='fancy' must be one of"):
        FrameworkSettings(fp8_recipe="fancy")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"FrameworkSettings.tp_comm_overlap must be bool"):
        FrameworkSettings(tp_comm_overlap=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"FrameworkSettings.moe_capacity_factor=-1"):
        FrameworkSettings(moe_capacity_factor=-1)
    with pytest.raises(ValueError, match=r"torch_version='two' must be MAJOR.MINOR"):
        FrameworkSettings(torch_version="two")
    with pytest.raises(ValueError, match=r"unknown setting\(s\) 'tp_overlap'"):
        FrameworkSettings.from_dict({"tp_overlap": True})
    # The library checks the same table when a JSON object reaches it directly.
    model = ModelConfig.from_name("llama3-8b")._model()
    with pytest.raises(InvalidArgumentError, match=r"settings.fp8_recipe='fancy' is not one of"):
        _native.CostModel(model, ("H100-SXM-80GB", 8, 0),
                          (8192, 1, 8, 0, 0, 0, 0, 0.0, 0, '{"fp8_recipe": "fancy"}', 0, 0, 0, 0, 0))


def test_from_dict_treats_null_as_unstated_and_round_trips() -> None:
    s = FrameworkSettings.from_dict({"tp_comm_overlap": True, "cuda_graphs": None})
    assert s.to_dict() == {"tp_comm_overlap": True}
    assert FrameworkSettings.from_dict(json.loads(s.to_json())) == s
    assert s.overridden({"tp_comm_overlap": False}).tp_comm_overlap is False
    assert repr(s) == "FrameworkSettings(tp_comm_overlap=True)"


def _nemo_70b(settings: FrameworkSettings | dict | None = None) -> PDCostModel:
    hw = HardwareConfig(gpu=__import__("pdcost").GPUSpec.from_name("H100-SXM-80GB"), num_nodes=8,
                        gpus_per_node=8)
    tc = TrainingConfig(micro_batch_size=1, sequence_length=8192, gradient_accumulation_steps=16,
                        framework="nemo")
    return PDCostModel(ModelConfig.from_name("llama3-70b"), hw, tc, settings=settings)


PLAN = ParallelConfig(tp=8, pp=4, dp=2, sp=True, sharding="stage1")


def test_results_report_given_and_defaulted_settings() -> None:
    r = _nemo_70b(FrameworkSettings(tp_comm_overlap=True)).predict(PLAN)
    assert r.settings["framework"] == "nemo"
    assert r.settings["given"] == {"tp_comm_overlap": True}
    d = r.settings["defaulted"]
    # NeMo recipes overlap the gradient reduce and parameter gather (MegatronStrategy DDP
    # config); CUDA graphs are opt-in; delayed FP8 scaling is Transformer Engine's default.
    assert d["overlap_grad_reduce"] is True and d["overlap_param_gather"] is True
    assert d["cuda_graphs"] is False and d["fp8_recipe"] == "delayed"
    assert "tp_comm_overlap" not in d
    assert set(d) | set(r.settings["given"]) == {row["key"] for row in settings_fields()}
    assert r.to_dict()["settings"] == r.settings


def test_tp_overlap_hides_tp_communication_and_a_call_overrides_the_model() -> None:
    on = _nemo_70b({"tp_comm_overlap": True})
    off = _nemo_70b({"tp_comm_overlap": False})
    r_on, r_off = on.predict(PLAN), off.predict(PLAN)
    # The TP traffic is the same; overlap moves part of it under the GEMMs.
    assert r_on.total_comm_time_ms == pytest.approx(r_off.total_comm_time_ms, rel=1e-9)
    assert r_on.comm_exposed_ms["tp"] < r_off.comm_exposed_ms["tp"]
    assert r_on.step_time_ms < r_off.step_time_ms
    # A per-call override wins over the model's settings.
    assert on.predict(PLAN, settings={"tp_comm_overlap": False}).step_time_ms == r_off.step_time_ms


def test_release_grads_keeps_the_larger_of_gradients_and_activations() -> None:
    # PaddleFormers: with one micro-batch per step, gradients freed after each step are never
    # all live together with the forward's activations, so the peak holds the larger of the two.
    hw = HardwareConfig(gpu=__import__("pdcost").GPUSpec.from_name("H100-SXM-80GB"), num_nodes=1,
                        gpus_per_node=8)
    tc = TrainingConfig(micro_batch_size=1, sequence_length=4096, gradient_accumulation_steps=1,
                        framework="paddleformers")
    cm = PDCostModel(ModelConfig.from_name("llama3-8b"), hw, tc)
    plan = ParallelConfig(tp=1, pp=1, dp=8, sharding="stage1")
    keep = cm.predict(plan).memory_breakdown
    release = cm.predict(plan, sd_release_grads=True).memory_breakdown
    overlap = min(keep.gradient_memory_gb, keep.activation_memory_gb)
    assert release.allocated_memory_gb == pytest.approx(keep.allocated_memory_gb - overlap, rel=1e-12)
    # With accumulation the gradients live through every micro-batch: no change.
    accumulate = dict(gradient_accumulation_steps=4)
    assert cm.predict(plan, sd_release_grads=True, **accumulate).memory_breakdown.allocated_memory_gb \
        == cm.predict(plan, **accumulate).memory_breakdown.allocated_memory_gb


def test_split_param_off_holds_the_largest_tensor_states_on_one_rank() -> None:
    # ShardingV1 assigns whole tensors: the rank holding the embedding (151,936 x 2,048 for
    # Qwen3-30B-A3B, tp = 1) keeps its fp32 master + two moments (12 B per element) beyond the
    # even share: 151936 * 2048 * 12 B = 3.478 GiB.
    hw = HardwareConfig(gpu=__import__("pdcost").GPUSpec.from_name("H100-SXM-80GB"), num_nodes=1,
                        gpus_per_node=8)
    tc = TrainingConfig(micro_batch_size=1, sequence_length=4096, framework="paddleformers")
    cm = PDCostModel(ModelConfig.from_name("qwen3-30b-a3b"), hw, tc)
    plan = ParallelConfig(tp=1, pp=1, dp=8, ep=8, sharding="stage1")
    v1 = cm.predict(plan, split_param=False).memory_breakdown.optimizer_memory_gb
    v2 = cm.predict(plan, split_param=True).memory_breakdown.optimizer_memory_gb
    assert v1 - v2 == pytest.approx(151936 * 2048 * 12 / GIB, rel=1e-9)
    # PaddleFormers' default is V1 (split_param is opt-in in sharding_parallel_config).
    assert cm.predict(plan).memory_breakdown.optimizer_memory_gb == pytest.approx(v1, rel=1e-12)


def test_search_varies_settings_and_says_which() -> None:
    cm = _nemo_70b()
    common = dict(global_batch_size=64, micro_batch_sizes=(1,), recompute=("full",),
                  max_vpp=1, max_cp=1, uneven_pipeline=False, top_k=1000)
    single = cm.search(**common)
    swept = cm.search(vary_settings=("tp_comm_overlap",), **common)
    # Two searches over the same space: twice the plans priced, twice the plans that fit.
    assert swept.stats.evaluated == 2 * single.stats.evaluated
    assert len(swept.results) == 2 * len(single.results)
    assert {json.dumps(e.settings) for e in swept.results} == {
        '{"tp_comm_overlap": false}', '{"tp_comm_overlap": true}'}
    assert all(e.settings is None for e in single.results)
    # The off variant of each plan is the single search's plan (NeMo's default is off).
    off = [e for e in swept.results if not e.settings["tp_comm_overlap"]]
    assert [e.throughput for e in off] == [e.throughput for e in single.results]
    with pytest.raises(ValueError, match="'fp8_recipe' cannot be varied"):
        cm.search(vary_settings=("fp8_recipe",), **common)


def test_cli_flags_come_from_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["predict", "--model", "llama3-70b", "--gpus", "64", "--tp", "8", "--pp", "4", "--sp",
            "--seq-len", "8192", "--global-batch", "32", "--framework", "nemo", "--json"]
    assert main(args + ["--tp-comm-overlap", "--fp8-recipe", "current"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["prediction"]["settings"]["given"] == {"tp_comm_overlap": True, "fp8_recipe": "current"}
    assert main(args + ["--settings", '{"cuda_graphs": true}', "--no-cuda-graphs"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["prediction"]["settings"]["given"] == {"cuda_graphs": False}
    with pytest.raises(SystemExit) as exit_info:
        main(args + ["--fp8-recipe", "fancy"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'fancy'" in capsys.readouterr().err


def test_cli_help_lists_every_setting() -> None:
    out = subprocess.run([sys.executable, "-m", "pdcost", "predict", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for row in settings_fields():
        assert "--" + row["key"].replace("_", "-") in out


def test_table_carries_each_frameworks_default(capsys: pytest.CaptureFixture[str]) -> None:
    defaults = {row["key"]: row["defaults"] for row in settings_fields()}
    # Megatron-LM's arguments.py leaves the gradient-reduce overlap opt-in; NeMo and
    # Megatron-Bridge recipes turn it on; Megatron-LM reduces bf16 gradients in fp32, the
    # Megatron-Bridge performance configs do not; torchtitan calls SDPA (FlashAttention-2);
    # PaddleFormers' split_param is opt-in.
    assert defaults["overlap_grad_reduce"]["megatron"] is False
    assert defaults["overlap_grad_reduce"]["nemo"] is True
    assert defaults["overlap_grad_reduce"]["megatron-bridge"] is True
    assert defaults["grad_reduce_in_fp32"]["megatron"] is True
    assert defaults["grad_reduce_in_fp32"]["megatron-bridge"] is False
    assert defaults["attention_backend"]["torchtitan"] == "flash"
    assert defaults["attention_backend"]["megatron"] == "cudnn"
    assert defaults["split_param"]["paddleformers"] is False
    assert main(["settings", "--framework", "nemo"]) == 0
    out = capsys.readouterr().out
    assert "overlap_grad_reduce" in out and "framework_release *" in out and "activation_offload_layers *" not in out
    assert defaults["moe_token_dispatcher"]["megatron"] == "alltoall"
    assert defaults["moe_token_dispatcher"]["megatron-bridge"] == "hybridep"


def test_activation_offload_is_priced_and_megatron_core_rules_hold(capsys: pytest.CaptureFixture[str]) -> None:
    # Llama-3-8B (32 layers), 8 H100s, one 8,192-token sequence per GPU. Offloading N = 8
    # layers (Megatron-Core cpu_offloading_num_layers) moves 8 layers' saved activations per
    # rank to the host and frees 7 layers' worth on the device (one is reloaded ahead of its
    # backward); the copies over PCIe (~22 ms per ~1.1 GB layer) outlast a layer's forward,
    # so the step grows by the offload time.
    hw = HardwareConfig(gpu=__import__("pdcost").GPUSpec.from_name("H100-SXM-80GB"), num_nodes=1,
                        gpus_per_node=8)
    tc = TrainingConfig(micro_batch_size=1, sequence_length=8192, gradient_accumulation_steps=1,
                        framework="megatron")
    cm = PDCostModel(ModelConfig.from_name("llama3-8b"), hw, tc)
    plan = ParallelConfig(tp=1, pp=1, dp=8)
    base = cm.predict(plan)
    off = cm.predict(plan, settings={"activation_offload_layers": 8})
    assert base.offload_time_ms == 0 and base.host_memory_gb == 0
    assert off.offload_time_ms > 0
    assert off.step_time_ms == pytest.approx(base.step_time_ms + off.offload_time_ms, rel=1e-9)
    per_layer_gib = off.host_memory_gb / (8 * 8)
    assert 0.5 < per_layer_gib < 2
    freed = base.memory_breakdown.allocated_memory_gb - off.memory_breakdown.allocated_memory_gb
    assert freed == pytest.approx(7 * per_layer_gib, rel=1e-9)
    # What Megatron-Core's TransformerConfig refuses is refused, naming the setting.
    common = ["predict", "--model", "llama3-8b", "--gpus", "8", "--seq-len", "8192", "--global-batch", "8",
              "--framework", "megatron", "--activation-offload-layers", "8"]
    assert main(common + ["--pp", "2", "--dp", "4"]) == 2
    assert "pp=2 with settings.activation_offload_layers=8" in capsys.readouterr().err
    assert main(common + ["--recompute", "selective"]) == 2
    assert "with recompute='selective'" in capsys.readouterr().err
