"""DAST -> plain text: the words, laid out, without markup.

Root blocks are separated by blank lines; list items are prefixed ``- ``
or ``1. ``, ``2. ``... with nested items and continuation lines indented
under their text; code is kept as is; a blockquote's attribution follows it
as ``— Name``; a thematic break is ``---``; ``\\n`` in a span starts a new
line. Links and item links give their label. Blocks, inline blocks and
inline items are written by the callbacks given their ``ItemRef``, or
skipped and reported. Marks, styles, link URLs and meta are not text and
are not reported. Traversal is iterative: any depth renders.

>>> doc = {"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "heading", "level": 1, "children": [{"type": "span", "value": "Title"}]},
...     {"type": "list", "style": "numbered", "children": [
...         {"type": "listItem", "children": [{"type": "paragraph", "children": [
...             {"type": "span", "value": "one", "marks": ["strong"]}]}]}]}]}}
>>> print(to_text(doc).result, end="")
Title
<BLANKLINE>
1. one
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Path
from ..nodes import (
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    InlineNode,
    ItemLink,
    Link,
    List,
    ListItem,
    Node,
    Paragraph,
    Root,
    Span,
    ThematicBreak,
)
from .items import CALLBACK_OPTIONS, ItemRef, RecordRenderer, load_input
from .lines import LineWriter
from .report import Conversion, Reporter

__all__ = ["to_text"]


class _TextRenderer:
    def __init__(self, callbacks: dict[str, RecordRenderer | None], reporter: Reporter) -> None:
        self.callbacks = callbacks
        self.rep = reporter
        self.out = LineWriter()

    def render(self, root: Root) -> str:
        # Work items: ("node", node, path, marker), ("line", text), ("pop",), ("blank",)
        stack: list[tuple[Any, ...]] = []
        self._children(stack, root.children, (), tight=False)
        while stack:
            work = stack.pop()
            if work[0] == "pop":
                self.out.pop()
            elif work[0] == "blank":
                self.out.blank()
            elif work[0] == "line":
                self._lines(work[1])
            else:
                self._node(stack, work[1], work[2], work[3])
        return self.out.text()

    @staticmethod
    def _children(
        stack: list[tuple[Any, ...]], children: Sequence[Node], path: Path, *, tight: bool
    ) -> None:
        for index in range(len(children) - 1, -1, -1):
            stack.append(("node", children[index], (*path, "children", index), ""))
            if index and not tight:
                stack.append(("blank",))

    def _node(self, stack: list[tuple[Any, ...]], node: Node, path: Path, marker: str) -> None:
        if isinstance(node, Paragraph | Heading):
            self._lines(self._inlines(node.children, path))
        elif isinstance(node, List):
            for index in range(len(node.children) - 1, -1, -1):
                item_marker = f"{index + 1}. " if node.style == "numbered" else "- "
                stack.append(("pop",))
                stack.append(
                    ("node", node.children[index], (*path, "children", index), item_marker)
                )
        elif isinstance(node, ListItem):
            self.out.push(marker, " " * len(marker))
            self._children(stack, node.children, path, tight=True)
        elif isinstance(node, Blockquote):
            if node.attribution is not None:
                stack.append(("line", f"— {node.attribution}"))
            self._children(stack, node.children, path, tight=False)
        elif isinstance(node, Code):
            self._lines(node.code)
        elif isinstance(node, ThematicBreak):
            self.out.write("---")
        elif isinstance(node, Block):
            self._lines(self._record(node, path))
        else:  # pragma: no cover - the root and inline nodes never get here
            raise AssertionError(node.type)

    def _lines(self, text: str) -> None:
        if not text:
            return
        for line in text.split("\n"):
            self.out.write(line)

    def _inlines(self, children: Sequence[InlineNode], parent: Path) -> str:
        out: list[str] = []
        for index, child in enumerate(children):
            path = (*parent, "children", index)
            if isinstance(child, Span):
                out.append(child.value)
            elif isinstance(child, Link | ItemLink):
                out.append("".join(span.value for span in child.children))
            elif isinstance(child, InlineItem | InlineBlock):
                out.append(self._record(child, path))
        return "".join(out)

    def _record(self, node: Block | InlineBlock | InlineItem, path: Path) -> str:
        callback = self.callbacks.get(node.type)
        if callback is not None:
            return callback(ItemRef(node, path))
        ref = ItemRef(node, path)
        option = CALLBACK_OPTIONS[node.type]
        shown = ref.id if ref.id is not None else "a new record"
        self.rep.add(node.type, "skipped", f"{shown}: no {option} callback", path=path)
        return ""


def to_text(
    doc: Document | Mapping[str, object] | None,
    *,
    render_block: RecordRenderer | None = None,
    render_inline_block: RecordRenderer | None = None,
    render_inline_item: RecordRenderer | None = None,
    strict: bool = False,
) -> Conversion[str]:
    """Render a document (``Document``, DAST JSON, CDA wrapper or ``None``) as plain text.

    The report lists the blocks, inline blocks and inline items skipped for
    want of a callback; ``strict=True`` makes them an error. ``None``
    renders as ``""``; the text ends with ``\\n`` unless it is empty.

    >>> doc = {"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "paragraph", "children": [{"type": "span", "value": "see "},
    ...         {"type": "inlineItem", "item": "42"}]}]}}
    >>> to_text(doc, render_inline_item=lambda ref: f"[{ref.id}]").result
    'see [42]\\n'
    >>> print(to_text(doc).report)
    children[0].children[1]: inlineItem skipped: 42: no render_inline_item callback
    """
    document = load_input(doc)
    reporter = Reporter()
    if document is None:
        return Conversion("", reporter.finish())
    renderer = _TextRenderer(
        {
            "block": render_block,
            "inlineBlock": render_inline_block,
            "inlineItem": render_inline_item,
        },
        reporter,
    )
    text = renderer.render(document.document)
    return Conversion(text, reporter.finish(strict=strict, what="DAST to text"))
