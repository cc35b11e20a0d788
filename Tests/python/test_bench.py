"""pdcost.bench: the measurement harness.

Without torch: import, --help, the missing-torch error, grid definitions, record building from
made-up timings, the grid driver's out-of-memory handling, and `pdcost validate` on a file
built from made-up timings. With torch (skipped otherwise): a CPU smoke run and the torch
model's parameter count against pdcost's. The GPU path itself is not exercised here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pdcost import (HardwareConfig, ModelConfig, NoDeviceError, ParallelConfig, PDCostError,
                    PDCostModel, TrainingConfig)
from pdcost.bench import (BENCH_MODELS, PRESETS, SCHEMA, BenchConfig, Measurement,
                          TorchUnavailableError, build_record, preset, resolve_model,
                          schema_problems, skipped_path)
from pdcost.bench.grid import TINY_MOE, run_grid
from pdcost.settings import settings_fields
from pdcost.bench.records import gpu_preset_name, model_fields, read_runs_file, record_id, runs_document
from pdcost.cli import main as pdcost_main
from pdcost.costmodel import validate_runs

HAS_TORCH = importlib.util.find_spec("torch") is not None
BLOCK_TORCH = "import sys; sys.modules['torch'] = None; "


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


def _fake(step_times: list[float], **overrides: object) -> Measurement:
    values: dict[str, object] = dict(
        step_times_s=step_times, peak_allocated_bytes=20 * 2**30,
        peak_reserved_bytes=22 * 2**30, gpu_name="NVIDIA H100 80GB HBM3", num_gpus=1,
        gpus_per_node=1, environment={"torch": "2.6.0", "CUDA": "12.4"}, date="2025-01-02")
    values.update(overrides)
    return Measurement(**values)  # type: ignore[arg-type]


# -- without torch ------------------------------------------------------------------------------


def test_import_does_not_import_torch() -> None:
    done = _python("import sys, pdcost.bench, pdcost.bench.__main__; "
                   "print('torch' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_help_works_without_torch() -> None:
    done = _python(BLOCK_TORCH + "import runpy; sys.argv = ['pdcost.bench', '--help']; "
                   "runpy.run_module('pdcost.bench', run_name='__main__')")
    assert done.returncode == 0, done.stderr
    assert "--seq-len" in done.stdout and "grid" in done.stdout


def test_missing_torch_raises_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)   # `import torch` raises ImportError
    import pdcost.bench as bench

    with pytest.raises(TorchUnavailableError) as caught:
        bench.run(BenchConfig(model="gpt2", num_layers=1, seq_len=64))
    assert isinstance(caught.value, PDCostError) and isinstance(caught.value, ImportError)
    assert "pip install torch" in str(caught.value)


def test_cli_without_torch_exits_3() -> None:
    done = _python(BLOCK_TORCH + "from pdcost.bench.__main__ import main; "
                   "sys.exit(main(['--model', 'gpt2', '--layers', '1']))")
    assert done.returncode == 3
    assert "needs PyTorch" in done.stderr and "pip install torch" in done.stderr


def test_bench_config_validation() -> None:
    with pytest.raises(ValueError, match="seq_len"):
        BenchConfig(model="gpt2", seq_len=0)
    with pytest.raises(ValueError, match="recompute"):
        BenchConfig(model="gpt2", recompute="some")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fsdp"):
        BenchConfig(model="gpt2", fsdp=True)
    with pytest.raises(ValueError, match="inference"):
        BenchConfig(model="gpt2", mode="inference", recompute="full")
    # global batch = mbs × gas × dp = 2 × 3 × 4
    assert BenchConfig(model="gpt2", micro_batch_size=2, gradient_accumulation_steps=3,
                       dp=4).global_batch_size == 24


def test_bench_models_are_their_published_sizes() -> None:
    # Published sizes: Qwen2.5-0.5B 0.49 B, Qwen2.5-1.5B 1.54 B, Qwen3-0.6B 0.6 B,
    # Qwen3-1.7B 1.7 B, Llama-3.2-1B 1.24 B (model cards).
    expected = {"qwen2.5-0.5b": 0.49e9, "qwen2.5-1.5b": 1.54e9, "qwen3-0.6b": 0.60e9,
                "qwen3-1.7b": 1.72e9, "llama3.2-1b": 1.24e9}
    assert set(expected) == set(BENCH_MODELS)
    for name, size in expected.items():
        assert resolve_model(BenchConfig(model=name)).num_parameters() == pytest.approx(size, rel=0.01)


def test_layer_override() -> None:
    # Llama-3-8B with 4 layers: embedding + head 2·128256·4096 = 1_050_673_152, per layer
    # attention 4096·(4096+2·1024+4096) = 41_943_040, MLP 3·4096·14336 = 176_160_768, norms
    # 2·4096; final norm 4096 → 1_050_673_152 + 4·218_112_000 + 4096 = 1_923_125_248.
    model = resolve_model(BenchConfig(model="llama3-8b", num_layers=4))
    assert model.num_hidden_layers == 4
    assert model.num_parameters() == 1_923_125_248
    assert model.name == "llama3-8b (4 layers)"


@pytest.mark.parametrize("name", list(PRESETS))
def test_grid_presets_are_valid(name: str) -> None:
    runs = preset(name)
    assert runs
    ids = set()
    for config in runs:
        model = resolve_model(config)
        assert config.world_size == 1
        if config.device == "cuda" and config.mode == "train":
            # fp32 weights + fp32 grads + two fp32 moments = 16 bytes per parameter must leave
            # room on an 80 GB GPU (80 GiB = 85.9e9 bytes): at most ~2 B parameters.
            assert 16 * model.num_parameters() < 40 * 2**30, model.name
        ids.add(record_id(config, model.name, "H100-SXM-80GB", 1))
    assert len(ids) == len(runs), "record ids must be unique within a grid"


def test_single_gpu_grid_covers_the_axes() -> None:
    runs = preset("single-gpu")
    assert {r.seq_len for r in runs} == {1024, 2048, 4096}
    assert {r.micro_batch_size for r in runs} == {1, 2, 4}
    assert {r.recompute for r in runs} == {"none", "full"}
    assert len({(str(r.model), r.num_layers) for r in runs}) == 4
    assert len(runs) == 4 * 3 * 3 * 2


def test_record_from_fake_timings_follows_schema() -> None:
    config = BenchConfig(model="qwen2.5-0.5b", seq_len=2048, micro_batch_size=2)
    record = build_record(config, resolve_model(config), _fake([0.5, 0.4, 0.45]))
    assert schema_problems(record) == []
    assert record["kind"] == "training" and record["framework"] == "torchtitan"
    assert record["hardware"] == {"gpu": "H100-SXM-80GB", "num_gpus": 1, "gpus_per_node": 1}
    assert record["training"]["global_batch_size"] == 2
    m = record["measured"]
    # median(0.5, 0.4, 0.45) = 0.45 s; 2 sequences × 2048 tokens / 0.45 s = 9102.222 tokens/s
    assert m["step_time_s"] == 0.45
    assert m["tokens_per_s_per_gpu"] == pytest.approx(9102.222, abs=1e-3)
    assert m["peak_allocated_gib"] == 20.0 and m["peak_reserved_gib"] == 22.0
    assert m["peak_memory_gib"] is None
    assert record["derived_fields"] == ["measured.tokens_per_s_per_gpu"]
    assert record["model"]["model_type"] == "qwen2" and record["model"]["tie_word_embeddings"]
    # The switches are structured settings with every key of the schema; notes are provenance.
    settings = record["settings"]
    assert set(settings) == {row["key"] for row in settings_fields()}
    assert settings["torch_compile"] is False and settings["torch_version"] == "2.6"
    assert settings["tp_comm_overlap"] is False and settings["fp8_recipe"] is None
    assert "torch 2.6.0" in record["notes"] and "0.4000" in record["notes"]


def test_record_variants() -> None:
    config = BenchConfig(model="gpt2", seq_len=1024, micro_batch_size=4, mode="inference")
    record = build_record(config, resolve_model(config), _fake([0.1], gpu_name="NVIDIA H200"))
    assert schema_problems(record) == []
    assert record["kind"] == "inference" and record["hardware"]["gpu"] == "H200-SXM-141GB"
    # 4 × 1024 tokens / 0.1 s = 40960 tokens/s
    assert record["measured"]["tokens_per_s_per_gpu"] == pytest.approx(40960.0)

    config = BenchConfig(model="llama3-8b", num_layers=2, recompute="full", compile=True,
                         gradient_accumulation_steps=4, tp=2, dp=4, fsdp=True)
    record = build_record(config, resolve_model(config), _fake([2.0], num_gpus=8, gpus_per_node=8))
    assert schema_problems(record) == []
    p, t = record["parallel"], record["training"]
    assert (p["tp"], p["dp"], p["zero_stage"], p["fsdp"]) == (2, 4, 3, True)
    # 1 × 4 × 4 = 16 sequences × 2048 tokens / (2.0 s × 8 GPUs) = 2048 tokens/s/GPU
    assert t["global_batch_size"] == 16 and t["recompute_num_layers"] == 2
    assert record["measured"]["tokens_per_s_per_gpu"] == pytest.approx(2048.0)
    assert record["settings"]["torch_compile"] is True


def test_build_record_rejects_bad_timings() -> None:
    config = BenchConfig(model="gpt2")
    with pytest.raises(ValueError, match="no timed steps"):
        build_record(config, resolve_model(config), _fake([]))
    with pytest.raises(ValueError, match="> 0"):
        build_record(config, resolve_model(config), _fake([0.1, 0.0]))


def test_schema_problems_names_missing_fields() -> None:
    config = BenchConfig(model="gpt2")
    record = build_record(config, resolve_model(config), _fake([0.1]))
    del record["measured"]["step_time_s"]
    del record["hardware"]
    record["kind"] = "pretraining"
    problems = schema_problems(record)
    assert "measured.step_time_s: missing" in problems
    assert "hardware: missing or not an object" in problems
    assert any(p.startswith("kind=") for p in problems)


def test_gpu_names() -> None:
    assert gpu_preset_name("NVIDIA H100 80GB HBM3") == "H100-SXM-80GB"
    assert gpu_preset_name("NVIDIA A100-SXM4-80GB") == "A100-SXM-80GB"
    assert gpu_preset_name("NVIDIA GeForce RTX 3080") == "NVIDIA GeForce RTX 3080"


def test_model_fields_rebuild_the_same_model() -> None:
    for name in ModelConfig.presets():
        model = ModelConfig.from_name(name)
        rebuilt = ModelConfig.from_json(model_fields(model))
        assert rebuilt.num_parameters() == model.num_parameters(), name
    # A hand-built variant the schema's fields cannot express gets pdcost's explicit keys.
    custom = ModelConfig(num_hidden_layers=2, hidden_size=64, num_attention_heads=4,
                         vocab_size=100, intermediate_size=128, qkv_bias=True)
    fields = model_fields(custom)
    assert fields["qkv_bias"] is True
    assert ModelConfig.from_json(fields).num_parameters() == custom.num_parameters()


def _fake_file(tmp_path: Path) -> Path:
    records = []
    for mbs, times in ((1, [0.30, 0.31, 0.29]), (2, [0.55, 0.56, 0.54])):
        config = BenchConfig(model="qwen2.5-0.5b", seq_len=2048, micro_batch_size=mbs)
        records.append(build_record(config, resolve_model(config), _fake(times)))
    path = tmp_path / "measured" / "h100.json"
    path.parent.mkdir()
    path.write_text(json.dumps(runs_document(records), indent=2))
    return path


def test_validate_reads_fake_measured_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fake_file(tmp_path)
    assert json.loads(path.read_text())["schema"] == SCHEMA
    report = json.loads(validate_runs(path.read_bytes()))
    assert [r["status"] for r in report["runs"]] == ["ok", "ok"]
    assert report["summary"]["tokens_per_s_per_gpu"]["n"] == 2
    # The validator maps the record to the same prediction as the API with the torchtitan
    # profile on one GPU without sharding.
    model = resolve_model(BenchConfig(model="qwen2.5-0.5b"))
    direct = PDCostModel(model, HardwareConfig(gpu="H100-SXM-80GB", gpus_per_node=1),
                         TrainingConfig(sequence_length=2048, micro_batch_size=1,
                                        framework="torchtitan")
                         ).predict(ParallelConfig(sharding="none"))
    assert report["runs"][0]["step_time_s"]["predicted"] == pytest.approx(
        direct.step_time_ms / 1e3, rel=1e-5)

    assert pdcost_main(["validate", str(path)]) == 0
    # The table shows each run's id (cut to the column width) and the MAPE summary.
    table = capsys.readouterr().out
    assert "bench_qwen2.5-0.5b_h100-sxm-80gb_1g_train_s2048_mbs" in table and "MAPE" in table

    from pdcost.bench.__main__ import main as bench_main
    assert bench_main(["compare", str(path)]) == 0
    assert "tokens_per_s_per_gpu" in capsys.readouterr().out


class OutOfMemoryError(RuntimeError):
    """Stands in for torch.cuda.OutOfMemoryError (matched by name)."""


def test_run_grid_skips_out_of_memory_and_resumes(tmp_path: Path) -> None:
    configs = [BenchConfig(model="gpt2", seq_len=512), BenchConfig(model="gpt2", seq_len=1024),
               BenchConfig(model="gpt2", seq_len=256)]
    calls: list[int] = []

    def runner(config: BenchConfig, log: object = None) -> dict[str, object]:
        calls.append(config.seq_len)
        if config.seq_len == 1024:
            raise OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB\nmore text")
        if config.seq_len == 256:
            raise ValueError("something else")
        return build_record(config, resolve_model(config), _fake([0.1]))

    out = tmp_path / "grid.json"
    result = run_grid(configs, out, progress=False, runner=runner)
    assert result["runs"] == 1 and len(result["skipped"]) == 2
    assert [r["training"]["seq_len"] for r in read_runs_file(out)] == [512]
    skipped = json.loads(Path(skipped_path(out)).read_text())["skipped"]
    assert skipped[0]["reason"] == "out of memory: CUDA out of memory. Tried to allocate 2.00 GiB"
    assert skipped[0]["config"]["seq_len"] == 1024
    assert skipped[1]["reason"].startswith("ValueError: something else")
    assert skipped_path(out).endswith("grid.skipped.json")

    calls.clear()
    run_grid(configs, out, progress=False, runner=runner)       # resume: 512 is not rerun
    assert calls == [1024, 256]


# -- with torch ---------------------------------------------------------------------------------

needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")


@needs_torch
@pytest.mark.parametrize("name,layers", [
    ("qwen2.5-0.5b", 2), ("qwen3-0.6b", 2), ("llama3.2-1b", 2), ("llama3-8b", 2),
    ("mistral-7b", 1), ("mixtral-8x7b", 1), ("qwen3-30b-a3b", 1), ("gpt2", None),
    ("gpt3-175b", 1)])
def test_torch_model_parameter_count_equals_pdcost(name: str, layers: int | None) -> None:
    from pdcost.bench.model import build_model, num_parameters

    model_config = resolve_model(BenchConfig(model=name, num_layers=layers))
    model = build_model(model_config)            # meta device: no memory
    assert num_parameters(model) == model_config.num_parameters()


@needs_torch
def test_torch_moe_model_parameter_count_and_recompute_modes() -> None:
    import torch

    from pdcost.bench.model import build_model, num_parameters

    model_config = resolve_model(BenchConfig(model=TINY_MOE))
    model = build_model(model_config)
    model.to_empty(device="cpu")
    model.init_weights(32)
    assert num_parameters(model) == model_config.num_parameters()
    ids = torch.randint(0, model_config.vocab_size, (2, 32))
    grads = []
    for mode in ("none", "full", "selective"):
        model.recompute = mode
        model.zero_grad()
        model(ids, ids).backward()
        grads.append(model.layers[1].self_attn.q_proj.weight.grad.clone())
    # Recomputation changes memory and time, never the gradients.
    assert torch.allclose(grads[0], grads[1]) and torch.allclose(grads[0], grads[2])


@needs_torch
def test_cpu_smoke_run() -> None:
    from pdcost.bench import run

    config = BenchConfig(model=TINY_MOE, seq_len=32, micro_batch_size=2,
                         gradient_accumulation_steps=2, steps=1, warmup_steps=1, device="cpu")
    record = run(config)
    assert schema_problems(record) == []
    assert record["hardware"]["gpu"] == "cpu"
    assert record["measured"]["step_time_s"] > 0
    assert record["measured"]["peak_allocated_gib"] is None


@needs_torch
def test_cuda_missing_raises_no_device() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    from pdcost.bench import run

    with pytest.raises(NoDeviceError, match="needs an NVIDIA GPU"):
        run(BenchConfig(model="gpt2", num_layers=1, seq_len=64))
