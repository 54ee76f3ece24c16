"""Pathological inputs: the deep paths are taken, and build exactly what the ordinary path builds.

The node builder (``dast.nodes.plain_node`` / ``build_deep_node``) makes
node models without pydantic: here it is held to pydantic's own models
(field values, their exact types, ``model_fields_set``) on generated
documents, and to the validator on damaged ones (it never accepts what the
validator refuses). Speed is measured by ``benchmarks/bench_pathological.py``,
never here.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from pydantic import BaseModel
from strategies import deep_list_json, json_documents, mutated_documents

from dast import nodes
from dast.cma._json import json_equal
from dast.errors import DastValidationError
from dast.load import load_document
from dast.nodes import Document, Link, MetaEntry, Paragraph, Root, Span
from dast.validate import validate
from dastdown import assembly, parse
from dastdown import parser as parser_module

_pydantic = BaseModel.model_validate.__func__  # type: ignore[attr-defined]


def _same_models(a: object, b: object) -> None:
    """``a`` and ``b`` are the same tree to the last detail: classes, values and their types."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        assert type(x) is type(y), (x, y)
        if isinstance(x, BaseModel):
            assert isinstance(y, BaseModel)
            assert list(x.__dict__) == list(y.__dict__)
            assert x.__pydantic_fields_set__ == y.__pydantic_fields_set__
            assert x.__pydantic_extra__ is None is y.__pydantic_extra__
            assert x.__pydantic_private__ is None is y.__pydantic_private__
            stack.extend(zip(x.__dict__.values(), y.__dict__.values(), strict=True))
        elif type(x) is tuple:
            assert type(y) is tuple and len(x) == len(y)
            stack.extend(zip(x, y, strict=True))
        elif type(x) is dict:  # a block's record: the very same object
            assert x is y
        else:
            assert x == y


@given(json_documents())
def test_plain_node_builds_what_pydantic_builds(data: dict[str, Any]) -> None:
    expected = _pydantic(Root, data["document"])
    built = nodes.plain_node(data["document"])
    assert built is not None
    _same_models(built, expected)
    _same_models(nodes.build_deep_node(data["document"]), expected)


@given(mutated_documents())
def test_plain_node_never_accepts_what_the_validator_refuses(data: dict[str, Any]) -> None:
    root = data.get("document") if isinstance(data, dict) else None
    built = nodes.plain_node(root)
    valid = validate({"schema": "dast", "document": root}).valid
    assert built is None or valid
    if valid:  # then the builder and loading give pydantic's model
        expected = _pydantic(Root, root)
        if built is not None:
            _same_models(built, expected)
        _same_models(load_document({"schema": "dast", "document": root}).document, expected)


def test_values_are_stored_as_pydantic_stores_them() -> None:
    class Text(str):
        pass

    data = {
        "type": "paragraph",
        "children": [
            {"type": "span", "value": Text("a"), "marks": [Text("strong")]},
            {
                "type": "link",
                "url": Text("u"),
                "children": ({"type": "span", "value": "b"},),
                "meta": [{"id": "rel", "value": Text("x")}, MetaEntry(id="t", value="y")],
            },
            {"type": "inlineBlock", "item": {"id": "r1"}},
        ],
        "style": None,
    }
    built = nodes.plain_node(data)
    assert built is not None
    _same_models(built, _pydantic(Paragraph, data))
    assert built.children[2].item is data["children"][2]["item"]  # type: ignore[index, union-attr]


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "paragraph", "children": []},
        {"type": "paragraph", "children": [{"type": "block", "item": "b"}]},
        {"type": "paragraph", "children": [{"type": "span"}]},
        {"type": "paragraph", "children": [{"type": "span", "value": "x", "extra": 1}]},
        {"type": "heading", "level": 7, "children": [{"type": "span", "value": "x"}]},
        {"type": "heading", "level": True, "children": [{"type": "span", "value": "x"}]},
        {"type": "list", "style": "dotted", "children": [{"type": "listItem"}]},
        {"type": "code", "code": "x", "highlight": [-1]},
        {"type": "span", "value": "x", "marks": "strong"},
        {"type": "link", "url": "u", "children": [{"type": "span", "value": "x"}], "meta": [{}]},
        {"type": "span", "value": None},
        {"type": "paragraph", "children": "ab"},
        {"type": "paragraph", "children": 3},
        {"type": 3},
        ["not", "a", "node"],
    ],
)
def test_plain_node_refuses_what_the_validator_refuses(bad: Any) -> None:
    assert nodes.plain_node(bad) is None
    assert not validate({"schema": "dast", "document": {"type": "root", "children": [bad]}}).valid


def test_a_cycle_is_refused_not_walked_forever() -> None:
    item: dict[str, Any] = {"type": "listItem", "children": []}
    cycle = {"type": "list", "style": "bulleted", "children": [item]}
    item["children"].append(cycle)
    assert nodes.plain_node(cycle) is None
    with pytest.raises(DastValidationError) as caught:
        load_document({"schema": "dast", "document": {"type": "root", "children": [cycle]}})
    assert "cycle" in [p.code for p in caught.value.problems]


def test_shared_subtrees_are_built_in_each_place() -> None:
    span = {"type": "span", "value": "x"}
    wide = {"type": "root", "children": [{"type": "paragraph", "children": [span]}] * 3000}
    doc = load_document({"schema": "dast", "document": wide})
    assert doc.document == Root(children=(Paragraph(children=(Span(value="x"),)),) * 3000)
    deep = deep_list_json(3000)
    paragraph = deep["document"]["children"][0]
    deep["document"]["children"] = [paragraph, paragraph]  # the same 3,000-deep list twice
    built = load_document(deep)
    assert built.document.children[0] == built.document.children[1]


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    calls: list[bool] = []
    original = nodes._build

    def spy(data: object, checked: bool) -> Any:
        calls.append(checked)
        return original(data, checked)

    monkeypatch.setattr(nodes, "_build", spy)
    return calls


@pytest.mark.parametrize("depth", [5_000, 20_000])
def test_deep_documents_take_the_one_pass_builder(
    depth: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = deep_list_json(depth)
    calls = _count_builds(monkeypatch)
    doc = load_document(data)
    assert calls == [True]  # one checked pass: no validator walk, no second build
    assert json_equal(doc.to_json(), data)
    assert validate(data).valid and validate(doc).valid
    text = "- " * depth + "Acme\n"
    del calls[:]
    adopted = _count_adoptions(monkeypatch)
    parsed = parse(text)
    assert calls == [] and adopted == [1]  # the parse's own JSON, in place: no check, no copy
    _same_models(parsed, doc)


def _count_adoptions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = assembly.adopt

    def spy(data: dict[str, Any]) -> Any:
        calls.append(1)
        return original(data)

    monkeypatch.setattr(parser_module, "adopt", spy)  # (where the parse calls it)
    return calls


@pytest.mark.parametrize("depth", [50, 150])
def test_the_deep_path_builds_what_the_ordinary_path_builds(depth: int) -> None:
    """Below pydantic's depth limit both paths run: the same models to the last detail."""
    for text in ("- " * depth + "x\n", "1. " * depth + "*x* [y](u)\n", "- a\n  - b\n" * depth):
        ordinary = parse(text)
        data = ordinary.to_json()
        _same_models(nodes.plain_node(data["document"]), ordinary.document)
        _same_models(nodes.build_deep_node(data["document"]), ordinary.document)
        for mode in ("python", "json"):
            deep = nodes._dump_deep(ordinary, json_mode=mode == "json", by_alias=True)
            expected = BaseModel.model_dump(ordinary, mode=mode, by_alias=True, exclude_none=True)
            assert deep == expected


def test_deep_dump_of_broken_nodes_agrees_with_pydantic() -> None:
    odd = [
        Span.model_construct(value=3),
        Paragraph.model_construct(children=[Span(value="x")]),
        Link.model_construct(url="u", children=(Span(value="x"),), meta=[{"id": "a"}]),
        Document.model_construct(schema_="dast", document={"type": "root"}),
    ]
    for node in odd:
        for mode in ("python", "json"):
            for exclude_none in (False, True):
                expected = BaseModel.model_dump(
                    node, mode=mode, by_alias=True, exclude_none=exclude_none, warnings=False
                )
                got = nodes._dump_deep(
                    node, json_mode=mode == "json", by_alias=True, exclude_none=exclude_none
                )
                assert got == expected
