"""Forked helper processes of an indexing run: starting them, and what a helper does first.

Indexing hands work that would otherwise wait for the parent to processes
forked from it (the body field's postings, :mod:`newsindex.store.writing`; story
grouping, :mod:`newsindex.stories.grouping`). They are forked, not spawned, because
they need the parent's analysers and caches as they are, without pickling
them; so where there is no ``fork`` (or one core) everything runs in the
parent. What both kinds of helper need is here, once: a pipe each way (the
parent's end to the helper as large as the system allows, so that the parent
is rarely kept waiting by a send), Ctrl-C left to the parent, and no
inherited file left open in the helper.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import stat
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pickle import dumps
from typing import Any, Callable


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def start(target: Callable[..., None], args: tuple[Any, ...], name: str) -> tuple[BaseProcess, Connection, Connection]:
    """Fork a daemon process running ``target(inbox, outbox, parent_ends, *args)``; return it and the
    parent's (to the helper, from the helper) connections. ``target`` should begin with :func:`enter`.

    Raises OSError where the process cannot be made (resources, a sandbox).
    """
    ctx = multiprocessing.get_context("fork")
    their_inbox, outbox = ctx.Pipe(duplex=False)
    inbox, their_outbox = ctx.Pipe(duplex=False)
    try:
        import fcntl

        fcntl.fcntl(outbox.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass  # a smaller pipe only means more waiting
    # Blocked until the helper ignores it: a Ctrl-C at that moment must not print a traceback.
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process = ctx.Process(
            target=target, args=(their_inbox, their_outbox, (outbox, inbox), *args), daemon=True, name=name
        )
        process.start()
    except BaseException:
        outbox.close()
        inbox.close()
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        their_inbox.close()
        their_outbox.close()
    return process, outbox, inbox


def enter(parent_ends: tuple[Connection, ...]) -> None:
    """What a forked helper does first: leave Ctrl-C to the parent (which decides, and kills it),
    close the parent's ends of its pipes (so that the parent's death is an end of file here), and
    close its copies of the parent's open files; and keep the collector off the parent's objects."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    for end in parent_ends:
        end.close()
    _close_inherited_files()
    # What was inherited stays as it is: not for the collector to walk again and again (nor to copy).
    gc.freeze()


def _close_inherited_files() -> None:
    """Close the forked helper's copies of the parent's open files (it needs none of them).

    Above all the lock files: an ``flock`` lasts while any descriptor of it is
    open, so a helper outliving a killed parent (by the second it takes to see
    its pipe close) would keep the index locked against the next run.
    """
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: the locks are held a moment longer
        return
    for fd in fds:
        if fd > 2:
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    os.close(fd)
            except OSError:
                pass


def portable(exc: BaseException) -> BaseException:
    """``exc`` if it can be sent to the parent (pickled), else a RuntimeError that says what it was."""
    try:
        dumps(exc)
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def stop(process: BaseProcess, *connections: Connection) -> None:
    """Close the parent's connections to a helper, kill it if it still runs, and reap it."""
    try:
        for connection in connections:
            connection.close()
    finally:
        if process.is_alive():
            process.kill()
        process.join()
