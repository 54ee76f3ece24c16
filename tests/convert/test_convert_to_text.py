"""to_text: layout of blocks, lists, quotes and code; record callbacks and reports."""

from __future__ import annotations

from typing import Any

import pytest

from dast.convert.report import ConversionError
from dast.convert.to_text import to_text


def doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def span(value: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": value, **({"marks": list(marks)} if marks else {})}


def para(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children)}


def item(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "children": list(children)}


def test_layout() -> None:
    data = doc(
        {"type": "heading", "level": 1, "children": [span("Title", "strong")]},
        para(
            span("a "),
            {"type": "link", "url": "/u", "children": [span("link")]},
            span(" "),
            {"type": "itemLink", "item": "1", "children": [span("item")]},
            span("\nnext line"),
        ),
        {
            "type": "list",
            "style": "numbered",
            "children": [
                item(
                    para(span("one\ncontinued")),
                    {"type": "list", "style": "bulleted", "children": [item(para(span("sub")))]},
                ),
                item(para(span("two"))),
            ],
        },
        {
            "type": "blockquote",
            "attribution": "Ada",
            "children": [para(span("q1")), para(span("q2"))],
        },
        {"type": "code", "code": "x = 1\n  y", "language": "py"},
        {"type": "thematicBreak"},
        para(span("end")),
    )
    text, report = to_text(data)
    assert not report
    assert text == (
        "Title\n\n"
        "a link item\nnext line\n\n"
        "1. one\n   continued\n   - sub\n2. two\n\n"
        "q1\n\nq2\n— Ada\n\n"
        "x = 1\n  y\n\n"
        "---\n\n"
        "end\n"
    )


def test_records_use_callbacks_or_are_skipped_and_reported() -> None:
    data = doc(
        {"type": "block", "item": {"id": "b1", "type": "item"}},
        para(
            span("a "), {"type": "inlineItem", "item": "i1"}, {"type": "inlineBlock", "item": "x"}
        ),
    )
    text, report = to_text(
        data,
        render_block=lambda ref: f"[image {ref.id}]",
        render_inline_item=lambda ref: ref.id or "",
        render_inline_block=lambda ref: "!",
    )
    assert (text, list(report)) == ("[image b1]\n\na i1!\n", [])
    text, report = to_text(data)
    assert text == "a \n"
    assert [(e.kind, e.path, e.action) for e in report] == [
        ("block", ("children", 0), "skipped"),
        ("inlineItem", ("children", 1, "children", 1), "skipped"),
        ("inlineBlock", ("children", 1, "children", 2), "skipped"),
    ]
    with pytest.raises(ConversionError, match="3 problems"):
        to_text(data, strict=True)


def test_inputs() -> None:
    assert to_text(None).result == ""
    assert to_text({"value": doc(para(span("x")))}).result == "x\n"
    assert to_text(doc(para(span("")))).result == ""
