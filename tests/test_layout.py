"""The package's plan, checked: each stage imports only from the stages below it.

The data flows one way (read articles -> analyse -> store -> search ->
stories -> coverage -> the facade -> the command line), and the folders say
so. This reads every module's imports with ``ast`` and fails when one runs
back up, or when two modules import each other, so the plan cannot rot.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "newsindex"

#: Every part of the package, lowest first; a module may import from its own part and those before it.
STAGES = ["version", "errors", "ingest", "text", "store", "search", "stories", "coverage", "index", "collection", "terminal", "export", "web", "cli"]


def module_name(package: Path, path: Path) -> str:
    """``.../newsindex/store/writing.py`` -> ``newsindex.store.writing`` (a package: its folder's name)."""
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    """``newsindex.store.writing`` -> ``store``; the package root itself -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_module(package: Path, dotted: str) -> bool:
    path = package.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(package: Path, path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of the package's own modules in a file, relative ones resolved."""
    me = module_name(package, path)
    here = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = ".".join(here[: len(here) - node.level + 1] + [node.module or ""]).strip(".") if node.level else (node.module or "")
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append((node.lineno, target if is_module(package, target) else base))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, target) for line, target in found if target.split(".")[0] == package.name]


def upward_imports(package: Path) -> list[str]:
    """Every import of a module from a higher stage than its own."""
    upward = []
    for path in sorted(package.rglob("*.py")):
        own = stage_of(module_name(package, path))
        if not own:
            continue  # the package root re-exports the public API
        for line, target in imports(package, path):
            other = stage_of(target)
            if other and STAGES.index(other) > STAGES.index(own):
                upward.append(f"{path.relative_to(package.parent)}:{line} ({own}) imports {target} ({other})")
    return upward


def mutual_imports(package: Path) -> list[tuple[str, str]]:
    edges = {(module_name(package, path), target) for path in package.rglob("*.py") for _, target in imports(package, path)}
    return sorted((a, b) for a, b in edges if (b, a) in edges and a < b)


def test_no_module_imports_from_a_higher_stage() -> None:
    assert upward_imports(PACKAGE) == []


def test_no_two_modules_import_each_other() -> None:
    assert mutual_imports(PACKAGE) == []


def test_every_part_is_a_known_stage_and_every_stage_folder_says_its_job() -> None:
    parts = {p.stem for p in PACKAGE.iterdir() if (p.suffix == ".py" or (p / "__init__.py").is_file())} - {"__init__", "__main__"}
    assert parts <= set(STAGES), f"place {sorted(parts - set(STAGES))} in the plan (STAGES)"
    for stage in STAGES:
        folder = PACKAGE / stage
        if folder.is_dir():
            doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
            assert doc and len(doc.split()) >= 20, f"{stage}/__init__.py needs a docstring saying its job"


def test_the_checker_catches_an_upward_and_a_mutual_import(tmp_path: Path) -> None:
    package = tmp_path / "newsindex"
    for folder in ("store", "search"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from . import errors\n")
    (package / "errors.py").write_text("")
    (package / "store" / "writing.py").write_text("from ..search.query import QueryParser\nfrom .. import errors\n")
    (package / "search" / "query.py").write_text("from ..store import writing\n")
    assert upward_imports(package) == ["newsindex/store/writing.py:1 (store) imports newsindex.search.query (search)"]
    assert mutual_imports(package) == [("newsindex.search.query", "newsindex.store.writing")]
