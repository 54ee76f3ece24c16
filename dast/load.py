"""Reading documents: plain DAST JSON, the CDA wrapper, or a model.

>>> load_document({"value": {"schema": "dast", "document": {"type": "root",
...     "children": [{"type": "thematicBreak"}]}}}).document.children[0].type
'thematicBreak'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

from pydantic import ValidationError

from ._gc import PROMOTE_CHILDREN, PROMOTE_NODES, gc_paused
from .errors import DastValidationError, Path, Problem
from .nodes import NODE_CLASS_BY_TYPE, Document, build_deep_node
from .validate import unwrap_document, validate

__all__ = [
    "build_deep_node",
    "dump_document",
    "ensure_valid",
    "load_document",
    "pydantic_problems",
    "unwrap_document",
]


@overload
def load_document(data: None) -> None: ...
@overload
def load_document(data: Document | Mapping[str, object]) -> Document: ...
@overload
def load_document(data: object) -> Document | None: ...
def load_document(data: object) -> Document | None:
    """Load DAST JSON (any mapping, or the CDA wrapper) into a ``Document``.

    A ``Document`` is returned as is and ``None`` (an empty field) gives
    ``None``. Anything invalid raises ``DastValidationError`` listing every
    problem with its path, exactly those ``dast.validate.validate`` reports:
    the two always agree.

    >>> load_document(None) is None
    True
    """
    if isinstance(data, Document):
        return data
    inner = unwrap_document(data)
    if inner is None:
        return None
    try:
        with gc_paused(promote=_large(inner)):
            return Document.model_validate(inner)  # deep documents too
    except ValidationError as exc:
        problems = validate(data).problems
        if not problems:  # defensive: the model refuses what the validator allows
            raise DastValidationError(pydantic_problems(exc)) from None
    raise DastValidationError(problems)


def _large(inner: object) -> bool:
    """Does this DAST JSON look like a large tree? Any input.

    Many root children, or many nodes in its first two levels (a single
    list of 250,000 items is as large as 250,000 paragraphs).
    """
    if not isinstance(inner, Mapping):
        return False
    root = inner.get("document")
    children = root.get("children") if isinstance(root, Mapping) else None
    if not isinstance(children, list):
        return False
    count = len(children)
    if count >= PROMOTE_CHILDREN:
        return True
    for child in children:
        kids = child.get("children") if type(child) is dict else None
        if type(kids) is list:
            count += len(kids)
    return count >= PROMOTE_NODES


def ensure_valid(data: object) -> Document | None:
    """Load a document, raising ``DastValidationError`` with every problem if invalid.

    A ``Document`` is checked too (``model_copy`` may have broken it).

    >>> ensure_valid(None) is None
    True
    >>> try:
    ...     ensure_valid({"schema": "dast", "document": {"type": "root", "children": []}})
    ... except DastValidationError as exc:
    ...     print(exc.problems[0].code)
    empty-children
    """
    if isinstance(data, Document):
        report = validate(data)
        if report.problems:
            raise DastValidationError(report.problems)
        return data
    return load_document(data)


def dump_document(doc: Document | None) -> dict[str, Any] | None:
    """Dump a document to DAST JSON (``None`` stays ``None``).

    >>> dump_document(None) is None
    True
    """
    return None if doc is None else doc.to_json()


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
