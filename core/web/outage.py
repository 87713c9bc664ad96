"""Telling a database outage from other errors."""

from django.db import DatabaseError


def caused_by_database(exc: BaseException | None) -> bool:
    """Whether a database error is the exception or anywhere in its chain.

    A database outage can surface as another exception: the session middleware
    turns a failed session save into SessionInterrupted (a 400), for example.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DatabaseError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
