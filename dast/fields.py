"""A structured text field's settings, and the problems a document has against them.

A document can be valid DAST and still be refused by DatoCMS: the field
allows only some nodes, marks and heading levels (its appearance
parameters), some block models, some linked models, and may be required or
limited in length (its validators). ``FieldSettings`` holds those rules,
read from a field resource as ``GET /item-types/:id/fields`` returns it
(JSON:API, the ``{"data": ...}`` body, or the flat shape of the client
libraries); ``field_problems`` lists every violation with its path, the
same paths ``dast.validate.validate`` uses. ``validate(doc, field=settings)``
calls it after the schema rules.

The JSON:API shape is read by ``dast.cma.schema.FieldSchema`` (one parser):
the flat shape is turned into that shape first, and only the appearance
parameters, which ``FieldSchema`` does not keep, are read here.

Which model a block, inline block, item link or inline item belongs to:
a block record object says it (``item_type``); an id string is looked up in
the ``blocks`` and ``links`` of a CDA-style wrapper ``{value, blocks,
links}`` or with the ``models`` lookup the caller passes (a mapping or a
function from record id to model id). A node whose model cannot be found
is not reported. ``length`` counts the characters of the document's text
(span values and code), ``required`` refuses an empty document.

>>> settings = FieldSettings(marks=frozenset({"strong"}), heading_levels=frozenset({2, 3}))
>>> doc = {"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "heading", "level": 1, "children": [
...         {"type": "span", "value": "Hi", "marks": ["emphasis"]}]}]}}
>>> for problem in field_problems(doc, settings):
...     print(problem.dotted, problem.code)
children[0].level field-heading-level
children[0].children[0].marks[0] field-mark
>>> print(field_problems(doc, settings)[0].message)
heading level 1 is not allowed in this field (allowed: 2, 3)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._traverse import iter_tree
from .definitions import DEFAULT_MARKS, FIELD_NODE_TYPES, HEADING_LEVELS
from .errors import PathLink, Problem
from .guards import item_type_id

if TYPE_CHECKING:  # dast.cma is imported when a resource is read, not with ``import dast``
    from .cma.schema import FieldSchema

__all__ = [
    "FieldSettings",
    "ModelLookup",
    "field_problems",
    "record_models",
]

ModelLookup = Callable[[str], "str | None"] | Mapping[str, str]
"""Record id -> its model (item type) id: a mapping or a function (``None``: unknown)."""


def _ids(rule: object) -> frozenset[str] | None:
    if not isinstance(rule, Mapping):
        return None
    ids = rule.get("item_types")
    return frozenset(str(i) for i in ids) if isinstance(ids, (list, tuple)) else frozenset()


def _strings(value: object) -> frozenset[str] | None:
    if not isinstance(value, (list, tuple)):
        return None
    return frozenset(str(v) for v in value)


@dataclass(frozen=True)
class FieldSettings:
    """What a structured text field accepts; ``None`` means "not restricted".

    ``nodes``: the switchable node types allowed (``dast.definitions.FIELD_NODE_TYPES``);
    ``marks``: the default marks allowed (custom marks are not restricted);
    ``heading_levels``; ``block_models`` / ``inline_block_models`` /
    ``link_models``: allowed model ids of blocks, inline blocks and linked
    records (an empty set allows none); ``required``; ``min_length`` /
    ``max_length``: characters of text.

    >>> FieldSettings(nodes=frozenset({"heading"})).allows_node("list")
    False
    """

    nodes: frozenset[str] | None = None
    marks: frozenset[str] | None = None
    heading_levels: frozenset[int] | None = None
    block_models: frozenset[str] | None = None
    inline_block_models: frozenset[str] | None = None
    link_models: frozenset[str] | None = None
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    api_key: str = ""

    @classmethod
    def from_field_schema(
        cls, field: FieldSchema, appearance: Mapping[str, Any] | None = None
    ) -> FieldSettings:
        """Settings from a ``FieldSchema`` (its validators) and the field's ``appearance``.

        >>> from dast.cma.schema import FieldSchema
        >>> f = FieldSchema("F", "body", "structured_text", False, "M",
        ...     validators={"structured_text_blocks": {"item_types": ["B"]}, "required": {}})
        >>> s = FieldSettings.from_field_schema(f, {"parameters": {"marks": ["strong"]}})
        >>> sorted(s.block_models), sorted(s.marks), s.required
        (['B'], ['strong'], True)
        """
        from .cma.errors import SchemaError

        if field.field_type != "structured_text":
            raise SchemaError(
                f"field {field.api_key!r} is a {field.field_type} field, not structured_text"
            )
        validators = field.validators
        params = (appearance or {}).get("parameters")
        params = params if isinstance(params, Mapping) else {}
        levels = params.get("heading_levels")
        heading_levels = (
            frozenset(v for v in levels if type(v) is int and v in HEADING_LEVELS)
            if isinstance(levels, (list, tuple))
            else None
        )
        length = validators.get("length")
        low = high = None
        if isinstance(length, Mapping):
            eq = length.get("eq")
            low = _int(length.get("min"), eq)
            high = _int(length.get("max"), eq)
        return cls(
            nodes=_strings(params.get("nodes")),
            marks=_strings(params.get("marks")),
            heading_levels=heading_levels,
            block_models=_ids(validators.get("structured_text_blocks")),
            inline_block_models=_ids(validators.get("structured_text_inline_blocks")),
            link_models=_ids(validators.get("structured_text_links")),
            required="required" in validators,
            min_length=low,
            max_length=high,
            api_key=field.api_key,
        )

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> FieldSettings:
        """Settings from a field resource: JSON:API, a ``{"data": ...}`` body, or flat.

        >>> s = FieldSettings.from_resource({"id": "F", "type": "field", "api_key": "body",
        ...     "field_type": "structured_text", "validators": {},
        ...     "appearance": {"parameters": {"heading_levels": [2]}}})
        >>> sorted(s.heading_levels), s.block_models is None
        ([2], True)
        """
        from .cma.errors import SchemaError
        from .cma.schema import FieldSchema

        if isinstance(resource, Mapping) and "data" in resource and "type" not in resource:
            data = resource["data"]
            if not isinstance(data, Mapping):
                raise SchemaError("a field body's data must be one field resource", ("data",))
            return cls.from_resource(data)
        if not isinstance(resource, Mapping):
            raise SchemaError(f"expected a field resource object, got {type(resource).__name__}")
        if "attributes" not in resource:  # the flat shape: make it JSON:API for FieldSchema
            resource = _jsonapi(resource)
        field = FieldSchema.from_resource(resource, item_type_id="")
        attributes = resource["attributes"]
        appearance = attributes.get("appearance") if isinstance(attributes, Mapping) else None
        return cls.from_field_schema(
            field, appearance if isinstance(appearance, Mapping) else None
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> FieldSettings:
        """Settings from a saved field resource (a JSON file, any shape ``from_resource`` reads).

        ``SchemaError`` names the file when it cannot be read or is not a
        structured text field.

        >>> import json, pathlib, tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = pathlib.Path(d) / "f.json"
        ...     _ = p.write_text(json.dumps({"api_key": "b", "field_type": "structured_text",
        ...                                  "validators": {"required": {}}}))
        ...     FieldSettings.from_file(p).required
        True
        """
        from .cma.errors import SchemaError

        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise SchemaError(f"cannot read field settings {os.fspath(path)!r}: {exc}") from None
        try:
            return cls.from_resource(data)
        except SchemaError as exc:
            raise SchemaError(f"{os.fspath(path)}: {exc.reason}", exc.path) from None

    def problems(self, doc: object, models: ModelLookup | None = None) -> list[Problem]:
        """Every violation of these settings in a document: ``field_problems(doc, self, models)``.

        >>> FieldSettings(required=True).problems(None)[0].code
        'field-required'
        """
        return field_problems(doc, self, models)

    @property
    def allowed_blocks(self) -> frozenset[str] | None:
        """The block-level kinds ``dast.convert.from_html`` may build (``None``: all).

        >>> sorted(FieldSettings(nodes=frozenset({"list"})).allowed_blocks)
        ['block', 'list']
        """
        return None if self.nodes is None else self.nodes | {"block"}

    @property
    def allowed_marks(self) -> frozenset[str] | None:
        """The marks allowed (``None``: all), as ``from_html`` reads them.

        >>> FieldSettings(marks=frozenset({"strong"})).allowed_marks
        frozenset({'strong'})
        """
        return self.marks

    @property
    def allowed_heading_levels(self) -> frozenset[int] | None:
        """The heading levels allowed (``None``: all), as ``from_html`` reads them.

        >>> FieldSettings(heading_levels=frozenset({2})).allowed_heading_levels
        frozenset({2})
        """
        return self.heading_levels

    def allows_node(self, node_type: str) -> bool:
        """Whether the appearance allows a node type (only ``FIELD_NODE_TYPES`` can be off).

        >>> none = FieldSettings(nodes=frozenset())
        >>> FieldSettings().allows_node("code"), none.allows_node("list"), none.allows_node("block")
        (True, False, True)
        """
        return self.nodes is None or node_type not in FIELD_NODE_TYPES or node_type in self.nodes

    def allows_mark(self, mark: str) -> bool:
        """Whether a mark is allowed (custom marks, not among the default six, always are).

        >>> FieldSettings(marks=frozenset({"strong"})).allows_mark("code")
        False
        """
        return self.marks is None or mark not in DEFAULT_MARKS or mark in self.marks

    def allows_level(self, level: int) -> bool:
        """Whether a heading level is allowed (headings themselves aside).

        >>> FieldSettings(heading_levels=frozenset({2})).allows_level(1)
        False
        """
        return self.heading_levels is None or level in self.heading_levels

    def nearest_level(self, level: int) -> int | None:
        """The allowed heading level nearest to ``level`` (the deeper on a tie), or ``None``
        when headings are not allowed at all.

        >>> FieldSettings(heading_levels=frozenset({2, 4})).nearest_level(3)
        4
        """
        if not self.allows_node("heading"):
            return None
        if self.heading_levels is None:
            return level
        if not self.heading_levels:
            return None
        return min(self.heading_levels, key=lambda allowed: (abs(allowed - level), -allowed))


def _int(value: object, default: object) -> int | None:
    if type(value) is int:
        return value
    return default if type(default) is int else None


def _jsonapi(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The flat client shape of a field as a JSON:API resource."""
    skip = {"id", "type", "item_type", "relationships", "meta", "fieldset"}
    owner = flat.get("item_type")
    owner = {"type": "item_type", "id": owner} if isinstance(owner, str) else owner
    resource: dict[str, Any] = {
        "type": flat.get("type", "field"),
        "id": flat.get("id", ""),
        "attributes": {k: v for k, v in flat.items() if k not in skip},
    }
    if isinstance(owner, Mapping):
        resource["relationships"] = {"item_type": {"data": owner}}
    return resource


# --- checking a document ----------------------------------------------------------------


def record_models(records: object) -> dict[str, str]:
    """Record id -> model id for the record objects of a list (CDA ``blocks`` / ``links``).

    >>> record_models([{"id": "r1", "item_type": {"id": "M"}}, {"id": "r2"}, "junk"])
    {'r1': 'M'}
    """
    found: dict[str, str] = {}
    if isinstance(records, (list, tuple)):
        for record in records:
            model = item_type_id(record)
            rid = record.get("id") if isinstance(record, Mapping) else None
            if isinstance(rid, str) and model is not None:
                found[rid] = model
    return found


_PLAIN = frozenset({"root", "paragraph", "listItem"})
"""Node types no field setting restricts (spans are checked on their own)."""


def _fields_of(node: object) -> Mapping[str, Any]:
    """A node's attributes: itself for a JSON object, the fields of a node model."""
    if isinstance(node, Mapping):
        return node
    return getattr(node, "__dict__", {})


def _kids(node: object) -> tuple[object, ...] | list[object]:
    fields: Mapping[str, Any] = node if type(node) is dict else _fields_of(node)
    kids = fields.get("children")
    return kids if type(kids) is list or type(kids) is tuple else ()


def _root_of(doc: object) -> tuple[object | None, dict[str, str]]:
    """The root node of a document in any accepted shape, and the wrapper's record models."""
    models: dict[str, str] = {}
    if isinstance(doc, Mapping) and "value" in doc and "document" not in doc:
        models.update(record_models(doc.get("blocks")))
        models.update(record_models(doc.get("links")))
        doc = doc["value"]
    if doc is None:
        return None, models
    if isinstance(doc, Mapping):
        if "document" in doc:
            return doc["document"], models
        return doc, models
    inner = getattr(doc, "document", None)
    return (inner if inner is not None else doc), models


def _listed(values: Iterable[object]) -> str:
    shown = sorted(values, key=str)
    return ", ".join(str(v) for v in shown) if shown else "none"


def field_problems(
    doc: object, settings: FieldSettings, models: ModelLookup | None = None
) -> list[Problem]:
    """Every violation of ``settings`` in a document (paths relative to the root node).

    ``doc``: a ``Document``, DAST JSON, or the CDA wrapper ``{value, blocks,
    links}`` (its records tell the models of id-only references). The
    document is assumed to pass the schema rules (``validate`` checks those
    first); parts it cannot read are skipped.

    >>> s = FieldSettings(block_models=frozenset({"Quote"}), required=True)
    >>> [p.code for p in field_problems(None, s)]
    ['field-required']
    >>> wrapper = {"value": {"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "block", "item": "b1"}]}}, "blocks": [{"id": "b1", "item_type": "Hero"}]}
    >>> [p.message for p in field_problems(wrapper, s)]
    ['a block of model Hero is not allowed in this field (allowed: Quote)']
    """
    root, found = _root_of(doc)
    lookup = _lookup(found, models)
    problems: list[Problem] = []
    if root is None:
        if settings.required:
            problems.append(Problem((), "field-required", "this field is required"))
        return problems
    links: dict[int, PathLink] = {id(root): None}
    length = 0
    visible = False
    marks_limited = settings.marks is not None
    plain = _PLAIN
    link: PathLink
    for node, parent, index, _depth, _last in iter_tree(root, _kids):
        fields = node if type(node) is dict else _fields_of(node)
        t = fields.get("type")
        if type(t) is not str:
            continue
        if t == "span":
            value = fields.get("value")
            if type(value) is str:
                length += len(value)
                if not visible and value.strip():
                    visible = True
            if marks_limited and fields.get("marks"):
                link = (links[id(parent)], index, node)
                _check_marks(fields, link, settings, problems)
            continue
        link = None if parent is None else (links[id(parent)], index, node)
        if fields.get("children"):
            links[id(node)] = link
        if t in plain:
            continue
        if t == "code":
            code = fields.get("code")
            if type(code) is str:
                length += len(code)
                if not visible and code.strip():
                    visible = True
        elif t in ("block", "inlineBlock", "inlineItem", "thematicBreak"):
            visible = True
        if not settings.allows_node(t):
            message = f"{t} nodes are not allowed in this field"
            if settings.nodes is not None:
                message += f" (allowed: {_listed(settings.nodes)})"
            problems.append(Problem.at(link, (), "field-node", message))
        elif t == "heading":
            level = fields.get("level")
            if type(level) is int and not settings.allows_level(level):
                allowed = _listed(settings.heading_levels or ())
                message = f"heading level {level} is not allowed in this field (allowed: {allowed})"
                problems.append(Problem.at(link, ("level",), "field-heading-level", message))
        elif t in _MODEL_RULES:
            _check_model(fields, t, link, settings, lookup, problems)
    if settings.required and not visible:
        problems.append(Problem((), "field-required", "this field is required (it has no text)"))
    low, high = settings.min_length, settings.max_length
    if (low is not None and length < low) or (high is not None and length > high):
        if low is not None and low == high:
            wanted = f"exactly {low}"
        elif high is None:
            wanted = f"at least {low}"
        elif low is None:
            wanted = f"at most {high}"
        else:
            wanted = f"from {low} to {high}"
        message = f"the text must have {wanted} characters, found {length}"
        problems.append(Problem((), "field-length", message))
    return problems


_MODEL_RULES: dict[str, tuple[str, str, str, str]] = {
    "block": ("block_models", "field-block-model", "a block", "blocks"),
    "inlineBlock": ("inline_block_models", "field-inline-block-model", "an inline block",
                    "inline blocks"),
    "itemLink": ("link_models", "field-link-model", "a link to a record", "links to records"),
    "inlineItem": ("link_models", "field-link-model", "an inline record", "inline records"),
}


def _lookup(found: Mapping[str, str], models: ModelLookup | None) -> Callable[[str], str | None]:
    if models is None:
        return found.get
    if isinstance(models, Mapping):
        return lambda rid: found.get(rid) or models.get(rid)
    call = models
    return lambda rid: found.get(rid) or call(rid)


def _check_model(
    node: Mapping[str, Any],
    t: str,
    link: PathLink,
    settings: FieldSettings,
    lookup: Callable[[str], str | None],
    problems: list[Problem],
) -> None:
    attribute, code, what, plural = _MODEL_RULES[t]
    allowed: frozenset[str] | None = getattr(settings, attribute)
    if allowed is None:
        return
    item = node.get("item")
    if not allowed:
        message = f"{plural} are not allowed in this field"
        problems.append(Problem.at(link, (), code, message))
        return
    model = item_type_id(item) if isinstance(item, Mapping) else None
    if model is None:
        rid = item.get("id") if isinstance(item, Mapping) else item
        model = lookup(rid) if isinstance(rid, str) else None
    if model is not None and model not in allowed:
        message = f"{what} of model {model} is not allowed in this field"
        message += f" (allowed: {_listed(allowed)})"
        problems.append(Problem.at(link, ("item",), code, message))


def _check_marks(
    node: Mapping[str, Any], link: PathLink, settings: FieldSettings, problems: list[Problem]
) -> None:
    marks = node.get("marks")
    if settings.marks is None or not marks:
        return
    for i, mark in enumerate(marks):
        if isinstance(mark, str) and not settings.allows_mark(mark):
            allowed = _listed(settings.marks)
            message = f'mark "{mark}" is not allowed in this field (allowed: {allowed})'
            problems.append(Problem.at(link, ("marks", i), "field-mark", message))

