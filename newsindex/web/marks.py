"""Article text into HTML: escaped first, then marked, so nothing an article says can become markup.

Articles come from the web and can hold ``<script>``, ``onerror=`` or
``javascript:`` links. Templates escape every value (Jinja's autoescape);
the only HTML built here is the highlighting: the index marks matched words
with two marker strings, the text is escaped *with the markers in it*, and
only then are the markers replaced by ``<mark>`` tags (``<del>``/``<ins>``
for the words one wording changed against another). The markers hold a
secret drawn when the server starts, so an article cannot contain them and
open or close a tag of its own.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ..terminal import safe

if TYPE_CHECKING:
    from ..stories.wording import WordChanges


def shown(value: Any) -> Any:
    """What a template writes of ``value`` (Jinja's ``finalize``, before autoescape): text with the
    characters that act on what is shown without being seen (controls, right-to-left overrides that
    reorder the rest of a line) written as escapes (``\\x1b``, ``\\u202e``), as the command line shows
    them (:func:`newsindex.terminal.safe`); markup keeps its tags (it holds no such characters but
    the article's own)."""
    if isinstance(value, Markup):
        return Markup(safe(str(value), multiline=True))
    if isinstance(value, str):
        return safe(value, multiline=True)
    return value


class Marker:
    """A pair of marker strings for the index's highlighting, and their conversion to ``<mark>``."""

    def __init__(self) -> None:
        token = secrets.token_hex(8)
        #: Handed to ``search(highlight=...)`` and ``highlight(marks=...)``.
        self.marks = (f"\ue000{token}\ue001", f"\ue001{token}\ue000")
        #: Handed to :meth:`WordChanges.marked` for the words a wording removed and those it added.
        self.removed = (f"\ue000{token}-", f"-{token}\ue001")
        self.added = (f"\ue000{token}+", f"+{token}\ue001")

    def html(self, marked: str) -> Markup:
        """Text marked with :attr:`marks` as safe HTML: escaped, matches in ``<mark>``."""
        return _tagged(marked, ((self.marks, "mark"),))

    def diff_html(self, changes: WordChanges) -> Markup:
        """The newer wording with the older one's words inline as safe HTML: escaped, removed words in
        ``<del>``, added ones in ``<ins>`` (as ``[-old-]{+new+}`` in the terminal)."""
        return _tagged(changes.marked(self.removed, self.added), ((self.removed, "del"), (self.added, "ins")))


def _tagged(marked: str, tags: Iterable[tuple[tuple[str, str], str]]) -> Markup:
    """``marked`` escaped, then each pair of marker strings replaced by its tag's opening and closing."""
    escaped = str(escape(marked))
    for (opening, closing), tag in tags:
        escaped = escaped.replace(opening, f"<{tag}>").replace(closing, f"</{tag}>")
    return Markup(escaped)


def spans_html(text: str, spans: Iterable[tuple[int, int, str]]) -> Markup:
    """``text`` escaped, with each (start, end, kind) span wrapped in ``<mark class="kind">``.

    For a comparison's details, which come as character offsets into a
    sentence. Overlapping or out-of-range spans are skipped rather than
    producing broken markup.
    """
    out, at = [], 0
    for start, end, kind in sorted(spans):
        if start < at or end > len(text) or start >= end:
            continue
        out.append(escape(text[at:start]))
        out.append(Markup('<mark class="detail %s" title="%s">') % (kind, kind))
        out.append(escape(text[start:end]))
        out.append(Markup("</mark>"))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def safe_href(url: str) -> str | None:
    """The URL when it may be a link (http or https with a host), else None (shown as text).

    An article's ``url`` is whatever its source said: a ``javascript:`` or
    ``data:`` URL must never become something a reader can click.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c in url for c in "\x00\r\n\t "):
        return url
    return None
