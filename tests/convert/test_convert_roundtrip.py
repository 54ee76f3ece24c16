"""Round trip: ``from_markdown(to_markdown(d)).result == canonicalize(d)``.

The property covers every valid document whose content markdown can
express, built from ``tests.strategies.documents`` and then restricted by
``markdown_expressible``:

* marks: the six default marks only, in any combination, on any text (the
  serializer falls back to HTML tags where delimiters cannot stand);
* ``block``, ``inlineBlock`` and ``inlineItem`` by record id (written as the
  placeholders ``<!-- block ID -->`` and ``<span data-dast=...>`` and read
  back; a record without id, or an id holding ``--`` or ``>``, is replaced);
* no paragraph or heading ``style``, no blockquote ``attribution``, no code
  ``highlight``;
* code ``language`` absent or a non-empty string without whitespace (an info
  string's first word is the language); code without ``\\r`` (markdown reads
  it as a line break);
* link ``meta`` absent or one non-empty ``title`` entry (markdown links
  have a title and nothing else);
* link URLs made of URL-safe ASCII (markdown readers percent-encode spaces,
  non-ASCII and ``"<>[]\\^`{|}``);
* empty paragraphs only where markdown can write one: the empty document,
  or alone in a list item or a quote;
* text: any string over ``TEXT`` (every ASCII punctuation character, runs of
  delimiters, leading / trailing / repeated spaces and tabs, NBSP and other
  Unicode spaces, ``\\r``, ``\\n``, combining marks, characters outside the
  BMP, control characters, entity look-alikes, plus arbitrary Unicode)
  EXCEPT U+0000 (CommonMark replaces it with U+FFFD) and the few whitespace
  characters whose numeric character reference does not decode back to
  them (U+000B, U+001C..U+001F, U+0085), since whitespace at the start or end
  of a line is written as a reference.

Everything else in such a document is written so that it reads back exactly.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from dast.canonical import canonicalize
from dast.convert.from_markdown import from_markdown
from dast.convert.to_markdown import to_markdown
from dast.nodes import (
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    ItemLink,
    Link,
    List,
    ListItem,
    MetaEntry,
    Paragraph,
    Root,
    Span,
    ThematicBreak,
)
from tests.strategies import DEFAULT_MARK_NAMES, documents

EXCLUDED = "\x00\x0b\x1c\x1d\x1e\x1f\x85"
_PIECES = [
    *"abcZ09 _*`~=+-#>[]()<>!&;|\\.:\"'{}$%^@/,?",
    *("\t", "\xa0", "\u2003", "\u3000", "\u2028", "\x0c", "\r", "\n", "\x01", "\x7f"),
    *("é", "e\u0301", "🙂", "𝄞", "Σ"),
    *("1.", "1)", "***", "___", "~~~", "```", "==", "++", "--", "<u>", "</em>", "<br>"),
    *("&amp;", "&#32;", "&#", "&copy", "[^1]", "![", "](", "http://x.y", "  ", "    ", "\\\n"),
]
TEXT = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=8).map("".join),
    st.text(st.characters(blacklist_characters=EXCLUDED, blacklist_categories=["Cs"]), max_size=6),
)
_PLACEHOLDER_ID = re.compile(r"(?!new\Z)[A-Za-z0-9_]+\Z")
SAFE_URL = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&()*+,;=%]*\Z")


def _inlines(children: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for child in children:
        if isinstance(child, InlineItem | InlineBlock):
            if not isinstance(child.item, str) or not _PLACEHOLDER_ID.match(child.item):
                child = child.model_copy(update={"item": "rec1"})
            out.append(child)
        elif isinstance(child, Link | ItemLink):
            meta = None
            if child.meta and child.meta[0].value:
                meta = (MetaEntry(id="title", value=child.meta[0].value),)
            update: dict[str, Any] = {"meta": meta}
            if isinstance(child, Link) and (
                not SAFE_URL.match(child.url) or re.search(r"&[^\s&;]*;", child.url)
            ):
                update["url"] = "https://example.com/page"
            out.append(child.model_copy(update=update))
        else:
            out.append(child)
    return tuple(out)


def _is_empty(node: Paragraph) -> bool:
    return all(isinstance(c, Span) and c.value == "" for c in node.children)


def _block(node: Any, empty_ok: bool = False) -> Any:
    """One block made expressible (iterative enough: documents() nests five levels)."""
    if isinstance(node, Paragraph):
        node = node.model_copy(update={"style": None, "children": _inlines(node.children)})
        node = canonicalize(Document(document=Root(children=(node,)))).document.children[0]
        if _is_empty(node) and not empty_ok:
            node = node.model_copy(update={"children": (Span(value="empty"),)})
        return node
    if isinstance(node, Heading):
        return node.model_copy(update={"style": None, "children": _inlines(node.children)})
    if isinstance(node, Code):
        language = node.language
        if language is not None and (language == "" or re.search(r"\s", language)):
            language = None
        return node.model_copy(
            update={"highlight": None, "language": language, "code": node.code.replace("\r", "")}
        )
    if isinstance(node, Blockquote):
        alone = len(node.children) == 1
        children = tuple(_block(c, alone) for c in node.children)
        return node.model_copy(update={"attribution": None, "children": children})
    if isinstance(node, List):
        return node.model_copy(update={"children": tuple(_block(c) for c in node.children)})
    if isinstance(node, ListItem):
        alone = len(node.children) == 1
        return node.model_copy(update={"children": tuple(_block(c, alone) for c in node.children)})
    return node


def markdown_expressible(doc: Document) -> Document:
    """Restrict a generated document to what markdown can express (see the module doc)."""
    children = [
        c if not isinstance(c, Block) or (isinstance(c.item, str) and _PLACEHOLDER_ID.match(c.item))
        else c.model_copy(update={"item": "rec1"})
        for c in doc.document.children
    ]  # fmt: skip
    if not children:
        children = [ThematicBreak()]
    alone = len(children) == 1
    return canonicalize(Document(document=Root(children=tuple(_block(c, alone) for c in children))))


def _doc(*children: Any) -> Document:
    return Document(document=Root(children=children))


@given(
    documents(
        text=TEXT, items=st.just("rec1"), marks=st.sampled_from(DEFAULT_MARK_NAMES), max_leaves=20
    ).map(markdown_expressible)
)
@example(_doc(Paragraph(children=(Span(value=""),))))
@example(_doc(Paragraph(children=(Span(value="\n"),))))
@example(
    _doc(
        List(
            style="bulleted",
            children=(
                ListItem(
                    children=(
                        List(
                            style="bulleted",
                            children=(ListItem(children=(Paragraph(children=(Span(value=""),)),)),),
                        ),
                    )
                ),
            ),
        ),
    )
)
@example(_doc(Heading(level=1, children=(Link(url="u", children=(Span(value="\na"),)),))))
@example(_doc(Paragraph(children=(Link(url="u", children=(Span(value="^a"),)),))))
@example(_doc(Paragraph(children=(Span(value="&#32;"), Span(value="x", marks=("strong",))))))
@example(_doc(Code(code="", language="~`")))
@example(  # "[`]:`](u)" reads as a link reference definition
    _doc(Paragraph(children=(Link(url="u", children=(Span(value="]:", marks=("code",)),)),)))
)
def test_markdown_round_trip(doc: Document) -> None:
    """Writing markdown and reading it back gives the canonical document, losslessly."""
    text, report = to_markdown(doc)
    assert not [e for e in report if e.action != "written as a placeholder"], str(report)
    back, back_report = from_markdown(text)
    assert not back_report, f"{back_report}\n{text!r}"
    assert back == canonicalize(doc), text
