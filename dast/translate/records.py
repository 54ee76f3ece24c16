"""Translate the localized fields of a CMA record from one locale into another.

A record (nested JSON:API ``{"data": {...}}``, a bare record, or the flat
client shape ``{"id": ..., "body": {"en": <dast>, "it": <dast>}}``) has
localized values keyed by locale. :func:`record_sources` finds what there is
to translate in the source locale: every localized structured-text value
(a DAST document) and, with a schema, every localized string/text field of
the record's model. :func:`translate_record` writes the translations into
the target locale and keeps every other locale as it was.

Blocks. A locale owns its block records: a document copied into another
locale gets *new* blocks (``dast.cma.duplicate_block_record``: ids and meta
removed, nested blocks too), so the push creates them instead of moving the
source locale's blocks. That needs the schema and blocks given in full
(``?nested=true``); a block given only as an id is an error naming it.

>>> import dast.builders as b
>>> record = {"id": "r1", "type": "item", "body": {"en": b.doc(b.p("Hi")).to_json()}}
>>> [(s.field, s.key) for s in record_sources(record, "en")]
[('body', 'r1#body')]
>>> seg = record_sources(record, "en")[0].segments()[0]
>>> out = translate_record(record, {"body": {seg.id: "Ciao"}}, "en", "it")
>>> out.record["body"]["it"]["document"]["children"][0]["children"][0]["value"]
'Ciao'
>>> sorted(out.record["body"])
['en', 'it']
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..cma._json import plain_json
from ..cma.records import duplicate_block_record
from ..cma.schema import SchemaRepository
from ..cma.shapes import attributes_of, id_of, item_type_id_of, unwrap_record, with_attributes
from ..errors import DastError
from ..load import load_document
from ..nodes import Block, Document, InlineBlock, Node
from ..walk import map_nodes
from .segments import (
    Segment,
    Translation,
    TranslationReport,
    apply_segments,
    apply_text,
    extract_segments,
    is_text_field,
    text_segment,
)

__all__ = [
    "FieldSource",
    "RecordTranslation",
    "fresh_blocks",
    "is_dast_value",
    "localize_blocks",
    "record_sources",
    "translate_record",
]


def is_dast_value(value: object) -> bool:
    """Whether a field value is a DAST document (``{"schema": "dast", "document": ...}``).

    >>> is_dast_value({"schema": "dast", "document": {}}), is_dast_value("x")
    (True, False)
    """
    return isinstance(value, Mapping) and value.get("schema") == "dast" and "document" in value


@dataclass(frozen=True)
class FieldSource:
    """One localized field value to translate: a document, or a text.

    ``key`` names it in XLIFF and unit files: ``<record id>#<field>``.
    """

    key: str
    record_id: str | None
    field: str
    document: Document | None = None
    text: str | None = None
    include_code: bool = False
    schema: SchemaRepository | None = None

    def segments(self) -> list[Segment]:
        """The field's segments (a text field gives at most one, with the field as its id).

        >>> FieldSource("r#title", "r", "title", text="Hello").segments()[0].id
        'title'
        """
        if self.document is not None:
            return extract_segments(
                self.document, include_code=self.include_code, schema=self.schema
            )
        segment = text_segment(self.field, self.text or "")
        return [] if segment is None else [segment]


@dataclass(frozen=True)
class RecordTranslation:
    """The record with its target locale written, and a report per translated field."""

    record: dict[str, Any]
    reports: Mapping[str, TranslationReport]


def _key(record_id: str | None, field: str) -> str:
    return f"{record_id or '(new)'}#{field}"


def record_sources(
    record: Mapping[str, Any],
    source_locale: str,
    *,
    schema: SchemaRepository | None = None,
    include_code: bool = False,
) -> list[FieldSource]:
    """The localized values of ``record`` in ``source_locale`` that can be translated.

    Structured-text values are found by their shape; with ``schema``, the
    localized string and text fields of the record's model are added (and the
    text fields of blocks become segments too).

    >>> record_sources({"title": {"en": "Hi"}}, "en")
    []
    """
    body = unwrap_record(record)
    attributes = attributes_of(body)
    record_id = id_of(body)
    text_fields: set[str] = set()
    if schema is not None:
        model = item_type_id_of(body)
        if model is not None and schema.find_item_type(model) is not None:
            text_fields = {
                f.api_key
                for f in schema.fields(model)
                if f.localized and is_text_field(f)
            }
    out: list[FieldSource] = []
    for name, value in attributes.items():
        if not isinstance(value, Mapping) or source_locale not in value:
            continue
        source = value[source_locale]
        key = _key(record_id, name)
        if is_dast_value(source):
            doc = load_document(source)
            if doc is not None:
                out.append(FieldSource(key, record_id, name, doc, None, include_code, schema))
        elif name in text_fields and isinstance(source, str):
            out.append(FieldSource(key, record_id, name, None, source))
    return out


def fresh_blocks(doc: Document, schema: SchemaRepository) -> Document:
    """The document with every block and inline block replaced by a new copy (no ids).

    >>> import dast.builders as b
    >>> from dast.cma.schema import SchemaRepository, ItemTypeSchema
    >>> schema = SchemaRepository([ItemTypeSchema("Q", "quote", modular_block=True)], {"Q": []})
    >>> doc = b.doc(b.block({"type": "item", "id": "b1", "item_type": {"type": "item_type",
    ...     "id": "Q"}, "text": "Hi"}))
    >>> fresh_blocks(doc, schema).document.children[0].item
    {'type': 'item', 'item_type': {'type': 'item_type', 'id': 'Q'}, 'text': 'Hi'}
    """

    def mapper(node: Node) -> Node:
        if isinstance(node, (Block, InlineBlock)):
            return node.model_copy(update={"item": duplicate_block_record(node.item, schema)})  # type: ignore[arg-type]
        return node

    return map_nodes(doc, mapper)


def _content_key(item: object, schema: SchemaRepository) -> str | None:
    """A block's content without ids and meta (nested blocks too), as canonical JSON text."""
    if not isinstance(item, Mapping):
        return None
    try:
        clone = duplicate_block_record(item, schema, shape="jsonapi")
    except DastError:  # a nested block given only as an id: nothing to compare
        return None
    return json.dumps(plain_json(clone), sort_keys=True, ensure_ascii=False)


def localize_blocks(
    doc: Document,
    existing: Document | Mapping[str, Any] | None,
    schema: SchemaRepository,
) -> Document:
    """``doc`` with its blocks made the target locale's own, for a translated locale.

    A locale owns its blocks. A block or inline block of ``doc`` (typically a
    copy of the source locale's) whose content (model and attributes, nested
    blocks included, ids and meta ignored) equals a block the target locale
    already holds in ``existing`` becomes that block, so a push keeps it; any
    other block becomes a new copy without ids (:func:`fresh_blocks`), so a
    push creates it. Each block of ``existing`` is used at most once.

    >>> import dast.builders as b
    >>> from dast.cma.schema import SchemaRepository, ItemTypeSchema
    >>> schema = SchemaRepository([ItemTypeSchema("Q", "quote", modular_block=True)], {"Q": []})
    >>> def quote(block_id, text):
    ...     return {"type": "item", "id": block_id, "item_type": {"type": "item_type",
    ...             "id": "Q"}, "text": text}
    >>> source = b.doc(b.block(quote("en-1", "Ciao")), b.block(quote("en-2", "Nuovo")))
    >>> target = b.doc(b.block(quote("it-7", "Ciao")))
    >>> [n.item.get("id") for n in localize_blocks(source, target, schema).document.children]
    ['it-7', None]
    """
    from ..walk import collect_nodes

    pool: dict[str, list[Any]] = {}
    if existing is not None:
        target = existing if isinstance(existing, Document) else load_document(existing)
        if target is not None:
            for match in collect_nodes(target, lambda n: isinstance(n, (Block, InlineBlock))):
                node = match.node
                item = node.item if isinstance(node, (Block, InlineBlock)) else None
                key = _content_key(item, schema)
                if key is not None and isinstance(item, Mapping) and id_of(item) is not None:
                    pool.setdefault(key, []).append(item)

    def mapper(node: Node) -> Node:
        if isinstance(node, (Block, InlineBlock)):
            key = _content_key(node.item, schema)
            same = pool.get(key) if key is not None else None
            if same:
                return node.model_copy(update={"item": same.pop(0)})
            fresh = duplicate_block_record(node.item, schema)  # type: ignore[arg-type]
            return node.model_copy(update={"item": fresh})
        return node

    return map_nodes(doc, mapper)


def _has_blocks(doc: Document) -> bool:
    from ..walk import some_node

    return some_node(doc, lambda node: isinstance(node, (Block, InlineBlock)))


def translate_record(
    record: Mapping[str, Any],
    translations: Mapping[str, Mapping[str, Translation]],
    source_locale: str,
    target_locale: str,
    *,
    schema: SchemaRepository | None = None,
    include_code: bool = False,
    allow_dropped_marks: bool = False,
    strict: bool = True,
) -> RecordTranslation:
    """A copy of ``record`` whose ``target_locale`` values hold the translations.

    ``translations`` maps a field's api_key to its translations by segment
    id. A translated document is the source-locale document with the
    translations applied (untranslated segments keep the source text) and,
    when it holds blocks, new copies of them (which needs ``schema``). Every
    other locale, and every field without translations, is left as it is.
    The record keeps its shape (``{"data": ...}`` wrapper, flat or JSON:API).

    >>> translate_record({"title": {"en": "x"}}, {"title": {"title": "y"}}, "en", "it")
    Traceback (most recent call last):
    ...
    dast.errors.DastError: field 'title': no localized structured text in 'en' (a string or text field needs the schema)
    """  # noqa: E501
    body = unwrap_record(record)
    sources = {
        s.field: s
        for s in record_sources(body, source_locale, schema=schema, include_code=include_code)
    }
    attributes = attributes_of(body)
    changes: dict[str, Any] = {}
    reports: dict[str, TranslationReport] = {}
    for field, field_translations in translations.items():
        source = sources.get(field)
        if source is None:
            raise DastError(
                f"field {field!r}: no localized structured text in {source_locale!r} "
                "(a string or text field needs the schema)"
            )
        value: object
        if source.document is not None:
            result = apply_segments(
                source.document,
                field_translations,
                allow_dropped_marks=allow_dropped_marks,
                include_code=include_code,
                schema=schema,
                strict=strict,
            )
            doc = result.document
            if _has_blocks(doc):
                if schema is None:
                    raise DastError(
                        f"field {field!r} holds blocks: copying them into {target_locale!r} "
                        "needs the schema"
                    )
                doc = fresh_blocks(doc, schema)
            value = doc.to_json()
            reports[field] = result.report
        else:
            segments = source.segments()
            value = source.text
            if segments and segments[0].id in field_translations:
                value = apply_text(
                    segments[0],
                    field_translations[segments[0].id],
                    allow_dropped_marks=allow_dropped_marks,
                )
                reports[field] = TranslationReport(applied=(segments[0].id,))
        localized = dict(attributes[field])
        localized[target_locale] = value
        changes[field] = localized
    out = with_attributes(body, changes)
    if body is not record:  # keep the {"data": ...} wrapper
        out = {**record, "data": out}
    return RecordTranslation(out, reports)
