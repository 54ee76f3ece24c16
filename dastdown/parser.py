"""Read dastdown text into a validated DAST ``Document``.

The syntax is defined once, in ``dastdown.lark``: lark parses the block
structure (LALR, from the tokens of the line pre-pass in
:mod:`dastdown.lexer`), :mod:`dastdown.inline` scans inline text with a
regex compiled from the grammar's inline terminals, and
:mod:`dastdown.transformer` turns each rule into DAST JSON. The result is
in canonical form and is validated once, at the end.

Every problem in the text raises :class:`~dastdown.errors.DastdownParseError`
with the line and column of the offending text; lark's own exceptions never
escape (they are translated in :func:`parse`, the one place they are caught).

>>> doc = parse("# Title\\n\\nSome **bold** text.\\n")
>>> [node.type for node in doc.document.children]
['heading', 'paragraph']
>>> doc.document.children[1].children[1].marks
('strong',)
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, overload

from lark import Lark, Token
from lark.exceptions import UnexpectedInput, UnexpectedToken
from typing_extensions import TypeIs

from dast._gc import gc_paused
from dast.load import load_document
from dast.nodes import Block, Document, InlineBlock, Node
from dast.walk import collect_nodes

from .errors import DastdownParseError, DastdownUnknownBlockError
from .lexer import StructureLexer
from .transformer import BLOCKS, BlockRecord, DastTransformer

__all__ = ["grammar", "parse"]

_EMPTY: dict[str, Any] = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": ""}]}],
    },
}


@functools.cache
def grammar() -> Lark:
    """The dastdown grammar, loaded once from the package (LALR, no conflicts).

    Documents are parsed with ``start="start"`` (through the line pre-pass).
    ``"inline"`` and ``"attributes"`` are never parsed at run time: they are
    start rules so that lark compiles the terminals the inline scanner and
    the trailer decoder are built from.

    >>> grammar().options.parser
    'lalr'
    """
    source = resources.files("dastdown").joinpath("dastdown.lark").read_text(encoding="utf-8")
    transformer = DastTransformer()
    lark = Lark(
        source,
        parser="lalr",
        lexer=StructureLexer,
        start=["start", "inline", "attributes"],
        strict=True,
        transformer=transformer,
    )
    transformer.bind(lark)
    return lark


@overload
def parse(text: None, original: Document | Mapping[str, object] | None = None) -> None: ...
@overload
def parse(text: str, original: Document | Mapping[str, object] | None = None) -> Document: ...
def parse(
    text: str | None, original: Document | Mapping[str, object] | None = None
) -> Document | None:
    """Parse dastdown text into a canonical, validated ``Document``.

    ``None`` gives ``None``; empty or blank text (only spaces and newlines)
    gives the document holding one empty paragraph. With ``original`` (a
    ``Document``, DAST JSON or the CDA wrapper), each ``block`` and
    ``inlineBlock`` id is looked up in it and its ``item`` (the very same
    object, e.g. a full record) is put back; an id it does not hold raises
    :class:`~dastdown.errors.DastdownUnknownBlockError`.

    >>> parse("") == parse("  \\n")
    True
    >>> parse("[x](u) > y").document.children[0].children[0].url
    'u'
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"parse() takes a str, not {type(text).__name__}")
    if not text.strip(" \n"):
        return Document.model_validate(_EMPTY)
    items = None if original is None else _original_items(original)
    collected: list[BlockRecord] | None = None if original is None else []
    reset = BLOCKS.set(collected)
    try:
        with gc_paused():  # tens of thousands of dicts and frozen models, no cycles
            # The transformer runs inside the parse (``transformer=``), so what
            # it raises comes as it is: lark wraps nothing in a VisitError here.
            try:
                children = grammar().parse(text, start="start")
            except (UnexpectedInput, DastdownParseError) as exc:
                error = _translate(exc)
                if error.source_line is None:
                    error.source_line = _line(text, error.line)
                raise error from None
            if items is not None and collected is not None:
                _restore_items(collected, items, text)
            # load_document validates once, and builds documents nested deeper
            # than pydantic-core recurses bottom-up.
            return load_document(
                {"schema": "dast", "document": {"type": "root", "children": children}}
            )
    finally:
        BLOCKS.reset(reset)


def _line(text: str, number: int) -> str | None:
    """Line ``number`` (1-based) of ``text``, without its newline."""
    start = 0
    for _ in range(number - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


_Items = dict[str, dict[str, list[Any]]]


def _holds_record(node: Node) -> TypeIs[Block | InlineBlock]:
    """Is ``node`` a block or an inline block (which hold a record)?"""
    return isinstance(node, Block | InlineBlock)


def _original_items(original: Document | Mapping[str, object] | None) -> _Items:
    """The items of ``original``'s blocks and inline blocks, by kind and id, in order."""
    doc = load_document(original)
    found: _Items = {"block": {}, "inlineBlock": {}}
    if doc is None:
        return found
    for node, _, _ in collect_nodes(doc.document, _holds_record):
        item = node.item
        key = item if isinstance(item, str) else item.get("id")
        if isinstance(key, str):
            found[node.type].setdefault(key, []).append(item)
    return found


def _restore_items(collected: list[BlockRecord], items: _Items, text: str) -> None:
    """Put the original items back, the very same objects.

    The n-th block with a given id gets the n-th item of ``original``'s
    blocks with that id (the first once they run out), so duplicated
    records keep their own objects; an id only found among the other kind
    (a block turned inline block) is taken from there.
    """
    seen: dict[tuple[str, str], int] = {}
    for node, line, column in collected:
        kind, key = node["type"], node["item"]
        candidates = items[kind].get(key)
        if candidates is None:
            candidates = items["block" if kind == "inlineBlock" else "inlineBlock"].get(key)
            if candidates is None:
                raise DastdownUnknownBlockError(key, line, column, _line(text, line))
        count = seen.get((kind, key), 0)
        seen[(kind, key)] = count + 1
        node["item"] = candidates[count] if count < len(candidates) else candidates[0]


# -- lark's exceptions, translated in one place -------------------------------------

_NOUNS = {
    "HASHES": ("a heading", "\\# for a literal '#'"),
    "FENCE": ("a code block", "\\` for a literal backtick"),
    "RULE": ("a thematic break (---)", "\\--- for literal dashes"),
    "BLOCK": ("a block", None),
    "_QUOTE": ("a blockquote", "\\> for a literal '>'"),
    "BULLET": ("a list", "\\- for a literal dash"),
    "ORDINAL": ("a list", "1\\. for a literal number"),
}
_HOLDS = {
    "list item": "list items hold paragraphs and lists",
    "blockquote": "blockquotes hold paragraphs only",
}


def _translate(exc: Exception) -> DastdownParseError:
    """Our error for anything the parse raised."""
    if isinstance(exc, DastdownParseError):
        return exc
    if isinstance(exc, UnexpectedToken):
        return _unexpected(exc)
    assert isinstance(exc, UnexpectedInput)
    return DastdownParseError(
        "unexpected text", getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
    )


def _unexpected(exc: UnexpectedToken) -> DastdownParseError:
    """Say what is misplaced where, for a token the grammar does not allow."""
    token: Token = exc.token
    line, column = token.line or 1, token.column or 1
    stack = exc.state.value_stack if exc.state is not None else []
    container, opener = _container(stack)
    kind = token.type
    if kind == "_UNQUOTE" and opener is not None:
        return DastdownParseError(
            "a blockquote holds at least one paragraph (write an empty one as '> {}')",
            opener.line or line,
            opener.column or column,
        )
    noun = _NOUNS.get(kind)
    if noun is not None and container in _HOLDS:
        what, escape = noun
        where = "in a blockquote" if container == "blockquote" else "in a list item"
        if kind == "_QUOTE" and container == "blockquote":
            message = f"a blockquote cannot be nested in a blockquote (write {escape})"
        elif escape is None:
            message = f"{what} cannot be {where}: blocks stand alone at the root"
        else:
            message = f"{what} cannot be {where} ({_HOLDS[container]}; write {escape})"
        return DastdownParseError(message, line, column)
    expected = ", ".join(sorted(name.lstrip("_").lower() for name in exc.expected))
    return DastdownParseError(
        f"unexpected {token.type.lstrip('_').lower()} here (expected {expected})", line, column
    )


def _container(stack: list[Any]) -> tuple[str, Token | None]:
    """The innermost open container at the top of lark's value stack."""
    dedents = unquotes = 0
    for value in _reversed_tokens(stack):
        kind = value.type
        if kind == "_DEDENT":
            dedents += 1
        elif kind == "_UNQUOTE":
            unquotes += 1
        elif kind == "BULLET" or kind == "ORDINAL":
            if not dedents:
                return "list item", value
            dedents -= 1
        elif kind == "_QUOTE":
            if not unquotes:
                return "blockquote", value
            unquotes -= 1
    return "root", None


def _reversed_tokens(stack: list[Any]) -> Iterator[Token]:
    for value in reversed(stack):
        if isinstance(value, Token):
            yield value
