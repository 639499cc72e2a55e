"""Reading a file that someone else may have placed: without following a link, and only up to
a size bound, so a link to a secret, a FIFO or `/dev/zero` gives one line instead of a
disclosure, a hang or a machine out of memory.

The file's last path component is opened with O_NOFOLLOW (the folders above it are the
caller's), with O_NONBLOCK so that opening a FIFO does not wait for a writer, and is read only
once it is known to be a regular file. The content is never part of an error.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from statement_figures.domain.errors import FiguresError

KIB = 1 << 10
MIB = 1 << 20

_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
_CHUNK = 1 << 20


def read_regular_file(
    path: Path, limit: int, *, follow_links: bool = False
) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most `limit` bytes, and its status (taken from the
    opened file, so it describes the very bytes read).

    Raises FiguresError naming the path and the rule for a symbolic link (unless
    `follow_links`), anything but a regular file, or a file larger than `limit`; OSError
    (FileNotFoundError, PermissionError, ...) passes through for the caller to word.
    """
    flags = _FLAGS if follow_links else _FLAGS | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_links:
            raise FiguresError("is a symbolic link: not followed", location=str(path)) from None
        raise
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise FiguresError("is not a regular file", location=str(path))
        return _read_at_most(fd, path, limit), status
    finally:
        os.close(fd)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, never through a symbolic link
    (read_regular_file says what is refused)."""
    return read_regular_file(path, limit)[0]


def _read_at_most(fd: int, path: Path, limit: int) -> bytes:
    """Up to limit + 1 bytes, so that a file growing while it is read is refused too."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise FiguresError(f"is larger than {limit} bytes", location=str(path))
