"""The traversal engine itself: protocol, drivers, iterators, paths, callback fitting."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import documents

from dast import _traverse as engine
from dast._traverse import (
    Descend,
    PathLink,
    Stop,
    Walker,
    children_of,
    drive,
    drive_async,
    fit,
    iter_json_nodes,
    iter_nodes,
    iter_tree,
)
from dast.errors import Path
from dast.nodes import Document, Node, Paragraph, Span

# Generic trees: an int leaf or a list of subtrees.
trees = st.recursive(
    st.integers(-50, 50), lambda inner: st.lists(inner, max_size=4), max_leaves=30
)


def _sum_walker(tree: Any) -> Walker[int]:
    """Visit leaves in order (a call each), descending into lists; return the sum of results."""
    if isinstance(tree, int):
        return int((yield (tree, "leaf")))
    total = 0
    for sub in tree:
        total += yield Descend(_sum_walker(sub))
    return int((yield (total, "list")))


def _reference(tree: Any, fn: Any, log: list[Any]) -> int:
    """The same walk, recursive (small trees only)."""
    if isinstance(tree, int):
        log.append((tree, "leaf"))
        return int(fn(tree, "leaf"))
    total = sum(_reference(sub, fn, log) for sub in tree)
    log.append((total, "list"))
    return int(fn(total, "list"))


@given(trees)
def test_sync_and_async_drivers_agree_on_random_trees(tree: Any) -> None:
    def double(value: int, kind: str) -> int:
        return value * 2 if kind == "leaf" else value + 1

    want_log: list[Any] = []
    want = _reference(tree, lambda *args: double(*args), want_log)

    sync_log: list[Any] = []
    got = drive(_sum_walker(tree), lambda *args: (sync_log.append(args), double(*args))[1])
    assert (got, sync_log) == (want, want_log)

    async_log: list[Any] = []

    async def adouble(value: int, kind: str) -> int:
        async_log.append((value, kind))
        return double(value, kind)

    assert asyncio.run(drive_async(_sum_walker(tree), adouble)) == want
    assert async_log == want_log

    # a plain callback works with the async driver too
    assert asyncio.run(drive_async(_sum_walker(tree), double)) == want


def _reference_nodes(node: Node, parent: Node | None, path: Path) -> Iterator[Any]:
    yield node, parent, path
    for i, kid in enumerate(children_of(node)):
        yield from _reference_nodes(kid, node, (*path, "children", i))


@given(documents())
def test_iterators_and_walkers_agree_with_a_recursive_reference(doc: Document) -> None:
    want = list(_reference_nodes(doc.document, None, ()))
    assert list(iter_nodes(doc.document)) == want
    # iter_tree gives depth and last-child flags in the same order
    steps = list(iter_tree(doc.document, children_of))
    assert [s[0] for s in steps] == [w[0] for w in want]
    assert [s[3] for s in steps] == [len(w[2]) // 2 for w in want]
    for _node, parent, index, _depth, last in steps:
        if parent is not None:
            assert last == (index == len(children_of(parent)) - 1)
    # iter_json_nodes walks the JSON in the same pre-order
    json_types = [n["type"] for n in iter_json_nodes(doc.to_json()["document"])]
    assert json_types == [w[0].type for w in want]
    # every walker: paths built or not, sync or async, the same results
    for make in (engine.collect, engine.find_first, engine.some, engine.every):
        for paths in (False, True):
            fn = _pick if paths else _pick_node_only
            sync = drive(make(doc.document, paths), fn)
            assert asyncio.run(drive_async(make(doc.document, paths), _async(fn))) == sync
            assert sync == drive(make(doc.document, True), _pick)
    mapped = drive(engine.map_tree(doc.document, False), _upper)
    assert drive(engine.map_tree(doc.document, True), _upper) == mapped
    kept = drive(engine.filter_tree(doc.document, False), _pick_node_only)
    assert asyncio.run(drive_async(engine.filter_tree(doc.document, True), _async(_pick))) == kept


def _pick(node: Node, parent: Node | None, path: Path) -> bool:
    assert isinstance(path, tuple)
    return node.type in ("span", "paragraph", "link")


def _pick_node_only(node: Node, parent: Node | None, path: None) -> bool:
    assert path is None or path == ()  # no path built (the start's is always ())
    return node.type in ("span", "paragraph", "link")


def _upper(node: Node, parent: Node | None, path: Path | None) -> Node:
    return Span(value=node.value.upper()) if isinstance(node, Span) else node


def _async(fn: Any) -> Any:
    async def call(*args: Any) -> Any:
        return fn(*args)

    return call


def test_stop_ends_the_walk_and_closes_every_walker() -> None:
    closed: list[str] = []

    def inner() -> Walker[None]:
        try:
            yield (1,)
            raise Stop("stopped")
        finally:
            closed.append("inner")

    def outer() -> Walker[str]:
        try:
            yield Descend(inner())
            return "ended"
        finally:
            closed.append("outer")

    assert drive(outer(), lambda x: None) == "stopped"
    assert closed == ["inner", "outer"]
    closed.clear()
    assert asyncio.run(drive_async(outer(), _async(lambda x: None))) == "stopped"
    assert closed == ["inner", "outer"]


def test_a_failing_callback_closes_every_walker() -> None:
    closed: list[str] = []

    def inner() -> Walker[None]:
        try:
            yield ("boom",)
        finally:
            closed.append("inner")

    def outer() -> Walker[None]:
        try:
            yield Descend(inner())
        finally:
            closed.append("outer")

    def fail(x: str) -> None:
        raise ValueError(x)

    with pytest.raises(ValueError, match="boom"):
        drive(outer(), fail)
    assert closed == ["outer", "inner"] or closed == ["inner", "outer"]


def test_drivers_handle_deep_descends() -> None:
    def count_down(n: int) -> Walker[int]:
        if n == 0:
            return 0
        below = yield Descend(count_down(n - 1))
        return int((yield (n, below)))

    assert drive(count_down(20000), lambda n, below: n + below) == 20000 * 20001 // 2
    got = asyncio.run(drive_async(count_down(20000), _async(lambda n, below: n + below)))
    assert got == 20000 * 20001 // 2


def test_fit_reports_whether_the_path_is_taken() -> None:
    def full(node: object, parent: object, path: object) -> object:
        return path

    def node_only(node: object) -> object:
        return node

    def star(*args: object) -> object:
        return args

    assert fit(full, 3) == (full, True)
    call, wants = fit(node_only, 3)
    assert not wants and call("n", "p", ("children", 0)) == "n"
    assert fit(star, 3) == (star, True)
    call, wants = fit(lambda acc, node: acc, 4)
    assert not wants and call(1, "n", None, ()) == 1
    call, wants = fit(len, 3)  # builtins too, from their text signature
    assert not wants and call("ab", None, ()) == 2


def test_path_links_build_tuples_on_demand_and_cache_them() -> None:
    root = PathLink(None, ("sections",))
    a = PathLink(root, (0, "attributes"))
    b = PathLink(a, ("cards", 1))
    assert b.path() == ("sections", 0, "attributes", "cards", 1)
    assert b.path() is b.path()
    assert a.path() == ("sections", 0, "attributes")
    # a deep chain is built iteratively
    link = root
    for i in range(20000):
        link = PathLink(link, (i,))
    assert len(link.path()) == 20001


def test_walkers_build_no_path_for_callbacks_without_one() -> None:
    tree = Paragraph(children=(Span(value="a"), Span(value="b")))
    seen: list[Any] = []
    drive(engine.for_each(tree, False), lambda node, parent, path: seen.append(path))
    assert seen == [(), None, None]
    # matches still get their paths
    (first, second) = drive(engine.collect(tree, False), lambda n, p, path: n.type == "span")
    assert (first.path, second.path) == (("children", 0), ("children", 1))


def test_iter_json_nodes_skips_non_dict_children() -> None:
    tree = {"type": "root", "children": [{"type": "paragraph", "children": [1, None]}, "x"]}
    assert [n["type"] for n in iter_json_nodes(tree)] == ["root", "paragraph"]
    deep: dict[str, Any] = {"type": "span"}
    for _ in range(20000):
        deep = {"type": "listItem", "children": [deep]}
    assert sum(1 for _ in iter_json_nodes(deep)) == 20001


def test_iter_tree_calls_children_before_yielding() -> None:
    labels: dict[str, str] = {}

    def children(key: str) -> list[str]:
        labels[key] = key.upper()
        return {"a": ["b", "c"]}.get(key, [])

    for key, *_ in iter_tree("a", children):
        assert labels[key] == key.upper()
