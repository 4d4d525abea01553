"""The JSON API: the library's calls over HTTP, one endpoint each, with the library's own JSON shapes.

Every endpoint is a GET whose parameters are those of the search page (so a
page's URL turns into its data by putting ``/api/search`` in front of its
query string), answers with the ``to_dict()`` of the library's objects, and
reports a bad request as ``{"error": message, "status": code}`` with status
400 (a malformed query, a value out of range) or 404 (an unknown id).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from ..store.schema import article_fields
from .params import (
    FACET_NAMES,
    BadRequest,
    MAX_TOP,
    compare_ids,
    facet_names,
    integer,
    search_state,
    trace_state,
)
from .site import site, story_of

blueprint = Blueprint("api", __name__)

#: The endpoints, as the API page lists them: (path, parameters, what it returns).
ENDPOINTS = (
    ("/api/search", "q, since, until, sort, any, collapse, feedback, page, size, facet (repeatable), stories",
     "the total, the page of hits (id, title, published, source, url, score, snippet, story, other_tellings) and facets "
     "(stories=1: counted by story, and with facet=source each source's stories, first, articles and retold)"),
    ("/api/article/ID", "", "the article as indexed: every field, with its text"),
    ("/api/article/ID/similar", "limit", "the most similar articles, with score (0..1) and overlap"),
    ("/api/story/ID", "", "the story of an article (or a story by its id), its articles oldest first"),
    ("/api/compare", "a, b (or one of them alone: against the earlier telling it corrects)",
     "what two articles say differently, sentence by sentence, with details and word-level changes"),
    ("/api/trace", "claim, or id and sentence; limit", "every article carrying the claim, oldest first, "
     "each later one's words changed against the earliest (id alone: the article's numbered sentences)"),
    ("/api/timeline", "q, since, until, any, by (day, week, month, year), stories",
     "matching and all articles per period (stories=1: stories, each in the period of its earliest matching article)"),
    ("/api/facets", "q, since, until, any, facet (repeatable), top, stories",
     "the top sources, topics, places, authors (stories=1: counted by story; with facet=source, each source's "
     "stories, first, articles and retold)"),
    ("/api/terms", "q, since, until, any, top, stories", "words and phrases typical of the matches (stories=1: "
     "a story's copies count once)"),
    ("/api/stats", "", "articles, dates, sources, size, stories, and the commit the server reads"),
)


@blueprint.route("")
@blueprint.route("/")
def index() -> Any:
    """The API's own documentation, as a page."""
    return render_template("api.html", endpoints=ENDPOINTS, facets=FACET_NAMES)


@blueprint.route("/search")
def search() -> Any:
    state = search_state(request.args)
    names = facet_names(request.args) if request.args.getlist("facet") else []
    with site().shared.use() as ix:
        results = ix.search(state.q, limit=state.size, page=state.page, **state.ranking,  # type: ignore[arg-type]
                            facets=names, stories=state.stories, **state.filters)
        hits = [hit.to_dict() for hit in results]
    return jsonify({
        "query": state.q, "total": results.total, "page": results.page, "pages": results.pages, "size": state.size,
        "hits": hits, **_counts(results.facets, results.source_stories, state.stories),
    })


def _counts(facets: dict[str, list[tuple[str, int]]], sources: list[Any], stories: bool) -> dict[str, Any]:
    """Facet counts as JSON; counting stories, what was counted and each source's stories too."""
    found: dict[str, Any] = {"facets": {name: [{"value": v, "count": c} for v, c in values] for name, values in facets.items()}}
    if stories:
        found["counted"] = "stories"
        if "source" in facets:
            found["sources"] = [s.to_dict() for s in sources]
    return found


@blueprint.route("/article/<id:article_id>/similar")
def similar(article_id: str) -> Any:
    limit = integer(request.args, "limit", 10, 1, MAX_TOP)
    with site().shared.use() as ix:
        found = ix.similar(article_id, limit=limit)
        return jsonify([{**item.to_dict(), "title": article.title,
                         "published": article.published.isoformat() if article.published else None}
                        for item, article in found])


@blueprint.route("/article/<id:article_id>")
def article(article_id: str) -> Any:
    with site().shared.use() as ix:
        return jsonify(article_fields(ix.get(article_id)))


@blueprint.route("/story/<id:story_id>")
def story(story_id: str) -> Any:
    with site().shared.use() as ix:
        found, members = story_of(ix, story_id)
        return jsonify({"story": found, "articles": [article_fields(a) for a in members]})


@blueprint.route("/compare")
def compare() -> Any:
    a, b = compare_ids(request.args)
    with site().shared.use() as ix:
        return jsonify(ix.compare(a, b).to_dict())


@blueprint.route("/trace")
def trace() -> Any:
    state = trace_state(request.args)
    if not state.claim and not state.id:
        raise BadRequest("trace needs claim=TEXT, or id=ID&sentence=N")
    with site().shared.use() as ix:
        if state.sentence is None and state.id:
            return jsonify([{"sentence": s.index, "text": s.text, "title": s.in_title} for s in ix.sentences(state.id)])
        limit = state.limit or None
        found = ix.trace_sentence(state.id, state.sentence, limit) if state.id else ix.trace(state.claim, limit)
        return jsonify(found.to_dict())


@blueprint.route("/timeline")
def timeline() -> Any:
    state = search_state(request.args)
    by = state.by if state.by != "auto" else "month"
    with site().shared.use() as ix:
        return jsonify([p.to_dict() for p in ix.timeline(state.q, by=by, stories=state.stories,  # type: ignore[arg-type]
                                                         **state.filters)])


@blueprint.route("/facets")
def facets() -> Any:
    state = search_state(request.args)
    top = integer(request.args, "top", 10, 1, MAX_TOP)
    names = facet_names(request.args)
    with site().shared.use() as ix:
        found = ix.facets(state.q, names, top=top, stories=state.stories, **state.filters)
        sources = ix.source_stories(state.q, top=top, **state.filters) if state.stories and "source" in names else []
    counts = _counts(found, sources, state.stories)
    return jsonify({**counts.pop("facets"), **counts})


@blueprint.route("/terms")
def terms() -> Any:
    state = search_state(request.args)
    top = integer(request.args, "top", 20, 1, MAX_TOP)
    with site().shared.use() as ix:
        return jsonify([t.to_dict() for t in ix.terms(state.q, top=top, stories=state.stories, **state.filters)])


@blueprint.route("/stats")
def stats() -> Any:
    with site().shared.use() as ix:
        info, stories = ix.stats(), ix.story_stats()
        return jsonify({**info.to_dict(), "stories": stories.to_dict() if stories else None, "generation": ix.generation()})
