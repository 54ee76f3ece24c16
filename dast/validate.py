"""Strict validation of DAST JSON: every rule of the schema page, every problem.

``validate(x)`` never raises: it accepts a ``Document``, DAST JSON, the CDA
wrapper ``{"value": doc, "blocks": [...], ...}``, ``None`` (an empty field,
valid) or any garbage, and returns a ``ValidationReport`` listing every
problem found, each with its path relative to the root node
(``("children", 2, "children", 0, "level")``), a rule code and a message
saying what was found and what was expected. ``ensure_valid(x)`` returns the
loaded ``Document`` (or ``None``) or raises ``DastValidationError`` carrying
all the problems. The traversal is iterative, so any depth is fine.

The validator agrees with the node model: ``validate(x).valid`` is true
exactly when ``Document.model_validate(x)`` accepts ``x``. As in the model,
an optional attribute set to ``null`` counts as absent.

Rule codes (stable):

==========================  ==================================================
``invalid-document``        the input (path ``()``) or its ``document``
                            (path ``("document",)``) is not a JSON object
``missing-schema``          no ``schema`` key (path ``("schema",)``)
``invalid-schema``          ``schema`` is not ``"dast"``
``missing-document``        no ``document`` key (path ``("document",)``)
``invalid-root``            ``document`` is not a ``root`` node
``invalid-node``            a child that is not a JSON object
``missing-type``            a node without ``type``
``unknown-type``            ``type`` is not one of the 14 node types
``forbidden-attribute``     a key the node type does not allow (also extra
                            keys next to ``schema`` / ``document``)
``missing-attribute``       a required attribute is absent
``invalid-attribute``       a string attribute (``value``, ``url``, ``code``,
                            ``style``, ``language``, ``attribution``) that is
                            not a string
``heading-level``           ``level`` is not an integer from 1 to 6
``list-style``              ``style`` of a list is not bulleted / numbered
``invalid-children``        ``children`` is not a list
``empty-children``          ``children`` is an empty list
``forbidden-child``         a child type the parent does not allow
``block-not-at-root``       a ``block`` anywhere but directly under the root
``invalid-item``            ``item`` of block / inlineBlock not a string or
                            object, or of itemLink / inlineItem not a string
``invalid-marks``           ``marks`` not a list of strings
``invalid-meta``            ``meta`` not a list of ``{"id", "value"}`` string
                            objects
``invalid-highlight``       ``highlight`` not a list of non-negative integers
==========================  ==================================================

>>> report = validate({"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "heading", "level": 7, "children": [{"type": "span", "value": "x"}]}]}})
>>> print(report)
children[0].level: heading level must be an integer from 1 to 6, found 7 [heading-level]
>>> report.valid
False
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel

from .definitions import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CHILDREN,
    LIST_STYLES,
    NODE_TYPES,
    REQUIRED_ATTRIBUTES,
    SCHEMA,
)
from .errors import DastValidationError, Path, Problem
from .load import load_document, unwrap_document
from .nodes import (
    Document,
)

__all__ = ["RULE_CODES", "ValidationReport", "ensure_valid", "validate"]

RULE_CODES: Final[frozenset[str]] = frozenset(
    {
        "invalid-document",
        "missing-schema",
        "invalid-schema",
        "missing-document",
        "invalid-root",
        "invalid-node",
        "missing-type",
        "unknown-type",
        "forbidden-attribute",
        "missing-attribute",
        "invalid-attribute",
        "heading-level",
        "list-style",
        "invalid-children",
        "empty-children",
        "forbidden-child",
        "block-not-at-root",
        "invalid-item",
        "invalid-marks",
        "invalid-meta",
        "invalid-highlight",
    }
)
"""Every rule code the validator may report."""


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of ``validate``: every problem found (none when valid).

    >>> report = ValidationReport(())
    >>> report.valid, bool(report), str(report)
    (True, True, 'valid DAST document')
    """

    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def __bool__(self) -> bool:
        return not self.problems

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def __str__(self) -> str:
        if not self.problems:
            return "valid DAST document"
        return "\n".join(str(p) for p in self.problems)


def validate(data: Any) -> ValidationReport:
    """Check a document against the whole DAST schema; never raises.

    >>> validate(None).valid
    True
    >>> [p.code for p in validate({"schema": "dast"})]
    ['missing-document']
    """
    problems: list[Problem] = []
    if isinstance(data, Document):  # check it too: model_copy may have broken it
        data = {"schema": data.schema_, "document": data.document}
    data = unwrap_document(data)
    if data is None:
        return ValidationReport(())
    if type(data) is not dict:
        problems.append(
            Problem((), "invalid-document", f"expected a DAST document object, found {_kind(data)}")
        )
        return ValidationReport(tuple(problems))
    for key in data:
        if key not in ("schema", "document"):
            problems.append(
                Problem(
                    (key,),
                    "forbidden-attribute",
                    f"unexpected key {_short(key)} in the document object "
                    '(allowed: "schema", "document")',
                )
            )
    if "schema" not in data:
        problems.append(Problem(("schema",), "missing-schema", 'missing "schema": "dast"'))
    elif data["schema"] != SCHEMA or type(data["schema"]) is not str:
        problems.append(
            Problem(
                ("schema",),
                "invalid-schema",
                f'schema must be "dast", found {_kind(data["schema"])}',
            )
        )
    if "document" not in data:
        message = 'missing "document" (the root node)'
        problems.append(Problem(("document",), "missing-document", message))
    else:
        root = data["document"]
        if type(root) is not dict and not isinstance(root, BaseModel):
            problems.append(
                Problem(
                    ("document",),
                    "invalid-document",
                    f"document must be a root node object, found {_kind(root)}",
                )
            )
        else:
            _check_tree(root, problems)
    return ValidationReport(tuple(problems))


def ensure_valid(data: Any) -> Document | None:
    """Load a document, raising ``DastValidationError`` with every problem if invalid.

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
    loaded: Document | None = load_document(data)
    return loaded


def _fields(model: BaseModel) -> dict[str, Any]:
    """A node model as a shallow JSON-like dict (children stay models, checked in turn).

    Models are walked this way rather than dumped: pydantic's dump gives up
    on very deep trees.
    """
    fields: dict[str, Any] = {}
    for name, value in model.__dict__.items():
        if value is None:
            continue
        if name == "meta" and isinstance(value, tuple):
            value = [m.__dict__ if isinstance(m, BaseModel) else m for m in value]
        fields[name] = value
    return fields


# --- the tree walk ----------------------------------------------------------

_STRING_ATTRIBUTES: Final = frozenset({"value", "url", "code", "style", "language", "attribution"})
_OPTIONAL_STRINGS: Final = frozenset({"style", "language", "attribution"})
_SEQUENCE: Final = (list, tuple)


def _kind(value: Any) -> str:
    """Describe a JSON value for a message: ``a string "2"``, ``a list``, ``null``."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return f"a string {_short(value)}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _short(text: str) -> str:
    """Quote a string for a message, cut to a readable length."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node_kind(value: Any) -> str:
    """Describe a child for a message: ``a link node`` or the JSON kind."""
    if type(value) is dict:
        t = value.get("type")
        if type(t) is str:
            return f"{_a(t)} node"
        return "an object without a valid type"
    return _kind(value)


def _a(word: str) -> str:
    """``word`` with its indefinite article: ``an itemLink``, ``a span``."""
    return f"an {word}" if word[:1] in "aeiouAEIOU" else f"a {word}"


def _names(types: frozenset[str]) -> str:
    return ", ".join(sorted(types))


_Link = tuple[Any, int] | None
"""Where a node sits: ``(parent's link, index in the parent's children)``, None for the root.

Paths are only materialized (``_path``) when a problem is reported, so deep
trees cost nothing extra."""


def _path(link: _Link) -> Path:
    """Turn a link chain into ``("children", i, "children", j, ...)``."""
    parts: list[str | int] = []
    while link is not None:
        link, index = link
        parts.append(index)
        parts.append("children")
    parts.reverse()
    return tuple(parts)


def _check_tree(root: Any, problems: list[Problem]) -> None:
    """Walk the tree under ``root`` (iteratively), appending every problem.

    Nodes may be JSON objects or node models (``validate(document)``).
    """
    add = problems.append
    stack: list[tuple[Any, _Link, str]] = [(root, None, "")]  # (node, link, parent type)
    pop = stack.pop
    push = stack.append
    while stack:
        node, link, parent = pop()
        if type(node) is not dict and isinstance(node, BaseModel):
            node = _fields(node)
        if type(node) is not dict:
            add(
                Problem(_path(link), "invalid-node", f"expected a node object, found {_kind(node)}")
            )
            continue
        t = node.get("type")
        if type(t) is not str or t not in NODE_TYPES:
            if "type" not in node:
                add(Problem((*_path(link), "type"), "missing-type", "node has no type"))
            else:
                message = f"unknown node type, found {_kind(t)}"
                add(Problem((*_path(link), "type"), "unknown-type", message))
            continue
        if link is None:
            if t != "root":
                message = f"document must be a root node, found a {t} node"
                add(Problem((), "invalid-root", message))
        elif t not in ALLOWED_CHILDREN[parent]:
            add(_misplaced(t, parent, _path(link)))
        # Fast path for the most common node: a plain span.
        if t == "span" and len(node) == 2 and type(node.get("value")) is str:
            continue
        allowed_keys = ALLOWED_ATTRIBUTES[t]
        children: Any = None
        for key, value in node.items():
            if key == "type":
                continue
            if key not in allowed_keys:
                add(_forbidden(t, key, allowed_keys, _path(link)))
                continue
            found = _check_attribute(t, key, value)
            if found is not None:
                here = _path(link)
                for sub, code, message in found:
                    add(Problem((*here, key, *sub), code, message))
            elif key == "children":
                children = value
        for key in REQUIRED_ATTRIBUTES[t]:
            if key not in node:
                message = f"{_a(t)} node needs {key}"
                add(Problem((*_path(link), key), "missing-attribute", message))
        if children is not None:
            for i in range(len(children) - 1, -1, -1):
                push((children[i], (link, i), t))


def _misplaced(t: str, parent: str, path: Path) -> Problem:
    """The problem for a node of type ``t`` where its parent does not allow it."""
    if t == "block":
        where = "a list item" if parent == "listItem" else _a(parent)
        message = f"a block can only be a direct child of the root, found one in {where}"
        return Problem(path, "block-not-at-root", message)
    if t == "root":
        message = f"a root node cannot be nested in {_a(parent)}"
        return Problem(path, "forbidden-child", message)
    allowed = _names(ALLOWED_CHILDREN[parent])
    message = f"{_a(parent)} cannot contain {_a(t)} node (allowed: {allowed})"
    return Problem(path, "forbidden-child", message)


def _forbidden(t: str, key: Any, allowed_keys: frozenset[str], path: Path) -> Problem:
    """The problem for a key the node type does not allow."""
    others = allowed_keys - {"type"}
    allowed = f"allowed: {_names(others)}" if others else "it has no attributes"
    message = f"{_a(t)} node cannot have {_short(str(key))} ({allowed})"
    return Problem((*path, key), "forbidden-attribute", message)


_Found = list[tuple[Path, str, str]]
"""Problems with one attribute: (sub-path below the attribute, code, message)."""


def _check_attribute(t: str, key: str, value: Any) -> _Found | None:
    """Every problem with one attribute value, or None when it is fine."""
    if key == "children":
        if type(value) not in _SEQUENCE:
            return [((), "invalid-children", f"children must be a list, found {_kind(value)}")]
        if not value:
            message = f"{_a(t)} node needs at least one child, found none"
            return [((), "empty-children", message)]
        return None
    if key in _STRING_ATTRIBUTES:
        if t == "list":  # the list's ``style`` is an enumeration
            if type(value) is not str or value not in LIST_STYLES:
                message = f'list style must be "bulleted" or "numbered", found {_kind(value)}'
                return [((), "list-style", message)]
            return None
        if isinstance(value, str) or (value is None and key in _OPTIONAL_STRINGS):
            return None
        return [((), "invalid-attribute", f"{t} {key} must be a string, found {_kind(value)}")]
    if key == "level":
        if type(value) is int and 1 <= value <= 6:
            return None
        message = f"heading level must be an integer from 1 to 6, found {_kind(value)}"
        return [((), "heading-level", message)]
    if key == "item":
        if t in ("block", "inlineBlock"):
            if isinstance(value, (str, dict)):
                return None
            expected = "a record id string or a record object"
        elif isinstance(value, str):
            return None
        else:
            expected = "a record id string"
        return [((), "invalid-item", f"{t} item must be {expected}, found {_kind(value)}")]
    if value is None:  # marks, meta, highlight: null counts as absent
        return None
    if key == "marks":
        return _check_marks(value)
    if key == "meta":
        return _check_meta(value)
    return _check_highlight(value)


def _check_marks(value: Any) -> _Found | None:
    """Problems with a span's ``marks``."""
    if type(value) not in _SEQUENCE:
        return [((), "invalid-marks", f"marks must be a list of strings, found {_kind(value)}")]
    found: _Found = [
        ((i,), "invalid-marks", f"a mark must be a string, found {_kind(mark)}")
        for i, mark in enumerate(value)
        if not isinstance(mark, str)
    ]
    return found or None


def _check_highlight(value: Any) -> _Found | None:
    """Problems with a code node's ``highlight``."""
    if type(value) not in _SEQUENCE:
        message = f"highlight must be a list of line numbers, found {_kind(value)}"
        return [((), "invalid-highlight", message)]
    found: _Found = [
        (
            (i,),
            "invalid-highlight",
            f"a highlighted line must be a zero-based line number, found {_kind(line)}",
        )
        for i, line in enumerate(value)
        if type(line) is not int or line < 0
    ]
    return found or None


def _check_meta(value: Any) -> _Found | None:
    """Problems with a link's ``meta``."""
    if type(value) not in _SEQUENCE:
        message = f"meta must be a list of {{id, value}} objects, found {_kind(value)}"
        return [((), "invalid-meta", message)]
    found: _Found = []
    for i, entry in enumerate(value):
        if type(entry) is not dict:
            message = f"a meta entry must be an {{id, value}} object, found {_kind(entry)}"
            found.append(((i,), "invalid-meta", message))
            continue
        for key in entry:
            if key not in ("id", "value"):
                message = f"a meta entry only has id and value, found {_short(str(key))}"
                found.append(((i, key), "invalid-meta", message))
        for key in ("id", "value"):
            if key not in entry:
                found.append(((i, key), "invalid-meta", f"a meta entry needs {key}"))
            elif not isinstance(entry[key], str):
                message = f"meta {key} must be a string, found {_kind(entry[key])}"
                found.append(((i, key), "invalid-meta", message))
    return found or None
