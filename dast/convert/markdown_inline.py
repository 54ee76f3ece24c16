"""Inline DAST -> CommonMark: escaping, mark delimiters, code spans, links.

The text of a paragraph or heading must come back as exactly the same spans
when a CommonMark reader (with the strikethrough ``~~``, highlight ``==``
extensions) parses it, so this module is careful about three things:

* **escaping**: ``\\ ` * _ [ ] < | ~`` are always backslash-escaped, ``=``
  and ``+`` when doubled or at the edge of a run, ``!`` at the end of a
  run, ``&`` (as ``&amp;``) when it would start an entity, ``#`` in
  headings, and what would start a block at the start of a line (``#``,
  ``>``, ``-``, ``+``, ``=``, ``1.``). Whitespace at the start or end of a
  line, which markdown strips, and ``\\r``, which it turns into a newline,
  are written as numeric character references (``&#32;``, ``&#13;``); a
  link label starting with ``^`` gets its ``^`` escaped (``[^x]`` would be
  a footnote).
* **marks**: marks stay open across spans that share them (outermost in
  canonical order); strong is ``**``, emphasis ``_``, strikethrough ``~~``,
  highlight ``==``, code a backtick span, underline ``<u>``. When a
  delimiter would not open or close where it stands (CommonMark's
  flanking rules: ``_`` inside a word, ``**`` next to a space or
  punctuation, ...) or a code span cannot hold the text, the mark is
  written as its HTML tag instead (``<strong>``, ``<em>``, ``<s>``,
  ``<mark>``, ``<code>``), which markdown readers and ``from_markdown``
  understand.
* **line breaks**: ``\\n`` in a span is a backslash hard break, or ``<br>``
  where a backslash break cannot stand (end of a paragraph, headings).

>>> from dast.nodes import Span
>>> render_inlines([Span(value="a*b "), Span(value="bold", marks=("strong",))])
'a\\\\*b **bold**'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..definitions import DEFAULT_MARKS
from ..errors import Path
from ..nodes import InlineBlock, InlineItem, InlineNode, ItemLink, Link, Span
from .items import CALLBACK_OPTIONS, MARK_HTML_TAGS, ItemRef, RecordRenderer, mark_key
from .report import Reporter, excerpt

__all__ = [
    "InlineOptions",
    "code_span",
    "escape_text",
    "link_destination",
    "link_title",
    "render_inlines",
]

_ALWAYS = frozenset("\\`*_[]<|~")
_CHARREF = re.compile(r"#[0-9]{1,7};|#[xX][0-9a-fA-F]+;|[^\t\n\f <&#;]{1,32};")
_BLOCK_START = frozenset("#>-+=")
_NOT_ENTITY = frozenset({0x0B, 0x85, *range(0x1C, 0x20)})  # references that do not decode back


def _ref(char: str) -> str:
    code = ord(char)
    return char if code in _NOT_ENTITY else f"&#{code};"


def escape_text(text: str, *, line_start: bool, line_end: bool, heading: bool = False) -> str:
    r"""Escape a run of span text so markdown reads it back as the same characters.

    ``line_start`` / ``line_end``: the run begins / ends a line of the block.

    >>> escape_text("# 1. a_b  ", line_start=True, line_end=True)
    '\\# 1. a\\_b&#32;&#32;'
    >>> escape_text("1. x", line_start=True, line_end=False)
    '1\\. x'
    """
    n = len(text)
    start, end = 0, n
    lead = trail = ""
    if line_start:
        while start < n and text[start].isspace():
            start += 1
        lead = "".join(_ref(c) for c in text[:start])
    if line_end:
        while end > start and text[end - 1].isspace():
            end -= 1
        trail = "".join(_ref(c) for c in text[end:])
    out: list[str] = [lead]
    digits_end = -1
    if line_start and start == 0:
        digits_end = 0
        while digits_end < n and text[digits_end].isdigit():
            digits_end += 1
    for i in range(start, end):
        c = text[i]
        if c in _ALWAYS:
            out.append("\\" + c)
        elif c == "\r":
            out.append("&#13;")
        elif c == "&":
            # "&amp;", not "\\&": readers merge escaped characters into the text around
            out.append("&amp;" if _CHARREF.match(text, i + 1) else "&")
        elif c in "=+" and (
            i == 0 or i == n - 1 or text[i - 1] == c or (i + 1 < n and text[i + 1] == c)
        ):
            out.append("\\" + c)
        elif c == "!" and i == n - 1:
            out.append("\\!")
        elif c == "#" and heading:
            out.append("\\#")
        elif (i == 0 and line_start and c in _BLOCK_START) or (
            i == digits_end and i > 0 and c in ".)"
        ):
            out.append("\\" + c)
        else:
            out.append(c)
    out.append(trail)
    return "".join(out)


def code_span(code: str) -> str:
    """A backtick code span holding ``code`` literally (no ``\\n`` or ``\\r`` in it).

    >>> code_span("a`b"), code_span("`x`"), code_span(" ")
    ('``a`b``', '`` `x` ``', '` `')
    """
    runs = {len(m) for m in re.findall(r"`+", code)}
    size = 1
    while size in runs:
        size += 1
    fence = "`" * size
    pad = code.startswith("`") or code.endswith("`")
    if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
        pad = True
    return f"{fence} {code} {fence}" if pad else f"{fence}{code}{fence}"


def link_destination(url: str) -> str:
    r"""A link destination markdown reads back as ``url``.

    >>> link_destination("https://x.y/a_(b)"), link_destination(""), link_destination("a b")
    ('https://x.y/a_\\(b\\)', '<>', '<a b>')
    """
    if url == "" or any(c.isspace() or c in "<>" or ord(c) < 0x20 for c in url):
        body = re.sub(r"([\\<>])", r"\\\1", url)
        body = re.sub(r"&(?=" + _CHARREF.pattern + ")", "&amp;", body)
        return f"<{body}>"
    body = re.sub(r"([\\()])", r"\\\1", url)
    return re.sub(r"&(?=(?:" + _CHARREF.pattern + "))", "&amp;", body)


def link_title(title: str) -> str:
    r"""A double-quoted link title markdown reads back as ``title``.

    >>> print(link_title('say "hi" & \\ bye\n'))
    "say \"hi\" &amp; \\ bye&#10;"
    """
    out = []
    for c in title:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "&":
            out.append("&amp;")
        elif c in "\n\r":
            out.append(f"&#{ord(c)};")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


@dataclass
class InlineOptions:
    """What inline rendering needs from the block renderer: callbacks and the reporter.

    >>> InlineOptions().heading
    False
    """

    reporter: Reporter | None = None
    render_inline_item: RecordRenderer | None = None
    render_inline_block: RecordRenderer | None = None
    heading: bool = False


# --- events -----------------------------------------------------------------

_OPEN, _CLOSE, _TEXT, _BREAK, _ATOM = range(5)


@dataclass
class _Event:
    kind: int
    value: str = ""  # text (raw, unescaped) / atom markdown / mark name
    out: str = ""  # final markdown
    region: int = -1  # open/close: index of the region


@dataclass
class _Region:
    mark: str
    open_at: int
    close_at: int = -1
    html: bool = False


def _segments(
    children: Sequence[InlineNode], path: Path, opts: InlineOptions
) -> list[tuple[int, str, tuple[str, ...]]]:
    """Flatten inline nodes into (kind, value, marks) with ``\\n`` as breaks."""
    segs: list[tuple[int, str, tuple[str, ...]]] = []
    for index, child in enumerate(children):
        child_path = (*path, "children", index)
        if isinstance(child, Span):
            marks = tuple(dict.fromkeys(child.marks or ()))
            custom = [m for m in marks if m not in DEFAULT_MARKS]
            if custom and opts.reporter is not None:
                names = ", ".join(sorted(custom))
                opts.reporter.add(
                    "mark",
                    "dropped",
                    f"custom mark {names} on {excerpt(child.value, 30)}",
                    path=child_path,
                )
            marks = tuple(sorted((m for m in marks if m in DEFAULT_MARKS), key=mark_key))
            parts = child.value.split("\n")
            for k, part in enumerate(parts):
                if k:
                    segs.append((_BREAK, "\n", marks))
                if part:
                    segs.append((_TEXT, part, marks))
        elif isinstance(child, Link | ItemLink):
            segs.append((_ATOM, _link(child, child_path, opts), ()))
        elif isinstance(child, InlineItem | InlineBlock):
            segs.append((_ATOM, _record(child, child_path, opts), ()))
    return segs


def _link(node: Link | ItemLink, path: Path, opts: InlineOptions) -> str:
    label_opts = InlineOptions(
        opts.reporter, opts.render_inline_item, opts.render_inline_block, opts.heading
    )
    label = _render(node.children, path, label_opts, label=True)
    if label.startswith("^"):
        label = "\\" + label  # "[^x]" would be a footnote reference
    url = node.url if isinstance(node, Link) else f"dato:item/{node.item}"
    title = ""
    for entry in node.meta or ():
        if entry.id == "title" and not title and entry.value:
            title = " " + link_title(entry.value)
            continue
        if opts.reporter is None:
            continue
        if entry.id == "title" and not entry.value:
            why = "an empty title cannot be written"
        elif entry.id == "title":
            why = "a link has one title"
        else:
            why = "markdown links only have a title"
        shown = f"{excerpt(entry.id, 30)}={excerpt(entry.value, 30)}"
        opts.reporter.add("meta", "dropped", f"{shown} ({why})", path=path)
    return f"[{label}]({link_destination(url)}{title})"


def _record(node: InlineItem | InlineBlock, path: Path, opts: InlineOptions) -> str:
    ref = ItemRef(node, path)
    callback = opts.render_inline_item if isinstance(node, InlineItem) else opts.render_inline_block
    if callback is not None:
        return callback(ref)
    shown = ref.id if ref.id is not None else "new"
    if opts.reporter is not None:
        option = CALLBACK_OPTIONS[node.type]
        opts.reporter.add(
            node.type, "written as a placeholder", f"{shown}: no {option} callback", path=path
        )
    safe = shown.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<span data-dast="{node.type}" data-item="{safe}"></span>'


def _events(segs: list[tuple[int, str, tuple[str, ...]]]) -> tuple[list[_Event], list[_Region]]:
    """Open and close marks around the segments, keeping shared marks open."""
    events: list[_Event] = []
    regions: list[_Region] = []
    stack: list[int] = []  # region indexes, outermost first

    def close_to(depth: int) -> None:
        while len(stack) > depth:
            region = stack.pop()
            regions[region].close_at = len(events)
            events.append(_Event(_CLOSE, regions[region].mark, region=region))

    for kind, value, marks in segs:
        wanted = set(marks)
        keep = 0
        while keep < len(stack) and regions[stack[keep]].mark in wanted:
            keep += 1
        open_marks = {regions[r].mark for r in stack[:keep]}
        missing = [m for m in marks if m not in open_marks]
        if missing and keep and regions[stack[keep - 1]].mark == "code":
            keep -= 1  # code stays innermost: close it to open the others inside
            missing.append("code")
            missing.sort(key=mark_key)
        close_to(keep)
        for mark in missing:
            regions.append(_Region(mark, len(events)))
            stack.append(len(regions) - 1)
            events.append(_Event(_OPEN, mark, region=len(regions) - 1))
        events.append(_Event(kind, value))
    close_to(0)
    return events, regions


def _is_punct(c: str) -> bool:
    return not c.isspace() and not c.isalnum()


def _left_flanking(prev: str, nxt: str) -> bool:
    return not nxt.isspace() and (not _is_punct(nxt) or prev.isspace() or _is_punct(prev))


def _right_flanking(prev: str, nxt: str) -> bool:
    return not prev.isspace() and (not _is_punct(prev) or nxt.isspace() or _is_punct(nxt))


def _render(
    children: Sequence[InlineNode], path: Path, opts: InlineOptions, *, label: bool = False
) -> str:
    segs = _segments(children, path, opts)
    events, regions = _events(segs)
    count = len(events)
    content = [i for i, e in enumerate(events) if e.kind in (_TEXT, _ATOM, _BREAK)]

    # 1. line breaks: a backslash break needs text after it on the same block
    last_content = max((i for i, e in enumerate(events) if e.kind in (_TEXT, _ATOM)), default=-1)
    for i in content:
        event = events[i]
        if event.kind == _BREAK:
            event.out = "\\\n" if (not opts.heading and i < last_content) else "<br>"

    def line_start(i: int) -> bool:
        if i == 0:
            return not label
        prev = events[i - 1]
        return prev.kind == _BREAK and prev.out != "<br>"

    def line_end(i: int) -> bool:
        if i == count - 1:
            return not label
        nxt = events[i + 1]
        return nxt.kind == _BREAK and nxt.out != "<br>"

    # 2. code regions: a backtick span when the code is one plain run
    for region in regions:
        if region.mark != "code":
            continue
        inner = events[region.open_at + 1 : region.close_at]
        if len(inner) == 1 and inner[0].kind == _TEXT and "\r" not in inner[0].value:
            text = inner[0].value
            span = code_span(text)
            at_start = line_start(region.open_at)
            # in a link label, "[`]:`](u)" would read as a link reference
            # definition: a code span holding "]" is written as <code> there
            if not (at_start and span.startswith("```")) and not (label and "]" in text):
                inner[0].out = span
                events[region.open_at].out = ""
                events[region.close_at].out = ""
                continue
        region.html = True

    # 3. text escaping (needs the line structure only)
    for i in content:
        event = events[i]
        if event.kind == _TEXT and not event.out:
            event.out = escape_text(
                event.value, line_start=line_start(i), line_end=line_end(i), heading=opts.heading
            )
        elif event.kind == _ATOM:
            event.out = event.value

    # 4. delimiters for the other marks, checked against their neighbours (an
    #    undecided delimiter stands for any punctuation: all of them are)
    def char_before(i: int) -> str:
        if i == 0:
            return "\n"
        prev = events[i - 1]
        if prev.kind in (_OPEN, _CLOSE):
            return "*"
        if prev.kind == _BREAK:
            return "\n" if prev.out != "<br>" else ">"
        return prev.out[-1] if prev.out else "\n"

    def char_after(i: int, emphasis: bool) -> str:
        # a backslash break is a line break to emphasis but a "\\" to ~~ and ==
        if i == count - 1:
            return "\n"
        nxt = events[i + 1]
        if nxt.kind in (_OPEN, _CLOSE):
            return "*"
        if nxt.kind == _BREAK:
            if nxt.out == "<br>":
                return "<"
            return "\n" if emphasis else "\\"
        return nxt.out[0] if nxt.out else "\n"

    for region in regions:
        if region.mark == "code" or region.html:
            continue
        o, c = region.open_at, region.close_at
        if region.mark == "underline":
            region.html = True
        elif region.mark in ("strong", "emphasis"):
            before, first = char_before(o), char_after(o, True)
            last, after = char_before(c), char_after(c, True)
            if region.mark == "strong":
                ok = _left_flanking(before, first) and _right_flanking(last, after)
            else:
                lf_o, rf_o = _left_flanking(before, first), _right_flanking(before, first)
                lf_c, rf_c = _left_flanking(last, after), _right_flanking(last, after)
                ok = (
                    lf_o
                    and (not rf_o or _is_punct(before))
                    and rf_c
                    and (not lf_c or _is_punct(after))
                )
            region.html = not ok
        else:
            marker = "~" if region.mark == "strikethrough" else "="
            inside = "".join(events[k].out for k in range(o + 1, c))
            first = char_after(o, False)
            last = char_before(c)
            after = char_after(c, False)
            region.html = (
                marker in inside
                or first.isspace()
                or first == marker
                or last.isspace()
                or after == marker
            )

    for region in regions:
        if region.mark == "code" and not region.html:
            continue
        if region.html:
            tag = MARK_HTML_TAGS[region.mark]
            events[region.open_at].out = f"<{tag}>"
            events[region.close_at].out = f"</{tag}>"
        else:
            delim = {"strong": "**", "emphasis": "_", "strikethrough": "~~", "highlight": "=="}[
                region.mark
            ]
            events[region.open_at].out = delim
            events[region.close_at].out = delim
    return "".join(event.out for event in events)


def render_inlines(
    children: Sequence[InlineNode], path: Path = (), opts: InlineOptions | None = None
) -> str:
    """Render a paragraph's or heading's inline nodes as one markdown string.

    Lines are separated by ``\\n`` (after a backslash hard break); the
    caller prefixes them for list items and quotes.

    >>> from dast.nodes import Span
    >>> print(render_inlines([Span(value="x", marks=("emphasis",)), Span(value="y")]))
    <em>x</em>y
    """
    return _render(children, path, opts or InlineOptions())
