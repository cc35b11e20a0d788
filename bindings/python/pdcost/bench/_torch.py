"""Lazy access to PyTorch and the GPU for :mod:`pdcost.bench` (private).

pdcost never depends on torch: the harness imports it only when a run starts, so
``import pdcost.bench`` and ``python -m pdcost.bench --help`` work on machines without it.
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import NoDeviceError, PDCostError

__all__ = ["TorchUnavailableError", "require_torch", "require_device", "INSTALL_HINT"]

INSTALL_HINT = ("install PyTorch with CUDA in this environment, e.g. "
                "`pip install torch` (see https://pytorch.org/get-started/locally/)")


class TorchUnavailableError(PDCostError, ImportError):
    """PyTorch is not importable, so real runs cannot be measured here."""

    status = "PDCOST_EUNSUPPORTED"


def configure_allocator() -> None:
    """Turns on the caching allocator's expandable segments unless the user chose a setting.

    torchtitan sets ``PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True`` (run_train.sh), and
    pdcost's torchtitan profile assumes it (``FrameworkProfile.expandableSegments``). The
    allocator reads the variable when CUDA first allocates, so this runs before any tensor
    is placed on the GPU.
    """
    os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")


def require_torch() -> Any:
    """``import torch``, or :class:`TorchUnavailableError` with an install hint."""
    configure_allocator()
    try:
        import torch
    except ImportError as error:
        raise TorchUnavailableError(
            f"pdcost.bench needs PyTorch, which is not importable ({error}); {INSTALL_HINT}"
        ) from None
    return torch


def require_device(device: str) -> Any:
    """torch, after checking that ``device`` ("cuda" or "cpu") can run the harness.

    "cuda" without a usable NVIDIA GPU raises :class:`~pdcost.errors.NoDeviceError`.
    """
    torch = require_torch()
    if device == "cuda":
        if not torch.cuda.is_available():
            build = getattr(torch.version, "cuda", None)
            why = ("this PyTorch build has no CUDA support" if not build
                   else "no NVIDIA GPU or driver is visible (CUDA_VISIBLE_DEVICES?)")
            raise NoDeviceError(f"pdcost.bench needs an NVIDIA GPU: {why}; "
                                "use --device cpu for a one-step smoke test of the loop")
    elif device != "cpu":
        raise ValueError(f"device={device!r} must be 'cuda' or 'cpu'")
    return torch
