"""Turning bytes into text when the file does not say how it is encoded.

Exports from old newsroom systems and spreadsheets are often Windows-1252,
Latin-1 or another legacy code page with nothing in the file naming it.
UTF-8 is tried first (it is strict enough that legacy text almost never
passes as UTF-8); otherwise charset-normalizer guesses from the bytes. Bytes
that still do not decode become U+FFFD, so one bad byte never loses an
article or stops a run.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# How much of a file the guess looks at: enough for a reliable guess, small enough to stay cheap.
SAMPLE_BYTES = 64 * 1024
_WESTERN = "cp1252"


def _is_utf8(sample: bytes) -> bool:
    """UTF-8, allowing a multi-byte character cut off at the end of a sample."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """The encoding to read a file with, judged from its first bytes.

    ``utf-8-sig`` for UTF-8 (with or without a byte-order mark), else
    charset-normalizer's best guess, else ``utf-8`` (decoded with
    replacement characters by the caller). Western European text often
    scores the same in several single-byte code pages (French Windows-1252
    ties with Windows-1250, which turns "crème" into "crčme"); a tie goes to
    Windows-1252, the most common legacy encoding of the web (the WHATWG
    default for undeclared Western pages).
    """
    if _is_utf8(sample):
        return "utf-8-sig"
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return "utf-8"
    tied = (m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence))
    if any(_WESTERN in m.could_be_from_charset for m in tied):
        return _WESTERN
    return best.encoding


def decode(data: bytes) -> str:
    """Decode one file or line: UTF-8 (tolerating a BOM), else the detected legacy encoding."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode(detect_encoding(data[:SAMPLE_BYTES]), errors="replace")
