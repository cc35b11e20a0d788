"""The predicted step as a trace: the schedule against the 1F1B formulas, the file a viewer opens."""

from __future__ import annotations

import json

import pytest

from pdcost.cli import main
from pdcost.trace import _schedule


@pytest.mark.parametrize("pp,vpp,m", [(4, 1, 8), (8, 1, 3), (1, 1, 4), (4, 2, 8), (4, 3, 12), (2, 4, 8)])
def test_schedule_matches_the_pipeline_formula(pp: int, vpp: int, m: int) -> None:
    # Uniform stages, forward 1 and backward 2 per micro-batch and rank: 1F1B finishes after
    # m·(F + B) + (pp − 1)·(F + B)/vpp (Narayanan et al. 2021 §2.2: bubble (p − 1)/(v·m) of the
    # ideal time; plain 1F1B is vpp = 1). Interleaving needs m a multiple of pp.
    blocks = _schedule(pp, vpp, m, 1.0, 2.0)
    assert len(blocks) == 2 * m * pp * vpp
    assert max(end for *_, end in blocks) == pytest.approx(3 * m + 3 * (pp - 1) / vpp)
    for r in range(pp):            # a rank never runs two blocks at once
        spans = sorted((s, e) for rank, _, _, _, s, e in blocks if rank == r)
        assert all(a[1] <= b[0] + 1e-12 for a, b in zip(spans, spans[1:]))


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
