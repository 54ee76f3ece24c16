"""Shared test support for dast.cma: fixtures, a model of the CMA server, canonical forms.

The server model is written independently of the code under test (plain
recursion over small JSON, its own block walking): it applies an update
payload to a stored record the way the CMA documents it.

- An omitted field keeps its value.
- A sent localized field replaces the locale object whole (for the locales
  the token manages; the others are kept).
- In a block slot: an id string keeps the block as stored; an object with
  ``id`` edits only the attributes it sends; an object without ``id``
  creates a block (given a fresh id here, ``new:N``).
- After the update every localized field must share one locale set.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dast.cma.records import convert_record
from dast.cma.schema import FieldSchema, SchemaRepository

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cma"

MODEL = {
    "article": "UZyfjdBES8y2W2ruMEHSoA",
    "gallery": "BxZ9Y2aKQVeTnM4hP8wLpD",
    "image_card": "Hn4cR8tYQw6pLm2xZs9VkE",
    "cta": "Tf7gJ3nWSp1dXk8qLv5RbM",
    "quote": "Qa2sD5fGRh8jKl3zXc6VbN",
    "badge": "Wp9oI8uYTr7eWq6aSd5FgH",
    "hero": "Hr1oE5bTQn4kMz8wXc2VpL",
}


def load_json(*parts: str) -> Any:
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


def fixture_schema() -> SchemaRepository:
    return SchemaRepository.from_directory(FIXTURES / "schema")


def fixture_record() -> dict[str, Any]:
    """The article as ``GET /items/:id?nested=true`` returns it (raw shape)."""
    return load_json("records", "article_nested.json")["data"]  # type: ignore[no-any-return]


def fixture_record_flat() -> dict[str, Any]:
    return load_json("records", "article_nested_flat.json")  # type: ignore[no-any-return]


class ServerRejected(Exception):
    """The modelled server would answer 422."""


# --- independent block walking --------------------------------------------------------------


def doc_block_slots(node: Any) -> Iterator[dict[str, Any]]:
    """Every block / inlineBlock node dict of a DAST JSON tree (plain recursion)."""
    if isinstance(node, dict):
        if node.get("type") in ("block", "inlineBlock"):
            yield node
        for child in node.get("children", ()):
            yield from doc_block_slots(child)
        if "document" in node:
            yield from doc_block_slots(node["document"])


def jsonapi_attrs(block: dict[str, Any]) -> dict[str, Any]:
    return block["attributes"]  # type: ignore[no-any-return]


def model_of(block: dict[str, Any]) -> str:
    return block["relationships"]["item_type"]["data"]["id"]  # type: ignore[no-any-return]


def locale_values(f: FieldSchema, value: Any) -> list[Any]:
    if f.localized:
        return list((value or {}).values())
    return [value]


def blocks_in(schema: SchemaRepository, f: FieldSchema, value: Any) -> Iterator[Any]:
    """Every block slot value (str or dict, jsonapi shape) at any depth."""
    for local in locale_values(f, value):
        if local is None:
            continue
        if f.field_type == "rich_text":
            tops = list(local)
        elif f.field_type == "single_block":
            tops = [local]
        elif f.field_type == "structured_text":
            tops = [slot["item"] for slot in doc_block_slots(local)]
        else:
            tops = []
        for block in tops:
            yield block
            if isinstance(block, dict):
                for g in schema.fields(model_of(block)):
                    yield from blocks_in(schema, g, jsonapi_attrs(block).get(g.api_key))


def all_blocks(schema: SchemaRepository, record: dict[str, Any]) -> Iterator[Any]:
    for f in schema.fields(model_of(record)):
        yield from blocks_in(schema, f, record["attributes"].get(f.api_key))


# --- the server -------------------------------------------------------------------------------


class Server:
    """Applies update bodies to a stored record (raw JSON:API shape)."""

    def __init__(self, schema: SchemaRepository, stored: dict[str, Any]) -> None:
        self.schema = schema
        self.stored = convert_record(copy.deepcopy(stored), "jsonapi", schema)
        self.fresh = itertools.count(1)

    def apply(self, body: dict[str, Any], managed: set[str] | None = None) -> dict[str, Any]:
        data = body["data"]
        if data["type"] != "item" or data["id"] != self.stored["id"]:
            raise ServerRejected("wrong record")
        version = self.stored.get("meta", {}).get("current_version")
        if data.get("meta", {}).get("current_version") != version:
            raise ServerRejected("STALE_ITEM_VERSION")
        self.index = {
            b["id"]: b for b in all_blocks(self.schema, self.stored) if isinstance(b, dict)
        }
        self.used: set[str] = set()
        model = model_of(self.stored)
        attrs = dict(self.stored["attributes"])
        for key, sent in data["attributes"].items():
            f = self.schema.field(model, key)
            if f.localized:
                if not isinstance(sent, dict):
                    raise ServerRejected(f"{key}: a localized field takes an object")
                old = attrs.get(key) or {}
                new = {k: v for k, v in old.items() if managed is not None and k not in managed}
                for locale, value in sent.items():
                    if managed is not None and locale not in managed:
                        raise ServerRejected(f"{key}.{locale}: locale not managed")
                    new[locale] = self.resolve(f, value)
                attrs[key] = new
            else:
                attrs[key] = self.resolve(f, sent)
        sets = {
            frozenset(attrs.get(f.api_key) or {}) for f in self.schema.fields(model) if f.localized
        }
        if len(sets) > 1:
            raise ServerRejected(f"incoherent locales: {sets}")
        result = {**self.stored, "attributes": attrs}
        result["meta"] = {**self.stored.get("meta", {}), "current_version": str(version) + "+1"}
        self.stored = result
        return result

    def resolve(self, f: FieldSchema, value: Any) -> Any:
        if value is None or f.field_type not in ("rich_text", "single_block", "structured_text"):
            return copy.deepcopy(value)
        if f.field_type == "rich_text":
            return [self.block(b) for b in value]
        if f.field_type == "single_block":
            return self.block(value)
        doc = copy.deepcopy(value)
        if doc.get("schema") != "dast":
            raise ServerRejected("not a DAST document")
        for slot in doc_block_slots(doc):
            slot["item"] = self.block(slot["item"])
        return doc

    def block(self, slot: Any) -> dict[str, Any]:
        if isinstance(slot, str):
            return self.stored_block(slot)
        if set(slot) - {"type", "id", "attributes", "relationships"} or slot["type"] != "item":
            raise ServerRejected(f"not a request block: {sorted(slot)}")
        if "id" in slot:
            base = self.stored_block(slot["id"])
            if "relationships" in slot and model_of(slot) != model_of(base):
                raise ServerRejected("a block cannot change model")
        else:
            model = model_of(slot)
            if not self.schema.is_block_model(model):
                raise ServerRejected("not a block model")
            base = {
                "type": "item",
                "id": f"new:{next(self.fresh)}",
                "attributes": {},
                "relationships": {"item_type": {"data": {"type": "item_type", "id": model}}},
            }
        fields = self.schema.fields_by_api_key(model_of(base))
        for key, value in slot.get("attributes", {}).items():
            if key not in fields:
                raise ServerRejected(f"unknown block field {key}")
            base["attributes"][key] = self.resolve(fields[key], value)
        return base

    def stored_block(self, bid: str) -> dict[str, Any]:
        if bid not in self.index:
            raise ServerRejected(f"unknown block {bid}")
        if bid in self.used:
            raise ServerRejected(f"block {bid} used twice")
        self.used.add(bid)
        return copy.deepcopy(self.index[bid])


# --- canonical forms ------------------------------------------------------------------------


def canon_record(schema: SchemaRepository, record: Any) -> dict[str, Any]:
    """Field values with blocks as ``{"id", "model", "attrs"}``, new ids and meta dropped."""
    raw = convert_record(copy.deepcopy(record), "jsonapi", schema)
    model = model_of(raw)
    return {
        key: canon_value(schema, schema.field(model, key), value)
        for key, value in raw["attributes"].items()
    }


def canon_value(schema: SchemaRepository, f: FieldSchema, value: Any) -> Any:
    if f.localized and value is not None:
        return {k: canon_local(schema, f, v) for k, v in value.items()}
    return canon_local(schema, f, value)


def canon_local(schema: SchemaRepository, f: FieldSchema, value: Any) -> Any:
    if hasattr(value, "to_json"):
        value = value.to_json()
    if value is None:
        return None
    if f.field_type == "rich_text":
        return [canon_block(schema, b) for b in value]
    if f.field_type == "single_block":
        return canon_block(schema, value)
    if f.field_type == "structured_text":
        doc = copy.deepcopy(value)
        for slot in doc_block_slots(doc):
            slot["item"] = canon_block(schema, slot["item"])
        return doc
    return value


def canon_block(schema: SchemaRepository, block: Any) -> Any:
    if isinstance(block, str):
        return {"ref": block}
    block = convert_record(block, "jsonapi")
    bid = block.get("id")
    model = model_of(block)
    fields = schema.fields_by_api_key(model)
    return {
        "id": None if bid is None or bid.startswith("new:") else bid,
        "model": model,
        "attrs": {k: canon_value(schema, fields[k], v) for k, v in block["attributes"].items()},
    }
