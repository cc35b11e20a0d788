"""Type stubs for pdcost._native, the private extension over libpdcost's C ABI.

Not API: use the ``pdcost`` package. Every function raises a ``pdcost.errors.PDCostError``
subclass when the library reports a failure, TypeError/ValueError for arguments it rejects
before calling the library.
"""

import os
from collections.abc import Callable
from typing import Any, Final, TypedDict, final

HEADER_VERSION_MAJOR: Final[int]
HEADER_VERSION_MINOR: Final[int]
HEADER_VERSION_PATCH: Final[int]
HEADER_ABI_VERSION: Final[int]
GPU_ARCH_UNKNOWN: Final[int]
GPU_ARCH_VOLTA: Final[int]
GPU_ARCH_AMPERE: Final[int]
GPU_ARCH_ADA: Final[int]
GPU_ARCH_HOPPER: Final[int]
GPU_ARCH_BLACKWELL: Final[int]
GPU_ARCH_BLACKWELL_ULTRA: Final[int]
GPU_CAPABILITY_UNKNOWN: Final[int]
GPU_CAPABILITY_NO: Final[int]
GPU_CAPABILITY_YES: Final[int]
HEADER_VERSION_STRING: Final[str]
MAX_SEQUENCE_LENGTH: Final[int]
# The header's PDCOST_MAX_* limits (pdcost_limits_json has the whole table).
MAX_SEQ_LEN: Final[int]
MAX_MICRO_BATCH_SIZE: Final[int]
MAX_GLOBAL_BATCH_SIZE: Final[int]
MAX_NUM_GPUS: Final[int]
MAX_GPUS_PER_NODE: Final[int]
MAX_PARALLEL_DEGREE: Final[int]
MAX_MODEL_DIMENSION: Final[int]
MAX_RECOMPUTE_NUM_LAYERS: Final[int]
MAX_JSON_BYTES: Final[int]
MAX_JSON_DEPTH: Final[int]
LIMITS_VERSION: Final[int]

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
    architecture: int
    supports_fp8: int
    supports_fp4: int

@final
class Model:
    """A handle on an analysed model (pdcost_model). Immutable; not constructible directly."""

    def to_json(self) -> str: ...
    def param_counts(self) -> dict[str, int]:
        """total, active, embedding, position_embedding, attention, dense_mlp, routed_experts,
        shared_experts, router, norms, lm_head, mtp, moe_latent_projections (pdcost_param_counts,
        in that order)."""
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
def gpu_complete(gpu: tuple[object, ...], /) -> tuple[GPU, str]: ...
def gpu_presets_json() -> str: ...
def limits_json() -> str: ...
def _check_version(major: int, minor: int, patch: int, /) -> None: ...

@final
class CostModel:
    """A training cost model for one (model, cluster, setup) (pdcost_cost_model). Immutable.

    cluster = (gpu, num_gpus, gpus_per_node[, host]): host = (host_memory_bytes,
    host_memory_bandwidth, nvme_bandwidth, cpu_adam_params_per_second), 0 = DGX H100 defaults;
    gpu is a preset name or a tuple (name,
    memory_bytes, fp32_flops, tf32_flops, fp16_flops, bf16_flops, fp8_flops, hbm_bandwidth,
    nvlink_bandwidth, network_bandwidth, pcie_bandwidth, tdp_watts, gpus_per_node) in SI units;
    gpus_per_node 0 = the GPU's usual node size.
    setup = (seq_len, micro_batch_size, global_batch_size, dtype, optimizer, recompute,
    recompute_num_layers, optimizer_offload_ratio, framework, settings_json), enums as their
    pdcost.h ints, settings_json a JSON object (str) or None.
    """

    def __new__(cls, model: Model, cluster: tuple[Any, ...],
                setup: tuple[int, int, int, int, int, int, int, float, int, str | None],
                profile: bytes | None = None) -> CostModel:
        """profile: calibration profile JSON applied to the cluster's efficiency (None: defaults)."""
    def predict_host(self, plan: tuple[int, ...], /) -> tuple[float | bool, ...]:
        """pdcost_cost_model_predict_host: the doubles of pdcost_host_prediction in struct order
        (SI units; names: results.HOST_FIELDS), then fits_host_memory (bool)."""
    def predict(self, plan: tuple[int, ...], /) -> tuple[float | int | bool, ...]:
        """plan = (tp, pp, vpp, dp, cp, ep, etp, sequence_parallel, zero_stage, fsdp,
        first_stage_layers, last_stage_layers). Returns every double of pdcost_prediction in
        struct order (SI units; the names are prediction_fields_json's), then peak_stage (int)
        and fits_memory (bool)."""
    def settings_json(self) -> str:
        """pdcost_cost_model_settings_json: the settings given and the defaults used."""
    def search(self, *, max_tp: int = 0, max_pp: int = 0, max_vpp: int = 0, max_cp: int = 0,
               max_ep: int = 0, max_etp: int = 0, micro_batch_sizes: tuple[int, ...] | None = None,
               recompute: int = 0, zero_stages: int = 0, sequence_parallel: int = 0,
               max_stage_layer_reduction: int = 0,
               optimizer_offload_ratios: tuple[float, ...] | None = None, top_k: int = 0,
               threads: int = 0, memory_safety_margin: float = 0.0, flags: int = 0,
               progress: Callable[[int, int], object] | None = None,
               vary_settings: str | None = None) -> str:
        """pdcost_search_run with pdcost_search_options fields (0 = default), GIL released;
        returns pdcost_search_result_to_json. progress(done, total) runs on this thread with
        the GIL; a true return stops the search; an exception or Ctrl-C stops and is raised."""

def prediction_fields_json() -> str:
    """pdcost_prediction_fields_json: the prediction's fields in CostModel.predict order."""
def framework_settings_fields_json() -> str:
    """pdcost_framework_settings_fields_json: the framework settings table."""
def serving_predict(model: Model, cluster: tuple[Any, int, int], deployment: tuple[Any, ...],
                    workload: tuple[Any, ...]) -> tuple[Any, ...]:
    """pdcost_serving_predict: the prediction's doubles in header order, then fits_memory and
    saturated. deployment = (tp, pp, replicas, expert_parallel, attention_data_parallel,
    weight_precision, kv_cache_precision, engine, settings_json | None); workload = (scenario,
    input_tokens, output_tokens, batch_size, concurrency, num_requests, request_rate,
    prefix_hit_ratio); enums as their pdcost.h values."""
def serving_predict_json(model: Model, cluster: tuple[Any, int, int], deployment: tuple[Any, ...],
                         workload: tuple[Any, ...]) -> str:
    """pdcost_serving_predict_json: deployment, workload, prediction and the settings used."""
def serving_trace_json(model: Model, cluster: tuple[Any, int, int], deployment: tuple[Any, ...],
                       workload: tuple[Any, ...]) -> str:
    """pdcost_serving_trace: one request's life as a trace-event document (1.5)."""
def prediction_trace_json(step_time_s: float, bubble_time_s: float, recompute_time_s: float,
                          optimizer_time_s: float, offload_time_s: float, host_overhead_time_s: float,
                          comm_exposed_s: tuple[float, float, float, float, float], micro_batches: float,
                          pp: int, vpp: int) -> str:
    """pdcost_prediction_trace: a held prediction's step as a trace-event document (1.5)."""
def plan_run(gpus: int, tokens_per_second: float, tokens: float, parameters: float,
             compute_budget_flops: float, price_per_gpu_hour: float, board_power_w: float,
             power_fraction: float, pue: float, target_days: float) -> dict[str, Any]:
    """pdcost_plan_run: a run priced (0 = not stated); cost None without a price (1.5)."""
def serving_search(model: Model, cluster: tuple[Any, int, int], workload: tuple[Any, ...],
                   options: tuple[Any, ...], settings_json: str | None,
                   progress: Callable[[str, int, int], Any] | None) -> str:
    """pdcost_serving_search_run, GIL released: pdcost_serving_search_result_to_json (also when
    progress stopped it)."""
def serving_prediction_fields_json() -> str:
    """pdcost_serving_prediction_fields_json: the serving prediction's fields in tuple order."""
def serving_settings_fields_json() -> str:
    """pdcost_serving_settings_fields_json: the serving engine settings table."""

def validate_runs(runs_json: bytes, *, text: bool = False, only_complete: bool = False,
                  profile: bytes | None = None, overrides: bytes | None = None) -> str: ...

# Calibration profiles and fitting to measured runs.
def check_profile(profile_json: bytes, /) -> None:
    """pdcost_profile_check: raises InvalidArgumentError/ParseError naming the entry at fault."""
def efficiency_parameters_json() -> str:
    """pdcost_efficiency_parameters_json: constants, bounds, defaults; fit groups and defaults."""
def fit_runs(runs_json: bytes, *, parameters: str | None = None, cross_validation: int = 0,
             folds: int = 0, max_iterations: int = 0, min_runs_per_parameter: int = 0,
             complete_only: bool = False, all_supported: bool = False, runs_file: str | None = None,
             progress: Callable[[float, str], object] | None = None,
             overrides: bytes | None = None) -> str:
    """pdcost_fit_runs with pdcost_fit_options fields (0 = default), GIL released; returns the
    profile JSON; overrides: a pdcost.run-overrides/1 document applied to the runs first. progress(fraction, message) runs on this thread with the GIL; a true return
    cancels (InvalidArgumentError); an exception or Ctrl-C stops the fit and is raised."""

def gpu_calibrate(progress: Callable[[str, int, int], object] | None = None, *, device: int = 0,
                  gemm_size: int = 8192, test_compute: bool = True, test_memory: bool = True,
                  test_collectives: bool = True, repetitions: int = 20, warmup: int = 5,
                  dtypes: int = 0, sustain_seconds: float = 15.0,
                  max_collective_bytes: int = 2**30) -> str:
    """pdcost_gpu_calibrate with pdcost_gpu_calibration_options fields (dtypes: PDCOST_GEMM_*
    bits, 0 = all), GIL released; returns the report JSON. progress(stage, done, total) runs on
    this thread with the GIL; a true return cancels (EINVAL); an exception or Ctrl-C stops and
    is raised. NoDeviceError without a GPU."""

def cuda_available() -> str:
    """pdcost_cuda_available: what the machine offers for calibration, as JSON."""
