"""Find, visit and rewrite the blocks inside one (non-localized) field value.

The value is that of a modular content field (``rich_text``: a list of
blocks), a single block field (``single_block``: one block or ``None``) or a
structured text field (``structured_text``: a DAST document, blocks in
``block`` and ``inlineBlock`` nodes). Blocks nested inside blocks are reached
through the schema (a block's own modular, single block and structured text
fields, localized ones included). Other field types hold no blocks.

Each callback gets ``(block, path)``: the block as found (an id string, or a
record object in either shape) and its JSON path from the field value, e.g.
``(0, "attributes", "cards", 1)`` or ``("document", "children", 2, "item")``.
A callback that takes just ``(block)`` is called with the block alone, and
then no path is built: the walk is linear at any nesting depth (a path is
as long as its depth, so handing every block its path costs ``O(depth**2)``).
Id strings are passed to callbacks too, but nothing inside them can be seen.

Every helper has an ``_async`` twin (callbacks may be async); both run one
traversal (``dast._traverse``), which keeps its own stack, so nesting depth
is never limited by Python's recursion limit. Nothing is mutated: ``map_`` and
``filter_`` return new values (the same objects where nothing changed). For
localized fields, combine with ``dast.cma.locales.map_normalized_field_values``.

>>> from dast.cma.schema import SchemaRepository, ItemTypeSchema
>>> schema = SchemaRepository([ItemTypeSchema("Q", "quote", modular_block=True)], {"Q": []})
>>> quote = {"type": "item", "id": "q1", "attributes": {"text": "Hi"},
...          "relationships": {"item_type": {"data": {"type": "item_type", "id": "Q"}}}}
>>> [path for _, path in find_all_blocks([quote, "q2"], "rich_text", schema,
...                                        lambda block, path: True)]
[(0,), (1,)]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from typing_extensions import TypeIs

from .._traverse import Call, Descend, PathLink, Stop, Walker, drive, drive_async, fit
from ..errors import DastValidationError, Path, format_path
from ..load import load_document
from ..nodes import Block, Document, InlineBlock, Node
from ..walk import collect_nodes, filter_nodes, map_nodes
from .errors import BlockRecordError, SchemaError
from .schema import BLOCK_FIELD_TYPES, FieldSchema, SchemaRepository
from .shapes import attributes_of, item_type_id_of, record_shape, with_attributes

__all__ = [
    "AsyncBlockMapper",
    "AsyncBlockPredicate",
    "AsyncBlockReducer",
    "AsyncBlockVisitor",
    "BlockMapper",
    "BlockPredicate",
    "BlockReducer",
    "BlockValue",
    "BlockVisitor",
    "FoundBlock",
    "every_blocks",
    "every_blocks_async",
    "filter_blocks",
    "filter_blocks_async",
    "find_all_blocks",
    "find_all_blocks_async",
    "map_blocks",
    "map_blocks_async",
    "reduce_blocks",
    "reduce_blocks_async",
    "some_blocks",
    "some_blocks_async",
    "visit_blocks",
    "visit_blocks_async",
]

A = TypeVar("A")
R = TypeVar("R")

BlockValue = str | Mapping[str, Any]
"""A block in a field value: its id string, or its record object (either shape)."""

BlockVisitor = Callable[[BlockValue, Path], object] | Callable[[BlockValue], object]
"""A ``visit_blocks`` callback, ``(block, path)`` or ``(block)``; its result is ignored."""

AsyncBlockVisitor = (
    Callable[[BlockValue, Path], Awaitable[object] | object]
    | Callable[[BlockValue], Awaitable[object] | object]
)
"""A ``visit_blocks_async`` callback (async, or plain)."""

BlockPredicate = Callable[[BlockValue, Path], bool] | Callable[[BlockValue], bool]
"""A test on blocks, ``(block, path) -> bool`` or ``(block) -> bool``."""

AsyncBlockPredicate = (
    Callable[[BlockValue, Path], Awaitable[bool] | bool]
    | Callable[[BlockValue], Awaitable[bool] | bool]
)
"""An async (or plain) test on blocks."""

BlockMapper = Callable[[BlockValue, Path], BlockValue] | Callable[[BlockValue], BlockValue]
"""A ``map_blocks`` callback: returns the block to put in the slot."""

AsyncBlockMapper = (
    Callable[[BlockValue, Path], Awaitable[BlockValue] | BlockValue]
    | Callable[[BlockValue], Awaitable[BlockValue] | BlockValue]
)
"""A ``map_blocks_async`` callback (async, or plain)."""

BlockReducer = Callable[[A, BlockValue, Path], A] | Callable[[A, BlockValue], A]
"""A ``reduce_blocks`` callback, ``(acc, block, path) -> acc`` or ``(acc, block) -> acc``."""

AsyncBlockReducer = (
    Callable[[A, BlockValue, Path], Awaitable[A] | A] | Callable[[A, BlockValue], Awaitable[A] | A]
)
"""A ``reduce_blocks_async`` callback (async, or plain)."""

FieldType = str | FieldSchema
"""A field type (``"rich_text"``...) or the field itself (its ``field_type`` is used)."""

ItemTypeOf = Callable[[Mapping[str, Any], Path], str]


class FoundBlock(NamedTuple):
    """A block found by ``find_all_blocks``, with its path from the field value.

    >>> block, path = FoundBlock("b1", (0,))
    >>> path
    (0,)
    """

    block: BlockValue
    path: Path


_DROP: Any = object()


@dataclass
class _Op:
    """What one helper does with each callback result (the traversal is shared).

    ``paths`` says whether the callback takes the path: if not, paths stay
    :class:`PathLink` chains and become tuples only for matches and errors.
    """

    schema: SchemaRepository
    kind: str  # visit | find | reduce | some | every | filter | map | blocks
    paths: bool = True
    acc: Any = None
    found: list[Any] = field(default_factory=list)
    item_type_of: ItemTypeOf | None = None

    @property
    def rebuild(self) -> bool:
        return self.kind in ("filter", "map")

    def model_of(self, block: Mapping[str, Any], at: PathLink) -> str:
        if self.item_type_of is not None:
            return self.item_type_of(block, at.path())
        with _located(at):
            model = item_type_id_of(block)
        if model is None:
            raise BlockRecordError("block has no item type", at.path())
        return model

    def pre_call(self, block: BlockValue, at: PathLink) -> Call | None:
        if self.kind == "map":
            return None
        if self.kind == "blocks":  # iter_blocks: every block, no callback
            self.found.append(block)
            return None
        path = at.path() if self.paths else None
        if self.kind == "reduce":
            return (self.acc, block, path)
        return (block, path)

    def pre_result(self, result: Any, block: BlockValue, at: PathLink) -> bool:
        """Use a pre-order callback's result; False drops the block (filter)."""
        if self.kind == "find" and result:
            self.found.append(FoundBlock(block, at.path()))
        elif self.kind == "reduce":
            self.acc = result
        elif self.kind == "some" and result:
            raise Stop(True)
        elif self.kind == "every" and not result:
            raise Stop(False)
        return self.kind != "filter" or bool(result)


@contextmanager
def _located(at: PathLink) -> Iterator[None]:
    """Put ``at`` in front of the path of a ``CmaError`` raised in the block (built lazily)."""
    try:
        yield
    except (BlockRecordError, SchemaError) as exc:
        raise type(exc)(exc.reason, (*at.path(), *exc.path)) from None


def _field_type(field_type: FieldType) -> str:
    return field_type.field_type if isinstance(field_type, FieldSchema) else field_type


def _block_fields(op: _Op, model: str, at: PathLink) -> tuple[FieldSchema, ...]:
    with _located(at):
        return tuple(f for f in op.schema.fields(model) if f.holds_blocks)


def _load(value: Any, at: PathLink) -> Document | None:
    try:
        doc: Document | None = load_document(value)
    except DastValidationError as exc:
        raise DastValidationError(exc.problems, source=format_path(at.path()) or None) from None
    return doc


def _is_block_node(node: Node) -> TypeIs[Block | InlineBlock]:
    return isinstance(node, (Block, InlineBlock))


def _walk_value(value: Any, field_type: str, op: _Op, at: PathLink) -> Walker[Any]:
    """Traverse one non-localized field value; return it rebuilt (or as is)."""
    if value is None or field_type not in BLOCK_FIELD_TYPES:
        return value
    if field_type == "single_block":
        got = yield Descend(_walk_block(value, op, at))
        return None if got is _DROP else got
    if field_type == "rich_text":
        if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
            raise BlockRecordError("a modular content value must be a list of blocks", at.path())
        out: list[Any] = []
        for index, block in enumerate(value):
            got = yield Descend(_walk_block(block, op, PathLink(at, (index,))))
            if got is not _DROP:
                out.append(got)
        if not op.rebuild or (len(out) == len(value) and all(map(_same, out, value))):
            return value
        return out
    return (yield Descend(_walk_document(value, op, at)))


def _same(a: Any, b: Any) -> bool:
    return a is b


def _walk_document(value: Any, op: _Op, at: PathLink) -> Walker[Any]:
    doc = _load(value, at)
    if doc is None:
        return value
    # Block nodes are leaves: their order is the same in the pre-order walks
    # (collect, filter) and the post-order one (map), so the k-th result is
    # the k-th block node's, and no walk needs every node's path.
    results: list[Any] = []
    changed = False
    for node, _parent, node_path in collect_nodes(doc.document, _is_block_node):
        item = node.item
        got = yield Descend(_walk_block(item, op, PathLink(at, ("document", *node_path, "item"))))
        results.append(got)
        changed = changed or got is not item
    if not op.rebuild or not changed:
        return value
    return _rebuild_document(value, doc, results)


def _rebuild_document(value: Any, doc: Document, results: Sequence[Any]) -> Any:
    """The document with the k-th block node's item replaced by ``results[k]`` (or dropped)."""
    mapped = iter(results)

    def replace(node: Node) -> Node:
        if not _is_block_node(node):
            return node
        got = next(mapped)
        if got is _DROP or got is node.item:
            return node
        return node.model_copy(update={"item": got})

    root = map_nodes(doc.document, replace)
    if any(got is _DROP for got in results):
        keep = iter([got is not _DROP for got in results])
        kept = filter_nodes(root, lambda node: not _is_block_node(node) or next(keep))
        if kept is None:
            return None
        root = kept
    new_doc = doc.model_copy(update={"document": root})
    return new_doc if isinstance(value, Document) else new_doc.to_json()


def _walk_block(block: Any, op: _Op, at: PathLink) -> Walker[Any]:
    """Traverse one block slot: pre-order call, nested fields, post-order call."""
    if not isinstance(block, (str, Mapping)):
        raise BlockRecordError(
            f"a block must be an id string or a record object, got {type(block).__name__}",
            at.path(),
        )
    call = op.pre_call(block, at)
    if call is not None and not op.pre_result((yield call), block, at):
        return _DROP
    new: Any = block
    if isinstance(block, Mapping):
        with _located(at):
            jsonapi = record_shape(block) == "jsonapi"
            attrs = attributes_of(block)
        changes: dict[str, Any] = {}
        for f in _block_fields(op, op.model_of(block, at), at):
            if f.api_key not in attrs:
                continue
            before = attrs[f.api_key]
            here = PathLink(at, ("attributes", f.api_key) if jsonapi else (f.api_key,))
            if f.localized and before is not None:
                if not isinstance(before, Mapping):
                    raise BlockRecordError("a localized value must be {locale: value}", here.path())
                after_locales: dict[str, Any] = {}
                for locale, local in before.items():
                    after_locales[locale] = yield Descend(
                        _walk_value(local, f.field_type, op, PathLink(here, (locale,)))
                    )
                changed = any(after_locales[k] is not v for k, v in before.items())
                after: Any = after_locales if changed else before
            else:
                after = yield Descend(_walk_value(before, f.field_type, op, here))
            if after is not before:
                changes[f.api_key] = after
        if changes and op.rebuild:
            new = with_attributes(block, changes)
    if op.kind == "map":
        new = yield (new, at.path() if op.paths else None)
        if not isinstance(new, (str, Mapping)):
            raise BlockRecordError(
                f"map_blocks: the mapper must return a block, got {type(new).__name__}", at.path()
            )
    return new


def _start(value: Any, field_type: FieldType, op: _Op, path: Path = ()) -> Walker[Any]:
    return _walk_value(value, _field_type(field_type), op, PathLink(None, path))


def _then(walk: Walker[Any], result: bool) -> Walker[bool]:
    """Run ``walk`` to its end, then return ``result`` (unless it stops early)."""
    yield Descend(walk)
    return result


def _plan(
    value: Any,
    field_type: FieldType,
    op: _Op,
    fn: Callable[..., Any],
    path: Path,
    then: bool | None,
) -> tuple[Walker[Any], Callable[..., Any]]:
    """The walk for ``op`` and the callback to drive it with (``op`` learns if it takes paths)."""
    call, op.paths = fit(fn, 3 if op.kind == "reduce" else 2)
    walk = _start(value, field_type, op, path)
    return (walk if then is None else _then(walk, then)), call


def _run(
    value: Any,
    field_type: FieldType,
    op: _Op,
    fn: Callable[..., Any],
    path: Path = (),
    then: bool | None = None,
) -> Any:
    """Walk ``value`` for ``op`` with the callback ``fn``; ``then`` is returned if it ends."""
    return drive(*_plan(value, field_type, op, fn, path, then))


async def _run_async(
    value: Any,
    field_type: FieldType,
    op: _Op,
    fn: Callable[..., Any],
    then: bool | None = None,
) -> Any:
    """Like ``_run``, awaiting ``fn``'s results."""
    return await drive_async(*_plan(value, field_type, op, fn, (), then))


# --- internal entry points (used by records and payload) -----------------------------------


def iter_blocks(
    value: Any, field_type: FieldType, schema: SchemaRepository, path: Path = ()
) -> list[BlockValue]:
    """Every block of a value in pre-order (internal helper, not exported)."""
    op = _Op(schema, "blocks", paths=False)
    drive(_start(value, field_type, op, path), _no_call)
    return op.found


def _no_call(*args: object) -> None:  # pragma: no cover - the "blocks" walk yields no call
    raise AssertionError("iter_blocks makes no callback call")


def map_blocks_at(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    mapper: BlockMapper,
    path: Path = (),
    item_type_of: ItemTypeOf | None = None,
) -> Any:
    """``map_blocks`` with a path prefix and an item type resolver (internal)."""
    op = _Op(schema, "map", item_type_of=item_type_of)
    return _run(value, field_type, op, mapper, path)


# --- public helpers -----------------------------------------------------------------------


def visit_blocks(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    visitor: BlockVisitor,
) -> None:
    """Call ``visitor(block, path)`` on every block, parents before their nested blocks.

    >>> from dast.cma.schema import SchemaRepository
    >>> seen = []
    >>> visit_blocks(["b1", "b2"], "rich_text", SchemaRepository([]),
    ...              lambda block, path: seen.append(block))
    >>> seen
    ['b1', 'b2']
    """
    _run(value, field_type, _Op(schema, "visit"), visitor)


async def visit_blocks_async(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    visitor: AsyncBlockVisitor,
) -> None:
    """Like ``visit_blocks``, awaiting the visitor.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository
    >>> async def show(block, path):
    ...     print(block, path)
    >>> asyncio.run(visit_blocks_async("b1", "single_block", SchemaRepository([]), show))
    b1 ()
    """
    await _run_async(value, field_type, _Op(schema, "visit"), visitor)


def map_blocks(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    mapper: BlockMapper,
) -> Any:
    """Rebuild the value bottom-up through ``mapper(block, path) -> block``.

    Nested blocks are mapped first: the mapper sees each block with its
    nested blocks already mapped, and what it returns is final (not walked
    again). Return the block itself to keep it. A structured text value comes
    back in the form it came in (dict or ``Document``).

    >>> from dast.cma.schema import SchemaRepository
    >>> map_blocks(["b1", "b2"], "rich_text", SchemaRepository([]),
    ...            lambda block, path: block.upper())
    ['B1', 'B2']
    """
    return _run(value, field_type, _Op(schema, "map"), mapper)


async def map_blocks_async(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    mapper: AsyncBlockMapper,
) -> Any:
    """Like ``map_blocks``, awaiting the mapper.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository
    >>> async def up(block, path):
    ...     return block.upper()
    >>> asyncio.run(map_blocks_async("b1", "single_block", SchemaRepository([]), up))
    'B1'
    """
    return await _run_async(value, field_type, _Op(schema, "map"), mapper)


def filter_blocks(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: BlockPredicate,
) -> Any:
    """Keep the blocks the predicate is true for, at any depth (pre-order).

    A rejected block goes with everything nested in it. A single block field
    left without its block becomes ``None``; in structured text the node
    goes, and a paragraph (or the whole document) left empty goes too (an
    emptied document gives ``None``, the empty field value).

    >>> from dast.cma.schema import SchemaRepository
    >>> filter_blocks(["b1", "b2"], "rich_text", SchemaRepository([]),
    ...               lambda block, path: block != "b1")
    ['b2']
    """
    return _run(value, field_type, _Op(schema, "filter"), predicate)


async def filter_blocks_async(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: AsyncBlockPredicate,
) -> Any:
    """Like ``filter_blocks``, awaiting the predicate.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository
    >>> async def no(block, path):
    ...     return False
    >>> asyncio.run(filter_blocks_async("b1", "single_block", SchemaRepository([]), no)) is None
    True
    """
    return await _run_async(value, field_type, _Op(schema, "filter"), predicate)


def find_all_blocks(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: BlockPredicate,
) -> list[FoundBlock]:
    """Every block the predicate is true for, with its path, in pre-order.

    >>> from dast.cma.schema import SchemaRepository
    >>> find_all_blocks(["b1", "b2"], "rich_text", SchemaRepository([]),
    ...                 lambda block, path: block == "b2")
    [FoundBlock(block='b2', path=(1,))]
    """
    op = _Op(schema, "find")
    _run(value, field_type, op, predicate)
    return op.found


async def find_all_blocks_async(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: AsyncBlockPredicate,
) -> list[FoundBlock]:
    """Like ``find_all_blocks``, awaiting the predicate.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository
    >>> async def yes(block, path):
    ...     return True
    >>> len(asyncio.run(find_all_blocks_async(["a", "b"], "rich_text",
    ...                                       SchemaRepository([]), yes)))
    2
    """
    op = _Op(schema, "find")
    await _run_async(value, field_type, op, predicate)
    return op.found


def reduce_blocks(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    reducer: BlockReducer[A],
    initial: A,
) -> A:
    """Fold every block, in pre-order, with ``reducer(acc, block, path) -> acc``.

    >>> from dast.cma.schema import SchemaRepository
    >>> reduce_blocks(["b1", "b2"], "rich_text", SchemaRepository([]),
    ...               lambda acc, block, path: acc + [block], [])
    ['b1', 'b2']
    """
    op = _Op(schema, "reduce", acc=initial)
    _run(value, field_type, op, reducer)
    return op.acc  # type: ignore[no-any-return]


async def reduce_blocks_async(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    reducer: AsyncBlockReducer[A],
    initial: A,
) -> A:
    """Like ``reduce_blocks``, awaiting the reducer.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository
    >>> async def count(acc, block, path):
    ...     return acc + 1
    >>> asyncio.run(reduce_blocks_async(["a", "b"], "rich_text", SchemaRepository([]), count, 0))
    2
    """
    op = _Op(schema, "reduce", acc=initial)
    await _run_async(value, field_type, op, reducer)
    return op.acc  # type: ignore[no-any-return]


def some_blocks(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: BlockPredicate,
) -> bool:
    """True if the predicate holds for at least one block (stops at the first).

    >>> from dast.cma.schema import SchemaRepository
    >>> some_blocks(["b1", "b2"], "rich_text", SchemaRepository([]),
    ...             lambda block, path: block == "b2")
    True
    """
    return bool(_run(value, field_type, _Op(schema, "some"), predicate, then=False))


async def some_blocks_async(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: AsyncBlockPredicate,
) -> bool:
    """Like ``some_blocks``, awaiting the predicate.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository
    >>> async def yes(block, path):
    ...     return True
    >>> asyncio.run(some_blocks_async([], "rich_text", SchemaRepository([]), yes))
    False
    """
    op = _Op(schema, "some")
    return bool(await _run_async(value, field_type, op, predicate, then=False))


def every_blocks(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: BlockPredicate,
) -> bool:
    """True if the predicate holds for every block (stops at the first that fails).

    >>> from dast.cma.schema import SchemaRepository
    >>> every_blocks(["b1", "b2"], "rich_text", SchemaRepository([]),
    ...              lambda block, path: isinstance(block, str))
    True
    """
    return bool(_run(value, field_type, _Op(schema, "every"), predicate, then=True))


async def every_blocks_async(
    value: Any,
    field_type: FieldType,
    schema: SchemaRepository,
    predicate: AsyncBlockPredicate,
) -> bool:
    """Like ``every_blocks``, awaiting the predicate.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository
    >>> async def no(block, path):
    ...     return False
    >>> asyncio.run(every_blocks_async(["a"], "rich_text", SchemaRepository([]), no))
    False
    """
    op = _Op(schema, "every")
    return bool(await _run_async(value, field_type, op, predicate, then=True))
