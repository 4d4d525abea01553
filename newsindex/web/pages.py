"""The pages a reader sees: search, article, story, compare, trace, significant terms, help.

Each view asks the shared index for what its page shows, turns article text
into safe HTML (:mod:`newsindex.web.marks`) while it holds the index (snippets
are made when first read), and renders its template after letting go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    stream_with_context,
)
from markupsafe import Markup, escape

from ..errors import NewsIndexError, NoStoriesError, QueryError
from ..index import SORTS
from . import chart, export
from .alignment import changes, rows
from .marks import safe_href
from .params import (
    FACET_NAMES,
    MAX_QUERY,
    MAX_WINDOW,
    PAGE_SIZES,
    BadRequest,
    SearchState,
    compare_ids,
    search_state,
    trace_state,
)
from .site import site, story_of

blueprint = Blueprint("pages", __name__)

#: Values shown per facet, significant terms per search, similar articles per article.
FACET_TOP = 10
TERMS_TOP = 20
SIMILAR_TOP = 10


@dataclass
class ShownHit:
    """A hit as the page shows it, its snippet already safe HTML."""

    hit: Any
    snippet: Markup


@blueprint.route("/")
def search() -> Any:
    context: dict[str, Any] = {"page_sizes": PAGE_SIZES, "sorts": SORTS}
    try:
        state = search_state(request.args)
    except BadRequest as exc:  # shown above the form, which keeps what was typed
        typed = SearchState(**{k: request.args.get(k, "")[:MAX_QUERY] for k in ("q", "since", "until")})
        return render_template("search.html", state=typed, error=str(exc), **context), 400
    context["state"] = state
    if not state.q.strip():
        shared = site().shared
        with shared.use() as ix:
            context["stats"] = shared.cached(ix, "stats", ix.stats)
        return render_template("search.html", **context)
    try:
        context.update(_search(state))
    except (QueryError, NoStoriesError) as exc:
        return render_template("search.html", error=str(exc), **context), 400
    return render_template("search.html", **context)


def _search(state: SearchState) -> dict[str, Any]:
    shared, marker = site().shared, site().marker
    with shared.use() as ix:
        results = ix.search(state.q, limit=state.size, page=state.page, **state.ranking,  # type: ignore[arg-type]
                            highlight=marker.marks, **state.filters)
        hits = [ShownHit(hit, marker.html(hit.snippet)) for hit in results]
        key = (state.q, tuple(state.filters.items()), state.stories)
        counted = {**state.filters, "stories": state.stories}
        facets = shared.cached(ix, ("facets", key), lambda: ix.facets(state.q, FACET_NAMES, top=FACET_TOP, **counted))
        sources = shared.cached(ix, ("sources", key), lambda: ix.source_stories(state.q, top=FACET_TOP, **state.filters)) \
            if state.stories else []
        by = state.by
        if by == "auto":
            months = shared.cached(ix, ("timeline", key, "month"), lambda: ix.timeline(state.q, by="month", **counted))
            by = chart.auto_granularity((months[-1].end - months[0].start).days) if months else "month"
        periods = shared.cached(ix, ("timeline", key, by), lambda: ix.timeline(state.q, by=by, **counted))
    unit = ("story", "stories") if state.stories else ("article", "articles")
    drawn = chart.draw(periods, by, state.norm, _period_figure(unit) if state.norm else _count_figure(unit))
    last_page = min(results.pages, MAX_WINDOW // state.size)
    return {"results": results, "hits": hits, "facets": facets, "sources": sources, "chart": drawn, "by": by,
            "last_page": last_page}


def _count_figure(unit: tuple[str, str]) -> Callable[[Any], str]:
    """A bar's figure: ``12 articles`` (``12 stories`` when counting stories)."""
    return lambda period: f"{period.count:,} {unit[period.count != 1]}"


def _period_figure(unit: tuple[str, str]) -> Callable[[Any], str]:
    return lambda period: f"{period.count:,} of {period.total:,} {unit[1]} ({period.share:.1%})"


@blueprint.route("/terms")
def terms() -> Any:
    """The significant terms of a search: a page of its own, or the panel the search page loads after itself.

    Counting them re-reads up to 2,000 matching articles, far more than the
    rest of the page, so the search page does not wait for them.
    """
    state = search_state(request.args)
    found: list[Any] = []
    if state.q.strip():
        shared = site().shared
        with shared.use() as ix:
            key = ("terms", state.q, tuple(state.filters.items()))
            key = (*key, state.stories)
            found = shared.cached(ix, key, lambda: ix.terms(state.q, top=TERMS_TOP, stories=state.stories, **state.filters))
    template = "terms_panel.html" if request.args.get("panel") else "terms.html"
    return render_template(template, state=state, terms=found)


@blueprint.route("/article/<id:article_id>")
def article(article_id: str) -> Any:
    q = request.args.get("q", "")
    shared, marker = site().shared, site().marker
    notice = ""
    with shared.use() as ix:
        item = ix.get(article_id)
        title, body = escape(item.title), escape(item.body)
        if q.strip():
            try:
                marked = ix.highlighted(article_id, q, marker.marks)
                title, body = marker.html(marked.title), marker.html(marked.body)
            except QueryError as exc:
                notice = f"The query cannot be highlighted: {exc}"
        try:
            story_id, tellings = ix.story(article_id)
        except NewsIndexError:
            story_id, tellings = None, []
    return render_template(
        "article.html", article=item, title=title, body=body, q=q, notice=notice, href=safe_href(item.url),
        story_id=story_id, tellings=tellings,
    )


@blueprint.route("/similar/<id:article_id>")
def similar(article_id: str) -> Any:
    """The articles most like one: a page of its own, or the panel the article page loads after itself.

    Finding them scores dozens of candidates, which takes longer than the
    rest of the article page, so the page does not wait for them.
    """
    shared = site().shared
    with shared.use() as ix:
        item = ix.get(article_id)
        found = shared.cached(ix, ("similar", article_id), lambda: ix.similar(article_id, limit=SIMILAR_TOP))
    template = "similar_panel.html" if request.args.get("panel") else "similar.html"
    return render_template(template, article=item, similar=found, q=request.args.get("q", ""))


@blueprint.route("/story/<id:story_id>")
def story(story_id: str) -> Any:
    with site().shared.use() as ix:
        found, tellings = story_of(ix, story_id)
    return render_template("story.html", story_id=found, tellings=tellings)


@blueprint.route("/compare")
def compare() -> Any:
    a, b = compare_ids(request.args)
    with site().shared.use() as ix:
        comparison = ix.compare(a, b)
        first, second = ix.get(comparison.a.id), ix.get(comparison.b.id)
    listed = changes(comparison, site().marker)
    return render_template("compare.html", comparison=comparison, changes=listed, rows=rows(comparison, listed),
                           first=first, second=second)


@dataclass
class ShownTelling:
    """A telling of a traced claim as the page shows it: a later one's words changed against the earliest."""

    telling: Any
    html: Markup
    edits: list[tuple[str, str]]


@blueprint.route("/trace")
def trace() -> Any:
    """Who said it first: every article carrying a claim, oldest first (``newsindex trace``)."""
    state = trace_state(request.args)
    context: dict[str, Any] = {"state": state}
    with site().shared.use() as ix:
        if state.id and state.sentence is None:
            context.update(article=ix.get(state.id), sentences=ix.sentences(state.id))
        elif state.id or state.claim:
            limit = state.limit or None
            found = ix.trace_sentence(state.id, state.sentence, limit) if state.id else ix.trace(state.claim, limit)
            context["trace"] = found
    if "trace" in context:
        marker = site().marker
        context["tellings"] = [
            ShownTelling(t, marker.diff_html(t.changes) if t.against_earliest == "changed" and t.changes else Markup(""),
                         [(e.kind, e.describe()) for e in t.changes.telling_edits()] if t.changes else [])
            for t in context["trace"].tellings
        ]
    return render_template("trace.html", **context)


@blueprint.route("/export.<fmt>")
def export_hits(fmt: str) -> Any:
    """Every hit of the search (not only a page), streamed as CSV or JSON Lines."""
    if fmt not in export.FORMATS:
        abort(404)
    state = search_state(request.args)
    if not state.q.strip():
        raise BadRequest("an export needs a query")
    with site().shared.use() as ix:
        ix.count(state.q, **state.filters)  # a malformed query fails here, before the download starts
    records = export.rows(site().shared, state)
    body = export.as_csv(records) if fmt == "csv" else export.as_jsonl(records)
    return Response(
        stream_with_context(body), mimetype=export.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(state, fmt)}"'},
    )


@blueprint.route("/help")
def help_page() -> Any:
    return render_template("help.html")
