"""Integer arguments of the native functions are range-checked, never wrapped: a Python int that
does not fit the C field must raise, not reach the library as a different number."""

from __future__ import annotations

import pytest

from pdcost import _native

FIT_COUNTS = ["cross_validation", "folds", "max_iterations", "min_runs_per_parameter"]


@pytest.mark.parametrize("field", FIT_COUNTS)
@pytest.mark.parametrize("value", [-1, 2**32 + 5])
def test_fit_runs_rejects_counts_outside_uint32(field: str, value: int) -> None:
    # Before: parsed with "I", which masks to 32 bits: folds=2**32+5 fitted with 5 folds and
    # folds=-1 became 4294967295. The message names the keyword and the value.
    with pytest.raises(ValueError, match=rf"{field}={value} must be in 0\.\.\.4294967295"):
        _native.fit_runs(b'{"schema": "pdcost.runs/1", "runs": []}', **{field: value})


def test_fit_runs_overflowing_count_raises() -> None:
    with pytest.raises(OverflowError):
        _native.fit_runs(b"{}", folds=2**80)
