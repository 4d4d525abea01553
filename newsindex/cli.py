"""The ``newsindex`` command: a thin click layer over :class:`newsindex.NewsIndex`.

Every failure the library raises on purpose (:class:`NewsIndexError`) becomes
one line on stderr and a non-zero exit code: 2 for a malformed query or
option, 1 for everything else. Tracebacks are for bugs only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import contextlib
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from functools import update_wrapper
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import click

from .version import __version__
from .coverage.timeline import GRANULARITIES
from .errors import DateError, NewsIndexError, QueryError, ReadError
from .ingest.formats import SUPPORTED_FORMATS
from .search.results import SORTS
from .store.indexing import COMMIT_EVERY, IndexingInterrupted
from .ingest.dates import parse_period
from .ingest.limits import DEFAULT_LIMITS, OPTIONS, Limits, format_size, parse_size
from .store.schema import FACETS, article_fields
from .terminal import safe, safe_json

if TYPE_CHECKING:
    from .index import IndexSummary, NewsIndex
    from .ingest.article import Article
    from .search.results import Hit, Results

# Each command imports what it needs when it runs (the index, the readers, charts, compare):
# a journalist runs dozens of commands in a row, and each should start at once.

_BOLD = re.compile(r"\*\*(.+?)\*\*")


class _Group(click.Group):
    """Turns the library's errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        # A polite kill (SIGTERM) stops a run the way Ctrl-C does: roll back, report, exit.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            return super().invoke(ctx)
        except QueryError as exc:
            click.echo(f"newsindex: error: {safe(str(exc))}", err=True)
            sys.exit(2)
        except NewsIndexError as exc:
            if isinstance(exc, IndexingInterrupted):
                click.echo(f"newsindex: {safe(str(exc))}", err=True)
                sys.exit(130)
            click.echo(f"newsindex: error: {safe(str(exc))}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("newsindex: interrupted; the index is as it was at its last commit", err=True)
            sys.exit(130)
        except click.UsageError as exc:  # a command's arguments: one line, as every other error
            hint = ""
            if isinstance(exc, click.NoSuchOption) and exc.ctx is not None and exc.ctx.command.params[0].name in (
                "query", "article_id", "ids", "id_a",
            ):
                hint = f"; a query or id that starts with - goes last, after --: {exc.ctx.command_path} [OPTIONS] -- '-opec'"
            where = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
            click.echo(f"newsindex: error: {safe(exc.format_message().rstrip('.'))}{hint}{where}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as a process killed by SIGPIPE would.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)


class _QueryCommand(click.Command):
    """A command whose QUERY may start with "-" (``newsindex search -opec``).

    Click takes every argument that starts with "-" for an option. Here one
    that is not an option of the command (nor an option with its value
    attached, ``-n5``, ``--limit=5``) is the query: it is moved behind a
    ``--``, which tells click that what follows are arguments.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" not in args:
            names = {name for param in self.get_params(ctx) for name in (*param.opts, *param.secondary_opts)}
            query = [arg for arg in args if arg.startswith("-") and arg != "-" and not _is_option(arg, names)]
            if query:
                args = [arg for arg in args if arg not in query] + ["--", *query]
        return super().parse_args(ctx, args)


def _is_option(arg: str, names: set[str]) -> bool:
    if arg in names or arg.split("=", 1)[0] in names:
        return True
    return arg[:2] in names and not arg.startswith("--") and arg[2:].isdigit()  # -n5, -p2


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def default_index_dir() -> Path:
    """``$NEWSINDEX_INDEX`` if set, else ``index`` in the current directory."""
    from .index import default_index_dir as default

    return default()


def _open(index_dir: Path) -> NewsIndex:
    """The index or collection in ``index_dir``, for reading (imported now, not at start-up)."""
    from .collection import open_any

    return open_any(index_dir)  # type: ignore[return-value]  # a Collection answers as a NewsIndex


def _index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index", "-i", "index_dir", type=click.Path(file_okay=False, path_type=Path),
        default=default_index_dir, show_default="index, or $NEWSINDEX_INDEX",
        help="Directory of the index.",
    )(func)


def _json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for tools such as jq.")(func)


def _limit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--max-line, --max-record, --max-page, --max-member: the readers' :class:`Limits`, as one ``limits``."""
    helps = {
        "line": "Longest line of JSON Lines, or row of CSV/TSV, that is read",
        "record": "Longest WARC record or Reuters story that is read",
        "page": "Largest file read whole (plain text, web page, feed) that is read",
        "member": "Most bytes a compressed file or zip member may decompress to",
    }
    for name, text in reversed(helps.items()):
        default = getattr(DEFAULT_LIMITS, name)
        func = click.option(OPTIONS[name], f"max_{name}", metavar="SIZE", default=None,
                            help=f"{text} (default {format_size(default).replace(' ', '')}; e.g. 64M, 2G).")(func)

    def with_limits(*args: Any, **kwargs: Any) -> Any:
        try:
            sizes = {name: parse_size(value) for name in helps if (value := kwargs.pop(f"max_{name}")) is not None}
            kwargs["limits"] = replace(DEFAULT_LIMITS, **sizes)
        except NewsIndexError as exc:
            raise click.BadParameter(str(exc)) from None
        return func(*args, **kwargs)

    return update_wrapper(with_limits, func)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsindex")
def main() -> None:
    """Full-text search for collections of news articles.

    \b
    Examples:
      newsindex index corpus/
      newsindex search '"refused to extradite" date:2025'
      newsindex search 'title:cocoa place:brazil' --sort date --limit 5
      newsindex show reuters-1
      newsindex stats
      newsindex timeline coffee --by month
      newsindex terms coffee
      newsindex serve                  # the web interface on http://127.0.0.1:8000/
    """


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_index_option
@click.option("--rebuild", is_flag=True,
              help="Build the index again from PATHS alone, beside the old one, which it replaces at the end.")
@click.option("--map", "field_map", metavar="FIELD=KEY,...", help="Map JSON keys or CSV columns to fields, e.g. title=headline,body=short_description.")
@click.option("--format", "fmt", type=click.Choice(SUPPORTED_FORMATS), help="Read every file in this format, whatever its extension.")
@click.option("--language", default="english", show_default=True,
              help="A new index's default language (Snowball): the analysis of articles whose language is neither "
                   "declared nor detected; every other article is analysed in its own language.")
@click.option("--no-stories", is_flag=True, help="Do not group articles into stories now (faster; the next run catches up).")
@click.option("--commit-every", default=COMMIT_EVERY, show_default=True, type=click.IntRange(1),
              help="Commit after this many written articles: a crash loses at most one batch.")
@click.option("--wait", default=0.0, type=click.FloatRange(0), metavar="SECONDS",
              help="Wait this long for another process writing the index, instead of failing at once.")
@click.option("--dry-run", is_flag=True, help="Print the articles PATHS give, one JSON object per line; the index is not touched.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-file notes.")
@click.option("--include", multiple=True, metavar="GLOB",
              help="Read only the files of folders whose name or path matches (repeatable), e.g. '*.sgm'.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Leave out the files of folders whose name or path matches (repeatable), e.g. 'all-*.txt'.")
@_limit_options
@click.option("--shards", type=click.IntRange(1), metavar="N",
              help="Make the index a collection of N shards, built in parallel on Dask (see --scheduler).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Build a collection on the Dask cluster of this scheduler (default: $NEWSINDEX_SCHEDULER, "
                   "else a local cluster of one worker process per core).")
@click.option("--workers", type=click.IntRange(1), metavar="N", help="Worker processes of the local cluster (default: one per core).")
def index_cmd(
    paths: tuple[Path, ...], index_dir: Path, rebuild: bool, field_map: str | None,
    fmt: str | None, language: str, no_stories: bool, commit_every: int, wait: float, dry_run: bool, quiet: bool,
    include: tuple[str, ...], exclude: tuple[str, ...], limits: Limits,
    shards: int | None, scheduler: str | None, workers: int | None,
) -> None:
    """Index the articles in PATHS (files or directories, read recursively).

    Formats: plain text (.txt), JSON Lines (.jsonl, .ndjson), CSV/TSV (.csv,
    .tsv), Reuters-21578 SGML (.sgm), web pages (.html, .htm), RSS/Atom feeds
    (.rss, .atom, .xml), web archives (.warc); also compressed (.gz, .bz2,
    .xz) or in .zip archives. Articles already indexed with the same content
    are skipped; changed ones are replaced.

    \b
    Examples:
      newsindex index corpus/
      newsindex index feed.jsonl.gz --map title=headline,body=short_description
      newsindex index saved-pages/ crawl.warc.gz news.rss export.csv
      newsindex index pages.zip --dry-run | jq .title
      newsindex index ../shared/corpora/reuters21578 --index reuters-index --rebuild
      newsindex index ../shared/corpora/reuters21578 --index reuters-shards --shards 4
    """
    from .index import NewsIndex
    from .ingest.readers import input_files, parse_field_map, read_inputs

    mapping = parse_field_map(field_map) if field_map else None
    inputs = list(input_files(paths, fmt, include, exclude))
    if dry_run:
        if not quiet:
            click.echo(_read_as(inputs), err=True)
        with _reader_notes(quiet):
            _print_dry_run(read_inputs(inputs, mapping, limits))
        return
    from .collection import is_collection

    if shards or is_collection(index_dir):
        summary = _build_collection(
            inputs, index_dir, shards, rebuild, mapping, limits, language, not no_stories, commit_every, wait, quiet,
            scheduler, workers,
        )
        _print_run(summary, index_dir, inputs, quiet)
        return
    ix = None if rebuild else NewsIndex.open_or_create(index_dir, language)
    progress = _Progress(inputs, shown=not quiet and sys.stderr.isatty())
    with _reader_notes(quiet), progress:
        items = read_inputs(progress.files(), mapping, limits, progress.read)
        if ix is None:  # built beside the old index, which it replaces at the end
            summary = NewsIndex.rebuild(index_dir, items, language, commit_every, wait, group=not no_stories,
                                        step=progress.step)
        else:
            with ix:
                summary = ix.add(items, commit_every=commit_every, wait=wait, group=not no_stories, step=progress.step)
    _print_run(summary, index_dir, inputs, quiet)


def _build_collection(
    inputs: list, index_dir: Path, shards: int | None, rebuild: bool, mapping: dict[str, str] | None,
    limits: Limits, language: str, group: bool, commit_every: int, wait: float, quiet: bool, scheduler: str | None,
    workers: int | None,
) -> IndexSummary:
    """Create (or check) the collection, then build it on a Dask cluster (imported only here)."""
    from .collection import Collection, is_collection

    beside = rebuild and is_collection(index_dir)  # built beside the old collection, which it replaces at the end
    if not is_collection(index_dir):
        Collection.create(index_dir, shards or 2, language, overwrite=rebuild).close()
    elif not rebuild:
        with Collection.open(index_dir) as existing:
            if shards and shards != existing.shard_count:
                raise NewsIndexError(
                    f"{index_dir}: a collection of {existing.shard_count} shards, not {shards} "
                    "(leave out --shards, or --rebuild it)"
                )
    from .collection.building import build, rebuild as rebuild_collection
    from .collection.cluster import close, connect

    files = [item for item in inputs if not isinstance(item, ReadError)]
    client, cluster = connect(scheduler, workers)
    try:
        with _reader_notes(quiet), click.progressbar(
            length=len(files), label="indexing", file=sys.stderr, hidden=quiet or not sys.stderr.isatty(),
        ) as bar:
            if beside:
                return rebuild_collection(index_dir, inputs, client, shards, language, mapping, commit_every, group,
                                          wait, bar.update, limits)
            return build(index_dir, inputs, client, mapping, commit_every, group, wait, progress=bar.update,
                         limits=limits)
    finally:
        close(client, cluster)


def _print_run(summary: IndexSummary, index_dir: Path, inputs: list[tuple[str, str] | ReadError], quiet: bool) -> None:
    if summary.stale_lock:
        click.echo(f"newsindex: cleared a stale lock left by {safe(summary.stale_lock)}, which is no longer running", err=True)
    click.echo(
        f"{summary.added:,} added, {summary.updated:,} updated, {summary.unchanged:,} unchanged, "
        + (f"{summary.duplicates:,} duplicates, " if summary.duplicates else "")
        + f"{len(summary.failed):,} failed ({index_dir})"
    )
    if not quiet:
        click.echo(_read_as(inputs), err=True)
    for failure in summary.failed:
        click.echo(f"  failed: {safe(str(failure))}", err=True)
    if summary.failed:
        sys.exit(1)


def _read_as(inputs: list[tuple[str, str] | ReadError]) -> str:
    """What was read as what: ``read 22 files as reuters, 6 as text`` (a folder's other files may be more
    than the user thought: --format forces one format, --include and --exclude choose files)."""
    counts = Counter(found[1] for found in inputs if isinstance(found, tuple))
    if not counts:
        return "read no files"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    parts = [f"{count:,} as {fmt if fmt != 'zip' else 'zip archives'}" for fmt, count in ordered]
    files = sum(counts.values())
    return f"read {files:,} file{'s' if files != 1 else ''}: " + ", ".join(parts)


class _Progress:
    """The indexing progress line on a terminal: bytes read of all inputs, the file, a labelled ETA,
    then what the run does after the last byte (the last commit, the stories still to group)."""

    def __init__(self, inputs: list[Any], shown: bool) -> None:
        self._inputs = inputs
        self._shown = shown
        self._total = sum(_size(item[0]) for item in inputs if isinstance(item, tuple))
        self._done = 0
        self._file = ""
        self._started = self._drawn = time.monotonic()

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._shown:
            click.echo("\r\033[K", nl=False, err=True)

    def files(self) -> Iterator[Any]:
        for item in self._inputs:
            if isinstance(item, tuple):
                self._file = os.path.basename(item[0])
            yield item

    def read(self, count: int) -> None:
        self._done += count
        now = time.monotonic()
        if self._shown and now - self._drawn >= 0.1:
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        share = min(self._done / self._total, 1.0) if self._total else 0.0
        bar = "#" * round(30 * share)
        elapsed = now - self._started
        eta = f"about {_duration(elapsed * (1 - share) / share)} left" if share > 0.01 and elapsed > 1 else "time left: estimating"
        line = f"reading  [{bar:<30}] {share:4.0%}  {self._done / 1e6:,.1f} of {self._total / 1e6:,.1f} MB  {eta}  {self._file}"
        click.echo("\r\033[K" + line[: shutil.get_terminal_size().columns - 1], nl=False, err=True)

    def step(self, what: str) -> None:
        if self._shown:
            click.echo("\r\033[K" + f"all input read; {what}"[: shutil.get_terminal_size().columns - 1], nl=False, err=True)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


@contextmanager
def _reader_notes(quiet: bool) -> Iterator[None]:
    """Show what readers note about a file on stderr (e.g. how many WARC records were not pages)."""
    import logging

    logger = logging.getLogger("newsindex.ingest.readers")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsindex: %(message)s"))
    level = logger.level
    if not quiet:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _print_dry_run(items: Iterable[Article | ReadError]) -> None:
    """One JSON object per article that would be indexed; failures and a count on stderr."""
    from .ingest.languages import with_language

    articles, failed = 0, []
    for item in items:
        if isinstance(item, ReadError):
            failed.append(item)
        else:
            articles += 1
            click.echo(safe_json(article_fields(with_language(item))))
    click.echo(f"{articles:,} articles read, {len(failed):,} failed (dry run: no index was opened)", err=True)
    for failure in failed:
        click.echo(f"  failed: {safe(str(failure))}", err=True)
    if failed:
        sys.exit(1)


@main.command(cls=_QueryCommand)
@click.argument("query")
@_index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1), help="Hits per page.")
@click.option("--page", "-p", default=1, show_default=True, type=click.IntRange(1), help="Page of hits to show.")
@click.option("--all", "all_hits", is_flag=True, help="Every hit of the query, streamed, instead of one page.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order of hits; date is newest first.")
@click.option("--since", metavar="DATE", help="Only articles published in or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Only articles published up to the end of DATE.")
@click.option("--any", "any_word", is_flag=True, help="Match articles with any of the words, not all.")
@click.option("--facet", "facets", multiple=True, type=click.Choice(tuple(FACETS)),
              help="Count the top values of this field among all matching articles (repeatable).")
@click.option("--facet-top", default=10, show_default=True, type=click.IntRange(1), metavar="N",
              help="How many values of each --facet to count.")
@click.option("--summary", is_flag=True, help="Only the total, the pages and the --facet counts (one JSON object with --json).")
@click.option("--feedback", is_flag=True,
              help="Re-rank by pseudo-relevance feedback (words of the top hits); same matches and total.")
@click.option("--collapse", is_flag=True, help="One hit per story (its best-placed telling), with the number of other tellings.")
@click.option("--stories", "by_story", is_flag=True,
              help="Count the --facet values by story, not by article (each story once); with --facet source, "
                   "also each source's stories and its articles retelling a story another source told first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit (JSON Lines), for tools such as jq.")
@click.option("--csv", "as_csv", is_flag=True, help="The hits as CSV for a spreadsheet (UTF-8, a header row).")
@click.option("--tsv", "as_tsv", is_flag=True, help="The hits as tab-separated values.")
def search(
    query: str, index_dir: Path, limit: int, page: int, all_hits: bool, sort: str, since: str | None,
    until: str | None, any_word: bool, facets: tuple[str, ...], facet_top: int, summary: bool, feedback: bool,
    collapse: bool, by_story: bool, as_json: bool, as_csv: bool, as_tsv: bool,
) -> None:
    """Search the index with QUERY.

    \b
    Query language (see the README for the full grammar):
      oil prices              both words (in title or body)
      oil OR gas, -oil, NOT oil, (oil OR gas) -opec
      "refused to extradite"  a phrase;  "russia assad"~5  words within 5 words
      title:assad  title:"new leader"  source:"The Insider"  author:smith
      topic:grain  place:usa  extradit*
      date:2025  date:2025-04  date:2025-01-01..2025-04-30  date:>=2025-01  date:..1987-03-01
      *                       every article (so does an empty query)

    A query may start with "-" (newsindex search -opec): it is the query,
    not an option, unless it is one of the options below.

    \b
    Examples:
      newsindex search '"refused to extradite"' --since 2025-01 --until 2025-04
      newsindex search 'cocoa brazil' --sort date --json | jq .title
      newsindex search 'topic:cocoa' --all --csv > cocoa.csv      # every hit, for a spreadsheet
      newsindex search coffee --facet source --facet topic --facet place
      newsindex search coffee --summary --json --facet source --facet-top 50
      newsindex search 'wheat exports to the soviet union' --any --feedback
      newsindex search extradite --collapse        # one hit per story; see: newsindex story ID
      newsindex search oil --facet source --stories --summary  # stories per source, and retellings
    """
    _check_dates(since, until)
    fmt = _output_format(as_json, as_csv, as_tsv)
    if by_story and not facets:
        raise click.UsageError("--stories counts the --facet values by story: add --facet (e.g. --facet source)")
    if facets and fmt and not summary:
        raise click.UsageError("--facet with --json, --csv or --tsv: hits and counts are printed apart; "
                               "add --summary to get the counts")
    operator = "or" if any_word else "and"
    with _open(index_dir) as ix:
        if summary:
            results = ix.search(query, limit=limit, sort=sort, operator=operator, since=since,  # type: ignore[arg-type]
                                until=until, facets=facets, facet_limit=facet_top, stories=by_story)
            _print_summary(results, as_json, by_story)
            return
        marks = ("", "") if fmt else ("**", "**")
        if all_hits:
            hits: Iterable[Hit] = ix.hits(query, sort=sort, operator=operator, since=since,  # type: ignore[arg-type]
                                          until=until, highlight=marks, feedback=feedback, collapse=collapse)
            results = None
        else:
            results = ix.search(query, limit=limit, page=page, sort=sort,  # type: ignore[arg-type]
                                operator=operator, since=since, until=until, facets=facets, facet_limit=facet_top,
                                feedback=feedback, collapse=collapse, highlight=marks, stories=by_story)
            hits = results.hits
        if fmt:
            _export_hits(hits, fmt)
            return
        if results is not None:
            _print_total(results, page)
        color = sys.stdout.isatty()
        for hit in hits:
            _print_hit(hit, color)
    if results is not None:
        _print_facets(results, by_story)


def _output_format(as_json: bool, as_csv: bool, as_tsv: bool) -> str | None:
    chosen = [name for name, on in (("json", as_json), ("csv", as_csv), ("tsv", as_tsv)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one output format, not {' and '.join('--' + c for c in chosen)}")
    return chosen[0] if chosen else None


def _export_hits(hits: Iterable[Hit], fmt: str) -> None:
    """Hits as JSON Lines, CSV or TSV on stdout, in UTF-8 whatever the locale, streamed."""
    from .export import hit_rows, write_json_lines, write_sheet

    with _utf8_stdout() as out:
        if fmt == "json":
            write_json_lines(hit_rows(hits), out)
        else:
            write_sheet(hit_rows(hits), out, delimiter="\t" if fmt == "tsv" else ",")


@contextmanager
def _utf8_stdout() -> Iterator[Any]:
    """Standard output as UTF-8 text with no newline translation (CSV writes its own CRLF)."""
    import io

    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
    try:
        yield out
    finally:
        out.flush()
        out.detach()


def _print_total(results: Results, page: int) -> None:
    plural = "article matches" if results.total == 1 else "articles match"
    if results.hits:
        shown = f" (page {page} of {results.pages}, hits {results.hits[0].rank}-{results.hits[-1].rank})"
    else:
        shown = f" (page {page} is past the last page, {results.pages})" if results.total else ""
    click.echo(f"{results.total:,} {plural}{shown}")


def _print_hit(hit: Hit, color: bool) -> None:
    date = hit.published.date().isoformat() if hit.published else "no date"
    details = " · ".join(safe(x) for x in (hit.id, hit.source, date) if x)
    if hit.score is not None:
        details += f" · score {hit.score:.2f}"
    if hit.other_tellings:
        others = "telling" if hit.other_tellings == 1 else "tellings"
        details += f" · story {safe(hit.story or '')}: {hit.other_tellings} other {others}"
    click.echo()
    click.echo(f"{hit.rank:>3}. " + click.style(safe(hit.title) or "(no title)", bold=color))
    click.echo(f"     {details}")
    if hit.url:
        click.echo(f"     {safe(hit.url)}")
    snippet = safe(hit.snippet)
    snippet = _BOLD.sub(lambda m: click.style(m.group(1), bold=True), snippet) if color else snippet
    click.echo(f"     {snippet}")


def _print_facets(results: Results, by_story: bool = False) -> None:
    counted = ", each story counted once" if by_story else ""
    for name, values in results.facets.items():
        click.echo()
        click.echo(f"{name} (top {len(values)} among all {results.total:,} matching articles{counted}):")
        if name == "source" and by_story:
            _print_source_stories(results.source_stories)
            continue
        for value, count in values:
            click.echo(f"  {count:>8,}  {safe(value)}")


def _print_source_stories(sources: list[Any]) -> None:
    """Each source's stories, those it told first, its articles and those retelling another's story."""
    click.echo(f"  {'stories':>8}  {'first':>8}  {'articles':>8}  {'retold':>8}  source")
    for s in sources:
        click.echo(f"  {s.stories:>8,}  {s.first:>8,}  {s.articles:>8,}  {s.retold:>8,}  {safe(s.source)}")
    click.echo("  (first: stories it told before any other source; retold: its articles in stories another "
               "source told first)")


def _print_summary(results: Results, as_json: bool, by_story: bool = False) -> None:
    if as_json:
        summary = {
            "query": results.query, "total": results.total, "pages": results.pages, "limit": results.limit,
            "facets": {name: dict(values) for name, values in results.facets.items()},
        }
        if by_story:
            summary["counted"] = "stories"
            if "source" in results.facets:
                summary["sources"] = [s.to_dict() for s in results.source_stories]
        click.echo(safe_json(summary))
        return
    plural = "article matches" if results.total == 1 else "articles match"
    click.echo(f"{results.total:,} {plural} ({results.pages:,} pages of {results.limit})")
    _print_facets(results, by_story)


def _check_dates(since: str | None, until: str | None) -> None:
    try:
        _check_date_option("--since", since)
        _check_date_option("--until", until)
    except QueryError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("queries_file", metavar="QUERIES", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_index_option
@click.option("--hits", "hits_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write the hits of every query to FILE, with the query in a column.")
@click.option("--limit", "-n", type=click.IntRange(1), metavar="N", help="With --hits: at most N hits per query (default: all).")
@click.option("--sources", "top_sources", default=3, show_default=True, type=click.IntRange(1), metavar="N",
              help="How many top sources to name per query.")
@click.option("--since", metavar="DATE", help="Only articles published in or after DATE.")
@click.option("--until", metavar="DATE", help="Only articles published up to the end of DATE.")
@click.option("--any", "any_word", is_flag=True, help="Match articles with any of the words, not all.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of CSV.")
@click.option("--tsv", "as_tsv", is_flag=True, help="Tab-separated values instead of CSV.")
def batch(
    queries_file: Path, index_dir: Path, hits_file: Path | None, limit: int | None, top_sources: int,
    since: str | None, until: str | None, any_word: bool, as_json: bool, as_tsv: bool,
) -> None:
    """Run every query of QUERIES and write one row per query: what matches it, and its best hit.

    QUERIES is a text file with one query per line (# starts a comment), or
    a CSV/TSV file with a header row whose "query" column (else the first)
    holds the queries; its other columns (a name, a claim number) are kept in
    every row. Each row says the query, how many articles and stories match,
    the first and last date, the top sources and the best hit; a query that
    cannot run says why in its "error" column and the batch goes on (the
    exit status is then 1). Rows are CSV for a spreadsheet unless --json or
    --tsv.

    \b
    Examples:
      newsindex batch names.txt > names.csv
      newsindex batch claims.csv --since 2025-01 --hits hits.csv > overview.csv
      newsindex batch names.txt --json | jq -r 'select(.total > 0) | .query'
    """
    from .export import BATCH_FIELDS, HIT_FIELDS, failed_row, hit_rows, overview_row, read_queries

    _check_dates(since, until)
    fmt = _output_format(as_json, False, as_tsv) or "csv"
    extra, queries = read_queries(queries_file)
    operator = "or" if any_word else "and"
    failed = 0
    with _open(index_dir) as ix, _utf8_stdout() as out, contextlib.ExitStack() as stack:
        rows = _row_writer(out, fmt, [*extra, *BATCH_FIELDS])
        hit_out = None
        if hits_file is not None:
            hits_stream = stack.enter_context(_open_output(hits_file))
            hit_out = _row_writer(hits_stream, fmt, [*extra, "query", *HIT_FIELDS])
        for item in queries:
            carried = {k: v for k, v in item.items() if k != "query"}
            try:
                row = overview_row(ix.overview(item["query"], operator=operator, since=since,  # type: ignore[arg-type]
                                               until=until, top=top_sources))
            except NewsIndexError as exc:
                failed += 1
                rows({**carried, **failed_row(item["query"], str(exc))})
                continue
            rows({**carried, **row})
            if hit_out is not None:
                for hit in hit_rows(ix.hits(item["query"], operator=operator, since=since,  # type: ignore[arg-type]
                                            until=until, limit=limit)):
                    hit_out({**carried, "query": item["query"], **hit})
    click.echo(f"{len(queries):,} queries, {failed:,} could not run", err=True)
    if failed:
        sys.exit(1)


def _row_writer(out: Any, fmt: str, fields: list[str]) -> Callable[[dict[str, Any]], None]:
    """A function writing one row to ``out`` as JSON Lines or a spreadsheet's rows (header first)."""
    from .export import SheetWriter

    if fmt == "json":
        return lambda row: out.write(safe_json({name: row.get(name) for name in fields}) + "\n")
    return SheetWriter(out, fields, delimiter="\t" if fmt == "tsv" else ",").write


@contextmanager
def _open_output(path: Path) -> Iterator[Any]:
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise NewsIndexError(f"{path}: cannot write here: {exc.strerror or exc}") from None
    with handle:
        yield handle


def _check_date_option(name: str, value: str | None) -> None:
    if value:
        try:
            parse_period(value)
        except DateError as exc:
            raise QueryError(f"{name}: {exc}") from None


@main.command()
@click.argument("query")
@_index_option
@click.option("--by", type=click.Choice(GRANULARITIES), default="month", show_default=True, help="Length of a period.")
@click.option("--normalize", is_flag=True, help="Show each period's share of all articles published in it.")
@click.option("--since", metavar="DATE", help="Only articles published in or after DATE.")
@click.option("--until", metavar="DATE", help="Only articles published up to the end of DATE.")
@click.option("--any", "any_word", is_flag=True, help="Match articles with any of the words, not all.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: period,count,total,share.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the timeline into this PNG file (needs matplotlib).")
@click.option("--stories", "by_story", is_flag=True,
              help="Count stories, not articles: each matching story once, in the period of its earliest matching article.")
@_json_option
def timeline(
    query: str, index_dir: Path, by: str, normalize: bool, since: str | None, until: str | None,
    any_word: bool, as_csv: bool, png: Path | None, by_story: bool, as_json: bool,
) -> None:
    """How many articles matching QUERY were published per day, week, month or year.

    Every period between the first and the last match is counted, empty ones
    as zero; --since/--until set the range instead (and filter the matches).
    The text skips long runs of empty periods with one marked line; the PNG
    draws the stretch with most matches and says what it leaves out.
    --normalize shows the share of all articles of each period instead,
    since news volume itself rises and falls, with that denominator.
    --stories counts each story once (40 copies of one report are one), in
    the period of its earliest matching article; a period's total is then
    the stories with an article published in it.

    \b
    Examples:
      newsindex timeline coffee --by month
      newsindex timeline opec --by week --stories
      newsindex timeline 'topic:crude' --by week --normalize
      newsindex timeline opec --by week --csv > opec.csv
      newsindex timeline opec --png opec.png
    """
    from .coverage.charts import draw_timeline, text_bars

    with _open(index_dir) as ix:
        periods = ix.timeline(query, by=by, operator="or" if any_word else "and",  # type: ignore[arg-type]
                              since=since, until=until, stories=by_story)
    unit = "stories" if by_story else "articles"
    if png:
        note = draw_timeline(periods, png, title=query, normalize=normalize, by=by, unit=unit)
        if note:
            click.echo(f"newsindex: {png}: {note}", err=True)
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in periods], indent=2))
    elif as_csv:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["period", "count", "total", "share"])
        for p in periods:
            writer.writerow([p.label, p.count, p.total, f"{p.share:.6f}"])
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(text_bars(periods, normalize, query=query, by=by, unit=unit))


@main.command()
@click.argument("query")
@_index_option
@click.option("--top", "-n", default=20, show_default=True, type=click.IntRange(1), help="How many terms.")
@click.option("--since", metavar="DATE", help="Only articles published in or after DATE.")
@click.option("--until", metavar="DATE", help="Only articles published up to the end of DATE.")
@click.option("--any", "any_word", is_flag=True, help="Match articles with any of the words, not all.")
@click.option("--stories", "by_story", is_flag=True,
              help="Count stories, not articles: each matching story's earliest matching article stands for it.")
@_json_option
def terms(query: str, index_dir: Path, top: int, since: str | None, until: str | None, any_word: bool,
          by_story: bool, as_json: bool) -> None:
    """Words and two-word phrases much more frequent among articles matching QUERY than in the index.

    Ranked by Dunning's log-likelihood, which says what a result set is about
    at a glance.

    \b
    Examples:
      newsindex terms coffee
      newsindex terms 'topic:crude date:1987-03' --top 30 --json
      newsindex terms opec --stories     # "in results" counts stories: copies count once
    """
    with _open(index_dir) as ix:
        found = ix.terms(query, top=top, operator="or" if any_word else "and", since=since, until=until,
                         stories=by_story)
    if as_json:
        click.echo(safe_json([t.to_dict() for t in found], indent=2))
        return
    click.echo(f"{'term':<32} {'score':>9} {'in stories' if by_story else 'in results':>11} {'in index':>9}")
    for t in found:
        click.echo(f"{safe(t.text):<32} {t.score:>9.1f} {t.in_results:>11,} {t.in_index:>9,}")


@main.command()
@click.argument("article_id", metavar="ID")
@_index_option
@click.option("--highlight", metavar="QUERY", help="Mark every match of QUERY's words and phrases (bold on a terminal, else **...**).")
@_json_option
def show(article_id: str, index_dir: Path, highlight: str | None, as_json: bool) -> None:
    """Print the article with this ID, as it was indexed.

    \b
    Examples:
      newsindex show reuters-1
      newsindex show reuters-236 --highlight '"emergency opec" kuwait'
      newsindex show 000_7887337d1080e0d6 --json
    """
    with _open(index_dir) as ix:
        article = ix.highlighted(article_id, highlight) if highlight else ix.get(article_id)
    if as_json:
        click.echo(safe_json(article_fields(article), indent=2))
        return
    click.echo(click.style(safe(_BOLD.sub(r"\1", article.title)) or "(no title)", bold=sys.stdout.isatty()))
    for label, value in (
        ("id", article.id),
        ("published", article.published.isoformat() if article.published else ""),
        ("source", article.source),
        ("url", article.url),
        ("authors", ", ".join(article.authors)),
        ("language", article.language),
        ("topics", ", ".join(article.topics)),
        ("places", ", ".join(article.places)),
        *((k, ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)) for k, v in article.extra.items()),
        ("from", article.origin),
    ):
        if value:
            click.echo(f"{safe(label) + ':':<11} {safe(value)}")
    click.echo()
    color = sys.stdout.isatty()
    body = safe(article.body, multiline=True)
    click.echo(_BOLD.sub(lambda m: click.style(m.group(1), bold=True), body) if color and highlight else body)


@main.command()
@click.argument("article_id", metavar="ID")
@_index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1), help="How many articles.")
@_json_option
def similar(article_id: str, index_dir: Path, limit: int, as_json: bool) -> None:
    """The articles most like the article ID, most similar first.

    The score (0..1) is the cosine of the articles' word weights: 1 for the
    same text, about 0.5-0.7 for a retelling of the same event, under 0.2
    for other stories. Overlap is the share of three-word runs in common:
    high for copies and corrections, near 0 for retellings.

    \b
    Examples:
      newsindex similar 000_7887337d1080e0d6
      newsindex similar reuters-16483 --limit 5 --json
    """
    from .stories.similar import RETOLD

    with _open(index_dir) as ix:
        found = ix.similar(article_id, limit)
    if as_json:
        for item, article in found:
            date = article.published.date().isoformat() if article.published else None
            click.echo(safe_json({**item.to_dict(), "title": article.title, "published": date}))
        return
    click.echo("score: 1 = the same text, 0.5 or more = the same story retold, under 0.2 = another story; "
               "overlap: share of three-word runs in common (high: a copy or a correction)")
    for item, article in found:
        date = article.published.date().isoformat() if article.published else "no date"
        click.echo(f"{item.score:.3f}  overlap {item.overlap:.2f}  {safe(article.id)} · {date} · {safe(article.title) or '(no title)'}")
    if not found or found[0][0].score < RETOLD:
        best = f"the best scores {found[0][0].score:.2f}" if found else "no article shares its words"
        click.echo(f"nothing close: no article tells the same story ({best}; a retelling scores {RETOLD} or more)")


@main.command()
@click.argument("article_id", metavar="ID")
@_index_option
@_json_option
def story(article_id: str, index_dir: Path, as_json: bool) -> None:
    """The articles telling the same story as the article ID (or of the story ID), oldest first.

    \b
    Examples:
      newsindex story 001_d111d31f41ebd35a
      newsindex search extradite --collapse     # shows each hit's story
    """
    with _open(index_dir) as ix:
        story_id, members = ix.story(article_id)
    if as_json:
        click.echo(safe_json({"story": story_id, "articles": [article_fields(a) for a in members]}))
        return
    click.echo(f"story {safe(story_id)}: {len(members)} article{'s' if len(members) != 1 else ''}")
    for article in members:
        date = article.published.date().isoformat() if article.published else "no date"
        click.echo(f"  {safe(article.id)} · {safe(article.source) or '-'} · {date} · {safe(article.title)}")


@main.command()
@click.argument("id_a", metavar="ID_A")
@click.argument("id_b", metavar="[ID_B]", required=False)
@_index_option
@_json_option
def compare(id_a: str, id_b: str | None, index_dir: Path, as_json: bool) -> None:
    """What two tellings of a story say differently, and what changed inside what both say.

    Lines the articles up sentence by sentence, then word by word: the title
    and the statements both make with words changed ([-A's words-]{+B's+},
    changed figures, negations, names and sources first), the sentences only
    one of them has, and the figures, dates, quotes, sources and names the
    other never mentions.

    With one ID, compares that article (B) with the earlier telling it most
    likely corrects or rewrites (A), and says which and why.

    \b
    Examples:
      newsindex compare 000_7887337d1080e0d6 001_d111d31f41ebd35a
      newsindex compare reuters-16483 reuters-16597 --json
      newsindex compare reuters-16597          # a correction, against what it corrects
    """
    from .stories.render import render_text

    with _open(index_dir) as ix:
        result = ix.compare(id_a, id_b)
    click.echo(safe_json(result.to_dict(), indent=2) if as_json else safe(render_text(result), multiline=True))


@main.command()
@click.argument("claim", metavar="CLAIM | ID")
@_index_option
@click.option("--sentence", "-s", "number", type=click.IntRange(0), metavar="N",
              help="Trace sentence N of the article ID (0 is its title; --sentences lists them).")
@click.option("--sentences", "listing", is_flag=True, help="List the numbered sentences of the article ID.")
@click.option("--limit", "-n", type=click.IntRange(1), help="Show only the oldest N tellings.")
@_json_option
def trace(claim: str, index_dir: Path, number: int | None, listing: bool, limit: int | None, as_json: bool) -> None:
    """Every article that carries CLAIM, oldest first: who said it first, and what later tellings changed.

    Finds the claim said word for word (exact), with a few words changed
    (near: a changed figure, a shortened quote) or retold with its words in
    another order, marks the earliest telling, and lines each later one up
    word by word with it ([-earliest's words-]{+this one's+}).

    \b
    Examples:
      newsindex trace "Russia provided up to 40% of Syria's wheat imports"
      newsindex trace 000_7887337d1080e0d6 --sentences        # number the sentences
      newsindex trace 000_7887337d1080e0d6 --sentence 9
      newsindex trace "imposed a levy on vegetable oils" --json
    """
    from .stories.render import render_trace

    with _open(index_dir) as ix:
        if listing:
            for sentence in ix.sentences(claim):
                click.echo(f"{sentence.index:>4}  {safe(sentence.text)}")
            return
        found = ix.trace(claim, limit) if number is None else ix.trace_sentence(claim, number, limit)
    click.echo(safe_json(found.to_dict(), indent=2) if as_json else safe(render_trace(found), multiline=True))


@main.command()
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any other than 127.0.0.1/localhost lets other machines read the index.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the address in the web browser.")
def serve(index_dir: Path, host: str, port: int, open_browser: bool) -> None:
    """Serve the index as a web application (search, articles, stories, compare, export, JSON API).

    It only reads the index: nothing done through it changes what is indexed,
    and articles indexed meanwhile (by `newsindex index` in another terminal)
    show up within a second. Ctrl-C stops it.

    \b
    Examples:
      newsindex serve                       # then open http://127.0.0.1:8000/
      newsindex serve --index reuters-index --port 8080 --open
    """
    from .web import serve as serve_web  # Flask and Waitress are loaded for this command only

    with _open(index_dir) as ix:
        try:
            serve_web(ix, host=host, port=port, open_browser=open_browser,
                      announce=lambda message: click.echo(f"newsindex: {message}", err=message.startswith("warning")))
        except OSError as exc:
            raise NewsIndexError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        except KeyboardInterrupt:
            pass  # Ctrl-C or SIGTERM while starting; once serving, the server ends its loop itself
    click.echo("newsindex: stopped serving", err=True)


@main.command()
@_index_option
@click.option("--sources", default=10, show_default=True, type=click.IntRange(0), metavar="N",
              help="List the N largest sources (0: all of them).")
@_json_option
def stats(index_dir: Path, sources: int, as_json: bool) -> None:
    """Articles, date range, stories, sources and size on disk of the index.

    \b
    Examples:
      newsindex stats
      newsindex stats --sources 0          # every source, largest first
      newsindex stats --index reuters-index --json
    """
    with _open(index_dir) as ix:
        info = ix.stats()
        grouped = ix.story_stats()
    if as_json:
        click.echo(safe_json({**info.to_dict(), "stories": grouped.to_dict() if grouped else None}, indent=2))
        return
    click.echo(f"index:     {index_dir}")
    click.echo(f"articles:  {info.articles:,} ({info.dated:,} with a date)")
    if info.first and info.last:
        click.echo(f"dates:     {info.first.date().isoformat()} .. {info.last.date().isoformat()}")
    click.echo(f"size:      {info.size_bytes / 1e6:,.1f} MB on disk")
    if grouped:
        click.echo(f"stories:   {grouped.stories:,} ({grouped.multi:,} told by two or more articles; largest {grouped.largest})")
    click.echo(f"sources:   {len(info.sources):,}")
    for name, count in info.sources.most_common(sources or None):
        click.echo(f"  {count:>9,}  {safe(name)}")
    if sources and len(info.sources) > sources:
        click.echo(f"  … and {len(info.sources) - sources:,} more (--sources 0 lists them all)")


@main.command()
@_index_option
def check(index_dir: Path) -> None:
    """Verify every file of the index (or of every shard of a collection) against the checksum written with it.

    Exit status 0 when the index is sound; 1 with each damaged file named.
    Opening an index for any command checks it cheaply (every file there,
    with its size; the contents of a file changed since it was written);
    this reads every byte.

    \b
    Examples:
      newsindex check
      newsindex check --index reuters-index
    """
    from .collection import Collection, is_collection
    from .index import NewsIndex
    from .stories.store import FILE_NAME as STORY_STORE
    from .text.stems import FILE_NAME as STEMS

    damaged = (Collection.check if is_collection(index_dir) else NewsIndex.check)(index_dir)
    if not damaged:
        click.echo(f"{index_dir}: sound (every file matches its checksum)")
        return
    for damage in damaged:
        click.echo(f"damaged: {safe(str(index_dir / damage.name))}: {damage.problem}")
    advice = (f": restore the index from a backup, or rebuild it (newsindex index SOURCES --index {index_dir} --rebuild)"
              if any(Path(damage.name).name not in (STORY_STORE, STEMS) for damage in damaged) else "")
    click.echo(f"{len(damaged):,} damaged file{'s' if len(damaged) > 1 else ''} in {index_dir}{advice}", err=True)
    sys.exit(1)


@main.command()
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@_index_option
@click.option("--wait", default=0.0, type=click.FloatRange(0), metavar="SECONDS",
              help="Wait this long for another process writing the index.")
def delete(ids: tuple[str, ...], index_dir: Path, wait: float) -> None:
    """Delete articles by id (exit status 1 if any id was not in the index).

    \b
    Examples:
      newsindex delete reuters-1 reuters-2
    """
    with _open(index_dir) as ix:
        missing = [article_id for article_id in dict.fromkeys(ids) if article_id not in ix]
        count = ix.delete(ids, wait=wait)
    click.echo(f"{count:,} deleted")
    for article_id in missing:
        click.echo(f"newsindex: no article with id {safe(repr(article_id))} in {index_dir}", err=True)
    if missing:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
