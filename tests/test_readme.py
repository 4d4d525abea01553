"""The README, run as written: every command of its code blocks, in order, against what it built.

A reader follows the README from the top: the quick start indexes the sample
corpus, later sections search that index. So the test does the same in a
fresh directory laid out like the repository (``corpus/``, ``.venv`` being
the environment the tests run in, ``../shared`` when it is present) and runs
each command with a shell, in the README's order:

- ``sh`` blocks: each line is a command; it must exit 0 without a traceback,
  and where the README says what it shows (a comment, the prose around it),
  :data:`CLAIMS` checks that it does;
- transcripts (a block whose lines start with ``$``): the command's output must
  be the lines shown, and a non-zero exit is expected only when they show an error;
- ``python`` blocks: run as a script.

The steps that make the environment (``python3 -m venv``, ``pip install``) are
the environment the test runs in, so they are left out. A command naming
``../shared`` is skipped, saying so, when ``../shared`` is absent. A block can
say more in an HTML comment on the line before it, which readers never see:
``<!-- readme-test: needs ../shared -->`` (the block uses what a ``../shared``
command built) or ``<!-- readme-test: skip REASON -->``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from conftest import ROOT, SHARED

README = ROOT / "README.md"
_MARKER = re.compile(r"<!--\s*readme-test:\s*(?P<what>needs ../shared|skip\s+(?P<reason>.+?))\s*-->")
#: Steps that make the environment the test already runs in.
_SETUP = re.compile(r"^(python3? -m venv \.venv|\.venv/bin/pip install .*)$")


@dataclass
class Command:
    line: int
    kind: str  # "sh", "transcript" or "python"
    text: str
    expected: str = ""
    skip: str = ""


def commands(readme: str) -> list[Command]:
    """The README's commands, in order, with what each block's marker and the shared corpora say."""
    found: list[Command] = []
    lines = readme.splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        start = i + 1
        end = next(j for j in range(start, len(lines)) if lines[j].startswith("```"))
        body = lines[start:end]
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = _MARKER.search(before)
        skip = (marker.group("reason") or "") if marker and marker.group("reason") else ""
        needs_shared = bool(marker and not marker.group("reason"))
        block = _block(fence.group(1), body, start + 1)
        for command in block:
            command.skip = skip or _shared_skip(needs_shared or "../shared" in command.text) or _tool_skip(command.text)
        found += block
        i = end + 1
    return found


def _block(lang: str, body: list[str], first_line: int) -> list[Command]:
    if lang == "python":
        return [Command(first_line, "python", "\n".join(body))]
    if lang == "sh":
        return [Command(first_line + n, "sh", text) for n, text in enumerate(body) if text.strip()]
    if lang == "" and body and body[0].startswith("$ "):
        found: list[Command] = []
        for n, text in enumerate(body):
            if text.startswith("$ "):
                found.append(Command(first_line + n, "transcript", text[2:]))
            elif found:
                found[-1].expected += text + "\n"
        return found
    return []  # grammar, layout: text, not commands


def _shared_skip(needed: bool) -> str:
    if needed and not SHARED.is_dir():
        return f"needs {SHARED} (the real corpora beside the repository), which is not present"
    return ""


def _tool_skip(text: str) -> str:
    """A command that pipes into jq is skipped where jq is not installed (it is not a Python package)."""
    if re.search(r"\|\s*jq\b", text) and shutil.which("jq") is None:
        return "needs jq, which is not installed (apt-get install jq)"
    return ""


def without_setup(text: str) -> str:
    """The command less the steps that make the environment (``python3 -m venv .venv && pip install``)."""
    return " && ".join(step for step in text.split(" && ") if not _SETUP.match(step.strip()))


def _second_page(out: str) -> bool:
    """Page 2 of a result that has one: "78 articles match (page 2 of 16, hits 6-10)"."""
    shown = re.match(r"[\d,]+ articles match \(page 2 of (\d+), hits 6-10\)", out)
    return shown is not None and int(shown.group(1)) >= 2


def _lines(n: int) -> Callable[[str], bool]:
    return lambda out: len(out.splitlines()) >= n


#: What the README says a command shows, checked on its output (stdout). Keys are a part of the command.
CLAIMS: dict[str, Callable[[str], bool]] = {
    "search '\"refused to extradite\" date:2025'": lambda out: "\n2 articles match" in "\n" + out,
    "--sort date --limit 5 --page 2": _second_page,
    "search 'title:cocoa' --json | jq -r .title": lambda out: out.strip() and "null" not in out.split("\n"),
    "show reuters-1 ": lambda out: out.startswith("BAHIA COCOA REVIEW"),
    "compare reuters-236 reuters-353": lambda out: "Only in A" in out and "15.8 mln bpd" in out,
    "similar reuters-236": lambda out: "reuters-353" in out.splitlines()[1],
    "stats  ": lambda out: "articles:" in out and "sources:" in out,
    "--version": lambda out: out.startswith("newsindex, version "),
    "search --help": lambda out: "Examples:" in out,
    "timeline coffee --by month": _lines(2),
    "opec.csv": lambda out: Path("opec.csv").read_text().startswith("period,count"),
    "--collapse": lambda out: "other telling" in out,
    "--facet topic --stories --summary": lambda out: "each story counted once" in out and "retold  source" in out,
    "timeline debt --by week --stories": lambda out: out.startswith("stories matching 'debt' per week"),
    "story 001_d111d31f41ebd35a": lambda out: out.startswith("story 000_7887337d1080e0d6: 2 articles"),
    "similar 000_7887337d1080e0d6": lambda out: "001_d111d31f41ebd35a" in out.splitlines()[1],
    "compare 000_7887337d1080e0d6 001_d111d31f41ebd35a": lambda out: "Bogdanov" in out and "T-72" in out,
    "--map title=headline,body=short_description --dry-run": lambda out: '"title": "STANDARD OIL' in out,
    "oil --all --csv > oil.csv": lambda out: Path("oil.csv").read_bytes().startswith(b"\xef\xbb\xbfrank,id,title"),
    "--summary --facet place": lambda out: "place (top" in out,
    "search -opec --summary": lambda out: out.startswith("987 articles match"),
    "--highlight '\"emergency opec\" kuwait'": lambda out: "**emergency OPEC**" in out or "**EMERGENCY OPEC**" in out,
    "stats --sources 0": lambda out: "The Insider" in out and "Reuters" in out,
    "batch names.csv --hits hits.csv": lambda out: "Kuwait,kuwait opec,6," in Path("overview.csv").read_text(encoding="utf-8-sig"),
    "batch names.csv --json": lambda out: out.splitlines()[0].startswith("Kuwait\t6\t"),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory laid out as a fresh clone with the environment installed, ``../shared`` beside it."""
    base = tmp_path_factory.mktemp("readme")
    project = base / "newsindex"
    project.mkdir()
    (project / "corpus").symlink_to(ROOT / "corpus")
    (project / ".venv").symlink_to(Path(sys.prefix))
    if SHARED.is_dir():
        (base / "shared").symlink_to(SHARED.parent)
    return project


README_COMMANDS = commands(README.read_text(encoding="utf-8"))
_done: dict[int, str] = {}


def run(command: Command, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSINDEX_INDEX"}
    env["PATH"] = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    if command.kind == "python":
        args = [sys.executable, "-c", command.text]
    else:
        args = ["bash", "-o", "pipefail", "-c", without_setup(command.text)]
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def check(command: Command, cwd: Path) -> None:
    done = run(command, cwd)
    said = f"README line {command.line}: {command.text}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, said
    if command.kind == "transcript":
        assert (done.stdout + done.stderr) == command.expected, said
        assert (done.returncode != 0) == ("error:" in command.expected), said
        return
    assert done.returncode == 0, said
    cwd_before = os.getcwd()
    os.chdir(cwd)
    try:
        for part, claim in CLAIMS.items():
            if part in command.text + "  ":
                assert claim(done.stdout), f"does not show what the README says: {said}"
    finally:
        os.chdir(cwd_before)


@pytest.mark.parametrize("position", range(len(README_COMMANDS)),
                         ids=[f"line {c.line}: {c.text.splitlines()[0][:60]}" for c in README_COMMANDS])
def test_readme_command(position: int, workdir: Path) -> None:
    """Each command runs after every command above it, as a reader would run them."""
    for earlier in range(position):
        if earlier not in _done:
            command = README_COMMANDS[earlier]
            _done[earlier] = command.skip or "ran"
            if not command.skip:
                check(command, workdir)
    command = README_COMMANDS[position]
    _done[position] = command.skip or "ran"
    if command.skip:
        pytest.skip(command.skip)
    check(command, workdir)


def test_every_claim_is_about_a_command_of_the_readme() -> None:
    texts = [c.text + "  " for c in README_COMMANDS]
    assert [part for part in CLAIMS if not any(part in t for t in texts)] == []


def test_the_reader_of_the_test_finds_blocks_markers_and_transcripts() -> None:
    readme = "\n".join([
        "Run:", "```sh", "python3 -m venv .venv && .venv/bin/pip install -e . && newsindex index corpus/",
        "newsindex stats   # counts", "```", "", "<!-- readme-test: skip the suite itself -->", "```sh",
        ".venv/bin/python -m pytest", "```", "<!-- readme-test: needs ../shared -->", "```sh", "newsindex stats -i r", "```",
        "```", "$ newsindex search '\"a'", "newsindex: error: unbalanced", "```", "```", "query := or_expr", "```",
    ])
    found = commands(readme)
    assert [(c.line, c.kind) for c in found] == [(3, "sh"), (4, "sh"), (9, "sh"), (13, "sh"), (16, "transcript")]
    assert without_setup(found[0].text) == "newsindex index corpus/"
    assert found[2].skip == "the suite itself"
    assert found[3].skip == _shared_skip(True)
    assert found[4].expected == "newsindex: error: unbalanced\n"


def test_ci_runs_the_readmes_test_command() -> None:
    """``.ci/run`` installs and tests the project as the README tells a reader to: its last line is that command."""
    (suite,) = [c for c in README_COMMANDS if c.skip == "the test suite itself"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == suite.text
