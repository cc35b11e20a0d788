"""A predicted training step, or one served request, as a Chrome / Perfetto trace
(trace-event JSON).

Open the file in https://ui.perfetto.dev or chrome://tracing. The library builds the document
(``pdcost_prediction_trace`` / ``pdcost_serving_trace`` in pdcost.h; the core's
``StepTimeline`` and ``ServingTimeline``); this module hands it a prediction and returns the
parsed JSON.

Training: one lane per pipeline rank shows each micro-batch's forward, recompute and backward
of every model chunk in the order Megatron-Core's 1F1B (interleaved over ``vpp`` chunks)
schedule runs them; a lane per rank shows the communication the step could not hide; the step
ends with the data-parallel reduction, the optimizer, offload and host work. Within a
micro-batch the forward takes a third and the backward two thirds of the non-recomputed work
(Narayanan et al. 2021, SC'21, §3.1). The drawn bubble is the schedule's, next to the
prediction's in ``otherData``.

Serving: one request's life: the wait and the prefill up to the first token, then one decode
iteration per further token with its compute, memory, communication and overhead parts; it ends
at TTFT + (output − 1) × TPOT, the predicted end-to-end latency.
"""

from __future__ import annotations

import json
import os
from typing import Any

from . import _native
from .results import COMM_KINDS


def training_trace(result: Any, parallel: Any) -> dict[str, Any]:
    """The trace-event document of ``result`` (a :class:`PredictionResult`) for ``parallel``
    (its :class:`ParallelConfig`)."""
    exposed = result.comm_exposed_ms
    text = _native.prediction_trace_json(
        result.step_time_ms / 1e3, result.bubble_time_ms / 1e3, result.recompute_time_ms / 1e3,
        result.optimizer_time_ms / 1e3, result.offload_time_ms / 1e3, result.host_overhead_time_ms / 1e3,
        tuple(exposed.get(k, 0.0) / 1e3 for k in COMM_KINDS),
        float(result.gradient_accumulation_steps), max(int(parallel.pp), 1),
        max(int(getattr(parallel, "vpp", 1) or 1), 1))
    return json.loads(text)


def write_trace(path: str | os.PathLike[str], result: Any, parallel: Any) -> None:
    """Write :func:`training_trace` to ``path`` as JSON."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(training_trace(result, parallel), out)
