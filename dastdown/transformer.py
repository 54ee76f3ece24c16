"""Grammar rules to DAST JSON: one callback per rule of ``dastdown.lark``.

Lark calls these while it parses (LALR with ``transformer=``), so no parse
tree is built: each rule becomes the DAST JSON dict of the node it stands
for, and the parser validates the whole document once at the end.
Attribute trailers are checked here (which keys a node takes, and their
types) and inline text goes through :class:`~dastdown.inline.InlineScanner`.

>>> from dastdown.parser import grammar
>>> grammar().parse("# Hi {style=\\"lead\\"}\\n", start="start")
[{'type': 'heading', 'level': 1, 'children': [{'type': 'span', 'value': 'Hi'}], 'style': 'lead'}]
"""

from __future__ import annotations

import builtins
import re
from contextvars import ContextVar
from typing import Any

from lark import Lark, Token, Transformer

from .errors import DastdownParseError
from .inline import InlineScanner
from .lexer import AttributeSyntax, AttributeValue, decode_string
from .syntax import ATTRIBUTION_KEY, HIGHLIGHT_KEY, LANGUAGE_KEY, STYLE_KEY

__all__ = ["BLOCKS", "TRAILER_KEYS", "BlockRecord", "DastTransformer"]

BlockRecord = tuple[dict[str, Any], int, int]
"""A ``block`` / ``inlineBlock`` node built by a parse, with its line and column."""

BLOCKS: ContextVar[list[BlockRecord] | None] = ContextVar("dastdown_blocks", default=None)
"""Where the running parse collects its block nodes (``None``: it does not)."""

_STRING = "a quoted string"
_NUMBERS = "a list of line numbers such as [0,2]"

TRAILER_KEYS: dict[str, dict[str, str]] = {
    "paragraph": {STYLE_KEY: _STRING},
    "heading": {STYLE_KEY: _STRING},
    "code": {LANGUAGE_KEY: _STRING, HIGHLIGHT_KEY: _NUMBERS},
    "blockquote": {ATTRIBUTION_KEY: _STRING},
}
"""What the trailer of each node type takes: key -> what its value must be.
The keys are the node's optional attributes (a test holds them to the schema
table), in the order the serializer writes them."""


class DastTransformer(Transformer[Token, Any]):
    """The callbacks lark runs for each rule; :meth:`bind` before parsing."""

    def __init__(self) -> None:
        super().__init__()
        self._inline: InlineScanner | None = None
        self._attributes: AttributeSyntax | None = None
        self._string = re.compile("")

    def bind(self, lark: Lark) -> None:
        """Compile the inline scanner and trailer syntax from the loaded grammar."""
        self._inline = InlineScanner(lark)
        self._attributes = AttributeSyntax({t.name: t for t in lark.terminals})
        self._string = re.compile(lark.get_terminal("STRING").pattern.to_regexp())

    # -- helpers ---------------------------------------------------------------

    def _text(self, lines: list[Token]) -> list[dict[str, Any]]:
        """Inline nodes of text lines joined by one space (one empty span if none)."""
        text = str(lines[0]) if len(lines) == 1 else " ".join(lines)  # a str, not the token
        scanner = self._inline
        assert scanner is not None, "DastTransformer.bind() was not called"
        children = scanner.scan(text, lines, BLOCKS.get())
        return children or [{"type": "span", "value": ""}]

    def _trailer(self, token: Token, what: str, node_type: str) -> dict[str, AttributeValue]:
        """The entries of a trailer token, checked against what ``node_type`` takes."""
        allowed = TRAILER_KEYS[node_type]
        attributes = self._attributes
        assert attributes is not None, "DastTransformer.bind() was not called"
        found: dict[str, AttributeValue] = {}
        for key, value, offset in attributes.decode(token):
            column = (token.column or 1) + offset
            expected = allowed.get(key)
            if expected is None:
                keys = " and ".join(allowed)
                raise DastdownParseError(
                    f"{what} does not take {key!r} (its trailer takes {keys})",
                    token.line or 1,
                    column,
                )
            if key in found:
                raise DastdownParseError(f"{key!r} is given twice", token.line or 1, column)
            if (expected == _STRING) != isinstance(value, str):
                raise DastdownParseError(
                    f"{key!r} takes {expected}", token.line or 1, column + len(key) + 1
                )
            found[key] = value
        return found

    # -- rules -------------------------------------------------------------------

    def start(self, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The root's children."""
        return children

    def paragraph(self, tokens: list[Token]) -> dict[str, Any]:
        """``TEXT CONT* STYLE_LINE?`` or a lone ``LINE_TRAILER``."""
        last = tokens[-1]
        node: dict[str, Any] = {"type": "paragraph"}
        if last.type == "STYLE_LINE" or last.type == "LINE_TRAILER":
            node["children"] = (
                self._text(tokens[:-1]) if len(tokens) > 1 else [{"type": "span", "value": ""}]
            )
            style = self._trailer(last, "a paragraph", "paragraph").get(STYLE_KEY)
            if style is not None:
                node["style"] = style
        else:
            node["children"] = self._text(tokens)
        return node

    def heading(self, tokens: list[Token]) -> dict[str, Any]:
        """``HASHES TEXT TRAILER?``."""
        node: dict[str, Any] = {
            "type": "heading",
            "level": len(tokens[0]),
            "children": self._text([tokens[1]]),
        }
        if len(tokens) > 2:
            style = self._trailer(tokens[2], "a heading", "heading").get(STYLE_KEY)
            if style is not None:
                node["style"] = style
        return node

    def code(self, tokens: list[Token]) -> dict[str, Any]:
        """``FENCE INFO? TRAILER? CODE_BODY``."""
        node: dict[str, Any] = {"type": "code", "code": str(tokens[-1])}
        language: str | None = None
        for token in tokens[1:-1]:
            if token.type == "INFO":
                language = str(token)
                continue
            entries = self._trailer(token, "a code block", "code")
            if LANGUAGE_KEY in entries:
                if language is not None:
                    raise DastdownParseError(
                        "the language is given twice (after the fence and in the trailer)",
                        token.line or 1,
                        token.column or 1,
                    )
                language = str(entries[LANGUAGE_KEY])
            if HIGHLIGHT_KEY in entries:
                node["highlight"] = list(entries[HIGHLIGHT_KEY])
        if language is not None:
            node["language"] = language
        return node

    def thematic_break(self, tokens: list[Token]) -> dict[str, Any]:
        """``RULE``."""
        return {"type": "thematicBreak"}

    def block(self, tokens: list[Token]) -> dict[str, Any]:
        """``BLOCK``: ``<block id="..."/>``."""
        token = tokens[0]
        node = {"type": "block", "item": decode_string(self._string.search(token).group())}  # type: ignore[union-attr]
        blocks = BLOCKS.get()
        if blocks is not None:
            blocks.append((node, token.line or 1, token.column or 1))
        return node

    def blockquote(self, children: list[Any]) -> dict[str, Any]:
        """Paragraphs, then maybe an ``ATTRIBUTION`` line."""
        node: dict[str, Any] = {"type": "blockquote"}
        last = children[-1]
        if isinstance(last, Token):
            children = children[:-1]
            entries = self._trailer(last, "a blockquote", "blockquote")
            node["attribution"] = entries[ATTRIBUTION_KEY]
        node["children"] = children
        return node

    def list_item(self, children: list[dict[str, Any]]) -> dict[str, Any]:
        """A list item's paragraphs and lists."""
        return {"type": "listItem", "children": children}

    # Last: in the class body this name shadows the builtin ``list``.
    def list(self, children: builtins.list[Any]) -> dict[str, Any]:
        """Markers and items: ``(BULLET list_item)+`` or ``(ORDINAL list_item)+``."""
        style = "bulleted" if children[0].type == "BULLET" else "numbered"
        return {"type": "list", "style": style, "children": children[1::2]}
