"""Reading the files users name by path, as the library does (``Sources/PDCostC/FileReader.swift``).

A path must be a regular file: it is opened non-blocking and checked with ``fstat`` before any
read, so a FIFO (whose blocking open would wait for a writer forever), a directory or a device
is refused at once with :class:`~pdcost.errors.PDCostIOError` naming the path and what it is.
Reads are bounded by the library's 64 MiB limit on JSON documents (``pdcost.h``, Memory).
"""

from __future__ import annotations

import os
import stat

__all__ = ["MAX_FILE_BYTES", "read_regular_file"]

#: Largest file read, in bytes: the library's limit on a JSON document.
MAX_FILE_BYTES = 64 << 20

_KINDS = {
    stat.S_IFIFO: "is a FIFO",
    stat.S_IFDIR: "is a directory",
    stat.S_IFCHR: "is a character device",
    stat.S_IFBLK: "is a block device",
    stat.S_IFSOCK: "is a socket",
}


def read_regular_file(path: str | os.PathLike[str]) -> bytes:
    """The contents of the regular file at ``path``.

    Raises :class:`OSError` (``FileNotFoundError``, ``PermissionError``, ...) if it cannot be
    opened, and :class:`~pdcost.errors.PDCostIOError` if it is not a regular file or is larger
    than :data:`MAX_FILE_BYTES`.
    """
    from .errors import PDCostIOError

    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        shown = os.fsdecode(os.fspath(path))
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "is a special file")
            raise PDCostIOError(f"cannot read '{shown}': {kind}, not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise PDCostIOError(f"cannot read '{shown}': {info.st_size} bytes, larger than the "
                                f"{MAX_FILE_BYTES >> 20} MiB limit")
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > MAX_FILE_BYTES:  # grew while being read
                raise PDCostIOError(f"cannot read '{shown}': larger than the "
                                    f"{MAX_FILE_BYTES >> 20} MiB limit")
            chunks.append(chunk)
    finally:
        os.close(fd)
