"""canonicalize(): the conformance examples, the spec's rules one by one, and
properties over generated documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from dast.canonical import canonical_marks, canonicalize, canonicalize_inlines, is_canonical
from dast.errors import DastValidationError
from dast.nodes import (
    Block,
    Document,
    InlineBlock,
    InlineItem,
    Link,
    List,
    ListItem,
    Paragraph,
    Root,
    Span,
)
from tests.strategies import documents

CONFORMANCE = Path(__file__).resolve().parent.parent / "fixtures/dastdown/conformance"
EXAMPLES = [
    json.loads(line)
    for line in (CONFORMANCE / "documents.jsonl").read_text(encoding="utf-8").split("\n")
    if line
]


def _doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def _para(*inlines: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(inlines), **attrs}


def _span(value: str, *marks: str) -> dict[str, Any]:
    return (
        {"type": "span", "value": value, "marks": list(marks)}
        if marks
        else {
            "type": "span",
            "value": value,
        }
    )


def _first_children(doc: Document) -> list[dict[str, Any]]:
    return doc.to_json()["document"]["children"][0]["children"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_conformance_canonical(example: dict[str, Any]) -> None:
    assert canonicalize(example["doc"]).to_json() == example["canonical"]


def test_conformance_canonical_is_fixed_point() -> None:
    for example in EXAMPLES:
        doc = Document.model_validate(example["canonical"])
        assert is_canonical(doc), example["id"]
        assert canonicalize(doc) is doc


def test_none_and_wrapper() -> None:
    assert canonicalize(None) is None
    assert is_canonical(None)
    wrapped = {"value": _doc(_para(_span("a"), _span("b"))), "blocks": []}
    assert _first_children(canonicalize(wrapped)) == [_span("ab")]
    assert canonicalize({"value": None}) is None


def test_invalid_input_raises() -> None:
    with pytest.raises(DastValidationError):
        canonicalize({"schema": "dast", "document": {"type": "root", "children": []}})


def test_empty_spans_removed_but_one_kept() -> None:
    doc = canonicalize(
        _doc(
            _para(_span("", "strong"), _span("")),
            _para(_span(""), {"type": "inlineItem", "item": "1"}, _span("", "emphasis")),
            _para({"type": "link", "url": "u", "children": [_span("", "code")]}),
        )
    )
    paragraphs = doc.to_json()["document"]["children"]
    assert paragraphs[0]["children"] == [_span("")]
    assert paragraphs[1]["children"] == [{"type": "inlineItem", "item": "1"}]
    assert paragraphs[2]["children"][0]["children"] == [_span("")]


def test_heading_and_item_link_keep_one_empty_span() -> None:
    doc = canonicalize(
        _doc(
            {"type": "heading", "level": 2, "children": [_span("", "strong")]},
            _para({"type": "itemLink", "item": "9", "children": [_span(""), _span("")]}),
        )
    )
    children = doc.to_json()["document"]["children"]
    assert children[0]["children"] == [_span("")]
    assert children[1]["children"][0]["children"] == [_span("")]


def test_adjacent_spans_merge_by_mark_set() -> None:
    doc = canonicalize(
        _doc(
            _para(
                _span("a", "emphasis", "strong"),
                _span(""),
                _span("b", "strong", "emphasis", "strong"),
                _span("c", "strong"),
                _span("d"),
                _span("e", *()),
            )
        )
    )
    assert _first_children(doc) == [
        _span("ab", "strong", "emphasis"),
        _span("c", "strong"),
        _span("de"),
    ]


def test_spans_do_not_merge_across_other_inlines() -> None:
    doc = canonicalize(
        _doc(_para(_span("a"), {"type": "inlineItem", "item": "1"}, _span("b"), _span("")))
    )
    assert _first_children(doc) == [_span("a"), {"type": "inlineItem", "item": "1"}, _span("b")]


def test_mark_order_and_empty_marks() -> None:
    assert canonical_marks(("zeta", "Zeta", "é", "code", "highlight", "alpha", "code")) == (
        "highlight",
        "code",
        "Zeta",
        "alpha",
        "zeta",
        "é",
    )
    assert canonical_marks(()) is None
    assert canonical_marks(None) is None
    doc = canonicalize(_doc(_para({"type": "span", "value": "x", "marks": []})))
    assert _first_children(doc) == [_span("x")]


def test_meta_order_and_attributes_kept() -> None:
    link = {
        "type": "link",
        "url": "u",
        "meta": [{"id": "z", "value": "1"}, {"id": "a", "value": "2"}],
        "children": [_span("a"), _span("b")],
    }
    doc = canonicalize(_doc(_para(link, style="")))
    para = doc.to_json()["document"]["children"][0]
    assert para["style"] == ""
    assert para["children"][0]["meta"] == link["meta"]
    assert para["children"][0]["children"] == [_span("ab")]


def test_block_items_are_the_same_objects() -> None:
    record = {"id": "b1", "type": "item", "attributes": {"x": [1, 2]}}
    inline_record = {"id": "b2", "type": "item", "attributes": {}}
    doc = canonicalize(
        _doc(
            {"type": "block", "item": record},
            _para(_span("a"), _span("b"), {"type": "inlineBlock", "item": inline_record}),
        )
    )
    block, para = doc.document.children
    assert isinstance(block, Block) and block.item is record
    assert isinstance(para, Paragraph)
    inline = para.children[1]
    assert isinstance(inline, InlineBlock) and inline.item is inline_record


def test_unchanged_subtrees_are_shared() -> None:
    kept = Paragraph(children=(Span(value="kept"),))
    changed = Paragraph(children=(Span(value="a"), Span(value="b")))
    doc = Document(document=Root(children=(kept, changed)))
    result = canonicalize(doc)
    assert result is not doc
    assert result.document.children[0] is kept
    assert canonicalize(result) is result


def test_canonicalize_inlines_returns_same_tuple_when_canonical() -> None:
    kids = (Span(value="a", marks=("strong",)), InlineItem(item="1"), Span(value="b"))
    assert canonicalize_inlines(kids) is kids
    link = Link(url="u", children=(Span(value="a"), Span(value="b")))
    fixed = canonicalize_inlines((link,))
    assert isinstance(fixed[0], Link)
    assert fixed[0].children == (Span(value="ab"),)


def test_deep_nesting_does_not_recurse() -> None:
    inner: Paragraph | List = Paragraph(children=(Span(value="a"), Span(value="b")))
    for _ in range(5000):
        inner = List(style="bulleted", children=(ListItem(children=(inner,)),))
    assert isinstance(inner, List)
    doc = Document(document=Root(children=(inner,)))
    result = canonicalize(doc)
    node: Any = result.document.children[0]
    depth = 0
    while isinstance(node, List):
        node = node.children[0].children[0]
        depth += 1
    assert depth == 5000
    assert node.children == (Span(value="ab"),)
    assert not is_canonical(doc) and is_canonical(result)


def _block_items(doc: Document) -> list[Any]:
    found: list[Any] = []
    stack: list[Any] = [doc.document]
    while stack:
        node = stack.pop()
        if isinstance(node, (Block, InlineBlock)):
            found.append(node.item)
        stack.extend(getattr(node, "children", ()))
    return found


@given(documents(max_leaves=7))
def test_canonicalize_is_idempotent_and_keeps_items(doc: Document) -> None:
    once = canonicalize(doc)
    assert canonicalize(once) is once
    assert is_canonical(once)
    assert all(a is b for a, b in zip(_block_items(doc), _block_items(once), strict=True))
    # still valid, and JSON round-trips to the same canonical document
    assert Document.model_validate(once.to_json()) == once
    assert canonicalize(doc.to_json()) == once
