"""Predictions against a measured-runs file: pdcost's validator on the records the harness wrote.

The records name ``framework: "torchtitan"`` (see records.FRAMEWORK for why that profile
describes the harness's eager loop), so the validator predicts each one with that profile and
the record's own plan, batch and recompute setting, exactly as ``pdcost validate FILE`` does.
Inference records are listed as skipped until pdcost has an inference model.
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
    return validate_runs(data, **options)


def summary(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The validator's per-metric summary ({metric: {"n", "mape", ...}})."""
    report: dict[str, Any] = json.loads(compare(path, text=False))
    return dict(report.get("summary", {}))
