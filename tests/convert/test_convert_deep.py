"""Documents nested 5,000 lists deep go through every converter without RecursionError."""

from __future__ import annotations

import time
from typing import Any

from dast.convert.from_markdown import MAX_NESTING, from_markdown
from dast.convert.to_html import to_html
from dast.convert.to_markdown import to_markdown
from dast.convert.to_text import to_text
from dast.load import load_document
from dast.nodes import Document

DEPTH = 5000


def deep_json(depth: int, *, with_text: bool) -> dict[str, Any]:
    """A list nested ``depth`` levels deep, built iteratively."""
    node: dict[str, Any] = {
        "type": "list",
        "style": "bulleted",
        "children": [
            {
                "type": "listItem",
                "children": [
                    {"type": "paragraph", "children": [{"type": "span", "value": "leaf"}]}
                ],
            }
        ],
    }
    for level in range(depth - 1):
        children: list[dict[str, Any]] = [node]
        if with_text:
            children.insert(
                0,
                {
                    "type": "paragraph",
                    "children": [{"type": "span", "value": f"level {depth - level - 1}"}],
                },
            )
        node = {
            "type": "list",
            "style": "numbered" if level % 2 else "bulleted",
            "children": [{"type": "listItem", "children": children}],
        }
    return {"schema": "dast", "document": {"type": "root", "children": [node]}}


def test_deep_lists_render_everywhere() -> None:
    doc = load_document(deep_json(DEPTH, with_text=True))
    assert isinstance(doc, Document)
    start = time.perf_counter()
    html = to_html(doc).result
    assert html.count("<li>") == DEPTH and html.endswith("</ul>\n")
    text = to_text(doc).result
    assert text.count("\n") == DEPTH and text.splitlines()[-1].strip() == "- leaf"
    markdown = to_markdown(doc).result
    lines = markdown.splitlines()
    assert len(lines) == DEPTH and lines[-1].strip() == "- leaf"
    assert time.perf_counter() - start < 30


def test_deep_lists_without_text_render_compactly() -> None:
    markdown = to_markdown(deep_json(DEPTH, with_text=False)).result
    assert markdown.count("\n") == 1 and markdown.endswith("leaf\n")
    # and read back: the first MAX_NESTING levels are lists, the rest is text, reported
    doc, report = from_markdown(markdown)
    assert [e.kind for e in report] == ["nesting"]
    node: Any = doc.document.children[0]
    depth = 0
    while node.type == "list":
        depth += 1
        node = node.children[0].children[0]
    assert depth == MAX_NESTING
