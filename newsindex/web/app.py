"""The Flask application: one shared index, the pages, the JSON API, and the rules every response follows.

Why Flask: a well-kept, small framework with server-rendered Jinja templates
that escape every value by default, no build step, and a test client; the
index is synchronous, so an asynchronous framework would buy nothing.

Every response is read-only (only GET and HEAD routes exist) and carries a
Content-Security-Policy that allows scripts, styles and images from this
server only, and no inline script at all: a second wall behind the escaping
of article text (:mod:`newsindex.web.marks`). Links to an article's own
site send no ``Referer``, so a search never leaks to the sites it found.
Bound to a loopback address, the server answers only requests addressed to
a loopback host name, so a web page elsewhere cannot reach it through DNS
rebinding.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import PathConverter

from ..errors import ArticleNotFoundError, NewsIndexError, QueryError
from ..index import NewsIndex
from ..version import __version__
from . import api, pages
from .marks import Marker, shown
from .shared import SharedIndex
from .site import NotFound, Site, error_response

#: Host names a loopback-bound server answers to (anything else is refused: DNS rebinding).
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

log = logging.getLogger(__name__)


def create_app(index: NewsIndex, loopback_only: bool = True) -> Flask:
    """The web application over an open index (or anything with the :class:`NewsIndex` API).

    ``loopback_only`` refuses requests addressed to any host name but the
    loopback ones (see the module's docstring); turn it off only when the
    server is bound to another address on purpose.
    """
    app = Flask(__name__)
    app.config["JSON_SORT_KEYS"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if loopback_only:
        app.config["TRUSTED_HOSTS"] = LOOPBACK_NAMES
    app.extensions["newsindex"] = Site(SharedIndex(index), Marker())
    app.url_map.converters["id"] = IdConverter
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api")
    app.jinja_env.globals["version"] = __version__
    app.jinja_env.finalize = shown  # article text's controls and overrides shown, not obeyed
    app.before_request(_start_clock)
    app.after_request(_secure)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NewsIndexError, _library_error)
    app.register_error_handler(Exception, _bug)
    return app


class IdConverter(PathConverter):
    """An article or story id in a path: any text, every character but letters and digits encoded.

    Ids come from the articles' sources (a file name, a feed's guid, a JSON
    field) and may hold ``/``, ``..``, ``?`` or ``#``; encoded, a browser
    can neither cut them short nor resolve ``..`` in them, and the route,
    which matches slashes, gets the id back as it was.
    """

    def to_url(self, value: str) -> str:
        return quote(value, safe="")


def _start_clock() -> None:
    g.started, g.cpu_started = time.perf_counter(), time.thread_time()


def _secure(response: Response) -> Response:
    response.headers.update(HEADERS)
    # The time the server spent on the request (to its first byte), and the CPU time of the
    # thread that answered it (what it costs, however busy the machine): for the browser's
    # developer tools and the benchmark's load run.
    if "started" in g:
        wall, cpu = time.perf_counter() - g.started, time.thread_time() - g.cpu_started
        response.headers["Server-Timing"] = f"app;dur={wall * 1000:.2f}, cpu;dur={cpu * 1000:.2f}"
    return response


def _http_error(exc: HTTPException) -> Any:
    if isinstance(exc, SecurityError):
        return error_response(400, "This server answers only requests addressed to 127.0.0.1, localhost or ::1.", exc.name)
    message = {404: "There is no such page.", 405: "This server only reads: that method is not allowed."}
    return error_response(exc.code or 500, message.get(exc.code or 0, exc.description or ""), exc.name)


def _library_error(exc: NewsIndexError) -> Any:
    if isinstance(exc, (ArticleNotFoundError, NotFound)):
        return error_response(404, str(exc), "Not found")
    if isinstance(exc, QueryError):
        return error_response(400, str(exc), "Malformed query")
    return error_response(400, str(exc), "Cannot do that")


def _bug(exc: Exception) -> Any:
    log.exception("error while serving %s", request.full_path)
    return error_response(500, "Something went wrong on the server; it is logged where the server runs.", "Server error")
