"""Measured-runs records (``pdcost.runs/1``, shared/validation/SCHEMA.md) from raw timings.

Everything here is pure Python on plain numbers, so it is tested without torch or a GPU:
the harness measures step times and allocator peaks, and :func:`build_record` turns them into
one record with exactly the schema's fields. The framework switches the loop fixes go into
``settings`` (the structured field tools read); what the schema has no field for (the
environment, the individual step times, MFU) goes into ``notes``, which no tool parses.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import statistics
import tempfile
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ..config import GIB, GPUSpec, ModelConfig
from ..errors import NotFoundError
from .config import BenchConfig

__all__ = [
    "SCHEMA", "FRAMEWORK", "REQUIRED_FIELDS", "Measurement", "build_record", "record_id",
    "model_fields", "gpu_preset_name", "schema_problems", "runs_document", "write_runs_file",
    "read_runs_file",
]

#: The measured-runs schema these records follow.
SCHEMA = "pdcost.runs/1"

#: The framework profile that describes the harness's loop. pdcost's ``torchtitan`` profile is
#: plain eager PyTorch: F.scaled_dot_product_attention (portable FlashAttention), composite
#: elementwise ops (RMSNorm, SwiGLU, RoPE), fp32 gradient reduction, expandable segments, the
#: loss on fp32 logits and ``max_memory_reserved`` as the reported peak; the harness is built
#: to do the same (see harness.py). The other profiles describe Megatron/TE fused kernels or
#: DeepSpeed's bf16 gradients, which this loop does not have.
FRAMEWORK = "torchtitan"

#: Each record's keys and the keys of its sections (SCHEMA.md).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "": ("id", "source", "kind", "model", "hardware", "parallel", "training", "framework",
         "settings", "measured", "derived_fields", "complete", "notes"),
    "model": ("name", "model_type", "num_hidden_layers", "hidden_size", "intermediate_size",
              "num_attention_heads", "num_key_value_heads", "head_dim", "vocab_size",
              "tie_word_embeddings", "hidden_act"),
    "hardware": ("gpu", "num_gpus", "gpus_per_node"),
    "parallel": ("tp", "pp", "vpp", "dp", "cp", "ep", "etp", "sequence_parallel", "zero_stage",
                 "fsdp"),
    "training": ("seq_len", "micro_batch_size", "global_batch_size", "dtype", "recompute",
                 "recompute_num_layers", "recompute_modules"),
    "measured": ("tokens_per_s_per_gpu", "step_time_s", "peak_allocated_gib",
                 "peak_reserved_gib", "peak_memory_gib"),
}

#: MoE keys of the schema's model section (written for MoE models only).
_MOE_FIELDS = ("num_experts", "num_experts_per_tok", "moe_intermediate_size", "n_shared_experts",
               "shared_expert_intermediate_size", "first_k_dense_replace")

#: MLA keys of the schema's model section (DeepSeek models only).
_MLA_FIELDS = ("q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim",
               "v_head_dim", "num_nextn_predict_layers")


@dataclass(slots=True)
class Measurement:
    """What the harness measured for one run (all per GPU, rank 0)."""

    step_times_s: Sequence[float]
    """Each timed step (train: one optimizer step of all micro-batches; inference: one
    forward pass), seconds."""
    peak_allocated_bytes: int | None
    """``torch.cuda.max_memory_allocated()`` over the timed steps."""
    peak_reserved_bytes: int | None
    """``torch.cuda.max_memory_reserved()`` over the timed steps."""
    gpu_name: str
    """``torch.cuda.get_device_name()`` (or "cpu")."""
    num_gpus: int
    gpus_per_node: int
    environment: Mapping[str, str] = field(default_factory=dict)
    """torch, CUDA, driver versions ... (written into the notes)."""
    date: str | None = None
    """ISO date of the run; default today."""
    timer: str = "CUDA events"
    """How steps were timed."""

    @property
    def step_time_s(self) -> float:
        """The median timed step: robust to one slow step (a GC pause, a clock change)."""
        return float(statistics.median(self.step_times_s))


def gpu_preset_name(device_name: str) -> str:
    """pdcost's preset name for a device name as torch/nvidia-smi print it
    ("NVIDIA H100 80GB HBM3" → "H100-SXM-80GB"); the device name itself when no preset
    matches, so the record stays truthful (validation then names the unknown GPU)."""
    try:
        return GPUSpec.from_name(device_name).name
    except (NotFoundError, ValueError):
        return device_name


def model_fields(model: ModelConfig) -> dict[str, Any]:
    """The model section of a record: the schema's Hugging Face fields of a resolved config.

    When those fields alone would describe a different architecture than ``model`` (a
    hand-built config overriding a bias or the MLP shape), pdcost's explicit keys are added so
    the validator rebuilds exactly this model.
    """
    m = model.resolved()
    fields: dict[str, Any] = {name: getattr(m, name) for name in REQUIRED_FIELDS["model"]}
    fields["name"] = model.name
    if m.num_experts is not None:
        for name in _MOE_FIELDS:
            fields[name] = getattr(m, name)
        if m.moe_layer_freq not in (None, 1):
            fields["moe_layer_freq"] = m.moe_layer_freq
    if m.kv_lora_rank is not None:
        for name in _MLA_FIELDS:
            fields[name] = getattr(m, name)
    if m.n_positions is not None:
        fields["n_positions"] = m.n_positions
    plain = ModelConfig.from_json(fields)
    if plain.num_parameters() != m.num_parameters() or plain.mlp_type != m.mlp_type:
        for name in ("mlp_type", "norm_type", "qkv_bias", "attention_out_bias", "mlp_bias",
                     "qk_norm"):
            fields[name] = getattr(m, name)
    return fields


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def record_id(config: BenchConfig, model_name: str, gpu: str, num_gpus: int) -> str:
    """A unique, readable id from the settings that decide speed and memory."""
    if config.name:
        return config.name
    parts = ["bench", _slug(model_name), _slug(gpu), f"{num_gpus}g",
             "train" if config.mode == "train" else "infer", f"s{config.seq_len}",
             f"mbs{config.micro_batch_size}"]
    if config.gradient_accumulation_steps > 1:
        parts.append(f"gas{config.gradient_accumulation_steps}")
    parts.append(config.dtype)
    if config.recompute != "none":
        parts.append(f"ac-{config.recompute}")
    if config.tp > 1:
        parts.append(f"tp{config.tp}")
    if config.dp > 1:
        parts.append(f"dp{config.dp}" + ("-fsdp" if config.fsdp else "-ddp"))
    if config.compile:
        parts.append("compiled")
    return "_".join(parts)


def _notes(config: BenchConfig, measurement: Measurement, *, mfu: float | None,
           tokens_per_step: int) -> str:
    # Provenance for people; every switch that changes a prediction is in `settings`.
    env = measurement.environment
    env_text = ", ".join(f"{k} {v}" for k, v in env.items() if v) or "not recorded"
    times = ", ".join(f"{t:.4f}" for t in measurement.step_times_s)
    loop = ("Measured with pdcost.bench: an eager PyTorch loop in the style of torchtitan "
            "(fp32 parameters with bf16/fp16 autocast on one GPU, FSDP2 mixed precision with "
            "fp32 gradient reduction when sharded, F.scaled_dot_product_attention, fused AdamW, "
            "loss on fp32 logits, random weights and random token ids).")
    if config.mode == "inference":
        loop = ("Measured with pdcost.bench: forward-only prefill in eager PyTorch "
                "(weights in the compute dtype, torch.inference_mode, "
                "F.scaled_dot_product_attention, logits of the last position only).")
    parts = [loop]
    if config.compile:
        parts.append("Each decoder layer wrapped in torch.compile (Inductor).")
    if config.recompute == "selective":
        parts.append("Selective recompute: torchtitan's op-level policy (save matmul and "
                     "attention outputs, recompute every second matmul and the elementwise ops).")
    if config.tp > 1:
        parts.append("Tensor parallel: DTensor parallelize_module over the q/k/v/o and MLP "
                     "projections (no sequence parallelism).")
    parts.append(f"Environment: {env_text}.")
    parts.append(f"Steps: {config.warmup_steps} warm-up, {len(measurement.step_times_s)} timed "
                 f"({measurement.timer}); step_time_s is the median; step times (s): {times}.")
    parts.append(f"tokens_per_s_per_gpu = global_batch_size*seq_len/(step_time_s*num_gpus) = "
                 f"{tokens_per_step}/(step_time_s*{measurement.num_gpus}).")
    parts.append("Peaks: torch.cuda.max_memory_allocated/max_memory_reserved of rank 0 after "
                 "reset_peak_memory_stats at the end of the warm-up; peak_memory_gib "
                 "(device total) not measured.")
    if mfu is not None:
        parts.append(f"MFU {100 * mfu:.1f}% (pdcost flops_per_token, causal, over the preset's "
                     "dense peak).")
    return " ".join(parts)


def _torch_minor(version: str | None) -> str | None:
    """``"2.8.0a0+git..."`` → ``"2.8"``; None when not of that form."""
    match = re.match(r"^(\d+)\.(\d+)", version or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def record_settings(config: BenchConfig, measurement: Measurement) -> dict[str, Any]:
    """The record's ``settings`` object: every key of the library's settings table, with
    what the harness's loop fixes (see harness.py) and null for what it does not decide."""
    from ..settings import settings_fields
    stated: dict[str, Any] = {
        "tp_comm_overlap": False,          # DTensor TP without AsyncTP
        "cuda_graphs": False,
        "torch_compile": bool(config.compile),
        "attention_backend": "flash",      # F.scaled_dot_product_attention's flash backend
        "optimizer": "adam",               # torch.optim.AdamW(fused=True)
        "te_cross_entropy": False,
        "deterministic": False,
        "activation_offload_layers": 0,
        "torch_version": _torch_minor(measurement.environment.get("torch")),
    }
    return {row["key"]: stated.get(row["key"]) for row in settings_fields()}


def build_record(config: BenchConfig, model: ModelConfig, measurement: Measurement) -> dict[str, Any]:
    """One measured-runs record (SCHEMA.md) from a run's settings and measurements."""
    if not measurement.step_times_s:
        raise ValueError("build_record: no timed steps")
    if any(not (t > 0) for t in measurement.step_times_s):
        raise ValueError(f"build_record: step times must be > 0, got {list(measurement.step_times_s)}")
    step = measurement.step_time_s
    gpu = gpu_preset_name(measurement.gpu_name)
    train = config.mode == "train"
    # Inference: one forward of micro_batch_size sequences per data-parallel rank.
    sequences = config.global_batch_size if train else config.micro_batch_size * config.dp
    tokens_per_step = sequences * config.seq_len
    tokens_per_gpu = tokens_per_step / (step * measurement.num_gpus)

    mfu: float | None = None
    try:
        flops = model.flops_per_token(config.seq_len)
        peak = GPUSpec.from_name(gpu).peak_tflops("float16" if config.dtype == "fp16" else "bfloat16")
        if peak > 0:
            per_token = flops.training if train else flops.forward
            mfu = per_token * tokens_per_gpu / (peak * 1e12)
    except (NotFoundError, ValueError):
        mfu = None

    def gib(value: int | None) -> float | None:
        return None if value is None else round(value / GIB, 4)

    date = measurement.date or _dt.date.today().isoformat()
    from .. import __version__

    return {
        "id": record_id(config, model.name, gpu, measurement.num_gpus),
        "source": f"pdcost.bench@{__version__} measured run, {date}",
        "kind": "training" if train else "inference",
        "model": model_fields(model),
        "hardware": {"gpu": gpu, "num_gpus": measurement.num_gpus,
                     "gpus_per_node": measurement.gpus_per_node},
        "parallel": {"tp": config.tp, "pp": 1, "vpp": 1, "dp": config.dp, "cp": 1, "ep": 1,
                     "etp": None, "sequence_parallel": False,
                     "zero_stage": 3 if config.fsdp else 0, "fsdp": config.fsdp},
        "training": {"seq_len": config.seq_len, "micro_batch_size": config.micro_batch_size,
                     "global_batch_size": sequences, "dtype": config.dtype,
                     "recompute": config.recompute,
                     "recompute_num_layers": (model.num_hidden_layers
                                              if config.recompute == "full" else None),
                     "recompute_modules": None},
        "framework": FRAMEWORK,
        "settings": record_settings(config, measurement),
        "measured": {"tokens_per_s_per_gpu": round(tokens_per_gpu, 3),
                     "step_time_s": round(step, 6),
                     "peak_allocated_gib": gib(measurement.peak_allocated_bytes),
                     "peak_reserved_gib": gib(measurement.peak_reserved_bytes),
                     "peak_memory_gib": None},
        "derived_fields": ["measured.tokens_per_s_per_gpu"],
        "complete": True,
        "notes": _notes(config, measurement, mfu=mfu, tokens_per_step=tokens_per_step),
    }


def schema_problems(record: Mapping[str, Any]) -> list[str]:
    """What keeps ``record`` from following SCHEMA.md: missing keys, wrong kinds; [] if none."""
    problems: list[str] = []
    if not isinstance(record, Mapping):
        return [f"record is {type(record).__name__}, not an object"]
    for section, keys in REQUIRED_FIELDS.items():
        where = record if not section else record.get(section)
        if section and not isinstance(where, Mapping):
            problems.append(f"{section}: missing or not an object")
            continue
        assert isinstance(where, Mapping)
        for key in keys:
            if key not in where:
                problems.append(f"{section + '.' if section else ''}{key}: missing")
    if isinstance(record.get("id"), str) is False:
        problems.append("id: must be a string")
    if record.get("kind") not in ("training", "inference"):
        problems.append(f"kind={record.get('kind')!r}: must be 'training' or 'inference'")
    training = record.get("training")
    if isinstance(training, Mapping):
        if training.get("dtype") not in ("fp16", "bf16", "fp8"):
            problems.append(f"training.dtype={training.get('dtype')!r}: must be fp16, bf16 or fp8")
        if training.get("recompute") not in ("none", "selective", "full", None):
            problems.append(f"training.recompute={training.get('recompute')!r}")
    measured = record.get("measured")
    if isinstance(measured, Mapping):
        for key in REQUIRED_FIELDS["measured"]:
            value = measured.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or value < 0):
                problems.append(f"measured.{key}={value!r}: must be a number >= 0 or null")
    derived = record.get("derived_fields")
    if not isinstance(derived, list) or not all(isinstance(d, str) for d in derived):
        problems.append("derived_fields: must be a list of strings")
    if not isinstance(record.get("complete"), bool):
        problems.append("complete: must be true or false")
    return problems


def runs_document(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"schema": "pdcost.runs/1", "runs": [...]}``; ids must be unique."""
    runs = [dict(r) for r in records]
    seen: set[str] = set()
    for r in runs:
        if r["id"] in seen:
            raise ValueError(f"duplicate run id {r['id']!r}")
        seen.add(r["id"])
    return {"schema": SCHEMA, "runs": runs}


def write_runs_file(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]]) -> None:
    """Writes a measured-runs file atomically (a partial grid survives a killed process)."""
    text = json.dumps(runs_document(records), indent=2) + "\n"
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".runs-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def read_runs_file(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The records of a measured-runs file ([] when it does not exist)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not str(data.get("schema", "")).startswith("pdcost.runs/"):
        raise ValueError(f"{os.fspath(path)}: not a pdcost.runs/1 file")
    runs = data.get("runs")
    if not isinstance(runs, list):
        raise ValueError(f"{os.fspath(path)}: 'runs' is not a list")
    return runs
