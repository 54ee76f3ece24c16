"""Build the body of ``PUT /items/:id`` from the record as fetched and as wanted.

:func:`build_update_payload` compares the record as fetched (with
``?nested=true``, blocks as full objects; raw JSON:API or flat shape) with
the record as you want it (either shape, mixed shapes welcome) and sends
only what changed, following the CMA's rules so that nothing is lost:

- a field absent from the desired record, or equal to the fetched value, is
  not sent (give ``None`` to clear a field);
- in modular content, single block and structured text values, an unchanged
  block becomes its id string, an edited block its object with ``id`` and
  only the changed attributes (recursively for nested blocks), a new block
  (no ``id``) its full object with ``relationships.item_type``, and a
  removed block disappears;
- a changed localized field carries every locale of the desired value (the
  locales the record had, less those you removed); adding or removing a
  locale sends every localized field, all with the same locale set; an
  inconsistent locale set is refused with ``LocaleMismatchError`` before
  anything is sent; with ``managed_locales`` (a token whose role manages
  only some locales) only those locales are sent and the others are left to
  the server, which keeps them;
- ``meta.current_version`` comes from the fetched record (optimistic locking);
- structured text values are validated as DAST on the way.

The :class:`UpdatePayload` gives the raw JSON:API body (``.jsonapi()``) and
the flat dict a client library takes (``.flat()``).

>>> from dast.cma.schema import SchemaRepository, ItemTypeSchema, FieldSchema
>>> schema = SchemaRepository([ItemTypeSchema("A", "article")], {"A": [
...     FieldSchema("F1", "title", "string", True, "A"),
...     FieldSchema("F2", "views", "integer", False, "A")]})
>>> fetched = {"type": "item", "id": "r1", "attributes": {"title": {"en": "Hi", "it": "Ciao"},
...     "views": 3}, "relationships": {"item_type": {"data": {"type": "item_type", "id": "A"}}},
...     "meta": {"current_version": "42"}}
>>> desired = {"type": "item", "id": "r1", "title": {"en": "Hello", "it": "Ciao"}, "views": 3}
>>> build_update_payload(fetched, desired, schema).jsonapi()
{'data': {'type': 'item', 'id': 'r1', 'attributes': {'title': {'en': 'Hello', 'it': 'Ciao'}}, \
'meta': {'current_version': '42'}}}
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..errors import Path
from ..nodes import Document
from ._json import copy_json, json_equal, plain_json
from .errors import LocaleMismatchError, PayloadError
from .field_blocks import BlockValue, iter_blocks, map_blocks_at
from .records import build_block_record
from .schema import FieldSchema, SchemaRepository
from .shapes import (
    Shape,
    attribute_path,
    attributes_of,
    id_of,
    item_type_id_of,
    meta_of,
    to_flat,
    unwrap_record,
)

__all__ = ["UpdatePayload", "build_update_payload", "json_equal"]

_MISSING: Any = object()


def _plain(value: Any) -> Any:
    return value.to_json() if isinstance(value, Document) else value


@dataclass(frozen=True)
class UpdatePayload:
    """What to send to ``PUT /items/:id``: ``.jsonapi()`` or ``.flat()``.

    ``attributes`` holds the changed fields in request form (blocks in the
    raw JSON:API shape); an empty one means there is nothing to send
    (``is_empty``, and the payload is falsy).

    >>> p = UpdatePayload("r1", "A", "7", {}, None)
    >>> p.is_empty, bool(p), p.flat()
    (True, False, {'meta': {'current_version': '7'}})
    """

    item_id: str
    item_type_id: str
    current_version: str | None
    attributes: Mapping[str, Any]
    schema: SchemaRepository | None = field(repr=False, compare=False)

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """The api_keys of the fields sent, in the model's order.

        >>> UpdatePayload("r1", "A", None, {"title": {"en": "Hi"}}, None).changed_fields
        ('title',)
        """
        return tuple(self.attributes)

    @property
    def is_empty(self) -> bool:
        """True when nothing changed (no field to send).

        >>> UpdatePayload("r1", "A", None, {}, None).is_empty
        True
        """
        return not self.attributes

    def __bool__(self) -> bool:
        return not self.is_empty

    def _meta(self) -> dict[str, Any]:
        return {} if self.current_version is None else {"current_version": self.current_version}

    def jsonapi(self) -> dict[str, Any]:
        """The raw JSON:API request body (a fresh deep copy each call).

        >>> UpdatePayload("r1", "A", None, {"n": 1}, None).jsonapi()
        {'data': {'type': 'item', 'id': 'r1', 'attributes': {'n': 1}}}
        """
        data: dict[str, Any] = {
            "type": "item",
            "id": self.item_id,
            "attributes": copy_json(dict(self.attributes)),
        }
        meta = self._meta()
        if meta:
            data["meta"] = meta
        return {"data": data}

    def flat(self, *, blocks: Shape = "flat") -> dict[str, Any]:
        """The flat dict a client library's ``items.update(id, body)`` takes.

        Fields at the top level, ``meta.current_version`` beside them; the id
        is ``item_id``. Nested blocks come in the flat shape too, or in the
        raw shape with ``blocks="jsonapi"`` (for clients that want that).

        >>> UpdatePayload("r1", "A", "7", {"n": 1}, None).flat()
        {'n': 1, 'meta': {'current_version': '7'}}
        """
        out: dict[str, Any] = copy_json(dict(self.attributes))
        if blocks == "flat" and self.schema is not None:
            fields = self.schema.fields_by_api_key(self.item_type_id)
            for key, value in out.items():
                f = fields.get(key)
                if f is not None and f.holds_blocks:
                    out[key] = _each_locale(f, value, partial(_flatten, f=f, schema=self.schema))
        meta = self._meta()
        if meta:
            out["meta"] = meta
        return out


def _flatten(value: Any, path: Path, *, f: FieldSchema, schema: SchemaRepository | None) -> Any:
    assert schema is not None

    def one(block: BlockValue, path: Path) -> BlockValue:
        return block if isinstance(block, str) else to_flat(block, path)

    return map_blocks_at(value, f, schema, one)


def _each_locale(f: FieldSchema, value: Any, fn: Any, path: Path = ()) -> Any:
    """Apply ``fn(value, path)`` to each locale's value, or to the value."""
    if not f.localized or value is None:
        return fn(value, path)
    if not isinstance(value, Mapping):
        raise PayloadError(
            f"field {f.api_key!r} is localized: its value must be {{locale: value}}, "
            f"got {type(value).__name__}",
            path,
        )
    return {locale: fn(v, (*path, locale)) for locale, v in value.items()}


class _Builder:
    """Turns desired field values into request values, against the fetched record."""

    def __init__(self, schema: SchemaRepository, original: Mapping[str, Any], model: str) -> None:
        self.schema = schema
        self.index: dict[str, BlockValue] = {}
        self.seen: set[str] = set()
        attrs = attributes_of(original)
        for f in schema.fields(model):
            if f.holds_blocks and attrs.get(f.api_key) is not None:
                _each_locale(f, attrs[f.api_key], self._index_value(f), (f.api_key,))

    def _index_value(self, f: FieldSchema) -> Any:
        def index(value: Any, path: Path) -> None:
            for block in iter_blocks(value, f, self.schema, path):
                bid = block if isinstance(block, str) else id_of(block)
                if bid is not None:
                    self.index[bid] = block

        return index

    # --- the fetched side -----------------------------------------------------------------

    def id_form(self, f: FieldSchema, value: Any, path: Path) -> Any:
        """A fetched value as a request would keep it: every block as its id string."""
        if not f.holds_blocks:
            return value

        def to_id(block: BlockValue, at: Path) -> BlockValue:
            if isinstance(block, str):
                return block
            bid = id_of(block)
            if bid is None:
                raise PayloadError("a block of the fetched record has no id", at)
            return bid

        return _plain(map_blocks_at(value, f, self.schema, to_id, path))

    def fetched_form(self, f: FieldSchema, value: Any, path: Path) -> Any:
        """``id_form`` of a fetched value, each locale's for a localized field."""
        return _each_locale(f, value, lambda v, at: self.id_form(f, v, at), path)

    def requested_form(self, f: FieldSchema, value: Any, path: Path) -> Any:
        """``request_value`` of a desired value, each locale's for a localized field."""
        return _each_locale(f, value, lambda v, at: self.request_value(f, v, at), path)

    # --- the desired side -----------------------------------------------------------------

    def request_value(self, f: FieldSchema, value: Any, path: Path) -> Any:
        """A desired value in request form (blocks as ids, edits or creations)."""
        if not f.holds_blocks:
            return value
        return _plain(
            map_blocks_at(value, f, self.schema, self._slot, path, item_type_of=self._model_of)
        )

    def _model_of(self, block: Mapping[str, Any], path: Path) -> str:
        model = item_type_id_of(block, path)
        if model is None:
            known = self.index.get(id_of(block) or "")
            if isinstance(known, Mapping):
                model = item_type_id_of(known)
        if model is None:
            raise PayloadError("a new block needs its item type (relationships.item_type)", path)
        return model

    def _claim(self, bid: str, path: Path) -> None:
        if bid not in self.index:
            raise PayloadError(
                f"block {bid!r} is not in the fetched record; to add a block, give its "
                "record object without id (see duplicate_block_record)",
                path,
            )
        if bid in self.seen:
            raise PayloadError(f"block {bid!r} appears twice in the desired record", path)
        self.seen.add(bid)

    def _slot(self, block: BlockValue, path: Path) -> BlockValue:
        """What to put in one block slot (nested slots are already done)."""
        if isinstance(block, str):
            self._claim(block, path)
            return block
        model = self._model_of(block, path)
        bid = id_of(block)
        attrs = attributes_of(block, path)
        if bid is None:
            if not self.schema.item_type(model).modular_block:
                raise PayloadError(f"model {self._name(model)!r} is not a block model", path)
            self._check_fields(block, model, attrs, {}, path)
            return build_block_record(model, attrs)
        self._claim(bid, path)
        fetched = self.index[bid]
        if isinstance(fetched, str):  # fetched without ?nested=true: nothing to diff against
            self._check_fields(block, model, attrs, {}, path)
            return build_block_record(model, attrs, bid)
        fetched_model = item_type_id_of(fetched) or ""
        if fetched_model != model:
            raise PayloadError(
                f"block {bid!r} is a {self._name(fetched_model)!r} block; its model cannot "
                f"change to {self._name(model)!r} (remove it and add a new block instead)",
                path,
            )
        before = attributes_of(fetched)
        self._check_fields(block, model, attrs, before, path)
        fields = self.schema.fields_by_api_key(model)
        changes: dict[str, Any] = {}
        for key, value in attrs.items():
            old = before.get(key, _MISSING)
            if old is not _MISSING and key in fields:
                old = self.fetched_form(fields[key], old, (*path, key))
            if old is _MISSING or not json_equal(value, old):
                changes[key] = value
        return build_block_record(model, changes, bid) if changes else bid

    def _check_fields(
        self,
        block: Mapping[str, Any],
        model: str,
        attrs: Mapping[str, Any],
        before: Mapping[str, Any],
        path: Path,
    ) -> None:
        fields = self.schema.fields_by_api_key(model)
        for key, value in attrs.items():
            f = fields.get(key)
            if f is None and not (key in before and json_equal(value, before[key])):
                raise PayloadError(
                    f"model {self._name(model)!r} has no field {key!r}",
                    (*path, *attribute_path(block, key)),
                )
            if f is not None and (key not in before or value is not before[key]):
                self.schema.check_value(f, value, (*path, *attribute_path(block, key)))

    def _name(self, model: str) -> str:
        found = self.schema.find_item_type(model)
        return found.api_key if found is not None else model


def _locale_sets(
    fields: Sequence[FieldSchema], attrs: Mapping[str, Any]
) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for f in fields:
        value = attrs.get(f.api_key)
        if value is None:
            out[f.api_key] = ()
        elif isinstance(value, Mapping):
            out[f.api_key] = tuple(value)
        else:
            raise PayloadError(
                f"field {f.api_key!r} is localized: its value must be {{locale: value}}, "
                f"got {type(value).__name__}",
                (f.api_key,),
            )
    return out


def _check_managed(
    f: FieldSchema, before: Any, after: Any, managed: frozenset[str], path: Path
) -> None:
    old = before if isinstance(before, Mapping) else {}
    new = after if isinstance(after, Mapping) else {}
    for locale in sorted(set(old) | set(new)):
        if locale in managed:
            continue
        if (locale in old) != (locale in new) or (
            locale in old and not json_equal(old[locale], new[locale])
        ):
            raise PayloadError(
                f"locale {locale!r} changed, but the token manages only "
                f"{', '.join(sorted(managed))}",
                (*path, locale),
            )


def build_update_payload(
    original: Mapping[str, Any],
    desired: Mapping[str, Any],
    schema: SchemaRepository,
    *,
    managed_locales: Collection[str] | None = None,
    current_version: str | None = None,
) -> UpdatePayload:
    """The update payload turning ``original`` (as fetched) into ``desired``.

    ``original`` is the record as ``GET /items/:id?nested=true`` returned it
    (a response body ``{"data": ...}`` is unwrapped), raw or flat; blocks
    given there only as ids can be kept, moved or removed, and edited only by
    sending them whole. ``desired`` is the record as you want it, in either
    shape: fields you leave out are not touched. Structured text values may
    be DAST dicts or ``Document`` models; they are validated.
    ``managed_locales`` restricts what is sent to the locales your token's
    role manages (changing another locale raises ``PayloadError``).
    ``current_version`` overrides the fetched ``meta.current_version``.

    Raises ``PayloadError`` (an unknown field or block id, a block listed
    twice, a new block without model), ``LocaleMismatchError``, or
    ``DastValidationError`` for an invalid document, each naming the place.

    >>> from dast.cma.schema import SchemaRepository, ItemTypeSchema, FieldSchema
    >>> schema = SchemaRepository([ItemTypeSchema("A", "article")],
    ...                           {"A": [FieldSchema("F", "views", "integer", False, "A")]})
    >>> fetched = {"type": "item", "id": "r1", "item_type": {"type": "item_type", "id": "A"},
    ...            "views": 3, "meta": {"current_version": "9"}}
    >>> build_update_payload(fetched, {**fetched, "views": 3}, schema).is_empty
    True
    """
    original = unwrap_record(original)
    desired = unwrap_record(desired)
    for name, record in (("original", original), ("desired", desired)):
        if not isinstance(record, Mapping):
            raise PayloadError(f"the {name} record must be an object, got {type(record).__name__}")
    item_id = id_of(original)
    if item_id is None:
        raise PayloadError("the fetched record has no id")
    if id_of(desired) not in (None, item_id):
        raise PayloadError(f"the desired record is {id_of(desired)!r}, not {item_id!r}", ("id",))
    model = item_type_id_of(original) or item_type_id_of(desired)
    if model is None:
        raise PayloadError("neither record names its item type")
    if item_type_id_of(desired) not in (None, model):
        raise PayloadError(
            f"the desired record's model {item_type_id_of(desired)!r} is not {model!r}",
            ("item_type",),
        )
    fields = schema.fields(model)
    by_key = {f.api_key: f for f in fields}
    before = attributes_of(original)
    after = attributes_of(desired)
    for key in after:
        if key not in by_key and key not in before:  # ``position``... pass when fetched
            raise PayloadError(
                f"model {schema.item_type(model).api_key!r} has no field {key!r}", (key,)
            )

    # a localized field absent from the fetched record (a partial read) has unknown locales
    localized = [f for f in fields if f.localized and (f.api_key in before or f.api_key in after)]
    had = _locale_sets([f for f in localized if f.api_key in before], before)
    effective = {**had, **_locale_sets([f for f in localized if f.api_key in after], after)}
    if len({frozenset(s) for s in effective.values()}) > 1:
        missing = [key for key in effective if key not in after]
        note = (
            f" (fields left out keep their locales: give {', '.join(missing)} too)"
            if missing
            else ""
        )
        raise LocaleMismatchError(effective, note)
    old_locales = frozenset(locale for s in had.values() for locale in s)
    new_locales = frozenset(next(iter(effective.values()), ()))
    locales_change = bool(localized) and new_locales != old_locales
    unknown = [f.api_key for f in fields if f.localized and f not in localized]
    if locales_change and unknown:
        raise PayloadError(
            "the record's locales change, so every localized field must be sent; "
            f"{', '.join(unknown)} not in the fetched record"
        )
    managed = None if managed_locales is None else frozenset(managed_locales)

    builder = _Builder(schema, original, model)
    out: dict[str, Any] = {}
    for f in fields:
        key = f.api_key
        if key not in after and not (locales_change and f.localized):
            continue
        want = after.get(key, before.get(key))
        have = before.get(key)
        request = builder.requested_form(f, want, (key,))
        fetched = builder.fetched_form(f, have, (key,))
        changed = not json_equal(request, fetched)
        if f.localized and managed is not None:
            _check_managed(f, fetched, request, managed, (key,))
            request = {k: v for k, v in (request or {}).items() if k in managed}
        if changed or (locales_change and f.localized):
            schema.check_value(f, request, (key,))
            out[key] = request
    for key, value in after.items():
        if key not in by_key and not json_equal(value, before[key]):
            out[key] = value
    version = current_version or meta_of(original).get("current_version")
    if version is not None and not isinstance(version, str):
        raise PayloadError(f"meta.current_version must be a string, got {version!r}", ("meta",))
    return UpdatePayload(item_id, model, version, plain_json(out), schema)
