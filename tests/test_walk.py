"""The walkers of dast.walk: order, paths, rebuilding rules, inputs, depth, async twins."""

from __future__ import annotations

import asyncio
import copy
import os
import pathlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import pytest
from hypothesis import given
from strategies import documents
from typing_extensions import TypeIs, assert_type

from dast import guards
from dast.builders import block, code, doc, em, h, hr, li, link, ol, p, strong, ul
from dast.errors import DastValidationError, Path, format_path
from dast.nodes import (
    Block,
    Document,
    Heading,
    Link,
    List,
    ListItem,
    Node,
    Paragraph,
    Root,
    Span,
    ThematicBreak,
)
from dast.walk import (
    MapResult,
    Match,
    WalkError,
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

RECORD: dict[str, Any] = {
    "id": "b1",
    "type": "item",
    "attributes": {"tags": ["a", "b"]},
    "relationships": {"item_type": {"data": {"id": "cta", "type": "item_type"}}},
}


def sample() -> Document:
    return doc(
        h(1, "Title"),
        p("Hello ", strong("world"), link("https://x.y", "site")),
        ul("one", li("two", ol("two.a"))),
        block(RECORD),
        hr(),
    )


# (type, dotted path, parent type) in pre-order.
PRE_ORDER = [
    ("root", "", None),
    ("heading", "children[0]", "root"),
    ("span", "children[0].children[0]", "heading"),
    ("paragraph", "children[1]", "root"),
    ("span", "children[1].children[0]", "paragraph"),
    ("span", "children[1].children[1]", "paragraph"),
    ("link", "children[1].children[2]", "paragraph"),
    ("span", "children[1].children[2].children[0]", "link"),
    ("list", "children[2]", "root"),
    ("listItem", "children[2].children[0]", "list"),
    ("paragraph", "children[2].children[0].children[0]", "listItem"),
    ("span", "children[2].children[0].children[0].children[0]", "paragraph"),
    ("listItem", "children[2].children[1]", "list"),
    ("paragraph", "children[2].children[1].children[0]", "listItem"),
    ("span", "children[2].children[1].children[0].children[0]", "paragraph"),
    ("list", "children[2].children[1].children[1]", "listItem"),
    ("listItem", "children[2].children[1].children[1].children[0]", "list"),
    ("paragraph", "children[2].children[1].children[1].children[0].children[0]", "listItem"),
    (
        "span",
        "children[2].children[1].children[1].children[0].children[0].children[0]",
        "paragraph",
    ),
    ("block", "children[3]", "root"),
    ("thematicBreak", "children[4]", "root"),
]

# Types in the order map_nodes calls the mapper (children before parents).
POST_ORDER = [
    "span",
    "heading",
    "span",
    "span",
    "span",
    "link",
    "paragraph",
    "span",
    "paragraph",
    "listItem",
    "span",
    "paragraph",
    "span",
    "paragraph",
    "listItem",
    "list",
    "listItem",
    "list",
    "block",
    "thematicBreak",
    "root",
]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def visit_log(log: list[tuple[str, str, str | None]]) -> Callable[[Node, Node | None, Path], None]:
    def visit(node: Node, parent: Node | None, path: Path) -> None:
        log.append((node.type, format_path(path), None if parent is None else parent.type))

    return visit


def resolve(root: Node, path: Path) -> Any:
    """Follow a path from the root node, by attribute and index."""
    here: Any = root
    for part in path:
        here = here[part] if isinstance(part, int) else getattr(here, part)
    return here


def is_span(node: Node) -> TypeIs[Span]:
    return isinstance(node, Span)


def is_span_full(node: Node, parent: Node | None, path: Path) -> TypeIs[Span]:
    return isinstance(node, Span)


def upper(node: Node, parent: Node | None, path: Path) -> MapResult:
    if isinstance(node, Span):
        return node.model_copy(update={"value": node.value.upper()})
    return node


def count_json_nodes(data: Any) -> int:
    """Count nodes in DAST JSON independently of the walkers (block items not entered)."""
    total, stack = 0, [data["document"]]
    while stack:
        node = stack.pop()
        total += 1
        stack.extend(node.get("children", ()))
    return total


# --- order and paths ----------------------------------------------------------------------


def test_for_each_node_visits_in_pre_order_with_paths_and_parents() -> None:
    log: list[tuple[str, str, str | None]] = []
    for_each_node(sample(), visit_log(log))
    assert log == PRE_ORDER


def test_for_each_node_async_visits_the_same() -> None:
    log: list[tuple[str, str, str | None]] = []
    visit = visit_log(log)

    async def avisit(node: Node, parent: Node | None, path: Path) -> None:
        await asyncio.sleep(0)
        visit(node, parent, path)

    run(for_each_node_async(sample(), avisit))
    assert log == PRE_ORDER


def test_paths_and_parents_point_into_the_tree() -> None:
    d = sample()
    matches = collect_nodes(d, lambda node, parent, path: True)
    assert len(matches) == len(PRE_ORDER)
    for node, parent, path in matches:
        assert resolve(d.document, path) is node
        if path:
            assert resolve(d.document, path[:-2]) is parent
        else:
            assert parent is None


def test_a_node_is_walked_from_itself() -> None:
    para = sample().document.children[1]
    paths = [m.path for m in collect_nodes(para, lambda n, parent, path: True)]
    assert paths == [
        (),
        ("children", 0),
        ("children", 1),
        ("children", 2),
        ("children", 2, "children", 0),
    ]


def test_map_nodes_is_bottom_up_and_sees_mapped_children() -> None:
    order: list[str] = []
    seen_in_paragraph: list[str] = []

    def mapper(node: Node, parent: Node | None, path: Path) -> MapResult:
        order.append(node.type)
        if isinstance(node, Span):
            return node.model_copy(update={"value": node.value.upper()})
        if isinstance(node, Paragraph) and path == ("children", 1):
            seen_in_paragraph.extend(getattr(kid, "value", kid.type) for kid in node.children)
            assert parent is not None and parent.type == "root"
        return node

    map_nodes(sample(), mapper)
    assert order == POST_ORDER
    assert seen_in_paragraph == ["HELLO ", "WORLD", "link"]


def test_map_nodes_async_is_bottom_up_too() -> None:
    order: list[str] = []

    async def mapper(node: Node, parent: Node | None, path: Path) -> MapResult:
        order.append(node.type)
        return upper(node, parent, path)

    result = run(map_nodes_async(sample(), mapper))
    assert order == POST_ORDER
    assert result == map_nodes(sample(), upper)


# --- map_nodes ----------------------------------------------------------------------------


def test_map_nodes_replaces_nodes() -> None:
    result = map_nodes(sample(), upper)
    assert isinstance(result, Document)
    spans = [m.node.value for m in collect_nodes(result, is_span)]
    assert spans == ["TITLE", "HELLO ", "WORLD", "SITE", "ONE", "TWO", "TWO.A"]


def test_map_nodes_splats_sequences_into_the_parent() -> None:
    def split_words(node: Node, parent: Node | None, path: Path) -> MapResult:
        if isinstance(node, Span) and " " in node.value.strip():
            return [node.model_copy(update={"value": w}) for w in node.value.split()]
        if isinstance(node, ListItem) and len(node.children) == 2:
            return [ListItem(children=(kid,)) for kid in node.children]  # one item per child
        return node

    tree = doc(p("a b  c", strong("d")), ul(li("x", ul("y"))))
    result = map_nodes(tree, split_words)
    assert result.to_json()["document"]["children"] == [
        {
            "type": "paragraph",
            "children": [
                {"type": "span", "value": "a"},
                {"type": "span", "value": "b"},
                {"type": "span", "value": "c"},
                {"type": "span", "value": "d", "marks": ["strong"]},
            ],
        },
        ul("x", ul("y")).to_json(),
    ]


def test_map_nodes_drops_on_none_and_on_empty_sequences() -> None:
    def drop(node: Node, parent: Node | None, path: Path) -> MapResult:
        if isinstance(node, Link):
            return None
        if isinstance(node, ThematicBreak):
            return []
        return node

    result = map_nodes(sample(), drop)
    types = [m.node.type for m in collect_nodes(result, lambda n, parent, path: True)]
    assert "link" not in types and "thematicBreak" not in types
    assert len(types) == len(PRE_ORDER) - 3  # link, its span, the break


def test_map_nodes_reuses_unchanged_subtrees() -> None:
    d = sample()
    assert map_nodes(d, lambda node, parent, path: node) is d

    def touch_heading_span(node: Node, parent: Node | None, path: Path) -> MapResult:
        if path == ("children", 0, "children", 0) and isinstance(node, Span):
            return Span(value="New")
        return node

    result = map_nodes(d, touch_heading_span)
    assert result is not d
    old, new = d.document.children, result.document.children
    assert new[0] is not old[0]
    assert all(new[i] is old[i] for i in range(1, 5))
    assert isinstance(new[3], Block) and new[3].item is RECORD


def test_map_nodes_on_a_node_returns_a_node() -> None:
    para = p("x", em("y"))
    result = map_nodes(para, upper)
    assert isinstance(result, Paragraph)
    assert [s.to_json()["value"] for s in result.children] == ["X", "Y"]


def test_root_mapped_to_none_raises_a_clear_error() -> None:
    def forgetful(node: Node, parent: Node | None, path: Path) -> MapResult:
        if isinstance(node, Span):
            return node
        return None

    with pytest.raises(WalkError, match=r"None for the root.*forgets to `return`"):
        map_nodes(p("x"), forgetful)
    with pytest.raises(WalkError, match=r"forgets to `return`"):
        run(map_nodes_async(Span(value="x"), lambda n, parent, path: None))


def test_root_mapped_to_a_sequence_raises() -> None:
    with pytest.raises(WalkError, match=r"sequence of 2 item\(s\) for the root node"):
        map_nodes(sample(), lambda n, parent, path: [n, n] if n.type == "root" else n)
    with pytest.raises(WalkError, match=r"sequence of 0 item\(s\) for the root node"):
        map_nodes(Span(value="x"), lambda n, parent, path: [])


def test_mapper_returning_garbage_names_the_node() -> None:
    with pytest.raises(
        WalkError, match=r"returned a str for the node at children\[1\]\.children\[0\]"
    ):
        map_nodes(
            sample(),
            lambda n, parent, path: "oops" if path == ("children", 1, "children", 0) else n,  # type: ignore[arg-type]
        )
    with pytest.raises(WalkError, match=r"holding a dict \(at index 1\)"):
        map_nodes(sample(), lambda n, parent, path: [n, {}] if n.type == "thematicBreak" else n)


def test_parent_left_empty_is_refused_with_its_path() -> None:
    with pytest.raises(DastValidationError) as err:
        map_nodes(sample(), lambda n, parent, path: None if n.type == "span" else n)
    (problem,) = err.value.problems
    assert problem.code == "empty-children"
    assert problem.path == ("children", 0, "children")
    assert "heading node needs at least one child" in str(err.value)


def test_forbidden_child_is_refused_with_its_path() -> None:
    def wrap(node: Node, parent: Node | None, path: Path) -> MapResult:
        if isinstance(node, Span) and node.value == "world":
            return Paragraph(children=(node,))
        return node

    with pytest.raises(DastValidationError) as err:
        map_nodes(sample(), wrap)
    (problem,) = err.value.problems
    assert (problem.code, problem.path) == ("forbidden-child", ("children", 1, "children", 1))
    assert "a paragraph cannot contain a paragraph node" in problem.message


def test_block_moved_into_a_list_is_refused() -> None:
    def move(node: Node, parent: Node | None, path: Path) -> MapResult:
        if isinstance(node, Paragraph) and isinstance(parent, ListItem):
            return [node, Block(item="b9")]
        return node

    with pytest.raises(DastValidationError) as err:
        map_nodes(sample(), move)
    assert err.value.problems[0].code == "block-not-at-root"
    assert err.value.problems[0].path == ("children", 2, "children", 0, "children", 1)


def test_document_root_must_stay_a_root() -> None:
    def flatten(node: Node, parent: Node | None, path: Path) -> MapResult:
        return Paragraph(children=(Span(value="x"),)) if isinstance(node, Root) else node

    with pytest.raises(DastValidationError, match="document must be a root node"):
        map_nodes(sample(), flatten)
    # a bare root may become anything
    assert map_nodes(sample().document, flatten).type == "paragraph"


# --- filter_nodes -------------------------------------------------------------------------


def test_filter_nodes_removes_rejected_subtrees_only() -> None:
    d = sample()
    result = filter_nodes(d, lambda n, parent, path: n.type != "link")
    assert isinstance(result, Document)
    para = result.document.children[1]
    assert isinstance(para, Paragraph)
    assert [c.type for c in para.children] == ["span", "span"]
    kept, old = result.document.children, d.document.children
    assert [kept[i] is old[i] for i in range(5)] == [True, False, True, True, True]
    assert count_json_nodes(result.to_json()) == len(PRE_ORDER) - 2


def test_filter_nodes_cascades_empty_parents() -> None:
    result = filter_nodes(sample(), lambda n, parent, path: not isinstance(n, Span))
    assert isinstance(result, Document)
    assert result.to_json()["document"] == {
        "type": "root",
        "children": [{"type": "block", "item": RECORD}, {"type": "thematicBreak"}],
    }


def test_filter_nodes_cascade_stops_at_a_parent_with_other_children() -> None:
    tree = doc(ul(li("keep", ul("drop"))))
    result = filter_nodes(tree, lambda n, parent, path: getattr(n, "value", "") != "drop")
    assert result == doc(ul(li("keep")))


def test_filter_nodes_returns_none_when_nothing_is_left() -> None:
    assert filter_nodes(sample(), lambda n, parent, path: n.type in ("root", "paragraph")) is None
    assert filter_nodes(sample(), lambda n, parent, path: False) is None
    assert run(filter_nodes_async(sample(), lambda n, parent, path: n.type == "root")) is None


def test_filter_nodes_asks_in_pre_order_and_skips_rejected_subtrees() -> None:
    asked: list[str] = []

    def keep(node: Node, parent: Node | None, path: Path) -> bool:
        asked.append(format_path(path))
        return node.type != "list"

    filter_nodes(sample(), keep)
    expected = [path for _, path, _ in PRE_ORDER if not path.startswith("children[2].")]
    assert asked == expected


def test_filter_nodes_keeping_everything_returns_the_input() -> None:
    d = sample()
    assert filter_nodes(d, lambda n, parent, path: True) is d
    para = p("a", "b")
    kept = filter_nodes(para, lambda n, parent, path: getattr(n, "value", "") != "a")
    assert kept == p("b")


def test_filter_nodes_async_matches_sync() -> None:
    async def no_spans(node: Node, parent: Node | None, path: Path) -> bool:
        return not isinstance(node, Span) or "o" in node.value

    def sync(node: Node, parent: Node | None, path: Path) -> bool:
        return run(no_spans(node, parent, path))

    assert run(filter_nodes_async(sample(), no_spans)) == filter_nodes(sample(), sync)


# --- collect / find / some / every / reduce -----------------------------------------------


def test_collect_nodes_with_a_guard_narrows_and_keeps_order() -> None:
    matches = collect_nodes(sample(), is_span)
    assert_type(matches, list[Match[Span]])
    assert [m.node.value for m in matches] == [
        "Title",
        "Hello ",
        "world",
        "site",
        "one",
        "two",
        "two.a",
    ]
    assert matches[3].parent is not None and matches[3].parent.type == "link"
    full = collect_nodes(sample(), is_span_full)
    assert_type(full, list[Match[Span]])
    assert full == matches


def test_the_guards_of_dast_guards_work_as_predicates() -> None:
    spans = collect_nodes(sample(), guards.is_span)
    assert_type(spans, list[Match[Span]])
    assert [m.node.value for m in spans][:2] == ["Title", "Hello "]
    cta = find_first_node(sample(), guards.is_block_with_item_of_type("cta"))
    assert_type(cta, Match[Block] | None)
    assert cta is not None and cta.node.item is RECORD and cta.path == ("children", 3)
    assert find_first_node(sample(), guards.is_block_with_item_of_type("other")) is None
    assert filter_nodes(sample(), guards.has_children) is None  # every leaf goes, then all
    assert every_node(sample(), lambda n: guards.has_children(n) or not guards.is_root(n))


def test_collect_nodes_async_with_async_and_plain_predicates() -> None:
    async def heading_or_list(node: Node, parent: Node | None, path: Path) -> bool:
        return isinstance(node, Heading | List)

    found = run(collect_nodes_async(sample(), heading_or_list))
    assert [(m.node.type, format_path(m.path)) for m in found] == [
        ("heading", "children[0]"),
        ("list", "children[2]"),
        ("list", "children[2].children[1].children[1]"),
    ]
    assert run(collect_nodes_async(sample(), is_span)) == collect_nodes(sample(), is_span)


def test_find_first_node_stops_at_the_first_match() -> None:
    asked: list[str] = []

    def ask(node: Node, parent: Node | None, path: Path) -> bool:
        asked.append(node.type)
        return isinstance(node, Span) and node.value == "world"

    found = find_first_node(sample(), ask)
    assert found is not None
    assert found.path == ("children", 1, "children", 1)
    assert len(asked) == 6
    assert find_first_node(sample(), lambda n, parent, path: False) is None
    span_match = find_first_node(sample(), is_span)
    assert_type(span_match, Match[Span] | None)
    assert span_match is not None and span_match.node.value == "Title"


def test_find_first_node_async() -> None:
    async def is_block(node: Node, parent: Node | None, path: Path) -> bool:
        return node.type == "block"

    found = run(find_first_node_async(sample(), is_block))
    assert found is not None and found.path == ("children", 3) and found.parent is not None
    assert run(find_first_node_async(sample(), lambda n, parent, path: False)) is None


def test_some_and_every_stop_early() -> None:
    asked: list[str] = []

    def is_heading(node: Node, parent: Node | None, path: Path) -> bool:
        asked.append(node.type)
        return node.type == "heading"

    assert some_node(sample(), is_heading) is True
    assert asked == ["root", "heading"]
    asked.clear()
    assert every_node(sample(), lambda n, parent, path: not is_heading(n, parent, path)) is False
    assert asked == ["root", "heading"]
    assert some_node(sample(), lambda n, parent, path: n.type == "code") is False
    assert every_node(sample(), lambda n, parent, path: True) is True


def test_some_and_every_async() -> None:
    async def is_code(node: Node, parent: Node | None, path: Path) -> bool:
        return node.type == "code"

    assert run(some_node_async(sample(), is_code)) is False
    assert run(some_node_async(doc(code("x")), is_code)) is True
    assert run(every_node_async(doc(code("x")), lambda n, parent, path: n.type != "span")) is True
    assert run(every_node_async(sample(), is_code)) is False


def test_reduce_nodes_folds_in_pre_order() -> None:
    text = reduce_nodes(
        sample(), lambda acc, node, parent, path: acc + getattr(node, "value", ""), ""
    )
    assert text == "TitleHello worldsiteonetwotwo.a"
    assert reduce_nodes(sample(), lambda acc, node: acc + 1, 0) == len(PRE_ORDER)


def test_reduce_nodes_async() -> None:
    async def depth(acc: int, node: Node, parent: Node | None, path: Path) -> int:
        return max(acc, len(path) // 2)

    assert run(reduce_nodes_async(sample(), depth, 0)) == 6
    assert run(reduce_nodes_async(sample(), lambda acc, node: [*acc, node.type], [])) == [
        t for t, _, _ in PRE_ORDER
    ]


def test_callbacks_may_take_just_the_node_or_star_args() -> None:
    assert len(collect_nodes(sample(), lambda node: node.type == "list")) == 2
    seen: list[int] = []
    for_each_node(sample(), lambda *args: seen.append(len(args)))
    assert set(seen) == {3}


# --- inputs -------------------------------------------------------------------------------


def test_json_dict_input_is_loaded() -> None:
    data = sample().to_json()
    log: list[tuple[str, str, str | None]] = []
    for_each_node(data, visit_log(log))
    assert log == PRE_ORDER
    mapped = map_nodes(data, upper)
    assert isinstance(mapped, Document)
    assert mapped == map_nodes(sample(), upper)
    wrapper = {"value": data, "blocks": [], "links": []}
    assert filter_nodes(wrapper, lambda n, parent, path: True) == sample()


def test_json_node_dict_input_gives_a_node() -> None:
    data = p("a", strong("b")).to_json()
    result = map_nodes(data, upper)
    assert result == p("A", strong("B"))
    assert [m.path for m in collect_nodes({"type": "span", "value": "x"}, is_span)] == [()]


def test_invalid_json_is_refused_before_any_callback() -> None:
    calls: list[Node] = []

    def record(node: Node, parent: Node | None, path: Path) -> bool:
        calls.append(node)
        return True

    bad_doc = sample().to_json()
    bad_doc["document"]["children"][0]["level"] = 9
    with pytest.raises(DastValidationError) as err:
        for_each_node(bad_doc, record)
    assert [(p.code, p.path) for p in err.value.problems] == [
        ("heading-level", ("children", 0, "level"))
    ]
    bad_node = {"type": "paragraph", "children": [{"type": "span", "value": "x"}, {"type": "hr"}]}
    with pytest.raises(DastValidationError) as err:
        collect_nodes(bad_node, record)
    assert [(p.code, p.path) for p in err.value.problems] == [
        ("unknown-type", ("children", 1, "type"))
    ]
    with pytest.raises(DastValidationError):
        run(map_nodes_async({"schema": "dast"}, record))  # type: ignore[arg-type]
    assert calls == []


def test_nothing_to_walk_is_a_clear_error() -> None:
    with pytest.raises(WalkError, match="None"):
        for_each_node(None, print)  # type: ignore[arg-type]
    with pytest.raises(WalkError, match="empty field"):
        some_node({"value": None, "blocks": []}, lambda n: True)
    with pytest.raises(WalkError, match="got int"):
        every_node(3, lambda n: True)  # type: ignore[arg-type]


def test_inputs_are_never_mutated() -> None:
    d = sample()
    before = copy.deepcopy(d.to_json())
    data = sample().to_json()
    data_before = copy.deepcopy(data)

    def splat(node: Node, parent: Node | None, path: Path) -> MapResult:
        if isinstance(node, Span):
            return [node, node.model_copy(update={"marks": ("x",)})]
        return upper(node, parent, path)

    for tree in (d, data):
        map_nodes(tree, splat)
        run(map_nodes_async(tree, splat))
        filter_nodes(tree, lambda n, parent, path: n.type != "span" or "o" in n.value)
        collect_nodes(tree, is_span)
        reduce_nodes(tree, lambda acc, n: acc + 1, 0)
    assert d.to_json() == before
    assert data == data_before
    assert d.document.children[3].item is RECORD  # type: ignore[union-attr]


# --- deep trees ---------------------------------------------------------------------------

DEPTH = 5000


@pytest.fixture(scope="module")
def deep() -> Document:
    """A document whose root holds a list nested DEPTH lists deep (one span at the bottom)."""
    node = List(
        style="bulleted",
        children=(ListItem(children=(Paragraph(children=(Span(value="bottom"),)),)),),
    )
    for _ in range(DEPTH - 1):
        node = List(style="numbered", children=(ListItem(children=(node,)),))
    return Document(document=Root(children=(node,)))


DEEP_NODES = 1 + 2 * DEPTH + 2  # root, DEPTH lists and items, paragraph, span
DEEP_SPAN_PATH_LENGTH = 2 * (2 * DEPTH + 2)


def _is_bottom(node: Node, parent: Node | None, path: Path) -> bool:
    return isinstance(node, Span)


async def _is_bottom_async(node: Node, parent: Node | None, path: Path) -> bool:
    return isinstance(node, Span)


def test_deep_for_each(deep: Document) -> None:
    count = [0]

    def visit(node: Node, parent: Node | None, path: Path) -> None:
        count[0] += 1

    for_each_node(deep, visit)
    assert count[0] == DEEP_NODES

    async def avisit(node: Node, parent: Node | None, path: Path) -> None:
        count[0] -= 1

    run(for_each_node_async(deep, avisit))
    assert count[0] == 0


def test_deep_collect_and_find(deep: Document) -> None:
    (match,) = collect_nodes(deep, _is_bottom)
    assert len(match.path) == DEEP_SPAN_PATH_LENGTH
    assert run(collect_nodes_async(deep, _is_bottom_async)) == [match]
    found = find_first_node(deep, _is_bottom)
    assert found is not None and found.path == match.path
    assert run(find_first_node_async(deep, _is_bottom_async)) == found


def test_deep_some_every_reduce(deep: Document) -> None:
    assert some_node(deep, _is_bottom)
    assert run(some_node_async(deep, _is_bottom_async))
    assert every_node(deep, lambda n, parent, path: n.type != "code")
    assert not run(every_node_async(deep, lambda n, parent, path: not _is_bottom(n, parent, path)))
    assert reduce_nodes(deep, lambda acc, n: acc + 1, 0) == DEEP_NODES
    assert run(reduce_nodes_async(deep, lambda acc, n: acc + 1, 0)) == DEEP_NODES


def test_deep_map(deep: Document) -> None:
    assert map_nodes(deep, lambda n, parent, path: n) is deep
    shouted = map_nodes(deep, upper)
    found = find_first_node(shouted, is_span)
    assert found is not None and found.node.value == "BOTTOM"
    assert len(found.path) == DEEP_SPAN_PATH_LENGTH

    async def aupper(node: Node, parent: Node | None, path: Path) -> MapResult:
        return upper(node, parent, path)

    again = run(map_nodes_async(deep, aupper))
    assert find_first_node(again, is_span) == found
    with pytest.raises(DastValidationError) as err:
        map_nodes(deep, lambda n, parent, path: None if isinstance(n, Span) else n)
    assert len(err.value.problems[0].path) == DEEP_SPAN_PATH_LENGTH - 1


def test_deep_json_input() -> None:
    node: dict[str, Any] = {
        "type": "listItem",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
    }
    for _ in range(DEPTH):
        node = {
            "type": "listItem",
            "children": [{"type": "list", "style": "bulleted", "children": [node]}],
        }
    (found,) = collect_nodes(node, is_span)  # a node dict, deeper than pydantic-core recurses
    assert len(found.path) == 2 * (2 * DEPTH + 2)
    data = {"schema": "dast", "document": {"type": "root", "children": node["children"]}}
    assert reduce_nodes(data, lambda acc, n: acc + 1, 0) == 1 + 2 * DEPTH + 2
    node["children"][0]["children"][0]["children"] = []
    with pytest.raises(DastValidationError) as err:
        for_each_node(node, print)
    assert err.value.problems[0].code == "empty-children"


def test_deep_filter(deep: Document) -> None:
    assert filter_nodes(deep, lambda n, parent, path: True) is deep
    # dropping the only span empties every ancestor: the cascade reaches the root
    assert filter_nodes(deep, lambda n, parent, path: not _is_bottom(n, parent, path)) is None
    assert run(filter_nodes_async(deep, lambda n, parent, path: True)) is deep


# --- properties ---------------------------------------------------------------------------


@given(documents())
def test_walker_invariants_on_generated_documents(d: Document) -> None:
    """One draw, several properties (drawing documents is the slow part)."""
    # identity map_nodes gives the input back, as is; a copying mapper gives an equal tree
    assert map_nodes(d, lambda node, parent, path: node) is d
    rebuilt = map_nodes(d, lambda node, parent, path: node.model_copy())
    assert rebuilt == d
    assert rebuilt.to_json() == d.to_json()
    # the async twin visits the same nodes, with the same paths, in the same order
    sync_log: list[tuple[int, Path]] = []
    async_log: list[tuple[int, Path]] = []
    for_each_node(d, lambda node, parent, path: sync_log.append((id(node), path)))

    async def visit(node: Node, parent: Node | None, path: Path) -> None:
        async_log.append((id(node), path))

    run(for_each_node_async(d, visit))
    assert sync_log == async_log
    # collecting everything finds every node of the JSON, and JSON input walks the same
    data = d.to_json()
    everything = collect_nodes(d, lambda node, parent, path: True)
    assert len(everything) == count_json_nodes(data) == len(sync_log)
    assert [m.path for m in collect_nodes(data, lambda node: True)] == [p for _, p in sync_log]
    assert reduce_nodes(data, lambda acc, node: acc + 1, 0) == len(everything)
    assert filter_nodes(d, lambda node, parent, path: True) is d
    assert map_nodes(data, lambda n, parent, path: n) == d


# --- typing -------------------------------------------------------------------------------


def _typing_only(d: Document, node: Node, data: dict[str, Any]) -> None:
    """Checked by mypy, never called: the overloads keep the input's kind."""
    assert_type(map_nodes(d, upper), Document)
    assert_type(map_nodes(node, upper), Node)
    assert_type(map_nodes(data, upper), Document | Node)
    assert_type(filter_nodes(d, _is_bottom), Document | None)
    assert_type(collect_nodes(d, _is_bottom), list[Match[Node]])

    async def amap(n: Node, parent: Node | None, path: Path) -> MapResult:
        return n

    coro: Awaitable[Document] = map_nodes_async(d, amap)
    del coro


MYPY_SNIPPET = """
from dast.errors import Path
from dast.nodes import Node, Span
from dast.walk import MapResult, collect_nodes, map_nodes
from typing_extensions import TypeIs

def forgot(node: Node, parent: Node | None, path: Path) -> MapResult:
    if isinstance(node, Span):
        return node.model_copy(update={"value": node.value.upper()})

def noisy(node: Node, parent: Node | None, path: Path) -> None:
    print(node)

def is_span(node: Node) -> TypeIs[Span]:
    return isinstance(node, Span)

reveal_type(collect_nodes(Span(value="x"), is_span)[0].node)
map_nodes(Span(value="x"), noisy)
"""


def test_mypy_flags_a_mapper_that_forgets_to_return(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typing claims of map_nodes' docstring, checked by running mypy."""
    from mypy import api

    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nplugins = pydantic.mypy\n")
    monkeypatch.setenv("MYPYPATH", str(pathlib.Path(__file__).resolve().parent.parent))
    out, _, _ = api.run(
        [
            "--strict",
            "--enable-error-code",
            "deprecated",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--config-file",
            str(config),
            "--no-error-summary",
            "-c",
            MYPY_SNIPPET,
        ]
    )
    lines = out.splitlines()
    assert "<string>:7: error: Missing return statement  [return]" in lines
    assert any(
        line.startswith("<string>:18: error:") and "forgot a `return`?  [deprecated]" in line
        for line in lines
    )
    assert '<string>:17: note: Revealed type is "dast.nodes.Span"' in lines
    assert len(lines) == 3, out
