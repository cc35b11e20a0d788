"""The exceptions pdcost raises.

Every failure of the native library arrives as a :class:`PDCostError` subclass chosen by the
library's status code (``pdcost_status`` in ``include/pdcost.h``); the mapping lives in one
function of the extension (``_native.c: raise_status``). Each exception carries

* ``status``: the stable name of the code, e.g. ``"PDCOST_EINVAL"``;
* ``str(exc)``: the library's message, which names the field and the value at fault.

Errors caused by bad input also subclass :class:`ValueError` (and :class:`LookupError` for an
unknown name), so ``except ValueError`` keeps working for callers that do not know pdcost.
"""

from __future__ import annotations

__all__ = [
    "PDCostError",
    "InvalidArgumentError",
    "ParseError",
    "NotFoundError",
    "UnsupportedError",
    "VersionMismatchError",
    "InfeasiblePlanError",
    "NoDeviceError",
    "PDCostIOError",
    "CancelledError",
    "STATUS_EXCEPTIONS",
]


class PDCostError(Exception):
    """Base class of every error reported by the pdcost library."""

    #: The library status name (``pdcost_status_name``); subclasses set their own.
    status: str = "PDCOST_EINTERNAL"

    def __init__(self, message: str, status: str | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        """The library's message (the same as ``str(exc)``)."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[type[PDCostError], tuple[str, str]]:
        # Keep `status` through pickling (multiprocessing, concurrent.futures).
        return (type(self), (self.message, self.status))


class InvalidArgumentError(PDCostError, ValueError):
    """A value is missing, out of range or inconsistent (``PDCOST_EINVAL``)."""

    status = "PDCOST_EINVAL"


class ParseError(PDCostError, ValueError):
    """Malformed JSON, text that is not UTF-8, or a JSON value of the wrong type (``PDCOST_EPARSE``)."""

    status = "PDCOST_EPARSE"


class NotFoundError(PDCostError, LookupError, ValueError):
    """An unknown preset name; the message lists the known ones (``PDCOST_ENOTFOUND``)."""

    status = "PDCOST_ENOTFOUND"


class UnsupportedError(PDCostError, ValueError):
    """Valid input that pdcost does not model, e.g. an unknown architecture (``PDCOST_EUNSUPPORTED``)."""

    status = "PDCOST_EUNSUPPORTED"


class VersionMismatchError(PDCostError):
    """A struct or library version this build does not understand (``PDCOST_EVERSION``)."""

    status = "PDCOST_EVERSION"


class InfeasiblePlanError(PDCostError, ValueError):
    """A parallel plan violates a constraint of the model or cluster (``PDCOST_EINFEASIBLE``)."""

    status = "PDCOST_EINFEASIBLE"


class NoDeviceError(PDCostError, RuntimeError):
    """No GPU, driver or CUDA library is available (``PDCOST_ENODEVICE``)."""

    status = "PDCOST_ENODEVICE"


class PDCostIOError(PDCostError, OSError):
    """A file could not be read or written (``PDCOST_EIO``)."""

    status = "PDCOST_EIO"


class CancelledError(PDCostError):
    """A progress callback asked a long operation (search, calibration, fit) to stop
    (``PDCOST_ECANCELED``)."""

    status = "PDCOST_ECANCELED"


#: Status name → exception class. The extension reads this table at import; a status missing
#: from it (a newer library's code) is raised as the base :class:`PDCostError`.
STATUS_EXCEPTIONS: dict[str, type[PDCostError]] = {
    cls.status: cls
    for cls in (
        InvalidArgumentError,
        ParseError,
        NotFoundError,
        UnsupportedError,
        VersionMismatchError,
        InfeasiblePlanError,
        NoDeviceError,
        PDCostIOError,
        CancelledError,
    )
}
