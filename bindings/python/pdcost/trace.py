"""A predicted training step as a Chrome / Perfetto trace (trace-event JSON).

Open the file in https://ui.perfetto.dev or chrome://tracing. One lane per pipeline rank shows
each micro-batch's forward, recompute and backward of every model chunk in the order the
schedule runs them; a lane per rank shows the communication the step could not hide; the
step ends with the data-parallel reduction, the optimizer, offload and host work.

The prediction gives each rank's busy time per micro-batch; within it the forward takes a
third and the backward two thirds of the non-recomputed work (two GEMMs per linear backward
for one forward: Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU
Clusters Using Megatron-LM", SC'21, §3.1), and recomputation runs just before its backward.
Each rank runs Megatron-Core's one-forward-one-backward sequence (interleaved over `vpp` model
chunks), every block as soon as its neighbour stage hands it on; the drawn bubble is that
schedule's, next to the prediction's in ``otherData``. A sequence that cannot complete (no
valid order) draws the blocks it could place.
"""

from __future__ import annotations

import json
import os
from typing import Any

#: Forward share of a micro-batch's non-recomputed work (backward = 2 × forward).
FORWARD_SHARE = 1.0 / 3.0


def _orders(pp: int, vpp: int, m: int, r: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Rank r's forward and backward (micro-batch, virtual stage) order. Interleaved
    (Megatron-Core `forward_backward_pipelining_with_interleaving`): groups of pp
    micro-batches, each through chunk 0, 1, … forward and the last chunk first backward."""
    if vpp == 1:
        return [(i, r) for i in range(m)], [(i, r) for i in range(m)]
    groups = range(0, m, pp)
    fwd = [(i, c * pp + r) for g in groups for c in range(vpp) for i in range(g, min(g + pp, m))]
    bwd = [(i, c * pp + r) for g in groups for c in reversed(range(vpp)) for i in range(g, min(g + pp, m))]
    return fwd, bwd


def _schedule(pp: int, vpp: int, m: int, fwd: float, bwd: float) -> list[tuple[int, str, int, int, float, float]]:
    """(rank, kind, micro-batch, chunk, start, end) of every block.

    Each rank runs its fixed 1F1B sequence — warm-up forwards, then one forward and one
    backward in turn, then the remaining backwards — with Megatron-Core's warm-up depth:
    pp − r − 1, or (pp − r − 1)·2 + (vpp − 1)·pp when interleaved (pipeline_parallel/
    schedules.py). Virtual stage s runs on rank s % pp; a forward of (i, s) waits for (i, s − 1),
    a backward of (i, s) for the backward of (i, s + 1), or on the last stage its own forward."""
    stages = pp * vpp
    f, b = fwd / vpp, bwd / vpp
    sequences: list[list[tuple[str, int, int]]] = []
    for r in range(pp):
        order_f, order_b = _orders(pp, vpp, m, r)
        n = len(order_f)
        warm = min((pp - r - 1) * 2 + (vpp - 1) * pp if vpp > 1 else pp - r - 1, n)
        seq = [("forward", *order_f[k]) for k in range(warm)]
        for k in range(n - warm):
            seq += [("forward", *order_f[warm + k]), ("backward", *order_b[k])]
        seq += [("backward", *order_b[k]) for k in range(n - warm, n)]
        sequences.append(seq)
    done: dict[tuple[str, int, int], float] = {}
    free = [0.0] * pp
    position = [0] * pp
    blocks: list[tuple[int, str, int, int, float, float]] = []
    progress = True
    while progress:
        progress = False
        for r in range(pp):
            while position[r] < len(sequences[r]):
                kind, i, s = sequences[r][position[r]]
                if kind == "forward":
                    dep = done.get(("forward", i, s - 1)) if s > 0 else 0.0
                else:
                    dep = done.get(("backward", i, s + 1)) if s + 1 < stages else done.get(("forward", i, s))
                if dep is None:
                    break
                start = max(free[r], dep)
                end = start + (f if kind == "forward" else b)
                done[(kind, i, s)] = end
                free[r] = end
                position[r] += 1
                blocks.append((r, kind, i, s // pp, start, end))
                progress = True
    return blocks


def training_trace(result: Any, parallel: Any) -> dict[str, Any]:
    """The trace-event document of ``result`` (a :class:`PredictionResult`) for ``parallel``
    (its :class:`ParallelConfig`)."""
    pp, vpp, m = max(parallel.pp, 1), max(parallel.vpp, 1), max(result.gradient_accumulation_steps, 1)
    exposed = result.comm_exposed_ms
    tail = [("data-parallel reduction (exposed)", "dp", exposed.get("dp", 0.0)),
            ("optimizer step", "optimizer", result.optimizer_time_ms),
            ("offload", "offload", result.offload_time_ms),
            ("host overhead", "host", result.host_overhead_time_ms)]
    busy = max(result.step_time_ms - result.bubble_time_ms - sum(t for _, _, t in tail), 0.0)
    per_mb = busy / m
    recompute = result.recompute_time_ms / m
    fwd = (per_mb - recompute) * FORWARD_SHARE
    bwd = per_mb - fwd
    layer_comm = sum(exposed.get(k, 0.0) for k in ("tp", "cp", "ep", "pp"))
    comm_share = min(layer_comm / busy, 1.0) if busy > 0 else 0.0
    blocks = _schedule(pp, vpp, m, fwd, bwd)
    events: list[dict[str, Any]] = [{"ph": "M", "pid": 0, "name": "process_name", "args": {"name": "training step"}}]
    for r in range(pp):
        events.append({"ph": "M", "pid": 0, "tid": 2 * r, "name": "thread_name", "args": {"name": f"pipeline rank {r}"}})
        events.append({"ph": "M", "pid": 0, "tid": 2 * r + 1, "name": "thread_name",
                       "args": {"name": f"rank {r} exposed communication"}})
    us = 1000.0
    end = 0.0
    for r, kind, i, chunk, start, stop in blocks:
        name = f"{kind} mb{i}" + (f" chunk{chunk}" if vpp > 1 else "")
        if kind == "backward" and recompute > 0:
            rc = recompute / vpp
            events.append({"ph": "X", "pid": 0, "tid": 2 * r, "name": f"recompute mb{i}", "cat": "recompute",
                           "ts": start * us, "dur": rc * us})
            events.append({"ph": "X", "pid": 0, "tid": 2 * r, "name": name, "cat": kind,
                           "ts": (start + rc) * us, "dur": (stop - start - rc) * us})
        else:
            events.append({"ph": "X", "pid": 0, "tid": 2 * r, "name": name, "cat": kind,
                           "ts": start * us, "dur": (stop - start) * us})
        if comm_share > 0:
            c = (stop - start) * comm_share
            events.append({"ph": "X", "pid": 0, "tid": 2 * r + 1, "name": "tp/cp/ep/pp (exposed)", "cat": "communication",
                           "ts": (stop - c) * us, "dur": c * us,
                           "args": {k: exposed.get(k, 0.0) / m for k in ("tp", "cp", "ep", "pp")}})
        end = max(end, stop)
    t = end
    for name, cat, ms in tail:
        if ms > 0:
            for r in range(pp):
                events.append({"ph": "X", "pid": 0, "tid": 2 * r + (1 if cat == "dp" else 0), "name": name,
                               "cat": cat, "ts": t * us, "dur": ms * us})
            t += ms
    return {"traceEvents": events, "displayTimeUnit": "ms",
            "otherData": {"predicted_step_ms": result.step_time_ms, "traced_step_ms": t,
                          "predicted_bubble_ms": result.bubble_time_ms,
                          "traced_bubble_ms": max(end - busy, 0.0),
                          "pp": pp, "vpp": vpp, "micro_batches": m,
                          "forward_ms_per_micro_batch": fwd, "backward_ms_per_micro_batch": bwd,
                          "note": "forward:backward = 1:2 of the non-recomputed work (Narayanan et al. 2021 §3.1)"}}


def write_trace(path: str | os.PathLike[str], result: Any, parallel: Any) -> None:
    """Write :func:`training_trace` to ``path`` as JSON."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(training_trace(result, parallel), out)
