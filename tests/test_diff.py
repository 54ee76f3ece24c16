"""Structural diff: ``apply_diff(a, diff(a, b)) == b``, small diffs for small edits."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

import dast.builders as b
from dast.diff import (
    AttributeChange,
    DiffError,
    Insert,
    MarksChange,
    Move,
    Remove,
    Replace,
    TextEdit,
    apply_diff,
    apply_text_edits,
    diff,
    format_diff,
    text_edits,
)
from dast.errors import DastValidationError
from dast.load import load_document
from tests.strategies import documents, json_documents

ROOT = Path(__file__).resolve().parent.parent


def _spans(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        here = stack.pop()
        if here.get("type") == "span":
            found.append(here)
        stack.extend(here.get("children", ()))
    return found


@st.composite
def _edited(draw: DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A document and an edit of it: children moved, removed, copied; text, marks, levels."""
    a = draw(json_documents(max_leaves=10))
    z = copy.deepcopy(a)
    kids = z["document"]["children"]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(("move", "remove", "copy", "text", "marks", "level", "new")))
        if op == "move" and len(kids) > 1:
            i = draw(st.integers(0, len(kids) - 1))
            kids.insert(draw(st.integers(0, len(kids) - 1)), kids.pop(i))
        elif op == "remove" and len(kids) > 1:
            kids.pop(draw(st.integers(0, len(kids) - 1)))
        elif op == "copy":
            kids.insert(draw(st.integers(0, len(kids))), copy.deepcopy(draw(st.sampled_from(kids))))
        elif op == "new":
            kids.insert(draw(st.integers(0, len(kids))), b.p(draw(st.text(min_size=1))).to_json())
        elif op in ("text", "marks"):
            spans = _spans(z["document"])
            if spans:
                span = draw(st.sampled_from(spans))
                if op == "text":
                    span["value"] = draw(st.text()) + span["value"][1:]
                else:
                    span["marks"] = draw(st.lists(st.sampled_from(("strong", "code", "x"))))
        elif op == "level":
            heads = [k for k in kids if k["type"] == "heading"]
            if heads:
                draw(st.sampled_from(heads))["level"] = draw(st.integers(1, 6))
    return a, z


@given(documents(max_leaves=8), documents(max_leaves=8))
def test_apply_gives_b_for_any_two_documents(a: Any, z: Any) -> None:
    assert apply_diff(a, diff(a, z)) == z
    assert diff(z, z).equal


@given(_edited())
def test_apply_gives_b_for_edits(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    a, z = pair
    changes = diff(a, z)
    assert apply_diff(a, changes) == load_document(z)
    assert changes.equal == (load_document(a) == load_document(z))
    assert apply_diff(a, list(changes)) == load_document(z)  # a plain list of operations too
    assert format_diff(changes).count("\n") == max(len(changes) - 1, 0)


def _paragraphs(*texts: str) -> Any:
    return b.doc(*(b.p(t) for t in texts))


def test_one_changed_word_is_one_text_edit() -> None:
    a = _paragraphs("alpha", "The quick brown fox jumps", "omega")
    z = _paragraphs("alpha", "The quick red fox jumps", "omega")
    (op,) = diff(a, z)
    assert isinstance(op, TextEdit)
    assert op.path == ("children", 1, "children", 0)
    assert op.edits == ((10, 15, "red"),)
    expected = "children[1].children[0]: text \"The quick [-brown-]{+red+} fox jumps\""
    assert format_diff([op]) == expected


def test_one_word_in_the_1mb_article() -> None:
    data = json.loads((ROOT / "benchmarks/data/article-1mb.json").read_text(encoding="utf-8"))
    edited = copy.deepcopy(data)
    span = _spans(edited["document"]["children"][len(edited["document"]["children"]) // 2])[0]
    span["value"] = span["value"] + " extra"
    changes = diff(data, edited)
    assert [op.kind for op in changes] == ["text"]
    assert apply_diff(data, changes) == load_document(edited)


def test_moves_either_way_are_one_operation() -> None:
    a = _paragraphs("one", "two", "three", "four", "five")
    left = _paragraphs("four", "one", "two", "three", "five")
    right = _paragraphs("two", "three", "four", "one", "five")
    for z in (left, right):
        changes = diff(a, z)
        assert [op.kind for op in changes] == ["move"]
        assert apply_diff(a, changes) == z
    (move,) = diff(a, left)
    assert isinstance(move, Move)
    assert (move.source, move.path) == (("children", 3), ("children", 0))
    assert "children[3] -> children[0]: moved paragraph \"four\"" in format_diff(diff(a, left))


def test_inserts_removes_replaces_marks_attributes() -> None:
    a = b.doc(b.h(1, "Title"), b.p("keep"), b.p(b.link("https://a.example", "go")), b.hr())
    z = b.doc(
        b.h(2, "Title"), b.p("keep"), b.p(b.strong(b.link("https://b.example", "go"))), b.p("new")
    )
    changes = diff(a, z)
    kinds = {type(op) for op in changes}
    assert kinds == {AttributeChange, MarksChange, Replace}
    assert apply_diff(a, changes) == z
    text = format_diff(changes)
    assert "children[0].level: 1 -> 2" in text
    assert 'children[2].children[0].url: "https://a.example" -> "https://b.example"' in text
    assert "children[2].children[0].children[0].marks: [none] -> [strong]" in text
    assert 'children[3]: replaced thematicBreak with paragraph "new"' in text
    grow = diff(_paragraphs("a"), _paragraphs("a", "b"))
    assert [type(op) for op in grow] == [Insert]
    shrink = diff(_paragraphs("a", "b"), _paragraphs("b"))
    assert [type(op) for op in shrink] == [Remove]
    assert format_diff(shrink) == 'children[0]: removed paragraph "a"'


def test_empty_fields() -> None:
    a = _paragraphs("x")
    assert diff(None, None).equal
    assert [op.kind for op in diff(None, a)] == ["insert"]
    assert apply_diff(None, diff(None, a)) == a
    assert apply_diff(a, diff(a, None)) is None
    wrapper = {"value": a.to_json(), "blocks": []}
    assert diff(wrapper, a).equal


def test_blocks_and_items() -> None:
    a = b.doc(b.block({"id": "b1", "item_type": {"id": "cta"}, "label": "Go"}), b.p("x"))
    z = b.doc(b.block({"id": "b1", "item_type": {"id": "cta"}, "label": "Stop"}), b.p("x"))
    (op,) = diff(a, z)
    assert isinstance(op, AttributeChange) and op.attribute == "item"
    assert format_diff([op]) == "children[0].item: record b1, changed: label"
    assert apply_diff(a, [op]) == z


def test_invalid_input_names_the_side() -> None:
    with pytest.raises(DastValidationError) as caught:
        diff(_paragraphs("a"), {"schema": "dast", "document": {"type": "root", "children": []}})
    assert caught.value.source == "b"


def test_operations_that_do_not_fit() -> None:
    a, z = _paragraphs("one two"), _paragraphs("one three")
    changes = diff(a, z)
    with pytest.raises(DiffError, match="not the one diffed"):
        apply_diff(z, changes)
    with pytest.raises(DiffError, match="children\\[5\\]: no such node"):
        apply_diff(a, [TextEdit(("children", 5, "children", 0), "value", "x", "y", ())])


def test_text_edits() -> None:
    assert text_edits("", "abc") == ((0, 0, "abc"),)
    assert text_edits("abc", "") == ((0, 3, ""),)
    assert text_edits("a cat and a dog", "a bat and a frog") == ((2, 5, "bat"), (12, 15, "frog"))
    for old, new in [("x y z", "x z"), ("héllo wörld", "hello world"), ("aa", "aaa")]:
        assert apply_text_edits(old, text_edits(old, new)) == new


@given(st.text(), st.text())
def test_text_edits_apply(old: str, new: str) -> None:
    assert apply_text_edits(old, text_edits(old, new)) == new


def test_deep_documents() -> None:
    def nested(word: str) -> dict[str, Any]:
        item: dict[str, Any] = {"type": "listItem", "children": [b.p(word).to_json()]}
        for _ in range(5000):
            inner = {"type": "list", "style": "bulleted", "children": [item]}
            item = {"type": "listItem", "children": [inner]}
        root = {"type": "list", "style": "bulleted", "children": [item]}
        return {"schema": "dast", "document": {"type": "root", "children": [root]}}

    a, z = nested("deep"), nested("deeper")
    (op,) = diff(a, z)
    assert isinstance(op, TextEdit) and len(op.path) == 4 * 5000 + 8
    assert apply_diff(a, [op]) == load_document(z)
