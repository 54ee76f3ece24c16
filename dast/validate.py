"""Strict validation of DAST JSON: every rule of the schema page, every problem.

``validate(x)`` never raises and never hangs: it accepts a ``Document``, a
single node model, DAST JSON (any ``Mapping`` is a JSON object, a list or a
tuple an array), the CDA wrapper ``{"value": doc, "blocks": [...], ...}``,
``None`` (an empty field, valid) or any garbage, and returns a
``ValidationReport`` listing every problem found, each with its path relative
to the root node (``("children", 2, "children", 0, "level")``), a rule code
and a message saying what was found and what was expected. The traversal is
iterative, so any depth is fine, and a node that contains itself is reported
(``cycle``) rather than walked forever. Every rule is read from the schema
table, ``dast.definitions.NODE_SPECS``.

``ensure_writable(tree)`` raises ``DastValidationError`` when a tree holds a
node broken by ``model_copy(update=...)`` or ``model_construct``; it costs
nothing while no such node exists. (``ensure_valid``, which loads, is in
``dast.load``.)

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
``cycle``                   a node contains itself
``field-*``                 with ``field=``: a rule of the field's settings
                            (``dast.definitions.FIELD_RULE_CODES``)
==========================  ==================================================

>>> report = validate({"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "heading", "level": 7, "children": [{"type": "span", "value": "x"}]}]}})
>>> print(report)
children[0].level: heading level must be an integer from 1 to 6, found 7 [heading-level]
>>> report.valid
False
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel

from .definitions import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CHILDREN,
    FIELD_RULE_CODES,
    NODE_SPECS,
    NODE_TYPES,
    SCHEMA,
    AttributeSpec,
)
from .errors import DastValidationError, Path, PathLink, Problem

if TYPE_CHECKING:  # annotations only: the model builds on this module
    from .fields import FieldSettings, ModelLookup
    from .nodes import Document, Node

_Add = Callable[[Problem], None]

__all__ = [
    "RULE_CODES",
    "ValidationReport",
    "ensure_writable",
    "node_problems",
    "shallow_problems",
    "track_broken",
    "unwrap_document",
    "validate",
]

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
        "forbidden-child",
        "block-not-at-root",
        "empty-children",
        "cycle",
        *FIELD_RULE_CODES,
        *(a.code for spec in NODE_SPECS.values() for a in spec.attributes),
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


def unwrap_document(data: object) -> Any:
    """Strip the CDA wrapper ``{"value": doc, "blocks": ...}`` if present.

    >>> unwrap_document({"value": None, "blocks": []}) is None
    True
    """
    if isinstance(data, Mapping) and "value" in data and "document" not in data:
        return data["value"]
    return data


def validate(
    data: object, *, field: FieldSettings | None = None, models: ModelLookup | None = None
) -> ValidationReport:
    """Check a document (or one node model) against the whole DAST schema; never raises.

    A node model (``Heading``...) is checked as a subtree: paths are relative to it.
    With ``field`` (a ``dast.fields.FieldSettings``), a document that passes the
    schema is also checked against the field's settings (allowed nodes, marks,
    heading levels, block and link models, required, length; rule codes
    ``field-*``); ``models`` maps record ids to model ids for references given
    as ids (the CDA wrapper's ``blocks`` and ``links`` are read too).

    >>> validate(None).valid
    True
    >>> [p.code for p in validate({"schema": "dast"})]
    ['missing-document']
    >>> from dast.fields import FieldSettings
    >>> [p.code for p in validate(None, field=FieldSettings(required=True))]
    ['field-required']
    """
    problems: list[Problem] = []
    # The walk makes a path link per node and keeps the links of the current
    # path alive: on a deep tree the collector's passes over them would cost
    # more than the walk. Nothing it makes outlives it (but the problems), so
    # the collector is only switched off (no ``gc_paused`` hand-over: cheaper).
    collecting = gc.isenabled()
    gc.disable()
    try:
        if isinstance(data, BaseModel):  # check it too: model_copy may have broken it
            fields = _fields(data)
            if "type" in fields:
                _check_tree(data, problems.append, _NODE)
                return ValidationReport(tuple(problems))
            data = fields
        _check_document(unwrap_document(data), problems.append)
        if field is not None and not problems:  # the field rules build on this module
            problems.extend(field.problems(data, models))
    except Exception as exc:
        problems.append(_unreadable(exc))
    finally:
        if collecting:
            gc.enable()
    return ValidationReport(tuple(problems))


def node_problems(data: Mapping[str, object] | BaseModel) -> list[Problem]:
    """Every problem of one JSON node (not a document), paths relative to it.

    The node may be of any type; it is checked as the top of its own subtree.

    >>> [(p.path, p.code) for p in node_problems({"type": "heading", "level": 9, "children": [{}]})]
    [(('level',), 'heading-level'), (('children', 0, 'type'), 'missing-type')]
    """
    problems: list[Problem] = []
    try:
        _check_tree(data, problems.append, _NODE)
    except Exception as exc:
        problems.append(_unreadable(exc))
    return problems


def shallow_problems(node: Mapping[str, object] | BaseModel) -> list[Problem]:
    """The problems of one node itself: its attributes and the types of its children.

    Children that are node models are taken as valid (unless registered as
    broken, see ``track_broken``); children given as JSON are checked whole.
    This is what ``replace()`` and the ``model_copy`` check cost: one node.

    >>> from dast.nodes import Block, Span
    >>> [(p.path, p.code) for p in shallow_problems(
    ...     {"type": "paragraph", "children": (Span(value="x"), Block(item="b"))})]
    [(('children', 1), 'block-not-at-root')]
    """
    problems: list[Problem] = []
    try:
        if isinstance(node, BaseModel):
            node = _fields(node)
        if isinstance(node, Mapping) and "type" not in node and "document" in node:
            _check_document(node, problems.append, _SHALLOW_DOCUMENT)
        else:
            _check_tree(node, problems.append, _SHALLOW)
    except Exception as exc:
        problems.append(_unreadable(exc))
    return problems


# --- nodes broken by model_copy / model_construct ---------------------------------------

_BROKEN: dict[int, weakref.finalize[..., object]] = {}
"""Ids of the live node models known to break the schema (each removed when its node dies)."""


def track_broken(node: BaseModel, changed: Iterable[str] | None = None) -> bool:
    """Check one freshly made node model shallowly; remember it while alive if broken.

    Called by the model's ``model_copy`` and ``model_construct``; returns
    True when the node is broken. ``changed`` names the only attributes that
    may be broken (a copy of a valid node with those updated).

    >>> from dast.nodes import Heading, Span
    >>> track_broken(Heading.model_construct(level=9, children=(Span(value="x"),)))
    True
    """
    if _quick_ok(node, changed) or not shallow_problems(node):
        return False
    key = id(node)
    if key not in _BROKEN:
        _BROKEN[key] = weakref.finalize(node, _BROKEN.pop, key, None)
    return True


def _is_model(value: object) -> bool:
    return hasattr(type(value), "__pydantic_fields__")


def _quick_ok(node: BaseModel, changed: Iterable[str] | None) -> bool:
    """True when one node model is plainly valid (False: look closer with ``shallow_problems``).

    The common case of ``model_copy(update=...)``, checked with no allocation;
    only the ``changed`` attributes when given.
    """
    fields = node.__dict__
    t = fields.get("type")
    if type(t) is not str or t not in _SPECS:
        return False
    specs = _SPECS[t]
    for key in fields if changed is None else changed:
        value = fields.get(key)
        if value is None:
            if key in _REQUIRED[t]:
                return False
            continue
        entry = specs.get(key)
        if entry is None:
            return False
        kind = entry[0]
        if kind is _TYPE:
            continue
        if kind == "string":
            if type(value) is not str:
                return False
        elif kind == "children":
            if type(value) is not tuple or not value:
                return False
            allowed = ALLOWED_CHILDREN[t]
            for kid in value:
                kid_type = getattr(kid, "type", None)
                if kid_type not in allowed or id(kid) in _BROKEN or not _is_model(kid):
                    return False
        elif entry[2](t, entry[1], value) is not None:
            return False
    if changed is None:
        for key in _REQUIRED[t]:
            if fields.get(key) is None:
                return False
    return True


def ensure_writable(tree: Document | Node) -> None:
    """Raise ``DastValidationError`` when any node of the tree breaks the schema.

    Writers call it on entry. Trees made by loading or by the model's
    constructors are valid; only ``model_copy(update=...)`` and
    ``model_construct`` can make a broken node, and those are remembered, so
    this is free while no broken node is alive. Problems carry the path from
    the tree's root node, exactly as ``validate`` reports them.

    >>> from dast.nodes import Heading, Span
    >>> ensure_writable(Heading(level=2, children=(Span(value="x"),)))
    >>> broken = Heading(level=2, children=(Span(value="x"),)).model_copy(update={"level": 9})
    >>> try:
    ...     ensure_writable(broken)
    ... except DastValidationError as exc:
    ...     print(exc.problems[0].path, exc.problems[0].code)
    ('level',) heading-level
    """
    if not _BROKEN:
        return
    report = validate(tree)
    if report.problems:
        raise DastValidationError(report.problems)


# --- reading values safely --------------------------------------------------------------


def _unreadable(exc: Exception) -> Problem:
    message = f"the input cannot be read as DAST JSON ({type(exc).__name__} while reading it)"
    return Problem((), "invalid-document", message)


def _fields(model: BaseModel) -> dict[str, object]:
    """A model as a shallow JSON-like dict (children stay models, checked in turn).

    Models are walked this way rather than dumped: pydantic's dump gives up
    on very deep trees.
    """
    fields: dict[str, object] = {}
    for name, value in model.__dict__.items():
        if value is None:
            continue
        if name == "meta" and isinstance(value, tuple):
            value = [m.__dict__ if isinstance(m, BaseModel) else m for m in value]
        fields["schema" if name == "schema_" else name] = value
    return fields


def _kind(value: object) -> str:
    """Describe a JSON value for a message: ``a string "2"``, ``a list``, ``null``."""
    try:
        if value is None:
            return "null"
        if value is True or value is False:
            return "true" if value else "false"
        if isinstance(value, str):
            return f"a string {_short(value)}"
        if isinstance(value, int):
            if value.bit_length() > 64:
                return "a very large integer"
            return int.__repr__(value)
        if isinstance(value, float):
            return float.__repr__(value)
        if isinstance(value, (list, tuple)):
            return "an empty list" if not len(value) else "a list"
        if isinstance(value, Mapping):
            return "an object"
    except Exception:
        pass
    return f"a {type(value).__name__}"


def _short(text: str) -> str:
    """Quote a string for a message, cut to a readable length."""
    text = str.__str__(text)
    shown = text if len(text) <= 40 else text[:37] + "..."
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _key(key: object) -> str:
    """Quote a key for a message (keys need not be strings in Python input)."""
    return _short(key) if isinstance(key, str) else _kind(key)


def _path_key(key: object) -> str:
    """A key as a path part: JSON keys are strings, so ``1`` is ``"1"`` (as ``json.dumps`` says)."""
    if type(key) is str:
        return key
    if key is None or key is True or key is False:
        return "null" if key is None else "true" if key else "false"
    if type(key) is int and key.bit_length() <= 64:
        return str(key)
    return f"<{type(key).__name__}>"


def _a(word: str) -> str:
    """``word`` with its indefinite article: ``an itemLink``, ``a span``."""
    return f"an {word}" if word[:1] in "aeiouAEIOU" else f"a {word}"


def _names(types: frozenset[str]) -> str:
    return ", ".join(sorted(types))


# --- the document object ----------------------------------------------------------------


def _check_document(data: object, add: _Add, mode: int = 0) -> None:
    if data is None:
        return
    if not isinstance(data, Mapping):
        message = f"expected a DAST document object, found {_kind(data)}"
        add(Problem((), "invalid-document", message))
        return
    for key in data:
        if type(key) is not str or key not in ("schema", "document"):
            message = (
                f"unexpected key {_key(key)} in the document object "
                '(allowed: "schema", "document")'
            )
            add(Problem((_path_key(key),), "forbidden-attribute", message))
    if "schema" not in data:
        add(Problem(("schema",), "missing-schema", 'missing "schema": "dast"'))
    else:
        schema = data["schema"]
        if type(schema) is not str or schema != SCHEMA:
            message = f'schema must be "dast", found {_kind(schema)}'
            add(Problem(("schema",), "invalid-schema", message))
    if "document" not in data:
        add(Problem(("document",), "missing-document", 'missing "document" (the root node)'))
        return
    root = data["document"]
    if not isinstance(root, (Mapping, BaseModel)):
        message = f"document must be a root node object, found {_kind(root)}"
        add(Problem(("document",), "invalid-document", message))
        return
    _check_tree(root, add, mode)


# --- the tree walk ----------------------------------------------------------------------

_DOCUMENT: Final = 0
"""Mode: the top node must be a root."""
_NODE: Final = 1
"""Mode: the top node may be of any type."""
_SHALLOW: Final = 2
"""Mode: the top node only; children that are models are checked for placement only."""
_SHALLOW_DOCUMENT: Final = 3
"""Mode: as ``_SHALLOW``, and the top node must be a root."""

_PLACEMENT_ONLY: Final = 1
"""Entry flag: check only that the node may sit in its parent (a model, taken as valid)."""
_SUSPECT: Final = 2
"""Entry flag: the node is below an edge the schema forbids, so it may be on a cycle.

Allowed edges make a cycle only through a ``list`` (list > listItem > list), so
only lists and suspect nodes are tracked: the walk stays fast on valid trees."""

_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    t: tuple(a.name for a in spec.attributes if a.required) for t, spec in NODE_SPECS.items()
}
_SEQUENCE: Final = (list, tuple)


def _check_tree(top: object, add: _Add, mode: int) -> None:
    """Walk the tree under ``top`` (iteratively), reporting every problem with ``add``.

    Nodes may be JSON objects (any ``Mapping``) or node models. A node met
    again on its own ancestor chain is reported as a ``cycle`` and not entered.
    """
    # Each entry: (node, its link, the parent's type, placement only?)
    # Each entry: (node, its link, the parent's type, flags: _PLACEMENT_ONLY | _SUSPECT)
    stack: list[tuple[object, PathLink, str, int]] = [(top, None, "", 0)]
    pop = stack.pop
    push = stack.append
    seen: set[int] = set()  # ids of the nodes with children entered so far
    seen_add = seen.add
    node_types = NODE_TYPES
    allowed_children = ALLOWED_CHILDREN
    all_specs = _SPECS
    required = _REQUIRED
    shallow = mode in (_SHALLOW, _SHALLOW_DOCUMENT)
    while stack:
        node, link, parent, flags = pop()
        original = node
        if type(node) is not dict:
            if isinstance(node, BaseModel):
                node = _fields(node)
            elif not isinstance(node, Mapping):
                message = f"expected a node object, found {_kind(node)}"
                add(Problem.at(link, (), "invalid-node", message))
                continue
        t = node.get("type")
        if type(t) is not str or t not in node_types:
            if "type" not in node:
                add(Problem.at(link, ("type",), "missing-type", "node has no type"))
            else:
                message = f"unknown node type, found {_kind(t)}"
                add(Problem.at(link, ("type",), "unknown-type", message))
            continue
        if link is None:
            if mode in (_DOCUMENT, _SHALLOW_DOCUMENT) and t != "root":
                message = f"document must be a root node, found {_a(t)} node"
                add(Problem((), "invalid-root", message))
        elif t not in allowed_children[parent]:
            add(_misplaced(t, parent, link))
            # A cycle needs a list, or an edge the schema forbids: track nodes below one.
            flags |= _SUSPECT
            up = link[0]
            seen_add(id(up[2] if up is not None else top))
        if flags & _PLACEMENT_ONLY:
            continue
        # Fast path for the most common node: a plain span.
        if t == "span" and len(node) == 2 and type(node.get("value")) is str:
            continue
        specs = all_specs[t]
        children: list[object] | tuple[object, ...] | None = None
        for key, value in node.items():
            if type(key) is str and key == "type":
                continue
            entry = specs.get(key)
            if entry is None:
                add(_forbidden(t, key, link))
                continue
            kind, spec, check = entry
            if kind == "children":
                if (type(value) is list or type(value) is tuple) and value:
                    children = value
                    continue
            elif kind == "string" and type(value) is str:
                continue
            found = check(t, spec, value)
            if found is not None:
                for sub, code, message in found:
                    add(Problem.at(link, (key, *sub), code, message))
            elif kind == "children":
                children = value  # type: ignore[assignment]
        for key in required[t]:
            if key not in node:
                message = f"{_a(t)} node needs {key}"
                add(Problem.at(link, (key,), "missing-attribute", message))
        if children is None:
            continue
        if flags or t == "list":
            key = id(original)
            if key in seen and _on_chain(original, link, top):
                add(Problem.at(link, (), "cycle", f"{_a(t)} node contains itself"))
                continue
            seen_add(key)
        if shallow:
            for i in range(len(children) - 1, -1, -1):
                kid = children[i]
                only = isinstance(kid, BaseModel) and id(kid) not in _BROKEN
                push((kid, (link, i, kid), t, flags | (_PLACEMENT_ONLY if only else 0)))
        else:
            for i in range(len(children) - 1, -1, -1):
                kid = children[i]
                push((kid, (link, i, kid), t, flags))


def _on_chain(node: object, link: PathLink, top: object) -> bool:
    """Is ``node`` its own ancestor (``link`` is where it was met again)?"""
    if node is top:
        return True
    here = link[0] if link is not None else None
    while here is not None:
        if here[2] is node:
            return True
        here = here[0]
    return False


def _misplaced(t: str, parent: str, link: PathLink) -> Problem:
    """The problem for a node of type ``t`` where its parent does not allow it."""
    if t == "block":
        where = "a list item" if parent == "listItem" else _a(parent)
        message = f"a block can only be a direct child of the root, found one in {where}"
        return Problem.at(link, (), "block-not-at-root", message)
    if t == "root":
        message = f"a root node cannot be nested in {_a(parent)}"
        return Problem.at(link, (), "forbidden-child", message)
    allowed = _names(ALLOWED_CHILDREN[parent])
    message = f"{_a(parent)} cannot contain {_a(t)} node (allowed: {allowed})"
    return Problem.at(link, (), "forbidden-child", message)


def _forbidden(t: str, key: object, link: PathLink) -> Problem:
    """The problem for a key the node type does not allow."""
    others = ALLOWED_ATTRIBUTES[t] - {"type"}
    allowed = f"allowed: {_names(others)}" if others else "it has no attributes"
    message = f"{_a(t)} node cannot have {_key(key)} ({allowed})"
    return Problem.at(link, (_path_key(key),), "forbidden-attribute", message)


# --- one attribute value, by kind -------------------------------------------------------

_Found = list[tuple[Path, str, str]]
"""Problems with one attribute: (sub-path below the attribute, rule code, message)."""


def _check_children(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if not isinstance(value, _SEQUENCE):
        return [((), spec.code, f"children must be a list, found {_kind(value)}")]
    if not value:
        return [((), "empty-children", f"{_a(t)} node needs at least one child, found none")]
    return None


def _check_string(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if isinstance(value, str) or (value is None and not spec.required):
        return None
    return [((), spec.code, f"{t} {spec.name} must be a string, found {_kind(value)}")]


def _check_enumeration(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if type(value) is str and value in spec.choices:
        return None
    choices = " or ".join(f'"{c}"' for c in spec.choices)
    return [((), spec.code, f"{t} {spec.name} must be {choices}, found {_kind(value)}")]


def _check_integer(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    allowed = spec.range
    if type(value) is int and (allowed is None or value in allowed):
        return None
    where = f" from {allowed.start} to {allowed.stop - 1}" if allowed is not None else ""
    return [((), spec.code, f"{t} {spec.name} must be an integer{where}, found {_kind(value)}")]


def _check_record_id(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if isinstance(value, str):
        return None
    return [((), spec.code, f"{t} {spec.name} must be a record id string, found {_kind(value)}")]


def _check_item(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if isinstance(value, (str, Mapping)):
        return None
    expected = "a record id string or a record object"
    return [((), spec.code, f"{t} {spec.name} must be {expected}, found {_kind(value)}")]


def _check_marks(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if value is None:  # null counts as absent
        return None
    if not isinstance(value, _SEQUENCE):
        return [((), spec.code, f"marks must be a list of strings, found {_kind(value)}")]
    found: _Found = [
        ((i,), spec.code, f"a mark must be a string, found {_kind(mark)}")
        for i, mark in enumerate(value)
        if not isinstance(mark, str)
    ]
    return found or None


def _check_highlight(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if value is None:  # null counts as absent
        return None
    if not isinstance(value, _SEQUENCE):
        return [((), spec.code, f"highlight must be a list of line numbers, found {_kind(value)}")]
    wanted = "a highlighted line must be a zero-based line number"
    found: _Found = [
        ((i,), spec.code, f"{wanted}, found {_kind(line)}")
        for i, line in enumerate(value)
        if type(line) is not int or line < 0
    ]
    return found or None


def _check_meta(t: str, spec: AttributeSpec, value: object) -> _Found | None:
    if value is None:  # null counts as absent
        return None
    if not isinstance(value, _SEQUENCE):
        message = f"meta must be a list of {{id, value}} objects, found {_kind(value)}"
        return [((), spec.code, message)]
    found: _Found = []
    for i, entry in enumerate(value):
        if type(entry) is not dict:
            if isinstance(entry, BaseModel):
                entry = entry.__dict__
            elif not isinstance(entry, Mapping):
                message = f"a meta entry must be an {{id, value}} object, found {_kind(entry)}"
                found.append(((i,), spec.code, message))
                continue
        for key in entry:
            if type(key) is not str or key not in ("id", "value"):
                message = f"a meta entry only has id and value, found {_key(key)}"
                found.append(((i, _path_key(key)), spec.code, message))
        for key in ("id", "value"):
            if key not in entry:
                found.append(((i, key), spec.code, f"a meta entry needs {key}"))
            elif not isinstance(entry[key], str):
                message = f"meta {key} must be a string, found {_kind(entry[key])}"
                found.append(((i, key), spec.code, message))
    return found or None


_Check = Callable[[str, AttributeSpec, object], "_Found | None"]

_CHECKS: Final[Mapping[str, _Check]] = {
    "children": _check_children,
    "string": _check_string,
    "enumeration": _check_enumeration,
    "integer": _check_integer,
    "record-id": _check_record_id,
    "item": _check_item,
    "marks": _check_marks,
    "highlight": _check_highlight,
    "meta": _check_meta,
}
"""Attribute kind -> its check (every kind of ``dast.definitions.AttributeKind``)."""

_TYPE: Final = "type"
_TYPE_ENTRY: Final = (_TYPE, AttributeSpec("type", True, "string", "missing-type"), _check_children)

_SPECS: Final[Mapping[str, Mapping[object, tuple[str, AttributeSpec, _Check]]]] = {
    t: {"type": _TYPE_ENTRY, **{a.name: (a.kind, a, _CHECKS[a.kind]) for a in spec.attributes}}
    for t, spec in NODE_SPECS.items()
}
"""Node type -> key -> (kind, spec, check); ``type`` is there to be skipped."""
