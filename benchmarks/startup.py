"""How long the ``newsindex`` command takes as a whole process, against a bare ``python -c pass``.

Run by the driver as ``python -m benchmarks.startup --index DIR --out FILE.json
[--runs N]`` on the newsindex index of Reuters-21578 it has just built. A
journalist exploring an archive runs dozens of commands in a row, so what
counts is the whole process, from the shell to the exit: the interpreter
starting, the imports, opening the index, the search, printing. Each command
runs ``--runs`` times after one untimed warm-up, the commands taking turns
(round after round, so a change in the machine's load touches them all
alike); the figures are medians of wall and CPU time (the child's own
``rusage``), and each is also given as a ratio to ``python -c pass`` measured
in the same rounds, which carries over to another machine.

The package's bytecode is compiled first, as an installed package's is after
its first run (with ``PYTHONDONTWRITEBYTECODE`` set, every run would
otherwise compile the package anew). The targets are those of issue 17:
a one-shot search at most 0.25 s, ``--version`` and ``--help`` at most 0.15 s.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import newsindex

#: The commands measured (the index is added where it says INDEX), with their target in seconds.
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", ["-c", "pass"], None),
    ("newsindex --version", ["--version"], 0.15),
    ("newsindex --help", ["--help"], 0.15),
    ("newsindex search cocoa", ["search", "cocoa", "--index", "INDEX"], 0.25),
    ("newsindex search 'title:cocoa place:brazil' --sort date --json",
     ["search", "title:cocoa place:brazil", "--sort", "date", "--json", "--index", "INDEX"], 0.25),
]


def command_line(args: list[str], index: Path) -> list[str]:
    """The command as a user types it: the ``newsindex`` script beside this interpreter."""
    if args[0] == "-c":
        return [sys.executable, *args]
    script = Path(sys.executable).with_name("newsindex")
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "newsindex.cli"]
    return program + [str(index) if a == "INDEX" else a for a in args]


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (its output thrown away; a failure raises)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(index: Path, runs: int) -> list[dict]:
    """Every command's medians over ``runs`` rounds, after a warm-up round."""
    lines = [command_line(args, index) for _, args, _ in COMMANDS]
    for line in lines:
        run_once(line)
    samples: list[list[tuple[float, float]]] = [[] for _ in lines]
    for _ in range(runs):
        for i, line in enumerate(lines):
            samples[i].append(run_once(line))
    base_wall = statistics.median(w for w, _ in samples[0])
    base_cpu = statistics.median(c for _, c in samples[0])
    figures = []
    for (name, _, target), taken in zip(COMMANDS, samples):
        wall = statistics.median(w for w, _ in taken)
        cpu = statistics.median(c for _, c in taken)
        figures.append({
            "command": name, "target_seconds": target, "runs": runs,
            "median_wall_seconds": wall, "median_cpu_seconds": cpu,
            "min_wall_seconds": min(w for w, _ in taken), "max_wall_seconds": max(w for w, _ in taken),
            "wall_ratio_to_python": wall / base_wall if base_wall else None,
            "cpu_ratio_to_python": cpu / base_cpu if base_cpu else None,
        })
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--index", type=Path, required=True, help="a newsindex index of Reuters-21578")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON figures")
    parser.add_argument("--runs", type=int, default=11, help="timed runs of each command (default 11)")
    args = parser.parse_args(argv)
    compileall.compile_dir(os.path.dirname(newsindex.__file__), quiet=1)
    result = {"commands": measure(args.index, args.runs), "load_average": os.getloadavg()[0]}
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
