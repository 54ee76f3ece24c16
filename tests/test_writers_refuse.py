"""Every writer refuses an invalid node with ``DastValidationError`` naming where and why.

``model_copy(update=...)`` skips pydantic's validation, so a ``Document`` can
hold a heading of level 9, a span whose value is 42 or a paragraph inside a
paragraph. The writers (dastdown, markdown, HTML, plain text) check the tree
on entry (``dast.validate.ensure_writable``) instead of writing ``#########``
or ``<h9>``, or failing with a bare ``TypeError`` deep inside.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dast.convert import to_html, to_markdown, to_text
from dast.errors import DastValidationError
from dast.nodes import (
    Document,
    Heading,
    List,
    ListItem,
    Node,
    Paragraph,
    Root,
    RootChild,
    Span,
)
from dastdown import serialize

Writer = Callable[[Document], object]

WRITERS: dict[str, Writer] = {
    "dastdown": serialize,
    "markdown": lambda doc: to_markdown(doc).result,
    "html": lambda doc: to_html(doc).result,
    "text": lambda doc: to_text(doc).result,
}


def _span(value: str = "x") -> Span:
    return Span(value=value)


def _doc(*children: RootChild) -> Document:
    return Document(document=Root(children=children))


def _heading_level_9() -> tuple[Document, tuple[str | int, ...], str]:
    heading = Heading(level=1, children=(_span(),)).model_copy(update={"level": 9})
    return _doc(Paragraph(children=(_span(),)), heading), ("children", 1, "level"), "heading-level"


def _span_value_42() -> tuple[Document, tuple[str | int, ...], str]:
    span = _span().model_copy(update={"value": 42})
    paragraph = Paragraph(children=(_span(),)).model_copy(update={"children": (span,)})
    return _doc(paragraph), ("children", 0, "children", 0, "value"), "invalid-attribute"


def _paragraph_in_paragraph() -> tuple[Document, tuple[str | int, ...], str]:
    inner = Paragraph(children=(_span(),))
    outer = Paragraph(children=(_span(),)).model_copy(update={"children": (_span(), inner)})
    return _doc(outer), ("children", 0, "children", 1), "forbidden-child"


DEPTH = 5000


def _deep_broken_span() -> tuple[Document, tuple[str | int, ...], str]:
    span = _span().model_copy(update={"value": 42})
    node: Node = Paragraph(children=(_span(),)).model_copy(update={"children": (span,)})
    for _ in range(DEPTH):
        node = List(style="bulleted", children=(ListItem(children=(node,)),))  # type: ignore[arg-type]
    assert isinstance(node, List)
    path = ("children", 0) + ("children", 0) * (2 * DEPTH) + ("children", 0, "value")
    return _doc(node), path, "invalid-attribute"


CASES = {
    "heading-level-9": _heading_level_9,
    "span-value-42": _span_value_42,
    "paragraph-in-paragraph": _paragraph_in_paragraph,
    "deep-broken-span": _deep_broken_span,
}


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_writer_refuses_an_invalid_node(writer: str, case: str) -> None:
    doc, path, code = CASES[case]()
    with pytest.raises(DastValidationError) as caught:
        WRITERS[writer](doc)
    assert [(p.path, p.code) for p in caught.value.problems] == [(path, code)]


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_writer_still_writes_a_valid_document(writer: str) -> None:
    doc = _doc(Heading(level=2, children=(_span("Title"),)), Paragraph(children=(_span(),)))
    assert "Title" in str(WRITERS[writer](doc))
