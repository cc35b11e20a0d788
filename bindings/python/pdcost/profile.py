"""Calibration profiles: the efficiency constants a team measured or fitted for its cluster.

A profile is a JSON document (``format`` = ``"pdcost-profile"``, ``version`` = 1; the layout is
documented in ``Sources/PDCost/Calibration/CalibrationProfile.swift``) that a team commits next
to its launch scripts::

    from pdcost import CalibrationProfile, PDCostModel
    profile = CalibrationProfile.load("profiles/our-h100-cluster.json")
    model = PDCostModel(config, hardware, profile=profile)
    model.predict_calibrated(plan)

Only two fields change predictions:

* ``efficiency``: absolute values of the cost model's efficiency constants, by name
  (``gemm_peak_fraction16``, ``nvlink_fraction``, ...), for one cluster;
* ``efficiency_scale``: factors on each GPU generation's defaults (what a fit over measured runs
  on several GPU generations produces), clamped to each constant's bounds. Scales apply first.

Everything else (``machine``, ``gpu``, ``measurements``, ``fit``) is provenance and is kept as
plain dicts so that a profile written by a newer pdcost round-trips unchanged. Names and bounds
are checked by the native library when the profile is used (and by :meth:`check`).
"""

from __future__ import annotations

import json
import math
import os
from datetime import datetime, timezone
from typing import Any

from ._files import read_regular_file

__all__ = ["CalibrationProfile", "PROFILE_FORMAT", "PROFILE_VERSION"]

PROFILE_FORMAT = "pdcost-profile"
PROFILE_VERSION = 1

# Top-level keys this class models; any other key is kept verbatim in ``extra``.
_KNOWN_KEYS = ("format", "version", "created", "source", "generation", "efficiency",
               "efficiency_scale", "machine", "gpu", "measurements", "fit")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _numbers(field: str, value: Any) -> dict[str, float]:
    """A ``{name: number}`` mapping, checked; the error names the field and the entry."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{field} must be an object of name: number, not {type(value).__name__}")
    out: dict[str, float] = {}
    for name, number in value.items():
        if not isinstance(name, str):
            raise ValueError(f"{field} has a non-string key {name!r}")
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise ValueError(f"{field}.{name}={number!r} must be a number")
        if not math.isfinite(number):
            raise ValueError(f"{field}.{name}={number!r} must be finite")
        out[name] = float(number)
    return out


def _optional_dict(field: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{field} must be an object, not {type(value).__name__}")
    return dict(value)


class CalibrationProfile:
    """A calibration profile (see the module docstring for the JSON layout).

    Attributes:
        source: what produced it: ``"gpu-microbenchmarks"``, ``"runs-fit"`` or ``"manual"``.
        created: ISO-8601 UTC time of creation.
        generation: optional GPU generation (``"ampere"``, ``"hopper"``, ...) it was measured on.
        efficiency: absolute overrides of efficiency constants, by name.
        efficiency_scale: factors on each generation's defaults, by name.
        machine, gpu, measurements: provenance of micro-benchmark profiles (plain dicts).
        fit: summary of a fit to measured runs (``runs``, ``parameters``, ``mape_before``,
            ``mape_after``, ``cv_mape``, ``cv_method``, ``cv_mape_before``, ...), or None.
    """

    __slots__ = ("source", "created", "generation", "efficiency", "efficiency_scale", "machine",
                 "gpu", "measurements", "fit", "extra")

    def __init__(self, *, source: str = "manual", created: str | None = None,
                 generation: str | None = None, efficiency: dict[str, float] | None = None,
                 efficiency_scale: dict[str, float] | None = None,
                 machine: dict[str, Any] | None = None, gpu: dict[str, Any] | None = None,
                 measurements: dict[str, Any] | None = None, fit: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        if not isinstance(source, str) or not source:
            raise ValueError(f"source={source!r} must be a non-empty string")
        if created is not None and not isinstance(created, str):
            raise ValueError(f"created={created!r} must be an ISO-8601 string")
        if generation is not None and not isinstance(generation, str):
            raise ValueError(f"generation={generation!r} must be a string")
        self.source = source
        self.created = created or _now()
        self.generation = generation
        self.efficiency = _numbers("efficiency", efficiency)
        self.efficiency_scale = _numbers("efficiency_scale", efficiency_scale)
        for name, factor in self.efficiency_scale.items():
            if not 0 < factor <= 100:
                raise ValueError(f"efficiency_scale.{name}={factor!r} must be in (0, 100]")
        self.machine = _optional_dict("machine", machine)
        self.gpu = _optional_dict("gpu", gpu)
        self.measurements = _optional_dict("measurements", measurements)
        self.fit = _optional_dict("fit", fit)
        self.extra = dict(extra or {})

    # -- JSON ----------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CalibrationProfile:
        """A profile from its decoded JSON object; format and version are checked."""
        if not isinstance(data, dict):
            raise ValueError(f"a calibration profile must be a JSON object, not {type(data).__name__}")
        fmt = data.get("format")
        if fmt != PROFILE_FORMAT:
            raise ValueError(f"format={fmt!r}: not a pdcost profile (expected {PROFILE_FORMAT!r})")
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= PROFILE_VERSION:
            raise ValueError(f"version={version!r}: this pdcost reads profile versions 1..{PROFILE_VERSION}")
        if "source" not in data:
            raise ValueError("calibration profile: missing field 'source'")
        return cls(source=data["source"], created=data.get("created"),
                   generation=data.get("generation"), efficiency=data.get("efficiency"),
                   efficiency_scale=data.get("efficiency_scale"), machine=data.get("machine"),
                   gpu=data.get("gpu"), measurements=data.get("measurements"), fit=data.get("fit"),
                   extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS})

    @classmethod
    def from_json(cls, text: str | bytes) -> CalibrationProfile:
        """A profile from JSON text (str or UTF-8 bytes)."""
        from .config import loads_strict

        try:
            data = loads_strict(text)
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a repeated key
            raise ValueError(f"calibration profile is not valid JSON: {exc}") from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (optional fields omitted when empty)."""
        data: dict[str, Any] = dict(self.extra)
        data.update({"format": PROFILE_FORMAT, "version": PROFILE_VERSION, "created": self.created,
                     "source": self.source, "efficiency": dict(self.efficiency)})
        if self.generation is not None:
            data["generation"] = self.generation
        if self.efficiency_scale:
            data["efficiency_scale"] = dict(self.efficiency_scale)
        for name in ("machine", "gpu", "measurements", "fit"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """Key-sorted JSON (stable diffs when a team commits the profile)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True) + ("\n" if indent else "")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the profile as JSON to ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CalibrationProfile:
        """Reads a profile written by :meth:`save` (or by ``pdcost calibrate``)."""
        return cls.from_json(read_regular_file(path))

    # -- checks and display --------------------------------------------------------------------

    def check(self) -> CalibrationProfile:
        """Checks every efficiency name and bound in the native library (the same check a
        prediction with this profile makes). Raises :class:`~pdcost.errors.InvalidArgumentError`
        naming the entry at fault; returns ``self``."""
        from . import _native
        _native.check_profile(self.to_json(indent=None).encode("utf-8"))
        return self

    def changes_predictions(self) -> bool:
        """True when the profile overrides or scales at least one constant."""
        return bool(self.efficiency) or any(f != 1.0 for f in self.efficiency_scale.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalibrationProfile):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        parts = [f"source={self.source!r}", f"created={self.created!r}"]
        if self.generation:
            parts.append(f"generation={self.generation!r}")
        if self.efficiency:
            parts.append(f"efficiency={self.efficiency!r}")
        if self.efficiency_scale:
            scales = {k: round(v, 4) for k, v in sorted(self.efficiency_scale.items())}
            parts.append(f"efficiency_scale={scales!r}")
        if self.fit:
            keys = ("mape_before", "mape_after", "cv_mape", "cv_method")
            parts.append("fit={" + ", ".join(f"{k}: {self.fit[k]!r}" for k in keys
                                               if self.fit.get(k) is not None) + "}")
        return "CalibrationProfile(" + ", ".join(parts) + ")"
