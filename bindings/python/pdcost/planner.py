"""Run planning: from a token budget to wall-clock days, GPU-hours, cost and energy.

A plan's throughput comes from the cost model (:meth:`PDCostModel.predict` for a given plan, or
:meth:`PDCostModel.search` for the fastest plan that fits at each GPU count); everything else is
arithmetic on it, done by the library (``pdcost_plan_run`` in pdcost.h, the core's ``RunPlan``),
with each input stated:

- tokens to train: given, or compute-optimal for the model's parameter count — about 20 tokens
  per parameter (Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models",
  arXiv 2203.15556, Table 3: 1.4 T tokens for 67 B … 20.0 T for 1 T parameters) — or, for a
  compute budget C, N = sqrt(C / 120) and D = 20·N from C ≈ 6·N·D (Kaplan et al. 2020 §2.1);
- wall clock = tokens / (tokens/s of the cluster); GPU-hours = GPUs × hours; cost = GPU-hours ×
  price per GPU-hour;
- energy = GPUs × board power × average power fraction × PUE × hours. Defaults: the GPU's
  board power (TDP) at a fraction of 1.0 and a PUE of 1.2 — BLOOM's 1.08 M A100-hours drew
  433 MWh of dynamic power, 400 W per GPU-hour, the A100's TDP, in a data centre of PUE 1.2
  (Luccioni et al. 2023, "Estimating the Carbon Footprint of BLOOM", JMLR 24, §4 and Table 2).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any, Sequence

from . import _native
from .search import split_label


def _native_plan(*, gpus: int = 1, tokens_per_second: float = 1.0, tokens: float | None = None,
                 parameters: float | None = None, compute_budget_flops: float | None = None,
                 price_per_gpu_hour: float | None = None, board_power_w: float = 1.0,
                 power_fraction: float | None = None, pue: float | None = None,
                 target_days: float | None = None) -> dict[str, Any]:
    """``pdcost_plan_run`` (None → 0, "not stated": the library's default where it has one)."""
    return _native.plan_run(gpus, float(tokens_per_second), float(tokens or 0.0), float(parameters or 0.0),
                            float(compute_budget_flops or 0.0), float(price_per_gpu_hour or 0.0),
                            float(board_power_w), float(power_fraction or 0.0), float(pue or 0.0),
                            float(target_days or 0.0))


_DEFAULTS = _native_plan(tokens=1.0)
#: Average board power over the board's TDP during training, the library's default
#: (Luccioni et al. 2023: 400 W per A100-hour, its TDP).
DEFAULT_POWER_FRACTION: float = _DEFAULTS["power_fraction"]
#: Power usage effectiveness of the data centre, the library's default (Luccioni et al. 2023:
#: Jean Zay, 1.2).
DEFAULT_PUE: float = _DEFAULTS["pue"]


def chinchilla_tokens(parameters: float) -> float:
    """Compute-optimal training tokens for ``parameters`` (≈ 20 per parameter)."""
    _positive("parameters", parameters)
    return float(_native_plan(parameters=parameters)["tokens"])


def chinchilla_for_compute(flops: float) -> tuple[float, float]:
    """Compute-optimal (parameters, tokens) for a budget of ``flops`` training FLOPs:
    C = 6·N·D with D = 20·N, so N = sqrt(C/120)."""
    _positive("compute_budget_flops", flops)
    plan = _native_plan(compute_budget_flops=flops)
    return float(plan["parameters"]), float(plan["tokens"])


@dataclasses.dataclass(frozen=True)
class RunPlan:
    """A training run priced end to end (one plan on ``gpus`` GPUs)."""
    gpus: int
    plan: str
    tokens: float
    tokens_per_second: float
    tokens_per_second_per_gpu: float
    mfu: float
    days: float
    gpu_hours: float
    cost: float | None
    energy_mwh: float
    assumptions: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _price(model: Any, gpus: int, tokens: float, tokens_per_second: float, tokens_per_gpu: float,
           mfu: float, plan: str, price_per_gpu_hour: float | None, power_fraction: float | None,
           pue: float | None, board_power_w: float, days: float | None = None) -> RunPlan:
    priced = _native_plan(gpus=gpus, tokens_per_second=tokens_per_second, tokens=tokens,
                          parameters=float(model.model_config.num_parameters()),
                          price_per_gpu_hour=price_per_gpu_hour, board_power_w=board_power_w,
                          power_fraction=power_fraction, pue=pue, target_days=days)
    assumptions = {"board_power_w": board_power_w, "power_fraction": priced["power_fraction"], "pue": priced["pue"],
                   "price_per_gpu_hour": price_per_gpu_hour,
                   "tokens_per_parameter": priced["tokens_per_parameter"]}
    return RunPlan(gpus=gpus, plan=plan, tokens=priced["tokens"], tokens_per_second=tokens_per_second,
                   tokens_per_second_per_gpu=tokens_per_gpu, mfu=mfu, days=priced["days"],
                   gpu_hours=priced["gpu_hours"], cost=priced["cost"], energy_mwh=priced["energy_mwh"],
                   assumptions=assumptions)


def _positive(name: str, value: float | None) -> None:
    if value is not None and not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
        raise ValueError(f"{name}={value!r} must be a finite number > 0")


def _plan_text(entry: Any) -> str:
    return split_label(entry.parallel) + f" mbs {entry.micro_batch_size}" + (
        "" if entry.recompute_granularity == "none" else f" {entry.recompute_granularity} recompute")


def plan_run(model: Any, *, global_batch_size: int, tokens: float | None = None,
             compute_budget_flops: float | None = None, gpus: int | Sequence[int] | None = None,
             parallel: Any = None, days: float | None = None,
             price_per_gpu_hour: float | None = None, power_fraction: float | None = None,
             pue: float | None = None, board_power_w: float | None = None,
             max_gpus: int = 65_536) -> list[RunPlan]:
    """Price a training run of ``tokens`` tokens on ``model`` (a :class:`PDCostModel`).

    Tokens: as given; else compute-optimal for ``compute_budget_flops``; else compute-optimal
    for the model's parameter count (≈ 20 per parameter). Plans: ``parallel`` priced as given
    (on its GPUs), or the fastest plan that fits at each of ``gpus`` (default: the hardware's
    GPU count) at ``global_batch_size`` sequences per step. With ``days``, the smallest GPU
    count (whole nodes, doubling from one node) that finishes within ``days`` instead.
    Energy: ``board_power_w`` (default: the GPU's TDP) × ``power_fraction`` (None: the
    library's :data:`DEFAULT_POWER_FRACTION`) × ``pue`` (None: :data:`DEFAULT_PUE`) × hours.
    Returns one :class:`RunPlan` per GPU count, in order; a count where nothing fits is left
    out with a ``RuntimeWarning`` naming it.
    """
    for name, value in (("tokens", tokens), ("compute_budget_flops", compute_budget_flops),
                        ("days", days), ("price_per_gpu_hour", price_per_gpu_hour),
                        ("power_fraction", power_fraction), ("pue", pue), ("board_power_w", board_power_w)):
        _positive(name, value)
    if not (isinstance(global_batch_size, int) and global_batch_size > 0):
        raise ValueError(f"global_batch_size={global_batch_size!r} must be an integer > 0")
    if tokens is None:
        # Compute-optimal: for the budget if one is stated, else for the model's parameters.
        tokens = _native_plan(compute_budget_flops=compute_budget_flops,
                              parameters=float(model.model_config.num_parameters()))["tokens"]
    gpu = model.hardware_config.gpu
    power = board_power_w if board_power_w is not None else float(getattr(gpu, "tdp_watts", 0.0))
    if not power > 0:
        raise ValueError(f"board_power_w is not known for gpu {gpu.name!r}: state it")
    seq = model.training_config.sequence_length

    def priced(n: int, entry: Any, prediction: Any) -> RunPlan:
        return _price(model, n, float(tokens), prediction.tokens_per_second,
                      prediction.tokens_per_second_per_gpu, prediction.mfu,
                      entry if isinstance(entry, str) else _plan_text(entry), price_per_gpu_hour,
                      power_fraction, pue, power, days)

    if parallel is not None:
        steps = global_batch_size // max(parallel.dp * model.training_config.micro_batch_size, 1)
        r = model.predict_calibrated(parallel, seq_len=seq, gradient_accumulation_steps=max(steps, 1))
        if not r.fits_memory:
            raise ValueError(f"the plan does not fit in GPU memory ({r.memory_gb:.1f} GiB)")
        n = parallel.tp * parallel.pp * parallel.dp * getattr(parallel, "cp", 1)
        return [priced(n, split_label(parallel), r)]

    def best(n: int) -> RunPlan | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = model.search(total_gpus=n, global_batch_size=global_batch_size, top_k=1, threads=1)
        if not result.results:
            return None
        entry = result.results[0]
        return priced(n, entry, entry.prediction)

    if days is not None:
        n = model.hardware_config.gpus_per_node
        closest: RunPlan | None = None
        while n <= max_gpus:
            run = best(n)
            if run is not None:
                closest = run
                if run.days <= days:
                    return [run]
            n *= 2
        raise ValueError(f"no GPU count up to {max_gpus} finishes {tokens:.3g} tokens within "
                         f"days={days}" + (f"; the closest, {closest.gpus} GPUs, takes "
                                           f"{closest.days:.1f} days" if closest else ""))

    counts = [model.hardware_config.num_gpus] if gpus is None else (
        [gpus] if isinstance(gpus, int) else list(gpus))
    runs: list[RunPlan] = []
    for n in counts:
        if not (isinstance(n, int) and n > 0):
            raise ValueError(f"gpus={n!r} must be integers > 0")
        run = best(n)
        if run is None:
            warnings.warn(f"no plan fits on {n} GPUs at global_batch_size={global_batch_size}",
                          RuntimeWarning, stacklevel=2)
            continue
        runs.append(run)
    return runs
