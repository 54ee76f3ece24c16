"""The node model at any depth: ==, hash, repr, dumps and model_validate on 5,000 nested lists.

On shallow trees the depth-proof code gives exactly what pydantic gives.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from pydantic import BaseModel
from pydantic._internal._model_construction import make_hash_func
from strategies import documents

from dast import nodes
from dast.cma._json import json_equal
from dast.load import load_document
from dast.nodes import Document, List, ListItem, Paragraph, Root, Span

DEPTH = 5_000


def _deep_json(depth: int, text: str = "x") -> dict[str, Any]:
    node: dict[str, Any] = {"type": "paragraph", "children": [{"type": "span", "value": text}]}
    for _ in range(depth):
        item = {"type": "listItem", "children": [node]}
        node = {"type": "list", "style": "bulleted", "children": [item]}
    return {"schema": "dast", "document": {"type": "root", "children": [node]}}


def _deep_doc(depth: int, text: str = "x") -> Document:
    node: Paragraph | List = Paragraph(children=(Span(value=text, marks=("strong",)),))
    for _ in range(depth):
        node = List(style="bulleted", children=(ListItem(children=(node,)),))
    return Document(document=Root(children=(node,)))


def _depth_of(data: dict[str, Any]) -> int:
    depth, node = 0, data["document"]["children"][0]
    while node["type"] == "list":
        node = node["children"][0]["children"][0]
        depth += 1
    return depth


# --- depth 5,000 ----------------------------------------------------------------------------


def test_equality_at_depth_5000() -> None:
    a, b, c = _deep_doc(DEPTH), _deep_doc(DEPTH), _deep_doc(DEPTH, "y")
    assert a == b
    assert not a.__ne__(b)
    assert a != c
    assert not a.__eq__(c)


def test_hash_at_depth_5000() -> None:
    a, b = _deep_doc(DEPTH), _deep_doc(DEPTH)
    assert hash(a) == hash(b)
    assert len({a, b}) == 1


def test_repr_and_str_at_depth_5000() -> None:
    text = repr(_deep_doc(DEPTH))
    assert text.startswith("Document(schema_='dast', document=Root(type='root', children=(List(")
    assert text.count("ListItem(") == DEPTH
    assert str(_deep_doc(DEPTH)).startswith("schema_='dast' document=Root(")


def test_model_dump_in_every_mode_at_depth_5000() -> None:
    doc = _deep_doc(DEPTH)
    dumped = doc.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert _depth_of(dumped) == DEPTH
    assert json_equal(doc.to_json(), dumped)
    assert json_equal(dumped, _deep_json(DEPTH)) is False  # marks differ
    python = doc.model_dump()
    assert isinstance(python["document"]["children"], tuple)
    node = python["document"]["children"][0]
    for _ in range(DEPTH):
        assert type(node) is dict
        node = node["children"][0]["children"][0]
    span = {"type": "span", "value": "x", "marks": ("strong",)}
    assert node == {"type": "paragraph", "children": (span,), "style": None}


def test_model_dump_json_at_depth_5000() -> None:
    doc = _deep_doc(DEPTH)
    text = doc.model_dump_json(by_alias=True, exclude_none=True)
    assert text.startswith('{"schema":"dast","document":{"type":"root","children":[{"type":"list"')
    assert text.count('"listItem"') == DEPTH


def test_model_validate_at_depth_5000() -> None:
    data = _deep_json(DEPTH)
    doc = Document.model_validate(data)
    assert doc == load_document(data)
    assert _depth_of(doc.to_json()) == DEPTH
    root = Root.model_validate(data["document"])
    assert root == doc.document


# --- the same results as pydantic on shallow trees -----------------------------------------


def _pydantic_hash(model: BaseModel) -> int:
    return make_hash_func(type(model))(model)  # type: ignore[no-any-return]


@given(documents(), documents())
def test_equality_and_hash_agree_with_pydantic(a: Document, b: Document) -> None:
    assert (a == b) == BaseModel.__eq__(a, b)
    copy = Document.model_validate(a.to_json())
    assert (a == copy) is True is BaseModel.__eq__(a, copy)
    assert _outcome(nodes._deep_hash, a) == _outcome(_pydantic_hash, a) == _outcome(hash, a)


def _outcome(fn: Any, value: Any) -> object:
    try:
        return fn(value)
    except TypeError as exc:  # a block's record (a dict) is unhashable, for pydantic too
        return type(exc)


@given(documents())
def test_repr_str_and_dumps_agree_with_pydantic(doc: Document) -> None:
    assert repr(doc) == BaseModel.__repr__(doc)
    assert str(doc) == BaseModel.__str__(doc)
    for mode in ("python", "json"):
        for by_alias in (False, True):
            for exclude_none in (False, True):
                expected = BaseModel.model_dump(
                    doc, mode=mode, by_alias=by_alias, exclude_none=exclude_none
                )
                got = nodes._dump_deep(
                    doc, json_mode=mode == "json", by_alias=by_alias, exclude_none=exclude_none
                )
                assert got == expected
                assert json.dumps(got, default=repr) == json.dumps(expected, default=repr)
    expected_json = BaseModel.model_dump_json(doc, by_alias=True, exclude_none=True)
    got_json = nodes._json_text(doc.to_json(), None)
    indented = BaseModel.model_dump_json(doc, by_alias=True, indent=2)
    got_indented = nodes._json_text(doc.model_dump(mode="json", by_alias=True), 2)
    assert json.loads(got_json) == json.loads(expected_json)
    assert json.loads(got_indented) == json.loads(indented)
    if not any("e-" in t or "e+" in t for t in (expected_json, got_json)):
        # floats in records differ in spelling only: 1e-07 / 1e-7 / 0.0000001
        assert got_json == expected_json
        assert got_indented == indented


@given(documents())
def test_deep_build_agrees_with_pydantic(doc: Document) -> None:
    data = doc.to_json()
    assert nodes.build_deep_node(data["document"]) == doc.document
