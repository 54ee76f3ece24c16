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
* at the start of a paragraph's line, only where the line would otherwise
  read as something else (as the reference writes, which escapes nothing
  there): a leading ``- `` (a list marker) and a line that is exactly
  ``---`` (a thematic break) get ``\\-``; the dot of a leading ``N. `` gets
  ``\\.``; a paragraph made only of spaces (a blank line) gets its first
  space escaped (``\\ ``), except right after a list item's marker; so
  does one starting with two spaces right after a list (it would be read
  as indented into the list);
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

A ``Document`` is written in one iterative pass (5,000 nested lists are
fine). DAST JSON is checked against the schema and written in the same
single pass; anything that pass does not accept goes through
:func:`dast.load.load_document` instead, which reports every problem (or
yields a ``Document`` to write).

>>> serialize({"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "heading", "level": 2, "children": [{"type": "span", "value": "Hi"}]},
...     {"type": "paragraph", "children": [
...         {"type": "span", "value": "a*b ", "marks": ["strong"]},
...         {"type": "link", "url": "https://x.y", "children": [
...             {"type": "span", "value": "link"}]}]}]}})
'## Hi\\n\\n**a\\\\*b **[link](https://x.y)\\n'
"""

from __future__ import annotations

import gc
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, final

from dast.canonical import canonical_marks
from dast.definitions import (
    ALLOWED_ATTRIBUTES,
    CHILD_ATTRIBUTES,
    HEADING_LEVELS,
    LIST_STYLES,
    SCHEMA,
)
from dast.errors import Path
from dast.load import load_document, unwrap_document
from dast.nodes import Document, MetaEntry, Root
from dast.validate import ensure_writable
from dast.walk import find_first_node

from .errors import DastdownSerializeError
from .syntax import (
    ATTRIBUTION_KEY,
    BLOCK_TAG,
    BLOCKQUOTE_PREFIX,
    BLOCKQUOTE_SEPARATOR,
    BULLET_MARKER,
    CUSTOM_MARK_CLOSE,
    CUSTOM_MARK_OPEN,
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
    NUMBERED_MARKER,
    STYLE_KEY,
    TEXT_ESCAPED,
    THEMATIC_BREAK,
    TRAILER_KEY_RE,
    line_ending,
    quote,
)

__all__ = ["DastdownSerializeError", "serialize"]


class _Invalid(Exception):
    """Internal: the JSON fast path met something it does not accept."""


class _MissingId(Exception):
    """Internal: a block record without an id (its path is found later)."""

    def __init__(self, node: Any) -> None:
        self.node = node


# One walker serves both inputs. For a ``Document`` it reads each node's
# ``__dict__`` (valid by construction); for DAST JSON (``strict``) it reads the
# dicts themselves and checks every rule the model enforces on the way, so a
# dict is validated and written in one pass. Anything the fast path does not
# accept sends the input through ``load_document`` instead, which either
# reports the problems or yields a Document to write.

# What each parent accepts, read from the schema table: child type -> the
# keys that child may have (``type`` included).
_CHILD_KEYS: Final[dict[str, dict[str, frozenset[str]]]] = {
    parent: dict(kinds) for parent, kinds in CHILD_ATTRIBUTES.items()
}  # (plain dicts: a compiled build reads them without a method call)
_META_SIZE: Final = len(MetaEntry.model_fields)  # "id" and "value"
_DOCUMENT_KEYS: Final = frozenset(
    field.alias or name for name, field in Document.model_fields.items()
)
_ROOT_KEYS: Final = ALLOWED_ATTRIBUTES["root"]


def _fields(node: Any, strict: bool, parent: str) -> dict[str, Any]:
    """The attributes of a block-level child of a ``parent`` node, checked in strict mode."""
    if not strict:
        return node.__dict__  # type: ignore[no-any-return]
    if type(node) is not dict:
        raise _Invalid
    keys = _CHILD_KEYS[parent].get(node.get("type"))  # type: ignore[arg-type]
    if keys is None or not keys.issuperset(node):
        raise _Invalid
    return node


def _children(fields: dict[str, Any], strict: bool) -> Sequence[Any]:
    """A node's children (a non-empty list in strict mode)."""
    children: Sequence[Any] = fields["children"]
    if strict and ((type(children) is not list and type(children) is not tuple) or not children):
        raise _Invalid
    return children


def _json_list(children: Any) -> list[Any]:
    """The children of a DAST JSON node as a list: they must be a non-empty list or tuple."""
    if type(children) is not list:
        if type(children) is not tuple:
            raise _Invalid
        children = list(children)
    if not children:
        raise _Invalid
    return children  # type: ignore[no-any-return]


def _optional_str(value: Any, strict: bool) -> str | None:
    if strict and value is not None and type(value) is not str:
        raise _Invalid
    return value  # type: ignore[no-any-return]


def _required_str(value: Any, strict: bool) -> str:
    if strict and type(value) is not str:
        raise _Invalid
    return value  # type: ignore[no-any-return]


# --- inline text -------------------------------------------------------------

_TEXT_SPECIAL: Final = re.compile("[" + re.escape(TEXT_ESCAPED) + "\n]")
_search_special: Final = _TEXT_SPECIAL.search
# Each character to escape but the backslash (escaped first), and its escape.
_ESCAPED_BUT_BACKSLASH: Final = tuple(
    (char, "\\" + char) for char in TEXT_ESCAPED if char != "\\"
)

_URL_TABLE: Final = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)", " ": "\\ "})
_URL_SPECIAL: Final = re.compile(r"[\\() \n]|<br/>")
_ID_TABLE: Final = str.maketrans({"\\": "\\\\", ")": "\\)"})
_ID_SPECIAL: Final = re.compile(r"[\\)\n]|<br/>")

# A paragraph line the lexer would read as a list item or a thematic break
# (``BULLET``, ``ORDINAL`` and ``RULE`` in dastdown.lark; ``---`` takes the whole line).
_LINE_START: Final = re.compile(r"-(?: |--\Z)|([0-9]+)\. ")
_LINE_START_CHARS: Final = frozenset(" -0123456789")


def _escape_text(value: str) -> str:
    r"""Escape span text (no line-start rules).

    >>> print(_escape_text("a*b\\c\n"))
    a\*b\\c<br/>
    """
    if _TEXT_SPECIAL.search(value) is None:
        return value
    return _escape_found(value)


def _escape_found(value: str) -> str:
    """Escape span text known to hold a character to escape."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    for char, escaped in _ESCAPED_BUT_BACKSLASH:
        if char in value:
            value = value.replace(char, escaped)
    if "\n" in value:
        value = value.replace("\n", LINE_BREAK)
    return value


@final
class _Run:
    """The marks of a run of spans: canonical marks (``None``: unmarked) and the text around it.

    Runs are memoised per marks tuple; two runs with equal ``canonical`` write the same.
    """

    def __init__(self, canonical: tuple[str, ...] | None, opening: str, closing: str) -> None:
        self.canonical = canonical
        self.opening = opening
        self.closing = closing


_PLAIN: Final = _Run(None, "", "")
"""The run of unmarked spans (also the state where no run is open)."""

# Marks tuple as found -> its run; a single mark -> its run (most marked spans have one).
_RUNS: Final[dict[tuple[str, ...], _Run]] = {}
_RUNS_OF_ONE: Final[dict[str, _Run]] = {}


def _run_of(marks: tuple[Any, ...]) -> _Run:
    """The run of a span's marks: canonical marks and the text around them (memoised).

    >>> run = _run_of(("emphasis", "zeta", "strong"))
    >>> run.canonical, run.opening, run.closing
    (('strong', 'emphasis', 'zeta'), '***<m k="zeta">', '</m>***')
    """
    found = _RUNS.get(marks)
    if found is not None:
        return found
    for mark in marks:
        if type(mark) is not str:
            raise _Invalid
    canonical = canonical_marks(marks)
    opening: list[str] = []
    closing: list[str] = []
    for mark in canonical or ():
        delimiter = MARK_DELIMITERS.get(mark)
        if delimiter is not None:  # a default mark
            opening.append(delimiter)
            closing.append(delimiter)
        else:
            opening.append(CUSTOM_MARK_OPEN.format(key=quote(mark)))
            closing.append(CUSTOM_MARK_CLOSE)
    run = _PLAIN if canonical is None else _Run(canonical, "".join(opening), "".join(closing[::-1]))
    if len(_RUNS) < 4096:
        _RUNS[marks] = run
        if len(marks) == 1:
            _RUNS_OF_ONE[marks[0]] = run
    return run


def _around(template: str, field: str) -> tuple[str, str]:
    """The text before and after ``{field}`` in a template of :mod:`dastdown.syntax`.

    >>> _around("<block id={id}/>", "id")
    ('<block id=', '/>')
    """
    head, _, tail = template.partition("{" + field + "}")
    return head, tail


_BLOCK_HEAD: Final = _around(BLOCK_TAG, "id")[0]
_BLOCK_TAIL: Final = _around(BLOCK_TAG, "id")[1]
_INLINE_ITEM_HEAD: Final = _around(INLINE_ITEM_TAG, "id")[0]
_INLINE_ITEM_TAIL: Final = _around(INLINE_ITEM_TAG, "id")[1]
_INLINE_BLOCK_HEAD: Final = _around(INLINE_BLOCK_TAG, "id")[0]
_INLINE_BLOCK_TAIL: Final = _around(INLINE_BLOCK_TAG, "id")[1]
_NUMBER_HEAD: Final = _around(NUMBERED_MARKER, "n")[0]
_NUMBER_TAIL: Final = _around(NUMBERED_MARKER, "n")[1]

# The characters quote() writes otherwise, read from quote() itself (its escapes are ASCII).
_QUOTE_SPECIAL: Final = re.compile(
    "[" + re.escape("".join(c for c in map(chr, range(256)) if quote(c) != f'"{c}"')) + "]"
)
_search_quoted: Final = _QUOTE_SPECIAL.search


def _quote(value: str) -> str:
    """:func:`dastdown.syntax.quote`, without its work for strings it writes as they are.

    >>> print(_quote("b1"), _quote('a"b'))
    "b1" "a\\"b"
    """
    if _search_quoted(value) is None:
        return f'"{value}"'
    return quote(value)


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
    """``{key=value ...}`` with bare keys where they are identifiers.

    >>> print(_trailer([("rel", '"x"'), ("a b", '""')]))
    {rel="x" "a b"=""}
    """
    parts = [(_KEYS.get(key) or _trailer_key(key)) + "=" + value for key, value in entries]
    return "{" + " ".join(parts) + "}"


# Trailer key as found -> as written (memoised: link meta repeats a few keys).
_KEYS: Final[dict[str, str]] = {}


def _trailer_key(key: str) -> str:
    """A trailer key, bare if it is an identifier, else quoted (memoised)."""
    written = key if TRAILER_KEY_RE.fullmatch(key) else quote(key)
    if len(_KEYS) < 4096:
        _KEYS[key] = written
    return written


def _meta(meta: Any, strict: bool) -> str:
    """A link's meta trailer (checked in strict mode)."""
    if not strict:
        return _model_meta(meta)
    if type(meta) is not list and type(meta) is not tuple:
        raise _Invalid
    parts: list[str] = []
    for entry in meta:
        if type(entry) is not dict or len(entry) != _META_SIZE:
            raise _Invalid
        key = entry.get("id")  # with "value", the only keys of a MetaEntry
        value = entry.get("value")
        if type(key) is not str or type(value) is not str:
            raise _Invalid
        parts.append((_KEYS.get(key) or _trailer_key(key)) + "=" + _quote(value))
    return "{" + " ".join(parts) + "}"


def _model_meta(meta: Sequence[MetaEntry]) -> str:
    """The meta trailer of a link or item link of a ``Document``."""
    parts: list[str] = []
    for entry in meta:
        fields: dict[str, Any] = entry.__dict__
        key: str = fields["id"]
        parts.append((_KEYS.get(key) or _trailer_key(key)) + "=" + _quote(fields["value"]))
    return "{" + " ".join(parts) + "}"


def _record_id(item: Any, node: Any) -> str:
    """The id of a block's ``item``: the string itself or the record's ``id``."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        raise _Invalid
    record_id = item.get("id")
    if isinstance(record_id, str):
        return record_id
    raise _MissingId(node)


_NO_MARKS: Final[Any] = object()


def _inlines(children: Any, strict: bool, parent: str) -> str:
    """The text of inline nodes, written as if canonical, without line-start rules.

    Empty spans are skipped and adjacent spans with the same set of marks
    share one pair of delimiters: exactly what writing the canonical form
    gives, without building it.

    ``parent`` is the type of the node holding them (a paragraph, heading or
    link label), for the checks of strict mode. Nodes of a ``Document``
    (valid by construction) take :func:`_write_model_inlines`, the same
    writing without the checks.

    >>> print(_inlines([{"type": "span", "value": "a", "marks": ["strong"]},
    ...                 {"type": "span", "value": ""},
    ...                 {"type": "span", "value": "b", "marks": ["strong", "strong"]}],
    ...                True, "paragraph"))
    **ab**
    """
    out: list[str] = []
    if strict:
        _write_inlines(children, parent, out)
    else:
        _write_model_inlines(children, out)
    return "".join(out)


def _model_inlines(children: Sequence[Any]) -> str:
    """:func:`_inlines` for the nodes of a ``Document``."""
    out: list[str] = []
    _write_model_inlines(children, out)
    return "".join(out)


# The writers below append the pieces of the text to ``out`` (the whole
# document's list of pieces), never an empty piece: a paragraph's text is
# empty exactly when nothing was appended, and starts with its first piece.


def _write_inlines(children: Any, parent: str, out: list[str]) -> None:
    """Check and write the inline nodes of DAST JSON (see :func:`_inlines`)."""
    nodes: list[Any] = children if type(children) is list and children else _json_list(children)
    allowed = _CHILD_KEYS[parent]
    current = _PLAIN  # the open run of spans
    for child in nodes:
        if type(child) is not dict:
            raise _Invalid
        kind: str = child["type"]  # (a compiled build raises TypeError if not a str)
        if kind == "span":  # allowed in every inline parent; its keys checked by count
            value: str = child["value"]
            if type(value) is not str:
                raise _Invalid
            size = len(child)
            if size == 2:  # "type" and "value"
                run = _PLAIN
            else:
                marks = child.get("marks", _NO_MARKS)
                if size != 3 or marks is _NO_MARKS:
                    raise _Invalid
                if type(marks) is list or type(marks) is tuple:
                    count = len(marks)
                    if count == 1:
                        mark = marks[0]
                        if type(mark) is not str:
                            raise _Invalid
                        run = _RUNS_OF_ONE.get(mark) or _run_of((mark,))
                    elif count:
                        key = tuple(marks)
                        run = _RUNS.get(key) or _run_of(key)
                    else:
                        run = _PLAIN
                elif marks is None:
                    run = _PLAIN
                else:
                    raise _Invalid
            if not value:
                continue
            if run is not current and run.canonical != current.canonical:
                if current.closing:
                    out.append(current.closing)
                if run.opening:
                    out.append(run.opening)
                current = run
            out.append(value if _search_special(value) is None else _escape_found(value))
            continue
        keys = allowed.get(kind)
        if keys is None or not keys.issuperset(child):
            raise _Invalid
        if current.closing:
            out.append(current.closing)
        current = _PLAIN
        if kind == "link" or kind == "itemLink":
            out.append("[")
            _write_inlines(child["children"], kind, out)
            if kind == "link":
                out.append("](" + _url(_required_str(child["url"], True)))
            else:
                out.append("](" + ITEM_LINK_PREFIX)
                out.append(_item_id(_required_str(child["item"], True)))
            meta = child.get("meta")
            out.append(")" if meta is None else ")" + _meta(meta, True))
        elif kind == "inlineItem":
            out.append(_INLINE_ITEM_HEAD)
            out.append(_quote(_required_str(child["item"], True)))
            out.append(_INLINE_ITEM_TAIL)
        else:
            out.append(_INLINE_BLOCK_HEAD)
            out.append(_quote(_record_id(child["item"], child)))
            out.append(_INLINE_BLOCK_TAIL)
    if current.closing:
        out.append(current.closing)


def _write_model_inlines(children: Sequence[Any], out: list[str]) -> None:
    """Write the inline nodes of a ``Document``: :func:`_write_inlines` without the checks."""
    nodes = children if type(children) is tuple else tuple(children)
    current = _PLAIN  # the open run of spans
    for child in nodes:
        fields: dict[str, Any] = child.__dict__
        kind: str = fields["type"]
        if kind == "span":
            value: str = fields["value"]
            if not value:
                continue
            marks: tuple[str, ...] | None = fields["marks"]
            if not marks:
                run = _PLAIN
            elif len(marks) == 1:
                run = _RUNS_OF_ONE.get(marks[0]) or _run_of(marks)
            else:
                run = _RUNS.get(marks) or _run_of(marks)
            if run is not current and run.canonical != current.canonical:
                if current.closing:
                    out.append(current.closing)
                if run.opening:
                    out.append(run.opening)
                current = run
            out.append(value if _search_special(value) is None else _escape_found(value))
            continue
        if current.closing:
            out.append(current.closing)
        current = _PLAIN
        if kind == "link":
            out.append("[")
            _write_model_inlines(fields["children"], out)
            out.append("](" + _url(fields["url"]))
            meta = fields["meta"]
            out.append(")" if meta is None else ")" + _model_meta(meta))
        elif kind == "itemLink":
            out.append("[")
            _write_model_inlines(fields["children"], out)
            out.append("](" + ITEM_LINK_PREFIX)
            out.append(_item_id(fields["item"]))
            meta = fields["meta"]
            out.append(")" if meta is None else ")" + _model_meta(meta))
        elif kind == "inlineItem":
            out.append(_INLINE_ITEM_HEAD)
            out.append(_quote(fields["item"]))
            out.append(_INLINE_ITEM_TAIL)
        else:
            out.append(_INLINE_BLOCK_HEAD)
            out.append(_quote(_record_id(fields["item"], child)))
            out.append(_INLINE_BLOCK_TAIL)
    if current.closing:
        out.append(current.closing)


def _line_text(text: str, after_list: bool, after_marker: bool) -> str:
    r"""A paragraph's text with the line-start escapes applied.

    Only an unmarked span can put a space, a ``-`` or a digit first (marks,
    links and tags start with punctuation), so the text alone decides.
    ``after_list``: the paragraph follows a list (two leading spaces would
    indent it into that list); ``after_marker``: the line starts with a list
    item's marker (where a line of spaces is not blank).

    >>> print(_line_text("- a", False, False), _line_text("12. a", False, False))
    \- a 12\. a
    >>> print(_line_text("---", False, False), _line_text("----", False, False))
    \--- ----
    >>> print(_line_text(" a", True, False), _line_text("  a", True, False))
     a \  a
    """
    head = text[:1]
    if head == " ":
        if (after_list and text[1:2] == " ") or (not after_marker and not text.strip(" ")):
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


def _style_trailer(style: str) -> str:
    return _trailer([(STYLE_KEY, _quote(style))])


def _paragraph(
    fields: dict[str, Any],
    strict: bool,
    out: list[str],
    indent: str,
    first: str | None,
    after_list: bool,
) -> None:
    """Append a paragraph's lines; ``first`` replaces ``indent`` on its first line."""
    out.append(indent if first is None else first)
    start = len(out)
    if strict:
        _write_inlines(fields["children"], "paragraph", out)
        style = fields.get("style")
        if style is not None and type(style) is not str:
            raise _Invalid
    else:
        _write_model_inlines(fields["children"], out)
        style = fields["style"]
    if len(out) == start:  # no text: the canonical form is one empty span
        out.append((EMPTY_PARAGRAPH if style is None else _style_trailer(style)) + "\n")
        return
    if out[start][0] in _LINE_START_CHARS:  # the text's first character
        text = "".join(out[start:])
        del out[start:]
        out.append(_line_text(text, after_list, first is not None))
    out.append("\n" if style is None else "\n" + indent + _style_trailer(style) + "\n")


def _heading(fields: dict[str, Any], strict: bool, out: list[str]) -> None:
    level = fields["level"]
    if strict and (type(level) is not int or level not in HEADING_LEVELS):
        raise _Invalid
    out.append("#" * level + " ")
    if strict:
        _write_inlines(fields["children"], "heading", out)
    else:
        _write_model_inlines(fields["children"], out)
    style = _optional_str(fields.get("style"), strict)
    out.append("\n" if style is None else " " + _style_trailer(style) + "\n")


_BACKTICKS: Final = re.compile(r"`+")


def _bare_language(language: str) -> bool:
    """Can this language follow the opening fence as is? (A backtick first would lengthen it.)"""
    return (
        language != ""
        and language[0] not in " \t`"
        and language[-1] not in " \t"
        and "{" not in language
        and "\n" not in language
    )


def _code(fields: dict[str, Any], strict: bool, out: list[str]) -> None:
    code = _required_str(fields["code"], strict)
    language = _optional_str(fields.get("language"), strict)
    highlight = fields.get("highlight")
    if strict and highlight is not None:
        if type(highlight) is not list and type(highlight) is not tuple:
            raise _Invalid
        for line in highlight:
            if type(line) is not int or line < 0:
                raise _Invalid
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0) if "`" in code else 0
    fence = "`" * max(MIN_FENCE, longest + 1)
    entries: list[tuple[str, str]] = []
    head = fence
    if language is not None:
        # A trailing backslash before the trailer's space would escape it.
        if _bare_language(language) and not (highlight is not None and language[-1] == "\\"):
            head += language
        else:
            entries.append((LANGUAGE_KEY, _quote(language)))
    if highlight is not None:
        entries.append((HIGHLIGHT_KEY, "[" + ",".join(map(str, highlight)) + "]"))
    if entries:
        head += (" " if head != fence else "") + _trailer(entries)
    out.append(head + "\n")
    if code:
        out.append(code + "\n")
    out.append(fence + "\n")


def _blockquote(fields: dict[str, Any], strict: bool, out: list[str]) -> None:
    for index, paragraph in enumerate(_children(fields, strict)):
        if index:
            out.append(BLOCKQUOTE_SEPARATOR + "\n")
        _paragraph(
            _fields(paragraph, strict, "blockquote"), strict, out, BLOCKQUOTE_PREFIX, None, False
        )
    attribution = _optional_str(fields.get("attribution"), strict)
    if attribution is not None:
        out.append(_trailer([(ATTRIBUTION_KEY, _quote(attribution))]) + "\n")


@final
class _Lead:
    """The prefix of a list line that opens nested items (``- - 1. ``), built without copies.

    Each level adds its marker to the prefix of the level above by reference,
    so a list nested n deep costs n small objects, not n prefixes of growing
    length; :meth:`text` joins it once, for the one line that writes it.
    """

    def __init__(self, before: _Lead | str, marker: str) -> None:
        self.before = before
        self.marker = marker

    def text(self) -> str:
        pieces = [self.marker]
        before = self.before
        while isinstance(before, _Lead):
            pieces.append(before.marker)
            before = before.before
        pieces.append(before)
        pieces.reverse()
        return "".join(pieces)


@final
class _ListFrame:
    """A list being written: its items' children, where it stands, how its lines start."""

    def __init__(
        self, fields: dict[str, Any], strict: bool, base: str, depth: int, first: _Lead | None
    ) -> None:
        style = fields["style"]
        if strict and style not in LIST_STYLES:
            raise _Invalid
        self.style: str = style
        self.kids: list[Sequence[Any]] = [
            _children(_fields(item, strict, "list"), strict) for item in _children(fields, strict)
        ]
        self.loose = False  # any item with more than one child: blank lines between items
        for kids in self.kids:
            if len(kids) > 1:
                self.loose = True
                break
        # the indent of its items' lines is base + INDENT * depth, made only for a line
        # that writes it (kept as a count: a string per level would grow with the depth)
        self.base = base
        self.depth = depth
        self.first = first  # the first line's prefix, written in place of the indent
        self.item = 0  # the item being written
        self.child = 0  # and its child


_DEEP_FRAMES: Final = 1000
"""Lists nested this deep pause the cycle collector while written (a frame per level)."""


def _list(fields: dict[str, Any], strict: bool, out: list[str], indent: str) -> None:
    """Append a list's lines, nested lists included, without recursion, in linear time."""
    stack = [_ListFrame(fields, strict, indent, 0, None)]
    paused = False
    try:
        while stack:
            frame = stack[-1]
            item_index = frame.item
            if item_index >= len(frame.kids):
                stack.pop()
                continue
            children = frame.kids[item_index]
            child_index = frame.child
            child = _fields(children[child_index], strict, "listItem")
            lead: _Lead | None = None
            after_list = False
            if child_index == 0:
                if item_index and frame.loose:
                    out.append("\n")
                if frame.style == "bulleted":
                    marker = BULLET_MARKER
                else:
                    marker = _NUMBER_HEAD + str(item_index + 1) + _NUMBER_TAIL
                first = frame.first
                if item_index == 0 and first is not None:
                    lead = _Lead(first, marker)
                else:
                    lead = _Lead(frame.base + INDENT * frame.depth, marker)
            else:
                previous = children[child_index - 1]  # checked when it was written
                if not strict:
                    previous = previous.__dict__
                out.append("\n")
                after_list = previous["type"] == "list"
                if after_list and child["type"] == "list" and previous["style"] == child["style"]:
                    out.append("\n")
            if child_index + 1 < len(children):
                frame.child = child_index + 1
            else:
                frame.item = item_index + 1
                frame.child = 0
            if child["type"] == "paragraph":
                # the content indent is written on the first line (no lead) or before a style
                content = (
                    frame.base + INDENT * (frame.depth + 1)
                    if lead is None or child.get("style") is not None
                    else ""
                )
                opening = None if lead is None else lead.text()
                _paragraph(child, strict, out, content, opening, after_list)
            else:
                stack.append(_ListFrame(child, strict, frame.base, frame.depth + 1, lead))
                if len(stack) == _DEEP_FRAMES and not paused and gc.isenabled():
                    gc.disable()  # the frames hold no cycles; restored below
                    paused = True
    finally:
        if paused:
            gc.enable()


_EMPTY_DOCUMENT: Final = EMPTY_PARAGRAPH + "\n"


def _blocks(children: Sequence[Any], strict: bool) -> str:
    """The text of a root's children."""
    if strict and ((type(children) is not list and type(children) is not tuple) or not children):
        raise _Invalid
    out: list[str] = []
    previous: dict[str, Any] | None = None
    for node in children:
        fields = _fields(node, strict, "root")
        kind = fields["type"]
        if previous is not None:
            out.append("\n")
            if (
                kind == "list"
                and previous["type"] == "list"
                and previous["style"] == fields["style"]
            ):
                out.append("\n")
        if kind == "paragraph":
            _paragraph(
                fields, strict, out, "", None, previous is not None and previous["type"] == "list"
            )
        elif kind == "heading":
            _heading(fields, strict, out)
        elif kind == "list":
            _list(fields, strict, out, "")
        elif kind == "code":
            _code(fields, strict, out)
        elif kind == "blockquote":
            _blockquote(fields, strict, out)
        elif kind == "block":
            out.append(_BLOCK_HEAD + _quote(_record_id(fields["item"], node)) + _BLOCK_TAIL + "\n")
        else:
            out.append(THEMATIC_BREAK + "\n")
        previous = fields
    text = "".join(out)  # every line ends with its newline
    if text == _EMPTY_DOCUMENT:
        return ""  # the document that is nothing but one empty paragraph
    if text.endswith("\r\n") and line_ending(text) != "\n":  # (CRLF ends so)
        return text + "\n"  # every line ends with a \r of content: not to be read as CRLF
    return text


def _json_root(data: dict[str, Any]) -> str:
    """The strict fast path: check and write DAST JSON in one pass."""
    if not _DOCUMENT_KEYS.issuperset(data) or data.get("schema") != SCHEMA:
        raise _Invalid
    root = data["document"]
    if type(root) is not dict or root.get("type") != "root" or not _ROOT_KEYS.issuperset(root):
        raise _Invalid
    return _blocks(root["children"], True)


def _path_to(root: Root, target: Any) -> Path:
    """The path of ``target`` in ``root`` (for error messages), found by identity.

    Only the path of the node found is built: linear at any depth.
    """
    # (all three parameters: a compiled lambda has no signature to read the arity from)
    found = find_first_node(root, lambda node, parent, path: node is target)
    assert found is not None, "the node is in the tree"
    return found.path


def serialize(doc: Document | Mapping[str, object] | None) -> str:
    """Write a document as dastdown text (``None`` gives ``""``).

    Accepts a ``Document``, DAST JSON or the CDA wrapper; block items may be
    id strings or record objects (their ``id`` is written). Invalid input
    raises ``DastValidationError`` (DAST JSON is checked as it is written; a
    ``Document`` holding a node broken by ``model_copy(update=...)`` is
    refused on entry, with the path and rule of each problem); a block
    record without an id raises ``DastdownSerializeError``.

    >>> serialize(None)
    ''
    >>> serialize({"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "block", "item": {"id": "b1", "type": "item"}}]}})
    '<block id="b1"/>\\n'
    """
    if isinstance(doc, Document) or (type(doc) is dict and "document" in doc):
        data: Document | Mapping[str, object] = doc
    else:  # the CDA wrapper, another Mapping, None
        unwrapped = unwrap_document(doc)
        if unwrapped is None:
            return ""
        data = unwrapped
    if isinstance(data, Document):
        ensure_writable(data)
    elif type(data) is dict:
        try:
            return _json_root(data)
        except (_Invalid, _MissingId, KeyError, TypeError, AttributeError):
            pass  # let the model report the problems (or take what it accepts)
    document = load_document(data)
    root = document.document
    try:
        return _blocks(root.children, False)
    except _MissingId as missing:
        path = (*_path_to(root, missing.node), "item")
        raise DastdownSerializeError(
            path, "a block record without an id cannot be written as dastdown"
        ) from None
