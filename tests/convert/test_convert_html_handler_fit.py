"""What a handler returns is fitted like the HTML's own content.

Nothing is lost, every change is reported, and the ``allowed`` rules apply to it as well.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dast.convert import to_text
from dast.convert.from_html import Allowed, HtmlElement, from_html
from dast.fields import FieldSettings
from dast.nodes import Blockquote, Heading, List, ListItem, Node, Paragraph, Span
from dast.validate import validate


def _para(text: str) -> Paragraph:
    return Paragraph(children=(Span(value=text),))


def _nested_list() -> List:
    inner = List(style="bulleted", children=(ListItem(children=(_para("y"),)),))
    return List(style="bulleted", children=(ListItem(children=(_para("x"), inner)),))


Handler = Callable[[HtmlElement], Node]


@pytest.mark.parametrize(
    ("html", "handler", "kept", "reported"),
    [
        (
            "<ul><li>a <img src=x> b</li></ul>",
            lambda el: Heading(level=2, children=(Span(value="H"),)),
            ["a", "H", "b"],
            "h2 converted to a paragraph",
        ),
        (
            "<blockquote><p>a <img src=x> b</p></blockquote>",
            lambda el: _nested_list(),
            ["a", "x", "y", "b"],
            "list converted to paragraphs",
        ),
        (
            "<ul><li>a <img src=x> b</li></ul>",
            lambda el: Blockquote(children=(_para("q1"), _para("q2"))),
            ["a", "q1", "q2", "b"],
            "blockquote flattened into its paragraphs",
        ),
    ],
)
def test_blocks_from_handlers_fit_their_container(
    html: str, handler: Handler, kept: list[str], reported: str
) -> None:
    doc, report = from_html(html, handlers={"img": handler})
    assert validate(doc).valid
    text, _ = to_text(doc)
    assert [w for w in text.split() if w != "-"] == kept  # every word, in order (bullets aside)
    assert [entry.line for entry in report] == [1]
    assert reported in str(report.entries[0])


def test_a_handlers_marks_obey_the_allowed_marks() -> None:
    rules = Allowed(allowed_marks={"strong"})
    doc, report = from_html(
        "<p>a <b>x<img src=x></b> b</p>",
        handlers={"img": lambda el: Span(value="hi", marks=("highlight", "strong"))},
        allowed=rules,
    )
    spans = doc.document.children[0].children  # type: ignore[union-attr]
    assert [(s.value, s.marks) for s in spans] == [  # type: ignore[union-attr]
        ("a ", None),
        ("xhi", ("strong",)),
        (" b", None),
    ]
    assert any("highlight is not allowed" in str(entry) for entry in report)


def test_a_handlers_heading_obeys_the_allowed_levels() -> None:
    field = FieldSettings(heading_levels=frozenset({1}))
    doc, report = from_html(
        "<p>a <img src=x> b</p>",
        handlers={"img": lambda el: Heading(level=3, children=(Span(value="H"),))},
        allowed=field,
    )
    assert [c.type for c in doc.document.children] == ["paragraph"] * 3
    assert validate(doc, field=field).valid
    assert "heading level 3 is not allowed" in str(report.entries[0])
