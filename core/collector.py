"""Pausing Python's cycle collector around work that allocates many objects and few cycles.

Pure Python. A catalog read and a PDF render each allocate hundreds of thousands of small
objects; with the collector running, its full passes walk the whole heap again and again
(half of a large catalog's compile, a fifth of a checklist's render). Paused, one
young-generation pass after the work frees what cycles it made, so memory stays flat.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    if not gc.isenabled():  # already paused by an outer caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)
