"""The site schema: which models are blocks, and which fields hold blocks.

A :class:`SchemaRepository` reads the JSON:API bodies of the two CMA
endpoints ``GET /item-types`` and ``GET /item-types/:id/fields``: from saved
dumps (dicts or files), or lazily through a function you give it that fetches
them (each body fetched once, then cached).

>>> repo = SchemaRepository.from_dumps(
...     {"data": [{"type": "item_type", "id": "M1", "attributes": {
...         "name": "Quote", "api_key": "quote", "modular_block": True}}]},
...     [{"data": [{"type": "field", "id": "F1", "attributes": {
...         "api_key": "text", "field_type": "text", "localized": False,
...         "validators": {}}, "relationships": {"item_type": {"data": {
...         "type": "item_type", "id": "M1"}}}}]}])
>>> repo.is_block_model("quote"), [f.api_key for f in repo.fields("M1")]
(True, ['text'])
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from types import MappingProxyType
from typing import Any

from typing_extensions import TypeIs

from ..errors import Path
from ..load import load_document
from ..nodes import Block, Document, InlineBlock, Node
from ..walk import collect_nodes
from .errors import PayloadError, SchemaError

__all__ = [
    "BLOCK_FIELD_TYPES",
    "BLOCK_VALIDATORS",
    "VALUE_KINDS",
    "FieldSchema",
    "ItemTypeSchema",
    "SchemaRepository",
]

BLOCK_FIELD_TYPES: frozenset[str] = frozenset({"rich_text", "single_block", "structured_text"})
"""Field types whose values can hold block records."""

BLOCK_VALIDATORS: tuple[str, ...] = (
    "rich_text_blocks",
    "single_block_blocks",
    "structured_text_blocks",
    "structured_text_inline_blocks",
)
"""Validators that name the block models a field accepts."""

VALUE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "string": "string",
        "text": "string",
        "slug": "string",
        "date": "string",
        "date_time": "string",
        "link": "string",
        "json": "string",
        "integer": "integer",
        "float": "number",
        "boolean": "boolean",
        "rich_text": "list",
        "links": "list",
        "gallery": "list",
        "structured_text": "object",
        "file": "object",
        "lat_lon": "object",
        "seo": "object",
        "video": "object",
        "color": "object",
        "single_block": "block",
    }
)
"""What JSON value each field type takes (``null`` always clears); others are not checked."""

_KIND_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "list": "a list",
    "object": "an object",
    "block": "one block (an id or a record object)",
}

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _kind_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, (list, tuple))
    if kind == "object":
        return isinstance(value, (Mapping, Document))
    return isinstance(value, (str, Mapping))  # "block"


def _type_name(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (Mapping, Document)):
        return "an object"
    return names.get(type(value), type(value).__name__)


def _is_block_node(node: Node) -> TypeIs[Block | InlineBlock]:
    return isinstance(node, (Block, InlineBlock))


def _new_block_model(block: Any) -> str | None:
    """The model id of a block to create (a record object without id), else ``None``."""
    if not isinstance(block, Mapping) or isinstance(block.get("id"), str):
        return None
    rel = (block.get("relationships") or {}).get("item_type") or block.get("item_type")
    data = rel.get("data", rel) if isinstance(rel, Mapping) else rel
    if isinstance(data, Mapping):
        data = data.get("id")
    return data if isinstance(data, str) else None


def _top_blocks(value: Any, field_type: str, path: Path) -> list[tuple[Any, Path]]:
    """The blocks directly in one locale's value (not those nested inside blocks)."""
    if field_type == "rich_text":
        return [(b, (*path, i)) for i, b in enumerate(value)]
    if field_type == "single_block":
        return [(value, path)]
    doc = value if isinstance(value, Document) else load_document(value)
    return [
        (m.node.item, (*path, *m.path, "item"))
        for m in collect_nodes(doc.document, _is_block_node)
    ]


def _get(resource: Any, key: str, path: Path) -> Any:
    if not isinstance(resource, Mapping):
        raise SchemaError(f"expected an object, got {type(resource).__name__}", path)
    if key not in resource:
        raise SchemaError(f"missing {key!r}", path)
    return resource[key]


def _string(value: Any, path: Path) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"expected a string, got {value!r}", path)
    return value


def _attributes(resource: Any, kind: str, path: Path) -> tuple[str, Mapping[str, Any]]:
    if _get(resource, "type", path) != kind:
        raise SchemaError(f"expected a {kind!r} resource, got {resource['type']!r}", path)
    rid = _string(_get(resource, "id", path), (*path, "id"))
    attributes = _get(resource, "attributes", path)
    if not isinstance(attributes, Mapping):
        raise SchemaError("attributes must be an object", (*path, "attributes"))
    return rid, attributes


def _related_id(resource: Mapping[str, Any], name: str) -> str | None:
    data = ((resource.get("relationships") or {}).get(name) or {}).get("data")
    return data.get("id") if isinstance(data, Mapping) else None


@dataclass(frozen=True, eq=False)
class FieldSchema:
    """One field of a model, as ``GET /item-types/:id/fields`` describes it.

    >>> f = FieldSchema("F1", "content", "structured_text", True, "M1",
    ...     validators={"structured_text_blocks": {"item_types": ["B1"]},
    ...                 "structured_text_inline_blocks": {"item_types": ["B2"]}})
    >>> f.holds_blocks, f.allowed_block_model_ids
    (True, ('B1', 'B2'))
    """

    id: str
    api_key: str
    field_type: str
    localized: bool
    item_type_id: str
    label: str = ""
    position: int = 0
    validators: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def from_resource(
        cls, resource: Any, item_type_id: str | None = None, path: Path = ()
    ) -> FieldSchema:
        """Read one JSON:API ``field`` resource.

        >>> FieldSchema.from_resource({"type": "field", "id": "F", "attributes": {
        ...     "api_key": "title", "field_type": "string", "localized": True}},
        ...     item_type_id="M").localized
        True
        """
        fid, attrs = _attributes(resource, "field", path)
        owner = _related_id(resource, "item_type") or item_type_id
        if owner is None:
            raise SchemaError("field has no relationships.item_type", path)
        validators = attrs.get("validators")
        validators = {} if validators is None else validators
        if not isinstance(validators, Mapping):
            raise SchemaError("validators must be an object", (*path, "attributes", "validators"))
        position = attrs.get("position", 0)
        return cls(
            id=fid,
            api_key=_string(_get(attrs, "api_key", path), (*path, "attributes", "api_key")),
            field_type=_string(
                _get(attrs, "field_type", path), (*path, "attributes", "field_type")
            ),
            localized=bool(attrs.get("localized", False)),
            item_type_id=owner,
            label=str(attrs.get("label", "")),
            position=position if isinstance(position, int) else 0,
            validators=MappingProxyType(dict(validators)),
        )

    def _validator_ids(self, name: str) -> tuple[str, ...]:
        rule = self.validators.get(name)
        if not isinstance(rule, Mapping):
            return ()
        return tuple(str(i) for i in rule.get("item_types") or ())

    @property
    def holds_blocks(self) -> bool:
        """True for modular content, single block and structured text fields.

        >>> FieldSchema("F", "hero", "single_block", False, "M").holds_blocks
        True
        """
        return self.field_type in BLOCK_FIELD_TYPES

    @property
    def block_model_ids(self) -> tuple[str, ...]:
        """Block models allowed as blocks (not inline blocks).

        >>> FieldSchema("F", "s", "rich_text", False, "M",
        ...     validators={"rich_text_blocks": {"item_types": ["B"]}}).block_model_ids
        ('B',)
        """
        return (
            self._validator_ids("rich_text_blocks")
            + self._validator_ids("single_block_blocks")
            + self._validator_ids("structured_text_blocks")
        )

    @property
    def inline_block_model_ids(self) -> tuple[str, ...]:
        """Block models allowed as inline blocks of a structured text field.

        >>> FieldSchema("F", "c", "structured_text", False, "M").inline_block_model_ids
        ()
        """
        return self._validator_ids("structured_text_inline_blocks")

    @property
    def allowed_block_model_ids(self) -> tuple[str, ...]:
        """Every block model the field accepts, blocks then inline blocks, no repeats.

        >>> FieldSchema("F", "t", "string", False, "M").allowed_block_model_ids
        ()
        """
        return tuple(dict.fromkeys(self.block_model_ids + self.inline_block_model_ids))


@dataclass(frozen=True, eq=False)
class ItemTypeSchema:
    """One model or block model, as ``GET /item-types`` describes it.

    >>> ItemTypeSchema.from_resource({"type": "item_type", "id": "M", "attributes": {
    ...     "name": "Article", "api_key": "article", "modular_block": False}}).api_key
    'article'
    """

    id: str
    api_key: str
    name: str = ""
    modular_block: bool = False
    all_locales_required: bool = False
    field_ids: tuple[str, ...] = ()

    @classmethod
    def from_resource(cls, resource: Any, path: Path = ()) -> ItemTypeSchema:
        """Read one JSON:API ``item_type`` resource.

        >>> ItemTypeSchema.from_resource({"type": "item_type", "id": "B", "attributes": {
        ...     "api_key": "cta", "modular_block": True}}).modular_block
        True
        """
        tid, attrs = _attributes(resource, "item_type", path)
        rel = ((resource.get("relationships") or {}).get("fields") or {}).get("data") or ()
        return cls(
            id=tid,
            api_key=_string(_get(attrs, "api_key", path), (*path, "attributes", "api_key")),
            name=str(attrs.get("name", "")),
            modular_block=bool(attrs.get("modular_block", False)),
            all_locales_required=bool(attrs.get("all_locales_required", False)),
            field_ids=tuple(str(r["id"]) for r in rel if isinstance(r, Mapping) and "id" in r),
        )


def _resources(body: Any, what: str) -> list[tuple[Path, Any]]:
    """The resources of a JSON:API body ``{"data": [...]}`` (or a bare list)."""
    prefix: Path = ()
    if isinstance(body, Mapping):
        if "data" not in body:
            raise SchemaError(f"a {what} dump must be {{'data': [...]}} or a list")
        data, prefix = body["data"], ("data",)
    else:
        data = body
    if isinstance(data, Mapping):
        return [(prefix, data)]
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise SchemaError(f"a {what} dump must hold a list of resources", prefix)
    return [((*prefix, i), r) for i, r in enumerate(data)]


def _read_json(path: str | FsPath) -> Any:
    try:
        return json.loads(FsPath(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read schema dump {str(path)!r}: {exc}") from None


Fetch = Callable[[str], Any]
"""``fetch(path)`` returns the parsed JSON body of ``GET /<path>``."""


class SchemaRepository:
    """Answers questions about models, block models and their fields.

    Look models up by id or api_key. Build one with :meth:`from_dumps`,
    :meth:`from_files`, :meth:`from_directory` or :meth:`from_fetch`.

    >>> repo = SchemaRepository([ItemTypeSchema("B", "quote", modular_block=True)],
    ...                         {"B": [FieldSchema("F", "text", "text", False, "B")]})
    >>> repo.field("quote", "text").field_type
    'text'
    """

    def __init__(
        self,
        item_types: Iterable[ItemTypeSchema] | None = None,
        fields: Mapping[str, Iterable[FieldSchema]] | None = None,
        *,
        fetch: Fetch | None = None,
    ) -> None:
        self._fetch = fetch
        self._by_id: dict[str, ItemTypeSchema] | None = None
        self._by_key: dict[str, ItemTypeSchema] = {}
        self._fields: dict[str, tuple[FieldSchema, ...]] = {}
        self._field_maps: dict[str, Mapping[str, FieldSchema]] = {}
        if item_types is not None:
            self._index(item_types)
        elif fetch is None:
            raise SchemaError("give the item types, or a fetch function")
        for owner, owned in (fields or {}).items():
            self._fields[owner] = _sorted_fields(owned)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def from_dumps(
        cls, item_types: Any, fields: Iterable[Any] | Mapping[str, Any] = ()
    ) -> SchemaRepository:
        """Build from the JSON bodies of ``GET /item-types`` and each model's fields.

        ``fields`` is an iterable of ``GET /item-types/:id/fields`` bodies (the
        fields' ``relationships.item_type`` says whose they are), or a mapping
        from model id to body.

        >>> SchemaRepository.from_dumps({"data": []}).item_types()
        ()
        """
        types = [
            ItemTypeSchema.from_resource(r, p) for p, r in _resources(item_types, "item-types")
        ]
        grouped: dict[str, list[FieldSchema]] = {t.id: [] for t in types if not t.field_ids}
        bodies: Iterable[tuple[str | None, Any]] = (
            fields.items() if isinstance(fields, Mapping) else ((None, b) for b in fields)
        )
        for owner, body in bodies:
            for path, resource in _resources(body, "fields"):
                f = FieldSchema.from_resource(resource, owner, path)
                grouped.setdefault(f.item_type_id, []).append(f)
        return cls(types, grouped)

    @classmethod
    def from_files(
        cls, item_types: str | FsPath, fields: Iterable[str | FsPath] = ()
    ) -> SchemaRepository:
        """Build from saved dumps: one ``GET /item-types`` file, one file per fields list.

        >>> import pathlib
        >>> d = pathlib.Path(__file__).parents[2] / "fixtures" / "cma" / "schema"
        >>> repo = SchemaRepository.from_files(d / "item_types.json",
        ...                                    sorted((d / "fields").glob("*.json")))
        >>> repo.item_type("article").modular_block
        False
        """
        return cls.from_dumps(_read_json(item_types), [_read_json(p) for p in fields])

    @classmethod
    def from_directory(cls, directory: str | FsPath) -> SchemaRepository:
        """Build from ``directory/item_types.json`` and ``directory/fields/*.json``.

        >>> import pathlib
        >>> d = pathlib.Path(__file__).parents[2] / "fixtures" / "cma" / "schema"
        >>> SchemaRepository.from_directory(d).is_block_model("gallery")
        True
        """
        root = FsPath(directory)
        return cls.from_files(root / "item_types.json", sorted((root / "fields").glob("*.json")))

    @classmethod
    def from_fetch(cls, fetch: Fetch) -> SchemaRepository:
        """Fetch lazily: ``fetch("item-types")`` once, ``fetch("item-types/ID/fields")``
        once per model whose fields are asked for.

        >>> calls = []
        >>> def fetch(path):
        ...     calls.append(path)
        ...     if path == "item-types":
        ...         return {"data": [{"type": "item_type", "id": "M",
        ...                           "attributes": {"api_key": "m"}}]}
        ...     return {"data": []}
        >>> repo = SchemaRepository.from_fetch(fetch)
        >>> repo.fields("m"), repo.fields("M"), calls
        ((), (), ['item-types', 'item-types/M/fields'])
        """
        return cls(fetch=fetch)

    # --- lookups --------------------------------------------------------------------------

    def _index(self, item_types: Iterable[ItemTypeSchema]) -> None:
        self._by_id = {}
        for t in item_types:
            self._by_id[t.id] = t
            self._by_key[t.api_key] = t

    def _types(self) -> dict[str, ItemTypeSchema]:
        if self._by_id is None:
            assert self._fetch is not None
            body = self._fetch("item-types")
            self._index(
                ItemTypeSchema.from_resource(r, p) for p, r in _resources(body, "item-types")
            )
            assert self._by_id is not None
        return self._by_id

    def item_types(self) -> tuple[ItemTypeSchema, ...]:
        """Every model and block model.

        >>> SchemaRepository([ItemTypeSchema("M", "m")]).item_types()[0].id
        'M'
        """
        return tuple(self._types().values())

    def block_models(self) -> tuple[ItemTypeSchema, ...]:
        """The block models only.

        >>> SchemaRepository([ItemTypeSchema("M", "m")]).block_models()
        ()
        """
        return tuple(t for t in self._types().values() if t.modular_block)

    def find_item_type(self, id_or_api_key: str) -> ItemTypeSchema | None:
        """The model with this id (or else this api_key), or ``None``.

        >>> SchemaRepository([ItemTypeSchema("M", "m")]).find_item_type("x") is None
        True
        """
        types = self._types()
        return types.get(id_or_api_key) or self._by_key.get(id_or_api_key)

    def item_type(self, id_or_api_key: str) -> ItemTypeSchema:
        """The model with this id or api_key; ``SchemaError`` if there is none.

        >>> SchemaRepository([ItemTypeSchema("M", "m")]).item_type("m").id
        'M'
        """
        found = self.find_item_type(id_or_api_key)
        if found is None:
            raise SchemaError(f"unknown item type {id_or_api_key!r}")
        return found

    def is_block_model(self, id_or_api_key: str) -> bool:
        """Whether the model is a block model (``modular_block: true``).

        >>> SchemaRepository([ItemTypeSchema("B", "b", modular_block=True)]).is_block_model("B")
        True
        """
        return self.item_type(id_or_api_key).modular_block

    def fields(self, id_or_api_key: str) -> tuple[FieldSchema, ...]:
        """The fields of a model, by position (fetched once when lazy).

        >>> SchemaRepository([ItemTypeSchema("M", "m")], {"M": []}).fields("m")
        ()
        """
        model = self.item_type(id_or_api_key)
        cached = self._fields.get(model.id)
        if cached is not None:
            return cached
        if self._fetch is None:
            raise SchemaError(f"no fields dump for item type {model.api_key!r} ({model.id})")
        body = self._fetch(f"item-types/{model.id}/fields")
        fetched = _sorted_fields(
            FieldSchema.from_resource(r, model.id, p) for p, r in _resources(body, "fields")
        )
        self._fields[model.id] = fetched
        return fetched

    def fields_by_api_key(self, id_or_api_key: str) -> Mapping[str, FieldSchema]:
        """The fields of a model keyed by api_key.

        >>> repo = SchemaRepository([ItemTypeSchema("M", "m")],
        ...                         {"M": [FieldSchema("F", "t", "string", False, "M")]})
        >>> list(repo.fields_by_api_key("M"))
        ['t']
        """
        model = self.item_type(id_or_api_key)
        found = self._field_maps.get(model.id)
        if found is None:
            found = MappingProxyType({f.api_key: f for f in self.fields(model.id)})
            self._field_maps[model.id] = found
        return found

    def find_field(self, item_type: str, api_key: str) -> FieldSchema | None:
        """The field ``api_key`` of a model, or ``None``.

        >>> SchemaRepository([ItemTypeSchema("M", "m")], {"M": []}).find_field("m", "x") is None
        True
        """
        return self.fields_by_api_key(item_type).get(api_key)

    def field(self, item_type: str, api_key: str) -> FieldSchema:
        """The field ``api_key`` of a model; ``SchemaError`` if it has none.

        >>> repo = SchemaRepository([ItemTypeSchema("M", "m")], {"M": []})
        >>> repo.field("m", "x")
        Traceback (most recent call last):
        ...
        dast.cma.errors.SchemaError: item type 'm' has no field 'x'
        """
        found = self.find_field(item_type, api_key)
        if found is None:
            model = self.item_type(item_type)
            raise SchemaError(f"item type {model.api_key!r} has no field {api_key!r}")
        return found

    def localized_fields(self, id_or_api_key: str) -> tuple[FieldSchema, ...]:
        """The localized fields of a model.

        >>> SchemaRepository([ItemTypeSchema("M", "m")], {"M": []}).localized_fields("M")
        ()
        """
        return tuple(f for f in self.fields(id_or_api_key) if f.localized)

    def check_value(self, f: FieldSchema, value: Any, path: Path = ()) -> None:
        """Refuse, before sending, a value the CMA would answer ``422`` to.

        Checks the JSON type of the value for the field type (``VALUE_KINDS``;
        ``null`` always passes), that a localized value is ``{locale: value}``,
        and that each new block (a record object without id) directly in the
        value is of a block model the field's validators allow. Nested blocks
        are checked by the caller, one level at a time. Raises ``PayloadError``
        with the path.

        >>> repo = SchemaRepository([ItemTypeSchema("M", "m")], {"M": []})
        >>> repo.check_value(FieldSchema("F", "views", "integer", False, "M"), "3", ("views",))
        Traceback (most recent call last):
        ...
        dast.cma.errors.PayloadError: views: field 'views' (integer) takes an integer, got a string
        """
        if f.localized and value is not None:
            if not isinstance(value, Mapping):
                raise PayloadError(
                    f"field {f.api_key!r} is localized: its value must be {{locale: value}}, "
                    f"got {_type_name(value)}",
                    path,
                )
            for locale, one in value.items():
                self._check_one(f, one, (*path, locale))
        else:
            self._check_one(f, value, path)

    def _check_one(self, f: FieldSchema, value: Any, path: Path) -> None:
        kind = VALUE_KINDS.get(f.field_type)
        if value is None or kind is None:
            return
        if not _kind_ok(kind, value):
            raise PayloadError(
                f"field {f.api_key!r} ({f.field_type}) takes {_KIND_NAMES[kind]}, "
                f"got {_type_name(value)}",
                path,
            )
        allowed = f.allowed_block_model_ids
        if not f.holds_blocks or not allowed:
            return
        for block, at in _top_blocks(value, f.field_type, path):
            model = _new_block_model(block)
            if model is None:
                continue
            found = self.find_item_type(model)
            if found is None or found.id not in allowed:
                names = ", ".join(
                    (t.api_key if (t := self.find_item_type(i)) is not None else i)
                    for i in allowed
                )
                shown = found.api_key if found is not None else model
                raise PayloadError(
                    f"field {f.api_key!r} does not allow blocks of model {shown!r} "
                    f"(allowed: {names})",
                    at,
                )


def _sorted_fields(fields: Iterable[FieldSchema]) -> tuple[FieldSchema, ...]:
    return tuple(sorted(fields, key=lambda f: f.position))
