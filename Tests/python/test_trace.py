"""The predicted step (and a served request) as a trace: the library's schedule against the 1F1B
formulas, the file a viewer opens."""

from __future__ import annotations

import json

import pytest

from pdcost import _native
from pdcost.cli import main


def _schedule(pp: int, vpp: int, m: int, fwd: float, bwd: float) -> tuple[list[tuple[int, str, float, float]], float]:
    """The library's blocks (rank, kind, start, end in the unit of fwd/bwd) and the makespan,
    for a step of m micro-batches each fwd + bwd of busy time, with no bubble and no tail
    stated: the trace draws the schedule's own bubble."""
    doc = json.loads(_native.prediction_trace_json(m * (fwd + bwd), 0.0, 0.0, 0.0, 0.0, 0.0,
                                                   (0.0, 0.0, 0.0, 0.0, 0.0), float(m), pp, vpp))
    blocks = [(e["tid"] // 2, e["cat"], e["ts"] / 1e6, (e["ts"] + e["dur"]) / 1e6)
              for e in doc["traceEvents"] if e.get("cat") in ("forward", "backward")]
    return blocks, doc["otherData"]["traced_step_ms"] / 1e3


@pytest.mark.parametrize("pp,vpp,m", [(4, 1, 8), (8, 1, 3), (1, 1, 4), (4, 2, 8), (4, 3, 12), (2, 4, 8)])
def test_schedule_matches_the_pipeline_formula(pp: int, vpp: int, m: int) -> None:
    # Uniform stages, forward 1 and backward 2 per micro-batch and rank: 1F1B finishes after
    # m·(F + B) + (pp − 1)·(F + B)/vpp (Narayanan et al. 2021 §2.2: bubble (p − 1)/(v·m) of the
    # ideal time; plain 1F1B is vpp = 1). Interleaving needs m a multiple of pp.
    blocks, makespan = _schedule(pp, vpp, m, 1.0, 2.0)
    assert len(blocks) == 2 * m * pp * vpp
    assert max(end for *_, end in blocks) == pytest.approx(3 * m + 3 * (pp - 1) / vpp)
    assert makespan == pytest.approx(3 * m + 3 * (pp - 1) / vpp)
    for r in range(pp):            # a rank never runs two blocks at once
        spans = sorted((s, e) for rank, _, s, e in blocks if rank == r)
        assert all(a[1] <= b[0] + 1e-9 for a, b in zip(spans, spans[1:]))


def test_predict_writes_a_trace(tmp_path) -> None:
    path = tmp_path / "step.json"
    assert main(["predict", "--model", "llama3-70b", "--gpus", "64", "--tp", "4", "--pp", "4", "--vpp", "5",
                 "--sp", "--seq-len", "8192", "--global-batch", "512", "--recompute", "full",
                 "--trace", str(path)]) == 0
    doc = json.loads(path.read_text())
    events = doc["traceEvents"]
    lanes = {e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    assert {f"pipeline rank {r}" for r in range(4)} <= lanes
    blocks = [e for e in events if e.get("cat") in ("forward", "backward") and e["tid"] == 0]
    assert len(blocks) == 2 * 128 * 5                       # every micro-batch and chunk, both ways
    assert any(e.get("cat") == "recompute" for e in events)
    assert {e["name"] for e in events if e.get("cat") == "optimizer"} == {"optimizer step"}
    other = doc["otherData"]
    assert other["traced_step_ms"] == pytest.approx(other["predicted_step_ms"], rel=0.01)


def test_serve_predict_writes_a_request_trace(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "request.json"
    assert main(["serve", "predict", "--model", "llama3-8b", "--input-tokens", "1000", "--output-tokens", "5",
                 "--batch-size", "8", "--json", "--trace", str(path)]) == 0
    prediction = json.loads(capsys.readouterr().out)["prediction"]
    doc = json.loads(path.read_text())
    # One request: TTFT, then output − 1 = 4 tokens of TPOT each; it ends at the e2e latency.
    decode = [e for e in doc["traceEvents"] if e.get("cat") == "decode"]
    assert len(decode) == 4
    assert all(e["dur"] == pytest.approx(prediction["tpot_s"] * 1e6, rel=1e-12) for e in decode)
    prefill = next(e for e in doc["traceEvents"] if e.get("cat") == "prefill")
    assert (prefill["ts"] + prefill["dur"]) / 1e6 == pytest.approx(prediction["ttft_s"], rel=1e-12)
    assert doc["otherData"]["traced_e2e_ms"] == pytest.approx(prediction["e2e_s"] * 1e3, rel=1e-12)
