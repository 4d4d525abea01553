"""Describe the machine a benchmark ran on, so every figure says where it came from."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def _memory_gib() -> float:
    """Physical memory in GiB (0 if the platform does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return 0.0


def _cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo on Linux, else what platform reports."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe_machine() -> dict[str, object]:
    """Cores, memory, CPU, OS, Python and the versions of the libraries measured."""
    return {
        "cores": os.cpu_count() or 0,
        "memory_gib": round(_memory_gib(), 1),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {name: _version(name) for name in ("newsindex", "whoosh3", "tantivy", "nltk", "matplotlib")},
    }


def code_version(repo: Path) -> str:
    """The commit the measured newsindex code is at, and whether it has uncommitted changes.

    Read-only git calls (``--no-optional-locks`` keeps ``status`` from touching
    the index file); "not a git checkout" when git or the repository is missing.
    """
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--", "newsindex"],
                               cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"at commit {head}" + (" with uncommitted changes" if dirty else "")


def machine_line(machine: dict[str, object]) -> str:
    """One line naming the machine, for the report heading and the chart."""
    return (
        f"{machine['cores']} cores, {machine['memory_gib']} GiB RAM, {machine['cpu']}; "
        f"Python {machine['python']}; {machine['platform']}"
    )
