#!/usr/bin/env python3
"""Measures, on one NVIDIA GPU, the MoE kernel physics the cost model prices with named
parameters (`EfficiencyProfile`), so each can be checked against this GPU rather than the
figure its default cites:

* grouped GEMM rate against tokens per expert (`grouped_gemm_half_tokens`,
  `grouped_gemm_wgrad_half_tokens`): ``torch._grouped_mm`` (one launch for all local experts,
  the kernel torchtitan's MoE calls) for the forward (2-D tokens × 3-D weights) and for the weight
  gradient (2-D × 2-D, groups along the reduction), against one dense GEMM of the same total work;
* one GEMM per expert issued back to back from Python on one stream (Hugging Face's eager expert
  loop; Transformer Engine's multi-stream GroupedLinear issues the same GEMMs from C++):
  host issue time per expert GEMM (`grouped_gemm_per_expert_seconds`);
* the device-to-host round trip of a host synchronisation on a few bytes of per-expert counts
  (`host_sync_round_trip_seconds`; Megatron-Core's dropless alltoall dispatcher does one per
  layer);
* host time of one eager PyTorch op with and without autograd recording (`host_seconds_per_op`).

Writes one JSON document (``--out``); each measurement is the median of timed repetitions after
warm-ups (CUDA events for GPU time, ``time.perf_counter`` for host time). A shape the kernel
refuses is recorded with the error, never dropped.

    python3 scripts/moe_kernel_bench.py --out measured/h200_moe_kernels.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from typing import Any, Callable

import torch

# Expert shapes of published models (config.json): hidden, expert FFN width, local experts at EP8.
SHAPES = (
    {"model": "Qwen3-30B-A3B", "hidden": 2048, "ffn": 768, "local_experts": 16},
    {"model": "DeepSeek-V3", "hidden": 7168, "ffn": 2048, "local_experts": 32},
    {"model": "GPT-OSS-120B", "hidden": 2880, "ffn": 2880, "local_experts": 16},
)
TOKENS_PER_EXPERT = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


def gpu_seconds(fn: Callable[[], Any], reps: int, warmup: int = 3) -> float:
    """Median GPU time of `fn` over `reps` CUDA-event-timed calls."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return statistics.median(times)


def host_seconds(fn: Callable[[], Any], reps: int, warmup: int = 3) -> float:
    """Median wall time of `fn` (which synchronises itself when it must)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def grouped(shape: dict[str, int], m: int, reps: int) -> dict[str, Any]:
    h, f, g = shape["hidden"], shape["ffn"], shape["local_experts"]
    dev, bf = "cuda", torch.bfloat16
    rows = g * m
    offs = torch.arange(m, rows + 1, m, device=dev, dtype=torch.int32)
    x = torch.randn(rows, h, device=dev, dtype=bf)
    # Weights stored [experts, out, in] and passed transposed, as torchtitan's MoE does.
    w1 = torch.randn(g, 2 * f, h, device=dev, dtype=bf)
    dy = torch.randn(rows, 2 * f, device=dev, dtype=bf)
    flops_fc1 = 2.0 * rows * h * 2 * f
    out: dict[str, Any] = {"model": shape["model"], "tokens_per_expert": m, "local_experts": g,
                           "hidden": h, "fc1_width": 2 * f}
    dense_a = torch.randn(rows, h, device=dev, dtype=bf)
    dense_b = torch.randn(h, 2 * f, device=dev, dtype=bf)
    t = gpu_seconds(lambda: torch.mm(dense_a, dense_b), reps)
    out["dense_fc1_s"], out["dense_fc1_tflops"] = t, flops_fc1 / t / 1e12
    try:
        t = gpu_seconds(lambda: torch._grouped_mm(x, w1.transpose(-2, -1), offs=offs), reps)
        out["grouped_fc1_s"], out["grouped_fc1_tflops"] = t, flops_fc1 / t / 1e12
    except Exception as error:  # noqa: BLE001 - recorded, not dropped
        out["grouped_fc1_error"] = f"{type(error).__name__}: {error}"[:300]
    try:
        # Weight gradient: dW1[e] = dY[e]^T X[e], the reduction over the expert's tokens.
        xt = x.t().contiguous()  # [h, rows]
        t = gpu_seconds(lambda: torch._grouped_mm(dy.t(), xt.t(), offs=offs), reps)
        out["grouped_wgrad_s"], out["grouped_wgrad_tflops"] = t, flops_fc1 / t / 1e12
    except Exception as error:  # noqa: BLE001
        out["grouped_wgrad_error"] = f"{type(error).__name__}: {error}"[:300]
    # One GEMM per expert from Python on one stream: GPU time and host issue time.
    xs = list(x.split(m))
    ws = [w1[i].t() for i in range(g)]

    def loop() -> None:
        for i in range(g):
            torch.mm(xs[i], ws[i])

    t = gpu_seconds(loop, reps)
    out["loop_fc1_s"], out["loop_fc1_tflops"] = t, flops_fc1 / t / 1e12
    torch.cuda.synchronize()
    out["loop_fc1_host_s"] = host_seconds(loop, reps)
    torch.cuda.synchronize()
    return out


def host_sync(reps: int) -> dict[str, float]:
    counts = torch.zeros(128, device="cuda", dtype=torch.int64)
    small = torch.zeros(1024, device="cuda")

    def d2h() -> None:
        small.add_(1)
        counts.add_(1)
        counts.tolist()  # the D2H copy of the counts and the wait, as the dispatcher's .cpu()

    torch.cuda.synchronize()
    kernel = gpu_seconds(lambda: (small.add_(1), counts.add_(1)), reps)
    return {"sync_round_trip_s": host_seconds(d2h, reps), "two_small_kernels_gpu_s": kernel,
            "empty_synchronize_s": host_seconds(torch.cuda.synchronize, reps)}


def host_per_op(n: int = 2000) -> dict[str, float]:
    x = torch.zeros(256, device="cuda")
    w = torch.ones(256, device="cuda", requires_grad=True)

    def plain() -> None:
        for _ in range(n):
            x.add_(1.0)

    def recorded() -> None:
        y = w
        for _ in range(n // 2):
            y = y * 1.0001
        return y

    torch.cuda.synchronize()
    t_plain = host_seconds(plain, 5, 1) / n
    torch.cuda.synchronize()
    t_grad = host_seconds(recorded, 5, 1) / (n // 2)
    torch.cuda.synchronize()
    return {"eager_op_host_s": t_plain, "eager_op_autograd_host_s": t_grad}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("moe_kernel_bench: no CUDA device", file=sys.stderr)
        return 3
    props = torch.cuda.get_device_properties(0)
    doc: dict[str, Any] = {
        "format": "pdcost-moe-kernels/1",
        "gpu": props.name, "sm_count": props.multi_processor_count,
        "torch": torch.__version__, "cuda": torch.version.cuda, "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"), "grouped": [],
    }
    for shape in SHAPES:
        for m in TOKENS_PER_EXPERT:
            try:
                row = grouped(shape, m, args.reps)
            except Exception as error:  # noqa: BLE001
                row = {"model": shape["model"], "tokens_per_expert": m,
                       "error": f"{type(error).__name__}: {error}"[:300]}
            doc["grouped"].append(row)
            print(json.dumps(row), flush=True)
            torch.cuda.empty_cache()
    doc["host_sync"] = host_sync(200)
    doc["host_op"] = host_per_op()
    print(json.dumps({"host_sync": doc["host_sync"], "host_op": doc["host_op"]}), flush=True)
    with open(args.out, "w") as handle:
        json.dump(doc, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
