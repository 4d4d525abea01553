"""The driver: run every engine through the same steps, each in a fresh process, and collect the figures.

For each corpus size (smallest first) and each engine: build the index
(:mod:`benchmarks.build`), then time the query mix on it
(:mod:`benchmarks.search`), the coverage timeline and facets
(:mod:`benchmarks.coverage`) and, for newsindex, the trace of claims
(:mod:`benchmarks.trace`); then measure ranking quality on Cranfield
(:mod:`benchmarks.relevance`). Indexes live in a temporary directory
outside the repository and are deleted as soon as they have been searched.

An engine is not built at a size when its time at the previous size, scaled
linearly, exceeds ``max_build_seconds``: that is how the full run stays
within its time limit, and the skip and its reason go into the report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import REPO_ROOT
from .corpora import QUICK_FILES, ReutersCorpus
from .engines import ENGINES, RANKING_VARIANTS
from .machine import code_version, describe_machine
from .querymix import describe, load_queries


@dataclass
class Plan:
    """What one benchmark run does (built from the command line)."""

    engines: list[str]
    sizes: list[int]
    out: Path
    corpora: Path
    reps: int = 10
    files: tuple[str, ...] | None = None
    max_build_seconds: float = float("inf")
    max_search_seconds: float = 60.0
    max_coverage_seconds: float = 30.0
    #: Length of the web interface's load phase (seconds of 8 concurrent clients; 0: no web run),
    #: and the share of the query mix it uses (every Nth query).
    web_seconds: float = 20.0
    web_every: int = 1
    max_trace_seconds: float = 60.0
    #: Calls of ``similar`` timed per corpus in the stories section (None: every events-dev article).
    similar_calls: int | None = None
    relevance: bool = True
    #: Whether to measure what per-article languages cost (three builds more: the full run only).
    languages: bool = True
    command: str = ""
    #: The Reuters copies of the "shards" section (a collection built on Dask); 0 leaves it out.
    shards_scale: int = 5
    #: 1-worker/2-worker build pairs of the "shards" section.
    shards_pairs: int = 1

    @classmethod
    def quick(cls, engines: list[str], out: Path, corpora: Path, command: str = "") -> "Plan":
        """The small run the tests execute: two Reuters files, Cranfield, three repetitions."""
        return cls(engines, [1], out, corpora, reps=3, files=QUICK_FILES, max_search_seconds=10.0,
                   max_coverage_seconds=5.0, max_trace_seconds=10.0, web_seconds=3.0, web_every=6, languages=False,
                   similar_calls=50, command=command, shards_scale=0)


@dataclass
class Progress:
    """Prints what runs, with the time since the start, so a long run is never silent."""

    started: float = field(default_factory=time.perf_counter)

    def say(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.1f}s] {message}", file=sys.stderr, flush=True)


class WorkerFailed(RuntimeError):
    """A build, search or relevance process failed; the run goes on without that figure."""


def run_worker(module: str, args: list[str], out: Path) -> dict:
    """Run ``python -m benchmarks.MODULE ARGS --out OUT`` in a fresh interpreter; return its JSON."""
    command = [sys.executable, "-m", f"benchmarks.{module}", *args, "--out", str(out)]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise WorkerFailed(f"{' '.join(command[2:4])} exited with {done.returncode}: {done.stderr.strip()[-1500:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _failed(results: dict, progress: "Progress", engine: str, where: str, exc: WorkerFailed) -> None:
    """Record a failed step in the report's notes (with the error's tail) instead of ending the run."""
    progress.say(f"FAILED {engine} {where}: {exc}")
    last_line = str(exc).strip().splitlines()[-1] if str(exc).strip() else "no message"
    results["skipped"].append({"engine": engine, "size": where, "reason": f"failed: {last_line}"})
    results["failures"].append({"engine": engine, "size": where, "error": str(exc)})


def size_label(plan: Plan, scale: int) -> str:
    """``x1``, ``x5``... or ``quick-x1`` for a run on a few files (the label build.py reports)."""
    return ReutersCorpus(plan.corpora, scale, plan.files).label


def available_engines(names: list[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The engines that can run here, and a note for each that cannot."""
    usable: list[str] = []
    notes: list[dict[str, str]] = []
    for name in names:
        reason = ENGINES[name].available()
        if reason is None:
            usable.append(name)
        else:
            notes.append({"engine": name, "size": "all", "reason": reason})
    return usable, notes


def too_slow(plan: Plan, last: tuple[int, float] | None, scale: int) -> str:
    """Why an engine is not built at ``scale`` (its last build scaled linearly is over the limit), or ""."""
    if last is None:
        return ""
    done_scale, seconds = last
    predicted = seconds * scale / done_scale
    if predicted <= plan.max_build_seconds:
        return ""
    return (
        f"not built at x{scale}: {seconds:.0f} s at x{done_scale} predicts ~{predicted:.0f} s,"
        f" over the {plan.max_build_seconds:.0f} s limit per build"
    )


def measure(plan: Plan, work: Path, name: str, scale: int, results: dict, progress: Progress) -> float:
    """Build one engine's index of one corpus size, then time the query mix and coverage on it; return the build time."""
    label = size_label(plan, scale)
    index = work / f"{name}-{label}"
    try:
        progress.say(f"build {name} {label}")
        build_args = [name, "--index", str(index), "--scale", str(scale), "--corpora", str(plan.corpora)]
        if plan.files:
            build_args += ["--files", ",".join(plan.files)]
        built = run_worker("build", build_args, work / "build.json")
        results["indexing"][label][name] = built
        progress.say(f"  {built['articles_indexed']:,} articles in {built['seconds']:.1f} s; search {name} {label}")
        results["queries"][label][name] = run_worker(
            "search",
            [name, "--index", str(index), "--reps", str(plan.reps), "--max-seconds", str(plan.max_search_seconds)],
            work / "search.json",
        )
        measure_coverage(plan, work, name, label, index, results, progress)
        if name == "newsindex" and scale == min(plan.sizes):
            measure_startup(plan, work, index, results, progress)
        if name == "newsindex" and scale == 1 and plan.web_seconds > 0:
            measure_web(plan, work, label, index, results, progress)
        if name == "newsindex":
            measure_trace(plan, work, label, index, results, progress)
        return built["seconds"]
    finally:
        shutil.rmtree(index, ignore_errors=True)


def measure_coverage(plan: Plan, work: Path, name: str, label: str, index: Path, results: dict,
                     progress: Progress) -> None:
    """Time the coverage timeline and facets on a built index; a failure here keeps the build and query figures."""
    progress.say(f"  coverage {name} {label}")
    try:
        results["coverage"][label][name] = run_worker(
            "coverage",
            [name, "--index", str(index), "--reps", str(plan.reps), "--max-seconds", str(plan.max_coverage_seconds)],
            work / "coverage.json",
        )
    except WorkerFailed as exc:
        _failed(results, progress, name, f"{label} coverage", exc)


def measure_startup(plan: Plan, work: Path, index: Path, results: dict, progress: Progress) -> None:
    """Time the ``newsindex`` command as whole processes on the index just built (see :mod:`benchmarks.startup`)."""
    progress.say("  start-up of the newsindex command")
    try:
        results["startup"] = run_worker(
            "startup", ["--index", str(index), "--runs", str(max(5, plan.reps))], work / "startup.json"
        )
    except WorkerFailed as exc:
        _failed(results, progress, "newsindex", "start-up", exc)


def measure_web(plan: Plan, work: Path, label: str, index: Path, results: dict, progress: Progress) -> None:
    """The web interface on newsindex's index: each query's search page cold, then 8 concurrent clients."""
    progress.say(f"  web interface under load, newsindex {label}")
    try:
        args = ["--index", str(index), "--seconds", str(plan.web_seconds), "--every", str(plan.web_every)]
        results["web"][label] = run_worker("web", args, work / "web.json")
    except WorkerFailed as exc:
        _failed(results, progress, "newsindex", f"{label} web", exc)


def measure_trace(plan: Plan, work: Path, label: str, index: Path, results: dict, progress: Progress) -> None:
    """Time newsindex's trace of claims taken from the indexed stories (no peer has one); a failure
    here keeps the other figures."""
    progress.say(f"  trace newsindex {label}")
    try:
        results["trace"][label] = run_worker(
            "trace",
            ["newsindex", "--index", str(index), "--reps", str(plan.reps), "--max-seconds", str(plan.max_trace_seconds)],
            work / "trace.json",
        )
    except WorkerFailed as exc:
        _failed(results, progress, "newsindex", f"{label} trace", exc)


def run(plan: Plan) -> dict:
    """Run the plan; return the results document (also what results.json holds)."""
    progress = Progress()
    begun = datetime.now(timezone.utc)
    engines, skipped = available_engines(plan.engines)
    for note in skipped:
        progress.say(f"skipping {note['engine']}: {note['reason']}")
    results: dict = {
        "meta": {
            "started": begun.isoformat(timespec="seconds"),
            "command": plan.command,
            "plan": {**asdict(plan), "out": str(plan.out), "corpora": str(plan.corpora)},
            "machine": describe_machine(),
            "code": code_version(REPO_ROOT),
            "versions": {name: ENGINES[name].version() for name in engines},
            "setups": {name: ENGINES[name].setup for name in engines},
        },
        "engines": engines,
        "sizes": [size_label(plan, s) for s in plan.sizes],
        "skipped": skipped,
        "failures": [],
        "query_mix": [{"id": q.id, "category": q.category, "query": describe(q)} for q in load_queries()],
        "coverage_queries": [{"id": q.id, "query": describe(q)} for q in load_queries(key="coverage")],
        "indexing": {},
        "queries": {},
        "coverage": {},
        "web": {},
        "trace": {},
        "relevance": {},
    }
    last_build: dict[str, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="newsindex-bench-") as tmp:
        work = Path(tmp)
        for scale in sorted(plan.sizes):
            label = size_label(plan, scale)
            results["indexing"][label] = {}
            results["queries"][label] = {}
            results["coverage"][label] = {}
            for name in engines:
                reason = too_slow(plan, last_build.get(name), scale)
                if reason:
                    progress.say(f"skipping {name} {label}: {reason}")
                    results["skipped"].append({"engine": name, "size": label, "reason": reason})
                    continue
                try:
                    seconds = measure(plan, work, name, scale, results, progress)
                    last_build[name] = (scale, seconds)
                except WorkerFailed as exc:
                    _failed(results, progress, name, label, exc)
        # Workers of newsindex alone: adding to a built index, what per-article languages cost, stories.
        for worker in ("incremental", "languages", "stories") if "newsindex" in engines else ():
            if worker == "languages" and not plan.languages:
                continue
            progress.say(f"{worker} newsindex")
            args = ["--index", str(work / f"newsindex-{worker}"), "--corpora", str(plan.corpora)]
            if plan.files:
                args += ["--files", ",".join(plan.files)]
            if worker == "stories" and plan.similar_calls:
                args += ["--similar", str(plan.similar_calls)]
            try:
                results[worker] = run_worker(worker, args, work / f"{worker}.json")
            except WorkerFailed as exc:
                _failed(results, progress, "newsindex", worker, exc)
        if "newsindex" in engines and plan.shards_scale:
            progress.say(f"shards: collection of Reuters x{plan.shards_scale} on 1 and 2 Dask workers")
            args = ["--work", str(work / "shards"), "--scale", str(plan.shards_scale), "--pairs", str(plan.shards_pairs),
                    "--reps", str(min(plan.reps, 5)), "--corpora", str(plan.corpora)]
            try:
                results["shards"] = run_worker("shards", args, work / "shards.json")
            except WorkerFailed as exc:
                _failed(results, progress, "newsindex", "shards", exc)
            shutil.rmtree(work / "shards", ignore_errors=True)
        if plan.relevance:
            for name in [n for e in engines for n in (e, *RANKING_VARIANTS.get(e, {}))]:
                progress.say(f"Cranfield {name}")
                try:
                    results["relevance"][name] = run_worker(
                        "relevance",
                        [name, "--index", str(work / f"{name}-cranfield"), "--corpora", str(plan.corpora)],
                        work / "relevance.json",
                    )
                except WorkerFailed as exc:
                    _failed(results, progress, name, "Cranfield", exc)
    results["meta"]["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["meta"]["duration_seconds"] = time.perf_counter() - progress.started
    progress.say("done")
    return results
