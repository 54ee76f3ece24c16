"""The one schema table (dast.definitions.NODE_SPECS) and the node model agree exactly."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel, PlainValidator

from dast import definitions
from dast.definitions import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CHILDREN,
    ATTRIBUTE_ORDER,
    NODE_SPECS,
    NODE_TYPES,
    OPTIONAL_ATTRIBUTES,
    REQUIRED_ATTRIBUTES,
    AttributeSpec,
    NodeSpec,
)
from dast.nodes import NODE_CLASS_BY_TYPE, MetaEntry, Span


def _parts(annotation: Any, found: dict[str, Any]) -> None:
    """Collect what a field annotation is made of: base types, classes, literals, bounds."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        for meta in metadata:
            _metadata(meta, found)
        _parts(base, found)
    elif origin is typing.Union or origin is types.UnionType:
        for arg in typing.get_args(annotation):
            _parts(arg, found)
    elif origin is tuple:
        found["sequence"] = True
        _parts(typing.get_args(annotation)[0], found)
    elif origin is typing.Literal:
        found.setdefault("literals", set()).update(typing.get_args(annotation))
    elif origin is dict:
        found.setdefault("bases", set()).add(dict)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.setdefault("classes", set()).add(annotation)
    elif annotation is type(None):
        pass
    elif isinstance(annotation, type):
        found.setdefault("bases", set()).add(annotation)


def _metadata(meta: Any, found: dict[str, Any]) -> None:
    if isinstance(meta, annotated_types.Ge):
        found["ge"] = meta.ge
    elif isinstance(meta, annotated_types.Le):
        found["le"] = meta.le
    elif isinstance(meta, PlainValidator):
        found["plain"] = True
    elif hasattr(meta, "metadata"):  # a FieldInfo inside Annotated
        for inner in meta.metadata:
            _metadata(inner, found)


def _field_parts(field: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for meta in field.metadata:
        _metadata(meta, found)
    _parts(field.annotation, found)
    return found


def _expected_kind(found: dict[str, Any]) -> set[str]:
    """The attribute kinds a field's annotation can stand for."""
    classes = found.get("classes", set())
    bases = found.get("bases", set())
    if classes == {MetaEntry}:
        return {"meta"}
    if classes:
        return {"children"}
    if found.get("plain"):
        return {"item"}
    if "literals" in found:
        return {"enumeration"}
    if found.get("sequence"):
        return {"marks"} if bases == {str} else {"highlight"} if bases == {int} else set()
    if bases == {int}:
        return {"integer"}
    if bases == {str}:
        return {"string", "record-id"}
    return set()


def schema_mismatches(
    table: Mapping[str, NodeSpec], classes: Mapping[str, type[BaseModel]]
) -> list[str]:
    """Every way the node classes differ from the schema table (empty when they agree)."""
    out: list[str] = []
    if set(table) != set(classes):
        out.append(f"node types: table {sorted(table)} != classes {sorted(classes)}")
    for t in sorted(set(table) & set(classes)):
        spec, cls = table[t], classes[t]
        fields = cls.model_fields
        names = tuple(fields)
        if names != ("type", *spec.names):
            out.append(f"{t}: fields {names} != table {('type', *spec.names)}")
        type_field = fields.get("type")
        if type_field is None or type_field.default != t or _field_parts(type_field).get(
            "literals"
        ) != {t}:
            out.append(f"{t}: the type field is not Literal[{t!r}] = {t!r}")
        for attribute in spec.attributes:
            field = fields.get(attribute.name)
            if field is None:
                continue
            where = f"{t}.{attribute.name}"
            if field.alias not in (None, attribute.name):
                out.append(f"{where}: alias {field.alias!r}")
            if field.is_required() != attribute.required:
                out.append(f"{where}: required {field.is_required()} != {attribute.required}")
            found = _field_parts(field)
            kinds = sorted(_expected_kind(found))
            if attribute.kind not in kinds:
                out.append(f"{where}: kind {attribute.kind} != model {kinds}")
            if attribute.kind == "integer":
                bounds = (found.get("ge"), found.get("le"))
                wanted = (None, None)
                if attribute.range is not None:
                    wanted = (attribute.range.start, attribute.range.stop - 1)
                if bounds != wanted:
                    out.append(f"{where}: bounds {bounds} != {wanted}")
            if attribute.kind == "highlight" and found.get("ge") != 0:
                out.append(f"{where}: highlight lines are not ge=0")
            if attribute.kind == "enumeration" and found.get("literals") != set(attribute.choices):
                out.append(f"{where}: choices {found.get('literals')} != {attribute.choices}")
            if attribute.kind == "children":
                kids = {c.model_fields["type"].default for c in found.get("classes", set())}
                if kids != set(attribute.children):
                    wanted = sorted(attribute.children)
                    out.append(f"{where}: child types {sorted(kids)} != {wanted}")
                if not found.get("sequence"):
                    out.append(f"{where}: children is not a tuple")
    return out


def test_the_model_is_exactly_the_table() -> None:
    assert schema_mismatches(NODE_SPECS, NODE_CLASS_BY_TYPE) == []


def _altered(t: str, **changes: Any) -> dict[str, NodeSpec]:
    table = dict(NODE_SPECS)
    table[t] = dataclasses.replace(NODE_SPECS[t], **changes)
    return table


def _with_attribute(t: str, name: str, **changes: Any) -> dict[str, NodeSpec]:
    spec = NODE_SPECS[t]
    attrs = tuple(
        dataclasses.replace(a, **changes) if a.name == name else a for a in spec.attributes
    )
    return _altered(t, attributes=attrs)


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        (
            _altered(
                "span",
                attributes=(
                    *NODE_SPECS["span"].attributes,
                    AttributeSpec("lang", False, "string", "invalid-attribute"),
                ),
            ),
            "span: fields",
        ),
        (_altered("code", attributes=NODE_SPECS["code"].attributes[:2]), "code: fields"),
        (_with_attribute("heading", "level", range=range(1, 10)), "heading.level: bounds"),
        (_with_attribute("list", "style", choices=("bulleted",)), "list.style: choices"),
        (_with_attribute("paragraph", "style", required=True), "paragraph.style: required"),
        (_with_attribute("link", "children", children=frozenset({"span", "link"})), "child types"),
        (_with_attribute("span", "marks", kind="meta"), "span.marks: kind"),
        ({t: s for t, s in NODE_SPECS.items() if t != "block"}, "node types"),
    ],
    ids=["extra-attr", "missing-attr", "range", "choices", "required", "children", "kind", "type"],
)
def test_an_altered_table_is_caught(table: Mapping[str, NodeSpec], needle: str) -> None:
    mismatches = schema_mismatches(table, NODE_CLASS_BY_TYPE)
    assert mismatches
    assert any(needle in m for m in mismatches), mismatches


def test_an_altered_model_is_caught() -> None:
    class Wider(Span):
        lang: str | None = None

    classes: dict[str, type[BaseModel]] = {**NODE_CLASS_BY_TYPE, "span": Wider}
    assert any("span: fields" in m for m in schema_mismatches(NODE_SPECS, classes))


def test_node_classes_cover_exactly_the_node_types() -> None:
    assert set(NODE_CLASS_BY_TYPE) == NODE_TYPES == set(NODE_SPECS)
    for t, cls in NODE_CLASS_BY_TYPE.items():
        assert cls.model_fields["type"].default == t


def test_derived_names_come_from_the_table() -> None:
    for t, spec in NODE_SPECS.items():
        assert ATTRIBUTE_ORDER[t] == ("type", *spec.names)
        assert ALLOWED_ATTRIBUTES[t] == {"type", *spec.names}
        assert REQUIRED_ATTRIBUTES[t] | OPTIONAL_ATTRIBUTES[t] == set(spec.names)
        assert not REQUIRED_ATTRIBUTES[t] & OPTIONAL_ATTRIBUTES[t]
        assert ALLOWED_CHILDREN[t] == spec.children
    assert NODE_SPECS["heading"].attribute("level").range == definitions.HEADING_LEVELS
    assert NODE_SPECS["list"].attribute("style").choices == definitions.LIST_STYLES
    assert set(definitions.CANONICAL_MARK_ORDER) == set(definitions.DEFAULT_MARKS)


def test_attribute_order_is_the_dump_order() -> None:
    for t, cls in NODE_CLASS_BY_TYPE.items():
        assert tuple(cls.model_fields) == ATTRIBUTE_ORDER[t]


def test_every_exported_name_is_kept() -> None:
    for name in (
        "ALLOWED_ATTRIBUTES",
        "ALLOWED_CHILDREN",
        "BLOCK_NODE_TYPES",
        "CANONICAL_MARK_ORDER",
        "DEFAULT_MARKS",
        "HEADING_LEVELS",
        "INLINE_NODE_TYPES",
        "LEAF_NODE_TYPES",
        "LIST_STYLES",
        "NODE_TYPES",
        "NODE_TYPES_WITH_CHILDREN",
        "OPTIONAL_ATTRIBUTES",
        "REQUIRED_ATTRIBUTES",
        "ROOT_CHILD_TYPES",
        "SCHEMA",
    ):
        assert name in definitions.__all__


def test_the_validator_has_no_hand_written_attribute_list() -> None:
    import inspect

    from dast import validate

    source = inspect.getsource(validate)
    for name in ('"attribution"', '"language"', '"url"', '"level"', '"highlight"', '"bulleted"'):
        assert name not in source.split('"""', 2)[2], name  # outside the module docstring
