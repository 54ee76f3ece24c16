"""JSON text at any nesting depth: reading and writing without recursion limits.

``json.loads`` and ``json.dumps`` recurse (in C or in Python) once per level
of nesting, so a document nested a few thousand lists deep fails with
``RecursionError``. :func:`loads` and :func:`raw_decode` use the C decoder
and, only when it gives up, an iterative parser with the same results;
:func:`dumps` is iterative and writes what ``json.dumps(data, indent=2,
ensure_ascii=False)`` writes, except that containers nested deeper than
:data:`MAX_INDENTED_DEPTH` are written on one line (indenting them would make
the output grow with the square of the depth).

>>> deep = "[" * 5000 + "]" * 5000
>>> dumps(loads(deep)).count("[")
5000
>>> print(dumps({"a": [1, "é"], "b": {}}))
{
  "a": [
    1,
    "é"
  ],
  "b": {}
}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring

__all__ = ["MAX_INDENTED_DEPTH", "dumps", "loads", "raw_decode"]

MAX_INDENTED_DEPTH = 200
"""Containers deeper than this are written on one line by :func:`dumps`."""

_DECODER = json.JSONDecoder()
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")
_Container = dict[str, object] | list[object]


def _ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def _key(text: str, pos: int, message: str) -> tuple[str, int]:
    """An object key at ``pos`` and the position just past its colon."""
    if text[pos : pos + 1] != '"':
        raise json.JSONDecodeError(message, text, pos)
    key, pos = _scanstring(text, pos + 1)
    pos = _ws(text, pos)
    if text[pos : pos + 1] != ":":
        raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
    return key, _ws(text, pos + 1)


def _iterative_decode(text: str, pos: int) -> tuple[object, int]:
    """``raw_decode`` with an explicit stack instead of recursion."""
    stack: list[tuple[_Container, str]] = []  # open containers and (objects) the current key
    while True:
        # a value starts at pos
        char = text[pos : pos + 1]
        value: object
        if char == "{":
            pos = _ws(text, pos + 1)
            if text[pos : pos + 1] == "}":
                value, pos = {}, pos + 1
            else:
                key, pos = _key(text, pos, "Expecting property name enclosed in double quotes")
                stack.append(({}, key))
                continue
        elif char == "[":
            pos = _ws(text, pos + 1)
            if text[pos : pos + 1] == "]":
                value, pos = [], pos + 1
            else:
                stack.append(([], ""))
                continue
        else:  # a scalar: the C decoder does not recurse for these
            value, pos = _DECODER.raw_decode(text, pos)
        # a value ended at pos: store it, then close containers or go to the next value
        while stack:
            container, key = stack[-1]
            if isinstance(container, dict):
                container[key] = value
            else:
                container.append(value)
            pos = _ws(text, pos)
            char = text[pos : pos + 1]
            if char == ",":
                pos = _ws(text, pos + 1)
                if isinstance(container, dict):
                    key, pos = _key(text, pos, "Expecting property name enclosed in double quotes")
                    stack[-1] = (container, key)
                break
            if char == ("}" if isinstance(container, dict) else "]"):
                stack.pop()
                value, pos = container, pos + 1
                continue
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
        else:
            return value, pos


def raw_decode(text: str, pos: int = 0) -> tuple[object, int]:
    """Decode the JSON value starting at ``pos``; return it and the index past it.

    >>> raw_decode('[1, {"a": null}] tail')
    ([1, {'a': None}], 16)
    """
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        return _iterative_decode(text, pos)


def loads(text: str) -> object:
    """``json.loads`` for a text at any nesting depth (``JSONDecodeError`` if invalid).

    >>> loads(' {"a": [true]} ')
    {'a': [True]}
    """
    try:
        return json.loads(text)
    except RecursionError:
        pass
    value, end = _iterative_decode(text, _ws(text, 0))
    end = _ws(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    return json.dumps(value, ensure_ascii=False)


def _object_key(key: object) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    return json.dumps({key: 0}, ensure_ascii=False)[1:-4]  # what json makes of the key


def dumps(data: object) -> str:
    """``data`` as indented JSON text (two spaces), non-ASCII characters kept.

    >>> dumps([1, [2, []], {"k": None}])
    '[\\n  1,\\n  [\\n    2,\\n    []\\n  ],\\n  {\\n    "k": null\\n  }\\n]'
    """
    out: list[str] = []
    # each open container: its items, whether it is an object, its depth, first item yet?
    stack: list[tuple[Iterator[object], bool, int, list[bool]]] = []
    value = data
    while True:
        depth = len(stack) + 1
        if isinstance(value, dict) and value:
            out.append("{")
            stack.append((iter(value.items()), True, depth, [True]))
        elif isinstance(value, (list, tuple)) and value:
            out.append("[")
            stack.append((iter(value), False, depth, [True]))
        elif isinstance(value, dict):
            out.append("{}")
        elif isinstance(value, (list, tuple)):
            out.append("[]")
        else:
            out.append(_scalar(value))
        while stack:
            items, is_object, level, first = stack[-1]
            item = next(items, _END)
            flat = level > MAX_INDENTED_DEPTH
            if item is _END:
                stack.pop()
                close = "}" if is_object else "]"
                out.append(close if flat else "\n" + "  " * (level - 1) + close)
                continue
            if flat:
                out.append("" if first[0] else ", ")
            else:
                out.append(("\n" if first[0] else ",\n") + "  " * level)
            first[0] = False
            if is_object:
                pair: tuple[object, object] = item  # type: ignore[assignment]
                out.append(_object_key(pair[0]) + ": ")
                value = pair[1]
            else:
                value = item
            break
        else:
            return "".join(out)


_END = object()
