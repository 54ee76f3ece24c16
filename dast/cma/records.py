"""Block records: build them, clone them, test their model, convert their shape.

Records and blocks come in two shapes (see ``dast.cma.shapes``): the raw
JSON:API one (``attributes`` + ``relationships.item_type``) and the flat one
client libraries use (fields at the top level, ``item_type`` beside them).
Every helper here accepts both; each says which one it returns.

>>> block = build_block_record("QuoteModelId", {"text": "Hi"})
>>> block["relationships"]["item_type"]["data"]["id"], "id" in block
('QuoteModelId', False)
>>> is_block_of_type("QuoteModelId", block)
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, overload

from ..errors import Path
from ._json import copy_json
from .errors import BlockRecordError
from .field_blocks import BlockValue, map_blocks
from .schema import ItemTypeSchema, SchemaRepository
from .shapes import (
    FLAT_RESERVED_KEYS,
    Shape,
    attributes_of,
    item_type_id_of,
    record_shape,
    to_flat,
    to_jsonapi,
    unwrap_record,
)

__all__ = [
    "build_block_record",
    "convert_record",
    "duplicate_block_record",
    "is_block_of_type",
]


def build_block_record(
    item_type_id: str,
    attributes: Mapping[str, Any],
    id: str | None = None,
    *,
    shape: Shape = "jsonapi",
) -> dict[str, Any]:
    """A block in request shape: with ``id`` it edits that block, without it creates one.

    ``attributes`` maps field api_keys to values (only the changed ones for
    an edit). Returns the raw JSON:API shape by default, the flat
    client-library shape with ``shape="flat"``. Values are used as given
    (nested blocks may be in either shape); the dict returned is new.

    >>> build_block_record("M", {"title": "Hi"}, "b1", shape="flat")
    {'type': 'item', 'id': 'b1', 'item_type': {'type': 'item_type', 'id': 'M'}, 'title': 'Hi'}
    """
    if not isinstance(item_type_id, str) or not item_type_id:
        raise BlockRecordError(f"item_type_id must be a model id string, got {item_type_id!r}")
    if not isinstance(attributes, Mapping):
        raise BlockRecordError(
            f"attributes must map field api_keys to values, got {type(attributes).__name__}"
        )
    if id is not None and (not isinstance(id, str) or not id):
        raise BlockRecordError(f"id must be a block id string or None, got {id!r}")
    out: dict[str, Any] = {"type": "item"}
    if id is not None:
        out["id"] = id
    item_type = {"type": "item_type", "id": item_type_id}
    if shape == "jsonapi":
        out["attributes"] = dict(attributes)
        out["relationships"] = {"item_type": {"data": item_type}}
        return out
    if shape != "flat":
        raise BlockRecordError(f"shape must be 'jsonapi' or 'flat', got {shape!r}")
    out["item_type"] = item_type
    for key, value in attributes.items():
        if key in FLAT_RESERVED_KEYS:
            raise BlockRecordError(f"field {key!r} cannot be flattened: the name is reserved")
        out[key] = value
    return out


def duplicate_block_record(
    block: Mapping[str, Any], schema: SchemaRepository, *, shape: Shape | None = None
) -> dict[str, Any]:
    """A deep copy of a block ready to be created: every ``id`` and ``meta`` removed.

    Blocks nested in its modular content, single block and structured text
    fields (localized ones too), at any depth, are cloned the same way. Each
    clone keeps the shape its original had, or takes ``shape`` if given. A
    nested block given only as an id string cannot be cloned:
    ``BlockRecordError`` names its path.

    >>> from dast.cma.schema import SchemaRepository, ItemTypeSchema
    >>> schema = SchemaRepository([ItemTypeSchema("Q", "quote", modular_block=True)], {"Q": []})
    >>> duplicate_block_record({"type": "item", "id": "b1", "item_type": {
    ...     "type": "item_type", "id": "Q"}, "text": "Hi", "meta": {}}, schema)
    {'type': 'item', 'item_type': {'type': 'item_type', 'id': 'Q'}, 'text': 'Hi'}
    """
    if not isinstance(block, Mapping):
        raise BlockRecordError(
            "cannot duplicate a block given only by its id: fetch it with ?nested=true"
        )

    def clone(found: BlockValue, path: Path) -> BlockValue:
        if isinstance(found, str):
            raise BlockRecordError(
                f"cannot duplicate the nested block {found!r}: it is only an id "
                "(fetch the record with ?nested=true)",
                path,
            )
        model = item_type_id_of(found, path)
        if model is None:
            raise BlockRecordError("block has no item type", path)
        attributes = copy_json(attributes_of(found, path))
        return build_block_record(model, attributes, shape=shape or record_shape(found, path))

    cloned = map_blocks(unwrap_record(block), "single_block", schema, clone)
    assert isinstance(cloned, dict)
    return cloned


@overload
def is_block_of_type(model_id: str | ItemTypeSchema, block: None = None) -> Callable[..., bool]: ...
@overload
def is_block_of_type(model_id: str | ItemTypeSchema, block: object) -> bool: ...
def is_block_of_type(
    model_id: str | ItemTypeSchema, block: object = None
) -> bool | Callable[..., bool]:
    """Whether a block is a record of this model; curried when no block is given.

    The curried form takes ``(block, *rest)`` so it serves directly as a
    predicate of ``find_all_blocks`` (``(block, path)``) or ``filter``. An id
    string is of no known model (False).

    >>> blocks = [{"type": "item", "item_type": {"type": "item_type", "id": "Q"}}, "b2"]
    >>> [is_block_of_type("Q")(b) for b in blocks]
    [True, False]
    """
    wanted = model_id.id if isinstance(model_id, ItemTypeSchema) else model_id
    if block is None:
        return lambda found, *_rest: _is_of(wanted, found)
    return _is_of(wanted, block)


def _is_of(model_id: str, block: object) -> bool:
    if not isinstance(block, Mapping):
        return False
    try:
        return item_type_id_of(block) == model_id
    except BlockRecordError:
        return False


def convert_record(
    record: Mapping[str, Any], shape: Shape, schema: SchemaRepository | None = None
) -> dict[str, Any]:
    """The record (or block) in ``shape``; with a schema, its nested blocks too.

    Without a schema only the top level is converted (the helpers cannot
    tell which fields hold blocks). A response body ``{"data": record}`` is
    unwrapped first. Nothing else changes: ids and meta are kept.

    >>> convert_record({"type": "item", "id": "1", "attributes": {"n": 1}}, "flat")
    {'type': 'item', 'id': '1', 'n': 1}
    """
    convert = to_jsonapi if shape == "jsonapi" else to_flat
    if shape not in ("jsonapi", "flat"):
        raise BlockRecordError(f"shape must be 'jsonapi' or 'flat', got {shape!r}")
    record = unwrap_record(record)
    if schema is None:
        return convert(record)

    def one(found: BlockValue, path: Path) -> BlockValue:
        return found if isinstance(found, str) else convert(found, path)

    converted = map_blocks(record, "single_block", schema, one)
    assert isinstance(converted, dict)
    return converted
