"""Hardware calibration (micro-benchmarks of GEMM throughput and HBM bandwidth).

Not implemented yet: it arrives with the training cost model. The name is importable now so
that code written against the original pdcost API (``from pdcost import quick_calibrate``)
imports unchanged.
"""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["quick_calibrate"]

_NOT_YET = "hardware calibration arrives with the training cost model"


def quick_calibrate(device_id: int = 0, **options: Any) -> NoReturn:
    """Measure the GPU ``device_id`` (GEMM TFLOP/s per dtype, HBM bandwidth).

    Raises :class:`NotImplementedError` until calibration is implemented.
    """
    raise NotImplementedError(_NOT_YET)
