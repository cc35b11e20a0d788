"""Plan search: the seed API, the typed search, progress and cancellation, and `pdcost search`."""

from __future__ import annotations

import json
import threading

import pytest

from pdcost import ModelConfig, ParallelConfig, PDCostModel
from pdcost.cli import main
from pdcost.config import GPUSpec, HardwareConfig, TrainingConfig
from pdcost.search import SearchResult


def _model(name: str = "llama3-8b", gpus: int = 8, **training: object) -> PDCostModel:
    hardware = HardwareConfig(gpu=GPUSpec.from_name("H100-SXM-80GB"), num_nodes=max(gpus // 8, 1),
                              gpus_per_node=min(gpus, 8))
    return PDCostModel(ModelConfig.from_name(name), hardware, TrainingConfig(**training))


def test_generate_search_space_counts() -> None:
    # Llama-3-8B (32 heads, 8 KV heads, 32 layers) on 16 GPUs, max_tp=8, max_pp=4:
    # tp ∈ {1, 2, 4, 8}, pp ∈ {1, 2, 4} with tp·pp dividing 16, dp = 16/(tp·pp); "stage1"
    # sharding needs dp > 1, which drops (8, 2) and (4, 4).
    cm = _model("llama3-8b", 16)
    configs = cm.generate_search_space(total_gpus=16, max_tp=8, max_pp=4)
    splits = {(c["tp"], c["pp"], c["dp"]) for c in configs}
    expected = {(tp, pp, 16 // (tp * pp)) for tp in (1, 2, 4, 8) for pp in (1, 2, 4)
                if 16 % (tp * pp) == 0 and 16 // (tp * pp) > 1}
    assert splits == expected
    assert all(c["ep"] == 1 and c["sharding"] == "stage1" for c in configs)


def test_rank_configurations_seed_example(capsys: pytest.CaptureFixture[str]) -> None:
    cm = _model("qwen3-30b-a3b", 8, sequence_length=4096, gradient_accumulation_steps=4,
                recompute_granularity="full")
    configs = [
        {"tp": 8, "pp": 1, "dp": 1, "ep": 8, "sharding": "stage1"},
        {"tp": 4, "pp": 2, "dp": 1, "ep": 4, "sharding": "stage1"},
        {"tp": 4, "pp": 1, "dp": 2, "ep": 4, "sharding": "stage2"},
        ParallelConfig(tp=1, pp=1, dp=8, ep=8),
    ]
    best = cm.rank_configurations(configs, top_k=5)
    assert "Ranked" in capsys.readouterr().out
    assert 1 <= len(best) <= 4
    assert [b["rank"] for b in best] == list(range(1, len(best) + 1))
    throughputs = [b["throughput"] for b in best]
    assert throughputs == sorted(throughputs, reverse=True)
    for b in best:
        assert {"throughput", "tp", "pp", "dp", "ep", "sharding"} <= set(b)
        assert b["fits_memory"]


def test_search_best_throughput_seed_call() -> None:
    cm = _model("qwen3-30b-a3b", 8, recompute_granularity="full")
    best = cm.search_best_throughput(total_gpus=8, seq_len=4096, micro_batch_size=1,
                                     gradient_accumulation_steps=16,
                                     tensorwise_offload_optimizer=True, top_k=5)
    assert 1 <= len(best) <= 5
    for cfg in best:
        assert cfg["tp"] * cfg["pp"] * cfg["dp"] * cfg["cp"] == 8
        assert cfg["dp"] > 1  # tensorwise offload needs a sharding group
        assert 128 % cfg["ep"] == 0
        assert cfg["throughput"] > 0


def test_typed_search_and_to_dict() -> None:
    cm = _model("llama3-8b", 16, sequence_length=4096)
    result = cm.search(global_batch_size=64, top_k=5, threads=2)
    assert isinstance(result, SearchResult)
    assert 1 <= len(result.results) <= 5
    s = result.stats
    assert s.enumerated == s.feasible + sum(s.pruned.values())
    assert s.evaluated >= s.feasible > 0 and not s.cancelled
    first = result.results[0]
    assert first.rank == 1
    p = first.parallel
    assert p.tp * p.pp * p.cp * p.dp == 16
    assert first.micro_batch_size * first.gradient_accumulation_steps * p.dp == 64
    assert first.prediction.fits_memory
    # The plan prices the same through predict().
    again = cm._with_gpus(16).predict(p, micro_batch_size=first.micro_batch_size, seq_len=4096,
                                     gradient_accumulation_steps=first.gradient_accumulation_steps,
                                     recompute_granularity=first.recompute_granularity)
    if first.recompute_num_layers is None:
        assert again.step_time_ms == pytest.approx(first.prediction.step_time_ms, rel=1e-5)
    d = result.to_dict()
    assert set(d) >= {"results", "pareto", "stats"}
    assert set(d["stats"]) >= {"enumerated", "evaluated", "feasible", "pruned", "elapsed_s",
                               "threads"}
    json.dumps(d)  # plain data


def test_search_deterministic_across_threads() -> None:
    cm = _model("llama3-8b", 16, sequence_length=4096)
    one = cm.search(global_batch_size=64, top_k=10, threads=1).to_dict()
    two = cm.search(global_batch_size=64, top_k=10, threads=2).to_dict()
    strip = lambda d: [(e["plan"], e["micro_batch_size"], e["recompute"]) for e in d["results"]]
    assert strip(one) == strip(two)
    assert one["stats"]["evaluated"] == two["stats"]["evaluated"]


def test_progress_callback_and_cancel() -> None:
    cm = _model("llama3.1-405b", 8)
    calls: list[tuple[int, int]] = []

    def record(done: int, total: int) -> bool:
        calls.append((done, total))
        return False

    result = cm.search(total_gpus=16384, seq_len=8192, global_batch_size=2048, top_k=3,
                       progress=record, threads=1)
    assert calls and calls[-1][0] == calls[-1][1] == result.stats.work_units
    assert not result.stats.cancelled
    stopped = cm.search(total_gpus=16384, seq_len=8192, global_batch_size=2048,
                        progress=lambda done, total: True, threads=1)
    assert stopped.stats.cancelled or stopped.stats.work_units_done == stopped.stats.work_units


def test_progress_exception_propagates() -> None:
    cm = _model("llama3.1-405b", 8)

    def boom(done: int, total: int) -> bool:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cm.search(total_gpus=16384, seq_len=8192, global_batch_size=2048, progress=boom,
                  threads=1)


def test_search_releases_the_gil() -> None:
    cm = _model("llama3.1-405b", 8)
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        cm.search(total_gpus=16384, seq_len=8192, global_batch_size=2048, threads=1)
    finally:
        stop.set()
        thread.join()
    assert ticks > 0


def test_nothing_fits_is_explained() -> None:
    from pdcost import NoPlanFitsWarning
    cm = _model("llama3.1-405b", 8)
    with pytest.warns(NoPlanFitsWarning):
        result = cm.search(seq_len=4096, global_batch_size=8)
    assert result.results == [] and result.stats.feasible == 0
    assert result.explanation is not None and "misses by" in result.explanation


def test_bad_options() -> None:
    cm = _model("llama3-8b", 8)
    with pytest.raises(ValueError, match="recompute"):
        cm.search(global_batch_size=64, recompute=("sometimes",))
    with pytest.raises(ValueError, match="memory_safety_margin"):
        cm.search(global_batch_size=64, memory_safety_margin=1.5)
    with pytest.raises(ValueError, match="global_batch_tokens"):
        cm.search(global_batch_tokens=100, seq_len=4096)


def test_cli_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--model", "llama3-8b", "--gpu", "H100-SXM-80GB", "--gpus", "64",
                 "--seq-len", "8192", "--global-batch", "256", "--top", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"results", "pareto", "stats", "explanation"}
    assert data["explanation"] is None
    assert set(data["stats"]) >= {"enumerated", "evaluated", "feasible", "pruned", "elapsed_s",
                                  "threads"}
    assert len(data["results"]) == 3
    first = data["results"][0]
    assert {"plan", "prediction", "micro_batch_size"} <= set(first)
    assert first["plan"]["tp"] * first["plan"]["pp"] * first["plan"]["dp"] * first["plan"]["cp"] == 64
    assert first["prediction"]["fits_memory"] is True


def test_cli_search_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--model", "llama3-8b", "--gpus", "8", "--seq-len", "4096",
                 "--global-batch", "64", "--top", "5"]) == 0
    out = capsys.readouterr().out
    for text in ("tok/s/GPU", "MFU", "mem GiB", "exposed comm", "Pruned", "out_of_memory"):
        assert text in out


def test_predict_uneven_pipeline_flags(capsys: pytest.CaptureFixture[str]) -> None:
    # Llama-3.1-405B, 126 layers on 16 stages: 7 + 14·8 + 7 (Llama 3 paper §3.3.2).
    assert main(["predict", "--model", "llama3.1-405b", "--gpus", "1024", "--tp", "8", "--pp",
                 "16", "--sp", "--first-stage-layers", "7", "--last-stage-layers", "7",
                 "--recompute", "full", "--global-batch", "64", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["plan"]["first_stage_layers"] == 7


def test_search_ranks_under_the_calibration_profile() -> None:
    # A profile that halves every large GEMM's rate (gemm scale 0.5) must slow the best plan
    # down: compute dominates Llama-3-8B on one node, so tokens/s/GPU drops by 1.3-2x.
    from pdcost import CalibrationProfile

    cm = _model("llama3-8b", 8)
    plain = cm.search(seq_len=4096, global_batch_size=64, top_k=1)
    cm.use_profile(CalibrationProfile(source="manual",
                                      efficiency_scale={"gemm_peak_fraction16": 0.5}))
    slow = cm.search(seq_len=4096, global_batch_size=64, top_k=1)
    ratio = (plain.results[0].prediction.tokens_per_second_per_gpu
             / slow.results[0].prediction.tokens_per_second_per_gpu)
    assert 1.3 < ratio < 2.0
    # On another GPU count the profile goes along.
    assert cm.search(total_gpus=16, seq_len=4096, global_batch_size=64, top_k=1).results
