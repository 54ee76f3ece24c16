"""Mistune's markdown AST -> DAST nodes, fitted where DAST allows them, with a report.

``from_markdown`` parses with mistune (its only importer) and hands the
token tree to a ``TokenConverter``, which builds DAST nodes bottom-up:
inline tokens become spans with marks (ancestor tokens and mark HTML tags
such as ``<u>`` accumulate), links and item links, and block tokens become
blocks that are then *fitted* into their container (a heading in a list
item becomes a paragraph, a quote in a quote is flattened, a ``block`` in a
list item moves to the root, ...) and into the allowed blocks. Each change
is noted with its source line and the node it concerns, so the report can
give the node's final path.

Text is gathered into spans as it comes (adjacent text with the same
canonical marks joined, empty text left out), so what the converter builds
itself is already in canonical form; ``TokenConverter.canonical`` turns
false when nodes it did not build that way come in (handlers, raw HTML,
tables, footnotes, lists degraded to paragraphs), and only then does
``from_markdown`` canonicalize the tree.

>>> from dast.convert.from_markdown import from_markdown
>>> print(from_markdown("- # heading in a list item").report.entries[0].path)
('children', 0, 'children', 0, 'children', 0)
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._traverse import iter_nodes
from ..definitions import INLINE_NODE_TYPES, ROOT_CHILD_TYPES
from ..errors import Path
from ..nodes import (
    NODE_CLASS_BY_TYPE,
    Block,
    Blockquote,
    Code,
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
from .from_html import Allowed, HtmlHandler, convert_html, is_unsafe_link, parse_tag
from .items import MARK_HTML_TAGS, mark_key
from .report import ConversionError, excerpt

__all__ = [
    "BLOCK_TYPES",
    "Handler",
    "MarkdownContext",
    "TokenConverter",
    "block_paths",
    "close_html_link",
    "empty_paragraph",
    "unescape",
]

BLOCK_TYPES: frozenset[str] = ROOT_CHILD_TYPES
"""The names ``allowed_blocks`` accepts (``"paragraph"`` must be among them): the
node types allowed at the root."""

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
_NESTING_MARKS = {kind: mark for kind, mark in _MARK_TOKENS.items() if kind != "codespan"}
"""The mark tokens that hold other inline tokens."""
_HANDLER_NODE_TYPES = ROOT_CHILD_TYPES | INLINE_NODE_TYPES
"""What a handler may return: block and inline nodes (not list items, roots or documents)."""

_HTML_MARKS = {tag: mark for mark, tag in MARK_HTML_TAGS.items()} | {
    "b": "strong",
    "i": "emphasis",
    "ins": "underline",
    "del": "strikethrough",
    "strike": "strikethrough",
}
"""HTML elements read as marks: the ones ``to_html`` writes, and their synonyms."""
_PLAIN_MARK_TAGS = {
    f"<{'/' if closing else ''}{tag}>": (tag, mark, closing)
    for tag, mark in _HTML_MARKS.items()
    for closing in (False, True)
}
"""``<em>``, ``</em>``...: what ``parse_tag`` reads in them, looked up at once (most raw HTML
in converted text is these)."""
_BR = re.compile(r"<br\s*/?>\Z", re.IGNORECASE)
_BLOCK_PLACEHOLDER = re.compile(r"<!--\s*block\s+(\S+)\s*-->\Z")
_COMMENTS = re.compile(r"(?:\s*<!--.*?-->)+\s*\Z", re.S)
_TRANSPARENT_TAGS = frozenset(
    {"span", "font", "abbr", "acronym", "cite", "dfn", "time", "var", "small", "big", "bdi",
     "bdo", "data", "label", "q", "nobr", "p", "div"}
)  # fmt: skip
"""Inline tags dropped silently: their text is all there is to them."""
_CONVERTED_TAGS = frozenset(
    {"img", "input", "wbr", "hr", "embed", "source", "track", "area", "param", "iframe",
     "video", "audio", "picture", "svg", "object", "script", "style", "textarea", "select"}
)  # fmt: skip
"""Inline tags that go through the HTML converter (handlers, or dropped and reported)."""
_FOOTNOTE_REF = re.compile(r"\[\^(?:[^\\\[\]\s]|\\.){1,500}\]")
_ITEM_URL = "dato:item/"
_UNKNOWN: tuple[str, ...] = ("not yet known",)  # a cache miss (compared by identity)

_CHARREF = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]+;|[^\t\n\f <&#;]{1,32};)")


def unescape(text: str) -> str:
    """Decode character references as CommonMark does (the ``;`` is required).

    >>> unescape("&copy; &#65; &amp;amp; &copy")
    '© A &amp; &copy'
    """
    return _CHARREF.sub(_decode_reference, text) if "&" in text else text


_DECODED: dict[str, str] = {}
"""Character references decoded so far (a few hundred at most in practice; bounded)."""


def _decode_reference(match: re.Match[str]) -> str:
    ref = match.group(0)
    decoded = _DECODED.get(ref)
    if decoded is None:
        decoded = html.unescape(ref)
        if len(_DECODED) < 4096:
            _DECODED[ref] = decoded
    return decoded


# --- the handler API ------------------------------------------------------------


@dataclass
class MarkdownContext:
    """What a handler gets besides the token: where it is, and helpers.

    ``line`` is the token's 1-based source line, ``marks`` the marks around
    an inline token (``()`` for block tokens), ``source`` the whole input.

    >>> from dast.convert.from_markdown import from_markdown
    >>> from dast.nodes import Block
    >>> def image(token, ctx):
    ...     return Block(item={"type": "item", "attributes": {"url": token["attrs"]["url"]}})
    >>> doc, report = from_markdown("![x](a.png)", handlers={"image": image})
    >>> doc.document.children[0].item["attributes"]["url"], len(report)
    ('a.png', 0)
    """

    line: int | None
    marks: tuple[str, ...]
    source: str
    _converter: TokenConverter = field(repr=False)

    def inline(self, children: Sequence[dict[str, Any]]) -> list[InlineNode]:
        """Convert mistune inline tokens (e.g. an image's alt) to inline nodes, marks applied.

        >>> from dast.convert.from_markdown import from_markdown
        >>> handlers = {"image": lambda tok, ctx: ctx.inline(tok["children"])}
        >>> doc, _ = from_markdown("**![a *b*](x.png)**", handlers=handlers)
        >>> [(s.value, s.marks) for s in doc.document.children[0].children]
        [('a ', ('strong',)), ('b', ('strong', 'emphasis'))]
        """
        out = self._converter.inline_tokens(children, self.marks, self.line)
        return [_model(node) for node in out if not isinstance(node, _Lifted)]

    def text(self, token: dict[str, Any]) -> str:
        """The plain text of a token and its children (alt text, cell text...).

        >>> from dast.convert.from_markdown import from_markdown
        >>> seen = []
        >>> _ = from_markdown("![a *b*](x.png)", handlers={
        ...     "image": lambda tok, ctx: seen.append(ctx.text(tok))})
        >>> seen
        ['a b']
        """
        return _plain_text(token)

    def report(self, kind: str, action: str, detail: str = "") -> None:
        """Add an entry to the report (at this token's line).

        >>> from dast.convert.from_markdown import from_markdown
        >>> def drop(tok, ctx):
        ...     ctx.report("table", "dropped", "tables are not wanted")
        ...     return []
        >>> print(from_markdown("x\\n\\n| a |\\n|---|", handlers={"table": drop}).report)
        line 3: table dropped: tables are not wanted
        """
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
class _HtmlLink:
    """Where an ``<a href>`` opened in a paragraph's inline content."""

    url: str
    meta: tuple[MetaEntry, ...] | None


def close_html_link(out: list[Any]) -> None:
    """Turn the content after the last open ``<a href>`` into a link (no-op if none is open).

    >>> out = [_HtmlLink("/u", None), Span(value="x")]
    >>> close_html_link(out)
    >>> out
    [Link(type='link', url='/u', children=(Span(type='span', value='x', marks=None),), meta=None)]
    """
    start = next((i for i in range(len(out) - 1, -1, -1) if isinstance(out[i], _HtmlLink)), None)
    if start is None:
        return
    opened = out[start]
    content = out[start + 1 :]
    del out[start:]
    spans: list[Span] = []
    after: list[Any] = []
    for item in content:
        if type(item) is dict:
            item = _model(item)
        if isinstance(item, Span):
            spans.append(item)
        elif isinstance(item, Link | ItemLink):
            spans.extend(item.children)
        else:
            after.append(item)
    url = opened.url
    label = tuple(spans) or (Span(value=""),)
    if url.startswith(_ITEM_URL) and len(url) > len(_ITEM_URL):
        out.append(ItemLink(item=url[len(_ITEM_URL) :], children=label, meta=opened.meta))
    else:
        out.append(Link(url=url, children=label, meta=opened.meta))
    out.extend(after)


@dataclass
class _Lifted:
    """A block-level node produced inside inline content."""

    node: RootChild


_new_paragraph: Callable[[dict[str, Any]], Paragraph] = (
    Paragraph.__pydantic_validator__.validate_python
)
_new_heading: Callable[[dict[str, Any]], Heading] = Heading.__pydantic_validator__.validate_python
_new_list: Callable[[dict[str, Any]], List] = List.__pydantic_validator__.validate_python
"""The model's own validation, called without ``__init__``'s Python wrapper (hot paths)."""


def _model(item: Any) -> Any:
    """An inline node kept as DAST JSON (a span or link dict) as its model; anything else as is.

    Inline content is gathered as JSON and validated with its paragraph or
    heading in one pydantic call (no model per span, and no check of a model
    instance per child); nodes that leave the converter by another way go
    through this.

    >>> _model({"type": "span", "value": "x"})
    Span(type='span', value='x', marks=None)
    """
    if type(item) is dict:
        return NODE_CLASS_BY_TYPE[item["type"]].__pydantic_validator__.validate_python(item)
    return item


def _blank_span(item: Any) -> bool:
    """True for a span (a model or its JSON) holding only whitespace."""
    if type(item) is dict:
        return item["type"] == "span" and not item["value"].strip()
    return isinstance(item, Span) and not item.value.strip()


class _Inlines:
    """Inline content being built: text runs with the same marks become one span.

    Spans (and links) are DAST JSON dicts, validated with their paragraph
    (see ``_model``). Spans come out merged as ``dast.canonical`` merges them (empty text is
    left out, adjacent text with the same canonical marks is joined), so a
    paragraph is built once, already canonical, with no span made and
    merged later.
    """

    __slots__ = ("items", "marks", "parts")

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.parts: list[str] = []  # text not yet in a span, under ``marks``
        self.marks: tuple[str, ...] | None = None

    def text(self, value: str, marks: tuple[str, ...] | None) -> None:
        """Add text under canonical ``marks``."""
        if not value:
            return
        parts = self.parts
        if parts and marks != self.marks:
            self.flush()
            parts = self.parts
        self.marks = marks
        parts.append(value)

    def add(self, node: Any) -> None:
        """Add a node (a span added this way is kept as it is)."""
        if self.parts:
            self.flush()
        self.items.append(node)

    def flush(self) -> None:
        """Turn the pending text into a span (after which ``items`` is complete)."""
        parts = self.parts
        if parts:
            value = parts[0] if len(parts) == 1 else "".join(parts)
            if self.marks is None:
                self.items.append({"type": "span", "value": value})
            else:
                self.items.append({"type": "span", "value": value, "marks": self.marks})
            self.parts = []


class _Inline:
    """Where an inline token sits: its paragraph's source and the line counter."""

    __slots__ = ("_starts", "dropped_marks", "html", "line0", "newlines", "search", "src")

    def __init__(self, src: str, line0: int | None) -> None:
        self.src = src
        self.line0 = line0  # 0-based line of the block
        self.newlines = 0  # line breaks met so far
        self.search = 0  # where to look for the next located token in src
        self.html: dict[str, int] = {}  # open mark tags (only those open)
        self.dropped_marks: set[str] = set()
        self._starts: list[int] | None = None

    def locate(self, needle: str | None) -> int | None:
        """The 1-based line of the next ``needle`` (after the line breaks counted)."""
        if self.line0 is None:
            return None
        line = self.newlines
        if needle:
            if self._starts is None:
                self._starts = [0] + [m.end() for m in re.finditer("\n", self.src)]
            start = self._starts[min(line, len(self._starts) - 1)]
            pos = self.src.find(needle, max(start, self.search))
            if pos >= 0:
                self.search = pos + len(needle)
                line = bisect_right(self._starts, pos) - 1
        return self.line0 + line + 1


class TokenConverter:
    """Builds DAST nodes from mistune tokens and notes what it changes (see the module).

    >>> converter = TokenConverter("# Hi", None, None, None, {})
    >>> tokens = [{"type": "heading", "attrs": {"level": 1}, "_line": 0,
    ...            "children": [{"type": "text", "raw": "Hi"}]}]
    >>> [(node.type, node.level) for node in converter.root(tokens)]
    [('heading', 1)]
    """

    def __init__(
        self,
        source: str,
        allowed_blocks: frozenset[str] | None,
        allowed_marks: frozenset[str] | None,
        allowed_levels: frozenset[int] | None,
        handlers: Mapping[str, Handler],
        html_handlers: Mapping[str, HtmlHandler] | None = None,
    ) -> None:
        self.html_handlers = dict(html_handlers or {})
        self.source = source
        self.allowed_blocks = allowed_blocks
        self.allowed_marks = allowed_marks
        self.allowed_levels = allowed_levels
        self.handlers = handlers
        self.entries: list[_Entry] = []
        self.lifted: list[tuple[RootChild, int | None]] = []
        self.used_refs: set[str] = set()
        self.canonical = True
        """False once a node not built canonical is in (from a handler, raw HTML, a table...):
        the document is then canonicalized."""
        self.html_links = False  # an <a href> was met: labels are gathered after the fact
        self.lifts = 0  # blocks met inside inline content
        self._mark_cache: dict[tuple[str, ...], tuple[str, ...] | None] = {}

    # -- reporting

    def note(
        self, kind: str, line: int | None, anchor: Node | None, action: str, detail: str = ""
    ) -> None:
        """Note a change: what (``kind``), at which 1-based source ``line``, about which node."""
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
        """The root's children for the top-level block tokens (lifted blocks after theirs)."""
        out: list[RootChild] = []
        for token in tokens:
            out.extend(self.block_token(token, "root"))  # never list items: fitted to the root
            if self.lifted:
                for node, line in self.lifted:
                    out.extend(self.fit(node, "root", line))
                self.lifted.clear()
        return out

    def blocks(self, tokens: list[dict[str, Any]], container: str) -> list[Any]:
        """The blocks for the tokens of a ``container`` (``"root"``, ``"item"``, ``"quote"``)."""
        out: list[Any] = []
        for token in tokens:
            out.extend(self.block_token(token, container))
        return out

    def block_token(self, token: dict[str, Any], container: str) -> list[Any]:
        """The blocks for one token (its handler's or the default conversion), fitted."""
        kind = token["type"]
        if kind == "blank_line":
            return []
        line = _line(token)
        handler = self.handlers.get(kind) if self.handlers else None
        if handler is not None:
            start = len(self.entries)
            result = handler(token, self._context(line, ()))
            if result is not None:
                out: list[Any] = []
                for node in self._block_results(result, kind, line):
                    out.extend(self.fit(node, container, line))
                self.anchor(start, out[0] if out else None)
                return out
        if kind == "paragraph" or kind == "block_text":  # the most common tokens
            nodes = self._inline_block(token, line, None)
        else:
            nodes = self._default_block(token, kind, line, container)
        if container == "root" and self.allowed_blocks is None:
            return nodes  # fitted as they are
        out = []
        for node in nodes:
            out.extend(self.fit(node, container, line))
        return out

    def _default_block(
        self, token: dict[str, Any], kind: str, line: int | None, container: str
    ) -> list[RootChild]:
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
            info = (token.get("attrs") or {}).get("info") or ""
            words = info.split(None, 1)
            node = Code(code=code, language=words[0] if words else None)
            if len(words) > 1:
                self.note("code", line, node, "info string cut to its first word (the language)",
                          excerpt(words[1]))  # fmt: skip
            return [node]
        if kind == "thematic_break":
            return [ThematicBreak()]
        if kind == "block_quote":
            children = self.blocks(token.get("children") or [], "quote")
            return [Blockquote(children=tuple(children) or (empty_paragraph(),))]
        if kind == "list":
            return [self._list(token, line)]
        if kind == "block_html":
            return self._html_block(token.get("raw", "").rstrip("\n"), line)
        if kind == "table":
            return self._table(token, line)
        if kind == "footnotes":
            return self._footnotes(token)
        # a token type from a plugin we do not know: keep what text it has
        text = _plain_text(token) or token.get("raw", "")
        para = Paragraph(children=(Span(value=text),))
        self.note(kind, line, para, "kept as text", excerpt(text))
        return [para]

    def _html_block(self, raw: str, line: int | None) -> list[RootChild]:
        """Raw HTML between blocks: read as HTML, or a placeholder ``to_markdown`` wrote."""
        if _BR.match(raw):  # a paragraph that is just a line break, as to_markdown writes it
            return [Paragraph(children=(Span(value="\n"),))]
        placeholder = _BLOCK_PLACEHOLDER.match(raw)
        if placeholder is not None:
            item = unescape(placeholder.group(1))
            if item != "new":
                return [Block(item=item)]
            self.note("block", line, None, "dropped", "a placeholder for a record without id")
            return []
        if _COMMENTS.match(raw):
            self.note("html_comment", line, None, "dropped", excerpt(raw))
            return []
        return list(self._html(raw, line))

    def _html(self, raw: str, line: int | None) -> tuple[RootChild, ...]:
        """Convert raw HTML with ``from_html``'s converter; its entries join the report."""
        self.canonical = False
        result = convert_html(
            raw,
            handlers=self.html_handlers,
            allowed=Allowed(self.allowed_blocks, self.allowed_marks, self.allowed_levels),
            keep_empty=False,
            line0=0 if line is None else line - 1,
        )
        for entry in result.entries:
            self.note(entry.kind, entry.line if line is not None else None, None, entry.action,
                      entry.detail)  # fmt: skip
        return result.children

    def _list(self, token: dict[str, Any], line: int | None) -> List:
        items: list[dict[str, Any]] = []  # as JSON, validated with the list (see ``_model``)
        for item in token.get("children") or []:
            children = self.blocks(item.get("children") or [], "item")
            items.append({"type": "listItem", "children": tuple(children) or (empty_paragraph(),)})
        attrs = token.get("attrs") or {}
        node = _new_list(
            {
                "style": "numbered" if attrs.get("ordered") else "bulleted",
                "children": tuple(items) or (ListItem(children=(empty_paragraph(),)),),
            }
        )
        start = attrs.get("start")
        if start is not None and start != 1:
            self.note("list", line, node, "renumbered from 1", f"the list started at {start}")
        return node

    def _table(self, token: dict[str, Any], line: int | None) -> list[RootChild]:
        self.canonical = False  # cells joined by " | "
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
        self.canonical = False  # labels put before the text
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
        tokens = token.get("children") or []
        if (
            len(tokens) == 1
            and tokens[0]["type"] == "text"
            and not self.handlers
            and self.allowed_marks is None
        ):  # plain text (a third of all paragraphs): one span
            raw = tokens[0].get("raw", "")
            span = {"type": "span", "value": unescape(raw) if "&" in raw else raw}
            if level is None:
                return [_new_paragraph({"children": (span,)})]
            return [_new_heading({"level": level, "children": (span,)})]
        where = _Inline(token.get("_src", ""), None if line is None else line - 1)
        start = len(self.entries)
        lifts = self.lifts
        items = self.inline_tokens(tokens, (), line, where)
        if self.lifts == lifts:  # no block inside: one paragraph or heading
            children = tuple(items) or (Span(value=""),)
            node: RootChild = (
                _new_paragraph({"children": children})
                if level is None
                else _new_heading({"level": level, "children": children})
            )
            if len(self.entries) > start:
                self.anchor(start, node)
            return [node]
        out: list[RootChild] = []
        group: list[InlineNode] = []

        def flush(force: bool) -> None:
            if not group and not force:
                return
            if not force and all(_blank_span(n) for n in group):
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
        if kind == "paragraph" or (container == "item" and kind == "list"):
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
        self.canonical = False
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
        """Inline nodes for inline tokens under ``marks`` (blocks from handlers are lifted)."""
        if where is None:
            where = _Inline("", None if line is None else line - 1)
        acc = _Inlines()
        if self.handlers or self.allowed_marks is not None:
            for token in tokens:
                self._inline_token(token, marks, where, acc)
        else:
            self._plain_inlines(tokens, marks, where, acc)
        acc.flush()
        out: list[InlineNode | _Lifted] = acc.items
        if self.html_links:
            while any(isinstance(item, _HtmlLink) for item in out):
                close_html_link(out)  # an <a> left open runs to the end, as in a browser
        return out

    def _plain_inlines(
        self,
        tokens: Iterable[dict[str, Any]],
        marks: tuple[str, ...],
        where: _Inline,
        out: _Inlines,
    ) -> None:
        """``_inline_token`` for each token, when there are no handlers and every mark is allowed.

        Text, code spans, breaks and mark tokens (the bulk of every paragraph)
        are read here in one loop, with a stack instead of recursion; the
        other tokens go to ``_inline_token``. Same nodes, same order.
        """
        cache = self._mark_cache
        stack: list[tuple[Iterator[dict[str, Any]], tuple[str, ...]]] = []
        tokens_left = iter(tokens)
        while True:
            for token in tokens_left:
                kind = token["type"]
                if kind == "text":
                    value = token.get("raw", "")
                    if "&" in value:
                        value = unescape(value)
                    key = marks
                elif kind in _NESTING_MARKS:
                    stack.append((tokens_left, marks))
                    marks = (*marks, _NESTING_MARKS[kind])
                    tokens_left = iter(token.get("children") or ())
                    break
                elif kind == "codespan":
                    value = token.get("raw", "")
                    key = (*marks, "code")
                elif kind == "softbreak" or kind == "linebreak":
                    value = " " if kind == "softbreak" else "\n"
                    key = marks
                    where.newlines += 1
                elif kind == "link":
                    out.add(self._link(token, marks, where))
                    if "ref" in token:
                        self.used_refs.add(token["ref"])
                    continue
                elif kind == "inline_html":
                    self._inline_html(token, marks, where, out)
                    continue
                else:
                    self._inline_token(token, marks, where, out)
                    continue
                if not value:
                    continue
                if where.html:
                    key = (*key, *where.html)
                found = cache.get(key, _UNKNOWN)
                if found is _UNKNOWN:
                    found = cache[key] = tuple(sorted(set(key), key=mark_key)) or None
                parts = out.parts
                if parts and found is not out.marks and found != out.marks:
                    out.flush()
                    parts = out.parts
                out.marks = found
                parts.append(value)
            else:
                if not stack:
                    return
                tokens_left, marks = stack.pop()

    def _span_marks(self, marks: tuple[str, ...], where: _Inline) -> tuple[str, ...] | None:
        """The canonical marks of text under ``marks`` and the open mark tags."""
        if self.allowed_marks is None and not where.html:
            known = self._mark_cache.get(marks, _UNKNOWN)
            if known is not _UNKNOWN:
                return known
            found = self._mark_cache[marks] = tuple(sorted(set(marks), key=mark_key)) or None
            return found
        line = where.locate(None)
        return self._marks({*marks, *where.html}, line, where)

    def _span(self, value: str, marks: tuple[str, ...], where: _Inline) -> Span:
        return Span(value=value, marks=self._span_marks(marks, where))

    def _text(self, out: _Inlines, value: str, marks: tuple[str, ...], where: _Inline) -> None:
        out.text(value, self._span_marks(marks, where))

    def _inline_token(
        self,
        token: dict[str, Any],
        marks: tuple[str, ...],
        where: _Inline,
        out: _Inlines,
    ) -> None:
        kind = token["type"]
        if kind == "text" and not self.handlers:  # the most common token, inlined
            raw = token.get("raw", "")
            if self.allowed_marks is None and not where.html:
                known = self._mark_cache.get(marks, _UNKNOWN)
                if known is _UNKNOWN:
                    known = self._span_marks(marks, where)
                out.text(unescape(raw) if "&" in raw else raw, known)
            else:
                self._text(out, unescape(raw) if "&" in raw else raw, marks, where)
            return
        if self.handlers:
            handler = self.handlers.get(kind)
            if handler is not None:
                line = where.locate(_needle(token))
                result = handler(token, self._context(line, marks))
                if result is not None:
                    for node in self._inline_results(result, kind, line):
                        out.add(node)
                    self._count_lines(token, where)
                    return
        if kind == "text":
            raw = token.get("raw", "")
            self._text(out, unescape(raw) if "&" in raw else raw, marks, where)
        elif kind in _MARK_TOKENS and kind != "codespan":
            inner = (*marks, _MARK_TOKENS[kind])
            for child in token.get("children") or []:
                self._inline_token(child, inner, where, out)
        elif kind == "codespan":
            self._text(out, token.get("raw", ""), (*marks, "code"), where)
        elif kind == "softbreak":
            self._text(out, " ", marks, where)
            where.newlines += 1
        elif kind == "linebreak":
            self._text(out, "\n", marks, where)
            where.newlines += 1
        elif kind == "link":
            out.add(self._link(token, marks, where))
        elif kind == "image":
            line = where.locate("![")
            link = self._image_link(token, marks, where)
            self.note("image", line, None, "converted to a link", _image_source(token))
            out.add(link)
        elif kind == "inline_html":
            self._inline_html(token, marks, where, out)
        elif kind == "footnote_ref":
            line = where.locate("[^")
            found = _FOOTNOTE_REF.match(where.src, where.search - 2)
            text = found.group(0) if found else f"[^{token.get('raw', '')}]"
            self._text(out, text, marks, where)
            self.note("footnote_ref", line, None, "kept as text", text)
        else:
            line = where.locate(None)
            text = _plain_text(token) or token.get("raw", "")
            self._text(out, text, marks, where)
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
    ) -> tuple[Any, ...]:
        """The spans of a link label, as JSON or models (anything else in it is reported and
        flattened)."""
        acc = _Inlines()
        children = token.get("children") or []
        if not self.handlers and self.allowed_marks is None:
            for child in children:
                if child["type"] == "image":
                    break
            else:  # no image: read at once
                self._plain_inlines(children, marks, where, acc)
                children = []
        for child in children:
            if child["type"] == "image" and "image" not in self.handlers:
                line = where.locate("![")
                for span in map(_model, self._label(child, marks, where, "image")):
                    acc.text(span.value, span.marks)
                self.note(
                    "image",
                    line,
                    None,
                    "kept as its alt text",
                    f"inside a {what} label: " + _image_source(child),
                )
                continue
            self._inline_token(child, marks, where, acc)
        acc.flush()
        items = acc.items
        if not self.handlers:
            for item in items:
                if type(item) is not dict or item["type"] != "span":
                    break
            else:  # text only: merged as it came
                return tuple(items) or (Span(value=""),)
        items = [_model(item) for item in items]
        if self.html_links:
            while any(isinstance(item, _HtmlLink) for item in items):
                close_html_link(items)
        spans = _Inlines()
        for item in items:
            if isinstance(item, Span):
                spans.text(item.value, item.marks)
            elif isinstance(item, Link | ItemLink):
                for span in item.children:
                    spans.text(span.value, span.marks)
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
        spans.flush()
        return tuple(spans.items) or (Span(value=""),)

    def _link(
        self, token: dict[str, Any], marks: tuple[str, ...], where: _Inline
    ) -> dict[str, Any]:
        """A link or item link, as DAST JSON (see ``_model``)."""
        attrs = token.get("attrs") or {}
        url = attrs.get("url", "")
        title = attrs.get("title")
        meta = None if not title else (MetaEntry(id="title", value=unescape(title)),)
        label = self._label(token, marks, where, "link")
        if title:
            where.newlines += title.count("\n")
        if url.startswith(_ITEM_URL) and len(url) > len(_ITEM_URL):
            return {"type": "itemLink", "item": url[len(_ITEM_URL) :], "children": label,
                    "meta": meta}  # fmt: skip
        return {"type": "link", "url": url, "children": label, "meta": meta}

    def _image_link(self, token: dict[str, Any], marks: tuple[str, ...], where: _Inline) -> Link:
        attrs = token.get("attrs") or {}
        url = attrs.get("url", "")
        title = attrs.get("title")
        meta = None if not title else (MetaEntry(id="title", value=unescape(title)),)
        label = self._label(token, marks, where, "image")
        if len(label) == 1 and _model(label[0]).value == "":
            span = self._span(url, marks, where)
            label = (span,) if url else (Span(value=""),)
        return Link(url=url, children=label, meta=meta)

    def _inline_html(
        self,
        token: dict[str, Any],
        marks: tuple[str, ...],
        where: _Inline,
        out: _Inlines,
    ) -> None:
        """A raw HTML tag inside a paragraph: marks, links, breaks and records are read,
        other tags keep the text around them (``img`` and the like go to ``from_html``)."""
        raw = token.get("raw", "")
        plain = _PLAIN_MARK_TAGS.get(raw)
        if plain is not None:
            self._mark_tag(*plain, raw, where)
            return
        parsed = parse_tag(raw)
        if parsed is None:
            line = where.locate(raw)
            where.newlines += raw.count("\n")
            if _COMMENTS.match(raw):
                self.note("html_comment", line, None, "dropped", excerpt(raw))
                return
            self._text(out, raw, marks, where)
            self.note("inline_html", line, None, "kept as text", excerpt(raw))
            return
        name, attrs, closing = parsed
        if name == "br" and not closing:
            self._text(out, "\n", marks, where)
            return
        mark = _HTML_MARKS.get(name)
        if mark is not None and not raw.endswith("/>"):
            self._mark_tag(name, mark, closing, raw, where)
            return
        line = where.locate(raw)
        where.newlines += raw.count("\n")
        if name == "a":
            self._html_link(attrs, closing, line, out)
            return
        if name == "span" and not closing:
            kind = attrs.get("data-dast") or attrs.get("data-dast-missing")
            item = attrs.get("data-item")
            if kind in ("inlineItem", "inlineBlock") and item and item != "new":
                record = InlineItem if kind == "inlineItem" else InlineBlock
                out.add(record(item=item))
                return
        if closing or name in _TRANSPARENT_TAGS:
            return  # the text inside is kept; an opening tag worth noting was noted
        if name in _CONVERTED_TAGS or name in self.html_handlers:
            for node in self._html(raw, line):
                if isinstance(node, Paragraph):
                    for child in node.children:
                        out.add(child)
                else:
                    self.lifts += 1
                    out.add(_Lifted(node))
            return
        action = "kept as text" if name in ("sup", "sub") else "tag dropped, text kept"
        self.note(name, line, None, action, excerpt(raw))

    def _mark_tag(self, name: str, mark: str, closing: bool, raw: str, where: _Inline) -> None:
        """An opening or closing mark tag (``<u>``, ``</em>``...): marks for the text after it."""
        count = where.html.get(mark, 0)
        if not closing:
            where.html[mark] = count + 1
        elif count > 1:
            where.html[mark] = count - 1
        elif count == 1:
            del where.html[mark]
        else:
            line = where.locate(raw)
            self.note(name, line, None, "dropped", f"{raw} closes nothing")

    def _html_link(
        self,
        attrs: Mapping[str, str | None],
        closing: bool,
        line: int | None,
        out: _Inlines,
    ) -> None:
        if closing:
            if self.html_links and any(isinstance(item, _HtmlLink) for item in out.items):
                out.flush()
                close_html_link(out.items)
            return
        href = attrs.get("href")
        if href is None:
            return
        href = href.strip(" \t\n\r\f")
        if is_unsafe_link(href):
            self.note("a", line, None, "kept as text", f"unsafe URL {excerpt(href)}")
            return
        meta = tuple(
            MetaEntry(id=name, value=value)
            for name, value in attrs.items()
            if name in ("target", "rel", "title", "hreflang") and value is not None
        )
        self.html_links = True  # the label is gathered and merged after the fact
        self.canonical = False
        out.add(_HtmlLink(href, meta or None))

    # -- handler results

    def _context(self, line: int | None, marks: tuple[str, ...]) -> MarkdownContext:
        return MarkdownContext(line, marks, self.source, self)

    def _results(self, result: Any, kind: str) -> list[Any]:
        self.canonical = False  # a handler's nodes are taken as they are
        many = isinstance(result, Sequence) and not isinstance(result, str | bytes)
        nodes = list(result) if many else [result]
        for node in nodes:
            kind_of_node = getattr(node, "type", None)
            if (
                kind_of_node not in _HANDLER_NODE_TYPES
                or not isinstance(node, NODE_CLASS_BY_TYPE[kind_of_node])
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
            if node.type in INLINE_NODE_TYPES:
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
            if node.type in INLINE_NODE_TYPES:
                out.append(node)
            else:
                self.lifts += 1
                out.append(_Lifted(node))
        return out


def _line(token: dict[str, Any]) -> int | None:
    line = token.get("_line")
    if line is None:
        line = token.get("_line_at")
        if line is None:
            return None
    return int(line) + 1


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


def empty_paragraph() -> Paragraph:
    """A paragraph holding one empty span (what an empty container gets).

    >>> empty_paragraph().children[0].value
    ''
    """
    return Paragraph(children=(Span(value=""),))


def block_paths(root: Root) -> dict[int, Path]:
    """Map ``id(node)`` to its path for every node of the tree (nested at most
    ``MAX_NESTING`` levels deep, so building every path is cheap).

    >>> root = Root(children=(empty_paragraph(),))
    >>> block_paths(root)[id(root.children[0])]
    ('children', 0)
    """
    return {id(node): path for node, _, path in iter_nodes(root)}
