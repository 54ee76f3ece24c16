"""The collector pause: state restored, new objects promoted to the oldest
generation, frozen heaps left frozen, cycles still collected."""

from __future__ import annotations

import gc
import weakref

import pytest

from dast._gc import gc_paused
from dast.load import load_document
from dast.nodes import Document


class _Cell:
    """A weak-referenceable container (for a reference cycle)."""

    other: object = None


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation=generation))


@pytest.fixture
def collector_on() -> object:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pause_restores_the_state(collector_on: object) -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_made_while_paused_join_the_oldest_generation(collector_on: object) -> None:
    with gc_paused():
        made = [[i] for i in range(3)]
    assert _in_generation(made, 2)
    assert not _in_generation(made, 0)
    assert gc.get_count()[0] < 100  # no pending young collection over them


def test_a_loaded_document_is_old_at_once(collector_on: object) -> None:
    doc = load_document(
        {"schema": "dast", "document": {"type": "root", "children": [{"type": "thematicBreak"}]}}
    )
    assert isinstance(doc, Document)
    assert _in_generation(doc, 2)


def test_a_caller_that_froze_its_heap_keeps_it_frozen(collector_on: object) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with gc_paused():
            made = [[1]]
        assert gc.get_freeze_count() >= frozen
        assert not _in_generation(made, 2)  # left young
    finally:
        gc.unfreeze()


def test_no_promotion_when_the_caller_disabled_the_collector() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            made = [[1]]
        assert _in_generation(made, 0)
    finally:
        if was:
            gc.enable()


def test_cycles_made_while_paused_are_still_collected(collector_on: object) -> None:
    with gc_paused():
        a, b = _Cell(), _Cell()
        a.other, b.other = b, a
        ref = weakref.ref(a)
    del a, b
    assert ref() is not None  # a cycle: refcounting alone does not free it
    gc.collect()
    assert ref() is None
