"""The two shapes a record or block travels in, and converters between them.

- ``"jsonapi"`` (the raw API): ``{"type": "item", "id"?, "attributes": {...},
  "relationships": {"item_type": {"data": {"type": "item_type", "id": ...}}},
  "meta"?: {...}}``;
- ``"flat"`` (what client libraries expose): ``{"type": "item", "id"?,
  "item_type": {"type": "item_type", "id": ...}, <api_key>: value, ...,
  "meta"?: {...}}``.

The helpers here work on one level only (they do not know which fields hold
blocks); ``dast.cma.records.convert_record`` converts nested blocks too.

>>> flat = {"type": "item", "id": "b1", "item_type": {"type": "item_type", "id": "M"},
...         "title": "Hi"}
>>> to_jsonapi(flat)["attributes"], item_type_id_of(flat)
({'title': 'Hi'}, 'M')
>>> to_flat(to_jsonapi(flat)) == flat
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..errors import Path
from .errors import BlockRecordError

__all__ = [
    "FLAT_RESERVED_KEYS",
    "Shape",
    "attribute_path",
    "attributes_of",
    "id_of",
    "item_type_id_of",
    "meta_of",
    "record_shape",
    "to_flat",
    "to_jsonapi",
    "unwrap_record",
    "with_attributes",
]

Shape = Literal["jsonapi", "flat"]
"""``"jsonapi"`` (attributes + relationships) or ``"flat"`` (fields at the top level)."""

FLAT_RESERVED_KEYS: frozenset[str] = frozenset({"type", "id", "meta", "item_type", "creator"})
"""Keys of a flat record that are not field values."""

_RELATIONSHIPS = ("item_type", "creator")


def unwrap_record(body: Any) -> Any:
    """Take the record out of a response body ``{"data": record}``; others pass through.

    >>> unwrap_record({"data": {"type": "item", "id": "1"}})
    {'type': 'item', 'id': '1'}
    """
    if (
        isinstance(body, Mapping)
        and "type" not in body
        and isinstance(body.get("data"), Mapping)
        and body["data"].get("type") == "item"
    ):
        return body["data"]
    return body


def _check(record: Any, path: Path) -> Mapping[str, Any]:
    if not isinstance(record, Mapping):
        what = "an id string" if isinstance(record, str) else type(record).__name__
        raise BlockRecordError(f"expected a record object, got {what}", path)
    kind = record.get("type", "item")
    if kind != "item":
        raise BlockRecordError(f"a record's type must be 'item', got {kind!r}", path)
    return record


def record_shape(record: Mapping[str, Any], path: Path = ()) -> Shape:
    """``"jsonapi"`` if the record has ``attributes`` or ``relationships``, else ``"flat"``.

    >>> record_shape({"type": "item", "attributes": {}}), record_shape({"title": "x"})
    ('jsonapi', 'flat')
    """
    _check(record, path)
    return "jsonapi" if "attributes" in record or "relationships" in record else "flat"


def id_of(record: Mapping[str, Any]) -> str | None:
    """The record's id, or ``None`` for a record to create.

    >>> id_of({"type": "item", "attributes": {}}) is None
    True
    """
    rid = record.get("id")
    return rid if isinstance(rid, str) else None


def meta_of(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record's ``meta`` (empty when absent).

    >>> meta_of({"meta": {"current_version": "7"}})["current_version"]
    '7'
    """
    meta = record.get("meta")
    return meta if isinstance(meta, Mapping) else {}


def _relationship_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        rid = value.get("id")
        return rid if isinstance(rid, str) else None
    return None


def item_type_id_of(record: Mapping[str, Any], path: Path = ()) -> str | None:
    """The id of the record's model, from either shape (``None`` if not given).

    >>> item_type_id_of({"relationships": {"item_type": {"data": {"id": "M"}}}})
    'M'
    """
    if record_shape(record, path) == "jsonapi":
        rel = (record.get("relationships") or {}).get("item_type") or {}
        return _relationship_id(rel.get("data") if isinstance(rel, Mapping) else None)
    found = _relationship_id(record.get("item_type"))
    if found is None:
        legacy = record.get("__itemTypeId")
        return legacy if isinstance(legacy, str) else None
    return found


def attributes_of(record: Mapping[str, Any], path: Path = ()) -> dict[str, Any]:
    """The record's field values keyed by api_key (a new dict; the values are shared).

    >>> attributes_of({"type": "item", "id": "1", "title": "Hi", "meta": {}})
    {'title': 'Hi'}
    """
    if record_shape(record, path) == "jsonapi":
        attrs = record.get("attributes") or {}
        if not isinstance(attrs, Mapping):
            raise BlockRecordError("attributes must be an object", (*path, "attributes"))
        return dict(attrs)
    return {k: v for k, v in record.items() if k not in FLAT_RESERVED_KEYS and k != "__itemTypeId"}


def attribute_path(record: Mapping[str, Any], api_key: str) -> Path:
    """Where a field value sits inside the record: ``("attributes", key)`` or ``(key,)``.

    >>> attribute_path({"attributes": {}}, "title")
    ('attributes', 'title')
    """
    return ("attributes", api_key) if record_shape(record) == "jsonapi" else (api_key,)


def with_attributes(record: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the record (same shape) with some field values replaced.

    >>> with_attributes({"type": "item", "title": "a", "n": 1}, {"title": "b"})
    {'type': 'item', 'title': 'b', 'n': 1}
    """
    out = dict(record)
    if record_shape(record) == "jsonapi":
        out["attributes"] = {**(record.get("attributes") or {}), **changes}
    else:
        out.update(changes)
    return out


def to_jsonapi(record: Mapping[str, Any], path: Path = ()) -> dict[str, Any]:
    """The record in the raw JSON:API shape (one level: nested blocks untouched).

    >>> to_jsonapi({"type": "item", "id": "1", "item_type": {"type": "item_type",
    ...     "id": "M"}, "title": "Hi"})["relationships"]
    {'item_type': {'data': {'type': 'item_type', 'id': 'M'}}}
    """
    record = unwrap_record(record)
    if record_shape(record, path) == "jsonapi":
        return dict(record)
    out: dict[str, Any] = {"type": "item"}
    if "id" in record:
        out["id"] = record["id"]
    out["attributes"] = attributes_of(record, path)
    relationships: dict[str, Any] = {}
    for name in _RELATIONSHIPS:
        if name in record:
            value = record[name]
            if isinstance(value, str) and name == "item_type":
                value = {"type": "item_type", "id": value}
            relationships[name] = {"data": value}
    if "item_type" not in relationships and isinstance(record.get("__itemTypeId"), str):
        relationships["item_type"] = {"data": {"type": "item_type", "id": record["__itemTypeId"]}}
    if relationships:
        out["relationships"] = relationships
    if "meta" in record:
        out["meta"] = record["meta"]
    return out


def to_flat(record: Mapping[str, Any], path: Path = ()) -> dict[str, Any]:
    """The record in the flat client-library shape (one level: nested blocks untouched).

    >>> to_flat({"type": "item", "attributes": {"title": "Hi"}, "relationships": {
    ...     "item_type": {"data": {"type": "item_type", "id": "M"}}}})
    {'type': 'item', 'item_type': {'type': 'item_type', 'id': 'M'}, 'title': 'Hi'}
    """
    record = unwrap_record(record)
    if record_shape(record, path) == "flat":
        return dict(record)
    out: dict[str, Any] = {"type": "item"}
    if "id" in record:
        out["id"] = record["id"]
    relationships = record.get("relationships") or {}
    for name, rel in relationships.items():
        if isinstance(rel, Mapping) and "data" in rel:
            out[name] = rel["data"]
    for key, value in attributes_of(record, path).items():
        if key in FLAT_RESERVED_KEYS:
            raise BlockRecordError(
                f"field {key!r} cannot be flattened: the name is reserved",
                (*path, "attributes", key),
            )
        out[key] = value
    if "meta" in record:
        out["meta"] = record["meta"]
    return out
