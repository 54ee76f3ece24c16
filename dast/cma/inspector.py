"""``inspect_item``: a readable ASCII tree of a record or block and its nested blocks.

Without a schema, blocks are recognised by their shape (objects with
``"type": "item"``, in lists, in single slots and in the ``block`` /
``inlineBlock`` nodes of DAST documents) and localized values by their
locale keys; with a schema, by the fields' types, and models are shown by
api_key. Long strings are cut. The walk is iterative (any depth).

>>> print(inspect_item({"type": "item", "id": "b1", "item_type": {"type": "item_type",
...     "id": "Q"}, "text": "Hi", "tags": ["a", "b"]}))
item b1 (model Q)
|-- text: "Hi"
`-- tags: ["a", "b"]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from typing_extensions import TypeIs

from .._traverse import iter_tree
from ..errors import DastError, format_path
from ..load import load_document
from ..nodes import Block, Document, InlineBlock, Node
from ..walk import collect_nodes
from .schema import FieldSchema, SchemaRepository
from .shapes import attributes_of, id_of, item_type_id_of, meta_of, unwrap_record

__all__ = ["inspect_item"]

_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Za-z0-9]{2,8})*$")
_MAX = 60


@dataclass
class _Entry:
    label: str
    children: list[_Entry]
    value: Any = None
    expand: str = ""  # "" (leaf) | "record" | "field"
    field: FieldSchema | None = None


def _scalar(value: Any) -> str:
    if isinstance(value, Document):
        value = value.to_json()
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= _MAX else text[: _MAX - 3] + "..."


def _is_record(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("type") == "item"


def _is_document(value: Any) -> bool:
    return isinstance(value, Document) or (
        isinstance(value, Mapping) and value.get("schema") == "dast" and "document" in value
    )


def _is_block_list(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and any(_is_record(v) for v in value)
        and all(_is_record(v) or isinstance(v, str) for v in value)
    )


def _looks_localized(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(k, str) and _LOCALE.match(k) for k in value)
    )


class _Inspector:
    def __init__(self, schema: SchemaRepository | None) -> None:
        self.schema = schema

    def model_name(self, model: str | None) -> str:
        if model is None:
            return "model unknown"
        found = self.schema.find_item_type(model) if self.schema is not None else None
        return found.api_key if found is not None else f"model {model}"

    def record_label(self, record: Mapping[str, Any]) -> str:
        head = f"item {id_of(record) or '(new)'} ({self.model_name(item_type_id_of(record))})"
        version = meta_of(record).get("current_version")
        return f"{head} version {version}" if version is not None else head

    def record_children(self, record: Mapping[str, Any]) -> list[_Entry]:
        fields: Mapping[str, FieldSchema] = {}
        model = item_type_id_of(record)
        if (
            self.schema is not None
            and model is not None
            and self.schema.find_item_type(model) is not None
        ):
            fields = self.schema.fields_by_api_key(model)
        return [
            self.value_entry(key, value, fields.get(key))
            for key, value in attributes_of(record).items()
        ]

    def value_entry(self, label: str, value: Any, f: FieldSchema | None) -> _Entry:
        localized = (
            f.localized if f is not None else _looks_localized(value) and not _is_record(value)
        )
        if localized and isinstance(value, Mapping) and value:
            entries = [self.plain_entry(str(k), v, f) for k, v in value.items()]
            return _Entry(label, entries)
        return self.plain_entry(label, value, f)

    def plain_entry(self, label: str, value: Any, f: FieldSchema | None) -> _Entry:
        kind = f.field_type if f is not None else None
        if _is_record(value) and kind in (None, "single_block"):
            return _Entry(f"{label}: {self.record_label(value)}", [], value, "record")
        if (kind is None and _is_block_list(value)) or (
            kind == "rich_text" and isinstance(value, list) and value
        ):
            count = f"{len(value)} block{'' if len(value) == 1 else 's'}"
            return _Entry(f"{label}: {count}", [], value, "list")
        if _is_document(value) and kind in (None, "structured_text"):
            return _Entry(label, [], value, "document")
        if isinstance(value, str) and kind in ("rich_text", "single_block"):
            return self.slot_entry(label, value)
        return _Entry(f"{label}: {_scalar(value)}", [])

    def slot_entry(self, label: str, block: Any) -> _Entry:
        if isinstance(block, str):
            return _Entry(f"{label}: block {block}", [])
        return self.plain_entry(label, block, None)

    def expand(self, entry: _Entry) -> list[_Entry]:
        if entry.expand == "record":
            return self.record_children(entry.value)
        if entry.expand == "list":
            return [self.slot_entry(f"[{i}]", v) for i, v in enumerate(entry.value)]
        if entry.expand == "document":
            return self.document_children(entry)
        return entry.children

    def document_children(self, entry: _Entry) -> list[_Entry]:
        try:
            doc = load_document(entry.value)
        except DastError as exc:
            return [_Entry(f"invalid document: {str(exc).splitlines()[0]}", [])]
        if doc is None:  # pragma: no cover - _is_document excludes None
            return []
        count = len(doc.document.children)
        entry.label = f"{entry.label}: structured text, {count} root nodes"
        out = []
        for node, _parent, path in collect_nodes(doc.document, _is_block_node):
            item = node.item
            where = format_path(("document", *path))
            out.append(self.slot_entry(f"{where} {node.type}", item))
        return out


def _is_block_node(node: Node) -> TypeIs[Block | InlineBlock]:
    return isinstance(node, (Block, InlineBlock))


def _render(root: _Entry, inspector: _Inspector) -> Iterator[str]:
    # prefixes[d]: the prefix of the children's lines of the last entry seen at depth d
    prefixes: list[str] = []
    for entry, _parent, _index, depth, last in iter_tree(root, inspector.expand):
        if depth:
            up = prefixes[depth - 1]
            yield f"{up}{'`-- ' if last else '|-- '}{entry.label}"
            prefix = up + ("    " if last else "|   ")
        else:
            yield entry.label
            prefix = ""
        del prefixes[depth:]
        prefixes.append(prefix)


def inspect_item(
    record_or_block: Mapping[str, Any] | str, schema: SchemaRepository | None = None
) -> str:
    """An ASCII tree of a record or block: its fields, locales and nested blocks.

    Accepts either shape (and a response body ``{"data": record}``); an id
    string is shown as such.

    >>> print(inspect_item("b1"))
    block b1 (id only)
    """
    if isinstance(record_or_block, str):
        return f"block {record_or_block} (id only)"
    record = unwrap_record(record_or_block)
    inspector = _Inspector(schema)
    root = _Entry(inspector.record_label(record), [], record, "record")
    return "\n".join(_render(root, inspector))
