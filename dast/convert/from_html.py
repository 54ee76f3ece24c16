"""HTML -> DAST on a real HTML5 parser (the only module that imports selectolax).

The HTML is parsed by **selectolax's lexbor backend**, a maintained C
implementation of the WHATWG HTML5 parsing algorithm: unclosed ``<p>`` and
``<li>``, misnested formatting (``<b><i>x</b>y</i>``), stray ``</div>``,
tables, character references and ``<pre>``'s leading newline all come out as
a browser builds them. It was chosen over justhtml (pure Python, also
spec-compliant, with its own sanitizer) because it is an order of magnitude
faster: on the 1.2 MB benchmark article rendered to HTML, lexbor parses in
about 7 ms and justhtml in about 95 ms (``benchmarks/bench_convert.py``);
the whole conversion takes about 175 ms with lexbor (7 MB/s), and
justhtml's parse alone would push it under the 5 MB/s budget. html5lib is
slower still and barely maintained; html5-parser needs a C build against
libxml2. Lexbor builds documents 10,000 elements deep without recursion,
and this module walks the tree with first-child / next-sibling pointers and
explicit stacks, so any depth converts. Lexbor gives no source positions:
the 1-based line of a reported element is found afterwards by matching
the n-th element of its tag in the tree to the n-th ``<tag`` of the source
(comments skipped), which is exact unless the parser invented elements of
that tag.

Mapping: ``h1``-``h6``, ``p``, ``ul``/``ol``/``li`` (nested, paragraphs in
items, stray content moved into the item before it), ``blockquote`` (a
direct ``footer`` or ``cite`` child is the attribution), ``pre`` (language from
``class="language-x"``, ``lang-x`` or ``data-language``, highlighted lines
from ``data-highlight``), ``hr``, ``a`` (``href``; ``target``, ``rel``,
``title``, ``hreflang`` into ``meta``; ``dato:item/ID`` gives an item
link), ``strong``/``b``, ``em``/``i``, ``u``/``ins``, ``s``/``del``/
``strike``, ``code``/``kbd``/``samp``/``tt``, ``mark`` -> highlight,
``<span class="mark-NAME">`` -> the custom mark ``NAME``, ``br`` -> ``\\n``.
Text whitespace is collapsed as a browser does (not inside ``pre``). The
placeholders ``to_html`` and ``to_markdown`` write for records
(``data-dast-missing`` / ``data-dast`` with ``data-item``) are read back as
blocks, inline items, inline blocks and item links.

Elements DAST cannot hold go to the user's ``handlers`` first (keyed by tag
name); without one, media, embeds, scripts and form controls are dropped,
tables become one paragraph per row (cells separated by `` | ``), and
other wrappers (``figure``, ``details``, ``sup``, unknown tags...) keep
their text: each such element is listed in the report with its line.
``javascript:``, ``vbscript:`` and ``data:`` URLs never become links.
The result is valid by construction: stray inline content is wrapped in
paragraphs, blocks are fitted into their container (a heading in a list
item becomes a paragraph, a quote in a list item gives its paragraphs, a
block record inside a list moves to the root after it...) and into the
``allowed`` rules, and it is validated before it is returned.

>>> doc, report = from_html('<h1>Hi</h1><p>Some <b>bold</b> text<img src="a.png"></p>')
>>> [child.type for child in doc.document.children]
['heading', 'paragraph']
>>> print(report)
line 1: img dropped: <img src="a.png">
"""

from __future__ import annotations

import html as html_module
import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..canonical import canonicalize
from ..definitions import HEADING_LEVELS
from ..nodes import (
    NODE_CLASS_BY_TYPE,
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
from .to_html import LINK_META_ATTRIBUTES

__all__ = [
    "LINK_META_ATTRIBUTES",
    "Allowed",
    "AllowedRules",
    "HtmlElement",
    "HtmlHandler",
    "HtmlResult",
    "convert_html",
    "from_html",
    "is_unsafe_link",
    "parse_tag",
]



class AllowedRules(Protocol):
    """What ``from_html`` reads from a field's settings (``None``: anything goes).

    Any object with these three attributes fits: the ``Allowed`` dataclass
    below, or the project's field settings.
    """

    @property
    def allowed_blocks(self) -> Collection[str] | None: ...  # pragma: no cover

    @property
    def allowed_marks(self) -> Collection[str] | None: ...  # pragma: no cover

    @property
    def allowed_heading_levels(self) -> Collection[int] | None: ...  # pragma: no cover


@dataclass(frozen=True)
class Allowed:
    """Plain ``AllowedRules``: the block types, marks and heading levels a field allows.

    >>> rules = Allowed(allowed_marks={"strong"}, allowed_heading_levels={1})
    >>> doc, report = from_html("<h2>T</h2><p><u>x</u></p>", allowed=rules)
    >>> [(c.type, c.children[0].marks) for c in doc.document.children]
    [('paragraph', None), ('paragraph', None)]
    >>> [entry.action for entry in report]
    ['converted to a paragraph', 'dropped']
    """

    allowed_blocks: Collection[str] | None = None
    allowed_marks: Collection[str] | None = None
    allowed_heading_levels: Collection[int] | None = None


@dataclass(frozen=True)
class HtmlElement:
    """An element handed to a handler: its tag, attributes, visible text and source.

    ``attrs`` maps attribute names to values (``None`` for a bare
    attribute), ``text`` is the element's text content with whitespace
    collapsed, ``html`` its outer HTML, ``line`` its 1-based source line
    when it can be found (else ``None``).

    >>> HtmlElement("img", {"src": "a.png"}, "", '<img src="a.png">').attrs["src"]
    'a.png'
    """

    tag: str
    attrs: Mapping[str, str | None]
    text: str
    html: str
    line: int | None = None


HtmlHandler = Callable[[HtmlElement], "Node | Sequence[Node] | None"]
"""``(element) -> node(s) | None``: convert one element (and its content) yourself.

Return DAST block or inline nodes (e.g. a ``Block`` whose ``item`` is a new
image block record), an empty sequence to drop the element silently, or
``None`` for the default conversion. Inline nodes join the text around the
element; block nodes end the paragraph and are fitted where they land (a
``block`` inside a list or quote moves to the root after it).
"""

_ASCII_WS = " \t\n\r\f"
_WS = re.compile(r"[ \t\n\r\f]+")
_TAG_START = re.compile(r"<!--.*?(?:-->|\Z)|<([A-Za-z][A-Za-z0-9:-]*)", re.S)
_UNSAFE_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.I)
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
_ITEM_URL = "dato:item/"
_HEADINGS = {f"h{level}": level for level in HEADING_LEVELS}
_MARK_TAGS = {
    "strong": "strong",
    "b": "strong",
    "em": "emphasis",
    "i": "emphasis",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "del": "strikethrough",
    "strike": "strikethrough",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
    "mark": "highlight",
}
_SILENT_SKIP = frozenset(
    {"head", "title", "meta", "link", "base", "template", "noscript", "col", "colgroup", "wbr"}
)
_DROPPED = frozenset(
    {
        "script", "style", "img", "picture", "iframe", "frame", "frameset", "video", "audio",
        "canvas", "object", "embed", "svg", "math", "input", "select", "textarea", "source",
        "track", "area", "map", "applet", "param", "dialog",
    }
)  # fmt: skip
_INLINE = frozenset(
    {
        "span", "font", "abbr", "acronym", "cite", "dfn", "time", "var", "small", "big", "bdi",
        "bdo", "data", "label", "q", "nobr", "a", "button", "output", "meter", "progress",
    }
)  # fmt: skip
_REPORTED_INLINE = frozenset({"sup", "sub"})
_FLOW = frozenset(
    {
        "div", "section", "article", "main", "header", "footer", "nav", "aside", "address",
        "center", "hgroup", "body", "html", "search", "caption", "thead", "tbody", "tfoot",
        "tr", "figcaption", "summary", "dt", "dd", "legend", "li", "fieldset", "optgroup",
    }
)  # fmt: skip
_REPORTED_FLOW = {
    "table": "converted to paragraphs (one per row, cells separated by ' | ')",
    "figure": "kept its text",
    "details": "kept its text",
    "form": "kept its text",
    "dl": "converted to paragraphs",
    "menu": "kept its text",
}
_PLACEHOLDER_TYPES = frozenset({"block", "inlineItem", "inlineBlock", "itemLink"})

# exit actions, pushed when an element is entered and popped when it is left
(_X_NONE, _X_FLOW, _X_MARK, _X_LINK, _X_LEAF, _X_LIST, _X_ITEM, _X_QUOTE, _X_ROW) = range(9)


# --- the pieces of a paragraph under construction ---------------------------------


class _Text:
    __slots__ = ("marks", "value")

    def __init__(self, value: str, marks: tuple[str, ...] | None) -> None:
        self.value = value
        self.marks = marks


class _LinkPart:
    __slots__ = ("item", "meta", "spans", "url", "used")

    def __init__(self, url: str, item: str | None, meta: tuple[MetaEntry, ...] | None) -> None:
        self.url = url
        self.item = item
        self.meta = meta
        self.spans: list[_Text] = []
        self.used = False  # an open link: has a piece of it been written


@dataclass
class _Box:
    """An open container: the root, a list (its items' children), an item or a quote."""

    kind: str  # "root", "list", "item", "quote"
    children: list[Any] = field(default_factory=list)
    style: str = "bulleted"  # lists
    attribution: str | None = None  # quotes


@dataclass
class _Leaf:
    """An open ``p`` or ``hN``: what its inline content becomes."""

    level: int | None  # None: a paragraph
    style: str | None
    element: int  # mem_id of the element
    notes: int  # how many notes there were when it opened
    emitted: bool = False


@dataclass
class _Note:
    kind: str
    node: int | None  # mem_id of the element, to find its line
    action: str
    detail: str
    line: int | None = None


@dataclass(frozen=True)
class HtmlResult:
    """What ``convert_html`` returns: the root's children (maybe none) and the report entries.

    >>> convert_html("<p>x</p>").children[0].type
    'paragraph'
    """

    children: tuple[RootChild, ...]
    entries: tuple[ReportEntry, ...]
    handled: bool = False  # nodes from handlers are in the result


def parse_tag(raw: str) -> tuple[str, dict[str, str | None], bool] | None:
    """Parse one start or end tag (``<a href="x">``, ``</b>``): name, attributes, closing.

    ``None`` if ``raw`` is not a single tag. Attribute values are decoded.

    >>> parse_tag('<a href="x?a=1&amp;b=2" target=_blank hidden>')
    ('a', {'href': 'x?a=1&b=2', 'target': '_blank', 'hidden': None}, False)
    >>> parse_tag("</STRONG >"), parse_tag("<!-- c -->")
    (('strong', {}, True), None)
    """
    m = _ONE_TAG.match(raw)
    if m is None:
        return None
    closing = bool(m.group(1))
    name = m.group(2).lower()
    if closing:
        return (name, {}, True) if not m.group(3).strip() else None
    attrs: dict[str, str | None] = {}
    for a in _ATTR.finditer(m.group(3)):
        key = a.group(1).lower()
        if key in attrs:
            continue
        value = a.group(2)
        if value is None:
            attrs[key] = None
            continue
        if value[:1] in "\"'":
            value = value[1:-1]
        attrs[key] = _unescape(value)
    return name, attrs, False


_ONE_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|"
    r"[^\s\"'=<>`]+))?)*\s*/?\s*)>\Z"
)
_ATTR = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")


def _unescape(text: str) -> str:
    return html_module.unescape(text) if "&" in text else text


def is_unsafe_link(url: str) -> bool:
    """True for the URLs that never become links: ``javascript:``, ``vbscript:``, any ``data:``.

    >>> is_unsafe_link(" jav\tascript:x"), is_unsafe_link("data:image/png;base64,AA")
    (True, True)
    """
    return bool(_UNSAFE_SCHEME.match(_IGNORED_IN_SCHEME.sub("", url)))


def _class_tokens(attrs: Mapping[str, str | None]) -> list[str]:
    value = attrs.get("class")
    return _WS.split(value.strip(_ASCII_WS)) if value else []


class _Converter:
    def __init__(
        self,
        handlers: Mapping[str, HtmlHandler],
        allowed: AllowedRules | None,
        base_url: str | None,
        read_styles: bool,
        keep_empty: bool = True,
    ) -> None:
        self.keep_empty = keep_empty
        self.handlers = {name.lower(): handler for name, handler in handlers.items()}
        blocks = None if allowed is None else allowed.allowed_blocks
        marks = None if allowed is None else allowed.allowed_marks
        levels = None if allowed is None else allowed.allowed_heading_levels
        self.blocks = None if blocks is None else frozenset(blocks)
        self.allowed_marks = None if marks is None else frozenset(marks)
        self.levels = None if levels is None else frozenset(levels)
        self.base_url = base_url
        self.read_styles = read_styles
        self.notes: list[_Note] = []
        self.boxes: list[_Box] = [_Box("root")]
        self.lifted: list[RootChild] = []
        self.leaves: list[_Leaf] = []
        self.inl: list[_Text | _LinkPart | InlineNode] = []
        self.space = True  # at a line start, or after a space: a space here collapses
        self.mark_stack: list[str] = []
        self.marks: tuple[str, ...] | None = None
        self.dropped_marks: set[str] = set()
        self.links: list[_LinkPart | None] = []  # open <a> elements (None: not a link)
        self.link_part: _LinkPart | None = None  # the piece of the open link in this block
        self.rows: list[int] = []
        self.inserted = 0  # how many times a handler returned nodes
        self.handled = False  # did a handler return nodes (the only nodes not built here)

    # -- reporting

    def note(
        self, kind: str, node: LexborNode | int | None, action: str, detail: str = ""
    ) -> None:
        where = node.mem_id if isinstance(node, LexborNode) else node
        self.notes.append(_Note(kind, where, action, detail))

    def changes(self) -> int:
        """A counter that moves whenever an element is reported or given to a handler."""
        return len(self.notes) + self.inserted

    def allows(self, kind: str) -> bool:
        return self.blocks is None or kind in self.blocks

    # -- the walk

    def run(self, body: LexborNode) -> None:
        node = body.child
        exits: list[int] = []
        depth = 0
        while node is not None:
            if self.enter(node, exits):
                child = node.child
                if child is not None:
                    node = child
                    depth += 1
                    continue
                self.leave(exits.pop())
            current: LexborNode = node
            node = None
            while True:
                nxt = current.next
                if nxt is not None:
                    node = nxt
                    break
                parent = current.parent
                if depth == 0 or parent is None:
                    break
                current = parent
                depth -= 1
                self.leave(exits.pop())
        self.flush()
        while len(self.boxes) > 1:
            self.close_box()

    def enter(self, node: LexborNode, exits: list[int]) -> bool:
        """Handle the start of ``node``; True (an exit action pushed) to walk its children."""
        tag = node.tag
        if tag == "-text":
            self.text(node.text_content or "")
            return False
        if tag is None or tag.startswith(("-", "_", "!")):
            return False  # comments, doctype
        handler = self.handlers.get(tag)
        if handler is not None:
            element = _element(node, tag)
            result = handler(element)
            if result is not None:
                self.insert(result, tag, node)
                return False
        if tag in _MARK_TAGS:
            self.push_mark(_MARK_TAGS[tag])
            exits.append(_X_MARK)
            return True
        if tag == "p":
            self.flush()
            attrs = node.attributes
            style = attrs.get("class") if self.read_styles else None
            self.leaves.append(_Leaf(None, style or None, node.mem_id, self.changes()))
            exits.append(_X_LEAF)
            return True
        if tag in _HEADINGS:
            self.flush()
            attrs = node.attributes
            style = attrs.get("class") if self.read_styles else None
            self.leaves.append(
                _Leaf(_HEADINGS[tag], style or None, node.mem_id, self.changes())
            )
            exits.append(_X_LEAF)
            return True
        if tag == "br":
            self.line_break()
            return False
        if tag == "a" or tag == "span":
            return self.enter_inline(node, tag, exits)
        if tag in ("ul", "ol", "menu"):
            return self.enter_list(node, tag, exits)
        if tag == "li" and self.boxes[-1].kind == "list":
            self.flush()
            self.boxes.append(_Box("item"))
            exits.append(_X_ITEM)
            return True
        if tag == "blockquote":
            return self.enter_quote(node, exits)
        if tag == "pre":
            self.pre(node)
            return False
        if tag == "hr":
            self.flush()
            self.emit(ThematicBreak(), node)
            return False
        if tag in ("td", "th"):
            if self.rows:
                if self.rows[-1]:
                    self.raw_text(" | ")
                self.rows[-1] += 1
            exits.append(_X_NONE)
            return True
        if tag in ("footer", "cite") and self.boxes[-1].kind == "quote" and not self.inl:
            parent = node.parent
            if parent is not None and parent.tag == "blockquote":
                self.boxes[-1].attribution = _WS.sub(" ", node.text(deep=True)).strip(" ")
                return False
        if tag == "div" and "data-dast-missing" in (attrs := node.attributes):
            walk = self.placeholder(node, attrs, exits)
            if walk is not None:
                return walk
        if tag in _FLOW or tag in _REPORTED_FLOW:
            if tag in _REPORTED_FLOW:
                self.note(tag, node, _REPORTED_FLOW[tag])
            self.flush()
            if tag == "tr":
                self.rows.append(0)
                exits.append(_X_ROW)
            else:
                exits.append(_X_FLOW)
            return True
        if tag in _SILENT_SKIP:
            return False
        if tag in _DROPPED:
            self.note(tag, node, "dropped", _describe(node, tag))
            return False
        if tag in _INLINE:
            exits.append(_X_NONE)
            return True
        if tag in _REPORTED_INLINE:
            self.note(tag, node, "kept as text", excerpt(_WS.sub(" ", node.text(deep=True))))
            exits.append(_X_NONE)
            return True
        self.note(tag, node, "kept its text", "an element DAST has no equivalent for")
        exits.append(_X_NONE)
        return True

    def leave(self, action: int) -> None:
        if action == _X_NONE:
            return
        if action == _X_MARK:
            self.mark_stack.pop()
            self.marks = self.mark_tuple()
        elif action == _X_FLOW:
            self.flush()
        elif action == _X_LINK:
            self.close_link()
        elif action == _X_LEAF:
            leaf = self.leaves[-1]
            # an empty <p></p> is an empty paragraph, but not one whose content was dropped
            empty = not leaf.emitted and leaf.notes == self.changes()
            self.flush(force=self.keep_empty and empty)
            self.leaves.pop()
        elif action == _X_ROW:
            self.flush()
            self.rows.pop()
        else:  # a list, an item or a quote
            self.flush()
            self.close_box()

    # -- inline content

    def mark_tuple(self) -> tuple[str, ...] | None:
        marks = set(self.mark_stack)
        if self.allowed_marks is not None:
            for mark in sorted(marks - self.allowed_marks, key=mark_key):
                if mark not in self.dropped_marks:
                    self.dropped_marks.add(mark)
                    self.note("mark", None, "dropped", f"{mark} is not allowed")
            marks &= self.allowed_marks
        return tuple(sorted(marks, key=mark_key)) or None

    def push_mark(self, mark: str) -> None:
        self.mark_stack.append(mark)
        self.marks = self.mark_tuple()

    def text(self, raw: str) -> None:
        text = _WS.sub(" ", raw)
        if self.space and text[:1] == " ":
            text = text[1:]
        if text:
            self.space = text[-1] == " "
            self.add(text)

    def raw_text(self, text: str) -> None:
        self.space = text[-1] == " "
        self.add(text)

    def add(self, text: str) -> None:
        marks = self.marks
        spans: list[Any]
        if self.links and self.links[-1] is not None:
            part = self.link_part
            if part is None:
                link = self.links[-1]
                part = self.link_part = _LinkPart(link.url, link.item, link.meta)
                link.used = True
                self.inl.append(part)
            spans = part.spans
        else:
            spans = self.inl
        last = spans[-1] if spans else None
        if isinstance(last, _Text) and last.marks == marks:
            last.value += text
        else:
            spans.append(_Text(text, marks))

    def line_break(self) -> None:
        self.rstrip()
        self.add("\n")
        self.space = True

    def rstrip(self) -> None:
        """Drop the spaces a browser does not show at the end of a line."""
        parts: list[Any] = self.inl
        index = len(parts) - 1
        while index >= 0:
            part = parts[index]
            if isinstance(part, _LinkPart):
                if _rstrip_spans(part.spans):
                    return
            elif isinstance(part, _Text):
                part.value = part.value.rstrip(" ")
                if part.value:
                    return
                del parts[index]
            else:
                return
            index -= 1

    def enter_inline(self, node: LexborNode, tag: str, exits: list[int]) -> bool:
        attrs = node.attributes
        if tag == "span":
            if "data-dast-missing" in attrs or "data-dast" in attrs:
                walk = self.placeholder(node, attrs, exits)
                if walk is not None:
                    return walk
            tokens = _class_tokens(attrs)
            if len(tokens) == 1 and tokens[0].startswith("mark-") and len(tokens[0]) > 5:
                self.push_mark(tokens[0][5:])
                exits.append(_X_MARK)
                return True
            exits.append(_X_NONE)
            return True
        href = attrs.get("href")
        if href is None or (self.links and self.links[-1] is not None):
            self.links.append(None)
            exits.append(_X_LINK)
            return True
        href = href.strip(_ASCII_WS)
        if is_unsafe_link(href):
            self.note("a", node, "kept as text", f"unsafe URL {excerpt(href)}")
            self.links.append(None)
            exits.append(_X_LINK)
            return True
        item = None
        if href.startswith(_ITEM_URL) and len(href) > len(_ITEM_URL):
            item = href[len(_ITEM_URL) :]
        elif self.base_url:
            href = urljoin(self.base_url, href)
        meta = tuple(
            MetaEntry(id=name, value=value)
            for name, value in attrs.items()
            if name in LINK_META_ATTRIBUTES and value is not None
        )
        self.open_link(_LinkPart(href, item, meta or None), exits)
        return True

    def open_link(self, link: _LinkPart, exits: list[int]) -> None:
        self.links.append(link)
        self.link_part = None
        exits.append(_X_LINK)

    def close_link(self) -> None:
        link = self.links.pop()
        if link is None:
            return
        if not link.used:  # an empty link: ``<a href="x"></a>`` is what an empty label gives
            self.inl.append(_LinkPart(link.url, link.item, link.meta))
        self.link_part = None

    def placeholder(
        self, node: LexborNode, attrs: Mapping[str, str | None], exits: list[int]
    ) -> bool | None:
        """A record placeholder written by ``to_html`` or ``to_markdown``: read it back.

        ``None``: not a placeholder; else whether to walk its children.
        """
        kind = attrs.get("data-dast-missing") or attrs.get("data-dast")
        item = attrs.get("data-item")
        if kind not in _PLACEHOLDER_TYPES or not item:
            return None
        if item == "new":
            self.note(node.tag or "", node, "dropped", f"a {kind} placeholder without record id")
            return False
        if kind == "itemLink":
            self.open_link(_LinkPart("", item, None), exits)
            return True
        if kind == "block":
            self.flush()
            self.emit(Block(item=item), node)
            return False
        inline = InlineItem(item=item) if kind == "inlineItem" else InlineBlock(item=item)
        self.inline_node(inline)
        return False

    def inline_node(self, node: InlineNode) -> None:
        self.inl.append(node)
        self.link_part = None
        self.space = False

    # -- blocks

    def flush(self, force: bool = False) -> None:
        """End the current paragraph or heading (``force``: even if it is empty)."""
        self.rstrip()
        parts = self.inl
        self.inl = []
        self.link_part = None
        self.space = True
        children: list[InlineNode] = []
        for part in parts:
            if isinstance(part, _Text):
                if part.value:
                    children.append(Span(value=part.value, marks=part.marks))
            elif isinstance(part, _LinkPart):
                spans = tuple(Span(value=s.value, marks=s.marks) for s in part.spans if s.value)
                label = spans or (Span(value=""),)
                if part.item is not None:
                    children.append(ItemLink(item=part.item, children=label, meta=part.meta))
                else:
                    children.append(Link(url=part.url, children=label, meta=part.meta))
            else:
                children.append(part)
        if not children and not force:
            return
        leaf = self.leaves[-1] if self.leaves else None
        content = tuple(children) or (Span(value=""),)
        node: RootChild
        if leaf is not None and leaf.level is not None:
            node = self.heading(leaf, content)
        else:
            node = Paragraph(children=content, style=None if leaf is None else leaf.style)
        if leaf is not None:
            leaf.emitted = True
        self.emit(node, None)

    def heading(self, leaf: _Leaf, content: tuple[InlineNode, ...]) -> RootChild:
        level = leaf.level
        assert level is not None
        why = ""
        if not self.allows("heading"):
            why = "heading is not allowed"
        elif self.levels is not None and level not in self.levels:
            why = f"heading level {level} is not allowed"
        elif self.boxes[-1].kind != "root":
            why = f"DAST does not allow a heading in a {_WHERE[self.boxes[-1].kind]}"
        if why:
            self.note(f"h{level}", leaf.element, "converted to a paragraph", why)
            return Paragraph(children=content, style=leaf.style)
        return Heading(level=level, children=content, style=leaf.style)

    def emit(self, node: RootChild, element: LexborNode | None) -> None:
        """Put a finished block into the open container, fitted to what it accepts."""
        box = self.boxes[-1]
        kind = node.type
        if isinstance(node, Heading) and self.levels is not None and node.level not in self.levels:
            return self.degrade(node, element, f"heading level {node.level} is not allowed")
        if kind == "paragraph" or (kind == "list" and box.kind != "quote") or box.kind == "root":
            if not self.allows(kind) and kind != "paragraph":
                return self.degrade(node, element, f"{kind} is not allowed")
            self.put(box, node)
            return None
        return self.degrade(node, element, f"DAST does not allow it in a {_WHERE[box.kind]}")

    def put(self, box: _Box, node: RootChild) -> None:
        if box.kind == "list":
            if not box.children:
                box.children.append([])
            box.children[-1].append(node)
        else:
            box.children.append(node)
            if box.kind == "root" and self.lifted:
                box.children.extend(self.lifted)
                self.lifted.clear()

    def degrade(self, node: RootChild, element: LexborNode | None, why: str) -> None:
        if isinstance(node, Block):
            if self.allows("block") and len(self.boxes) > 1:
                self.lifted.append(node)
                self.note("block", element, "moved to the root", why)
            else:
                self.note("block", element, "dropped", why)
        elif isinstance(node, ThematicBreak):
            self.note("hr", element, "dropped", why)
        elif isinstance(node, Code):
            keep = self.allowed_marks is None or "code" in self.allowed_marks
            marks = ("code",) if keep else None
            lang = f" ({node.language})" if node.language else ""
            self.note("pre", element, "converted to a paragraph of code text", why + lang)
            para = Paragraph(children=(Span(value=node.code, marks=marks),))
            self.put(self.boxes[-1], para)
        elif isinstance(node, Heading):  # a handler's (the HTML's are fitted as they open)
            self.note(f"h{node.level}", element, "converted to a paragraph", why)
            self.put(self.boxes[-1], Paragraph(children=node.children, style=node.style))
        elif isinstance(node, List | Blockquote):  # a handler's: its paragraphs, in order
            flat = "flattened into its paragraphs"
            action = "converted to paragraphs" if node.type == "list" else flat
            self.note(node.type, element, action, why)
            for paragraph in _paragraphs_of(node):
                self.put(self.boxes[-1], paragraph)
        else:  # pragma: no cover - paragraphs always fit
            self.put(self.boxes[-1], node)

    def enter_list(self, node: LexborNode, tag: str, exits: list[int]) -> bool:
        self.flush()
        box = self.boxes[-1]
        if not self.allows("list") or box.kind == "quote":
            why = "list is not allowed" if not self.allows("list") else "a quote holds paragraphs"
            self.note(tag, node, "converted to paragraphs", why)
            exits.append(_X_FLOW)
            return True
        if tag == "ol":
            start = node.attributes.get("start")
            if start is not None and start.strip(_ASCII_WS) not in ("", "1"):
                self.note(tag, node, "renumbered from 1", f"the list started at {excerpt(start)}")
        self.boxes.append(_Box("list", style="numbered" if tag == "ol" else "bulleted"))
        exits.append(_X_LIST)
        return True

    def enter_quote(self, node: LexborNode, exits: list[int]) -> bool:
        self.flush()
        box = self.boxes[-1]
        if not self.allows("blockquote") or box.kind != "root":
            why = (
                "blockquote is not allowed"
                if not self.allows("blockquote")
                else f"DAST does not allow a quote in a {_WHERE[box.kind]}"
            )
            self.note("blockquote", node, "flattened into its paragraphs", why)
            exits.append(_X_FLOW)
            return True
        self.boxes.append(_Box("quote"))
        exits.append(_X_QUOTE)
        return True

    def close_box(self) -> None:
        box = self.boxes.pop()
        parent = self.boxes[-1]
        node: RootChild
        if box.kind == "item":
            if parent.kind == "list":
                parent.children.append(box.children)
            else:  # pragma: no cover - items only open in lists
                for child in box.children:
                    self.emit(child, None)
            return
        if box.kind == "list":
            items = tuple(
                ListItem(children=tuple(children) or (Paragraph(children=(Span(value=""),)),))
                for children in box.children
            )
            if not items:
                return
            node = List(style=box.style, children=items)
        else:
            if not box.children and box.attribution is None:
                return
            children = tuple(box.children) or (Paragraph(children=(Span(value=""),)),)
            node = Blockquote(children=children, attribution=box.attribution)
        self.emit(node, None)

    def pre(self, node: LexborNode) -> None:
        self.flush()
        attrs = node.attributes
        code_el = node.child
        while code_el is not None and code_el.tag == "-text" and _blank(code_el):
            code_el = code_el.next
        inner_attrs: Mapping[str, str | None] = {}
        if code_el is not None and code_el.tag == "code" and code_el.next is None:
            inner_attrs = code_el.attributes
        language = attrs.get("data-language") or inner_attrs.get("data-language")
        if not language:
            for token in _class_tokens(inner_attrs) + _class_tokens(attrs):
                if token.startswith("language-") and len(token) > 9:
                    language = token[9:]
                    break
                if token.startswith("lang-") and len(token) > 5:
                    language = token[5:]
                    break
        highlight = None
        lines = attrs.get("data-highlight")
        if lines and re.fullmatch(r"\d+(?:,\d+)*", lines):
            highlight = tuple(int(n) for n in lines.split(","))
        code = Code(code=_pre_text(node), language=language or None, highlight=highlight)
        self.emit(code, node)

    def insert(self, result: Any, tag: str, element: LexborNode | None = None) -> None:
        self.handled = True
        self.inserted += 1
        many = isinstance(result, Sequence) and not isinstance(result, str | bytes)
        for node in list(result) if many else [result]:
            kind = getattr(node, "type", None)
            if kind is None or not isinstance(node, NODE_CLASS_BY_TYPE.get(kind, ())) or kind in (
                "root",
                "listItem",
            ):
                raise ConversionError(
                    f"the handler for <{tag}> returned {node!r}: handlers return DAST "
                    "block or inline nodes (not list items, roots or documents)"
                )
            if isinstance(node, Span):
                if node.value:
                    saved, depth = self.marks, len(self.mark_stack)
                    self.mark_stack.extend(node.marks or ())
                    self.marks = self.mark_tuple()  # the allowed marks apply to a handler's too
                    self.raw_text(node.value)
                    del self.mark_stack[depth:]
                    self.marks = saved
            elif isinstance(node, Link | ItemLink | InlineItem | InlineBlock):
                self.inline_node(node)
            else:
                assert isinstance(node, _BLOCK_CLASSES)
                self.flush()
                self.emit(node, element)


_BLOCK_CLASSES = (Paragraph, Heading, List, Code, Blockquote, Block, ThematicBreak)


def _paragraphs_of(node: List | Blockquote) -> list[Paragraph]:
    """The paragraphs of a list or quote in document order (lists nested in items included)."""
    found: list[Paragraph] = []
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Paragraph):
            found.append(current)
        elif isinstance(current, List | Blockquote | ListItem):
            stack.extend(reversed(current.children))
    return found
_WHERE = {"item": "list item", "quote": "quote", "list": "list", "root": "root"}


def _rstrip_spans(spans: list[_Text]) -> bool:
    """Strip trailing spaces off ``spans``; True if some text is left."""
    while spans:
        spans[-1].value = spans[-1].value.rstrip(" ")
        if spans[-1].value:
            return True
        spans.pop()
    return False


def _blank(node: LexborNode) -> bool:
    return not (node.text_content or "").strip(_ASCII_WS)


def _pre_text(node: LexborNode) -> str:
    """The text of a ``pre`` as shown (``br`` is a line break), walked without recursion."""
    parts: list[str] = []
    stack: list[LexborNode] = []
    child = node.child
    while child is not None or stack:
        if child is None:
            child = stack.pop().next
            continue
        tag = child.tag
        if tag == "-text":
            parts.append(child.text_content or "")
        elif tag == "br":
            parts.append("\n")
        elif child.child is not None and tag not in ("script", "style", "template"):
            stack.append(child)
            child = child.child
            continue
        child = child.next
    return "".join(parts)


def _element(node: LexborNode, tag: str) -> HtmlElement:
    return HtmlElement(
        tag, dict(node.attributes), _WS.sub(" ", node.text(deep=True)).strip(" "), node.html or ""
    )


def _describe(node: LexborNode, tag: str) -> str:
    if tag in ("script", "style"):
        return excerpt(_WS.sub(" ", node.text(deep=True)).strip(" "))
    html = node.html or ""
    if node.child is not None:
        end = html.find(">")
        html = html[: end + 1] if end >= 0 else html
    return excerpt(html)


# --- lines of reported elements ---------------------------------------------------


def _lines(parser: LexborHTMLParser, source: str, notes: list[_Note], line0: int) -> None:
    """Fill in the source line of each note about an element (see the module doc)."""
    wanted = {note.node for note in notes if note.node is not None}
    if not wanted:
        return
    root = parser.root
    if root is None:  # pragma: no cover - lexbor always builds <html>
        return
    ordinal: dict[int, tuple[str, int]] = {}
    counts: dict[str, int] = {}
    for node in root.traverse(include_text=False):
        tag = node.tag
        if tag is None:
            continue
        count = counts.get(tag, 0)
        counts[tag] = count + 1
        if node.mem_id in wanted:
            ordinal[node.mem_id] = (tag, count)
    offsets: dict[str, list[int]] = {}
    for m in _TAG_START.finditer(source):
        name = m.group(1)
        if name:
            offsets.setdefault(name.lower(), []).append(m.start())
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    for note in notes:
        if note.node is None or note.node not in ordinal:
            continue
        tag, index = ordinal[note.node]
        found = offsets.get(tag, [])
        if index < len(found):
            note.line = line0 + bisect_right(starts, found[index])


# --- entry points -----------------------------------------------------------------


def convert_html(
    html: str,
    *,
    handlers: Mapping[str, HtmlHandler] | None = None,
    allowed: AllowedRules | None = None,
    base_url: str | None = None,
    read_styles: bool = False,
    keep_empty: bool = True,
    line0: int = 0,
) -> HtmlResult:
    """Convert HTML to root-level DAST blocks (possibly none) and report entries.

    What ``from_html`` and the markdown reader (for raw HTML) share; lines
    in the entries are counted from ``line0 + 1``. ``keep_empty=False``
    drops empty ``p`` and ``hN`` elements (in markdown, ``<p align="center">``
    alone on its lines opens an element whose content is markdown).

    >>> result = convert_html("<details>", line0=4)
    >>> result.children, [(e.kind, e.line) for e in result.entries]
    ((), [('details', 5)])
    """
    converter = _Converter(handlers or {}, allowed, base_url, read_styles, keep_empty)
    parser = LexborHTMLParser(html)
    body = parser.body
    if body is not None:
        try:
            converter.run(body)
        except RecursionError:  # pragma: no cover - the walk is iterative
            raise ConversionError("the HTML is nested too deeply to convert") from None
    _lines(parser, html, converter.notes, line0)
    root_box = converter.boxes[0]
    children = list(root_box.children) + converter.lifted
    entries = tuple(
        ReportEntry(n.kind, n.line, None, n.action, n.detail) for n in converter.notes
    )
    return HtmlResult(tuple(children), entries, converter.handled)


def from_html(
    html: str,
    *,
    handlers: Mapping[str, HtmlHandler] | None = None,
    allowed: AllowedRules | None = None,
    base_url: str | None = None,
    read_styles: bool = False,
    strict: bool = False,
) -> Conversion[Document]:
    """Convert HTML to a valid canonical DAST ``Document``, with a report.

    ``handlers`` map tag names to ``HtmlHandler`` callbacks; ``allowed``
    (field settings, or ``Allowed``) limits block types, marks and heading
    levels (what is not allowed is degraded and reported); ``base_url``
    resolves relative ``href`` values; ``read_styles`` reads the ``class``
    of ``p`` and ``hN`` as their ``style`` (what ``to_html`` writes).
    Everything the conversion drops or changes is in the report, with its
    source line; ``strict=True`` raises ``ConversionError`` instead.

    >>> from dast.nodes import Block
    >>> def image(el):
    ...     return Block(item={"type": "item", "attributes": {"url": el.attrs["src"]}})
    >>> doc, report = from_html('<p>Logo: <img src="a.png"> end</p>', handlers={"img": image})
    >>> [c.type for c in doc.document.children], len(report)
    (['paragraph', 'block', 'paragraph'], 0)
    """
    if not isinstance(html, str):
        raise ConversionError(f"from_html reads a str, not {type(html).__name__}")
    result = convert_html(
        html, handlers=handlers, allowed=allowed, base_url=base_url, read_styles=read_styles
    )
    children = result.children or (Paragraph(children=(Span(value=""),)),)
    document = canonicalize(Document(document=Root(children=children)))
    # the nodes built here are valid by construction (pydantic checks each one as it is
    # made, the fitting keeps every child where DAST allows it); a handler's are checked
    problems = validate(document).problems if result.handled else ()
    if problems:
        raise ConversionError(
            "the converted document is not valid DAST (check the handlers): "
            + "; ".join(str(p) for p in problems)
        )
    report_entries = result.entries
    if strict and report_entries:
        count = len(report_entries)
        raise ConversionError(
            f"HTML to DAST is not lossless (strict=True), {count} "
            + ("problem" if count == 1 else "problems"),
            report_entries,
        )
    return Conversion(document, ConversionReport(report_entries))

