"""Pausing the cycle collector while building large trees.

Building a document allocates tens of thousands of dicts and frozen models
and creates no reference cycles; with a large tree already in memory, the
collector's generational passes make that several times slower.

Leaving the pause, the objects made meanwhile would all sit in the youngest
generation, and the first collection after it would walk every one of them
(30 ms for the 1 MB benchmark article, half the time of building it). With
``promote=True`` (for large builds) ``gc_paused`` first collects the young
generations on entry (what the program made before: its garbage cycles are
found as usual), then, on exit, moves what the block made to the oldest
generation in constant time (``gc.freeze()`` then ``gc.unfreeze()``: two
list splices), as the collector would after it survived two passes. Only
the block's own objects move: trees without cycles, freed by reference
counting as soon as they are dropped. Promoting without that first
collection would carry the program's young garbage cycles along where only
a full collection finds them (a loop of small parses then never collected
any). The step is skipped when the program keeps frozen objects of its own
(``gc.get_freeze_count()``, e.g. a server that froze its heap before
forking), whose freeze must not be undone, or disabled the collector.

Promoted objects skip the collector's own count of objects reaching the
oldest generation, which decides when it runs a full collection; so that a
program's cycles that were alive during a build still meet one, a large
build starts with a full collection instead of the young ones once the
objects promoted by earlier builds outnumber what the last full collection
found alive (and :data:`FULL_COLLECTION_AFTER`): at most one walk of the
live objects per promoted object, usually far less, against the one walk of
each new object that promotion saves. It runs when the next large build
starts, not as the one that crossed the line ends: by then a tree the
program has dropped is freed by reference counting and not walked (a
single parse of a 1 MB list nested 500,000 deep made ~4 million objects and
then walked them all again, 0.6 s).

>>> with gc_paused():
...     pass
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "FULL_COLLECTION_AFTER",
    "PROMOTE_CHILDREN",
    "PROMOTE_NODES",
    "PROMOTE_TEXT",
    "gc_paused",
    "pause",
    "resume",
]

PROMOTE_TEXT = 50_000
"""Texts at least this long (characters) are large builds: parsed with ``promote=True``."""

PROMOTE_CHILDREN = 200
"""DAST JSON with at least this many root children is a large build to load."""

PROMOTE_NODES = 1_000
"""... or with at least this many nodes in the root's children and theirs (one long list)."""

FULL_COLLECTION_AFTER = 1_000_000
"""The fewest promoted objects between two full collections run by :func:`gc_paused`."""


class _Promoted:
    """Objects promoted since the last full collection, how many it left alive (when run
    here), and the collector's count of full collections then (any later one resets
    ``pending``: it walked the promoted objects too)."""

    pending = 0
    alive = 0
    full = 0


def pause(promote: bool = False) -> int:
    """The first half of :func:`gc_paused`, as a plain call (for hot paths): returns its state.

    >>> import gc
    >>> state = pause()
    >>> gc.isenabled()
    False
    >>> resume(state)
    """
    enabled = gc.isenabled()
    if not enabled:
        return _OFF
    gc.disable()
    if promote and not gc.get_freeze_count():
        gc.enable()
        full = gc.get_stats()[2]["collections"]
        if full != _Promoted.full:  # a full collection ran since (the program's or the collector's)
            _Promoted.pending, _Promoted.full = 0, full
        if _Promoted.pending >= max(FULL_COLLECTION_AFTER, _Promoted.alive):
            gc.collect()  # what earlier builds promoted outnumbers what the last one left alive
            _Promoted.alive = len(gc.get_objects())
            _Promoted.pending, _Promoted.full = 0, gc.get_stats()[2]["collections"]
        else:
            gc.collect(1)  # the program's young objects: collected or aged as usual
        gc.disable()
        return _PROMOTE
    return _ON


def resume(state: int) -> None:
    """The second half of :func:`gc_paused`: ``state`` is what :func:`pause` returned.

    >>> resume(pause(promote=True))
    """
    if state == _OFF:
        return
    if state == _PROMOTE:
        made = gc.get_count()[0]  # tracked objects made since the entry's collection
        gc.freeze()
        gc.unfreeze()
        _Promoted.pending += made
    gc.enable()


_OFF, _ON, _PROMOTE = 0, 1, 2
""":func:`pause` found the collector disabled; enabled; enabled, and promotes."""


@contextmanager
def gc_paused(*, promote: bool = False) -> Iterator[None]:
    """Disable the cycle collector for the block, restoring its previous state.

    ``promote``: the block builds a large tree; it joins the oldest
    generation on the way out (see the module docstring).

    >>> import gc
    >>> with gc_paused(promote=True):
    ...     gc.isenabled()
    False
    """
    state = pause(promote)
    try:
        yield
    finally:
        resume(state)
