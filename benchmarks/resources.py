"""What a benchmark process used: CPU time, peak memory, and how busy the machine was.

CPU time next to wall time tells whether a measurement was fair: a
single-threaded step that got less than a whole core (CPU s well below wall s)
was slowed by something else on the machine, and the report says so.
"""

from __future__ import annotations

import os
import resource


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User plus system CPU time of this process (all its threads) and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def load_average() -> float:
    """The machine's 1-minute load average (0 where the platform has none)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0
