"""The library's own exceptions.

Every failure a user can cause (a bad file, a bad query, a missing or locked
index) is raised as a subclass of :class:`NewsIndexError`, so that the CLI can
turn it into one line and an exit code, and so that library users can catch
exactly what is theirs to handle without catching programming errors too.
"""

from __future__ import annotations


class NewsIndexError(Exception):
    """Base class of every error newsindex raises on purpose."""


class ReadError(NewsIndexError):
    """An input file, or one record in it, could not be read as an article.

    ``path`` and ``position`` (e.g. ``"line 12"``) say where, so that a
    summary can point the user at the exact record.
    """

    def __init__(self, message: str, path: str = "", position: str = "") -> None:
        self.path = path
        self.position = position
        self.reason = message
        where = ":".join(p for p in (path, position) if p)
        super().__init__(f"{where}: {message}" if where else message)


class QueryError(NewsIndexError):
    """A query string is malformed; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, query: str = "", position: int | None = None) -> None:
        self.query = query
        self.position = position
        self.reason = message
        if position is not None:
            message = f"{message} (at character {position + 1} of the query)"
        super().__init__(message)


class DateError(NewsIndexError):
    """A date cannot be understood: readers report it as a bad record, the query parser as a QueryError."""


class IndexNotFoundError(NewsIndexError):
    """There is no newsindex index at the given directory."""


class IndexLockedError(NewsIndexError):
    """Another writer holds the index's write lock."""


class IndexVersionError(NewsIndexError):
    """The index was written by an incompatible version of newsindex."""


class IndexDamagedError(NewsIndexError):
    """A file of the index is damaged or missing (its checksum, its size, or its contents say so)."""


class ArticleNotFoundError(NewsIndexError):
    """No article with the given id is in the index."""


class NoStoriesError(NewsIndexError):
    """Stories were asked for (counting stories, not copies) but the index has none, or its stories
    are behind its articles (indexed with --no-stories since)."""
