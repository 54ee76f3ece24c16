"""Copy and compare JSON values without recursion (documents can nest thousands deep).

>>> value = {"a": [1, {"b": True}]}
>>> copied = copy_json(value)
>>> copied == value and copied["a"] is not value["a"]
True
>>> json_equal(value, {"a": (1.0, {"b": True})}), json_equal(1, True)
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..nodes import Document

__all__ = ["copy_json", "json_equal", "plain_json"]


def copy_json(value: Any) -> Any:
    """A deep copy of dicts and lists (tuples become lists); other values are shared.

    ``Document`` models are immutable and kept as they are.

    >>> copy_json([{"x": (1, 2)}])
    [{'x': [1, 2]}]
    """
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        source, target, key = stack.pop()
        if isinstance(source, Mapping) and not isinstance(source, Document):
            new: Any = {}
            for k, v in source.items():
                new[k] = v
                if isinstance(v, (Mapping, list, tuple)):
                    stack.append((v, new, k))
        elif isinstance(source, (list, tuple)):
            new = list(source)
            for i, v in enumerate(source):
                if isinstance(v, (Mapping, list, tuple)):
                    stack.append((v, new, i))
        else:
            new = source
        target[key] = new
    return holder[0]


def plain_json(value: Any) -> Any:
    """A deep copy where every ``Document`` (at any depth) becomes its DAST JSON dict.

    What ``json.dumps`` takes as it is: an update payload whose block records
    hold structured text edited as models goes through this before sending.

    >>> from dast.nodes import Document
    >>> doc = Document.model_validate({"schema": "dast", "document": {"type": "root",
    ...     "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}]}})
    >>> import json
    >>> json.dumps(plain_json({"blocks": [{"text": doc}]}))[:36]
    '{"blocks": [{"text": {"schema": "das'
    """
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        source, target, key = stack.pop()
        if isinstance(source, Document):
            source = source.to_json()
        if isinstance(source, Mapping):
            new: Any = {}
            for k, v in source.items():
                new[k] = v
                if isinstance(v, (Mapping, list, tuple, Document)):
                    stack.append((v, new, k))
        elif isinstance(source, (list, tuple)):
            new = list(source)
            for i, v in enumerate(source):
                if isinstance(v, (Mapping, list, tuple, Document)):
                    stack.append((v, new, i))
        else:
            new = source
        target[key] = new
    return holder[0]


def _number(x: Any) -> bool:
    return type(x) in (int, float)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: ``True`` and ``1`` differ, ``1`` and ``1.0`` do not; key order does not.

    Tuples compare like lists and a ``Document`` like its DAST JSON.

    >>> json_equal({"a": [1, True]}, {"a": [1, True]}), json_equal([1], [1, 2])
    (True, False)
    """
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, Document):
            x = x.to_json()
        if isinstance(y, Document):
            y = y.to_json()
        if isinstance(x, Mapping):
            if not isinstance(y, Mapping) or x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif isinstance(x, (list, tuple)):
            if not isinstance(y, (list, tuple)) or len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif (type(x) is not type(y) and not (_number(x) and _number(y))) or x != y:
            return False
    return True
