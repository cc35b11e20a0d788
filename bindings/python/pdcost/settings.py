"""Framework settings: the switches that change a job's speed or memory without changing its
parallel plan (TP comm overlap, CUDA graphs, the FP8 recipe, MoE dispatch, ...).

The keys, types, choices and ranges are the native library's one table
(``pdcost_framework_settings_fields_json``); this dataclass declares the same fields for
editors and type checkers, and a test keeps the two equal. Every field defaults to ``None``:
*not stated*, so the framework's own default applies (each cited in the library's framework
presets). ``False`` states that a switch is off.

    >>> s = FrameworkSettings(tp_comm_overlap=True, fp8_recipe="mxfp8")
    >>> s.to_dict()
    {'tp_comm_overlap': True, 'fp8_recipe': 'mxfp8'}
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from dataclasses import dataclass
from typing import Any, Literal, Mapping

from . import _native

__all__ = ["FrameworkSettings", "settings_fields", "VARIABLE_SETTINGS"]

FP8Recipe = Literal["delayed", "current", "blockwise", "rowwise", "mxfp8"]
AttentionBackend = Literal["cudnn", "flash", "unfused"]
OptimizerImplementation = Literal["adam", "apex_distributed_adam"]
MoETokenDispatcher = Literal["alltoall", "allgather", "flex", "deepep", "hybridep"]
PipelineSchedule = Literal["1f1b", "interleaved_1f1b", "looped_bfs", "zero_bubble"]
MemoryLoggedBy = Literal["max_over_ranks", "last_rank"]
OffloadDevice = Literal["none", "cpu", "nvme"]

#: Settings a search can try both off and on (``PDCostModel.search(vary_settings=...)``;
#: pdcost.h ``pdcost_search_options.vary_settings``).
VARIABLE_SETTINGS = ("tp_comm_overlap", "cuda_graphs", "torch_compile", "overlap_grad_reduce",
                     "overlap_param_gather", "overlap_p2p", "fp8_params", "moe_overlap_expert_comm")


@functools.cache
def settings_fields() -> tuple[dict[str, Any], ...]:
    """The native table: one dict per key with ``key``, ``type`` (bool, number, integer,
    choice, string), ``choices`` / ``minimum`` / ``maximum``, ``summary`` and
    ``not_modelled`` (None, or why the value changes no number yet)."""
    return tuple(json.loads(_native.framework_settings_fields_json()))


@dataclass(kw_only=True, slots=True, frozen=True)
class FrameworkSettings:
    """Framework switches of a training job; ``None`` = the framework's default."""

    tp_comm_overlap: bool | None = None
    """TP communication overlapped with GEMMs (TE userbuffers ``--tp-comm-overlap``; torchtitan
    AsyncTP)."""
    cuda_graphs: bool | None = None
    """CUDA graphs on, any capture scope (no per-kernel host launches)."""
    torch_compile: bool | None = None
    """torch.compile (Inductor) fuses elementwise chains."""
    fp8_recipe: FP8Recipe | None = None
    """FP8 scaling (with ``dtype="fp8"``): delayed (amax history), current (per tensor),
    rowwise (torchao), mxfp8 (32-element blocks), blockwise (TE 128x128 / 1x128)."""
    fp8_params: bool | None = None
    """FP8 weights kept between steps (NeMo ``fp8_params``, TE ``fp8_model_init``)."""
    overlap_grad_reduce: bool | None = None
    """DP gradient reduce overlapped with the backward (``--overlap-grad-reduce``)."""
    overlap_param_gather: bool | None = None
    """Distributed-optimizer parameter all-gather overlapped with the forward."""
    overlap_p2p: bool | None = None
    """Pipeline send/recv overlapped with compute (interleaved schedules)."""
    grad_reduce_in_fp32: bool | None = None
    """Gradients accumulated and reduced in fp32 (Megatron-Core ``grad_reduce_in_fp32``)."""
    moe_capacity_factor: float | None = None
    """Expert capacity factor; tokens beyond it are dropped (None: dropless)."""
    moe_pad_to_capacity: bool | None = None
    """Each expert's input padded to capacity (no host synchronisation)."""
    moe_overlap_expert_comm: bool | None = None
    """EP all-to-all overlapped with another micro-batch's compute."""
    moe_token_dispatcher: MoETokenDispatcher | None = None
    """MoE token dispatcher: ``alltoall``/``allgather`` send every routed copy;
    ``deepep``/``flex``/``hybridep`` one copy per node. Dropless routing syncs with the host
    (``hybridep`` not when ``moe_expert_rank_capacity_factor`` is set)."""
    moe_router_force_balance: bool | None = None
    """Router forced to an even token distribution; otherwise ``moe_expert_imbalance``."""
    moe_expert_imbalance: float | None = None
    """Busiest expert-parallel rank's routed tokens over the mean when not force-balanced."""
    moe_expert_rank_capacity_factor: float | None = None
    """HybridEP per-rank token budget over the mean (Megatron-Core): static buffers, no host
    sync, tokens beyond it dropped."""
    attention_backend: AttentionBackend | None = None
    """cudnn (TE cuDNN fused), flash (FlashAttention-2), unfused (s x s scores)."""
    fp8_attention: bool | None = None
    """Attention core in FP8 with an FP8 dtype (Megatron-Core ``fp8_dot_product_attention``)."""
    te_op_fuser: bool | None = None
    """Grouped MLP as Transformer Engine fused ops (Megatron-Core
    ``use_transformer_engine_op_fuser``, core 0.18+): expert bias and clamped GLU fused."""
    optimizer: OptimizerImplementation | None = None
    """adam (Megatron-Core / PyTorch) or apex_distributed_adam (NeMo 1.x)."""
    te_cross_entropy: bool | None = None
    """Loss computed by Transformer Engine's fused cross entropy."""
    torch_version: str | None = None
    """PyTorch release, ``"MAJOR.MINOR"``."""
    framework_release: str | None = None
    """Framework release as published (provenance)."""
    pipeline_schedule: PipelineSchedule | None = None
    """Pipeline schedule name (stages per rank are ``ParallelConfig.vpp``)."""
    deterministic: bool | None = None
    """PyTorch deterministic algorithms (Megatron ``--deterministic-mode``)."""
    deterministic_attention: bool | None = None
    """TE picks deterministic attention (``NVTE_ALLOW_NONDETERMINISTIC_ALGO=0``)."""
    activation_offload_layers: int | None = None
    """Layers whose activations are offloaded to host memory (not priced yet)."""
    memory_logged_by: MemoryLoggedBy | None = None
    """Which ranks a measured memory figure was read on."""
    split_param: bool | None = None
    """PaddleFormers sharding stage 1 V2: parameters and optimizer states split evenly."""
    sd_release_grads: bool | None = None
    """PaddleFormers sharding: gradient buffers released after each optimizer step."""
    offload_optimizer: OffloadDevice | None = None
    """DeepSpeed ``zero_optimization.offload_optimizer.device``: optimizer states (fp32 master,
    moments, fp32 gradients) in host memory (``cpu``) or on NVMe (``nvme``, ZeRO-3), updated by
    CPU Adam; ``optimizer_offload_ratio`` is its ``ratio`` (0 = 1, DeepSpeed's default)."""
    offload_param: OffloadDevice | None = None
    """DeepSpeed ``zero_optimization.offload_param.device`` (ZeRO-3 only): 16-bit parameter
    partitions in host memory or on NVMe, fetched for every forward and backward."""

    def __post_init__(self) -> None:
        for row in settings_fields():
            name = row["key"]
            value = getattr(self, name)
            if value is None:
                continue
            where = f"FrameworkSettings.{name}"
            kind = row["type"]
            if kind == "bool":
                if not isinstance(value, bool):
                    raise TypeError(f"{where} must be bool or None, not {type(value).__name__} ({value!r})")
            elif kind in ("number", "integer"):
                integral = kind == "integer"
                if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)):
                    raise TypeError(f"{where} must be {'an int' if integral else 'a number'} or None, "
                                    f"not {type(value).__name__} ({value!r})")
                if not (math.isfinite(value) and row["minimum"] <= value <= row["maximum"]):
                    raise ValueError(f"{where}={value!r} must be in [{row['minimum']}, {row['maximum']}]")
            elif kind == "choice":
                if value not in row["choices"]:
                    raise ValueError(f"{where}={value!r} must be one of "
                                     + ", ".join(map(repr, row["choices"])))
            elif not isinstance(value, str):
                raise TypeError(f"{where} must be str or None, not {type(value).__name__} ({value!r})")
        if self.torch_version is not None:
            parts = self.torch_version.split(".")
            if len(parts) != 2 or not all(p.isdigit() and p.isascii() for p in parts):
                raise ValueError(f"FrameworkSettings.torch_version={self.torch_version!r} must be "
                                 "MAJOR.MINOR, e.g. '2.8'")

    def to_dict(self) -> dict[str, Any]:
        """The stated keys (None left out)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) is not None}

    def to_json(self) -> str:
        """The stated keys as a JSON object (the library's and the measured-runs form)."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FrameworkSettings:
        """From a ``settings`` object (a measured-runs record's, or ``to_dict()``); null values
        are "not stated", an unknown key raises :class:`ValueError` naming it."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise TypeError(f"FrameworkSettings.from_dict expects a mapping, not {type(data).__name__}")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in data if k not in names)
        if unknown:
            raise ValueError(f"FrameworkSettings: unknown setting(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(sorted(names))}")
        return cls(**{k: v for k, v in data.items() if v is not None})

    def overridden(self, other: FrameworkSettings | Mapping[str, Any] | None) -> FrameworkSettings:
        """These settings with every key ``other`` states taken from ``other``."""
        if other is None:
            return self
        if not isinstance(other, FrameworkSettings):
            other = FrameworkSettings.from_dict(other)
        return dataclasses.replace(self, **other.to_dict())

    def __repr__(self) -> str:
        stated = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items())
        return f"FrameworkSettings({stated})"
