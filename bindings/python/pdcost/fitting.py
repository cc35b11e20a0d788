"""Fitting the cost model's efficiency constants to measured runs (``pdcost calibrate --runs``).

::

    from pdcost import fit
    profile = fit("runs.json")                         # a pdcost.runs/1 file
    print(profile.fit["mape_before"], profile.fit["mape_after"], profile.fit["cv_mape"])
    profile.save("profiles/our-cluster.json")

The fit runs in the native library (``pdcost_fit_runs``; the GIL is released): bounded, robust
least squares on the log error of tokens/s/GPU over multiplicative scales of a small documented
set of constants (GEMM efficiency per dtype, attention efficiency and its sequence-length knee,
NVLink / network / all-to-all bandwidth, overlap; and against measured allocated / reserved /
device memory, allocator fragmentation, workspaces and runtime memory), with cross-validation
(within one cluster: leave-one-model-out, so a scale is kept only if it helps the cluster's
other models). A parameter too few runs respond to, or one that does not lower
the cross-validated error consistently, is not fitted; ``profile.fit["dropped"]`` says why.
The method is documented in ``Sources/PDCost/Calibration/Fit/RunsFitter.swift``.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Literal, Sequence

from . import _native
from ._files import read_regular_file
from .profile import CalibrationProfile

__all__ = ["fit", "efficiency_parameters", "CV_METHODS"]

#: Cross-validation methods, as pdcost_cross_validation values.
CV_METHODS = {"auto": 0, "none": 1, "leave-one-source-out": 2, "loso": 2, "k-fold": 3, "kfold": 3,
              "leave-one-model-out": 4, "lomo": 4}


def _runs_bytes(runs: str | bytes | os.PathLike[str]) -> tuple[bytes, str | None]:
    """The runs document as bytes, and the file name when it came from a file."""
    if isinstance(runs, (bytes, bytearray, memoryview)):
        return bytes(runs), None
    if isinstance(runs, os.PathLike) or (isinstance(runs, str) and not runs.lstrip().startswith("{")):
        path = os.fspath(runs)
        return read_regular_file(path), path
    if isinstance(runs, str):
        return runs.encode("utf-8"), None
    raise TypeError(f"runs must be a path, JSON text or bytes, not {type(runs).__name__}")


def fit(runs: str | bytes | os.PathLike[str], parameters: Sequence[str] | str | None = None,
        cv: Literal["auto", "none", "leave-one-source-out", "k-fold", "leave-one-model-out"] = "auto", *,
        folds: int = 5, max_iterations: int = 60, min_runs_per_parameter: int = 5,
        complete_only: bool = False, select: Literal["forward", "all"] = "forward",
        progress: Callable[[float, str], Any] | None = None,
        overrides: str | bytes | None = None) -> CalibrationProfile:
    """Fit efficiency scales to a measured-runs file and return the profile.

    Args:
        runs: a ``pdcost.runs/1`` document: a path, JSON text or bytes.
        parameters: names to fit (efficiency constants or the group ``"attention"``), as a list
            or a comma-separated string; None fits the default set
            (:func:`efficiency_parameters` ``["fit_defaults"]``).
        cv: ``"auto"`` (leave-one-source-out with at least 3 sources, else
            leave-one-model-out), ``"none"``, ``"leave-one-source-out"``, ``"k-fold"``
            (deterministic folds) or ``"leave-one-model-out"`` (one fold per model architecture;
            one per run when the runs are of one model, reported as ``"leave-one-run-out"``).
        folds: k of k-fold.
        max_iterations: Levenberg–Marquardt iterations per fit.
        min_runs_per_parameter: the data-support rule (runs that must respond to a parameter,
            and runs per fitted parameter overall).
        complete_only: fit only records marked ``complete``.
        select: ``"forward"`` keeps only parameters that lower the cross-validated error;
            ``"all"`` fits every parameter the data supports.
        progress: ``progress(fraction, message)``, called now and then; return True to cancel.
        overrides: JSON text or bytes of a ``pdcost.run-overrides/1`` document: the switches
            the runs file leaves unstated, restated per run id with their source, as
            :func:`~pdcost.validate_runs` applies them; the profile's ``fit["overrides"]``
            then counts ``entries`` and restated ``runs``.

    Returns:
        A :class:`~pdcost.profile.CalibrationProfile` with ``source="runs-fit"``, the fitted
        ``efficiency_scale`` and ``fit`` = {``runs``, ``parameters``, ``mape_before``,
        ``mape_after``, ``cv_method``, ``cv_mape_before``, ``cv_mape``, ``dropped``, ``kept``}
        (MAPE of tokens/s/GPU, percent; ``kept``/``dropped``: name → reason), plus, when runs
        measured memory, ``memory_mape_before``, ``memory_mape_after``,
        ``cv_memory_mape_before`` and ``cv_memory_mape`` (allocated/reserved/device memory).

    Raises:
        InvalidArgumentError: unknown parameter, too few runs, or no parameter the runs support.
        ParseError: the runs document is not valid JSON / pdcost.runs/1.
    """
    data, path = _runs_bytes(runs)
    if isinstance(parameters, str):
        names: str | None = parameters
    elif parameters is None:
        names = None
    else:
        names = ",".join(parameters)
        if not names:
            raise ValueError("parameters=[] names no parameter (None fits the default set)")
    try:
        method = CV_METHODS[cv]
    except (KeyError, TypeError):
        raise ValueError(f"cv={cv!r} must be one of 'auto', 'none', 'leave-one-source-out', "
                         "'k-fold', 'leave-one-model-out'") from None
    if select not in ("forward", "all"):
        raise ValueError(f"select={select!r} must be 'forward' or 'all'")
    for name, value, low, high in (("folds", folds, 2, 100), ("max_iterations", max_iterations, 1, 10000),
                                   ("min_runs_per_parameter", min_runs_per_parameter, 1, 1000)):
        if type(value) is not int or not low <= value <= high:
            raise ValueError(f"{name}={value!r} must be an int in {low}..{high}")
    text = _native.fit_runs(data, parameters=names, cross_validation=method, folds=folds,
                            max_iterations=max_iterations,
                            min_runs_per_parameter=min_runs_per_parameter,
                            complete_only=complete_only, all_supported=select == "all",
                            runs_file=os.path.basename(path) if path else None, progress=progress,
                            overrides=overrides.encode("utf-8") if isinstance(overrides, str) else overrides)
    return CalibrationProfile.from_json(text)


def efficiency_parameters() -> dict[str, Any]:
    """The efficiency constants (``parameters``: name, lower, upper, summary, defaults per GPU
    generation), the fit's groups (``fit_groups``) and its default set (``fit_defaults``)."""
    return json.loads(_native.efficiency_parameters_json())
