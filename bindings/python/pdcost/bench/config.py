"""What one measured run is: :class:`BenchConfig`, and how its model is resolved.

The model comes from pdcost's own loader (:meth:`pdcost.ModelConfig.from_name` /
``from_json``), so the torch model the harness builds and the numbers pdcost predicts
describe the same architecture, and a real ``config.json`` works unchanged.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Union, get_args

from .. import _validate as check
from ..config import ModelConfig

__all__ = ["BenchConfig", "BENCH_MODELS", "resolve_model", "Mode", "BenchDtype", "Recompute"]

Mode = Literal["train", "inference"]
BenchDtype = Literal["bf16", "fp16"]
Recompute = Literal["none", "full", "selective"]
ModelSource = Union[str, "os.PathLike[str]", Mapping[str, Any], ModelConfig]

#: Small real models that fit one 80 GB GPU for training with AdamW, as their Hugging Face
#: config.json files state them (the fields that matter). Sources: the config.json of
#: Qwen/Qwen2.5-0.5B, Qwen/Qwen2.5-1.5B, Qwen/Qwen3-0.6B, Qwen/Qwen3-1.7B and
#: meta-llama/Llama-3.2-1B on the Hugging Face Hub.
BENCH_MODELS: dict[str, dict[str, Any]] = {
    "qwen2.5-0.5b": {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
        "intermediate_size": 4864, "num_attention_heads": 14, "num_key_value_heads": 2,
        "num_hidden_layers": 24, "vocab_size": 151936, "tie_word_embeddings": True,
        "hidden_act": "silu", "max_position_embeddings": 32768},
    "qwen2.5-1.5b": {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 1536,
        "intermediate_size": 8960, "num_attention_heads": 12, "num_key_value_heads": 2,
        "num_hidden_layers": 28, "vocab_size": 151936, "tie_word_embeddings": True,
        "hidden_act": "silu", "max_position_embeddings": 131072},
    "qwen3-0.6b": {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 1024,
        "intermediate_size": 3072, "num_attention_heads": 16, "num_key_value_heads": 8,
        "head_dim": 128, "num_hidden_layers": 28, "vocab_size": 151936,
        "tie_word_embeddings": True, "hidden_act": "silu", "max_position_embeddings": 40960},
    "qwen3-1.7b": {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 2048,
        "intermediate_size": 6144, "num_attention_heads": 16, "num_key_value_heads": 8,
        "head_dim": 128, "num_hidden_layers": 28, "vocab_size": 151936,
        "tie_word_embeddings": True, "hidden_act": "silu", "max_position_embeddings": 40960},
    "llama3.2-1b": {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048,
        "intermediate_size": 8192, "num_attention_heads": 32, "num_key_value_heads": 8,
        "head_dim": 64, "num_hidden_layers": 16, "vocab_size": 128256,
        "tie_word_embeddings": True, "hidden_act": "silu", "max_position_embeddings": 131072},
}


@dataclass(kw_only=True, slots=True)
class BenchConfig:
    """One run to measure: the model, the batch, the precision and the parallel plan.

    ``tp × dp`` processes are needed (launch with ``torchrun --nproc-per-node tp*dp`` when it
    is more than one). The global batch is ``micro_batch_size × gradient_accumulation_steps
    × dp`` sequences of ``seq_len`` tokens.
    """

    model: ModelSource
    """A pdcost preset (``llama3-8b``), a bench model (:data:`BENCH_MODELS`), a path to a
    Hugging Face config.json, a config dict, or a :class:`~pdcost.ModelConfig`."""
    num_layers: int | None = None
    """Override ``num_hidden_layers`` (a short version of a big model that fits one GPU)."""
    seq_len: int = 2048
    micro_batch_size: int = 1
    gradient_accumulation_steps: int = 1
    steps: int = 10
    """Timed optimizer steps (train) or forward passes (inference)."""
    warmup_steps: int = 3
    """Untimed steps first (allocator growth, cuBLAS heuristics, optimizer state creation)."""
    dtype: BenchDtype = "bf16"
    recompute: Recompute = "none"
    """Activation recomputation: ``full`` checkpoints every decoder layer; ``selective`` is
    torchtitan's op-level policy (saves matmul and attention outputs, recomputes the rest
    and every second matmul)."""
    tp: int = 1
    dp: int = 1
    fsdp: bool = False
    """Data parallelism by FSDP2 full sharding (ZeRO-3) instead of DDP."""
    mode: Mode = "train"
    optimizer: Literal["adamw"] = "adamw"
    compile: bool = False
    """Wrap each decoder layer in ``torch.compile`` (Inductor)."""
    device: Literal["cuda", "cpu"] = "cuda"
    """``cpu`` runs the loop on the CPU (a smoke test of the code, not a measurement)."""
    seed: int = 0
    name: str | None = None
    """Record id; default: derived from the settings."""

    def __post_init__(self) -> None:
        if not isinstance(self.model, (str, os.PathLike, Mapping, ModelConfig)):
            raise TypeError("BenchConfig.model must be a preset name, a path, a dict or a "
                            f"ModelConfig, not {type(self.model).__name__}")
        check.integer(self, "num_layers", minimum=1, optional=True)
        for name in ("seq_len", "micro_batch_size", "gradient_accumulation_steps", "steps",
                     "tp", "dp"):
            check.integer(self, name, minimum=1)
        check.integer(self, "warmup_steps", minimum=0)
        check.integer(self, "seed", minimum=0)
        check.choice(self, "dtype", get_args(BenchDtype))
        check.choice(self, "recompute", get_args(Recompute))
        check.choice(self, "mode", get_args(Mode))
        check.choice(self, "optimizer", ("adamw",))
        check.choice(self, "device", ("cuda", "cpu"))
        check.boolean(self, "fsdp")
        check.boolean(self, "compile")
        check.string(self, "name", optional=True, nonempty=True)
        if self.mode == "inference" and (self.recompute != "none" or self.fsdp or self.dp > 1
                                         or self.gradient_accumulation_steps > 1):
            raise ValueError("BenchConfig: inference runs take recompute='none', fsdp=False, "
                             "dp=1 and gradient_accumulation_steps=1")
        if self.fsdp and self.dp == 1:
            raise ValueError("BenchConfig.fsdp=True needs dp >= 2 (nothing to shard over)")

    @property
    def world_size(self) -> int:
        """Processes (GPUs) the run occupies: tp × dp."""
        return self.tp * self.dp

    @property
    def global_batch_size(self) -> int:
        """Sequences per optimizer step over all data-parallel ranks."""
        return self.micro_batch_size * self.gradient_accumulation_steps * self.dp

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain data (the model as its name or path)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        model = data["model"]
        if isinstance(model, ModelConfig):
            data["model"] = model.name
        elif isinstance(model, os.PathLike):
            data["model"] = os.fspath(model)
        elif isinstance(model, Mapping):
            data["model"] = str(model.get("name") or model.get("_name_or_path") or "custom")
        return data


def resolve_model(config: BenchConfig) -> ModelConfig:
    """The fully resolved pdcost model of a run (layer override applied)."""
    source = config.model
    if isinstance(source, ModelConfig):
        model = source.resolved()
    elif isinstance(source, Mapping):
        model = ModelConfig.from_json(source)
    elif isinstance(source, str) and source.lower() in BENCH_MODELS:
        model = ModelConfig.from_json(BENCH_MODELS[source.lower()])
        object.__setattr__(model, "name", source.lower())
    elif isinstance(source, str) and not os.path.exists(source) and not source.endswith(".json"):
        model = ModelConfig.from_name(source)
    else:
        model = ModelConfig.from_json(source)
    if config.num_layers is not None and config.num_layers != model.num_hidden_layers:
        data = model.to_dict()
        data["num_hidden_layers"] = config.num_layers
        data["name"] = f"{model.name} ({config.num_layers} layers)"
        model = ModelConfig.from_dict(data).resolved()
        object.__setattr__(model, "name", data["name"])
    return model
