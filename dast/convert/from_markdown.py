"""Markdown -> DAST with mistune 3 (the only module that imports mistune).

CommonMark plus strikethrough ``~~x~~``, highlight ``==x==``, underline
``++x++``, tables and footnotes (so that they can be reported, never lost),
and the HTML tags of marks (``<u>``, ``<ins>``, ``<mark>``, ``<s>``,
``<del>``, ``<strong>``, ``<b>``, ``<em>``, ``<i>``, ``<code>``, and ``<br>``
for a line break), which is how ``to_markdown`` writes what delimiters
cannot hold.

Links to ``dato:item/ID`` become item links; a link title becomes a
``title`` meta entry; soft line breaks become spaces and hard ones ``\\n``.

Whatever DAST cannot hold is converted or dropped and always reported with
its 1-based source line: images (kept as links), tables (a paragraph per
row), raw HTML (kept as text), footnotes (kept as text), headings, code,
quotes and thematic breaks inside list items or quotes (converted to
paragraphs, flattened or dropped), nested quotes (flattened), list start
numbers, unused link definitions, nesting deeper than ``MAX_NESTING``.
``allowed_blocks``, ``allowed_marks`` and ``allowed_heading_levels``
degrade what a field does not allow the same way, and ``handlers`` let you
convert any mistune token yourself (e.g. an image into a ``block``).

The result is always a valid canonical document; empty markdown gives the
empty document (one paragraph holding one empty span).

>>> doc, report = from_markdown("# Hi\\n\\nSome **bold** text ![logo](logo.png)\\n")
>>> [child.type for child in doc.document.children]
['heading', 'paragraph']
>>> print(report)
line 3, children[1]: image converted to a link: ![logo](logo.png)
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.inline_parser import InlineParser
from mistune.plugins import import_plugin
from mistune.util import unescape, unikey

from ..canonical import canonicalize
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
    MetaEntry,
    Node,
    Paragraph,
    Root,
    RootChild,
    Span,
    ThematicBreak,
)
from ..validate import validate
from .items import mark_key
from .report import Conversion, ConversionError, ConversionReport, ReportEntry, excerpt

__all__ = ["BLOCK_TYPES", "MAX_NESTING", "Handler", "MarkdownContext", "from_markdown"]

MAX_NESTING = 50
"""Lists and quotes nested deeper than this are read as text (and reported)."""

BLOCK_TYPES = frozenset(
    {"paragraph", "heading", "list", "code", "blockquote", "thematicBreak", "block"}
)
"""The names ``allowed_blocks`` accepts (``"paragraph"`` must be among them)."""

Handler = Callable[[dict[str, Any], "MarkdownContext"], "Node | Sequence[Node] | None"]
"""``(token, context) -> node(s) | None``: convert one mistune token yourself.

Return a DAST node or a sequence of nodes (empty: drop the token), or
``None`` to let the default conversion run. Inline nodes returned for a
block token are wrapped in a paragraph; block nodes returned for an inline
token split the paragraph around them (a ``block`` inside a list item or
quote is moved to the root, after the top-level node, and reported).
"""

_MARK_TOKENS = {
    "strong": "strong",
    "emphasis": "emphasis",
    "strikethrough": "strikethrough",
    "mark": "highlight",
    "underline": "underline",
    "codespan": "code",
}
_HTML_MARKS = {
    "strong": "strong",
    "b": "strong",
    "em": "emphasis",
    "i": "emphasis",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "del": "strikethrough",
    "strike": "strikethrough",
    "mark": "highlight",
    "code": "code",
}
_BR = re.compile(r"<br\s*/?>\Z", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\s*(/?)>\Z")
_FOOTNOTE_REF = re.compile(r"\[\^(?:[^\\\[\]\s]|\\.){1,500}\]")
_LIST_MARKER = re.compile(r" {0,3}(?:[*+-]|\d{1,9}[.)])([ \t]*)\n?\Z")
_ITEM_URL = "dato:item/"


# --- a mistune block parser that knows the source line of every token ---------


class _LineState(BlockState):
    """A block state that maps positions in its (possibly de-indented) text to source lines."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.line0 = 0
        self.active: list[list[Any]] = []  # open containers: [rule, start position]
        self._starts: list[int] | None = None

    def process(self, src: str) -> None:
        super().process(src)
        self._starts = None

    def line_at(self, pos: int) -> int:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.src)]
        return self.line0 + bisect_right(self._starts, pos) - 1

    def append_token(self, token: dict[str, Any]) -> None:
        super().append_token(token)
        token.setdefault("_line_at", self.line_at(self.cursor))  # for tokens made outside rules

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        fresh = not (last and last["type"] == "paragraph")
        super().add_paragraph(text)
        if fresh:
            self.tokens[-1]["_line"] = self.line_at(self.cursor)

    def child_state(self, src: str, *args: Any, **kwargs: Any) -> _LineState:
        child = super().child_state(src, *args, **kwargs)
        assert isinstance(child, _LineState)
        child.line0 = self.line0
        if self.active:
            entry = self.active[-1]
            rule, start = entry
            line = self.line_at(start)
            if rule == "list":
                line_end = self.src.find("\n", start)
                first = self.src[start : len(self.src) if line_end < 0 else line_end]
                if _LIST_MARKER.match(first):
                    line += 1  # the item's text starts on the next line
                if self.cursor > 0:  # where the next item's marker line starts
                    entry[1] = self.src.rfind("\n", 0, self.cursor - 1) + 1
            child.line0 = line
        return child


class _LineBlockParser(BlockParser):
    state_cls = _LineState

    def parse_method(self, m: re.Match[str], state: Any) -> int | None:
        rule = m.lastgroup
        start = m.start()
        line = state.line_at(start)
        count = len(state.tokens)
        container = rule in ("list", "block_quote")
        notes = state.env.setdefault("_dast", _notes())
        if container:
            state.active.append([rule, start])
            if state.depth() >= self.max_nested_level - 1:
                notes["deep"].append(line)
        try:
            end: int | None = super().parse_method(m, state)
        finally:
            if container:
                state.active.pop()
        for token in state.tokens[max(count - 1, 0) :]:
            token.setdefault("_line", line)
        if end and rule == "ref_footnote":
            label = m.group("footnote_key")
            notes["footnotes"].setdefault(unikey(label), line)
            notes["labels"].setdefault(unikey(label), label)
        elif end and rule == "ref_link":
            label = m.group("reflink_1")
            notes["refs"].setdefault(unikey(label), line)
            notes["ref_labels"].setdefault(unikey(label), label)
        return end


def _parse_underline(inline: InlineParser, m: re.Match[str], state: Any) -> int | None:
    """``++text++`` -> an ``underline`` token (mistune's own ``insert`` plugin is ``^^``)."""
    if state.depth >= inline.max_nested_level:
        return None
    pos = m.end()
    close = state.delimiters.find("++", pos, formatting=True)
    if close is None:
        return None
    child = state.copy()
    child.src = state.src[pos:close]
    state.append_token({"type": "underline", "children": inline.render(child)})
    return int(close) + 2


def _notes() -> dict[str, Any]:
    """What the parser notes beside the tokens: deep nesting, definition lines and labels."""
    return {"deep": [], "footnotes": {}, "refs": {}, "labels": {}, "ref_labels": {}}


def _keep_sources(md: Any, state: Any) -> None:
    """Before inline parsing pops ``text``, keep it as ``_src`` (to locate inline tokens)."""
    stack = list(state.tokens)
    while stack:
        token = stack.pop()
        if "text" in token:
            token["_src"] = token["text"]
        stack.extend(token.get("children") or ())


@functools.cache
def _parser() -> mistune.Markdown:
    block = _LineBlockParser(max_nested_level=MAX_NESTING)
    md = mistune.Markdown(
        renderer=None,
        block=block,
        inline=InlineParser(),
        plugins=[import_plugin(name) for name in ("strikethrough", "mark", "table", "footnotes")],
    )
    md.after_render_hooks.clear()  # footnotes are read below, with their lines
    md.before_render_hooks.append(_keep_sources)
    md.inline.register(
        "underline", r"\+\+(?=[^\s+])", _parse_underline, before="link", start_chars="+"
    )
    return md


# --- the handler API ------------------------------------------------------------


@dataclass
class MarkdownContext:
    """What a handler gets besides the token: where it is, and helpers.

    ``line`` is the token's 1-based source line, ``marks`` the marks around
    an inline token (``()`` for block tokens), ``source`` the whole input.

    >>> def image(token, ctx):
    ...     return Block(item={"type": "item", "attributes": {"url": token["attrs"]["url"]}})
    >>> doc, report = from_markdown("![x](a.png)", handlers={"image": image})
    >>> doc.document.children[0].item["attributes"]["url"], len(report)
    ('a.png', 0)
    """

    line: int | None
    marks: tuple[str, ...]
    source: str
    _converter: _Converter = field(repr=False)

    def inline(self, children: Sequence[dict[str, Any]]) -> list[InlineNode]:
        """Convert mistune inline tokens (e.g. an image's alt) to inline nodes, marks applied."""
        out = self._converter.inline_tokens(children, self.marks, self.line)
        return [node for node in out if not isinstance(node, _Lifted)]

    def text(self, token: dict[str, Any]) -> str:
        """The plain text of a token and its children (alt text, cell text...).

        >>> seen = []
        >>> _ = from_markdown("![a *b*](x.png)", handlers={
        ...     "image": lambda tok, ctx: seen.append(ctx.text(tok))})
        >>> seen
        ['a b']
        """
        return _plain_text(token)

    def report(self, kind: str, action: str, detail: str = "") -> None:
        """Add an entry to the report (at this token's line)."""
        self._converter.entries.append(_Entry(kind, self.line, None, action, detail))


def _plain_text(token: dict[str, Any]) -> str:
    parts: list[str] = []
    stack = [token]
    while stack:
        tok = stack.pop()
        kind = tok.get("type")
        if kind == "text":
            parts.append(unescape(tok.get("raw", "")))
        elif kind == "codespan":
            parts.append(tok.get("raw", ""))
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "linebreak":
            parts.append("\n")
        stack.extend(reversed(tok.get("children") or ()))
    return "".join(parts)


# --- conversion -----------------------------------------------------------------


@dataclass
class _Entry:
    kind: str
    line: int | None  # 1-based
    anchor: Node | None  # the node the entry is about (its path is found at the end)
    action: str
    detail: str


@dataclass
class _Lifted:
    """A block-level node produced inside inline content."""

    node: RootChild


@dataclass
class _Inline:
    """Where an inline token sits: its paragraph's source and the line counter."""

    src: str
    line0: int | None  # 0-based line of the block
    newlines: int = 0  # line breaks met so far
    search: int = 0  # where to look for the next located token in src
    html: dict[str, int] = field(default_factory=dict)  # open mark tags
    dropped_marks: set[str] = field(default_factory=set)

    def locate(self, needle: str | None) -> int | None:
        """The 1-based line of the next ``needle`` (after the line breaks counted)."""
        if self.line0 is None:
            return None
        line = self.newlines
        if needle:
            start = 0
            for _ in range(self.newlines):
                nl = self.src.find("\n", start)
                if nl < 0:
                    break
                start = nl + 1
            pos = self.src.find(needle, max(start, self.search))
            if pos >= 0:
                self.search = pos + len(needle)
                line = self.src.count("\n", 0, pos)
        return self.line0 + line + 1


class _Converter:
    def __init__(
        self,
        source: str,
        allowed_blocks: frozenset[str] | None,
        allowed_marks: frozenset[str] | None,
        allowed_levels: frozenset[int] | None,
        handlers: Mapping[str, Handler],
    ) -> None:
        self.source = source
        self.allowed_blocks = allowed_blocks
        self.allowed_marks = allowed_marks
        self.allowed_levels = allowed_levels
        self.handlers = handlers
        self.entries: list[_Entry] = []
        self.lifted: list[tuple[RootChild, int | None]] = []
        self.used_refs: set[str] = set()

    # -- reporting

    def note(
        self, kind: str, line: int | None, anchor: Node | None, action: str, detail: str = ""
    ) -> None:
        self.entries.append(_Entry(kind, line, anchor, action, detail))

    def anchor(self, start: int, node: Node | None) -> None:
        """Attach the entries noted since ``start`` without a node to ``node``."""
        for entry in self.entries[start:]:
            if entry.anchor is None:
                entry.anchor = node

    def replace(self, old: Node, new: Node) -> None:
        """Entries about ``old`` are now about ``new`` (which took its place)."""
        for entry in self.entries:
            if entry.anchor is old:
                entry.anchor = new

    # -- blocks

    def root(self, tokens: list[dict[str, Any]]) -> list[RootChild]:
        out: list[RootChild] = []
        for token in tokens:
            nodes = self.block_token(token, "root")
            for node in nodes:
                assert not isinstance(node, ListItem)
                out.append(node)
            for node, line in self.lifted:
                out.extend(self.fit(node, "root", line))
            self.lifted.clear()
        return out

    def blocks(self, tokens: list[dict[str, Any]], container: str) -> list[Any]:
        out: list[Any] = []
        for token in tokens:
            out.extend(self.block_token(token, container))
        return out

    def block_token(self, token: dict[str, Any], container: str) -> list[Any]:
        kind = token["type"]
        if kind == "blank_line":
            return []
        line = _line(token)
        handler = self.handlers.get(kind)
        if handler is not None:
            result = handler(token, self._context(line, ()))
            if result is not None:
                out: list[Any] = []
                for node in self._block_results(result, kind, line):
                    out.extend(self.fit(node, container, line))
                return out
        nodes = self._default_block(token, kind, line, container)
        out = []
        for node in nodes:
            out.extend(self.fit(node, container, line))
        return out

    def _default_block(
        self, token: dict[str, Any], kind: str, line: int | None, container: str
    ) -> list[RootChild]:
        if kind in ("paragraph", "block_text"):
            return self._inline_block(token, line, None)
        if kind == "heading":
            level = int(token["attrs"]["level"])
            if self.allowed_levels is not None and level not in self.allowed_levels:
                nodes = self._inline_block(token, line, None)
                self.note(
                    "heading",
                    line,
                    nodes[0] if nodes else None,
                    "converted to a paragraph",
                    f"heading level {level} is not allowed",
                )
                return nodes
            return self._inline_block(token, line, level)
        if kind == "block_code":
            raw = token.get("raw", "")
            code = raw[:-1] if raw.endswith("\n") else raw
            info = (token.get("attrs") or {}).get("info") or None
            return [Code(code=code, language=info)]
        if kind == "thematic_break":
            return [ThematicBreak()]
        if kind == "block_quote":
            children = self.blocks(token.get("children") or [], "quote")
            return [Blockquote(children=tuple(children) or (_empty_paragraph(),))]
        if kind == "list":
            return [self._list(token, line)]
        if kind == "block_html":
            raw = token.get("raw", "").rstrip("\n")
            if _BR.match(raw):  # a paragraph that is just a line break, as to_markdown writes it
                return [Paragraph(children=(Span(value="\n"),))]
            para = Paragraph(children=(Span(value=raw),))
            self.note("html_block", line, para, "kept as text", excerpt(raw))
            return [para]
        if kind == "table":
            return self._table(token, line)
        if kind == "footnotes":
            return self._footnotes(token)
        # a token type from a plugin we do not know: keep what text it has
        text = _plain_text(token) or token.get("raw", "")
        para = Paragraph(children=(Span(value=text),))
        self.note(kind, line, para, "kept as text", excerpt(text))
        return [para]

    def _list(self, token: dict[str, Any], line: int | None) -> List:
        items: list[ListItem] = []
        for item in token.get("children") or []:
            children = self.blocks(item.get("children") or [], "item")
            items.append(ListItem(children=tuple(children) or (_empty_paragraph(),)))
        attrs = token.get("attrs") or {}
        node = List(
            style="numbered" if attrs.get("ordered") else "bulleted",
            children=tuple(items) or (ListItem(children=(_empty_paragraph(),)),),
        )
        start = attrs.get("start")
        if start is not None and start != 1:
            self.note("list", line, node, "renumbered from 1", f"the list started at {start}")
        return node

    def _table(self, token: dict[str, Any], line: int | None) -> list[RootChild]:
        rows: list[tuple[list[dict[str, Any]], int | None]] = []
        body_index = 0
        for part in token.get("children") or []:
            if part["type"] == "table_head":
                rows.append((part.get("children") or [], line))
            else:
                for row in part.get("children") or []:
                    row_line = None if line is None else line + 2 + body_index
                    body_index += 1
                    rows.append((row.get("children") or [], row_line))
        out: list[RootChild] = []
        for cells, row_line in rows:
            inlines: list[InlineNode] = []
            for index, cell in enumerate(cells):
                if index:
                    inlines.append(Span(value=" | "))
                where = _Inline(cell.get("_src", ""), None if row_line is None else row_line - 1)
                start = len(self.entries)
                inlines.extend(
                    n
                    for n in self.inline_tokens(cell.get("children") or [], (), None, where)
                    if not isinstance(n, _Lifted)
                )
            out.append(Paragraph(children=tuple(inlines) or (Span(value=""),)))
            self.anchor(start, out[-1])
        self.note(
            "table",
            line,
            out[0] if out else None,
            "converted to paragraphs",
            f"{len(rows)} rows, one paragraph each, cells separated by ' | '",
        )
        return out

    def _footnotes(self, token: dict[str, Any]) -> list[RootChild]:
        out: list[RootChild] = []
        for item in token.get("children") or []:
            key = item["attrs"].get("label", item["attrs"]["key"])
            line = _line(item)
            children = self.blocks(item.get("children") or [], "root")
            label = Span(value=f"[^{key}]: ")
            if children and isinstance(children[0], Paragraph):
                first = children[0]
                children[0] = first.model_copy(update={"children": (label, *first.children)})
                self.replace(first, children[0])
            else:
                children.insert(0, Paragraph(children=(label,)))
            self.note(
                "footnote",
                line,
                children[0],
                "kept as text",
                f"footnote [^{key}] written as paragraphs at the end",
            )
            out.extend(children)
        return out

    def _inline_block(
        self, token: dict[str, Any], line: int | None, level: int | None
    ) -> list[RootChild]:
        where = _Inline(token.get("_src", ""), None if line is None else line - 1)
        start = len(self.entries)
        items = self.inline_tokens(token.get("children") or [], (), line, where)
        out: list[RootChild] = []
        group: list[InlineNode] = []

        def flush(force: bool) -> None:
            if not group and not force:
                return
            if not force and all(isinstance(n, Span) and not n.value.strip() for n in group):
                group.clear()
                return
            children = tuple(group) or (Span(value=""),)
            if level is None:
                out.append(Paragraph(children=children))
            else:
                out.append(Heading(level=level, children=children))
            group.clear()

        split = False
        for item in items:
            if isinstance(item, _Lifted):
                flush(False)
                out.append(item.node)
                split = True
            else:
                group.append(item)
        flush(not split)
        self.anchor(start, out[0] if out else None)
        return out

    # -- fitting nodes where DAST allows them

    def fit(self, node: Any, container: str, line: int | None) -> list[Any]:
        """Degrade ``node`` to what ``container`` and the allowed blocks accept."""
        allowed = self.allowed_blocks
        kind = node.type
        if allowed is not None and kind in BLOCK_TYPES and kind not in allowed:
            return self._degrade(node, container, line, f"{kind} is not allowed")
        if container == "root":
            return [node]
        if isinstance(node, Paragraph) or (container == "item" and isinstance(node, List)):
            return [node]
        if isinstance(node, Block):
            self.lifted.append((node, line))
            self.note(
                "block",
                line,
                node,
                "moved to the root",
                f"a block cannot be inside a {'list item' if container == 'item' else 'quote'}",
            )
            return []
        where = "a list item" if container == "item" else "a quote"
        return self._degrade(node, container, line, f"DAST does not allow it in {where}")

    def _degrade(self, node: Any, container: str, line: int | None, why: str) -> list[Any]:
        if isinstance(node, Heading):
            para = Paragraph(children=node.children)
            self.replace(node, para)
            self.note("heading", line, para, "converted to a paragraph", why)
            return [para]
        if isinstance(node, Code):
            spans = self._code_spans(node.code, line)
            para = Paragraph(children=tuple(spans) or (Span(value=""),))
            self.replace(node, para)
            lang = f" ({node.language})" if node.language else ""
            self.note("code", line, para, "converted to a paragraph of code text", why + lang)
            return [para]
        if isinstance(node, ThematicBreak):
            self.note("thematic_break", line, None, "dropped", why)
            return []
        if isinstance(node, Block):
            self.note("block", line, None, "dropped", why)
            return []
        if isinstance(node, Blockquote):
            paras = list(node.children)
            detail = why
            if node.attribution:
                paras.append(Paragraph(children=(Span(value=f"— {node.attribution}"),)))
            self.replace(node, paras[0])
            self.note("blockquote", line, paras[0], "flattened into its paragraphs", detail)
            out: list[Any] = []
            for para in paras:
                out.extend(self.fit(para, container, line))
            return out
        if isinstance(node, List):
            paras = self._list_paragraphs(node)
            self.replace(node, paras[0])
            self.note("list", line, paras[0], "converted to paragraphs", why)
            return paras
        return [node]  # pragma: no cover - paragraphs are always allowed

    def _code_spans(self, code: str, line: int | None) -> list[Span]:
        marks = self._marks(("code",), line, None)
        return [Span(value=code, marks=marks)] if code else []

    def _list_paragraphs(self, node: List) -> list[Paragraph]:
        """A list's paragraphs, each item's first one prefixed with its marker (iterative)."""
        out: list[Paragraph] = []
        stack: list[tuple[List, int, str]] = [(node, 0, "")]
        while stack:
            lst, index, indent = stack.pop()
            if index >= len(lst.children):
                continue
            stack.append((lst, index + 1, indent))
            marker = f"{index + 1}. " if lst.style == "numbered" else "- "
            first = True
            pending: list[tuple[List, int, str]] = []
            for child in lst.children[index].children:
                if isinstance(child, Paragraph):
                    prefix = indent + (marker if first else " " * len(marker))
                    new = child.model_copy(
                        update={"children": (Span(value=prefix), *child.children)}
                    )
                    self.replace(child, new)
                    out.append(new)
                    first = False
                else:
                    pending.append((child, 0, indent + " " * len(marker)))
            stack.extend(reversed(pending))
        return out

    # -- inline

    def _marks(
        self, marks: Iterable[str], line: int | None, where: _Inline | None
    ) -> tuple[str, ...] | None:
        unique = set(marks)
        if self.allowed_marks is not None:
            for mark in sorted(unique - self.allowed_marks, key=mark_key):
                seen = where.dropped_marks if where is not None else set()
                if mark not in seen:
                    seen.add(mark)
                    self.note("mark", line, None, "dropped", f"{mark} is not allowed")
            unique &= self.allowed_marks
        return tuple(sorted(unique, key=mark_key)) or None

    def inline_tokens(
        self,
        tokens: Sequence[dict[str, Any]],
        marks: tuple[str, ...],
        line: int | None,
        where: _Inline | None = None,
    ) -> list[InlineNode | _Lifted]:
        if where is None:
            where = _Inline("", None if line is None else line - 1)
        out: list[InlineNode | _Lifted] = []
        for token in tokens:
            self._inline_token(token, marks, where, out)
        return out

    def _span(self, value: str, marks: Iterable[str], where: _Inline) -> Span:
        line = where.locate(None)
        all_marks = set(marks) | {m for m, count in where.html.items() if count > 0}
        return Span(value=value, marks=self._marks(all_marks, line, where))

    def _inline_token(
        self,
        token: dict[str, Any],
        marks: tuple[str, ...],
        where: _Inline,
        out: list[InlineNode | _Lifted],
    ) -> None:
        kind = token["type"]
        handler = self.handlers.get(kind)
        if handler is not None:
            line = where.locate(_needle(token))
            result = handler(token, self._context(line, marks))
            if result is not None:
                out.extend(self._inline_results(result, kind, line))
                self._count_lines(token, where)
                return
        if kind == "text":
            out.append(self._span(unescape(token.get("raw", "")), marks, where))
        elif kind in _MARK_TOKENS and kind != "codespan":
            inner = (*marks, _MARK_TOKENS[kind])
            for child in token.get("children") or []:
                self._inline_token(child, inner, where, out)
        elif kind == "codespan":
            out.append(self._span(token.get("raw", ""), (*marks, "code"), where))
        elif kind == "softbreak":
            out.append(self._span(" ", marks, where))
            where.newlines += 1
        elif kind == "linebreak":
            out.append(self._span("\n", marks, where))
            where.newlines += 1
        elif kind == "link":
            out.append(self._link(token, marks, where))
        elif kind == "image":
            line = where.locate("![")
            link = self._image_link(token, marks, where)
            self.note("image", line, None, "converted to a link", _image_source(token))
            out.append(link)
        elif kind == "inline_html":
            self._inline_html(token, marks, where, out)
        elif kind == "footnote_ref":
            line = where.locate("[^")
            found = _FOOTNOTE_REF.match(where.src, where.search - 2)
            text = found.group(0) if found else f"[^{token.get('raw', '')}]"
            out.append(self._span(text, marks, where))
            self.note("footnote_ref", line, None, "kept as text", text)
        else:
            line = where.locate(None)
            text = _plain_text(token) or token.get("raw", "")
            out.append(self._span(text, marks, where))
            self.note(kind, line, None, "kept as text", excerpt(text))
        if kind in ("link", "image") and "ref" in token:
            self.used_refs.add(token["ref"])

    def _count_lines(self, token: dict[str, Any], where: _Inline) -> None:
        stack = [token]
        while stack:
            tok = stack.pop()
            if tok["type"] in ("softbreak", "linebreak"):
                where.newlines += 1
            elif tok["type"] == "inline_html":
                where.newlines += tok.get("raw", "").count("\n")
            stack.extend(tok.get("children") or ())

    def _label(
        self, token: dict[str, Any], marks: tuple[str, ...], where: _Inline, what: str
    ) -> tuple[Span, ...]:
        """The spans of a link label (anything else in it is reported and flattened)."""
        items: list[InlineNode | _Lifted] = []
        for child in token.get("children") or []:
            if child["type"] == "image" and "image" not in self.handlers:
                line = where.locate("![")
                items.extend(self._label(child, marks, where, "image"))
                self.note(
                    "image",
                    line,
                    None,
                    "kept as its alt text",
                    f"inside a {what} label: " + _image_source(child),
                )
                continue
            self._inline_token(child, marks, where, items)
        spans: list[Span] = []
        for item in items:
            if isinstance(item, Span):
                spans.append(item)
            elif isinstance(item, Link | ItemLink):
                spans.extend(item.children)
                self.note(
                    "image" if isinstance(item, Link) else item.type,
                    where.locate(None),
                    None,
                    "kept as its text",
                    f"a {what} label holds only text",
                )
            else:
                node_type = item.node.type if isinstance(item, _Lifted) else item.type
                self.note(
                    node_type,
                    where.locate(None),
                    None,
                    "dropped",
                    f"a {what} label holds only text",
                )
        return tuple(spans) or (Span(value=""),)

    def _link(self, token: dict[str, Any], marks: tuple[str, ...], where: _Inline) -> InlineNode:
        attrs = token.get("attrs") or {}
        url = attrs.get("url", "")
        title = attrs.get("title")
        meta = None if not title else (MetaEntry(id="title", value=unescape(title)),)
        label = self._label(token, marks, where, "link")
        if title:
            where.newlines += title.count("\n")
        if url.startswith(_ITEM_URL) and len(url) > len(_ITEM_URL):
            return ItemLink(item=url[len(_ITEM_URL) :], children=label, meta=meta)
        return Link(url=url, children=label, meta=meta)

    def _image_link(self, token: dict[str, Any], marks: tuple[str, ...], where: _Inline) -> Link:
        attrs = token.get("attrs") or {}
        url = attrs.get("url", "")
        title = attrs.get("title")
        meta = None if not title else (MetaEntry(id="title", value=unescape(title)),)
        label = self._label(token, marks, where, "image")
        if len(label) == 1 and label[0].value == "":
            label = (self._span(url, marks, where),)
        return Link(url=url, children=label, meta=meta)

    def _inline_html(
        self,
        token: dict[str, Any],
        marks: tuple[str, ...],
        where: _Inline,
        out: list[InlineNode | _Lifted],
    ) -> None:
        raw = token.get("raw", "")
        tag = _HTML_TAG.match(raw)
        if tag is not None:
            closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
            if name == "br" and not closing:
                out.append(self._span("\n", marks, where))
                return
            mark = _HTML_MARKS.get(name)
            if mark is not None and not self_closing:
                count = where.html.get(mark, 0)
                if not closing:
                    where.html[mark] = count + 1
                    return
                if count > 0:
                    where.html[mark] = count - 1
                    return
        line = where.locate(raw)
        where.newlines += raw.count("\n")
        out.append(self._span(raw, marks, where))
        self.note("inline_html", line, None, "kept as text", excerpt(raw))

    # -- handler results

    def _context(self, line: int | None, marks: tuple[str, ...]) -> MarkdownContext:
        return MarkdownContext(line, marks, self.source, self)

    def _results(self, result: Any, kind: str) -> list[Any]:
        nodes = list(result) if isinstance(result, Sequence) else [result]
        for node in nodes:
            if not isinstance(
                node,
                Paragraph
                | Heading
                | List
                | Code
                | Blockquote
                | Block
                | ThematicBreak
                | Span
                | Link
                | ItemLink
                | InlineItem
                | InlineBlock,
            ):
                raise ConversionError(
                    f"the handler for {kind!r} returned {node!r}: handlers return DAST "
                    "block or inline nodes (not list items, roots or documents)"
                )
        return nodes

    def _block_results(self, result: Any, kind: str, line: int | None) -> list[Any]:
        out: list[Any] = []
        group: list[InlineNode] = []
        for node in self._results(result, kind):
            if isinstance(node, Span | Link | ItemLink | InlineItem | InlineBlock):
                group.append(node)
                continue
            if group:
                out.append(Paragraph(children=tuple(group)))
                group = []
            out.append(node)
        if group:
            out.append(Paragraph(children=tuple(group)))
        return out

    def _inline_results(
        self, result: Any, kind: str, line: int | None
    ) -> list[InlineNode | _Lifted]:
        out: list[InlineNode | _Lifted] = []
        for node in self._results(result, kind):
            if isinstance(node, Span | Link | ItemLink | InlineItem | InlineBlock):
                out.append(node)
            else:
                out.append(_Lifted(node))
        return out


def _line(token: dict[str, Any]) -> int | None:
    line = token.get("_line", token.get("_line_at"))
    return None if line is None else int(line) + 1


def _needle(token: dict[str, Any]) -> str | None:
    kind = token["type"]
    if kind == "image":
        return "!["
    if kind == "inline_html":
        return str(token.get("raw", "")) or None
    if kind == "footnote_ref":
        return "[^"
    return None


def _image_source(token: dict[str, Any]) -> str:
    url = (token.get("attrs") or {}).get("url", "")
    return excerpt(f"![{_plain_text(token)}]({url})")


def _empty_paragraph() -> Paragraph:
    return Paragraph(children=(Span(value=""),))


# --- the whole pipeline -----------------------------------------------------------


def _parse(text: str) -> tuple[list[dict[str, Any]], MutableMapping[str, Any]]:
    md = _parser()
    state = _LineState()
    tokens, _ = md.parse(text, state)
    assert isinstance(tokens, list)
    env = state.env
    notes = env.get("_dast", _notes())
    footnotes = []
    for index, key in enumerate(env.get("footnotes") or []):
        item = _footnote_item(md, state, key, index + 1, notes["footnotes"].get(key))
        item["attrs"]["label"] = notes["labels"].get(key, key)
        footnotes.append(item)
    if footnotes:
        tokens.append({"type": "footnotes", "children": footnotes})
    return tokens, env


def _footnote_item(
    md: mistune.Markdown, state: BlockState, key: str, index: int, line: int | None
) -> dict[str, Any]:
    """Parse one footnote definition as mistune does, but keeping source lines."""
    text: str = state.env["ref_footnotes"][key]
    lines = text.splitlines()
    second = next((ln for ln in lines[1:] if ln), None)
    if second:
        spaces = len(second) - len(second.lstrip())
        text = re.sub(r"^ {" + str(spaces) + r",}", "", text, flags=re.M)
    stripped = text.strip()
    lead = text[: len(text) - len(text.lstrip())].count("\n")
    child = state.child_state(stripped + "\n")
    assert isinstance(child, _LineState)
    child.line0 = (line or 0) + lead
    if second:
        md.block.parse(child)
    else:
        child.tokens = [{"type": "paragraph", "text": stripped, "_line": child.line0}]
    _keep_sources(md, child)
    children = md.render_state(child)
    return {
        "type": "footnote_item",
        "children": children,
        "attrs": {"key": key, "index": index},
        "_line": line,
    }


def _paths(root: Root) -> dict[int, Path]:
    """Map ``id(node)`` to its path for every block-level node (iteratively)."""
    paths: dict[int, Path] = {}
    stack: list[tuple[Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        paths[id(node)] = path
        if isinstance(node, Root | List | ListItem | Blockquote):
            for index, child in enumerate(node.children):
                stack.append((child, (*path, "children", index)))
    return paths


@overload
def from_markdown(
    text: str,
    *,
    allowed_blocks: Iterable[str] | None = None,
    allowed_marks: Iterable[str] | None = None,
    allowed_heading_levels: Iterable[int] | None = None,
    handlers: Mapping[str, Handler] | None = None,
    strict: bool = False,
) -> Conversion[Document]: ...
@overload
def from_markdown(
    text: None,
    *,
    allowed_blocks: Iterable[str] | None = None,
    allowed_marks: Iterable[str] | None = None,
    allowed_heading_levels: Iterable[int] | None = None,
    handlers: Mapping[str, Handler] | None = None,
    strict: bool = False,
) -> Conversion[None]: ...
def from_markdown(
    text: str | None,
    *,
    allowed_blocks: Iterable[str] | None = None,
    allowed_marks: Iterable[str] | None = None,
    allowed_heading_levels: Iterable[int] | None = None,
    handlers: Mapping[str, Handler] | None = None,
    strict: bool = False,
) -> Conversion[Document] | Conversion[None]:
    """Convert markdown to a valid canonical DAST ``Document``, with a report.

    ``allowed_blocks``: the DAST block types a field allows (from
    ``BLOCK_TYPES``, ``"paragraph"`` included); a disallowed heading becomes
    a paragraph, code a paragraph of code-marked text, a quote or list its
    paragraphs, a thematic break or block is dropped. ``allowed_marks``: a
    disallowed mark is dropped. ``allowed_heading_levels``: a heading of
    another level becomes a paragraph. ``handlers`` map mistune token types
    (``"image"``, ``"table"``, ``"block_html"``, ``"heading"``, ...) to a
    ``Handler``. Each change is reported; ``strict=True`` raises
    ``ConversionError`` listing them instead. ``None`` gives ``None``.

    >>> doc, report = from_markdown("## Title\\n\\n> quote", allowed_blocks={"paragraph"})
    >>> [child.type for child in doc.document.children]
    ['paragraph', 'paragraph']
    >>> [entry.action for entry in report]
    ['converted to a paragraph', 'flattened into its paragraphs']
    """
    if text is None:
        return Conversion(None, ConversionReport())
    if not isinstance(text, str):
        raise ConversionError(f"from_markdown reads a str, not {type(text).__name__}")
    blocks = _option_blocks(allowed_blocks)
    marks = None if allowed_marks is None else frozenset(allowed_marks)
    levels = _option_levels(allowed_heading_levels)
    converter = _Converter(text, blocks, marks, levels, handlers or {})
    try:
        tokens, env = _parse(text)
        children = converter.root(tokens)
    except RecursionError:
        raise ConversionError(
            "the markdown is nested too deeply to parse (Python's recursion limit was reached); "
            "flatten its lists and quotes"
        ) from None
    notes = env.get("_dast", _notes())
    for line in sorted(set(notes["deep"])):
        converter.note(
            "nesting",
            line + 1,
            None,
            "kept as text",
            f"lists and quotes nested more than {MAX_NESTING} levels deep",
        )
    for key, line in notes["refs"].items():
        if key not in converter.used_refs:
            label = notes["ref_labels"].get(key, key)
            converter.note("link_definition", line + 1, None, "dropped", f"[{label}] is never used")
    referenced = set(env.get("footnotes") or [])
    for key, line in notes["footnotes"].items():
        if key not in referenced:
            label = notes["labels"].get(key, key)
            converter.note("footnote", line + 1, None, "dropped", f"[^{label}] is never referenced")
    root = Root(children=tuple(children) or (_empty_paragraph(),))
    paths = _paths(root)
    entries = [
        ReportEntry(
            e.kind,
            e.line,
            None if e.anchor is None else paths.get(id(e.anchor)),
            e.action,
            e.detail,
        )
        for e in converter.entries
    ]
    entries.sort(key=lambda e: (e.line is None, e.line or 0))
    document = canonicalize(Document(document=root))
    problems = validate(document).problems
    if problems:
        raise ConversionError(
            "the converted document is not valid DAST (check the handlers): "
            + "; ".join(str(p) for p in problems)
        )
    report = ConversionReport(tuple(entries))
    if strict and report:
        count = len(report)
        raise ConversionError(
            f"markdown to DAST is not lossless (strict=True), {count} "
            + ("problem" if count == 1 else "problems"),
            report.entries,
        )
    return Conversion(document, report)


def _option_blocks(allowed: Iterable[str] | None) -> frozenset[str] | None:
    if allowed is None:
        return None
    blocks = frozenset(allowed)
    unknown = blocks - BLOCK_TYPES
    if unknown:
        raise ConversionError(
            f"allowed_blocks: unknown block type(s) {sorted(unknown)}; use {sorted(BLOCK_TYPES)}"
        )
    if "paragraph" not in blocks:
        raise ConversionError("allowed_blocks must include 'paragraph' (everything degrades to it)")
    return blocks


def _option_levels(levels: Iterable[int] | None) -> frozenset[int] | None:
    if levels is None:
        return None
    result = frozenset(levels)
    bad = sorted(level for level in result if not isinstance(level, int) or not 1 <= level <= 6)
    if bad:
        raise ConversionError(f"allowed_heading_levels: {bad} are not heading levels (1..6)")
    return result
