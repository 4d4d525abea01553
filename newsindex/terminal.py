"""Untrusted text made safe for a terminal: the one place the command line escapes article text.

Article text is web content. A title holding ``\\x1b]0;PWNED\\x07`` retitles
the user's terminal window, ``\\x1b]52;c;...\\x07`` writes their clipboard,
``\\x1b[2J`` clears the screen, ``\\r`` and ``\\b`` overwrite what was printed
before (a fake line of results), ``\\x9b`` is an 8-bit CSI that some terminals
obey, and right-to-left overrides reorder what is shown (a URL that reads
differently from what it is). So every piece of article text (titles,
bodies, snippets, sources, urls, authors, ids, facet values, file names in
messages) goes through :func:`safe` before it is printed as text: each such
character is *shown*, escaped the way Python writes it (``\\x1b``, ``\\r``,
``\\u202e``), so a reader sees that the text held it and the terminal
interprets nothing. Lone surrogates (a file name that is not UTF-8) are shown
the same way instead of making the print fail.

JSON output (:func:`safe_json`) is escaped by JSON itself, plus the
characters JSON leaves raw (DEL, the C1 controls, the overrides, lone
surrogates), so ``--json`` on a terminal is as harmless and still valid JSON.
CSV output is data for other programs and is written as it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Characters a terminal may act on: C0 controls (but tab), DEL, C1 controls, the explicit
#: bidirectional formatting characters, and lone surrogates (which cannot even be encoded).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_LINE = re.compile(f"[\n{_UNSAFE}]")
_UNSAFE_TEXT = re.compile(f"[{_UNSAFE}]")
#: What JSON leaves unescaped of those (it escapes C0 itself).
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def safe(text: str, multiline: bool = False) -> str:
    """``text`` with every character a terminal could act on shown as an escape (``\\x1b``).

    ``multiline=True`` keeps line breaks (an article body); otherwise they are
    escaped too, so one field stays on one line. Tabs are kept.
    """
    pattern = _UNSAFE_TEXT if multiline else _UNSAFE_LINE
    return pattern.sub(_escape, text)


def safe_json(value: Any, **options: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, **options)``, with what JSON leaves raw escaped as ``\\uXXXX``."""
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False, **options))
