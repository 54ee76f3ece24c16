"""Grammar rules to DAST JSON: lark's callback for each rule of ``dastdown.lark``.

Lark calls these while it parses (LALR with ``transformer=``), so no parse
tree is built: each rule becomes the DAST JSON dict of the node it stands
for, and the parser validates the whole document once at the end. The
nodes are built by :class:`~dastdown.assembly.NodeBuilder` (compiled in the
wheel), which the parse's fast path calls too: this class only hands lark's
callbacks to it (a compiled class must not derive from lark's
``Transformer``, see setup.py).

>>> from dastdown.parser import grammar
>>> grammar().parse("# Hi {style=\\"lead\\"}\\n", start="start")
[{'type': 'heading', 'level': 1, 'children': [{'type': 'span', 'value': 'Hi'}], 'style': 'lead'}]
"""

from __future__ import annotations

import builtins
import re
from typing import Any

from lark import Lark, Token, Transformer

from .assembly import BLOCKS, TRAILER_KEYS, BlockRecord, NodeBuilder
from .inline import InlineScanner
from .lexer import AttributeSyntax

__all__ = ["BLOCKS", "TRAILER_KEYS", "BlockRecord", "DastTransformer"]


class DastTransformer(Transformer[Token, Any]):
    """The callbacks lark runs for each rule; :meth:`bind` before parsing."""

    def __init__(self) -> None:
        super().__init__()
        self._builder: NodeBuilder | None = None

    def bind(self, lark: Lark) -> None:
        """Compile the inline scanner and trailer syntax from the loaded grammar."""
        self._builder = NodeBuilder(
            InlineScanner(lark),
            AttributeSyntax({t.name: t for t in lark.terminals}),
            re.compile(lark.get_terminal("STRING").pattern.to_regexp()),
        )

    @property
    def builder(self) -> NodeBuilder:
        """The node builder :meth:`bind` made (what each callback calls).

        >>> from dastdown.parser import grammar
        >>> grammar().options.transformer.builder.list_item([])["type"]
        'listItem'
        """
        builder = self._builder
        assert builder is not None, "DastTransformer.bind() was not called"
        return builder

    # -- rules -------------------------------------------------------------------

    def start(self, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The root's children."""
        return children

    def paragraph(self, tokens: list[Token]) -> dict[str, Any]:
        """``TEXT CONT* STYLE_LINE?`` or a lone ``LINE_TRAILER``."""
        return self.builder.paragraph(tokens)

    def heading(self, tokens: list[Token]) -> dict[str, Any]:
        """``HASHES TEXT TRAILER?``."""
        return self.builder.heading(tokens)

    def code(self, tokens: list[Token]) -> dict[str, Any]:
        """``FENCE INFO? TRAILER? CODE_BODY``."""
        return self.builder.code(tokens)

    def thematic_break(self, tokens: list[Token]) -> dict[str, Any]:
        """``RULE``."""
        return self.builder.thematic_break(tokens)

    def block(self, tokens: list[Token]) -> dict[str, Any]:
        """``BLOCK``: ``<block id="..."/>``."""
        return self.builder.block(tokens)

    def blockquote(self, children: list[Any]) -> dict[str, Any]:
        """Paragraphs, then maybe an ``ATTRIBUTION`` line."""
        return self.builder.blockquote(children)

    def list_item(self, children: list[dict[str, Any]]) -> dict[str, Any]:
        """A list item's paragraphs and lists."""
        return self.builder.list_item(children)

    # Last: in the class body this name shadows the builtin ``list``.
    def list(self, children: builtins.list[Any]) -> dict[str, Any]:
        """Markers and items: ``(BULLET list_item)+`` or ``(ORDINAL list_item)+``."""
        return self.builder.list_node(children)
