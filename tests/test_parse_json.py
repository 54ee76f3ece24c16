"""``parse_json``: the parse as DAST JSON, equal to ``parse(...).to_json()`` for every text.

The grammar builds valid canonical DAST, so ``parse_json`` skips the models
(and their validation); these tests are what holds it to that: on every
fixture text, on generated and randomly edited documents and on syntax
soup, it gives ``parse``'s document as data, or the very same error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dast.load import load_document
from dast.nodes import Document
from dastdown import DastdownIntegrityError, DastdownParseError, parse, parse_json
from dastdown.serializer import serialize
from tests.strategies import documents
from tests.test_parse_fast_paths import CORPUS, FRAGMENTS, TEXTS, _same_error, edited_texts
from tests.test_roundtrip import adversarial_items, adversarial_marks, adversarial_text


def _containers(value: Any, found: list[int]) -> None:
    """The ids of every dict and list in ``value`` (iterative: any depth)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(id(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            found.append(id(item))
            stack.extend(item)


def _agree(text: str, original: Document | None = None, strict: bool = False) -> None:
    """``parse_json`` gives ``parse``'s document as JSON, or raises its error."""
    try:
        expected: Any = parse(text, original, strict=strict)
    except (DastdownParseError, DastdownIntegrityError) as exc:
        expected = exc
    if isinstance(expected, Exception):
        with pytest.raises(type(expected)) as caught:
            parse_json(text, original, strict=strict)
        if isinstance(expected, DastdownParseError):
            assert isinstance(caught.value, DastdownParseError)
            assert _same_error(caught.value, expected)
        else:
            assert str(caught.value) == str(expected)
        return
    data = parse_json(text, original, strict=strict)
    assert data == expected.to_json()
    assert load_document(data) == expected
    if original is None:  # (records put back are the original's own objects)
        ids: list[int] = []
        _containers(data, ids)
        assert len(ids) == len(set(ids)), "an object appears twice in the JSON"


@pytest.mark.parametrize("text", TEXTS, ids=[name for name, _ in CORPUS])
def test_every_fixture_text(text: str) -> None:
    _agree(text)


@given(
    documents(text=adversarial_text, items=adversarial_items, marks=adversarial_marks, max_leaves=8)
)
def test_generated_documents(doc: Document) -> None:
    text = serialize(doc)
    _agree(text)
    _agree(text, doc)  # records put back from the original
    _agree(text, doc, strict=True)


@given(edited_texts())
def test_edited_documents(text: str) -> None:
    _agree(text)


SOUP = FRAGMENTS | st.sampled_from(["a", "b c", "x\n", "\r\n", "\r"])


@given(st.lists(SOUP, max_size=30).map("".join))
def test_syntax_soup(text: str) -> None:
    _agree(text)


def test_records_come_back_from_the_original() -> None:
    record = {"id": "b1", "type": "item", "attributes": {"title": "T"}}
    original = {
        "schema": "dast",
        "document": {"type": "root", "children": [{"type": "block", "item": record}]},
    }
    data = parse_json('# New\n\n<block id="b1"/>\n', original)
    assert data is not None
    assert data["document"]["children"][1]["item"] is record
    with pytest.raises(DastdownIntegrityError):
        parse_json("# New\n", original, strict=True)  # the block is lost


def test_blank_none_and_wrong_types() -> None:
    assert parse_json(None) is None
    empty = {"type": "paragraph", "children": [{"type": "span", "value": ""}]}
    assert parse_json("") == parse_json(" \n\n") == {
        "schema": "dast",
        "document": {"type": "root", "children": [empty]},
    }
    assert parse_json("") is not parse_json("")  # a new object each call
    with pytest.raises(TypeError, match="takes a str"):
        parse_json(b"# T\n")  # type: ignore[call-overload]


def test_deep_lists_and_a_large_text() -> None:
    deep = "".join("  " * level + "- x\n" for level in range(3000))  # past pydantic-core's depth
    data = parse_json(deep)
    assert data is not None
    assert load_document(data) == parse(deep)  # (model equality is depth-proof; dicts' is not)
    node, depth = data["document"], 0
    while "children" in node:
        node, depth = node["children"][-1], depth + 1
    assert depth == 2 * 3000 + 2  # a list and its item per level, then a paragraph and its span
    big = "\n".join(TEXTS[:300])
    _agree(big)


def test_it_is_json() -> None:
    text = '# T **b**\n\n- a [x](u){rel="a"}\n\n```py {highlight=[1]}\nx\n```\n'
    data = parse_json(text)
    assert json.loads(json.dumps(data)) == data
