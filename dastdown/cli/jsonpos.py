"""Where a JSON value sits in a JSON text: line and column of a path.

``json.loads`` forgets positions, so ``dastdown check`` finds them again
with a small scan of the (already valid) text: one pass that walks only
into the objects and arrays on the way to the requested paths and skips
every other value with the C decoder. The walk is iterative, so deeply
nested documents cannot exhaust the stack.

>>> text = '{"a": [1,\\n  {"b": true}]}'
>>> locate_json_paths(text, [("a", 1, "b")])
{('a', 1, 'b'): (2, 9)}
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from typing import Any

from .jsontext import raw_decode

__all__ = ["line_column", "locate_json_paths"]

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

JsonPath = tuple[str | int, ...]
_Trie = dict[Any, "_Trie"]


def _skip_value(text: str, pos: int) -> int:
    """The index just past the JSON value starting at ``pos``."""
    return raw_decode(text, pos)[1]


def _offsets(text: str, trie: _Trie) -> dict[int, int]:
    """Offsets of the values of the ``trie`` of paths found in ``text``, by ``id`` of trie node.

    Keyed by node rather than by path so that the cost stays linear in the
    depth (a path tuple per level would be quadratic).
    """
    found: dict[int, int] = {}
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    found[id(trie)] = pos
    if not trie or pos >= len(text) or text[pos] not in "[{":
        return found
    # Each frame: the trie node of an open container, its kind, and the index of
    # its next element (arrays).
    stack: list[tuple[_Trie, str, list[int]]] = [(trie, text[pos], [0])]
    pos += 1
    while stack:
        node, kind, counter = stack[-1]
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        char = text[pos]
        if char == ",":
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            char = text[pos]
        if char in "]}":
            stack.pop()
            pos += 1
            continue
        key: str | int
        if kind == "{":
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _WS.match(text, pos).end() + 1  # type: ignore[union-attr]  # the colon
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        else:
            key = counter[0]
            counter[0] += 1
        child = node.get(key)
        if child is None:
            pos = _skip_value(text, pos)
            continue
        found[id(child)] = pos  # a repeated key: the last one wins, as in json.loads
        if child and text[pos] in "[{":
            stack.append((child, text[pos], [0]))
            pos += 1
        else:
            pos = _skip_value(text, pos)
    return found


class _Lines:
    """Turns offsets into 1-based (line, column), columns counted in characters."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset.

    >>> line_column("ab\\ncd", 4)
    (2, 2)
    """
    return _Lines(text).at(offset)


def locate_json_paths(text: str, paths: Sequence[JsonPath]) -> dict[JsonPath, tuple[int, int]]:
    """Line and column of the value at each path of a valid JSON text.

    A path that does not exist in the text (a missing key, say) gets the
    position of its deepest existing ancestor, so a message about a missing
    attribute points at the object that lacks it.

    >>> locate_json_paths('{"a": {"b": 1}}', [("a", "missing")])
    {('a', 'missing'): (1, 7)}
    """
    trie: _Trie = {}
    for path in paths:
        node = trie
        for part in path:
            node = node.setdefault(part, {})
    found = _offsets(text, trie)
    lines = _Lines(text)
    result: dict[JsonPath, tuple[int, int]] = {}
    for path in paths:
        node, offset = trie, found[id(trie)]
        for part in path:  # down to the deepest value found
            node = node[part]
            where = found.get(id(node))
            if where is None:
                break
            offset = where
        result[path] = lines.at(offset)
    return result
