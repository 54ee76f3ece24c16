"""Pausing the cycle collector while building large trees.

Building a document allocates tens of thousands of dicts and frozen models
and creates no reference cycles; with a large tree already in memory, the
collector's generational passes make that several times slower.

Leaving the pause, the objects made meanwhile would all sit in the youngest
generation, and the first collection after it would walk every one of them
(30 ms for the 1 MB benchmark article, half the time of building it).
``gc_paused`` moves them to the oldest generation instead, in constant time
(``gc.freeze()`` then ``gc.unfreeze()``: two list splices), as the collector
would after they survived two passes. They are still collected by the next
full collection like any old object; this step is skipped when the program
keeps frozen objects of its own (``gc.get_freeze_count()``, e.g. a server that
froze its heap before forking), whose freeze must not be undone.

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

    On the way out, what the block allocated joins the oldest generation
    (see the module docstring), unless the program froze objects itself.

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
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
