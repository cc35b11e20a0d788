"""Type stubs for pdcost._native, the private extension over libpdcost's C ABI.

Not API: use the ``pdcost`` package. Every function raises a ``pdcost.errors.PDCostError``
subclass when the library reports a failure, TypeError/ValueError for arguments it rejects
before calling the library.
"""

import os
from typing import Final, TypedDict, final

HEADER_VERSION_MAJOR: Final[int]
HEADER_VERSION_MINOR: Final[int]
HEADER_VERSION_PATCH: Final[int]
HEADER_ABI_VERSION: Final[int]
HEADER_VERSION_STRING: Final[str]
MAX_SEQUENCE_LENGTH: Final[int]

class Flops(TypedDict):
    matmul_parameters: int
    matmul_forward: float
    attention_forward: float
    forward: float
    training: float

class GPU(TypedDict):
    name: str
    memory_bytes: float
    fp32_flops: float
    tf32_flops: float
    fp16_flops: float
    bf16_flops: float
    fp8_flops: float
    hbm_bandwidth: float
    nvlink_bandwidth: float
    network_bandwidth: float
    pcie_bandwidth: float
    tdp_watts: float
    gpus_per_node: int

@final
class Model:
    """A handle on an analysed model (pdcost_model). Immutable; not constructible directly."""

    def to_json(self) -> str: ...
    def param_counts(self) -> dict[str, int]:
        """total, active, embedding, position_embedding, attention, dense_mlp, routed_experts,
        shared_experts, router, norms, lm_head, mtp (pdcost_param_counts, in that order)."""
    def flops_per_token(self, seq_len: int, *, causal: bool = True) -> Flops: ...
    def analysis_json(self, seq_len: int) -> str: ...

def version() -> tuple[int, int, int]: ...
def version_string() -> str: ...
def abi_version() -> int: ...
def status_name(status: int, /) -> str: ...
def model_from_preset(name: str, /) -> Model: ...
def model_from_json(json: str | bytes, /) -> Model: ...
def model_from_file(path: str | bytes | os.PathLike[str], /) -> Model: ...
def model_preset_names() -> str: ...
def gpu_from_name(name: str, /) -> GPU: ...
def gpu_presets_json() -> str: ...
def _check_version(major: int, minor: int, patch: int, /) -> None: ...

@final
class CostModel:
    """A training cost model for one (model, cluster, setup) (pdcost_cost_model). Immutable.

    cluster = (gpu, num_gpus, gpus_per_node): gpu is a preset name or a tuple (name,
    memory_bytes, fp32_flops, tf32_flops, fp16_flops, bf16_flops, fp8_flops, hbm_bandwidth,
    nvlink_bandwidth, network_bandwidth, pcie_bandwidth, tdp_watts, gpus_per_node) in SI units;
    gpus_per_node 0 = the GPU's usual node size.
    setup = (seq_len, micro_batch_size, global_batch_size, dtype, optimizer, recompute,
    recompute_num_layers, optimizer_offload_ratio, framework), enums as their pdcost.h ints.
    """

    def __new__(cls, model: Model, cluster: tuple[str | tuple[object, ...], int, int],
                setup: tuple[int, int, int, int, int, int, int, float, int]) -> CostModel: ...
    def predict(self, plan: tuple[int, ...], /) -> tuple[float | int | bool, ...]:
        """plan = (tp, pp, vpp, dp, cp, ep, etp, sequence_parallel, zero_stage, fsdp,
        first_stage_layers, last_stage_layers). Returns 37 items in SI units: step, compute,
        bubble, recompute, optimizer, offload times; comm exposed TP,CP,EP,PP,DP; comm
        overlapped (same order); total comm; exposed comm; mfu; hfu; tokens/s; tokens/s/GPU;
        micro_batches; parameter, gradient, optimizer, activation, communication buffer,
        temporary buffer, framework overhead, allocated, reserved, activation buffer pool,
        total, usable bytes; peak_stage (int); fits_memory (bool)."""

def validate_runs(runs_json: bytes, *, text: bool = False, only_complete: bool = False) -> str: ...
