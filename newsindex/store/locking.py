"""Who is writing an index: an OS-level lock that also says which process holds it.

Whoosh's own write lock is an ``flock`` (released by the kernel when its
process dies) but it records nothing, so a second writer can only be told
"locked". This lock wraps the whole indexing run (Whoosh's lock is taken
again for each committed batch) and writes the holder's process id into the
lock file, so that a second writer is told *which* process is writing, and a
file left behind by a killed process is recognised as stale (its lock is free
but its owner is recorded) and cleared.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import time
from pathlib import Path

from ..errors import IndexLockedError, NewsIndexError

LOCK_FILE = "newsindex.lock"


class WriteLock:
    """An exclusive, process-wide lock on one index directory."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_FILE
        self._fd: int | None = None
        #: The process id a killed writer left in the lock file, if any (cleared on acquire).
        self.stale_owner: str | None = None

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, waiting up to ``wait`` seconds for another writer to finish.

        Raises :class:`IndexLockedError` naming the process that holds it.
        """
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise NewsIndexError(f"{self.path.parent}: cannot write to the index: {exc.strerror}") from None
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    owner = _read(fd) or "unknown"
                    os.close(fd)
                    raise IndexLockedError(
                        f"{self.path.parent}: the index is being written by {owner}"
                        + (f" (waited {wait:g} s)" if wait else "; use --wait SECONDS to wait for it")
                    ) from None
                time.sleep(min(0.1, max(deadline - time.monotonic(), 0.0)))
        self.stale_owner = _read(fd) or None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"process {os.getpid()} on {socket.gethostname()}".encode(), 0)
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)  # closing releases the lock
            raise NewsIndexError(f"{self.path.parent}: cannot write to the index: {exc.strerror}") from None
        self._fd = fd

    def release(self) -> None:
        """Empty the lock file (so the next writer sees no stale owner) and unlock it."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> "WriteLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read(fd: int) -> str:
    return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
