"""Print a DAST tree as an indented ASCII tree, one node per line.

Each line names the node type and its attributes as ``key=value``: free
strings are JSON-quoted (so ``\\n`` shows as ``\\n``), fixed words and
numbers are bare, lists are comma-joined (``[]`` when empty), link ``meta``
is ``{id="value", ...}``. Span and code text comes last. A block's record
object shows as ``<record id="..." item_type="...">`` (``<new record ...>``
without an id). Lines never exceed ``max_width`` characters (code points):
the node's text is shortened first, then its attribute strings (longest
first), each keeping its quotes and ending in ``…``; when that cannot make
the line fit, the line itself is cut at the width.

>>> from dast.builders import doc, em, h, p, strong
>>> print(inspect(doc(h(1, "Title"), p("Hello ", strong(em("world")), style="lead"))))
root
├ heading level=1
│ └ span "Title"
└ paragraph style="lead"
  ├ span "Hello "
  └ span marks=emphasis,strong "world"
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ._traverse import children_of, iter_tree, load_tree
from .errors import DastError
from .guards import item_type_id
from .nodes import (
    Block,
    BlockItem,
    Blockquote,
    Code,
    Heading,
    InlineBlock,
    InlineItem,
    ItemLink,
    Link,
    List,
    MetaEntry,
    Node,
    Paragraph,
    Span,
)

__all__ = ["BlockFormatter", "inspect"]

BlockFormatter = Callable[[BlockItem], str]
"""Summarise a block's ``item`` (id string or record dict); may return several lines."""

ELLIPSIS = "…"
_MIN_WIDTH = 10
_BARE = re.compile(r"[A-Za-z0-9_.:-]+")

# A line is a list of parts: (text, cut priority). Priority 0 is never cut; quoted
# strings are cut, the node's text (span value, code) first (1), then attributes (2).
_Part = tuple[str, int]
_FIXED, _TEXT, _ATTRIBUTE = 0, 1, 2


def inspect(
    tree: object,
    max_width: int = 80,
    block_formatter: BlockFormatter | None = None,
) -> str:
    """Render a document, node, DAST JSON dict or CDA wrapper as a tree.

    ``block_formatter(item)`` replaces the summary of each ``block`` and
    ``inlineBlock`` item; extra lines it returns are indented under the node.
    ``None`` (an empty field) renders as ``null (empty field)``.

    >>> from dast.builders import block, doc, p
    >>> print(inspect(doc(block({"id": "b1", "item_type": "cta"}),
    ...                   p("A rather long sentence that will not fit")), max_width=34))
    root
    ├ block item=<record id="b1" item…
    └ paragraph
      └ span "A rather long sentence…"
    >>> print(inspect(None))
    null (empty field)
    """
    if isinstance(max_width, bool) or not isinstance(max_width, int) or max_width < _MIN_WIDTH:
        raise DastError(f"max_width must be an integer of at least {_MIN_WIDTH}, got {max_width!r}")
    if _is_empty_field(tree):
        return _fit([("null (empty field)", _FIXED)], max_width)
    start, _ = load_tree(tree)
    lines: list[str] = []
    # indents[d]: the prefix of the children's lines of the last node seen at depth d
    indents: list[str] = []
    cap = max_width + 1
    for node, _parent, _index, depth, last in iter_tree(start, children_of):
        if depth:
            up = indents[depth - 1]
            # Prefixes past the width are cut anyway: keep them short on deep trees.
            head = (up + ("└ " if last else "├ "))[:cap]
            indent = (up + ("  " if last else "│ "))[:cap]
        else:
            head = indent = ""
        del indents[depth:]
        indents.append(indent)
        label, extra = _label(node, block_formatter)
        lines.append(_fit([(head, _FIXED), *label], max_width))
        lines.extend(_fit([(f"{indent}  {line}", _FIXED)], max_width) for line in extra)
    return "\n".join(lines)


def _is_empty_field(tree: object) -> bool:
    """``None``, or a CDA wrapper whose ``value`` is ``None``."""
    if tree is None:
        return True
    return (
        isinstance(tree, Mapping)
        and "document" not in tree
        and "type" not in tree
        and "value" in tree
        and tree["value"] is None
    )


# --- labels -------------------------------------------------------------------------------


_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(text: str) -> str:
    """A JSON string literal that stays on one line (JSON leaves U+2028 and friends raw)."""
    return json.dumps(text, ensure_ascii=False).translate(_LINE_BREAKS)


def _quoted(text: str, priority: int = _ATTRIBUTE) -> _Part:
    return (_json(text), priority)


def _word(text: str) -> str:
    """A mark or meta id: bare when it is a simple word, quoted otherwise."""
    return text if _BARE.fullmatch(text) else _json(text)


def _attr(parts: list[_Part], key: str, value: str | None) -> None:
    if value is not None:
        parts += [(f" {key}=", _FIXED), _quoted(value)]


def _words(key: str, values: tuple[Any, ...] | None) -> list[_Part]:
    if values is None:
        return []
    shown = ",".join(_word(v) if isinstance(v, str) else str(v) for v in values) or "[]"
    return [(f" {key}={shown}", _FIXED)]


def _meta(meta: tuple[MetaEntry, ...] | None) -> list[_Part]:
    if meta is None:
        return []
    parts: list[_Part] = [(" meta={", _FIXED)]
    for i, entry in enumerate(meta):
        parts += [(f"{', ' if i else ''}{_word(entry.id)}=", _FIXED), _quoted(entry.value)]
    parts.append(("}", _FIXED))
    return parts


def _record(item: dict[str, Any]) -> list[_Part]:
    """``<record id="..." item_type="...">`` for a block record object."""
    parts: list[_Part] = []
    record_id = item.get("id")
    if isinstance(record_id, str):
        parts += [(" item=<record id=", _FIXED), _quoted(record_id)]
    else:
        parts.append((" item=<new record", _FIXED))
    model = item_type_id(item)
    if model is not None:
        parts += [(" item_type=", _FIXED), _quoted(model)]
    parts.append((">", _FIXED))
    return parts


def _item(item: BlockItem, formatter: BlockFormatter | None) -> tuple[list[_Part], list[str]]:
    """A block item's summary, and extra lines from a formatter."""
    if formatter is not None:
        text = formatter(item)
        if not isinstance(text, str):
            raise DastError(f"block_formatter must return a string, got {type(text).__name__}")
        first, *rest = text.splitlines() or [""]
        return ([(f" {first}", _FIXED)] if first else []), rest
    if isinstance(item, str):
        return [(" item=", _FIXED), _quoted(item)], []
    return _record(item), []


def _label(node: Node, formatter: BlockFormatter | None) -> tuple[list[_Part], list[str]]:
    """The parts of a node's line, and extra lines below it (block formatters)."""
    parts: list[_Part] = [(node.type, _FIXED)]
    extra: list[str] = []
    if isinstance(node, Span):
        parts += _words("marks", node.marks)
        parts += [(" ", _FIXED), _quoted(node.value, _TEXT)]
    elif isinstance(node, Paragraph):
        _attr(parts, "style", node.style)
    elif isinstance(node, Heading):
        parts.append((f" level={node.level}", _FIXED))
        _attr(parts, "style", node.style)
    elif isinstance(node, List):
        parts.append((f" style={node.style}", _FIXED))
    elif isinstance(node, Blockquote):
        _attr(parts, "attribution", node.attribution)
    elif isinstance(node, Code):
        _attr(parts, "language", node.language)
        parts += _words("highlight", node.highlight)
        parts += [(" ", _FIXED), _quoted(node.code, _TEXT)]
    elif isinstance(node, Link):
        _attr(parts, "url", node.url)
        parts += _meta(node.meta)
    elif isinstance(node, ItemLink):
        _attr(parts, "item", node.item)
        parts += _meta(node.meta)
    elif isinstance(node, InlineItem):
        _attr(parts, "item", node.item)
    elif isinstance(node, Block | InlineBlock):
        summary, extra = _item(node.item, formatter)
        parts += summary
    return parts, extra


# --- width --------------------------------------------------------------------------------


def _fit(parts: list[_Part], width: int) -> str:
    """Join a line's parts, cutting quoted strings if that makes it fit, else the line.

    The node's text is cut first; then attribute strings, longest first. When
    cutting every quoted string would not be enough, nothing is cut but the
    line itself, at the width, which keeps more of what comes first.
    """
    excess = sum(len(text) for text, _ in parts) - width
    if excess > 0 and sum(len(text) - 3 for text, cut in parts if cut and len(text) > 3) >= excess:
        parts = list(parts)
        for priority in (_TEXT, _ATTRIBUTE):
            lengths = [len(text) for text, cut in parts if cut == priority]
            if not lengths:
                continue
            cap = _level(lengths, excess)
            for i, (text, cut) in enumerate(parts):
                if cut == priority and len(text) > cap:
                    parts[i] = (_cut_quoted(text, cap), cut)
                    excess -= len(text) - len(parts[i][0])
            if excess <= 0:
                break
    line = "".join(text for text, _ in parts)
    if len(line) > width:
        line = line[: width - 1] + ELLIPSIS
    return line


def _level(lengths: list[int], excess: int) -> int:
    """The largest length cap (at least 3) that saves ``excess`` characters.

    >>> _level([10, 6, 4], 6)
    5
    """
    low, high = 3, max(lengths, default=3)
    while low < high:  # the largest cap whose savings still cover the excess
        mid = (low + high + 1) // 2
        if sum(max(0, n - mid) for n in lengths) >= excess:
            low = mid
        else:
            high = mid - 1
    return low


def _cut_quoted(quoted: str, keep: int) -> str:
    """Shorten a JSON string literal to at most ``keep`` characters: ``"abc…"``.

    Escape sequences (``\\n``, ``\\u0001``) are never split.
    """
    if len(quoted) <= keep:
        return quoted
    room = keep - 3  # the two quotes and the ellipsis
    body = quoted[1:-1]
    end = 0
    while end < len(body):
        step = 1
        if body[end] == "\\":
            step = 6 if body[end + 1] == "u" else 2
        if end + step > room:
            break
        end += step
    return f'"{body[:end]}{ELLIPSIS}"'
