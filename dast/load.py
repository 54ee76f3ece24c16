"""Reading documents: plain DAST JSON, the CDA wrapper, or a model.

>>> load_document({"value": {"schema": "dast", "document": {"type": "root",
...     "children": [{"type": "thematicBreak"}]}}}).document.children[0].type
'thematicBreak'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

from pydantic import ValidationError

from ._gc import gc_paused
from .errors import DastValidationError, Path, Problem
from .nodes import NODE_CLASS_BY_TYPE, Document, Node

__all__ = [
    "build_deep_node",
    "dump_document",
    "load_document",
    "pydantic_problems",
    "unwrap_document",
]


def unwrap_document(data: Any) -> Any:
    """Strip the CDA wrapper ``{"value": doc, "blocks": ...}`` if present.

    >>> unwrap_document({"value": None, "blocks": []}) is None
    True
    """
    if isinstance(data, Mapping) and "value" in data and "document" not in data:
        return data["value"]
    return data


@overload
def load_document(data: None) -> None: ...
@overload
def load_document(data: Document | Mapping[str, Any]) -> Document: ...
@overload
def load_document(data: Any) -> Document | None: ...
def load_document(data: Any) -> Document | None:
    """Load DAST JSON (a dict, or the CDA wrapper) into a ``Document``.

    A ``Document`` is returned as is and ``None`` (an empty field) gives
    ``None``. Anything invalid raises ``DastValidationError`` listing every
    problem with its path.

    >>> load_document(None) is None
    True
    """
    if isinstance(data, Document):
        return data
    inner = unwrap_document(data)
    if inner is None:
        return None
    try:
        with gc_paused():
            return Document.model_validate(inner)
    except ValidationError:
        problems = _problems_for(data)
    if problems:
        raise DastValidationError(problems)
    # The validator (iterative, and in agreement with the model) finds it
    # valid: pydantic-core gave up on its depth. Build it bottom-up.
    try:
        with gc_paused():
            return _build_deep_document(inner)
    except ValidationError as exc:  # defensive: the model refuses what the validator allows
        raise DastValidationError(pydantic_problems(exc)) from None


def dump_document(doc: Document | None) -> dict[str, Any] | None:
    """Dump a document to DAST JSON (``None`` stays ``None``).

    >>> dump_document(None) is None
    True
    """
    return None if doc is None else doc.to_json()


def _problems_for(data: Any) -> list[Problem]:
    """Every problem of input the model refused; empty when the validator finds none.

    pydantic-core gives up on documents nested a few hundred levels deep
    (the error's type differs between versions); the validator is iterative
    and has the last word.
    """
    from .validate import validate  # validate builds on this module

    return list(validate(data).problems)


def pydantic_problems(exc: ValidationError) -> list[Problem]:
    """pydantic's errors as ``Problem`` entries (rule code ``schema``).

    >>> from dast.nodes import Span
    >>> try:
    ...     Span(value=3)
    ... except ValidationError as exc:
    ...     print(pydantic_problems(exc)[0])
    value: Input should be a valid string [schema]
    """
    return [Problem(_clean_loc(err["loc"]), "schema", err["msg"]) for err in exc.errors()]


def _clean_loc(loc: tuple[int | str, ...]) -> Path:
    """Drop pydantic's union tags (a node type right after an index) from a location."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        after_index = i == 0 or isinstance(loc[i - 1], int)
        if isinstance(part, str) and after_index and part in NODE_CLASS_BY_TYPE:
            continue
        out.append(part)
    return tuple(out)


def _build_deep_document(data: dict[str, Any]) -> Document:
    """Build a ``Document`` from VALID JSON nested deeper than pydantic-core recurses."""
    root = build_deep_node(data["document"])
    return Document.model_validate({"schema": data["schema"], "document": root})


def build_deep_node(data: Mapping[str, Any]) -> Node:
    """Build a node from VALID node JSON bottom-up, one node at a time, without recursion.

    Each node is validated by pydantic on its own (its children are already
    models, which pydantic does not re-validate), so depth does not matter.

    >>> build_deep_node({"type": "span", "value": "x"})
    Span(type='span', value='x', marks=None)
    """
    order: list[Mapping[str, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.get("children", ()))
    built: dict[int, Node] = {}
    for node in reversed(order):  # children before their parents
        fields = dict(node)
        if "children" in fields:
            fields["children"] = tuple(built[id(kid)] for kid in node["children"])
        built[id(node)] = NODE_CLASS_BY_TYPE[node["type"]].model_validate(fields)
    return built[id(data)]
