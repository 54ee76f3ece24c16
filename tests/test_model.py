"""The node model: JSON round trips, item identity, the CDA wrapper, strictness."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from pydantic import ValidationError
from strategies import block_items, documents, json_documents

from dast.cma._json import json_equal
from dast.errors import DastValidationError
from dast.load import dump_document, load_document
from dast.nodes import Block, Code, Document, InlineBlock, Paragraph, Root, Span, ThematicBreak

_quarter = settings(max_examples=max(10, settings().max_examples // 4))


@_quarter
@given(documents(max_leaves=12))
def test_model_to_json_and_back_is_identity(doc: Document) -> None:
    data = doc.to_json()
    assert Document.model_validate(data) == doc
    assert json.loads(json.dumps(data)) == data  # plain JSON values only
    assert load_document(data) == doc
    assert dump_document(doc) == data


@_quarter
@given(json_documents(max_leaves=12))
def test_json_to_model_and_back_is_identity(data: dict[str, Any]) -> None:
    assert Document.model_validate(data).to_json() == data
    wrapped = {"value": data, "blocks": [], "links": [], "inlineBlocks": []}
    assert load_document(wrapped) == load_document(data)


@given(block_items())
def test_block_items_are_carried_by_identity(item: str | dict[str, Any]) -> None:
    data = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {"type": "block", "item": item},
                {"type": "paragraph", "children": [{"type": "inlineBlock", "item": item}]},
            ],
        },
    }
    doc = Document.model_validate(data)
    block, paragraph = doc.document.children
    assert isinstance(block, Block) and isinstance(paragraph, Paragraph)
    inline = paragraph.children[0]
    assert isinstance(inline, InlineBlock)
    assert block.item is item
    assert inline.item is item
    assert doc.to_json()["document"]["children"][0]["item"] == item


def test_fixture_records_survive_byte_for_byte() -> None:
    text = (FIXTURES / "dast" / "valid" / "product-page.json").read_text(encoding="utf-8")
    data = json.loads(text)
    doc = load_document(data)
    assert json.dumps(doc.to_json(), indent=2, ensure_ascii=False) + "\n" == text


def test_cda_wrapper_and_none() -> None:
    data = json.loads(
        (FIXTURES / "dast" / "valid" / "cda-wrapper-article.json").read_text(encoding="utf-8")
    )
    doc = load_document(data)
    assert doc == load_document(data["value"])
    assert doc is not None and doc.to_json() == data["value"]
    assert load_document({"value": None, "blocks": []}) is None
    assert load_document(None) is None
    assert dump_document(None) is None
    assert load_document(doc) is doc


def test_python_constructor_defaults_schema_and_type() -> None:
    doc = Document(document=Root(children=(ThematicBreak(),)))
    assert doc.to_json() == {
        "schema": "dast",
        "document": {"type": "root", "children": [{"type": "thematicBreak"}]},
    }


_SPAN = {"type": "span", "value": "x"}
_PARA = {"type": "paragraph", "children": [_SPAN]}


def _doc(*children: Any) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


STRICT_CASES: dict[str, Any] = {
    "missing-schema": {"document": {"type": "root", "children": [_PARA]}},
    "root-without-type": {"schema": "dast", "document": {"children": [_PARA]}},
    "list-item-without-type": _doc(
        {"type": "list", "style": "bulleted", "children": [{"children": [_PARA]}]}
    ),
    "nested-list-item-without-type": _doc(
        {
            "type": "list",
            "style": "bulleted",
            "children": [
                {
                    "type": "listItem",
                    "children": [
                        {"type": "list", "style": "numbered", "children": [{"children": [_PARA]}]}
                    ],
                }
            ],
        }
    ),
    "quoted-paragraph-without-type": _doc(
        {"type": "blockquote", "children": [{"children": [_SPAN]}]}
    ),
    "link-span-without-type": _doc(
        {
            "type": "paragraph",
            "children": [{"type": "link", "url": "u", "children": [{"value": "x"}]}],
        }
    ),
    "item-link-span-without-type": _doc(
        {
            "type": "paragraph",
            "children": [{"type": "itemLink", "item": "r", "children": [{"value": "x"}]}],
        }
    ),
    "negative-highlight": _doc({"type": "code", "code": "x", "highlight": [-1]}),
    "bool-level": _doc({"type": "heading", "level": True, "children": [_SPAN]}),
}


@pytest.mark.parametrize("name", sorted(STRICT_CASES))
def test_model_is_as_strict_as_the_schema(name: str) -> None:
    data = STRICT_CASES[name]
    with pytest.raises(ValidationError):
        Document.model_validate(data)
    with pytest.raises(DastValidationError):
        load_document(data)


def test_highlight_zero_is_fine() -> None:
    assert Code(code="x", highlight=(0,)).to_json() == {
        "type": "code",
        "code": "x",
        "highlight": [0],
    }
    assert Span(value="", marks=()).to_json() == {"type": "span", "value": "", "marks": []}


def test_documents_deeper_than_pydantic_recurses_load_and_dump() -> None:
    node: dict[str, object] = {
        "type": "paragraph",
        "children": [{"type": "span", "value": "deep", "marks": ["strong"]}],
    }
    for _ in range(5_000):
        node = {
            "type": "list",
            "style": "numbered",
            "children": [{"type": "listItem", "children": [node]}],
        }
    data = {"schema": "dast", "document": {"type": "root", "children": [node]}}
    doc = load_document(data)
    assert json_equal(doc.to_json(), data)
    assert not json_equal(doc.to_json(), {**data, "schema": "other"})
