"""A plan the search returns is a plan predict accepts, with the same numbers; the ranking
helpers never drop a plan silently, and an empty result says why."""

from __future__ import annotations

import json
import warnings

import pytest

from pdcost import (InfeasiblePlanError, ModelConfig, NoPlanFitsWarning, ParallelConfig,
                    PDCostModel, RankedPlans)
from pdcost.cli import main
from pdcost.config import GPUSpec, HardwareConfig, TrainingConfig


def _model(name: str, gpus: int, **training: object) -> PDCostModel:
    hardware = HardwareConfig(gpu=GPUSpec.from_name("H100-SXM-80GB"), num_nodes=max(gpus // 8, 1),
                              gpus_per_node=min(gpus, 8))
    return PDCostModel(ModelConfig.from_name(name), hardware, TrainingConfig(**training))


# (preset, GPUs, seq_len, global batch, search options)
SEARCHES = [
    # Dense, pp <= 2: 80 layers split 40/40, or 41/39 and 39/41 where only one side is given.
    ("llama3-70b", 16, 4096, 32,
     {"max_pp": 2, "recompute": ("selective", "full"), "micro_batch_sizes": (1,), "top_k": 1000}),
    ("qwen3-30b-a3b", 16, 4096, 64, {"max_pp": 4, "micro_batch_sizes": (1, 2), "top_k": 40}),
    # MLA + MoE, with selective and partial full recomputation.
    ("deepseek-v3", 1024, 4096, 1024,
     {"max_pp": 16, "max_vpp": 1, "max_cp": 1, "zero_stages": (1,), "micro_batch_sizes": (1,),
      "recompute": ("selective", "partial"), "top_k": 60}),
]


@pytest.mark.parametrize("preset,gpus,seq,batch,options", SEARCHES,
                         ids=[s[0] for s in SEARCHES])
def test_every_search_entry_predicts_the_same(preset: str, gpus: int, seq: int, batch: int,
                                              options: dict[str, object]) -> None:
    cm = _model(preset, gpus, sequence_length=seq)
    result = cm.search(global_batch_size=batch, threads=2, **options)
    entries = result.results + result.pareto
    assert result.results
    for e in entries:
        # The search's knobs go back into predict (PDCostModel.predict -> the C ABI).
        r = cm.predict(e.parallel, **e.predict_options())
        what = f"{e.parallel} {e.predict_options()}"
        assert r.step_time_ms == e.prediction.step_time_ms, what
        assert r.recompute_time_ms == e.prediction.recompute_time_ms, what
        assert r.tokens_per_second_per_gpu == e.prediction.tokens_per_second_per_gpu, what
        assert r.memory_breakdown.allocated_memory_gb == e.prediction.memory_breakdown.allocated_memory_gb, what
        assert r.fits_memory and e.prediction.fits_memory, what
        assert e.micro_batch_size * e.gradient_accumulation_steps * e.parallel.dp == batch
    kinds = {(e.recompute_granularity, e.recompute_num_layers is not None) for e in entries}
    if preset == "llama3-70b":
        # The case predict used to reject: only last_stage_layers given (41 + 39 = 80).
        assert any(e.parallel.first_stage_layers is None and e.parallel.last_stage_layers == 39
                   for e in result.results)
    if preset == "deepseek-v3":
        assert ("selective", False) in kinds and ("full", True) in kinds


def test_last_stage_only_plan_is_accepted() -> None:
    cm = _model("llama3-70b", 16, sequence_length=4096)
    # 80 layers over pp = 2: 41 + 39, the first stage left to follow the middle (41).
    r = cm.predict(ParallelConfig(tp=8, pp=2, dp=1, sp=True, last_stage_layers=39))
    assert r.step_time_ms > 0
    # So is 75 + 5 (the first stage takes what the last leaves).
    assert cm.predict(ParallelConfig(tp=8, pp=2, dp=1, sp=True, last_stage_layers=5)).step_time_ms > 0
    # 41 + 38 = 79 layers of 80: the error names the split.
    with pytest.raises(InfeasiblePlanError, match="first=41 last=38 leaves 1 layers"):
        cm.predict(ParallelConfig(tp=8, pp=2, dp=1, sp=True, first_stage_layers=41,
                                  last_stage_layers=38))


def test_recompute_num_layers_is_checked() -> None:
    cm = _model("llama3-8b", 8)
    with pytest.raises(ValueError, match="recompute_num_layers=2 needs recompute_granularity='full'"):
        cm.predict(ParallelConfig(dp=8), recompute_granularity="selective", recompute_num_layers=2)
    with pytest.raises(ValueError, match="recompute_num_layers=0"):
        cm.predict(ParallelConfig(dp=8), recompute_granularity="full", recompute_num_layers=0)
    # Llama-3-8B on pp = 4: 8 layers per stage, so 9 cannot be recomputed.
    with pytest.raises(InfeasiblePlanError, match="recompute_num_layers=9"):
        cm.predict(ParallelConfig(pp=4, dp=2), recompute_granularity="full", recompute_num_layers=9)
    # Fewer layers recomputed: less recompute time than all 8.
    some = cm.predict(ParallelConfig(pp=4, dp=2), recompute_granularity="full", recompute_num_layers=4)
    every = cm.predict(ParallelConfig(pp=4, dp=2), recompute_granularity="full")
    assert 0 < some.recompute_time_ms < every.recompute_time_ms


# -- rank_configurations / search_best_throughput never drop a plan silently -------------------


def test_rank_configurations_return_rejected() -> None:
    cm = _model("llama3-8b", 8, sequence_length=4096)
    bad_tp = {"tp": 3, "pp": 1, "dp": 1, "sharding": "stage1"}       # 32 heads % 3 != 0
    bad_pp = {"tp": 1, "pp": 5, "dp": 1, "sharding": "stage1"}       # 32 layers % 5 != 0
    # One GPU, nothing sharded: 8.0e9 parameters x (2 bf16 + 4 fp32 grad + 12 Adam) bytes
    # = 144 GB > 80 GB.
    too_big = {"tp": 1, "pp": 1, "dp": 1, "sharding": "none"}
    not_a_plan = {"tp": 0, "pp": 1, "dp": 8}
    good = ParallelConfig(tp=8, pp=1, dp=1, sp=True)
    configs = [bad_tp, good, bad_pp, too_big, not_a_plan]
    ranked, rejected = cm.rank_configurations(configs, verbose=False, return_rejected=True)
    assert isinstance(ranked, RankedPlans) and isinstance(ranked, list)
    assert [e["config"] for e in ranked] == [good.to_dict()]
    assert ranked.rejected is rejected and ranked.explanation is None
    # Every configuration is ranked or rejected, each rejection with its reason.
    assert len(ranked) + len(rejected) == len(configs)
    assert [x["config"] for x in rejected] == [bad_tp, bad_pp, too_big, not_a_plan]
    reasons = [x["reason"] for x in rejected]
    assert "tp=3" in reasons[0] and "num_attention_heads=32" in reasons[0]
    assert "pp=5" in reasons[1] and "32 layers" in reasons[1]
    assert reasons[2].startswith("does not fit: needs ") and reasons[2].endswith(" GiB usable")
    assert "tp" in reasons[3] and "0" in reasons[3]
    # The default return is the same list (a list subclass, as before).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = cm.rank_configurations(configs, verbose=False)
    assert [e["config"] for e in plain] == [good.to_dict()] and len(plain.rejected) == 4


def test_rank_configurations_empty_explains(capsys: pytest.CaptureFixture[str]) -> None:
    cm = _model("llama3-8b", 8, sequence_length=4096)
    configs = [{"tp": 3, "pp": 1, "dp": 1}, {"tp": 1, "pp": 1, "dp": 1, "sharding": "none"}]
    with pytest.warns(NoPlanFitsWarning, match="none of the 2 configurations can run: "
                                               "1 infeasible, 1 do not fit in memory"):
        ranked = cm.rank_configurations(configs, top_k=5)
    assert ranked == [] and len(ranked.rejected) == 2
    assert "closest to fitting: tp=1 pp=1 dp=1" in ranked.explanation
    assert "tp=3 does not divide num_attention_heads=32" in ranked.explanation
    assert "nothing fits: none of the 2 configurations" in capsys.readouterr().out
    with pytest.warns(NoPlanFitsWarning, match="the list is empty"):
        assert cm.rank_configurations([], verbose=False) == []


def test_search_best_throughput_nothing_fits() -> None:
    # Llama-3.1-405B cannot fit on 8 GPUs whatever the split: ~405e9 x 2 bytes of bf16 weights
    # alone are 810 GB > 8 x 80 GB.
    cm = _model("llama3.1-405b", 8, sequence_length=4096)
    space = cm.generate_search_space(8, max_tp=8, shardings=("none", "stage1", "stage2", "stage3"))
    with pytest.warns(NoPlanFitsWarning, match="do not fit in memory") as caught:
        best = cm.search_best_throughput(total_gpus=8, top_k=5)
    assert best == [] and best.explanation == str(caught[0].message)
    # Every plan of the space is accounted for, none silently.
    assert len(best.rejected) == len(space) > 0
    assert all(x["reason"].startswith("does not fit") for x in best.rejected)


def test_search_best_throughput_empty_space() -> None:
    # One GPU: dp = 1, and tensorwise offload needs a sharding group (dp > 1).
    cm = _model("llama3-8b", 8)
    with pytest.warns(NoPlanFitsWarning, match="search space is empty"):
        best = cm.search_best_throughput(total_gpus=1, tensorwise_offload_optimizer=True)
    assert best == [] and best.rejected == []


# -- PDCostModel.search and `pdcost search` say why nothing fits ------------------------------


def test_search_nothing_fits_warns_with_the_explanation() -> None:
    cm = _model("llama3.1-405b", 8)
    with pytest.warns(NoPlanFitsWarning) as caught:
        result = cm.search(seq_len=4096, global_batch_size=8)
    assert result.results == []
    assert result.explanation and "misses by" in result.explanation
    assert str(caught[0].message) == result.explanation


def test_cli_search_nothing_fits(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["search", "--model", "llama3.1-405b", "--gpus", "8", "--seq-len", "4096",
            "--global-batch", "8"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the CLI prints the explanation, not a warning
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "nothing fits: no plan fits in memory" in out and "misses by" in out
        assert main(args + ["--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["results"] == [] and "misses by" in data["explanation"]
    assert "nothing fits: " + data["explanation"] in captured.err
