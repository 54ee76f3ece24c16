"""The DAST node model: one frozen pydantic class per node type.

Loading any valid DAST JSON and dumping it gives back the identical JSON:
absent optional attributes stay absent, present ones (even empty) stay
present, and ``item`` objects of blocks are carried untouched (the very same
object).

>>> doc = Document.model_validate(
...     {"schema": "dast", "document": {"type": "root", "children": [
...         {"type": "paragraph", "children": [{"type": "span", "value": "hi"}]}]}})
>>> doc.to_json()["document"]["children"][0]["children"][0]
{'type': 'span', 'value': 'hi'}
"""

from __future__ import annotations

import json
import operator
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from typing_extensions import Self

from ._build import (
    NotPlain,
    Plan,
    build_nodes,
    check_item,
    new_model,
    plain_item,
    plain_kind,
    plain_string,
    untyped_object,
)
from ._gc import gc_paused
from .definitions import ALLOWED_CHILDREN, NODE_SPECS
from .errors import DastValidationError, Problem
from .validate import (
    _BROKEN,
    node_problems,
    shallow_problems,
    track_broken,
    unwrap_document,
    validate,
)

__all__ = [
    "ADOPTION_PLANS",
    "NODE_CLASS_BY_TYPE",
    "Block",
    "BlockItem",
    "Blockquote",
    "Code",
    "Document",
    "Heading",
    "InlineBlock",
    "InlineItem",
    "InlineNode",
    "ItemLink",
    "Link",
    "List",
    "ListItem",
    "ListItemChild",
    "MetaEntry",
    "Node",
    "NodeWithChildren",
    "Paragraph",
    "Root",
    "RootChild",
    "Span",
    "ThematicBreak",
    "build_deep_node",
    "plain_node",
]


BlockItem = Annotated[str | dict[str, Any], PlainValidator(check_item)]
"""A block's ``item``: an id string or a full record object, kept as is."""

NonEmpty = Field(min_length=1)

_Tagged = Field(discriminator="type")
"""On a slot holding a single node class: JSON input must still carry ``type``."""

_DUMP_OPTIONS: Final = frozenset({"mode", "by_alias", "exclude_none", "round_trip", "warnings"})
"""The ``model_dump`` options the deep (iterative) dump supports."""


class _Model(BaseModel):
    """The base of every node: frozen pydantic, plus depth-proof equality, hash, repr and dumps."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        """Dump to the exact DAST JSON shape (absent attributes stay absent).

        >>> Span(value="a").to_json()
        {'type': 'span', 'value': 'a'}
        """
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    # -- validated edits -------------------------------------------------------------------

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, checked against the schema.

        Unlike ``model_copy(update=...)`` (which, as in pydantic, checks
        nothing), a broken result raises ``DastValidationError`` with the
        attribute's path and rule code. Children may be any sequence of nodes.

        >>> h = Heading(level=2, children=(Span(value="x"),))
        >>> h.replace(level=3).level
        3
        >>> try:
        ...     h.replace(level=9)
        ... except DastValidationError as exc:
        ...     print(exc.problems[0].path, exc.problems[0].code)
        ('level',) heading-level
        """
        data: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            data[_alias(name)] = value
        for key, value in changes.items():
            if key == "children" and isinstance(value, Sequence) and not isinstance(value, str):
                value = tuple(value)
            data[_alias(key)] = value
        data = {key: value for key, value in data.items() if value is not None}
        problems = shallow_problems(data)
        if problems:
            raise DastValidationError(problems)
        built: Self = type(self).model_validate(data)
        return built

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """pydantic's ``model_copy`` (no validation); a broken copy is remembered.

        ``dast.validate.ensure_writable`` then refuses any tree holding it.

        >>> Span(value="a").model_copy(update={"value": "b"}).value
        'b'
        """
        if update and not deep and self.__pydantic_private__ is None:
            new = self._updated(update)
        else:
            new = super().model_copy(update=update, deep=deep)
        if update:  # a copy of a valid node can only be broken in what changed
            track_broken(new, None if id(self) in _BROKEN else update.keys())
        elif id(self) in _BROKEN:
            track_broken(new)
        return new

    def _updated(self, update: Mapping[str, Any]) -> Self:
        """pydantic's shallow ``model_copy(update=...)`` for these models, in one step.

        The same four slots pydantic's ``__copy__`` fills (no extra, no private
        attributes here), without its generic ``copy.copy`` calls.
        """
        fields = self.__dict__.copy()
        fields.update(update)
        new: Self = new_model(type(self), fields, self.__pydantic_fields_set__ | update.keys())
        return new

    @classmethod  # type: ignore[no-redef]  # the pydantic mypy plugin declares it too
    def model_construct(  # type: ignore[override]  # (its signature, as the plugin sees it)
        cls, _fields_set: set[str] | None = None, **values: Any
    ) -> Self:
        """pydantic's ``model_construct`` (no validation); a broken node is remembered.

        >>> Span.model_construct(value="a").value
        'a'
        """
        new = super().model_construct(_fields_set, **values)
        track_broken(new)
        return new

    # -- any depth -------------------------------------------------------------------------

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """pydantic's ``model_validate``, also for documents nested deeper than it recurses.

        >>> Span.model_validate({"type": "span", "value": "x"}).value
        'x'
        """
        try:
            return super().model_validate(obj, **options)
        except ValidationError:
            built: Self | None = _build_if_valid(cls, obj)
            if built is None:
                raise
            return built

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """pydantic's ``model_dump``, also for trees nested deeper than it recurses.

        >>> Span(value="x").model_dump(exclude_none=True)
        {'type': 'span', 'value': 'x'}
        """
        try:  # past its depth limit pydantic warns and leaves models in: make that an error
            return super().model_dump(**{**options, "warnings": "error"})
        except ValueError:  # "maximum serialization depth exceeded"
            if not options.keys() <= _DUMP_OPTIONS:
                raise
            with gc_paused(promote=True):  # a dict per node, no cycles (a deep tree)
                return _dump_deep(
                    self,
                    json_mode=options.get("mode", "python") == "json",
                    by_alias=bool(options.get("by_alias")),
                    exclude_none=bool(options.get("exclude_none")),
                )

    def model_dump_json(self, **options: Any) -> str:
        """pydantic's ``model_dump_json``, also for trees nested deeper than it recurses.

        >>> Span(value="x").model_dump_json(exclude_none=True)
        '{"type":"span","value":"x"}'
        """
        try:
            return super().model_dump_json(**{**options, "warnings": "error"})
        except ValueError:
            indent = options.pop("indent", None)
            if not options.keys() <= _DUMP_OPTIONS:
                raise
            with gc_paused(promote=True):
                data = _dump_deep(
                    self,
                    json_mode=True,
                    by_alias=bool(options.get("by_alias")),
                    exclude_none=bool(options.get("exclude_none")),
                )
            return _json_text(data, indent)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return _equal(self, other)

    def __hash__(self) -> int:
        cache: dict[int, int] | None = getattr(_HASHING, "cache", None)
        if cache is not None:
            known = cache.get(id(self))
            return known if known is not None else _own_hash(self)
        return _deep_hash(self)

    def __repr__(self) -> str:
        return _repr(self)

    def __str__(self) -> str:
        return " ".join(f"{name}={_repr(value)}" for name, value in self.__dict__.items())


def _alias(name: str) -> str:
    return "schema" if name == "schema_" else name


# --- depth-proof equality, hash, repr and dumps -------------------------------------------


def _equal(a: BaseModel, b: BaseModel) -> bool:
    """pydantic's ``==`` on two models, without recursion."""
    stack: list[tuple[BaseModel, BaseModel]] = [(a, b)]
    while stack:
        x, y = stack.pop()
        if x is y:
            continue
        if type(x) is not type(y):
            return False
        dx, dy = x.__dict__, y.__dict__
        if dx.keys() != dy.keys():
            return False
        for key, vx in dx.items():
            vy = dy[key]
            if vx is vy:
                continue
            if isinstance(vx, _Model):
                if not isinstance(vy, BaseModel):
                    return False
                stack.append((vx, vy))
            elif type(vx) is tuple and type(vy) is tuple:
                if len(vx) != len(vy):
                    return False
                for ex, ey in zip(vx, vy, strict=True):
                    if ex is ey:
                        continue
                    if isinstance(ex, _Model) and isinstance(ey, BaseModel):
                        stack.append((ex, ey))
                    elif ex != ey:
                        return False
            elif vx != vy:
                return False
    return True


_HASHING = threading.local()
"""While a deep hash runs: ``cache`` maps node ids to their hashes, children first."""

_GETTERS: dict[type[BaseModel], Callable[[dict[str, Any]], Any]] = {}


def _own_hash(model: BaseModel) -> int:
    """pydantic's hash of a frozen model: the hash of its field values."""
    cls = type(model)
    getter = _GETTERS.get(cls)
    if getter is None:
        getter = _GETTERS[cls] = operator.itemgetter(*cls.model_fields)
    try:
        return hash(getter(model.__dict__))
    except KeyError:  # made by model_construct without a required field
        return hash(tuple(model.__dict__.get(name) for name in cls.model_fields))


def _deep_hash(model: BaseModel) -> int:
    """The hash pydantic would give, computed children first (no recursion)."""
    order: list[BaseModel] = []
    stack: list[BaseModel] = [model]
    while stack:
        node = stack.pop()
        order.append(node)
        for value in node.__dict__.values():
            if type(value) is tuple:
                stack.extend(v for v in value if isinstance(v, _Model))
            elif isinstance(value, _Model):
                stack.append(value)
    cache: dict[int, int] = {}
    _HASHING.cache = cache
    try:
        for node in reversed(order):
            cache[id(node)] = _own_hash(node)
    finally:
        _HASHING.cache = None
    return cache[id(model)]


def _repr(value: object) -> str:
    """pydantic's ``repr`` of a model (or of a field value), without recursion."""
    out: list[str] = []
    stack: list[tuple[bool, object]] = [(False, value)]  # (is literal text?, item)
    while stack:
        literal, item = stack.pop()
        if literal:
            out.append(item)  # type: ignore[arg-type]
            continue
        if isinstance(item, _Model):
            parts: list[tuple[bool, object]] = [(True, f"{type(item).__name__}(")]
            for i, (name, field_value) in enumerate(item.__dict__.items()):
                parts.append((True, f", {name}=" if i else f"{name}="))
                parts.append((False, field_value))
            parts.append((True, ")"))
            stack.extend(reversed(parts))
        elif type(item) is tuple and any(isinstance(v, _Model) for v in item):
            parts = [(True, "(")]
            for i, element in enumerate(item):
                if i:
                    parts.append((True, ", "))
                parts.append((False, element))
            parts.append((True, ",)" if len(item) == 1 else ")"))
            stack.extend(reversed(parts))
        else:
            out.append(repr(item))
    return "".join(out)


def _dump_deep(
    model: BaseModel, *, json_mode: bool = True, by_alias: bool = True, exclude_none: bool = True
) -> dict[str, Any]:
    """``model_dump`` without recursion (for trees deeper than pydantic dumps), in linear time.

    The nodes are dumped children first, a few Python steps per node; any
    other value (a block's record, a broken node's odd field) goes through
    :func:`_dump_any`. Tuples stay tuples in Python mode and become lists in
    JSON mode; other containers are copied, as pydantic does.
    """
    order: list[Any] = []  # every node, parents before children (depth first)
    visit = order.append
    stack: list[Any] = [model]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        visit(node)
        if isinstance(node, _Model):
            fields = node.__dict__
            kids = fields.get("children")
            if type(kids) is tuple:
                extend(kids)
            inner = fields.get("document")
            if inner is not None:
                push(inner)
    done: list[Any] = []  # dumped values, children in order on top
    keep = done.append
    for node in reversed(order):  # children before their parents
        if not isinstance(node, _Model):
            keep(_dump_any(node, json_mode, by_alias, exclude_none))
            continue
        keys = _dump_keys(type(node), by_alias)
        out: dict[str, Any] = {}
        for name, value in node.__dict__.items():
            if value is None:
                if not exclude_none:
                    out[keys.get(name, name)] = None
            elif type(value) is str or type(value) is int:
                out[keys.get(name, name)] = value
            elif name == "children" and type(value) is tuple:
                count = len(value)
                kids = done[-count:] if count else []
                if count:
                    del done[-count:]
                out[keys.get(name, name)] = kids if json_mode else tuple(kids)
            elif name == "document":
                out[keys.get(name, name)] = done.pop()
            elif name == "marks" and type(value) is tuple:
                out[keys.get(name, name)] = list(value) if json_mode else value
            else:
                out[keys.get(name, name)] = _dump_any(value, json_mode, by_alias, exclude_none)
        keep(out)
    result: dict[str, Any] = done[0]
    return result


_DUMP_KEYS: dict[tuple[type[BaseModel], bool], dict[str, str]] = {}


def _dump_keys(cls: type[BaseModel], by_alias: bool) -> dict[str, str]:
    """Field name -> dumped key, for the fields whose key differs (``schema_`` by alias)."""
    keys = _DUMP_KEYS.get((cls, by_alias))
    if keys is None:
        keys = _DUMP_KEYS[(cls, by_alias)] = {
            name: key
            for name in cls.model_fields
            if (key := _field_key(cls, name, by_alias)) != name
        }
    return keys


def _dump_any(value: object, json_mode: bool, by_alias: bool, exclude_none: bool) -> Any:
    """``model_dump`` of any field value (models, dicts, lists, tuples), without recursion."""
    if not isinstance(value, (BaseModel, dict, list, tuple)):
        return value

    def frame(source: object, key: object) -> list[Any]:
        """[entries, next index, accumulated value, key in the parent, is an array?, a tuple?]"""
        if isinstance(source, BaseModel):
            entries = [
                (_field_key(type(source), name, by_alias), value)
                for name, value in source.__dict__.items()
                if value is not None or not exclude_none
            ]
            return [entries, 0, {}, key, False, False]
        if isinstance(source, dict):
            return [list(source.items()), 0, {}, key, False, False]
        items: list[tuple[object, Any]] = [(None, v) for v in source]  # type: ignore[attr-defined]
        return [items, 0, [], key, True, type(source) is tuple]

    stack = [frame(value, None)]
    while True:
        top = stack[-1]
        entries, index, acc = top[0], top[1], top[2]
        if index < len(entries):
            top[1] = index + 1
            key, item = entries[index]
            if isinstance(item, (BaseModel, dict, list, tuple)):
                stack.append(frame(item, key))
            elif top[4]:
                acc.append(item)
            else:
                acc[key] = item
            continue
        stack.pop()
        made = tuple(acc) if top[5] and not json_mode else acc
        if not stack:
            return made
        parent = stack[-1]
        if parent[4]:
            parent[2].append(made)
        else:
            parent[2][top[3]] = made


def _field_key(cls: type[BaseModel], name: str, by_alias: bool) -> str:
    if not by_alias:
        return name
    field = cls.model_fields.get(name)
    return field.alias or name if field is not None else name


def _json_text(value: Any, indent: int | None) -> str:
    """JSON text like pydantic's ``model_dump_json``, without recursion."""
    out: list[str] = []
    colon = ": " if indent is not None else ":"
    stack: list[tuple[bool, Any, int]] = [(False, value, 0)]  # (literal?, item, depth)

    def newline(depth: int) -> str:
        return "\n" + " " * (indent * depth) if indent is not None else ""

    while stack:
        literal, item, depth = stack.pop()
        if literal:
            out.append(item)
            continue
        if isinstance(item, dict):
            if not item:
                out.append("{}")
                continue
            parts: list[tuple[bool, Any, int]] = [(True, "{", depth)]
            for i, (key, element) in enumerate(item.items()):
                sep = "," if i else ""
                text = json.dumps(str(key), ensure_ascii=False)
                parts.append((True, f"{sep}{newline(depth + 1)}{text}{colon}", depth))
                parts.append((False, element, depth + 1))
            parts.append((True, newline(depth) + "}", depth))
            stack.extend(reversed(parts))
        elif isinstance(item, (list, tuple)):
            if not item:
                out.append("[]")
                continue
            parts = [(True, "[", depth)]
            for i, element in enumerate(item):
                parts.append((True, ("," if i else "") + newline(depth + 1), depth))
                parts.append((False, element, depth + 1))
            parts.append((True, newline(depth) + "]", depth))
            stack.extend(reversed(parts))
        else:
            out.append(json.dumps(item, ensure_ascii=False))
    return "".join(out)


class MetaEntry(_Model):
    """One ``{"id", "value"}`` entry of a link's ``meta``.

    >>> MetaEntry(id="rel", value="nofollow").to_json()
    {'id': 'rel', 'value': 'nofollow'}
    """

    id: StrictStr
    value: StrictStr


class Span(_Model):
    """A run of text with optional marks.

    >>> Span(value="x", marks=("strong",)).marks
    ('strong',)
    """

    type: Literal["span"] = "span"
    value: StrictStr
    marks: tuple[StrictStr, ...] | None = None


class Link(_Model):
    """A hyperlink whose label is made of spans.

    >>> Link(url="https://x.y", children=(Span(value="x"),)).url
    'https://x.y'
    """

    type: Literal["link"] = "link"
    url: StrictStr
    children: Annotated[tuple[Annotated[Span, _Tagged], ...], NonEmpty]
    meta: tuple[MetaEntry, ...] | None = None


class ItemLink(_Model):
    """A link to another record, by id.

    >>> ItemLink(item="42", children=(Span(value="x"),)).item
    '42'
    """

    type: Literal["itemLink"] = "itemLink"
    item: StrictStr
    children: Annotated[tuple[Annotated[Span, _Tagged], ...], NonEmpty]
    meta: tuple[MetaEntry, ...] | None = None


class InlineItem(_Model):
    """A record reference rendered inline.

    >>> InlineItem(item="42").type
    'inlineItem'
    """

    type: Literal["inlineItem"] = "inlineItem"
    item: StrictStr


class InlineBlock(_Model):
    """A block record embedded inside a line of text.

    >>> InlineBlock(item="b1").item
    'b1'
    """

    type: Literal["inlineBlock"] = "inlineBlock"
    item: BlockItem


InlineNode = Annotated[
    Span | Link | ItemLink | InlineItem | InlineBlock, Field(discriminator="type")
]
"""Any node allowed inside a paragraph or heading."""

_Inlines = Annotated[tuple[InlineNode, ...], NonEmpty]


class Paragraph(_Model):
    """A paragraph of inline nodes.

    >>> Paragraph(children=(Span(value="x"),)).style is None
    True
    """

    type: Literal["paragraph"] = "paragraph"
    children: _Inlines
    style: StrictStr | None = None


class Heading(_Model):
    """A heading of level 1 to 6.

    >>> Heading(level=2, children=(Span(value="x"),)).level
    2
    """

    type: Literal["heading"] = "heading"
    level: Annotated[StrictInt, Field(ge=1, le=6)]
    children: _Inlines
    style: StrictStr | None = None


class List(_Model):
    """A bulleted or numbered list of list items.

    >>> List(style="bulleted", children=(ListItem(children=(Paragraph(
    ...     children=(Span(value="x"),)),)),)).style
    'bulleted'
    """

    type: Literal["list"] = "list"
    style: Literal["bulleted", "numbered"]
    children: Annotated[tuple[ListItem, ...], NonEmpty]

    @field_validator("children", mode="before")
    @classmethod
    def _items_need_type(cls, value: Any) -> Any:
        """JSON list items must carry ``type`` (a discriminator is lost on this recursive slot)."""
        if untyped_object(value):
            raise ValueError('a list item needs "type": "listItem"')
        return value


ListItemChild = Annotated[Paragraph | List, Field(discriminator="type")]
"""Any node allowed inside a list item."""


class ListItem(_Model):
    """One item of a list: paragraphs and nested lists.

    >>> ListItem(children=(Paragraph(children=(Span(value="x"),)),)).type
    'listItem'
    """

    type: Literal["listItem"] = "listItem"
    children: Annotated[tuple[ListItemChild, ...], NonEmpty]


class Blockquote(_Model):
    """A quotation made of paragraphs, with an optional attribution.

    >>> Blockquote(children=(Paragraph(children=(Span(value="x"),)),),
    ...            attribution="Ada").attribution
    'Ada'
    """

    type: Literal["blockquote"] = "blockquote"
    children: Annotated[tuple[Annotated[Paragraph, _Tagged], ...], NonEmpty]
    attribution: StrictStr | None = None


class Code(_Model):
    """A code block.

    >>> Code(code="x = 1", language="python", highlight=(0,)).highlight
    (0,)
    """

    type: Literal["code"] = "code"
    code: StrictStr
    language: StrictStr | None = None
    highlight: tuple[Annotated[StrictInt, Field(ge=0)], ...] | None = None


class ThematicBreak(_Model):
    """A horizontal rule.

    >>> ThematicBreak().to_json()
    {'type': 'thematicBreak'}
    """

    type: Literal["thematicBreak"] = "thematicBreak"


class Block(_Model):
    """A block record at the root of the document.

    >>> Block(item="b1").to_json()
    {'type': 'block', 'item': 'b1'}
    """

    type: Literal["block"] = "block"
    item: BlockItem


RootChild = Annotated[
    Paragraph | Heading | List | Code | Blockquote | Block | ThematicBreak,
    Field(discriminator="type"),
]
"""Any node allowed directly under the root."""


class Root(_Model):
    """The root node of a document.

    >>> Root(children=(ThematicBreak(),)).type
    'root'
    """

    type: Literal["root"] = "root"
    children: Annotated[tuple[RootChild, ...], NonEmpty]


class Document(_Model):
    """A whole DAST document: ``{"schema": "dast", "document": root}``.

    >>> Document(document=Root(children=(ThematicBreak(),))).to_json()["schema"]
    'dast'
    """

    schema_: Literal["dast"] = Field("dast", alias="schema")
    document: Annotated[Root, _Tagged]

    @model_validator(mode="before")
    @classmethod
    def _json_needs_schema(cls, data: Any) -> Any:
        """DAST JSON must carry ``schema``; only Python callers passing a ``Root`` may omit it."""
        if (
            isinstance(data, Mapping)
            and "schema" not in data
            and "schema_" not in data
            and not isinstance(data.get("document"), Root)
        ):
            raise ValueError('a DAST document needs "schema": "dast"')
        return data


List.model_rebuild()

Node = (
    Root
    | Paragraph
    | Heading
    | List
    | ListItem
    | Blockquote
    | Code
    | ThematicBreak
    | Block
    | Span
    | Link
    | ItemLink
    | InlineItem
    | InlineBlock
)
"""Any DAST node (not the ``Document`` wrapper)."""


NodeWithChildren = Root | Paragraph | Heading | List | ListItem | Blockquote | Link | ItemLink
"""Nodes that carry a ``children`` tuple."""

NODE_CLASS_BY_TYPE: dict[str, type[Node]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        Root,
        Paragraph,
        Heading,
        List,
        ListItem,
        Blockquote,
        Code,
        ThematicBreak,
        Block,
        Span,
        Link,
        ItemLink,
        InlineItem,
        InlineBlock,
    )
}
"""Each DAST ``type`` string to its node class."""


def build_deep_node(data: Mapping[str, Any]) -> Node:
    """Build a node from VALID node JSON bottom-up, without recursion, in linear time.

    The input must have passed ``dast.validate`` (``load_document`` and
    ``model_validate`` check it first): each node is then made the way
    pydantic makes it (the same field values, exact ``str`` and ``tuple``
    types, ``model_fields_set``, a block's record the very same object)
    without validating it again, in a few Python steps per node, so depth
    does not matter. Any ``Mapping`` is read as a JSON object; a node model
    among the JSON is taken as it is.

    >>> build_deep_node({"type": "span", "value": "x"})
    Span(type='span', value='x', marks=None)
    >>> build_deep_node({"type": "span", "value": "x", "marks": ["strong"]}).marks
    ('strong',)
    """
    built: Node | None = _build(data, checked=False)
    if built is None:  # the input was not valid after all
        problems = node_problems(data)
        raise DastValidationError(problems or [_unbuildable(data)])
    return built


def _unbuildable(data: object) -> Problem:
    kind = data.get("type") if isinstance(data, Mapping) else None
    return Problem((), "invalid-node", f"cannot build a node of type {kind!r} from this input")


def plain_node(data: object) -> Node | None:
    """The node model of plainly valid node JSON, checked as it is built; else ``None``.

    One pass over the nodes, children first, each checked against the schema
    table and made as pydantic makes it (see :func:`build_deep_node`); any
    depth. ``None`` means "ask the validator": the input is invalid, or
    merely unusual (not ``dict`` objects, a node model inside the JSON, a
    node met twice); it is never a wrong model. ``validate`` explains
    a ``None``.

    >>> plain_node({"type": "paragraph", "children": [{"type": "span", "value": "x"}]}).children
    (Span(type='span', value='x', marks=None),)
    >>> plain_node({"type": "paragraph", "children": []}) is None
    True
    """
    built: Node | None = _build(data, checked=True)
    return built


def _build(data: object, checked: bool) -> Any:
    """The nodes of ``data``, children first, as :func:`plain_node` (``checked``) or trusted.

    The loop is ``dast._build.build_nodes`` (compiled when the package is).
    """
    return build_nodes(data, checked, _BUILD_PLANS)


def _plain_meta(value: Any) -> tuple[MetaEntry, ...]:
    """A link's ``meta`` as stored (a tuple of ``MetaEntry`` models); else :class:`NotPlain`.

    >>> _plain_meta([{"id": "rel", "value": "nofollow"}])[0].value
    'nofollow'
    """
    if not isinstance(value, (list, tuple)):
        raise NotPlain
    entries: list[MetaEntry] = []
    for entry in value:
        if isinstance(entry, MetaEntry):
            entries.append(entry)
            continue
        fields = entry.__dict__ if isinstance(entry, BaseModel) else entry
        if not isinstance(fields, Mapping) or len(fields) != 2:
            raise NotPlain
        made = {"id": plain_string(fields["id"]), "value": plain_string(fields["value"])}
        entries.append(new_model(MetaEntry, made, {"id", "value"}))
    return tuple(entries)


def _build_plan(node_type: str) -> Plan:
    """The build of one node type (see :func:`_build`).

    (class, fields at their defaults in field order, check per key,
    required, child classes, then for
    :data:`ADOPTION_PLANS`: the defaults to add to a node whose keys are
    these first fields in order, and the attributes whose stored value is
    not the JSON's with their conversion).
    """
    cls = NODE_CLASS_BY_TYPE[node_type]
    spec = NODE_SPECS[node_type]
    template = {
        name: field.default if name == "type" or not field.is_required() else None
        for name, field in cls.model_fields.items()
    }
    accept = {"type": None, **{a.name: plain_kind(a, _plain_meta) for a in spec.attributes}}
    required = tuple(a.name for a in spec.attributes if a.required)
    has_children = any(a.kind == "children" for a in spec.attributes)
    kids = frozenset(NODE_CLASS_BY_TYPE[k] for k in ALLOWED_CHILDREN[node_type])
    names = tuple(template)
    fills = {
        names[:given]: tuple((name, template[name]) for name in names[given:])
        for given in range(1, len(names) + 1)
        if set(required) <= set(names[:given])
    }
    converts = tuple(
        (a.name, _ADOPTED_CONVERT[a.kind]) for a in spec.attributes if a.kind in _ADOPTED_CONVERT
    )
    return cls, template, accept, required, kids if has_children else None, fills, converts


_ADOPTED_CONVERT: Final[Mapping[str, Callable[[Any], Any]]] = {
    "item": plain_item,
    "marks": tuple,
    "highlight": tuple,
    "meta": _plain_meta,
}
"""The attribute kinds whose stored value differs from valid ``dict`` JSON's: to it."""


_BUILD_PLANS: Final = {node_type: _build_plan(node_type) for node_type in NODE_CLASS_BY_TYPE}

AdoptionPlan = tuple[
    type[BaseModel],
    dict[tuple[str, ...], tuple[tuple[str, Any], ...]],
    tuple[tuple[str, Callable[[Any], Any]], ...],
    dict[str, Any],
]

ADOPTION_PLANS: Final[dict[str, AdoptionPlan]] = {
    node_type: (plan[0], plan[5], plan[6], plan[1]) for node_type, plan in _BUILD_PLANS.items()
}
"""How to make a node model of VALID ``dict`` node JSON in place, per node type.

For a builder that owns the JSON (``dastdown``'s parse of its own, valid by
construction): ``(class, fills, conversions, template)``. ``fills`` maps a
node's keys, when they are the model's first fields in order, to the
defaults to add after them (its dict then becomes the model's
``__dict__``); a node not in it is copied into ``template`` (all fields at
their defaults, in field order). ``conversions`` give each attribute whose
stored value is not the JSON's (tuples, ``MetaEntry`` models, a record as a
dict) from a value that is not ``None``. The fields set is the node's keys,
as pydantic sets it; the model is made by ``dast._build.new_model``.

>>> cls, fills, conversions, template = ADOPTION_PLANS["span"]
>>> cls.__name__, fills[("type", "value")], conversions[0][0], list(template)
('Span', (('marks', None),), 'marks', ['type', 'value', 'marks'])
"""


def _build_if_valid(cls: type[_Model], obj: object) -> Any:
    """The model of input pydantic refused, when the validator finds it valid (else None).

    pydantic-core gives up on trees nested a few hundred levels deep, and
    reads only dicts as objects; the validator is iterative, reads any
    ``Mapping``, and has the last word.
    """
    if not isinstance(obj, Mapping) or isinstance(obj, BaseModel):
        return None
    with gc_paused(promote=True):  # a walk and a model per node, no cycles (deep)
        return _build_checked(cls, obj)


def _build_checked(cls: type[_Model], obj: Mapping[str, Any]) -> Any:
    """The body of :func:`_build_if_valid`, with the collector paused."""
    plain = BaseModel.model_validate.__func__  # type: ignore[attr-defined]
    if cls is Document:
        if unwrap_document(obj) is not obj:
            return None
        schema = obj.get("schema")
        root = None
        if type(schema) is str and schema == "dast" and len(obj) == 2:
            root = plain_node(obj.get("document"))  # one checked pass: the common case
        if type(root) is not Root:
            if not validate(obj).valid:
                return None
            root = build_deep_node(obj["document"])
        return plain(Document, {"schema": schema, "document": root})
    node_type = cls.model_fields["type"].default if "type" in cls.model_fields else None
    if node_type is None or obj.get("type") != node_type:
        return None
    node = plain_node(obj)
    if type(node) is cls:
        return node
    if node_problems(obj):
        return None
    return build_deep_node(obj)
