"""pdcost's configuration objects: the model, the GPU, the cluster, the training run and the
parallel plan.

All are ``@dataclass(kw_only=True, slots=True, frozen=True)`` values with a docstring under
each field, ``Literal[...]`` types for string choices and validation in ``__post_init__`` (a
wrong type raises :class:`TypeError`, a value out of range :class:`ValueError`; both name the
field and the value, and bounded sizes quote the library's limits table,
``TrainingConfig.sequence_length=0 must be in [1, 2^31]``). Being frozen, a config cannot be
changed behind its validation: ``p.tp = 0`` raises :class:`dataclasses.FrozenInstanceError`
naming the field; ``dataclasses.replace(p, tp=2)`` builds a changed copy and validates it.
Each round-trips through ``to_dict``/``from_dict`` and ``to_json``/``from_json``.

:class:`ModelConfig` uses Hugging Face ``config.json`` field names. Reading a config.json and
analysing the model (parameter counts, FLOPs) is done by the native library, so Python and C
users get the same numbers; the dataclass holds the library's canonical fields.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Mapping, TypeVar, Union, get_args

from . import _native
from . import _validate as check
from ._files import read_regular_file

__all__ = [
    "ModelConfig",
    "FlopsPerToken",
    "GPUSpec",
    "HardwareConfig",
    "TrainingConfig",
    "ParallelConfig",
    "MLPType",
    "NormType",
    "Dtype",
    "Sharding",
    "RecomputeGranularity",
    "Framework",
    "Optimizer",
]

MLPType = Literal["gated", "plain"]
"""Feed-forward shape: ``gated`` = gate/up/down projections (SwiGLU, 3·h·f weights);
``plain`` = up/down projections (GPT-2 GeLU, 2·h·f weights)."""

NormType = Literal["rmsnorm", "layernorm"]
CheckpointPrecision = Literal["fp8", "mxfp4", "nvfp4", "int4"]
"""The weight format a checkpoint ships in (its config.json ``quantization_config``)."""

# checkpoint_precision ↔ the canonical ``quantization_config`` the library writes and reads
# (Sources/PDCost/Model/QuantizationReader.swift, `config(for:)`).
_QUANTIZATION_CONFIG: dict[str, dict[str, Any]] = {
    "fp8": {"quant_method": "fp8"},
    "mxfp4": {"quant_method": "mxfp4"},
    "nvfp4": {"quant_method": "modelopt", "quant_algo": "NVFP4"},
    "int4": {"quant_method": "awq", "bits": 4},
}
"""Normalisation: RMSNorm (a scale vector) or LayerNorm (a scale and a bias vector)."""

Dtype = Literal["bfloat16", "float16", "float32", "fp8"]
"""Compute precision of the training run."""

Sharding = Literal["none", "stage1", "stage2", "stage3"]
"""ZeRO stage over the data-parallel group: none; optimizer states (stage1); plus gradients
(stage2); plus parameters (stage3)."""

RecomputeGranularity = Literal["none", "selective", "full"]
"""Activation recomputation: none; selective (attention core, Korthikanti et al. 2022); full
(every layer's forward is recomputed in the backward pass)."""

Framework = Literal["megatron", "nemo", "megatron-bridge", "torchtitan", "deepspeed",
                   "paddleformers", "automodel", "hf-trainer"]
"""Training framework profile: which buffers exist, what overlaps, how the allocator behaves."""

Optimizer = Literal["adamw", "adam", "sgd", "adamw_8bit", "paged_adamw", "paged_adamw_8bit"]
"""Optimizer (Adam/AdamW keep fp32 master weights and two moments; SGD momentum only)."""

Method = Literal["pretrain", "sft", "lora", "qlora"]
"""What is trained: every parameter (pretrain, sft), or low-rank adapters on a frozen base
(lora: Hu et al. 2021; qlora: over a 4-bit NF4 base, Dettmers et al. 2023)."""

#: Linear layers LoRA adapters can target (Megatron names) and their pdcost.h PDCOST_LORA_* bits.
LORA_TARGETS = {"linear_qkv": 1, "linear_proj": 2, "linear_fc1": 4, "linear_fc2": 8}
# Megatron-Core `recompute_modules` names → pdcost.h PDCOST_RECOMPUTE_MODULE_* bits.
RECOMPUTE_MODULES = {"core_attn": 1, "mla_up_proj": 2, "moe_act": 4, "mlp": 8, "layernorm": 16,
                     "moe": 32, "shared_experts": 64}

PathOrJSON = Union[str, bytes, "os.PathLike[str]", Mapping[str, Any]]

_C = TypeVar("_C", bound="_Config")

#: Bytes per GiB: `memory_gb` fields are in GiB, as nvidia-smi and torch report memory.
GIB = float(1 << 30)
#: TFLOP/s and GB/s are decimal (datasheet) units.
TERA = 1e12
GIGA = 1e9


# ------------------------------------------------------------------------------------------------
# Shared round-trip plumbing
# ------------------------------------------------------------------------------------------------


_FIELDS: dict[type, tuple[dataclasses.Field[Any], ...]] = {}


def _public_fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    """The dataclass fields of a config class that are API (not underscore-prefixed); cached."""
    fields = _FIELDS.get(cls)
    if fields is None:
        every = dataclasses.fields(cls)
        fields = _FIELDS[cls] = tuple(f for f in every if not f.name.startswith("_"))
    return fields


class _Config:
    """to_dict/from_dict/to_json/from_json for the config dataclasses (no state of its own)."""

    __slots__ = ()

    @classmethod
    def _public_fields(cls) -> tuple[dataclasses.Field[Any], ...]:
        return _public_fields(cls)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (nested configs as dicts), suitable for JSON."""
        result: dict[str, Any] = {}
        for f in self._public_fields():
            value = getattr(self, f.name)
            result[f.name] = value.to_dict() if isinstance(value, _Config) else value
        return result

    def to_json(self, *, indent: int | None = 2) -> str:
        """``to_dict()`` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls: type[_C], data: Mapping[str, Any]) -> _C:
        """Builds the config from a dict of its fields (as written by ``to_dict``).

        Unknown keys and missing required fields raise :class:`ValueError` naming them.
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"{cls.__name__}.from_dict expects a mapping, not {type(data).__name__}")
        names = {f.name for f in cls._public_fields()}
        unknown = sorted(str(k) for k in data if k not in names)
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown field(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(sorted(names))}")
        missing = [f.name for f in cls._public_fields()
                   if f.init and f.name not in data
                   and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ValueError(f"{cls.__name__}: missing required field(s) "
                             + ", ".join(repr(m) for m in missing))
        return cls(**data)

    @classmethod
    def from_json(cls: type[_C], source: PathOrJSON) -> _C:
        """Builds the config from JSON text, a path to a JSON file, or a dict (``from_dict``)."""
        return cls.from_dict(_load_json_object(source, cls.__name__))


def _frozen(cls: type[_C]) -> type[_C]:
    """Applied over ``@dataclass(frozen=True, slots=True)``: every assignment and deletion
    raises :class:`dataclasses.FrozenInstanceError` (an ``AttributeError``) naming the field.
    The generated ``__setattr__`` of a frozen slotted dataclass calls ``super(cls, self)``,
    which on Python 3.11 raises ``TypeError`` for a name that is not a field (the slotted class
    is a new class object); this one never does. Construction writes fields with
    ``object.__setattr__``, as a frozen dataclass's own ``__init__`` does."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]

    def __setattr__(self: Any, name: str, value: Any) -> None:
        what = f"field {name!r}" if name in names else f"{name!r}: {cls.__name__} has no such field"
        raise dataclasses.FrozenInstanceError(
            f"cannot assign to {what} (configs are frozen; use dataclasses.replace)")

    def __delattr__(self: Any, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    cls.__setattr__ = __setattr__  # type: ignore[method-assign,assignment]
    cls.__delattr__ = __delattr__  # type: ignore[method-assign,assignment]
    return cls


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}; every key may appear once in an object")
        seen[key] = value
    return seen


def loads_strict(text: str | bytes) -> Any:
    """``json.loads`` as the library reads JSON: a key repeated within an object and the
    non-JSON constants NaN/Infinity are errors (``ValueError``; ``json.JSONDecodeError`` for
    syntax, with its line and column). Python's json would keep the last of two keys and the
    library's decoder the first, so neither is allowed (pdcost.h, "JSON input")."""
    return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _load_json_object(source: PathOrJSON, what: str) -> Mapping[str, Any]:
    from .errors import ParseError

    if isinstance(source, Mapping):
        return source
    if isinstance(source, (bytes, bytearray)):
        text = bytes(source).decode("utf-8")
    elif isinstance(source, str) and _looks_like_json(source):
        text = source
    elif isinstance(source, (str, os.PathLike)):
        text = read_regular_file(source).decode("utf-8")
    else:
        raise TypeError(f"{what}.from_json expects JSON text, a path or a dict, "
                        f"not {type(source).__name__}")
    try:
        data = loads_strict(text)
    except ValueError as error:  # json.JSONDecodeError included
        raise ParseError(f"{what}: invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ParseError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


# ------------------------------------------------------------------------------------------------
# ModelConfig
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlopsPerToken:
    """Floating-point operations per token of one sequence (``ModelConfig.flops_per_token``).

    Convention (Kaplan et al. 2020 §2.1; Narayanan et al. 2021 §5.1): a matmul with an m×n
    weight costs 2·m·n FLOPs per token forward (routed experts: top-k only; the LM head
    included, the embedding lookup not); the backward pass costs twice the forward, so
    ``training = 3 · forward``. The attention core (QKᵀ and scores·V) is counted at
    ``seq_len``: with ``causal=True`` (the default) at half the full s×s product, as a
    FlashAttention kernel skips the masked half; with ``causal=False`` the full product, which
    gives the familiar ``12·L·s·d_attn`` training term of Narayanan et al. Norms, softmax and
    activations are not counted. Multi-token-prediction blocks are not counted.
    """

    seq_len: int
    """Sequence length the attention term was computed at."""
    causal: bool
    """True: causal mask, attention core halved. False: full s×s product."""
    matmul_parameters: int
    """Weights one token multiplies with (routed experts: top-k only; LM head included)."""
    matmul_forward: float
    """Forward FLOPs of the weight matmuls: 2 · matmul_parameters."""
    attention_forward: float
    """Forward FLOPs of the attention core at this length and mask."""
    forward: float
    """matmul_forward + attention_forward."""
    training: float
    """Forward plus backward, 3 · forward: the model FLOPs of MFU (no recomputation)."""


def _infer_model_type(cfg: ModelConfig) -> str:
    """The architecture a hand-built config stands for when it names none."""
    if cfg.kv_lora_rank is not None:
        return "deepseek_v3"
    if cfg.num_experts is not None:
        return "qwen3_moe"
    return "llama"


@_frozen
@dataclass(kw_only=True, slots=True, frozen=True)
class ModelConfig(_Config):
    """A decoder-only transformer, under Hugging Face ``config.json`` field names.

    Build one from a preset (:meth:`from_name`), a Hugging Face config.json
    (:meth:`from_json`), or field by field. Optional fields left at ``None`` take the value
    the architecture (``model_type``) implies, exactly as the library resolves a config.json;
    configs from :meth:`from_name`/:meth:`from_json` have every field resolved, and
    :meth:`resolved` resolves a hand-built one.

    The analysis methods (:meth:`num_parameters`, :meth:`parameter_breakdown`,
    :meth:`flops_per_token` ...) run in the native library on a model handle that the config
    builds on first use and keeps (the config is frozen: ``dataclasses.replace`` makes a
    changed copy with its own handle).
    """

    # -- identity ---------------------------------------------------------------------------
    name: str = "custom"
    """Display name (the preset name, or the config's ``_name_or_path``)."""
    model_type: str | None = None
    """Hugging Face ``model_type`` (``llama``, ``qwen3_moe``, ``deepseek_v3``, ``gpt2`` ...). It
    selects the architecture's implicit choices. ``None``: ``deepseek_v3`` if ``kv_lora_rank`` is
    set, ``qwen3_moe`` if ``num_experts`` is set, else ``llama``."""

    # -- shape ------------------------------------------------------------------------------
    num_hidden_layers: int
    """Decoder blocks (not counting multi-token-prediction blocks)."""
    hidden_size: int
    """Model width d_model."""
    intermediate_size: int | None = None
    """FFN width of the dense layers (Mixtral: of each expert)."""
    num_attention_heads: int
    """Query heads."""
    num_key_value_heads: int | None = None
    """Key/value heads: = heads for MHA, 1 for MQA, in between for GQA. ``None``: = heads."""
    head_dim: int | None = None
    """Per-head width of q, k and v. ``None``: hidden_size // num_attention_heads."""
    vocab_size: int
    """Vocabulary size (embedding and LM-head rows)."""
    tie_word_embeddings: bool | None = None
    """The LM head reuses the input embedding. ``None``: the architecture's default."""
    hidden_act: str | None = None
    """Activation of the MLP (``silu`` for gated MLPs; ``gelu``...)."""
    max_position_embeddings: int | None = None
    """Longest context the model was built for (informational)."""
    n_positions: int | None = None
    """Rows of a learned absolute position-embedding table (GPT-2); ``None`` for RoPE models."""

    # -- pdcost's explicit keys (None: the architecture's default) -----------------------------
    mlp_type: MLPType | None = None
    """Feed-forward shape: ``gated`` (SwiGLU) or ``plain`` (GeLU, GPT-2)."""
    norm_type: NormType | None = None
    """``rmsnorm`` or ``layernorm``."""
    qkv_bias: bool | None = None
    """Bias on the q, k and v projections (Qwen2, GPT-2)."""
    attention_out_bias: bool | None = None
    """Bias on the attention output projection (GPT-2)."""
    mlp_bias: bool | None = None
    """Bias on the MLP projections (GPT-2)."""
    qk_norm: bool | None = None
    """Per-head RMSNorm on q and k (Qwen3)."""

    # -- mixture of experts (all None for a dense model) ----------------------------------------
    num_experts: int | None = None
    """Routed experts per MoE layer (HF: num_experts / n_routed_experts / num_local_experts)."""
    num_experts_per_tok: int | None = None
    """Routed experts each token visits (top-k)."""
    moe_intermediate_size: int | None = None
    """FFN width of one routed expert."""
    moe_latent_size: int | None = None
    """LatentMoE (Nemotron 3): the routed experts read and write this width; tokens are
    projected down before the dispatch and back up after the combine. None: the hidden size."""
    n_shared_experts: int | None = None
    """Experts every token visits (DeepSeekMoE)."""
    shared_expert_intermediate_size: int | None = None
    """Total FFN width of the shared experts together."""
    first_k_dense_replace: int | None = None
    """Leading blocks that keep a dense FFN."""
    moe_layer_freq: int | None = None
    """Every k-th block after the dense ones is MoE (Qwen: decoder_sparse_step)."""
    topk_method: str | None = None
    """DeepSeek router: ``noaux_tc`` has a learned per-expert bias, ``greedy`` none."""
    n_group: int | None = None
    """Group-limited routing (DeepSeek-V2/V3): expert groups per MoE layer."""
    topk_group: int | None = None
    """Groups each token's experts are drawn from (at most ``n_group``)."""

    # -- multi-head latent attention (DeepSeek-V2/V3; all None otherwise) ----------------------
    q_lora_rank: int | None = None
    """Rank of the query compression; 0 means queries are projected directly."""
    kv_lora_rank: int | None = None
    """Rank of the joint key/value latent."""
    qk_nope_head_dim: int | None = None
    """Per-head q/k width without rotary embedding."""
    qk_rope_head_dim: int | None = None
    """Per-head q/k width with rotary embedding."""
    v_head_dim: int | None = None
    """Per-head value width."""
    num_nextn_predict_layers: int | None = None
    """Multi-token-prediction blocks (DeepSeek-V3); not counted in the totals."""

    # -- checkpoint ---------------------------------------------------------------------------
    checkpoint_precision: CheckpointPrecision | None = None
    """The weight format the checkpoint ships in, from its ``quantization_config`` (``fp8``,
    ``mxfp4``, ``nvfp4``, ``int4``); ``None`` when unquantised or not stated. Informational: the
    serving deployment's weight precision is set on the deployment."""

    # -- private ----------------------------------------------------------------------------
    _native_model: Any = field(default=None, init=False, repr=False, compare=False)
    """The native model handle built from these fields (on first use)."""

    _POSITIVE: ClassVar[tuple[str, ...]] = (
        "num_hidden_layers", "hidden_size", "num_attention_heads", "vocab_size")
    _OPTIONAL_POSITIVE: ClassVar[tuple[str, ...]] = (
        "num_key_value_heads", "head_dim", "num_experts", "num_experts_per_tok",
        "moe_intermediate_size", "moe_latent_size", "moe_layer_freq", "kv_lora_rank",
        "qk_rope_head_dim", "v_head_dim")
    _OPTIONAL_COUNT: ClassVar[tuple[str, ...]] = (
        "intermediate_size", "max_position_embeddings", "n_positions", "n_shared_experts",
        "shared_expert_intermediate_size", "first_k_dense_replace", "q_lora_rank",
        "qk_nope_head_dim", "num_nextn_predict_layers", "n_group", "topk_group")
    _OPTIONAL_BOOL: ClassVar[tuple[str, ...]] = (
        "tie_word_embeddings", "qkv_bias", "attention_out_bias", "mlp_bias", "qk_norm")
    # Limits-table entry of each bounded field (the rest: "model_dimension").
    _LIMIT: ClassVar[dict[str, str]] = {
        "num_hidden_layers": "num_hidden_layers", "hidden_size": "hidden_size",
        "num_attention_heads": "num_attention_heads", "num_key_value_heads": "num_attention_heads",
        "vocab_size": "vocab_size", "num_experts": "num_experts",
        "num_experts_per_tok": "num_experts"}
    # Keys of the library's canonical JSON that this class folds into another field.
    _CANONICAL_ALIASES: ClassVar[dict[str, str]] = {"decoder_sparse_step": "moe_layer_freq",
                                                    "quantization_config": "checkpoint_precision"}

    def __post_init__(self) -> None:
        check.string(self, "name")
        check.string(self, "model_type", optional=True, nonempty=True)
        for name in self._POSITIVE:
            check.integer(self, name, minimum=1, limit=self._LIMIT.get(name, "model_dimension"))
        for name in self._OPTIONAL_POSITIVE:
            check.integer(self, name, minimum=1, optional=True,
                          limit=self._LIMIT.get(name, "model_dimension"))
        for name in self._OPTIONAL_COUNT:
            check.integer(self, name, minimum=0, optional=True, limit="model_dimension")
        for name in self._OPTIONAL_BOOL:
            check.boolean(self, name, optional=True)
        check.string(self, "hidden_act", optional=True, nonempty=True)
        check.string(self, "topk_method", optional=True, nonempty=True)
        check.choice(self, "mlp_type", get_args(MLPType), optional=True)
        check.choice(self, "norm_type", get_args(NormType), optional=True)
        check.choice(self, "checkpoint_precision", get_args(CheckpointPrecision), optional=True)
        if (self.num_experts is not None and self.num_experts_per_tok is not None
                and self.num_experts_per_tok > self.num_experts):
            raise ValueError(f"ModelConfig.num_experts_per_tok={self.num_experts_per_tok} must be "
                             f"<= num_experts={self.num_experts}")

    def __getstate__(self) -> dict[str, Any]:  # pickle/copy without the native handle
        return {f.name: getattr(self, f.name) for f in self._public_fields()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_native_model", None)

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_name(cls, name: str) -> ModelConfig:
        """A built-in preset, e.g. ``"qwen3-30b-a3b"``, ``"llama3-70b"``, ``"deepseek-v3"``.

        Unknown names raise :class:`~pdcost.errors.NotFoundError` (a ``LookupError`` and a
        ``ValueError``) whose message lists the presets; :meth:`presets` returns them.
        """
        return cls._from_native(_native.model_from_preset(name))

    @classmethod
    def from_json(cls, source: PathOrJSON) -> ModelConfig:
        """A model from a Hugging Face ``config.json``, or pdcost's canonical model JSON.

        ``source`` is a path (``str`` or ``os.PathLike``), JSON text (a ``str`` starting with
        ``{``, or ``bytes``), or an already parsed ``dict``. The library reads it, so Python and
        C agree on every default: unknown ``architectures`` raise
        :class:`~pdcost.errors.UnsupportedError`, a missing required field
        :class:`~pdcost.errors.InvalidArgumentError` naming it, malformed JSON
        :class:`~pdcost.errors.ParseError`, an unreadable file
        :class:`~pdcost.errors.PDCostIOError` (an ``OSError``).
        """
        if isinstance(source, Mapping):
            # Hugging Face writes non-finite floats as Infinity/NaN (Nemotron-H time_step_limit);
            # the library reads them as null, as it does in a file.
            handle = _native.model_from_json(json.dumps(dict(source)))
        elif isinstance(source, (bytes, bytearray, memoryview)):
            handle = _native.model_from_json(bytes(source))
        elif isinstance(source, str) and _looks_like_json(source):
            handle = _native.model_from_json(source)
        elif isinstance(source, (str, os.PathLike)):
            config = cls._from_native(_native.model_from_file(source))
            if config.name == config.model_type:
                # The file names no model: call it after its directory (…/Llama-3-8B/config.json)
                # or its file name, as Hugging Face's `_name_or_path` would.
                path = os.path.abspath(os.fspath(source))
                stem = os.path.splitext(os.path.basename(path))[0]
                label = os.path.basename(os.path.dirname(path)) if stem == "config" else stem
                object.__setattr__(config, "name", label or config.name)
            return config
        else:
            raise TypeError("ModelConfig.from_json expects a path, JSON text or a dict, "
                            f"not {type(source).__name__}")
        return cls._from_native(handle)

    @classmethod
    def _from_native(cls, handle: _native.Model) -> ModelConfig:
        canonical = json.loads(handle.to_json())
        quantization = canonical.pop("quantization_config", None)
        if quantization is not None:
            canonical["checkpoint_precision"] = next(
                (name for name, q in _QUANTIZATION_CONFIG.items()
                 if all(quantization.get(k) == v for k, v in q.items())), None)
        for alias, target in cls._CANONICAL_ALIASES.items():
            value = canonical.pop(alias, None)
            if target not in canonical and value is not None:
                canonical[target] = value
        config = cls(**{f.name: canonical[f.name] for f in cls._public_fields()
                        if f.name in canonical})
        # The handle the library built from the source itself, so nothing is lost even if a
        # newer library writes canonical keys this class does not know yet.
        object.__setattr__(config, "_native_model", handle)
        return config

    @staticmethod
    def presets() -> list[str]:
        """The names of the built-in model presets."""
        return list(json.loads(_native.model_preset_names()))

    def resolved(self) -> ModelConfig:
        """A copy with every ``None`` field replaced by the value the library resolves it to."""
        return type(self)._from_native(self._model())

    # -- the native model -------------------------------------------------------------------

    def _native_json(self) -> str:
        """This config as the library's canonical JSON (None fields left out)."""
        data = {k: v for k, v in self.to_dict().items() if v is not None}
        data.setdefault("model_type", _infer_model_type(self))
        precision = data.pop("checkpoint_precision", None)
        if precision is not None:
            data["quantization_config"] = _QUANTIZATION_CONFIG[precision]
        if "moe_layer_freq" in data:
            data["decoder_sparse_step"] = data["moe_layer_freq"]
        return json.dumps(data)

    def _model(self) -> _native.Model:
        handle: _native.Model | None = self._native_model
        if handle is None:
            handle = _native.model_from_json(self._native_json())
            object.__setattr__(self, "_native_model", handle)
        return handle

    # -- analysis ---------------------------------------------------------------------------

    def num_parameters(self) -> int:
        """All parameters of the main model (exact; multi-token-prediction blocks excluded,
        as published model sizes do)."""
        return self._model().param_counts()["total"]

    def num_active_parameters(self) -> int:
        """Parameters one token uses: for MoE models the top-k routed experts only (plus shared
        experts, router, attention, embeddings); equal to :meth:`num_parameters` for dense."""
        return self._model().param_counts()["active"]

    def parameter_breakdown(self) -> dict[str, int]:
        """Exact parameter counts per component, in a stable order: ``embedding``,
        ``position_embedding``, ``attention``, ``dense_mlp``, ``routed_experts``,
        ``shared_experts``, ``router``, ``norms``, ``lm_head`` (0 when tied), ``mtp``
        (multi-token-prediction blocks, not part of :meth:`num_parameters`) and
        ``moe_latent_projections`` (LatentMoE's h ↔ latent projections; 0 without). The
        components other than ``mtp`` sum to :meth:`num_parameters`."""
        counts = self._model().param_counts()
        del counts["total"], counts["active"]
        return counts

    def flops_per_token(self, seq_len: int = 8192, causal: bool = True) -> FlopsPerToken:
        """FLOPs per token for sequences of ``seq_len`` tokens (an int in the limits table's
        ``seq_len`` range, [1, 2^31]).

        ``causal=True`` (default) counts the attention core at half the full s×s product, as
        causal FlashAttention kernels compute it; ``causal=False`` counts the full product (the
        ``12·L·s·d_attn`` training term of Narayanan et al. 2021). Training = 3 × forward. See
        :class:`FlopsPerToken` for the conventions.
        """
        if not isinstance(causal, bool):
            raise TypeError(f"causal must be bool, not {type(causal).__name__} ({causal!r})")
        numbers = self._model().flops_per_token(seq_len, causal=causal)
        return FlopsPerToken(seq_len=int(seq_len), causal=causal, **numbers)

    def analysis(self, seq_len: int = 8192) -> dict[str, Any]:
        """The library's full analysis (config, parameters, FLOPs for both masks, warnings) as
        a dict."""
        result: dict[str, Any] = json.loads(self._model().analysis_json(seq_len))
        return result

    def warnings(self) -> list[str]:
        """The config keys the library read but could not price (unknown keys that may change
        cost, quantisation methods it does not know, vision encoders of multimodal
        checkpoints), one line each; empty for presets and fully priced configs."""
        return list(self.analysis(1).get("warnings", []))


# ------------------------------------------------------------------------------------------------
# Hardware
# ------------------------------------------------------------------------------------------------

# GPUSpec field ← (pdcost_gpu_spec field, scale from SI units).
_GPU_FIELDS: tuple[tuple[str, str, float], ...] = (
    ("memory_gb", "memory_bytes", GIB),
    ("fp32_tflops", "fp32_flops", TERA),
    ("tf32_tflops", "tf32_flops", TERA),
    ("fp16_tflops", "fp16_flops", TERA),
    ("bf16_tflops", "bf16_flops", TERA),
    ("fp8_tflops", "fp8_flops", TERA),
    ("hbm_gb_per_s", "hbm_bandwidth", GIGA),
    ("nvlink_gb_per_s", "nvlink_bandwidth", GIGA),
    ("network_gb_per_s", "network_bandwidth", GIGA),
    ("pcie_gb_per_s", "pcie_bandwidth", GIGA),
)

_DTYPE_PEAK: dict[str, str] = {
    "float32": "fp32_tflops", "float16": "fp16_tflops", "bfloat16": "bf16_tflops",
    "fp8": "fp8_tflops", "tf32": "tf32_tflops",
}


GPUArchitecture = Literal["volta", "ampere", "ada", "hopper", "blackwell", "blackwell_ultra"]

# GPUSpec.architecture ↔ the header's pdcost_gpu_architecture values (exported by _native).
_ARCHITECTURES: dict[str, int] = {
    "volta": _native.GPU_ARCH_VOLTA, "ampere": _native.GPU_ARCH_AMPERE,
    "ada": _native.GPU_ARCH_ADA, "hopper": _native.GPU_ARCH_HOPPER,
    "blackwell": _native.GPU_ARCH_BLACKWELL,
    "blackwell_ultra": _native.GPU_ARCH_BLACKWELL_ULTRA,
}
_ARCHITECTURE_NAMES: dict[int, str] = {value: name for name, value in _ARCHITECTURES.items()}


def _capability(flag: bool | None) -> int:
    if flag is None:
        return _native.GPU_CAPABILITY_UNKNOWN
    return _native.GPU_CAPABILITY_YES if flag else _native.GPU_CAPABILITY_NO


def _flag(capability: int) -> bool | None:
    if capability == _native.GPU_CAPABILITY_UNKNOWN:
        return None
    return capability == _native.GPU_CAPABILITY_YES


@dataclass(frozen=True, slots=True)
class FilledField:
    """One value :class:`GPUSpec` filled in because it was left unknown."""

    field: str
    """The GPUSpec field, e.g. ``"nvlink_gb_per_s"`` or ``"architecture"``."""
    value: float | str | bool
    """The value, in the field's units."""
    source: str
    """Where it came from, e.g. ``"preset H800-SXM-80GB"``."""


# pdcost_gpu_spec field → (GPUSpec field, scale from SI units): every number completion fills.
_FILLED_NAMES: dict[str, tuple[str, float]] = {
    **{theirs: (ours, scale) for ours, theirs, scale in _GPU_FIELDS},
    "tdp_watts": ("tdp_watts", 1.0), "gpus_per_node": ("gpus_per_node", 1.0),
    "architecture": ("architecture", 1.0), "supports_fp8": ("supports_fp8", 1.0),
    "supports_fp4": ("supports_fp4", 1.0),
}


def _python_field_names(message: str) -> str:
    """The library names a custom GPU's fields as ``in-><pdcost_gpu_spec field>``; the
    Python caller's are ``GPUSpec.<field>`` (``in->nvlink_bandwidth`` → ``GPUSpec.nvlink_gb_per_s``;
    unknown values are 0 in either unit)."""
    import re
    return re.sub(r"in->([a-z0-9_]+)",
                  lambda m: "GPUSpec." + _FILLED_NAMES.get(m.group(1), (m.group(1), 1.0))[0],
                  message)


@_frozen
@dataclass(kw_only=True, slots=True, frozen=True)
class GPUSpec(_Config):
    """One GPU model's numbers, dense peaks (no 2:4 sparsity), in friendly units.

    Presets come from the library (:meth:`from_name`, :meth:`presets`), each number with its
    datasheet source. A custom or measured GPU is built directly, e.g.
    ``GPUSpec(name="H800", memory_gb=79.6, bf16_tflops=788.0)``. Numbers left at 0 (and an
    architecture or capability left at ``None``) are unknown and are *completed* when the spec
    is built: from the preset the name matches (``"H800"`` → H800-SXM-80GB; ``"HGX-A100-80GB"``
    → the A100 family), else from the stated ``architecture``'s reference part (peaks scaled by
    the first stated peak). The numbers you state always win; :attr:`filled_in` lists every
    value that was filled and where from. A GPU that cannot be completed (no preset matches its
    name and no architecture is given) raises :class:`~pdcost.errors.InvalidArgumentError`
    naming the field.
    """

    name: str
    """Preset name or a label of your own."""
    architecture: GPUArchitecture | None = None
    """``volta``, ``ampere``, ``ada``, ``hopper``, ``blackwell`` or ``blackwell_ultra``: decides the default
    efficiencies (never the name). ``None``: taken from the preset the name matches."""
    supports_fp8: bool | None = None
    """FP8 tensor cores (Ada, Hopper, Blackwell). ``None``: the preset's / architecture's."""
    supports_fp4: bool | None = None
    """FP4 tensor cores (Blackwell, Blackwell Ultra). ``None``: the preset's / architecture's."""
    memory_gb: float = 0.0
    """HBM capacity in GiB (2**30 bytes), as nvidia-smi and torch report it (80 for an
    "80 GB" part)."""
    bf16_tflops: float = 0.0
    """Peak dense BF16 tensor-core TFLOP/s (1e12 FLOP/s)."""
    fp16_tflops: float = 0.0
    """Peak dense FP16 tensor-core TFLOP/s."""
    fp32_tflops: float = 0.0
    """Peak FP32 (non-tensor-core) TFLOP/s."""
    tf32_tflops: float = 0.0
    """Peak dense TF32 tensor-core TFLOP/s."""
    fp8_tflops: float = 0.0
    """Peak dense FP8 tensor-core TFLOP/s; 0 if the part has none."""
    hbm_gb_per_s: float = 0.0
    """HBM bandwidth, GB/s (1e9 bytes/s)."""
    nvlink_gb_per_s: float = 0.0
    """NVLink bandwidth per GPU, one direction, GB/s."""
    network_gb_per_s: float = 0.0
    """Scale-out network bandwidth per GPU (typical NIC), one direction, GB/s."""
    pcie_gb_per_s: float = 0.0
    """Host↔device bandwidth, one direction, GB/s."""
    tdp_watts: float = 0.0
    """Board power."""
    gpus_per_node: int = 0
    """GPUs in one NVLink domain of the usual system (8 for HGX/DGX; 72 for GB200 NVL72);
    0: the preset's / architecture's."""
    source: str = ""
    """Where the numbers come from (datasheet, measurement)."""
    _filled_in: tuple[FilledField, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check.string(self, "name", nonempty=True)
        for name, _, _ in _GPU_FIELDS:
            check.real(self, name)
        check.real(self, "tdp_watts")
        check.integer(self, "gpus_per_node", minimum=0, limit="gpus_per_node")  # 0: unknown
        check.string(self, "source")
        if self.architecture is not None and self.architecture not in _ARCHITECTURES:
            raise ValueError(f"GPUSpec.architecture={self.architecture!r} must be one of "
                             + ", ".join(map(repr, _ARCHITECTURES)) + " or None")
        for name in ("supports_fp8", "supports_fp4"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise TypeError(f"GPUSpec.{name} must be a bool or None, not "
                                f"{type(value).__name__} ({value!r})")
        self._complete()

    def _complete(self) -> None:
        """Fills the unknown values in place through the library (pdcost_gpu_complete); part
        of construction, so it writes the frozen fields with object.__setattr__."""
        from .errors import PDCostError
        numbers = tuple(float(getattr(self, ours)) * scale for ours, _, scale in _GPU_FIELDS)
        gpu = (self.name, *numbers, float(self.tdp_watts), int(self.gpus_per_node),
               _ARCHITECTURES.get(self.architecture or "", _native.GPU_ARCH_UNKNOWN),
               _capability(self.supports_fp8), _capability(self.supports_fp4))
        try:
            raw, filled_json = _native.gpu_complete(gpu)
        except PDCostError as error:
            raise type(error)(_python_field_names(str(error))) from None
        for ours, theirs, scale in _GPU_FIELDS:
            if getattr(self, ours) == 0:
                object.__setattr__(self, ours, raw[theirs] / scale)  # type: ignore[literal-required]
        if self.tdp_watts == 0:
            object.__setattr__(self, "tdp_watts", raw["tdp_watts"])
        if self.gpus_per_node == 0:
            object.__setattr__(self, "gpus_per_node", raw["gpus_per_node"])
        object.__setattr__(self, "architecture", _ARCHITECTURE_NAMES[raw["architecture"]])
        object.__setattr__(self, "supports_fp8", _flag(raw["supports_fp8"]))
        object.__setattr__(self, "supports_fp4", _flag(raw["supports_fp4"]))
        filled = []
        for entry in json.loads(filled_json):
            ours, scale = _FILLED_NAMES.get(entry["field"], (entry["field"], 1.0))
            value = entry["value"]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = value / scale if scale != 1.0 else value
            filled.append(FilledField(field=ours, value=value, source=entry["from"]))
        object.__setattr__(self, "_filled_in", tuple(filled))

    def _native_architecture(self) -> int:
        return _ARCHITECTURES.get(self.architecture or "", _native.GPU_ARCH_UNKNOWN)

    def _native_capability(self, name: str) -> int:
        return _capability(getattr(self, name))

    @property
    def filled_in(self) -> tuple[FilledField, ...]:
        """Every value completed because it was left unknown: (field, value, source), in field
        order; empty when everything was stated."""
        return self._filled_in

    def explain(self) -> list[tuple[str, Any, str]]:
        """Every field with its value and source: ``(field, value, "stated")`` or
        ``(field, value, "filled from <where>")``."""
        filled = {f.field: f for f in self._filled_in}
        rows: list[tuple[str, Any, str]] = []
        for f in self._public_fields():
            if f.name in ("name", "source"):
                continue
            entry = filled.get(f.name)
            rows.append((f.name, getattr(self, f.name),
                         f"filled from {entry.source}" if entry else "stated"))
        return rows

    @classmethod
    def from_name(cls, name: str) -> GPUSpec:
        """A GPU preset by name or alias, case-insensitive: ``"H100-SXM-80GB"``,
        ``"H100-80GB-HBM3"``, ``"A100-SXM-80GB"``, ``"B200"`` ... Unknown names raise
        :class:`~pdcost.errors.NotFoundError` listing the presets."""
        spec = cls._from_native(_native.gpu_from_name(name))
        sources = _gpu_sources()
        if spec.name in sources:
            object.__setattr__(spec, "source", sources[spec.name])
        return spec

    @classmethod
    def presets(cls) -> dict[str, GPUSpec]:
        """All GPU presets, by canonical name."""
        result: dict[str, GPUSpec] = {}
        for name, source in _gpu_sources().items():
            spec = cls._from_native(_native.gpu_from_name(name))
            object.__setattr__(spec, "source", source)
            result[spec.name] = spec
        return result

    @classmethod
    def _from_native(cls, raw: Mapping[str, Any]) -> GPUSpec:
        values: dict[str, Any] = {ours: raw[theirs] / scale for ours, theirs, scale in _GPU_FIELDS}
        return cls(name=raw["name"], tdp_watts=raw["tdp_watts"],
                   gpus_per_node=raw["gpus_per_node"],
                   architecture=_ARCHITECTURE_NAMES.get(raw["architecture"]),  # type: ignore[arg-type]
                   supports_fp8=_flag(raw["supports_fp8"]), supports_fp4=_flag(raw["supports_fp4"]),
                   **values)

    @property
    def memory_bytes(self) -> float:
        """HBM capacity in bytes."""
        return self.memory_gb * GIB

    def peak_tflops(self, dtype: str = "bfloat16") -> float:
        """Peak dense TFLOP/s for a training dtype (``bfloat16``, ``float16``, ``float32``,
        ``fp8``, or ``tf32``); 0 where unknown or absent."""
        try:
            return float(getattr(self, _DTYPE_PEAK[dtype]))
        except KeyError:
            raise ValueError(f"dtype={dtype!r} must be one of "
                             + ", ".join(map(repr, _DTYPE_PEAK))) from None


def _gpu_sources() -> dict[str, str]:
    """Canonical GPU preset name → datasheet source, from the library's preset table."""
    presets = json.loads(_native.gpu_presets_json())
    return {str(p["name"]): str(p.get("source", "")) for p in presets}


@_frozen
@dataclass(kw_only=True, slots=True, frozen=True)
class HardwareConfig(_Config):
    """The cluster: identical nodes of identical GPUs."""

    gpu: GPUSpec
    """The GPU (``GPUSpec.from_name(...)`` or a custom spec; a preset name is accepted)."""
    num_nodes: int = 1
    """Nodes in the job."""
    gpus_per_node: int = 8
    """GPUs per node (sharing the node's NVLink domain)."""
    host_memory_gb: float = 0.0
    """Host memory per node, GiB, for optimizer/parameter offload and the host memory a plan
    needs; 0 = a DGX H100 node's 2048 GiB (pdcost.h ``pdcost_cluster.host_memory_bytes``)."""
    host_memory_gb_per_s: float = 0.0
    """Host memory bandwidth per node, GB/s (bounds the CPU Adam step); 0 = 614.4 (DGX H100)."""
    nvme_gb_per_s: float = 0.0
    """NVMe bandwidth per node, GB/s, all drives (ZeRO-Infinity); 0 = 25."""
    cpu_adam_params_per_s: float = 0.0
    """Parameters the node's CPU Adam updates per second (DeepSpeed ZeRO-Offload); 0 = 4e9."""

    def __post_init__(self) -> None:
        if isinstance(self.gpu, str):
            object.__setattr__(self, "gpu", GPUSpec.from_name(self.gpu))
        elif isinstance(self.gpu, Mapping):
            object.__setattr__(self, "gpu", GPUSpec.from_dict(self.gpu))
        if not isinstance(self.gpu, GPUSpec):
            raise TypeError(f"HardwareConfig.gpu must be a GPUSpec (or a preset name), not "
                            f"{type(self.gpu).__name__} ({self.gpu!r})")
        check.integer(self, "num_nodes", limit="num_gpus")
        check.integer(self, "gpus_per_node", limit="gpus_per_node")
        for name in ("host_memory_gb", "host_memory_gb_per_s", "nvme_gb_per_s", "cpu_adam_params_per_s"):
            check.real(self, name)
        # The GPU count itself is what the library bounds (and what every plan must fill).
        check.in_limit("HardwareConfig.num_gpus", self.num_gpus, "num_gpus")

    @property
    def num_gpus(self) -> int:
        """num_nodes × gpus_per_node."""
        return self.num_nodes * self.gpus_per_node

    @classmethod
    def for_job(cls, gpu: GPUSpec, num_gpus: int, gpus_per_node: int | None = None,
                **host: float) -> "HardwareConfig":
        """The cluster a job of ``num_gpus`` GPUs runs on: one node of that many GPUs when it
        is smaller than a node, else whole nodes of ``gpus_per_node`` (default: the GPU's NVLink
        domain). A rack-scale domain (GB200/GB300 NVL72: 18 compute trays of 4 GPUs) need not
        be filled: unless ``gpus_per_node`` is stated, the job takes the largest number of whole
        trays, at most the rack's, that divides its trays, as Megatron-Bridge's launcher asks
        Slurm for (scripts/performance/utils/executors.py, ``--segment``: a 256-GPU job runs
        in NVLink domains of 16 trays, 64 GPUs)."""
        if isinstance(gpu, str):
            gpu = GPUSpec.from_name(gpu)
        per_node = gpus_per_node or gpu.gpus_per_node or 8
        if num_gpus <= per_node:
            return cls(gpu=gpu, num_nodes=1, gpus_per_node=num_gpus, **host)
        if num_gpus % per_node and gpus_per_node is None and per_node > _TRAY_GPUS * 2 \
                and num_gpus % _TRAY_GPUS == 0:
            trays = num_gpus // _TRAY_GPUS
            segment = next(s for s in range(per_node // _TRAY_GPUS, 0, -1) if trays % s == 0)
            per_node = segment * _TRAY_GPUS
        if num_gpus % per_node:
            stated = "" if gpus_per_node else f" ({gpu.name}'s NVLink domain)"
            raise ValueError(f"num_gpus={num_gpus} is not a multiple of gpus_per_node={per_node}{stated}; "
                             f"state gpus_per_node (--gpus-per-node) for a partly filled node")
        return cls(gpu=gpu, num_nodes=num_gpus // per_node, gpus_per_node=per_node, **host)


# GPUs per compute tray of a rack-scale NVLink system (DGX GB200/GB300 user guide: 4 GPUs and
# 4 ConnectX NICs per tray), the unit a scheduler allocates.
_TRAY_GPUS = 4


# ------------------------------------------------------------------------------------------------
# Training run and parallel plan (data only until the training cost model arrives)
# ------------------------------------------------------------------------------------------------


@_frozen
@dataclass(kw_only=True, slots=True, frozen=True)
class TrainingConfig(_Config):
    """One training run's shape, independent of how it is parallelised."""

    micro_batch_size: int = 1
    """Sequences per micro-batch on one data-parallel rank."""
    sequence_length: int = 8192
    """Tokens per sequence."""
    gradient_accumulation_steps: int = 1
    """Micro-batches per optimizer step on one data-parallel rank."""
    dtype: Dtype = "bfloat16"
    """Compute precision."""
    recompute_granularity: RecomputeGranularity = "none"
    """Activation recomputation: ``none``, ``selective`` or ``full``."""
    recompute_modules: tuple[str, ...] = ()
    """What ``selective`` recomputes, Megatron-Core's ``recompute_modules`` names:
    ``core_attn``, ``mla_up_proj``, ``moe_act``, ``mlp``, ``layernorm``, ``moe``,
    ``shared_experts``; empty: ``core_attn`` (Megatron-Core's default). Ignored by ``none`` and
    ``full``."""
    max_sequence_length: int | None = None
    """Longest sequence of a padded batch, for the activation-memory peak; None: sequence_length."""
    tensorwise_offload_optimizer: bool = False
    """Offload optimizer states to the host tensor by tensor (PaddleFormers)."""
    tensorwise_offload_ratio: float = 0.95
    """Fraction of the optimizer states offloaded when tensorwise_offload_optimizer is set."""
    optimizer: Optimizer = "adamw"
    """Optimizer: ``adamw``, ``adam`` or ``sgd``."""
    framework: Framework = "megatron"
    """Framework profile whose defaults apply (buffers, overlap, allocator)."""
    method: Method = "pretrain"
    """What is trained: ``pretrain`` / ``sft`` (every parameter), ``lora`` / ``qlora``
    (adapters on a frozen base: no weight gradients, gradients or optimizer states for it)."""
    lora_rank: int = 16
    """Adapter rank (lora, qlora)."""
    lora_targets: tuple[str, ...] = tuple(LORA_TARGETS)
    """Linear layers carrying adapters (lora, qlora), Megatron names: ``linear_qkv``,
    ``linear_proj``, ``linear_fc1``, ``linear_fc2`` (default: all four, NeMo's default)."""
    packed_document_tokens: int | None = None
    """Sequence packing: mean tokens of the documents packed into each sequence (attention runs
    within each document); None: one document per sequence."""

    def __post_init__(self) -> None:
        check.integer(self, "micro_batch_size", limit="micro_batch_size")
        check.integer(self, "sequence_length", limit="seq_len")
        check.integer(self, "gradient_accumulation_steps", limit="global_batch_size")
        # The global batch is micro_batch_size × gradient_accumulation_steps × dp with dp >= 1:
        # when the product alone leaves the table's range, no plan can be priced.
        check.in_limit("TrainingConfig.global_batch_size (micro_batch_size*gradient_accumulation_steps)",
                       self.micro_batch_size * self.gradient_accumulation_steps, "global_batch_size")
        check.choice(self, "dtype", get_args(Dtype))
        check.choice(self, "recompute_granularity", get_args(RecomputeGranularity))
        check.integer(self, "max_sequence_length", optional=True, limit="seq_len")
        if self.max_sequence_length is not None and self.max_sequence_length < self.sequence_length:
            raise ValueError(f"TrainingConfig.max_sequence_length={self.max_sequence_length} must "
                             f"be >= sequence_length={self.sequence_length}")
        check.boolean(self, "tensorwise_offload_optimizer")
        check.real(self, "tensorwise_offload_ratio", maximum=1.0)
        check.choice(self, "optimizer", get_args(Optimizer))
        check.choice(self, "framework", get_args(Framework))
        check.choice(self, "method", get_args(Method))
        check.integer(self, "lora_rank", limit="lora_rank")
        if isinstance(self.lora_targets, str) or not isinstance(self.lora_targets, (tuple, list)):
            raise TypeError(f"TrainingConfig.lora_targets={self.lora_targets!r} must be a tuple of "
                            f"module names ({', '.join(LORA_TARGETS)})")
        if not self.lora_targets:
            raise ValueError("TrainingConfig.lora_targets names no module")
        for name in self.lora_targets:
            if name not in LORA_TARGETS:
                raise ValueError(f"TrainingConfig.lora_targets: {name!r} is not one of "
                                 + ", ".join(LORA_TARGETS))
        object.__setattr__(self, "lora_targets", tuple(self.lora_targets))
        check.integer(self, "packed_document_tokens", optional=True, limit="seq_len")
        if isinstance(self.recompute_modules, str) or not isinstance(self.recompute_modules, (tuple, list)):
            raise TypeError(f"TrainingConfig.recompute_modules={self.recompute_modules!r} must be a "
                            f"tuple of module names ({', '.join(RECOMPUTE_MODULES)})")
        for name in self.recompute_modules:
            if name not in RECOMPUTE_MODULES:
                raise ValueError(f"TrainingConfig.recompute_modules: {name!r} is not one of "
                                 + ", ".join(RECOMPUTE_MODULES))
        object.__setattr__(self, "recompute_modules", tuple(self.recompute_modules))

    def _fine_tuning(self) -> tuple[int, int, int, int, int]:
        """(method, lora_rank, lora_targets bits, packed_document_tokens, recompute_modules
        bits) as pdcost_training_setup version 3 holds them."""
        bits = 0
        for name in self.lora_targets:
            bits |= LORA_TARGETS[name]
        modules = 0
        for name in self.recompute_modules:
            modules |= RECOMPUTE_MODULES[name]
        return (get_args(Method).index(self.method), self.lora_rank, bits,
                self.packed_document_tokens or 0, modules)


@_frozen
@dataclass(kw_only=True, slots=True, frozen=True)
class ParallelConfig(_Config):
    """A parallel plan (Megatron-LM / PaddleFormers terms)."""

    tp: int = 1
    """Tensor-parallel degree (splits attention heads and the FFN)."""
    pp: int = 1
    """Pipeline-parallel degree (splits the layers)."""
    dp: int = 1
    """Data-parallel degree (replicas)."""
    ep: int = 1
    """Expert-parallel degree (splits the routed experts)."""
    sharding: Sharding = "stage1"
    """ZeRO stage over the data-parallel group."""
    sp: bool = False
    """Sequence parallelism inside the tensor-parallel group."""
    cp: int = 1
    """Context-parallel degree (splits the sequence)."""
    vpp: int = 1
    """Virtual pipeline stages per rank (interleaved 1F1B)."""
    etp: int = 1
    """Tensor-parallel degree inside each expert."""
    fsdp: bool = False
    """FSDP full sharding (torchtitan FSDP2) instead of Megatron's ZeRO-style sharding."""
    first_stage_layers: int | None = None
    """Uneven pipeline: decoder layers on the first stage (Megatron
    ``--decoder-first-pipeline-num-layers``); None = even split."""
    last_stage_layers: int | None = None
    """Uneven pipeline: decoder layers on the last stage
    (``--decoder-last-pipeline-num-layers``); None = even split."""

    def __post_init__(self) -> None:
        for name in ("tp", "pp", "dp", "ep", "cp", "vpp", "etp"):
            check.integer(self, name, limit="parallel_degree")
        check.choice(self, "sharding", get_args(Sharding))
        check.boolean(self, "sp")
        check.boolean(self, "fsdp")
        check.integer(self, "first_stage_layers", optional=True, limit="stage_layers")
        check.integer(self, "last_stage_layers", optional=True, limit="stage_layers")
        # tp*pp*cp*dp must equal a cluster's GPU count, which the table bounds.
        check.in_limit("ParallelConfig.num_gpus (tp*pp*cp*dp)", self.num_gpus, "num_gpus")

    @property
    def num_gpus(self) -> int:
        """GPUs the plan occupies: tp × pp × cp × dp (ep and etp subdivide these)."""
        return self.tp * self.pp * self.cp * self.dp

