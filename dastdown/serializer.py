"""Write a DAST document as dastdown text.

The output is byte for byte what the reference implementation writes,
except where the reference would lose information; there this serializer
adds escapes (a backslash before ASCII punctuation or a space, nothing
else) or writes the empty values it drops, so that
``parse(serialize(d)) == canonicalize(d)`` for every valid document.

Escaping rules (the full contract with the parser is in
:mod:`dastdown.syntax`):

* span text, everywhere and inside every mark: ``\\ * _ ` ~ = + [ ] ( ) { }
  < > #`` get a backslash, a newline is written ``<br/>``, every other
  character (tabs, ``\\r``, U+2028, astral characters...) as is;
* at the start of a paragraph's line: a leading ``-`` followed by a space
  or a tab, or starting ``---``, becomes ``\\-``; the dot of a leading
  ``N.`` followed by a space, a tab or nothing becomes ``\\.``; a
  paragraph made only of spaces, and one starting with a space right after
  a list, get their first space escaped (``\\ ``);
* link URL: backslash, parentheses and spaces escaped; a URL starting
  ``dato:item/`` with more after it is written ``dato\\:item/...``; an item
  link id: backslash and ``)`` escaped, plus a leading ``"``; the empty id
  is ``""``; in both a newline is ``<br/>`` and a literal ``<br/>`` has its
  ``<`` escaped;
* quoted strings (ids, custom mark keys, trailer values): ``\\"``, ``\\\\``,
  ``\\n``, ``\\r``, ``\\t``.

Structural choices where the reference loses data: an empty paragraph is
written ``{}`` (or its style trailer alone), an empty heading ``# ``, an
empty link label ``[]``; empty ``style`` / ``attribution`` / ``highlight``
/ ``meta`` are written (``{style=""}``, ``{highlight=[]}``, ``{}``); a
code language that cannot stand bare after the fence goes in the trailer
as ``language="..."``; two adjacent lists of the same style are separated
by two blank lines.

>>> serialize({"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "heading", "level": 2, "children": [{"type": "span", "value": "Hi"}]},
...     {"type": "paragraph", "children": [
...         {"type": "span", "value": "a*b ", "marks": ["strong"]},
...         {"type": "link", "url": "https://x.y", "children": [
...             {"type": "span", "value": "link"}]}]}]}})
'## Hi\\n\\n**a\\\\*b **[link](https://x.y)\\n'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dast.canonical import canonical_marks
from dast.errors import DastError, Path, format_path
from dast.load import load_document
from dast.nodes import (
    Block,
    Blockquote,
    Code,
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

from .syntax import (
    ATTRIBUTION_KEY,
    BLOCK_TAG,
    CUSTOM_MARK_CLOSE,
    CUSTOM_MARK_OPEN,
    DEFAULT_MARKS,
    EMPTY_ITEM_ID,
    EMPTY_PARAGRAPH,
    HIGHLIGHT_KEY,
    INDENT,
    INLINE_BLOCK_TAG,
    INLINE_ITEM_TAG,
    ITEM_LINK_PREFIX,
    LANGUAGE_KEY,
    LINE_BREAK,
    MARK_DELIMITERS,
    MIN_FENCE,
    STYLE_KEY,
    TEXT_ESCAPED,
    THEMATIC_BREAK,
    TRAILER_KEY_RE,
    quote,
)

__all__ = ["DastdownSerializeError", "serialize"]


class DastdownSerializeError(DastError, ValueError):
    """A valid document that dastdown cannot express (``path`` says where).

    >>> str(DastdownSerializeError(("children", 0, "item"), "no id"))
    'children[0].item: no id'
    """

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(f"{format_path(path)}: {message}")


# --- inline text -------------------------------------------------------------

_TEXT_SPECIAL = re.compile("[" + re.escape(TEXT_ESCAPED) + "\n]")
_TEXT_ESCAPED_BUT_BACKSLASH = TEXT_ESCAPED.replace("\\", "")

_URL_TABLE = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)", " ": "\\ "})
_URL_SPECIAL = re.compile(r"[\\() \n]|<br/>")
_ID_TABLE = str.maketrans({"\\": "\\\\", ")": "\\)"})
_ID_SPECIAL = re.compile(r"[\\)\n]|<br/>")

# A paragraph line starting like a list item or a thematic break.
_LINE_START = re.compile(r"-(?:[ \t]|--)|(\d+)\.(?:[ \t]|$)")


def _escape_text(value: str) -> str:
    r"""Escape span text (no line-start rules).

    >>> print(_escape_text("a*b\\c\n"))
    a\*b\\c<br/>
    """
    if _TEXT_SPECIAL.search(value) is None:
        return value
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    for char in _TEXT_ESCAPED_BUT_BACKSLASH:
        if char in value:
            value = value.replace(char, "\\" + char)
    if "\n" in value:
        value = value.replace("\n", LINE_BREAK)
    return value


# Raw marks tuple -> (canonical marks or None, opening text, closing text).
_MARKS: dict[tuple[str, ...], tuple[tuple[str, ...] | None, str, str]] = {}


def _mark_info(marks: tuple[str, ...]) -> tuple[tuple[str, ...] | None, str, str]:
    """Canonical marks of a span and the text around it (memoised).

    >>> _mark_info(("emphasis", "zeta", "strong"))
    (('strong', 'emphasis', 'zeta'), '***<m k="zeta">', '</m>***')
    """
    found = _MARKS.get(marks)
    if found is not None:
        return found
    canonical = canonical_marks(marks)
    opening: list[str] = []
    closing: list[str] = []
    for mark in canonical or ():
        if mark in DEFAULT_MARKS:
            opening.append(MARK_DELIMITERS[mark])
            closing.append(MARK_DELIMITERS[mark])
        else:
            opening.append(CUSTOM_MARK_OPEN.format(key=quote(mark)))
            closing.append(CUSTOM_MARK_CLOSE)
    result = (canonical, "".join(opening), "".join(reversed(closing)))
    if len(_MARKS) < 4096:
        _MARKS[marks] = result
    return result


def _escape_destination(value: str, table: dict[int, str]) -> str:
    """Escape a link URL or item id, newlines and literal ``<br/>`` included."""
    parts = [
        part.translate(table).replace(LINE_BREAK, "\\" + LINE_BREAK) for part in value.split("\n")
    ]
    return LINE_BREAK.join(parts)


def _url(url: str) -> str:
    r"""The destination text of a link.

    >>> print(_url("a b(c)"), _url("dato:item/42"), _url("dato:item/"))
    a\ b\(c\) dato\:item/42 dato:item/
    """
    text = _escape_destination(url, _URL_TABLE) if _URL_SPECIAL.search(url) else url
    if url.startswith(ITEM_LINK_PREFIX) and len(url) > len(ITEM_LINK_PREFIX):
        text = "dato\\:" + text[5:]
    return text


def _item_id(item: str) -> str:
    r"""The destination text of an item link, after the ``dato:item/`` prefix.

    >>> print(_item_id("a b)"), _item_id(""), _item_id('"q'))
    a b\) "" \"q
    """
    if not item:
        return EMPTY_ITEM_ID
    text = _escape_destination(item, _ID_TABLE) if _ID_SPECIAL.search(item) else item
    if text.startswith('"'):
        text = "\\" + text
    return text


def _trailer(entries: Sequence[tuple[str, str]]) -> str:
    """``{key="value" ...}`` with bare keys where they are identifiers.

    >>> print(_trailer([("rel", '"x"'), ("a b", '""')]))
    {rel="x" "a b"=""}
    """
    parts = [
        (key if TRAILER_KEY_RE.fullmatch(key) else quote(key)) + "=" + value
        for key, value in entries
    ]
    return "{" + " ".join(parts) + "}"


def _meta(meta: tuple[MetaEntry, ...]) -> str:
    return _trailer([(entry.id, quote(entry.value)) for entry in meta])


class _MissingId(Exception):
    """Internal: a block record without an id (its path is found later)."""

    def __init__(self, node: Any) -> None:
        self.node = node


def _record_id(item: Any, node: Any) -> str:
    """The id of a block's ``item``: the string itself or the record's ``id``."""
    if type(item) is str:
        return item
    record_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(record_id, str):
        return record_id
    raise _MissingId(node)


_NO_RUN: Any = object()


def _inlines(children: Sequence[Any]) -> str:
    """The text of inline nodes, written as if canonical, without line-start rules.

    Empty spans are skipped and adjacent spans with the same set of marks
    share one pair of delimiters: exactly what writing the canonical form
    gives, without building it.

    >>> print(_inlines((Span(value="a", marks=("strong",)), Span(value=""),
    ...                 Span(value="b", marks=("strong", "strong")))))
    **ab**
    """
    out: list[str] = []
    append = out.append
    search = _TEXT_SPECIAL.search
    current: Any = _NO_RUN  # canonical marks of the open run of spans
    closing = ""
    for child in children:
        kind = type(child)
        if kind is Span:
            value = child.value
            if not value:
                continue
            if search(value) is not None:
                value = _escape_text(value)
            marks = child.marks
            if marks:
                canonical, opening, run_closing = _MARKS.get(marks) or _mark_info(marks)
            else:
                canonical, opening, run_closing = None, "", ""
            if canonical != current:
                append(closing)
                append(opening)
                closing = run_closing
                current = canonical
            append(value)
            continue
        if current is not _NO_RUN:
            append(closing)
            closing = ""
            current = _NO_RUN
        if kind is Link:
            append("[")
            append(_inlines(child.children))
            append("](")
            append(_url(child.url))
            append(")")
            if child.meta is not None:
                append(_meta(child.meta))
        elif kind is ItemLink:
            append("[")
            append(_inlines(child.children))
            append("](" + ITEM_LINK_PREFIX)
            append(_item_id(child.item))
            append(")")
            if child.meta is not None:
                append(_meta(child.meta))
        elif kind is InlineItem:
            append(INLINE_ITEM_TAG.format(id=quote(child.item)))
        else:
            append(INLINE_BLOCK_TAG.format(id=quote(_record_id(child.item, child))))
    append(closing)
    return "".join(out)


def _line_text(text: str, after_list: bool) -> str:
    r"""A paragraph's text with the line-start escapes applied.

    Only an unmarked span can put a space, a ``-`` or a digit first (marks,
    links and tags start with punctuation), so the text alone decides.

    >>> print(_line_text("- a", False), _line_text("12. a", False), _line_text(" a", True))
    \- a 12\. a \ a
    """
    head = text[:1]
    if head == " ":
        if after_list or not text.strip(" "):
            return "\\" + text
    elif head == "-" or "0" <= head <= "9":
        match = _LINE_START.match(text)
        if match is not None:
            digits = match.group(1)
            if digits is None:
                return "\\" + text
            return digits + "\\" + text[len(digits) :]
    return text


# --- blocks ------------------------------------------------------------------


def _paragraph(
    node: Paragraph, out: list[str], indent: str, first: str | None, after_list: bool
) -> None:
    """Append a paragraph's lines; ``first`` replaces ``indent`` on its first line."""
    text = _inlines(node.children)
    lead = indent if first is None else first
    if not text:  # the canonical form is one empty span
        if node.style is None:
            out.append(lead + EMPTY_PARAGRAPH)
        else:
            out.append(lead + _trailer([(STYLE_KEY, quote(node.style))]))
        return
    out.append(lead + _line_text(text, after_list))
    if node.style is not None:
        out.append(indent + _trailer([(STYLE_KEY, quote(node.style))]))


def _heading(node: Heading) -> str:
    text = _inlines(node.children)
    line = "#" * node.level + " " + text
    if node.style is not None:
        line += " " + _trailer([(STYLE_KEY, quote(node.style))])
    return line


_BACKTICKS = re.compile(r"`+")


def _bare_language(language: str) -> bool:
    """Can this language follow the opening fence as is?"""
    return (
        language != ""
        and language[0] not in " \t"
        and language[-1] not in " \t"
        and "`" not in language
        and "{" not in language
        and "\n" not in language
    )


def _code(node: Code, out: list[str]) -> None:
    code = node.code
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(MIN_FENCE, longest + 1)
    language = node.language
    entries: list[tuple[str, str]] = []
    head = fence
    if language is not None:
        if _bare_language(language):
            head += language
        else:
            entries.append((LANGUAGE_KEY, quote(language)))
    if node.highlight is not None:
        entries.append((HIGHLIGHT_KEY, "[" + ",".join(map(str, node.highlight)) + "]"))
    if entries:
        head += (" " if head != fence else "") + _trailer(entries)
    out.append(head)
    if code:
        out.append(code)
    out.append(fence)


def _blockquote(node: Blockquote, out: list[str]) -> None:
    for index, paragraph in enumerate(node.children):
        if index:
            out.append(">")
        _paragraph(paragraph, out, "> ", None, False)
    if node.attribution is not None:
        out.append(_trailer([(ATTRIBUTION_KEY, quote(node.attribution))]))


def _separator(previous: Any, current: Any) -> str | None:
    """Extra blank line between two adjacent lists of the same style."""
    if type(previous) is List and type(current) is List and previous.style == current.style:
        return ""
    return None


def _list(node: List, out: list[str], indent: str, first: str | None) -> None:
    """Append a list's lines, nested lists included, without recursion."""
    # Each frame: [list, its indent, pending first-line prefix, item index, child index]
    stack: list[list[Any]] = [[node, indent, first, 0, 0]]
    while stack:
        frame = stack[-1]
        lst, lst_indent, pending, item_index, child_index = frame
        items = lst.children
        if item_index >= len(items):
            stack.pop()
            continue
        item: ListItem = items[item_index]
        children = item.children
        if child_index == 0:
            if item_index and any(len(i.children) > 1 for i in items):
                out.append("")
            marker = "- " if lst.style == "bulleted" else f"{item_index + 1}. "
            lead: str | None = (pending if item_index == 0 and pending is not None else lst_indent) + marker
        else:
            lead = None
            out.append("")
            if _separator(children[child_index - 1], children[child_index]) is not None:
                out.append("")
        child = children[child_index]
        if child_index + 1 < len(children):
            frame[4] = child_index + 1
        else:
            frame[3] = item_index + 1
            frame[4] = 0
        content_indent = lst_indent + INDENT
        if type(child) is Paragraph:
            after_list = child_index > 0 and type(children[child_index - 1]) is List
            _paragraph(child, out, content_indent, lead, after_list)
        else:
            stack.append([child, content_indent, lead, 0, 0])


def _root(root: Root) -> str:
    children = root.children
    if len(children) == 1:
        only = children[0]
        if type(only) is Paragraph and only.style is None and not _inlines(only.children):
            return ""
    out: list[str] = []
    previous: Any = None
    for node in children:
        kind = type(node)
        if previous is not None:
            out.append("")
            if _separator(previous, node) is not None:
                out.append("")
        if kind is Paragraph:
            _paragraph(node, out, "", None, type(previous) is List)
        elif kind is Heading:
            out.append(_heading(node))
        elif kind is List:
            _list(node, out, "", None)
        elif kind is Code:
            _code(node, out)
        elif kind is Blockquote:
            _blockquote(node, out)
        elif kind is Block:
            out.append(BLOCK_TAG.format(id=quote(_record_id(node.item, node))))
        else:
            assert kind is ThematicBreak
            out.append(THEMATIC_BREAK)
        previous = node
    out.append("")
    return "\n".join(out)


def _path_to(root: Root, target: Any) -> Path:
    """The path of ``target`` in ``root`` (for error messages), found by identity."""
    stack: list[tuple[Any, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        for index, child in enumerate(getattr(node, "children", ())):
            stack.append((child, (*path, "children", index)))
    return ()


def serialize(doc: Any) -> str:
    """Write a document as dastdown text (``None`` gives ``""``).

    Accepts a ``Document``, DAST JSON or the CDA wrapper; block items may be
    id strings or record objects (their ``id`` is written). Invalid input
    raises ``DastValidationError``; a block record without an id raises
    ``DastdownSerializeError``.

    >>> serialize(None)
    ''
    >>> serialize({"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "block", "item": {"id": "b1", "type": "item"}}]}})
    '<block id="b1"/>\\n'
    """
    document = load_document(doc)
    if document is None:
        return ""
    root = document.document
    try:
        return _root(root)
    except _MissingId as missing:
        path = (*_path_to(root, missing.node), "item")
        raise DastdownSerializeError(
            path, "a block record without an id cannot be written as dastdown"
        ) from None


