"""Built-in grids of runs, and running a grid into a measured-runs file.

``single-gpu``: models that train on one 80 GB GPU (fp32 weights + AdamW ≈ 16 bytes per
parameter, so up to ~2 B parameters leave room for activations), at sequence lengths
1024/2048/4096, micro-batches 1/2/4 and recompute off/full. Configurations that do not fit are
tried anyway: the out-of-memory ones are skipped and written to a sidecar file with the
reason, which is itself a check of pdcost's memory model.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from typing import Any, Callable, Iterable, Sequence

from .config import BenchConfig

__all__ = ["PRESETS", "preset", "run_grid", "skipped_path"]

# (model, layer override): real small models, and short versions of bigger presets (the
# per-layer work of the real model with fewer layers).
_SINGLE_GPU_MODELS: tuple[tuple[str, int | None], ...] = (
    ("qwen2.5-0.5b", None),      # 0.49 B, tied, GQA 14/2, qkv bias
    ("llama3.2-1b", None),       # 1.24 B, tied, head_dim 64
    ("qwen3-1.7b", None),        # 1.72 B, tied, qk-norm
    ("llama3-8b", 4),            # 1.92 B: Llama-3-8B layers, 128k vocabulary
)


def _single_gpu() -> list[BenchConfig]:
    runs: list[BenchConfig] = []
    for (model, layers), seq, mbs, recompute in itertools.product(
            _SINGLE_GPU_MODELS, (1024, 2048, 4096), (1, 2, 4), ("none", "full")):
        runs.append(BenchConfig(model=model, num_layers=layers, seq_len=seq, micro_batch_size=mbs,
                                recompute=recompute))
    return runs


def _single_gpu_quick() -> list[BenchConfig]:
    runs = [BenchConfig(model=m, num_layers=n, seq_len=2048, micro_batch_size=2, recompute=r)
            for (m, n), r in itertools.product(_SINGLE_GPU_MODELS, ("none", "full"))]
    runs.append(BenchConfig(model="qwen3-1.7b", seq_len=4096, micro_batch_size=1,
                            recompute="selective"))
    runs.append(BenchConfig(model="qwen3-30b-a3b", num_layers=2, seq_len=2048,
                            micro_batch_size=1))
    return runs


def _single_gpu_inference() -> list[BenchConfig]:
    return [BenchConfig(model=m, num_layers=n, seq_len=seq, micro_batch_size=mbs,
                        mode="inference")
            for (m, n), seq, mbs in itertools.product(_SINGLE_GPU_MODELS, (1024, 4096), (1, 8))]


#: A tiny Qwen3-MoE-shaped model for CPU smoke tests (every code path: GQA, qk-norm, RoPE,
#: shared and routed experts, a dense first layer); made up, not a real model.
TINY_MOE: dict[str, Any] = {
    "architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "name": "tiny-moe",
    "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4,
    "num_key_value_heads": 2, "head_dim": 16, "num_hidden_layers": 2, "vocab_size": 512,
    "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32,
    "n_shared_experts": 1, "shared_expert_intermediate_size": 32, "first_k_dense_replace": 1,
    "tie_word_embeddings": False}


def _cpu_smoke() -> list[BenchConfig]:
    return [BenchConfig(model="gpt2", num_layers=1, seq_len=64, steps=1, warmup_steps=0,
                        device="cpu"),
            BenchConfig(model=TINY_MOE, seq_len=64, micro_batch_size=2,
                        gradient_accumulation_steps=2, steps=1, warmup_steps=1,
                        recompute="selective", device="cpu")]


#: Grid name → (description, builder).
PRESETS: dict[str, tuple[str, Callable[[], list[BenchConfig]]]] = {
    "single-gpu": ("4 models x seq 1024/2048/4096 x mbs 1/2/4 x recompute none/full (72 runs)",
                   _single_gpu),
    "single-gpu-quick": ("one point per model and recompute mode, plus selective and MoE "
                         "(10 runs)", _single_gpu_quick),
    "single-gpu-inference": ("prefill: 4 models x seq 1024/4096 x batch 1/8 (16 runs)",
                             _single_gpu_inference),
    "cpu-smoke": ("two tiny one-step runs on the CPU (tests the loop, measures nothing)",
                  _cpu_smoke),
}


def preset(name: str, *, steps: int | None = None, warmup_steps: int | None = None,
           device: str | None = None) -> list[BenchConfig]:
    """The runs of a built-in grid, optionally with other step counts or device."""
    try:
        builder = PRESETS[name][1]
    except KeyError:
        raise ValueError(f"grid preset {name!r} is unknown; known: {', '.join(PRESETS)}") from None
    runs = builder()
    for run in runs:
        if steps is not None:
            run.steps = steps
        if warmup_steps is not None:
            run.warmup_steps = warmup_steps
        if device is not None:
            run.device = device  # type: ignore[assignment]
        run.__post_init__()
    return runs


def skipped_path(out_path: str | os.PathLike[str]) -> str:
    """Where run_grid writes the skipped runs: ``measured/h100.json`` →
    ``measured/h100.skipped.json`` (the measured-runs file keeps exactly the schema)."""
    root, ext = os.path.splitext(os.fspath(out_path))
    return f"{root}.skipped{ext or '.json'}"


def run_grid(configs: Iterable[BenchConfig], out_path: str | os.PathLike[str], *,
             progress: bool = True, resume: bool = True,
             runner: Callable[..., dict[str, Any] | None] | None = None) -> dict[str, Any]:
    """Measures each configuration and writes the measured-runs file after every run.

    Out-of-memory runs (``torch.cuda.OutOfMemoryError``) free the allocator and are listed,
    with the reason, in :func:`skipped_path`; other errors of one run are listed there too and
    the grid goes on. With ``resume`` the records already in ``out_path`` are kept and their
    configurations not run again. Returns ``{"runs": n_measured, "skipped": [...]}``.
    """
    from . import harness
    from .config import resolve_model
    from .records import read_runs_file, write_runs_file

    measure_one = runner or harness.run
    configs = list(configs)
    records = read_runs_file(out_path) if resume else []
    skipped: list[dict[str, Any]] = []
    say: Callable[[str], None] = (lambda msg: print(msg, file=sys.stderr, flush=True)) \
        if progress else (lambda _msg: None)
    for number, config in enumerate(configs, 1):
        label = _label(config)
        if resume and any(_same_run(r, config, resolve_model(config).name) for r in records):
            say(f"[{number}/{len(configs)}] {label}: already in {os.fspath(out_path)}, skipped")
            continue
        say(f"[{number}/{len(configs)}] {label} ...")
        started = time.perf_counter()
        failure: str | None = None
        kind = ""
        record: dict[str, Any] | None = None
        try:
            record = measure_one(config, log=lambda msg: say(f"    {msg}"))
        except Exception as error:  # noqa: BLE001 - one failed run must not end the grid
            kind = "out of memory" if harness.is_out_of_memory(error) else type(error).__name__
            failure = (str(error).strip().splitlines() or [""])[0][:500]
        if failure is not None:
            # Outside the except block: the traceback (and the tensors its frames hold) is gone.
            harness.release_memory()
            skipped.append({"config": config.to_dict(), "reason": f"{kind}: {failure}"})
            say(f"    skipped ({kind}): {failure}")
            _write_skipped(out_path, skipped)
            continue
        if record is None:  # not rank 0
            continue
        records.append(record)
        write_runs_file(out_path, records)
        m = record["measured"]
        say(f"    {m['step_time_s'] * 1e3:.1f} ms/step, {m['tokens_per_s_per_gpu']:.0f} tokens/s/GPU, "
            f"peak allocated {m['peak_allocated_gib']} GiB, reserved {m['peak_reserved_gib']} GiB "
            f"({time.perf_counter() - started:.0f} s)")
    if not records:
        write_runs_file(out_path, records)
    return {"runs": len(records), "skipped": skipped}


def _label(config: BenchConfig) -> str:
    model = config.to_dict()["model"]
    layers = f" ({config.num_layers} layers)" if config.num_layers else ""
    extra = f" tp{config.tp} dp{config.dp}{' fsdp' if config.fsdp else ''}" \
        if config.world_size > 1 else ""
    return (f"{config.mode} {model}{layers} seq {config.seq_len} mbs {config.micro_batch_size} "
            f"gas {config.gradient_accumulation_steps} recompute {config.recompute}{extra}")


def _same_run(record: Any, config: BenchConfig, model_name: str) -> bool:
    """Whether a record measured this configuration (on whatever GPU the file is for)."""
    try:
        t, p = record["training"], record["parallel"]
        return (record["model"]["name"] == model_name
                and record["kind"] == ("training" if config.mode == "train" else "inference")
                and t["seq_len"] == config.seq_len
                and t["micro_batch_size"] == config.micro_batch_size
                and t["dtype"] == config.dtype and t["recompute"] == config.recompute
                and p["tp"] == config.tp and p["dp"] == config.dp and p["fsdp"] == config.fsdp
                and t["global_batch_size"] == (config.global_batch_size if config.mode == "train"
                                               else config.micro_batch_size * config.dp)
                and ("compiled" in record["id"]) == config.compile)
    except (KeyError, TypeError):
        return False


def _write_skipped(out_path: str | os.PathLike[str], skipped: Sequence[dict[str, Any]]) -> None:
    path = skipped_path(out_path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"skipped": list(skipped)}, handle, indent=2)
        handle.write("\n")
