"""The web interface: ``newsindex serve``, a local web application over one index.

It sits at the top of the package beside the command line and, like it, only
translates: it reads URLs, asks the :class:`~newsindex.NewsIndex` facade,
and renders what comes back as pages (:mod:`.pages`) or JSON (:mod:`.api`).
It writes nothing to the index, escapes every piece of article text before it
reaches a browser, and serves its own scripts, styles and charts, so it works
with no network. Flask and Waitress are imported only by this subpackage, so
the other commands do not pay for them at start-up.
"""

from __future__ import annotations

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
