"""Type guards: one per node type, has_children / is_inline_node, empty documents,
and blocks with records of a given item type."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import documents
from typing_extensions import assert_type

from dast import guards
from dast.definitions import INLINE_NODE_TYPES, NODE_TYPES, NODE_TYPES_WITH_CHILDREN
from dast.guards import (
    has_children,
    is_block,
    is_block_with_item_of_type,
    is_empty_document,
    is_heading,
    is_inline_block,
    is_inline_block_with_item_of_type,
    is_inline_node,
    is_span,
    item_type_id,
)
from dast.load import load_document
from dast.nodes import (
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    ItemLink,
    Link,
    List,
    ListItem,
    Node,
    Paragraph,
    Root,
    Span,
    ThematicBreak,
)

SPAN = Span(value="x")
PARAGRAPH = Paragraph(children=(SPAN,))
ITEM = ListItem(children=(PARAGRAPH,))
SAMPLES: dict[str, Node] = {
    "root": Root(children=(PARAGRAPH,)),
    "paragraph": PARAGRAPH,
    "heading": Heading(level=1, children=(SPAN,)),
    "list": List(style="bulleted", children=(ITEM,)),
    "listItem": ITEM,
    "blockquote": Blockquote(children=(PARAGRAPH,)),
    "code": Code(code="x"),
    "thematicBreak": ThematicBreak(),
    "block": Block(item="b1"),
    "span": SPAN,
    "link": Link(url="u", children=(SPAN,)),
    "itemLink": ItemLink(item="r1", children=(SPAN,)),
    "inlineItem": InlineItem(item="r1"),
    "inlineBlock": InlineBlock(item="b1"),
}

GUARDS: dict[str, Callable[[object], bool]] = {
    "root": guards.is_root,
    "paragraph": guards.is_paragraph,
    "heading": guards.is_heading,
    "list": guards.is_list,
    "listItem": guards.is_list_item,
    "blockquote": guards.is_blockquote,
    "code": guards.is_code,
    "thematicBreak": guards.is_thematic_break,
    "block": guards.is_block,
    "span": guards.is_span,
    "link": guards.is_link,
    "itemLink": guards.is_item_link,
    "inlineItem": guards.is_inline_item,
    "inlineBlock": guards.is_inline_block,
}

NOT_NODES: list[object] = [
    None,
    "span",
    1,
    [],
    {"type": "span", "value": "x"},
    {"type": "root", "children": []},
    Document(document=Root(children=(PARAGRAPH,))),
    object(),
]


def test_there_is_one_guard_per_node_type() -> None:
    assert set(GUARDS) == set(NODE_TYPES) == set(SAMPLES)


@pytest.mark.parametrize("node_type", sorted(GUARDS))
def test_each_guard_matches_only_its_type(node_type: str) -> None:
    guard = GUARDS[node_type]
    for other, node in SAMPLES.items():
        assert guard(node) is (other == node_type), other
    for value in NOT_NODES:
        assert guard(value) is False


def test_has_children_and_is_inline_node_follow_the_definitions() -> None:
    for node_type, node in SAMPLES.items():
        assert has_children(node) is (node_type in NODE_TYPES_WITH_CHILDREN)
        assert is_inline_node(node) is (node_type in INLINE_NODE_TYPES)
    for value in NOT_NODES:
        assert not has_children(value)
        assert not is_inline_node(value)


# Generation dominates the property tests: a quarter of the profile's examples.
_quarter = settings(max_examples=max(10, settings().max_examples // 4))


def _walk(doc: Document) -> Iterator[Node]:
    stack: list[Node] = [doc.document]
    while stack:
        node = stack.pop()
        yield node
        if has_children(node):
            stack.extend(node.children)


@_quarter
@given(documents(max_leaves=10))
def test_exactly_one_type_guard_holds_for_every_generated_node(doc: Document) -> None:
    for node in _walk(doc):
        assert [t for t, guard in GUARDS.items() if guard(node)] == [node.type]
        assert has_children(node) is (node.type in NODE_TYPES_WITH_CHILDREN)
        assert is_inline_node(node) is (node.type in INLINE_NODE_TYPES)


def test_guards_narrow_for_the_type_checker() -> None:
    nodes: list[Node] = list(SAMPLES.values())
    headings = [n for n in nodes if is_heading(n)]
    assert_type(headings, list[Heading])
    assert [h.level for h in headings] == [1]
    spans = [n for n in nodes if is_span(n)]
    assert_type(spans, list[Span])
    blocks = list(filter(is_block_with_item_of_type("cta"), nodes))
    assert blocks == []
    node: object = SAMPLES["list"]
    if has_children(node):
        assert len(node.children) == 1
    else:  # pragma: no cover
        pytest.fail("a list has children")


# --- empty documents ------------------------------------------------------------


def _json(*children: Any) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def _para(*spans: Any) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(spans)}


EMPTY_SPAN = {"type": "span", "value": ""}

EMPTY: dict[str, Any] = {
    "none": None,
    "one-empty-span": _json(_para(EMPTY_SPAN)),
    "two-empty-spans": _json(_para(EMPTY_SPAN, {"type": "span", "value": "", "marks": ["strong"]})),
    "wrapper-none": {"value": None, "blocks": []},
    "wrapper-empty": {"value": _json(_para(EMPTY_SPAN)), "blocks": []},
}
NOT_EMPTY: dict[str, Any] = {
    "text": _json(_para({"type": "span", "value": " "})),
    "two-paragraphs": _json(_para(EMPTY_SPAN), _para(EMPTY_SPAN)),
    "heading": _json({"type": "heading", "level": 1, "children": [EMPTY_SPAN]}),
    "inline-item": _json(_para(EMPTY_SPAN, {"type": "inlineItem", "item": "r1"})),
    "link": _json(_para({"type": "link", "url": "u", "children": [EMPTY_SPAN]})),
    "break": _json({"type": "thematicBreak"}),
    "block": _json({"type": "block", "item": "b1"}),
}
GARBAGE: list[object] = [
    {},
    [],
    "",
    0,
    {"document": None},
    {"document": {"children": "x"}},
    _json(),
    _json("x"),
    _json({"type": "paragraph"}),
    _json(_para()),
    _json(_para("")),
    _json(_para(EMPTY_SPAN, 3)),
]


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty_documents(name: str) -> None:
    data = EMPTY[name]
    assert is_empty_document(data)
    assert is_empty_document(load_document(data))
    doc = load_document(data)
    if doc is not None:
        assert is_empty_document(doc.document)


@pytest.mark.parametrize("name", sorted(NOT_EMPTY))
def test_non_empty_documents(name: str) -> None:
    data = NOT_EMPTY[name]
    assert not is_empty_document(data)
    doc = load_document(data)
    assert not is_empty_document(doc)
    assert doc is not None and not is_empty_document(doc.document)


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_is_empty_document_is_false_on_garbage(value: object) -> None:
    assert is_empty_document(value) is False


def test_only_the_empty_fixtures_are_empty() -> None:
    empty = set()
    for path in sorted((FIXTURES / "dast" / "valid").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if is_empty_document(data):
            empty.add(path.stem)
        assert is_empty_document(load_document(data)) is (path.stem in empty)
    assert empty == {"empty-paragraph", "cda-wrapper-empty-field"}


# --- blocks with records of an item type ----------------------------------------


def _nested(model: Any) -> dict[str, Any]:
    return {
        "id": "b1",
        "type": "item",
        "attributes": {"title": None},
        "relationships": {"item_type": {"data": {"id": model, "type": "item_type"}}},
        "meta": {"status": "draft"},
    }


RECORDS: dict[str, tuple[object, str | None]] = {
    "nested": (_nested("cta"), "cta"),
    "nested-new-block": (
        {"type": "item", **{k: _nested("cta")[k] for k in ("relationships",)}},
        "cta",
    ),
    "flat-object": ({"id": "b1", "item_type": {"id": "cta", "type": "item_type"}}, "cta"),
    "flat-string": ({"id": "b1", "item_type": "cta", "title": "Buy"}, "cta"),
    "id-string": ("cta", None),
    "no-type": ({"id": "b1", "attributes": {}}, None),
    "data-null": ({"relationships": {"item_type": {"data": None}}}, None),
    "data-list": ({"relationships": {"item_type": {"data": [{"id": "cta"}]}}}, None),
    "id-not-string": ({"item_type": {"id": 7}}, None),
    "relationships-junk": ({"relationships": "cta", "item_type": "cta"}, "cta"),
    "other-model": (_nested("gallery"), "gallery"),
}


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_item_type_id(name: str) -> None:
    item, expected = RECORDS[name]
    assert item_type_id(item) == expected


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_block_with_item_of_type_direct_and_curried(name: str) -> None:
    item, expected = RECORDS[name]
    assert isinstance(item, (str, dict))
    block, inline = Block(item=item), InlineBlock(item=item)
    matches = expected == "cta" and isinstance(item, dict)
    assert is_block_with_item_of_type("cta", block) is matches
    assert is_block_with_item_of_type("cta")(block) is matches
    assert is_inline_block_with_item_of_type("cta", inline) is matches
    assert is_inline_block_with_item_of_type("cta")(inline) is matches
    # never across kinds
    assert is_block_with_item_of_type("cta", inline) is False
    assert is_inline_block_with_item_of_type("cta", block) is False


def test_block_with_item_of_type_on_non_nodes() -> None:
    for value in [*NOT_NODES, _nested("cta"), {"type": "block", "item": _nested("cta")}]:
        assert is_block_with_item_of_type("cta", value) is False
        assert is_inline_block_with_item_of_type("cta", value) is False
    # None as the node is a candidate, not "omitted"
    assert is_block_with_item_of_type("cta", None) is False


def test_curried_predicates_filter_a_document() -> None:
    data = json.loads((FIXTURES / "dast" / "valid" / "product-page.json").read_text("utf-8"))
    doc = load_document(data)
    galleries = [n for n in _walk(doc) if is_block_with_item_of_type("image_gallery")(n)]
    assert [b.item["id"] for b in galleries if isinstance(b.item, dict)] == [
        "R2FsbGVyeUJsb2NrMDAwMDAwMQ"
    ]
    ctas = list(filter(is_inline_block_with_item_of_type("cta_block"), _walk(doc)))
    assert len(ctas) == 1 and is_inline_block(ctas[0])
    assert not [n for n in _walk(doc) if is_block(n) and is_block_with_item_of_type("cta_block", n)]


@_quarter
@given(
    st.recursive(
        st.none() | st.text(max_size=3) | st.integers(),
        lambda c: (
            st.lists(c)
            | st.dictionaries(st.sampled_from(("relationships", "item_type", "data", "id")), c)
        ),
        max_leaves=10,
    )
)
def test_item_type_id_never_raises(value: Any) -> None:
    found = item_type_id(value)
    assert found is None or isinstance(found, str)
    if isinstance(value, dict):
        assert is_block_with_item_of_type("x", Block(item=value)) is (found == "x")
