"""Reading documents: plain DAST JSON, the CDA wrapper, or a model.

>>> load_document({"value": {"schema": "dast", "document": {"type": "root",
...     "children": [{"type": "thematicBreak"}]}}}).document.children[0].type
'thematicBreak'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

from pydantic import ValidationError

from .errors import DastValidationError, Problem
from .nodes import Document

__all__ = ["dump_document", "load_document", "unwrap_document"]


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
        return Document.model_validate(inner)
    except ValidationError as exc:
        raise DastValidationError(_problems_for(data, exc)) from None


def dump_document(doc: Document | None) -> dict[str, Any] | None:
    """Dump a document to DAST JSON (``None`` stays ``None``).

    >>> dump_document(None) is None
    True
    """
    return None if doc is None else doc.to_json()


def _problems_for(data: Any, exc: ValidationError) -> list[Problem]:
    """Every problem of invalid input, from the validator when it has any."""
    from .validate import validate  # the validator imports this module's peers

    report = validate(data)
    if report.problems:
        return list(report.problems)
    return [  # defensive: the model refused something the validator allows
        Problem(
            tuple(p for p in err["loc"] if isinstance(p, (str, int))),
            "schema",
            err["msg"],
        )
        for err in exc.errors()
    ]
