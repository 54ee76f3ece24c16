"""The collector pause: state restored, a large build promoted to the oldest
generation, the program's garbage cycles still collected, frozen heaps left frozen."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from dast._gc import PROMOTE_CHILDREN, PROMOTE_TEXT, gc_paused
from dast.load import load_document
from dast.nodes import Document
from dastdown.parser import parse


class _Cell:
    """A weak-referenceable container (for a reference cycle)."""

    other: object = None


def _cycle() -> weakref.ref[_Cell]:
    """A garbage reference cycle, and a weak reference that says when it is collected."""
    a, b = _Cell(), _Cell()
    a.other, b.other = b, a
    return weakref.ref(a)


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation=generation))


def _document(children: int) -> dict[str, object]:
    paragraph = {"type": "paragraph", "children": [{"type": "span", "value": "x"}]}
    return {"schema": "dast", "document": {"type": "root", "children": [paragraph] * children}}


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pause_restores_the_state(collector_on: None) -> None:
    with gc_paused(promote=True):
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused(promote=True):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_build_joins_the_oldest_generation(collector_on: None) -> None:
    with gc_paused(promote=True):
        made = [[i] for i in range(3)]
    assert _in_generation(made, 2)
    with gc_paused():
        young = [[1]]
    assert not _in_generation(young, 2)


def test_large_documents_are_old_at_once_small_ones_young(collector_on: None) -> None:
    large = load_document(_document(PROMOTE_CHILDREN))
    assert isinstance(large, Document) and _in_generation(large, 2)
    small = load_document(_document(1))
    assert isinstance(small, Document) and not _in_generation(small, 2)
    parsed = parse("word " * (PROMOTE_TEXT // 5) + "\n")
    assert _in_generation(parsed, 2)


def test_the_programs_garbage_cycles_are_collected_before_a_promotion(collector_on: None) -> None:
    ref = _cycle()
    with gc_paused(promote=True):
        assert ref() is None  # collected on entry, not carried to the oldest generation


def test_cycles_made_while_paused_are_still_collected(collector_on: None) -> None:
    with gc_paused(promote=True):
        ref = _cycle()
    assert ref() is not None  # a cycle: refcounting alone does not free it
    gc.collect()
    assert ref() is None


@pytest.mark.parametrize("text", ["Hello *world*\n\n- a\n- b\n", "word " * (PROMOTE_TEXT // 5)])
def test_a_loop_of_parses_leaves_no_garbage_cycle_behind(collector_on: None, text: str) -> None:
    """Bulk jobs: the program's cycles made between parses are collected as usual."""
    refs = []
    for _ in range(3000 if len(text) < 100 else 20):
        refs.append(_cycle())
        parse(text)
    # the young collections the program's next allocations would run (a cycle whose first
    # object met a collection while its second was being made spans two generations)
    gc.collect(1)
    assert sum(ref() is not None for ref in refs) <= 1


def test_a_caller_that_froze_its_heap_keeps_it_frozen(collector_on: None) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with gc_paused(promote=True):
            made = [[1]]
        assert gc.get_freeze_count() >= frozen
        assert not _in_generation(made, 2)  # left young
    finally:
        gc.unfreeze()


def test_no_promotion_when_the_caller_disabled_the_collector() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with gc_paused(promote=True):
            made = [[1]]
        assert _in_generation(made, 0)
    finally:
        if was:
            gc.enable()


def test_cycles_alive_during_large_builds_meet_a_full_collection(collector_on: None) -> None:
    """Promotion skips the collector's count of old objects: gc_paused runs full ones itself."""
    from dast import _gc

    refs = []
    for _ in range(40):
        held = _cycle()  # alive (through the strong ref below) while the build runs
        keep = held()
        with gc_paused(promote=True):
            built = [[i] for i in range(_gc.FULL_COLLECTION_AFTER // 10)]  # a large build
        del keep, built
        refs.append(held)
    assert sum(ref() is not None for ref in refs) < 20  # full collections ran on the way


def test_a_full_collection_of_the_program_resets_the_count(collector_on: None) -> None:
    """Promoted objects a full collection walked since need no forced one."""
    from dast import _gc

    def full_collections() -> int:
        return int(gc.get_stats()[2]["collections"])

    saved = (_gc._Promoted.pending, _gc._Promoted.alive, _gc._Promoted.full)
    try:
        gc.collect()  # (the program's own)
        _gc._Promoted.pending = 10 * _gc.FULL_COLLECTION_AFTER  # (as if promoted before it)
        before = full_collections()
        with gc_paused(promote=True):
            pass
        assert full_collections() == before  # none forced: the program's walked them
        assert _gc._Promoted.pending < _gc.FULL_COLLECTION_AFTER
        _gc._Promoted.pending = 10 * _gc.FULL_COLLECTION_AFTER  # promoted since: one is due
        with gc_paused(promote=True):
            pass
        assert full_collections() == before + 1
    finally:
        _gc._Promoted.pending, _gc._Promoted.alive, _gc._Promoted.full = saved


def test_one_long_list_is_a_large_document(collector_on: None) -> None:
    """Counted in the root's first two levels: a single list of many items is large."""
    from dast._gc import PROMOTE_NODES

    item = {
        "type": "listItem",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
    }

    def one_list(items: int) -> dict[str, object]:
        listed = {"type": "list", "style": "bulleted", "children": [item] * items}
        return {"schema": "dast", "document": {"type": "root", "children": [listed]}}

    assert _in_generation(load_document(one_list(PROMOTE_NODES)), 2)
    assert not _in_generation(load_document(one_list(10)), 2)
