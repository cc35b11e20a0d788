"""Predictions against a measured-runs file: pdcost's validator on the records the harness wrote.

The records name ``framework: "torchtitan"`` (see records.FRAMEWORK for why that profile
describes the harness's eager loop), so the validator predicts each one with that profile and
the record's own plan, batch and recompute setting, exactly as ``pdcost validate FILE`` does.
Inference records (``serve`` and ``client``) go to pdcost's serving model; ``pdcost validate``
prints their MAPE per source group, and the text here adds one line per record with the
predicted and measured value of every metric (or why the record was not predicted).
"""

from __future__ import annotations

import inspect
import json
import os
from typing import Any

from ..costmodel import validate_runs

__all__ = ["compare"]


def compare(path: str | os.PathLike[str], *, text: bool = True, only_complete: bool = False,
            profile: str | None = None) -> str:
    """The validator's report for a measured-runs file: a table with MAPE per metric
    (``text=True``) or the JSON report. ``profile``: a calibrated profile file, where this
    pdcost's validator accepts one."""
    with open(path, "rb") as handle:
        data = handle.read()
    options: dict[str, Any] = {"text": text, "only_complete": only_complete}
    if profile is not None:
        if "profile" not in inspect.signature(validate_runs).parameters:
            raise NotImplementedError("this pdcost's validate_runs takes no calibrated profile; "
                                      "run `pdcost validate FILE --profile PROFILE` instead")
        options["profile"] = profile
    report = validate_runs(data, **options)
    if not text:
        return report
    options["text"] = False
    serving = json.loads(validate_runs(data, **options)).get("serving") or {}
    return report + serving_table(serving)


def serving_table(serving: dict[str, Any]) -> str:
    """One line per serving record: ``metric predicted/measured (error)``, or the skip reason."""
    runs = serving.get("runs") or []
    if not runs:
        return ""
    lines = ["", "Serving records, predicted / measured (error %):"]
    for run in runs:
        if run.get("skipped"):
            lines.append(f"{run.get('id')}: skipped: {run['skipped']}")
            continue
        parts = []
        for metric, value in (run.get("comparisons") or {}).items():
            m, p, e = value.get("measured"), value.get("predicted"), value.get("error_pct")
            if m is None or p is None:
                continue
            parts.append(f"{metric} {p:.4g}/{m:.4g}" + (f" ({e:+.1f}%)" if e is not None else ""))
        lines.append(f"{run.get('id')}: " + ("; ".join(parts) or "nothing measured to compare"))
    return "\n".join(lines) + "\n"


def summary(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The validator's per-metric summary ({metric: {"n", "mape", ...}})."""
    report: dict[str, Any] = json.loads(compare(path, text=False))
    return dict(report.get("summary", {}))
