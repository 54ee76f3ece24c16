"""Round trip: ``from_html(to_html(d)) == as_shown(d)`` (``canonicalize`` as HTML shows it).

HTML read as a browser reads it cannot keep everything a DAST document
holds, so the property covers every valid document restricted by
``html_expressible`` to what HTML shows:

* whitespace is collapsed as a browser does: runs of ASCII whitespace are
  one space, and spaces at the start or end of a line (a block's edges, or
  around a ``\\n`` written as ``<br>``) are not shown; attributions are
  collapsed and trimmed;
* text without control characters (HTML has no way to write ``\\r`` or
  NUL, and the parser turns ``\\r`` into a line feed);
* link URLs that are safe (``to_html`` writes the others as ``#``) and
  ``meta`` as ``to_html`` writes it: the allowlisted attributes, each once,
  ``rel`` gaining ``noopener`` beside ``target="_blank"``; item links (and
  every record) go through the placeholders, which carry no meta;
* a code language without ASCII whitespace (``class`` attributes are
  space-separated tokens); empty styles, languages and highlights are
  absent;
* blocks and inline blocks by id (a record without id has no placeholder
  to read back).

Everything else comes back exactly: marks (custom ones through
``<span class="mark-NAME">``), styles (``read_styles=True``), highlights,
attributions, nesting, empty paragraphs.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from dast.canonical import canonicalize
from dast.convert.from_html import from_html
from dast.convert.to_html import LINK_META_ATTRIBUTES, to_html
from dast.nodes import (
    Blockquote,
    Code,
    Document,
    Heading,
    ItemLink,
    Link,
    List,
    ListItem,
    MetaEntry,
    Paragraph,
    Root,
    Span,
)
from tests.strategies import CUSTOM_MARKS, DEFAULT_MARK_NAMES, documents, record_ids

_WS = re.compile(r"[ \t\n\r\f]+")
_PIECES = [
    *"abcZ09 _*`~=+-#>[]()<>!&;|\\.:\"'{}$%^@/,?",
    *("\t", "\n", "\xa0", "\u2003", "é", "e\u0301", "🙂", "𝄞"),
    *("  ", "&amp;", "&lt;", "<b>", "</p>", "<br>", "<!--", "-->", "[inlineItem x]"),
]
TEXT = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=8).map("".join),
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=6),
)
SAFE_URL = re.compile(r"(?!(?:javascript|vbscript|data):)[A-Za-z0-9\-._~:/?#@!$&()*+,;=%]*\Z", re.I)


def _flatten(children: tuple[Any, ...]) -> list[Any]:
    """The spans of an inline sequence (link labels included) and the atoms between them."""
    out: list[Any] = []
    for child in children:
        if isinstance(child, Link | ItemLink):
            out.extend(child.children)
        else:
            out.append(child)
    return out


def _collapse(children: tuple[Any, ...]) -> tuple[Any, ...]:
    """Whitespace as a browser shows it, across spans and link labels."""
    values: dict[int, str] = {}
    flat = _flatten(children)
    space = True
    for node in flat:
        if not isinstance(node, Span):
            space = False
            continue
        parts = []
        for k, piece in enumerate(node.value.split("\n")):
            if k:
                parts.append("\n")
                space = True
            piece = _WS.sub(" ", piece)
            if space and piece.startswith(" "):
                piece = piece[1:]
            if piece:
                space = piece.endswith(" ")
            parts.append(piece)
        values[id(node)] = "".join(parts)
    line_end = True
    for node in reversed(flat):
        if not isinstance(node, Span):
            line_end = False
            continue
        kept: list[str] = []
        for char in reversed(values[id(node)]):
            if char == "\n":
                line_end = True
            elif char == " " and line_end:
                continue
            else:
                line_end = False
            kept.append(char)
        values[id(node)] = "".join(reversed(kept))

    def span(node: Span) -> Span:
        return node.model_copy(update={"value": values[id(node)]})

    out: list[Any] = []
    for child in children:
        if isinstance(child, Span):
            out.append(span(child))
        elif isinstance(child, Link | ItemLink):
            label = tuple(span(s) for s in child.children)
            out.append(child.model_copy(update={"children": label}))
        else:
            out.append(child)
    return tuple(out)


def _meta(meta: tuple[MetaEntry, ...] | None) -> tuple[MetaEntry, ...] | None:
    values: dict[str, str] = {}
    for entry in meta or ():
        name = entry.id.lower()
        if name in LINK_META_ATTRIBUTES and name not in values:
            values[name] = entry.value
    if values.get("target") == "_blank":
        rel = values.get("rel")
        if rel is None or not rel.strip():
            values["rel"] = "noopener"
        elif "noopener" not in rel.lower().split():
            values["rel"] = rel + " noopener"
    return tuple(MetaEntry(id=k, value=v) for k, v in values.items()) or None


def _inlines(children: tuple[Any, ...], shown: bool) -> tuple[Any, ...]:
    out: list[Any] = []
    for child in children:
        if isinstance(child, Link) and not shown:
            if not SAFE_URL.match(child.url):
                child = child.model_copy(update={"url": "https://example.com/page"})
            out.append(child)
        elif not shown:
            out.append(child)
        elif isinstance(child, Link):
            out.append(child.model_copy(update={"meta": _meta(child.meta)}))
        elif isinstance(child, ItemLink):
            out.append(child.model_copy(update={"meta": None}))
        else:
            out.append(child)
    return _collapse(tuple(out)) if shown else tuple(out)


def _block(node: Any, shown: bool = True) -> Any:
    if isinstance(node, Paragraph | Heading) and not shown:
        return node.model_copy(update={"children": _inlines(node.children, shown)})
    if isinstance(node, Code) and not shown:
        if node.language is not None and re.search(r"[ \t\n\r\f]", node.language):
            return node.model_copy(update={"language": None})
        return node
    if not shown and not isinstance(node, List | ListItem | Blockquote):
        return node
    if isinstance(node, Paragraph | Heading):
        return node.model_copy(
            update={"style": node.style or None, "children": _inlines(node.children, shown)}
        )
    if isinstance(node, Code):
        update = {"language": node.language or None, "highlight": node.highlight or None}
        return node.model_copy(update=update)
    if isinstance(node, Blockquote):
        attribution = node.attribution
        if attribution is not None:
            attribution = _WS.sub(" ", attribution).strip(" ")
        children = tuple(_block(c, shown) for c in node.children)
        if not shown:
            return node.model_copy(update={"children": children})
        return node.model_copy(update={"attribution": attribution, "children": children})
    if isinstance(node, List | ListItem):
        children = tuple(_block(c, shown) for c in node.children)
        return node.model_copy(update={"children": children})
    return node


def html_expressible(doc: Document) -> Document:
    """``doc`` with link URLs a browser follows as written (the others replaced) and
    code languages without ASCII whitespace."""
    root = Root(children=tuple(_block(c, shown=False) for c in doc.document.children))
    return Document(document=root)


def as_shown(doc: Document) -> Document:
    """What ``from_html`` reads back from ``to_html(doc)`` (see the module doc)."""
    root = Root(children=tuple(_block(c) for c in doc.document.children))
    return canonicalize(Document(document=root))


def _doc(*children: Any) -> Document:
    return Document(document=Root(children=children))


def _to_html(doc: Document) -> str:
    return to_html(doc, on_missing="placeholder").result


@given(
    documents(
        text=TEXT,
        items=record_ids(),
        marks=st.sampled_from(DEFAULT_MARK_NAMES + CUSTOM_MARKS),
        max_leaves=20,
    ).map(html_expressible)
)
@example(_doc(Paragraph(children=(Span(value=""),))))
@example(_doc(Paragraph(children=(Span(value="a "), Span(value=" b", marks=("strong",))))))
@example(_doc(Paragraph(children=(Span(value="a  \n  b \n"),))))
@example(
    _doc(
        Paragraph(
            children=(
                Link(
                    url="/x",
                    children=(Span(value=" x "),),
                    meta=(
                        MetaEntry(id="target", value="_blank"),
                        MetaEntry(id="onclick", value="x"),
                        MetaEntry(id="target", value="_self"),
                    ),
                ),
            )
        )
    )
)
@example(_doc(Code(code="\nx\n", language="py", highlight=())))
def test_html_round_trip(doc: Document) -> None:
    """Rendering HTML and reading it back gives the document as HTML shows it."""
    html = _to_html(doc)
    back, report = from_html(html, read_styles=True)
    assert back == as_shown(doc), html
    assert not [entry for entry in report if entry.kind != "span"], str(report)


def test_html_round_trip_with_data_language() -> None:
    doc = _doc(Code(code="x = 1", language="python 3"))
    html = to_html(doc, code_language="data-language").result
    assert html == '<pre data-language="python 3"><code>x = 1</code></pre>\n'
    assert from_html(html).result == doc
