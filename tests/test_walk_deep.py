"""Every walker at depth 5,000, and linear cost in depth (counted, not timed).

The trees: a document whose root holds a list nested ``DEPTH`` lists deep,
and a modular content value whose blocks nest ``DEPTH`` blocks deep. The
linearity tests count what the engine does (callback calls, and the length
of every path tuple it hands out) at depth 1,250 and 5,000: the counts must
grow about 4x (linear), not 16x (quadratic). Paths are only built for
callbacks that take a ``path`` parameter, so a callback of ``(node)`` or
``(node, parent)`` walks in linear time and memory at any depth; one that
takes ``path`` gets its whole path each time (quadratic by nature, counted
here too so the choice stays visible).
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

import dast._traverse as engine
import dast.cma.field_blocks as fb
from dast.cma.field_blocks import (
    BlockValue,
    every_blocks,
    every_blocks_async,
    filter_blocks,
    filter_blocks_async,
    find_all_blocks,
    find_all_blocks_async,
    map_blocks,
    map_blocks_async,
    reduce_blocks,
    reduce_blocks_async,
    some_blocks,
    some_blocks_async,
    visit_blocks,
    visit_blocks_async,
)
from dast.cma.schema import FieldSchema, ItemTypeSchema, SchemaRepository
from dast.errors import Path
from dast.nodes import (
    Document,
    InlineBlock,
    List,
    ListItem,
    Node,
    Paragraph,
    Root,
    Span,
)
from dast.walk import (
    MapResult,
    collect_nodes,
    collect_nodes_async,
    every_node,
    every_node_async,
    filter_nodes,
    filter_nodes_async,
    find_first_node,
    find_first_node_async,
    for_each_node,
    for_each_node_async,
    map_nodes,
    map_nodes_async,
    reduce_nodes,
    reduce_nodes_async,
    some_node,
    some_node_async,
)

T = TypeVar("T")

DEPTH = 5000


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def nested_lists(depth: int, bottom: Node | None = None) -> Document:
    """``depth`` lists nested in each other, one paragraph at the bottom."""
    leaf = bottom if bottom is not None else Span(value="bottom")
    node = List(style="bulleted", children=(ListItem(children=(Paragraph(children=(leaf,)),)),))
    for _ in range(depth - 1):
        node = List(style="numbered", children=(ListItem(children=(node,)),))
    return Document(document=Root(children=(node,)))


def node_count(depth: int) -> int:
    return 1 + 2 * depth + 2  # root, the lists and items, paragraph, span


@pytest.fixture(scope="module")
def deep() -> Document:
    return nested_lists(DEPTH)


def _bottom_path(depth: int) -> Path:
    return ("children", 0) * (2 * depth + 2)


# --- dast.walk at depth 5,000, callbacks without paths ------------------------------------


def test_pre_order_walkers_at_depth(deep: Document) -> None:
    seen: list[str] = []
    for_each_node(deep, lambda node: seen.append(node.type))
    assert len(seen) == node_count(DEPTH) and seen[-1] == "span"
    run(for_each_node_async(deep, lambda node: seen.append(node.type)))
    assert len(seen) == 2 * node_count(DEPTH)

    (match,) = collect_nodes(deep, lambda node: isinstance(node, Span))
    assert match.path == _bottom_path(DEPTH)
    assert isinstance(match.parent, Paragraph)
    assert run(collect_nodes_async(deep, lambda node: isinstance(node, Span))) == [match]
    assert find_first_node(deep, lambda node: isinstance(node, Span)) == match
    assert run(find_first_node_async(deep, lambda node: isinstance(node, Span))) == match
    lists = collect_nodes(deep, lambda node, parent: isinstance(parent, ListItem))
    assert len(lists) == DEPTH and lists[-1].path == _bottom_path(DEPTH)[:-2]

    assert some_node(deep, lambda node: isinstance(node, Span))
    assert not run(some_node_async(deep, lambda node: node.type == "code"))
    assert every_node(deep, lambda node: node.type != "code")
    assert not run(every_node_async(deep, lambda node: node.type != "span"))
    assert reduce_nodes(deep, lambda acc, node: acc + 1, 0) == node_count(DEPTH)
    assert run(reduce_nodes_async(deep, lambda acc, node: acc + 1, 0)) == node_count(DEPTH)


def test_rebuilding_walkers_at_depth(deep: Document) -> None:
    def shout(node: Node) -> MapResult:
        return Span(value=node.value.upper()) if isinstance(node, Span) else node

    async def shout_async(node: Node) -> MapResult:
        return shout(node)

    assert map_nodes(deep, lambda node: node) is deep
    for shouted in (map_nodes(deep, shout), run(map_nodes_async(deep, shout_async))):
        found = find_first_node(shouted, lambda node: isinstance(node, Span))
        assert found is not None and found.node == Span(value="BOTTOM")
        assert found.path == _bottom_path(DEPTH)
        assert reduce_nodes(shouted, lambda acc, node: acc + 1, 0) == node_count(DEPTH)

    # the span doubled: the paragraph at the bottom holds two
    doubled = map_nodes(deep, lambda node: [node, node] if isinstance(node, Span) else node)
    assert reduce_nodes(doubled, lambda acc, node: acc + 1, 0) == node_count(DEPTH) + 1

    assert filter_nodes(deep, lambda node: True) is deep
    assert run(filter_nodes_async(deep, lambda node: True)) is deep
    # dropping the only span empties every ancestor: the cascade reaches the root
    assert filter_nodes(deep, lambda node: node.type != "span") is None
    assert run(filter_nodes_async(deep, lambda node: node.type != "span")) is None


def test_rebuilding_walkers_at_depth_report_deep_paths(deep: Document) -> None:
    from dast.errors import DastValidationError

    with pytest.raises(DastValidationError) as err:
        map_nodes(deep, lambda node: None if isinstance(node, Span) else node)
    assert err.value.problems[0].path == (*_bottom_path(DEPTH)[:-2], "children")


def test_walkers_with_path_callbacks_at_depth(deep: Document) -> None:
    """Callbacks that take paths work at depth too (each gets its whole path)."""
    longest = reduce_nodes(deep, lambda acc, node, parent, path: max(acc, len(path)), 0)
    assert longest == len(_bottom_path(DEPTH))
    assert filter_nodes(deep, lambda node, parent, path: len(path) >= 0) is deep
    # cutting below the deepest list leaves every list empty: the cascade reaches the root
    assert filter_nodes(deep, lambda node, parent, path: len(path) < 2 * DEPTH) is None
    def depth_of(node: Node, parent: Node | None, path: Path) -> MapResult:
        return Span(value=str(len(path))) if isinstance(node, Span) else node

    shouted = map_nodes(deep, depth_of)
    found = find_first_node(shouted, lambda node: isinstance(node, Span))
    assert found is not None and found.node == Span(value=str(len(_bottom_path(DEPTH))))


# --- dast.cma block walkers at depth 5,000 ------------------------------------------------

SCHEMA = SchemaRepository(
    [ItemTypeSchema("B", "box", modular_block=True)],
    {"B": [FieldSchema("f1", "inner", "rich_text", False, "B")]},
)


def nested_blocks(depth: int) -> list[Any]:
    """A modular content value: ``depth`` blocks, each holding the next in ``inner``."""
    rel = {"item_type": {"data": {"type": "item_type", "id": "B"}}}
    block: dict[str, Any] = {
        "type": "item",
        "id": f"b{depth - 1}",
        "attributes": {"inner": []},
        "relationships": rel,
    }
    for i in range(depth - 2, -1, -1):
        block = {
            "type": "item",
            "id": f"b{i}",
            "attributes": {"inner": [block]},
            "relationships": rel,
        }
    return [block]


def block_path(level: int) -> Path:
    """The path of the block at ``level`` (0 = the outermost)."""
    return (0,) + (("attributes", "inner", 0) * level)


def _ids(value: Any) -> Iterator[str]:
    blocks = value
    while blocks:
        (block,) = blocks
        yield block["id"]
        blocks = block["attributes"]["inner"]


def _is_last(block: BlockValue) -> bool:
    return isinstance(block, dict) and block["id"] == f"b{DEPTH - 1}"


@pytest.fixture(scope="module")
def deep_blocks() -> list[Any]:
    return nested_blocks(DEPTH)


def test_block_walkers_at_depth(deep_blocks: list[Any]) -> None:
    seen: list[BlockValue] = []
    visit_blocks(deep_blocks, "rich_text", SCHEMA, lambda block: seen.append(block))
    assert len(seen) == DEPTH
    run(visit_blocks_async(deep_blocks, "rich_text", SCHEMA, lambda block: seen.append(block)))
    assert len(seen) == 2 * DEPTH

    (found,) = find_all_blocks(deep_blocks, "rich_text", SCHEMA, lambda block: _is_last(block))
    assert found.path == block_path(DEPTH - 1)
    async_found = run(find_all_blocks_async(deep_blocks, "rich_text", SCHEMA, _async(_is_last)))
    assert async_found == [found]
    assert some_blocks(deep_blocks, "rich_text", SCHEMA, lambda block: _is_last(block))
    assert run(some_blocks_async(deep_blocks, "rich_text", SCHEMA, _async(_is_last)))
    assert not every_blocks(deep_blocks, "rich_text", SCHEMA, lambda block: not _is_last(block))
    assert run(every_blocks_async(deep_blocks, "rich_text", SCHEMA, _async(lambda b: True)))
    count = reduce_blocks(deep_blocks, "rich_text", SCHEMA, lambda acc, block: acc + 1, 0)
    assert count == DEPTH
    assert run(reduce_blocks_async(deep_blocks, "rich_text", SCHEMA, _count_async, 0)) == DEPTH


def _async(fn: Callable[[BlockValue], bool]) -> Callable[[BlockValue, Path], Any]:
    async def call(block: BlockValue, path: Path) -> bool:
        return fn(block)

    return call


async def _count_async(acc: int, block: BlockValue, path: Path) -> int:
    return acc + 1


def test_block_rebuilding_walkers_at_depth(deep_blocks: list[Any]) -> None:
    assert map_blocks(deep_blocks, "rich_text", SCHEMA, lambda block: block) is deep_blocks

    def tag(block: BlockValue) -> BlockValue:
        assert isinstance(block, dict)
        return {**block, "id": block["id"].upper()}

    async def tag_async(block: BlockValue, path: Path) -> BlockValue:
        return tag(block)

    want = [f"B{i}" for i in range(DEPTH)]
    assert list(_ids(map_blocks(deep_blocks, "rich_text", SCHEMA, tag))) == want
    assert list(_ids(run(map_blocks_async(deep_blocks, "rich_text", SCHEMA, tag_async)))) == want

    kept = filter_blocks(deep_blocks, "rich_text", SCHEMA, lambda block: not _is_last(block))
    assert list(_ids(kept)) == [f"b{i}" for i in range(DEPTH - 1)]
    kept = run(filter_blocks_async(deep_blocks, "rich_text", SCHEMA, _async(lambda b: True)))
    assert kept is deep_blocks
    # the paths the callbacks get are right at the bottom too
    paths: list[Path] = []
    visit_blocks(deep_blocks, "rich_text", SCHEMA, lambda block, path: paths.append(path))
    assert paths[-1] == block_path(DEPTH - 1)


def test_block_walkers_in_a_deep_document() -> None:
    """A structured text value whose only inline block sits under 5,000 lists."""
    doc = nested_lists(DEPTH, bottom=InlineBlock(item="b1"))
    data = doc.to_json()
    found = find_all_blocks(data, "structured_text", SCHEMA, lambda block: True)
    assert found == [fb.FoundBlock("b1", ("document", *_bottom_path(DEPTH), "item"))]
    mapped = map_blocks(doc, "structured_text", SCHEMA, lambda block: "b2")
    (match,) = collect_nodes(mapped, lambda node: isinstance(node, InlineBlock))
    assert isinstance(match.node, InlineBlock) and match.node.item == "b2"
    assert filter_blocks(data, "structured_text", SCHEMA, lambda block: False) is None


# --- linearity: counted, not timed --------------------------------------------------------


class _Meter:
    """Counts the callback calls the engine makes and the path elements it hands out."""

    def __init__(self) -> None:
        self.calls = 0
        self.path_items = 0

    def wrap(self, drive: Callable[..., Any]) -> Callable[..., Any]:
        def counting(walker: Any, fn: Callable[..., Any]) -> Any:
            def call(*args: Any) -> Any:
                self.calls += 1
                self.path_items += sum(len(a) for a in args if isinstance(a, tuple))
                return fn(*args)

            return drive(walker, call)

        return counting

    @property
    def work(self) -> int:
        return self.calls + self.path_items


def _meter(monkeypatch: pytest.MonkeyPatch, walk: Callable[[], object]) -> _Meter:
    meter = _Meter()
    with monkeypatch.context() as patch:
        patch.setattr(engine, "drive", meter.wrap(engine.drive))
        patch.setattr(fb, "drive", meter.wrap(fb.drive))
        walk()
    return meter


NODE_WALKS: dict[str, Callable[[Document], object]] = {
    "for_each_node": lambda d: for_each_node(d, lambda node: None),
    "collect_nodes": lambda d: collect_nodes(d, lambda node: isinstance(node, Span)),
    "find_first_node": lambda d: find_first_node(d, lambda node, parent: node.type == "span"),
    "some_node": lambda d: some_node(d, lambda node: False),
    "every_node": lambda d: every_node(d, lambda node: True),
    "reduce_nodes": lambda d: reduce_nodes(d, lambda acc, node: acc + 1, 0),
    "map_nodes": lambda d: map_nodes(d, lambda node: node.model_copy()),
    "filter_nodes": lambda d: filter_nodes(d, lambda node: node.type != "span"),
}


@pytest.mark.parametrize("name", sorted(NODE_WALKS))
def test_node_walkers_do_linear_work(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    walk = NODE_WALKS[name]
    small = _meter(monkeypatch, lambda: walk(nested_lists(1250))).work
    large = _meter(monkeypatch, lambda: walk(nested_lists(5000))).work
    assert small > 1250
    assert 3.5 < large / small < 4.5, (small, large)


BLOCK_WALKS: dict[str, Callable[[list[Any]], object]] = {
    "visit_blocks": lambda v: visit_blocks(v, "rich_text", SCHEMA, lambda block: None),
    "find_all_blocks": lambda v: find_all_blocks(v, "rich_text", SCHEMA, _is_last),
    "some_blocks": lambda v: some_blocks(v, "rich_text", SCHEMA, lambda block: False),
    "every_blocks": lambda v: every_blocks(v, "rich_text", SCHEMA, lambda block: True),
    "reduce_blocks": lambda v: reduce_blocks(v, "rich_text", SCHEMA, lambda a, b: a + 1, 0),
    "map_blocks": lambda v: map_blocks(v, "rich_text", SCHEMA, lambda block: block),
    "filter_blocks": lambda v: filter_blocks(v, "rich_text", SCHEMA, lambda block: True),
}


@pytest.mark.parametrize("name", sorted(BLOCK_WALKS))
def test_block_walkers_do_linear_work(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    walk = BLOCK_WALKS[name]
    small = _meter(monkeypatch, lambda: walk(nested_blocks(1250))).work
    large = _meter(monkeypatch, lambda: walk(nested_blocks(5000))).work
    assert small >= 1250
    assert 3.5 < large / small < 4.5, (small, large)
    # inside, paths stay PathLink chains: a tuple is built for the one match only
    built: list[Path] = []
    real = engine.PathLink.path

    def counted(link: engine.PathLink) -> Path:
        built.append(real(link))
        return built[-1]

    monkeypatch.setattr(engine.PathLink, "path", counted)
    walk(nested_blocks(5000))
    assert built == ([block_path(DEPTH - 1)] if name == "find_all_blocks" else [])


def test_path_callbacks_get_whole_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented trade-off: a callback that takes paths pays for them (quadratic)."""

    def walk(d: Document) -> object:
        return for_each_node(d, lambda n, parent, path: None)

    small = _meter(monkeypatch, lambda: walk(nested_lists(1250)))
    large = _meter(monkeypatch, lambda: walk(nested_lists(5000)))
    assert small.path_items == sum(2 * k for k in range(node_count(1250)))
    assert large.path_items / small.path_items > 15


def _peak(walk: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        walk()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", ["for_each_node", "map_nodes", "filter_nodes"])
def test_node_walkers_use_linear_memory(name: str) -> None:
    walk = NODE_WALKS[name]
    small_tree, large_tree = nested_lists(1250), nested_lists(5000)
    small = _peak(lambda: walk(small_tree))
    large = _peak(lambda: walk(large_tree))
    assert large / small < 6, (small, large)
