"""DAST -> CommonMark markdown (with ``~~``, ``==`` and ``<u>`` for three marks).

Headings are ATX (``#``), lists use ``-`` (``*`` for a list right after
another bulleted one, so they stay two lists) or ``1.``, ``2.``... (``1)``
likewise), nested content is indented under the item's text, code blocks
are backtick fences longer than any backtick run inside (tildes when the
language holds a backtick), thematic breaks are ``---``. Inline text is
escaped so that it never turns into syntax (see ``markdown_inline``).

What markdown cannot hold is reported and handled as follows: paragraph
and heading ``style``, code ``highlight``, link ``meta`` other than one
``title`` and custom marks are dropped; a blockquote's ``attribution``
becomes a last ``— Name`` paragraph of the quote; blocks, inline blocks and
inline items are written by the callbacks given their ``ItemRef`` or as an
HTML placeholder; an empty paragraph that markdown cannot write (anywhere
but alone in a list item or quote) is dropped. Item links are written
``[label](dato:item/ID)`` and read back by ``from_markdown``. Traversal is
iterative: any depth renders.

>>> doc = {"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "heading", "level": 2, "children": [{"type": "span", "value": "Hi"}]},
...     {"type": "list", "style": "bulleted", "children": [
...         {"type": "listItem", "children": [{"type": "paragraph", "children": [
...             {"type": "span", "value": "one", "marks": ["strong"]}]}]}]}]}}
>>> print(to_markdown(doc).result, end="")
## Hi
<BLANKLINE>
- **one**
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Path
from ..nodes import (
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    List,
    ListItem,
    Node,
    Paragraph,
    Root,
    Span,
    ThematicBreak,
)
from .items import ItemRef, RecordRenderer, load_input
from .lines import LineWriter
from .markdown_inline import InlineOptions, escape_text, render_inlines
from .report import Conversion, Reporter, excerpt

__all__ = ["to_markdown"]


def _is_empty(node: Paragraph) -> bool:
    return all(isinstance(c, Span) and c.value == "" for c in node.children)


def _fence(code: str, char: str) -> str:
    longest = max((len(m) for m in re.findall(re.escape(char) + "+", code)), default=0)
    return char * max(3, longest + 1)


class _MarkdownRenderer:
    def __init__(
        self,
        reporter: Reporter,
        render_block: RecordRenderer | None,
        render_inline_block: RecordRenderer | None,
        render_inline_item: RecordRenderer | None,
    ) -> None:
        self.rep = reporter
        self.render_block = render_block
        self.inline = InlineOptions(reporter, render_inline_item, render_inline_block)
        self.heading_inline = InlineOptions(
            reporter, render_inline_item, render_inline_block, heading=True
        )
        self.out = LineWriter()

    def render(self, root: Root) -> str:
        children = root.children
        if len(children) == 1 and isinstance(children[0], Paragraph) and _is_empty(children[0]):
            if children[0].style is not None:
                self._style(children[0], ("children", 0))
            return ""
        # Work items: ("node", node, path, marker), ("line", text), ("pop",), ("blank",)
        stack: list[tuple[Any, ...]] = []
        self._children(stack, children, (), container="root")
        while stack:
            work = stack.pop()
            if work[0] == "pop":
                self.out.pop()
            elif work[0] == "blank":
                self.out.blank()
            elif work[0] == "line":
                self.out.write(work[1])
            elif work[0] == "drop":
                self._drop(work[1], work[2])
            else:
                self._node(stack, work[1], work[2], work[3])
        return self.out.text()

    def _children(
        self,
        stack: list[tuple[Any, ...]],
        children: Sequence[Node],
        path: Path,
        container: str,
        parent_marker: str = "",
    ) -> None:
        """Schedule children (in reverse), with the separators markdown needs between them."""
        kept: list[tuple[int, Node]] = []
        dropped: dict[int, list[tuple[Any, ...]]] = {}
        alone = len(children) == 1
        for index, child in enumerate(children):
            if (
                isinstance(child, Paragraph)
                and _is_empty(child)
                and not (container in ("item", "quote") and alone)
            ):
                drop = ("drop", child, (*path, "children", index))
                dropped.setdefault(len(kept), []).append(drop)
                continue
            kept.append((index, child))
        work: list[tuple[Any, ...]] = []
        previous: Node | None = None
        previous_marker = ""
        for position, (index, child) in enumerate(kept):
            child_path = (*path, "children", index)
            marker = ""
            if isinstance(child, List):
                default, other = ("-", "*") if child.style == "bulleted" else (".", ")")
                avoid = ""
                if isinstance(previous, List) and previous.style == child.style:
                    avoid = previous_marker  # two lists in a row must differ to stay two
                elif position == 0 and container == "item" and child.style == "bulleted":
                    avoid = parent_marker.strip()  # "- - -" would be a thematic break
                marker = other if avoid == default else default
                previous_marker = marker
            work.extend(dropped.pop(position, ()))
            if previous is not None and self._blank_between(previous, child, container):
                work.append(("blank",))
            work.append(("node", child, child_path, marker))
            previous = child
        for rest in dropped.values():  # empty paragraphs after the last kept child
            work.extend(rest)
        stack.extend(reversed(work))

    @staticmethod
    def _blank_between(previous: Node, child: Node, container: str) -> bool:
        if container != "item":
            return True
        if isinstance(child, List):
            if isinstance(previous, List):
                return False
            first = child.children[0].children[0]
            # an empty item cannot interrupt a paragraph ("a\n-" is a setext heading)
            return isinstance(first, Paragraph) and _is_empty(first)
        return True

    def _node(self, stack: list[tuple[Any, ...]], node: Node, path: Path, marker: str) -> None:
        if isinstance(node, Paragraph):
            if node.style is not None:
                self._style(node, path)
            self._lines(render_inlines(node.children, path, self.inline))
        elif isinstance(node, Heading):
            if node.style is not None:
                self._style(node, path)
            text = render_inlines(node.children, path, self.heading_inline)
            self.out.write("#" * node.level + (" " + text if text else ""))
        elif isinstance(node, List):
            loose = any(
                isinstance(b, Paragraph) and i > 0
                for item in node.children
                for i, b in enumerate(item.children)
            )
            work: list[tuple[Any, ...]] = []
            for index, item in enumerate(node.children):
                number = f"{index + 1}" if node.style == "numbered" else ""
                item_marker = f"{number}{marker} "
                if index and loose:
                    work.append(("blank",))
                work.append(("node", item, (*path, "children", index), item_marker))
                work.append(("pop",))
            stack.extend(reversed(work))
        elif isinstance(node, ListItem):
            self.out.push(marker, " " * len(marker))
            self._children(stack, node.children, path, container="item", parent_marker=marker)
        elif isinstance(node, Blockquote):
            self.out.push("> ", "> ")
            stack.append(("pop",))
            if node.attribution == "":
                self.rep.add("attribution", "dropped", "an empty attribution", path=path)
            elif node.attribution is not None:
                self.rep.add(
                    "attribution",
                    "written as a last paragraph of the quote",
                    excerpt(node.attribution),
                    path=path,
                )
                attribution = escape_text(
                    "— " + node.attribution, line_start=True, line_end=True
                ).replace("\n", "<br>")
                stack.append(("line", attribution))
                stack.append(("blank",))
            self._children(stack, node.children, path, container="quote")
        elif isinstance(node, Code):
            self._code(node, path)
        elif isinstance(node, ThematicBreak):
            self.out.write("---")
        elif isinstance(node, Block):
            self._block(node, path)
        else:  # pragma: no cover - the root and inline nodes never get here
            raise AssertionError(node.type)

    def _drop(self, node: Paragraph, path: Path) -> None:
        self.rep.add(
            "paragraph",
            "dropped",
            "an empty paragraph cannot be written in markdown here",
            path=path,
        )
        if node.style is not None:
            self._style(node, path)

    def _lines(self, text: str) -> None:
        for line in text.split("\n"):
            self.out.write(line)

    def _style(self, node: Paragraph | Heading, path: Path) -> None:
        self.rep.add(
            "style", "dropped", f"{node.type} style {excerpt(node.style or '')}", path=path
        )

    def _code(self, node: Code, path: Path) -> None:
        code = node.code
        info = node.language or ""
        if node.language == "":
            self.rep.add("language", "dropped", "an empty language cannot be written", path=path)
        elif node.language is not None and (len(info.split()) != 1 or info != info.strip()):
            info = next(iter(info.split()), "")
            self.rep.add(
                "language",
                "changed",
                f"whitespace in {excerpt(node.language)} (a markdown info string's first word"
                " is the language)",
                path=path,
            )
        if node.highlight is not None:
            shown = ", ".join(str(n) for n in node.highlight)
            self.rep.add("highlight", "dropped", f"highlighted lines [{shown}]", path=path)
        if "\r" in code:
            self.rep.add(
                "code", "changed", "markdown reads a carriage return as a new line", path=path
            )
        char = "~" if "`" in info else "`"
        fence = _fence(code, char)
        info = info.replace("\\", "\\\\")
        self.out.write(fence + (" " if info.startswith(char) else "") + info)
        if code:
            for line in code.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                self.out.write(line)
        self.out.write(fence)

    def _block(self, node: Block, path: Path) -> None:
        ref = ItemRef(node, path)
        if self.render_block is not None:
            self._lines(self.render_block(ref))
            return
        shown = ref.id if ref.id is not None else "new"
        self.rep.add(
            "block", "written as a placeholder", f"{shown}: no render_block callback", path=path
        )
        safe = shown.replace("--", "- -").replace(">", "&gt;")
        self.out.write(f"<!-- block {safe} -->")


def to_markdown(
    doc: Document | Mapping[str, object] | None,
    *,
    render_block: RecordRenderer | None = None,
    render_inline_block: RecordRenderer | None = None,
    render_inline_item: RecordRenderer | None = None,
    strict: bool = False,
) -> Conversion[str]:
    """Render a document (``Document``, DAST JSON, CDA wrapper or ``None``) as markdown.

    Callbacks receive an ``ItemRef`` and return markdown (written as is).
    The report lists everything markdown could not hold; ``strict=True``
    raises ``ConversionError`` instead. ``None`` and the empty document
    render as ``""``; any other text ends with ``\\n``.

    >>> doc = {"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "paragraph", "style": "lead", "children": [
    ...         {"type": "span", "value": "2 * 3"}]}]}}
    >>> text, report = to_markdown(doc)
    >>> text
    '2 \\\\* 3\\n'
    >>> print(report)
    children[0]: style dropped: paragraph style lead
    """
    document = load_input(doc)
    reporter = Reporter()
    if document is None:
        return Conversion("", reporter.finish())
    renderer = _MarkdownRenderer(reporter, render_block, render_inline_block, render_inline_item)
    text = renderer.render(document.document)
    return Conversion(text, reporter.finish(strict=strict, what="DAST to markdown"))
