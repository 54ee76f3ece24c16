"""``repair``: valid output, every visible character and every block kept, idempotent."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

import dast.builders as b
from dast.definitions import DEFAULT_MARKS, FIELD_NODE_TYPES
from dast.errors import DastError
from dast.fields import FieldSettings
from dast.repair import RepairError, repair
from dast.validate import validate
from tests.strategies import json_documents, mutated_documents


def _walk(node: Any) -> list[Any]:
    """Every dict node in pre-order (any shape, any depth)."""
    found: list[Any] = []
    stack = [node]
    while stack:
        here = stack.pop()
        if isinstance(here, dict):
            found.append(here)
            kids = here.get("children")
            if isinstance(kids, list):
                stack.extend(reversed(kids))
    return found


def _text(node: Any) -> tuple[str, list[str]]:
    """The visible text in reading order (span values, code) and the quotes' attributions
    (which stay with a quote's last part when a quote is split, so their place may move)."""
    parts: list[str] = []
    attributions: list[str] = []
    stack: list[Any] = [node]
    while stack:
        here = stack.pop()
        if here.get("type") == "span":
            parts.append(here["value"])
        elif here.get("type") == "code":
            parts.append(here["code"])
        if here.get("type") == "blockquote" and here.get("attribution"):
            attributions.append(here["attribution"])
        stack.extend(reversed(here.get("children") or []))
    return "".join(parts), sorted(attributions)


def _all_text(node: Any) -> list[str]:
    text, attributions = _text(node)
    return sorted([text, *attributions])


def _items(node: Any) -> list[str]:
    return sorted(
        json.dumps([n["type"] == "block", n["item"]], sort_keys=True)
        for n in _walk(node)
        if n.get("type") in ("block", "inlineBlock", "inlineItem")
    )


def _containers(root: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in _walk(root) if isinstance(n.get("children"), list)]


@st.composite
def broken_documents(draw: DrawFn) -> dict[str, Any]:
    """Valid documents, then damaged the way tree-rewriting code damages them."""
    doc = draw(json_documents(max_leaves=10))
    root = doc["document"]
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        containers = _containers(root)
        op = draw(st.sampled_from(("move", "move", "empty-span", "empty-p", "split", "root")))
        target = draw(st.sampled_from(containers))
        if op == "move":
            movable = [(p, i) for p in containers for i in range(len(p["children"]))]
            if not movable:
                continue
            parent, i = draw(st.sampled_from(movable))
            node = parent["children"][i]
            inside = {id(n) for n in _walk(node)}
            targets = [c for c in containers if id(c) not in inside]
            target = draw(st.sampled_from(targets))
            del parent["children"][i]
            target["children"].insert(draw(st.integers(0, len(target["children"]))), node)
        elif op == "empty-span":
            target["children"].insert(0, {"type": "span", "value": ""})
        elif op == "empty-p":
            target["children"].append({"type": "paragraph", "children": []})
        elif op == "split":
            spans = [n for n in _walk(root) if n.get("type") == "span" and len(n["value"]) > 1]
            if spans:
                span = draw(st.sampled_from(spans))
                holder = next(c for c in containers if any(k is span for k in c["children"]))
                at = next(i for i, k in enumerate(holder["children"]) if k is span)
                cut = draw(st.integers(1, len(span["value"]) - 1))
                second = {**copy.deepcopy(span), "value": span["value"][cut:]}
                span["value"] = span["value"][:cut]
                holder["children"].insert(at + 1, second)
        elif op == "root" and target["children"]:
            target["children"] = [{"type": "root", "children": target["children"]}]
    return doc


def field_settings() -> st.SearchStrategy[FieldSettings]:
    subset = st.frozensets
    return st.builds(
        FieldSettings,
        nodes=st.one_of(st.none(), subset(st.sampled_from(FIELD_NODE_TYPES))),
        marks=st.one_of(st.none(), subset(st.sampled_from(DEFAULT_MARKS))),
        heading_levels=st.one_of(st.none(), subset(st.integers(1, 6))),
    )


@given(broken_documents(), st.one_of(st.none(), field_settings()))
def test_repair_gives_valid_documents_keeping_text_and_blocks(
    doc: dict[str, Any], settings: FieldSettings | None
) -> None:
    before = copy.deepcopy(doc)
    fixed, report = repair(doc, settings)
    assert doc == before  # the input is not touched
    out = fixed.to_json()
    assert validate(out, field=settings).valid, str(validate(out, field=settings))
    assert not report.unresolved
    assert sorted("".join(_all_text(out["document"]))) == sorted(
        "".join(_all_text(doc["document"]))
    )  # every character kept
    moved = any("attribution" in c.message or "blockquote" in c.message for c in report)
    if not moved:  # and in reading order, unless a quote's attribution had to become text
        assert _text(out["document"]) == _text(doc["document"])
    assert _items(out["document"]) == _items(doc["document"])
    again, second = repair(fixed, settings)
    assert again == fixed
    assert not second.changed, str(second)


@given(json_documents(max_leaves=10))
def test_valid_documents_are_left_alone_unless_spans_can_merge(doc: dict[str, Any]) -> None:
    fixed, report = repair(doc)
    assert {c.code for c in report} <= {"merge-spans", "drop-empty", "empty-document"}
    if not report.changed:
        assert fixed.to_json() == doc


def _doc(*children: Any) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def _p(*children: Any) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children)}


def _s(value: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": value, **({"marks": list(marks)} if marks else {})}


def test_block_in_a_paragraph_splits_it() -> None:
    doc = _doc(_p(_s("a"), {"type": "block", "item": "b1"}, _s("b")))
    fixed, report = repair(doc)
    assert fixed == b.doc(b.p("a"), b.block("b1"), b.p("b"))
    assert [(c.path, c.code) for c in report] == [(("children", 0, "children", 1), "lift")]


def test_list_item_and_inline_wrapping() -> None:
    doc = _doc(
        {"type": "listItem", "children": [_p(_s("one"))]},
        {"type": "list", "style": "numbered", "children": [_s("loose"), _p(_s("para"))]},
    )
    fixed, report = repair(doc)
    assert fixed == b.doc(b.ul(b.li("one")), b.ol(b.li(b.p("loose"), b.p("para"))))
    assert [c.code for c in report] == ["wrap", "wrap"]


def test_link_in_link_and_style_and_levels() -> None:
    inner = {"type": "link", "url": "https://in", "children": [_s("in")]}
    doc = _doc(
        {"type": "heading", "level": 9, "children": [_s("H")]},
        _p({"type": "link", "url": "https://out", "children": [_s("x "), inner]}),
        {"type": "list", "style": "dotted", "children": [{"type": "listItem",
                                                          "children": [_p(_s("i"))]}]},
    )
    fixed, report = repair(doc)
    assert fixed == b.doc(b.h(6, "H"), b.p(b.link("https://out", "x in")), b.ul(b.li("i")))
    assert [c.code for c in report] == ["heading-level", "unwrap", "merge-spans", "list-style"]


def test_field_settings_turn_nodes_into_their_text() -> None:
    settings = FieldSettings(
        nodes=frozenset({"heading"}), marks=frozenset({"strong"}), heading_levels=frozenset({2, 4})
    )
    doc = b.doc(
        b.h(3, "Three"),
        b.code("print(1)"),
        b.ul(b.li("a"), b.li(b.p("b"), b.ul(b.li("c")))),
        b.quote(b.p("said"), attribution="Ann"),
        b.p(b.em("x"), b.strong("y"), b.link("https://z", "z")),
        b.hr(),
    )
    fixed, report = repair(doc, settings)
    assert fixed == b.doc(
        b.h(4, "Three"),
        b.p("print(1)"),
        b.p("a"),
        b.p("b"),
        b.p("c"),
        b.p("said"),
        b.p("Ann"),
        b.p("x", b.strong("y"), "z"),
    )
    assert validate(fixed, field=settings).valid
    codes = [c.code for c in report]
    assert codes.count("field-node") == 6 and "field-heading-level" in codes
    assert "field-mark" in codes


def test_what_cannot_be_repaired_is_reported() -> None:
    settings = FieldSettings(block_models=frozenset({"Allowed"}), required=True)
    doc = b.doc(b.block({"id": "b", "item_type": {"id": "Other"}}))
    fixed, report = repair(doc, settings)
    assert fixed == doc
    assert [p.code for p in report.unresolved] == ["field-block-model"]
    assert "(unresolved)" in str(report)


def test_empty_documents_keep_one_empty_paragraph() -> None:
    fixed, report = repair(_doc(_p(_s("")), {"type": "paragraph", "children": []}))
    assert fixed.to_json() == _doc(_p(_s("")))
    assert report.changed
    again, second = repair(fixed)
    assert again == fixed and not second.changed


def test_garbage_is_an_error_with_a_path() -> None:
    with pytest.raises(RepairError, match=r"children\[0\]\.children\[1\]: not a node: int"):
        repair(_doc(_p(_s("a"), 5)))
    with pytest.raises(RepairError, match="without children or text"):
        repair(_doc({"type": "mystery"}))
    with pytest.raises(DastError):
        repair(None)  # type: ignore[arg-type]
    fixed, report = repair(_doc(_p("bare", {"type": "Span", "value": "x"})))
    assert fixed == b.doc(b.p("barex"))
    assert [c.code for c in report] == ["text-to-span", "retype", "merge-spans"]


def test_deep_documents() -> None:
    item: dict[str, Any] = {"type": "listItem", "children": [_p(_s("x"), {"type": "block",
                                                                          "item": "b"})]}
    for _ in range(5000):
        item = {"type": "listItem", "children": [{"type": "list", "style": "bulleted",
                                                  "children": [item]}]}
    doc = _doc({"type": "list", "style": "bulleted", "children": [item]})
    fixed, report = repair(doc)
    assert [c.type for c in fixed.document.children] == ["list", "block"]
    assert sum(c.code == "lift" for c in report) == 2 * 5000 + 3  # each list, each item


def test_wrapper_records_tell_the_models_of_unresolved_blocks() -> None:
    settings = FieldSettings(block_models=frozenset({"Allowed"}))
    wrapper = {
        "value": b.doc(b.block("b1"), b.block("b2")).to_json(),
        "blocks": [{"id": "b1", "item_type": {"id": "Other"}}, {"id": "b2", "item_type": "A"}],
    }
    settings = FieldSettings(block_models=frozenset({"A"}))
    _, report = repair(wrapper, settings)
    assert [p.path for p in report.unresolved] == [("children", 0, "item")]
    _, with_lookup = repair(wrapper["value"], settings, models={"b2": "Other"})
    assert [p.path for p in with_lookup.unresolved] == [("children", 1, "item")]


def test_a_quote_keeps_its_attribution_once() -> None:
    quote = {"type": "blockquote", "attribution": "Ann", "children": [
        _p(_s("a")), {"type": "heading", "level": 2, "children": [_s("h")]}, _p(_s("b"))]}
    fixed, _ = repair(_doc(quote))
    assert fixed == b.doc(b.quote(b.p("a")), b.h(2, "h"), b.quote(b.p("b"), attribution="Ann"))
    empty = {"type": "blockquote", "attribution": "Bo", "children": []}
    fixed, report = repair(_doc(_p(_s("x")), empty))
    assert fixed == b.doc(b.p("x"), b.p("Bo"))
    assert [c.code for c in report] == ["drop-empty"]


@given(mutated_documents())
def test_damaged_json_is_repaired_or_refused_with_a_path(doc: dict[str, Any]) -> None:
    try:
        fixed, _ = repair(doc)
    except DastError as exc:  # never a crash from deep inside
        assert str(exc)
        return
    assert validate(fixed).valid
