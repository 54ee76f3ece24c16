"""The serializer's fast paths write exactly what the checked paths write.

* A ``Document``'s inline nodes take an unchecked writer
  (``_model_inlines``); DAST JSON takes the checking one (``_inlines``),
  which checks a span's keys by counting them. Both must give the same text
  for the same nodes, and the JSON path must refuse what the model refuses.
* Line-start escapes are written only where the unescaped line would read
  as something else (a list item, a thematic break, a blank line, a line
  indented into the list above): each escape is necessary, and where none
  is needed the text is the reference implementation's, byte for byte.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dast.canonical import canonicalize
from dast.errors import DastError, DastValidationError
from dast.load import load_document
from dast.nodes import Document
from dast.walk import collect_nodes, map_nodes
from dastdown import serializer
from dastdown.errors import DastdownParseError
from dastdown.parser import parse
from dastdown.serializer import serialize
from dastdown.syntax import TEXT_ESCAPED, quote
from tests.strategies import json_documents, mutated_documents


def _span(value: str, marks: list[str] | None = None) -> dict[str, Any]:
    span: dict[str, Any] = {"type": "span", "value": value}
    if marks is not None:
        span["marks"] = marks
    return span


def _paragraph(value: str) -> dict[str, Any]:
    return {"type": "paragraph", "children": [_span(value)]}


def _item(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "children": list(children)}


def _list(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "list", "style": "bulleted", "children": list(items)}


def _doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


# --- the unchecked inline writer ---------------------------------------------------------


@given(json_documents(max_leaves=12))
def test_model_inline_writer_equals_the_checked_writer(data: dict[str, Any]) -> None:
    """Every group of inline nodes: the model writer's text is the JSON writer's."""
    document = load_document(data)
    groups = collect_nodes(
        document, lambda node, parent, path: node.type in ("paragraph", "heading", "link")
    )
    for found in groups:
        node = found.node
        dumped = node.to_json()["children"]
        checked = _outcome(serializer._inlines, dumped, True, node.type)
        unchecked = _outcome(serializer._model_inlines, node.children)  # type: ignore[union-attr]
        assert unchecked == checked


def _outcome(write: Any, *args: Any) -> str:
    """The text written, or the name of the internal (or DAST) exception raised."""
    try:
        return str(write(*args))
    except (serializer._Invalid, serializer._MissingId, DastError) as exc:  # no record id
        return type(exc).__name__


@given(json_documents(max_leaves=12))
def test_json_and_document_give_the_same_text(data: dict[str, Any]) -> None:
    try:
        expected = serialize(load_document(data))
    except DastError:
        with pytest.raises(DastError):
            serialize(data)
        return
    assert serialize(data) == expected


_SPAN_KEYS = st.dictionaries(
    st.sampled_from(["marks", "url", "children", "style", "x", "item"]),
    st.one_of(st.none(), st.just([]), st.just(["strong"]), st.just("u"), st.just(3)),
    max_size=2,
)


@given(_SPAN_KEYS, st.sampled_from(["paragraph", "heading", "link"]))
def test_span_keys_checked_by_count_refuse_what_the_model_refuses(
    extra: dict[str, Any], where: str
) -> None:
    """A span with foreign or malformed keys is refused in every inline parent."""
    span = {**_span("v"), **extra}
    if where == "link":
        parent: dict[str, Any] = {
            "type": "paragraph",
            "children": [{"type": "link", "url": "u", "children": [span]}],
        }
    elif where == "heading":
        parent = {"type": "heading", "level": 1, "children": [span]}
    else:
        parent = {"type": "paragraph", "children": [span]}
    data = _doc(parent)
    try:
        expected = serialize(load_document(data))
    except DastValidationError:
        with pytest.raises(DastValidationError):
            serialize(data)
        return
    assert serialize(data) == expected


# --- line-start escapes ------------------------------------------------------------------

# (context, text) -> what the reference implementation writes (measured with
# datocms-structured-text-dastdown 5.1.16), where that reads back unchanged.
_CONTEXTS = {
    "root": lambda text: _doc(_paragraph(text)),
    "after a paragraph": lambda text: _doc(_paragraph("x"), _paragraph(text)),
    "after a list": lambda text: _doc(_list(_item(_paragraph("x"))), _paragraph(text)),
    "first in an item": lambda text: _doc(_list(_item(_paragraph(text)))),
    "second in an item": lambda text: _doc(_list(_item(_paragraph("x"), _paragraph(text)))),
    "after a nested list": lambda text: _doc(
        _list(_item(_paragraph("x"), _list(_item(_paragraph("y"))), _paragraph(text)))
    ),
    "in a blockquote": lambda text: _doc(
        {"type": "blockquote", "children": [_paragraph("x"), _paragraph(text)]}
    ),
}

REFERENCE = [
    ("root", "----", "----\n"),
    ("root", "--- x", "--- x\n"),
    ("root", "---x", "---x\n"),
    ("root", "-\ta", "-\ta\n"),
    ("root", "1.", "1.\n"),
    ("root", "1.\ta", "1.\ta\n"),
    ("after a paragraph", "-----", "x\n\n-----\n"),
    ("after a list", " a", "- x\n\n a\n"),
    ("after a list", " - a", "- x\n\n - a\n"),
    ("after a list", " ---", "- x\n\n ---\n"),
    ("first in an item", " ", "-  \n"),
    ("first in an item", "  ", "-   \n"),
    ("first in an item", "----", "- ----\n"),
    ("second in an item", "1.\ta", "- x\n\n  1.\ta\n"),
    ("after a nested list", " a", "- x\n\n  - y\n\n   a\n"),
    ("in a blockquote", "----", "> x\n>\n> ----\n"),
]


@pytest.mark.parametrize(("context", "text", "expected"), REFERENCE)
def test_no_escape_where_the_reference_reads_back(context: str, text: str, expected: str) -> None:
    doc = _CONTEXTS[context](text)
    assert serialize(doc) == expected
    assert parse(expected) == canonicalize(doc)


NEEDED = [
    ("root", "---", "\\---\n"),
    ("root", "- a", "\\- a\n"),
    ("root", "12. a", "12\\. a\n"),
    ("root", " ", "\\ \n"),
    ("after a list", "  a", "- x\n\n\\  a\n"),
    ("first in an item", "---", "- \\---\n"),
    ("second in an item", "  ", "- x\n\n  \\  \n"),
    ("after a nested list", "  a", "- x\n\n  - y\n\n  \\  a\n"),
    ("in a blockquote", "1. a", "> x\n>\n> 1\\. a\n"),
]


@pytest.mark.parametrize(("context", "text", "expected"), NEEDED)
def test_escape_where_the_line_would_read_otherwise(context: str, text: str, expected: str) -> None:
    doc = _CONTEXTS[context](text)
    assert serialize(doc) == expected
    assert parse(expected) == canonicalize(doc)


_LINE_PIECES = st.lists(
    st.sampled_from([" ", "  ", "-", "--", "---", "1.", "12.", "\t", "a", "x y", "."]),
    min_size=1,
    max_size=4,
).map("".join)


def _without_line_start_escapes(written: str) -> str:
    """What the serializer would write with no line-start escape at all.

    The texts of these tests (``_LINE_PIECES``, ``x``, ``y``) hold no character
    span text escapes, so every backslash written is a line-start escape. (Read
    from the text, not by patching ``serializer._line_text``: a compiled
    serializer, see setup.py, calls its own functions directly.)
    """
    return written.replace("\\", "")


def _reads_as(text: str) -> Document | None:
    try:
        return parse(text)
    except DastdownParseError:
        return None


@given(st.sampled_from(sorted(_CONTEXTS)), _LINE_PIECES)
def test_line_start_escapes_are_necessary_and_sufficient(context: str, text: str) -> None:
    doc = _CONTEXTS[context](text)
    written = serialize(doc)
    assert parse(written) == canonicalize(doc)  # sufficient
    assert not set(text) & set(TEXT_ESCAPED)  # (what _without_line_start_escapes assumes)
    bare = _without_line_start_escapes(written)
    if bare != written:  # an escape was written: without it the text reads otherwise
        assert _reads_as(bare) != canonicalize(doc)


@pytest.mark.parametrize("highlight", [[-1], [0, -2], [True], [1.0], "0", [None]])
def test_json_code_highlight_is_refused_as_the_model_refuses_it(highlight: Any) -> None:
    """The JSON pass once wrote ``{highlight=[-1]}`` for a document ``load_document`` refuses."""
    data = _doc({"type": "code", "code": "x", "highlight": highlight})
    with pytest.raises(DastValidationError):
        load_document(data)
    with pytest.raises(DastValidationError):
        serialize(data)


@given(mutated_documents(max_leaves=8))
def test_json_pass_refuses_what_the_model_refuses(data: dict[str, Any]) -> None:
    """Damaged DAST JSON: the JSON pass writes only what ``load_document`` accepts."""
    try:
        expected: str | type[Exception] = serialize(load_document(data))
    except DastError as exc:
        expected = type(exc)
    try:
        got: str | type[Exception] = serialize(data)
    except DastError as exc:
        got = type(exc)
    assert got == expected


# --- memoised runs of marks, quoting, children as lists ----------------------------------


def test_runs_merge_by_their_marks_when_the_memo_is_full() -> None:
    """Adjacent spans with one set of marks in two orders share one run, memoised or not.

    Runs are compared by identity first, then by their canonical marks: the
    memo keeps at most 4,096 mark tuples, after which each span gets a new run.
    """
    many = [_span(f"{index} ", [f"m{index}", "strong"]) for index in range(5_000)]
    serialize(_doc({"type": "paragraph", "children": many}))  # fills the memo
    data = _doc(
        {
            "type": "paragraph",
            "children": [_span("a", ["zq", "zp"]), _span("b", ["zp", "zq"]), _span("c")],
        }
    )
    expected = '<m k="zp"><m k="zq">ab</m></m>c\n'
    assert serialize(data) == expected
    assert serialize(load_document(data)) == expected
    assert parse(expected) == canonicalize(data)


@given(st.text())
def test_quoting_without_translate_is_quote(value: str) -> None:
    assert serializer._quote(value) == quote(value)


@given(json_documents(max_leaves=10))
def test_model_children_as_lists_write_as_tuples(data: dict[str, Any]) -> None:
    """``model_copy(update=...)`` may put a list where the model keeps a tuple."""
    document = load_document(data)
    paragraphs = collect_nodes(document, lambda node, parent, path: node.type == "paragraph")
    if not paragraphs:
        return
    first = paragraphs[0]
    with_list = first.node.model_copy(update={"children": list(first.node.children)})  # type: ignore[union-attr]
    edited = map_nodes(
        document, lambda node, parent, path: with_list if path == first.path else node
    )
    edited_node = collect_nodes(edited, lambda node, parent, path: path == first.path)[0].node
    assert type(edited_node.children) is list  # type: ignore[union-attr]
    assert _outcome(serialize, edited) == _outcome(serialize, document)
