"""What every request needs: the application's shared index, its highlight markers, and how errors look.

Kept apart from :mod:`.app` so that the pages and the API can use it while
the application module imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, jsonify, render_template, request
from flask.globals import request_ctx

from ..errors import ArticleNotFoundError, NewsIndexError
from ..index import NewsIndex
from .marks import Marker
from .shared import SharedIndex


class NotFound(NewsIndexError):
    """Nothing to show at this address (say, the story of an article that is in no story): a 404."""


def story_of(ix: NewsIndex, article_or_story_id: str) -> tuple[str, list[Any]]:
    """``ix.story()``, an article in no story answered as not found, like an unknown id."""
    try:
        return ix.story(article_or_story_id)
    except ArticleNotFoundError:
        raise
    except NewsIndexError as exc:
        raise NotFound(str(exc)) from None


@dataclass
class Site:
    """What every request of one application needs: the shared index and the highlight markers."""

    shared: SharedIndex
    marker: Marker


def site() -> Site:
    """The :class:`Site` of the application serving this request."""
    return current_app.extensions["newsindex"]


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_response(status: int, message: str, title: str) -> Any:
    """An error as JSON for the API, as a page for a reader."""
    if request_ctx.url_adapter is None:  # refused before routing (a foreign Host): no page to link from
        return Response(f"{message}\n", status, mimetype="text/plain")
    if wants_json():
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message, title=title), status


