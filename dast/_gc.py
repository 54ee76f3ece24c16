"""Pausing the cycle collector while building large trees.

Building a document allocates tens of thousands of dicts and frozen models
and creates no reference cycles; with a large tree already in memory, the
collector's generational passes make that several times slower.

>>> with gc_paused():
...     pass
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cycle collector for the block, restoring its previous state.

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
