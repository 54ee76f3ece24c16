"""Walk, search and rewrite DAST trees (the upstream ``structured-text-utils`` walkers).

Every walker takes a ``Document``, any node, or DAST JSON (a document dict,
the CDA wrapper, or one node's dict; invalid JSON raises
``DastValidationError`` before anything is walked). A document is walked from
its root node. Callbacks are called as ``(node, parent, path)``: ``parent`` is
``None`` for the starting node and ``path`` is a tuple like ``("children", 0,
"children", 3)`` relative to it. A callback that takes just ``(node)``, like
a ``TypeIs`` guard ``is_span(node)``, is called with the node alone.

Walkers are iterative (no recursion limit) and never change their input.
Each has an ``_async`` twin that awaits the callback's result when it is
awaitable; both run the same traversal code (``dast._traverse``).

Cost: linear in the size of the tree, at any depth, for callbacks that take
no ``path`` (``(node)`` or ``(node, parent)``): paths are then built only for
the matches returned. A path is as long as its node's depth, so a callback
that takes ``path`` costs ``O(depth)`` more per node (quadratic on a chain
of 5,000 nested lists): leave ``path`` out when you do not need it.

>>> doc = {"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "paragraph", "children": [{"type": "span", "value": "hi"}]}]}}
>>> [path for _, _, path in collect_nodes(doc, lambda node, parent, path: True)]
[(), ('children', 0), ('children', 0, 'children', 0)]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, overload

from typing_extensions import Never, TypeIs, deprecated

from . import _traverse as t
from ._traverse import Match, WalkError
from .errors import DastValidationError, Path, Problem
from .nodes import Document, Node, Root

__all__ = [
    "AsyncMapper",
    "AsyncPredicate",
    "AsyncReducer",
    "AsyncVisitor",
    "MapResult",
    "Mapper",
    "Match",
    "Predicate",
    "Reducer",
    "Visitor",
    "WalkError",
    "collect_nodes",
    "collect_nodes_async",
    "every_node",
    "every_node_async",
    "filter_nodes",
    "filter_nodes_async",
    "find_first_node",
    "find_first_node_async",
    "for_each_node",
    "for_each_node_async",
    "map_nodes",
    "map_nodes_async",
    "reduce_nodes",
    "reduce_nodes_async",
    "some_node",
    "some_node_async",
]

S = TypeVar("S", bound=Node)
R = TypeVar("R")
A = TypeVar("A")

MapResult = Node | Sequence[Node] | None
"""What a mapper returns: a node (replace), a sequence (splat; empty drops) or None (drop)."""

Mapper = Callable[[Node, Node | None, Path], MapResult] | Callable[[Node], MapResult]
"""A ``map_nodes`` callback. Annotate it ``-> MapResult`` so mypy flags a missing ``return``."""

AsyncMapper = (
    Callable[[Node, Node | None, Path], Awaitable[MapResult] | MapResult]
    | Callable[[Node], Awaitable[MapResult] | MapResult]
)
"""A ``map_nodes_async`` callback (async, or plain)."""

_NoneMapper = Callable[[Node, Node | None, Path], None] | Callable[[Node], None]
_AsyncNoneMapper = (
    Callable[[Node, Node | None, Path], Awaitable[None] | None]
    | Callable[[Node], Awaitable[None] | None]
)

Predicate = Callable[[Node, Node | None, Path], bool] | Callable[[Node], bool]
"""A test on nodes, ``(node, parent, path) -> bool`` or ``(node) -> bool``."""

AsyncPredicate = (
    Callable[[Node, Node | None, Path], Awaitable[bool] | bool]
    | Callable[[Node], Awaitable[bool] | bool]
)
"""An async (or plain) test on nodes."""

Visitor = Callable[[Node, Node | None, Path], object] | Callable[[Node], object]
"""A ``for_each_node`` callback; what it returns is ignored (async ones are awaited)."""

AsyncVisitor = Visitor
"""A ``for_each_node_async`` callback: async, or plain."""

Reducer = Callable[[A, Node, Node | None, Path], A] | Callable[[A, Node], A]
"""A ``reduce_nodes`` callback, ``(acc, node, parent, path) -> acc``."""

AsyncReducer = (
    Callable[[A, Node, Node | None, Path], Awaitable[A] | A] | Callable[[A, Node], Awaitable[A] | A]
)
"""A ``reduce_nodes_async`` callback (async, or plain)."""

_Tree = Document | Node | Mapping[str, Any]
_GuardFull = Callable[[Node, Node | None, Path], TypeIs[S]]
_GuardNode = Callable[[Node], TypeIs[S]]


def _start(tree: object) -> Node:
    return t.load_tree(tree)[0]


def _run(
    walker: Callable[[Node, bool], t.Walker[R]],
    start: Node,
    fn: Callable[..., Any],
    arity: int = 3,
) -> R:
    """Drive ``walker`` from ``start`` with ``fn``; paths are built only if ``fn`` takes one."""
    call, paths = t.fit(fn, arity)
    return t.drive(walker(start, paths), call)


async def _run_async(
    walker: Callable[[Node, bool], t.Walker[R]],
    start: Node,
    fn: Callable[..., Any],
    arity: int = 3,
) -> R:
    """Like ``_run``, awaiting ``fn``'s results."""
    call, paths = t.fit(fn, arity)
    return await t.drive_async(walker(start, paths), call)


def _rewrap(doc: Document | None, start: Node, result: Node | None) -> Document | Node | None:
    """Put a walked root back into its document (the same document if unchanged)."""
    if doc is None or result is None:
        return result
    if result is start:
        return doc
    if not isinstance(result, Root):
        raise DastValidationError(
            [
                Problem(
                    (),
                    "invalid-root",
                    f"document must be a root node, found a {result.type} node after mapping",
                )
            ]
        )
    return doc.model_copy(update={"document": result})


# --- for_each_node ------------------------------------------------------------------------


def for_each_node(tree: _Tree, visitor: Visitor) -> None:
    """Call ``visitor(node, parent, path)`` on every node, in pre-order.

    >>> from dast.nodes import Paragraph, Span
    >>> for_each_node(Paragraph(children=(Span(value="a"),)),
    ...               lambda node, parent, path: print(node.type, path))
    paragraph ()
    span ('children', 0)
    """
    _run(t.for_each, _start(tree), visitor)


async def for_each_node_async(tree: _Tree, visitor: AsyncVisitor) -> None:
    """Like ``for_each_node``, awaiting the visitor's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def show(node, parent, path):
    ...     print(node.type)
    >>> asyncio.run(for_each_node_async(Span(value="a"), show))
    span
    """
    await _run_async(t.for_each, _start(tree), visitor)


# --- collect_nodes / find_first_node ------------------------------------------------------


@overload
def collect_nodes(tree: _Tree, predicate: _GuardFull[S]) -> list[Match[S]]: ...
@overload
def collect_nodes(tree: _Tree, predicate: _GuardNode[S]) -> list[Match[S]]: ...
@overload
def collect_nodes(tree: _Tree, predicate: Predicate) -> list[Match[Node]]: ...
def collect_nodes(tree: _Tree, predicate: Callable[..., bool]) -> list[Match[Any]]:
    """Every node the predicate is true for, in pre-order, as ``Match(node, parent, path)``.

    A ``TypeIs`` guard narrows the matches' node type.

    >>> from dast.nodes import Paragraph, Span
    >>> tree = Paragraph(children=(Span(value="a"), Span(value="b")))
    >>> [m.node.value for m in collect_nodes(tree, lambda n: isinstance(n, Span))]
    ['a', 'b']
    """
    return _run(t.collect, _start(tree), predicate)


@overload
async def collect_nodes_async(tree: _Tree, predicate: _GuardFull[S]) -> list[Match[S]]: ...
@overload
async def collect_nodes_async(tree: _Tree, predicate: _GuardNode[S]) -> list[Match[S]]: ...
@overload
async def collect_nodes_async(tree: _Tree, predicate: AsyncPredicate) -> list[Match[Node]]: ...
async def collect_nodes_async(
    tree: _Tree, predicate: Callable[..., Awaitable[bool] | bool]
) -> list[Match[Any]]:
    """Like ``collect_nodes``, awaiting the predicate's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def yes(node, parent, path):
    ...     return True
    >>> len(asyncio.run(collect_nodes_async(Span(value="a"), yes)))
    1
    """
    return await _run_async(t.collect, _start(tree), predicate)


@overload
def find_first_node(tree: _Tree, predicate: _GuardFull[S]) -> Match[S] | None: ...
@overload
def find_first_node(tree: _Tree, predicate: _GuardNode[S]) -> Match[S] | None: ...
@overload
def find_first_node(tree: _Tree, predicate: Predicate) -> Match[Node] | None: ...
def find_first_node(tree: _Tree, predicate: Callable[..., bool]) -> Match[Any] | None:
    """The first node in pre-order the predicate is true for, or ``None``.

    >>> from dast.nodes import Paragraph, Span
    >>> tree = Paragraph(children=(Span(value="a"), Span(value="b")))
    >>> find_first_node(tree, lambda n: isinstance(n, Span)).path
    ('children', 0)
    """
    return _run(t.find_first, _start(tree), predicate)


@overload
async def find_first_node_async(tree: _Tree, predicate: _GuardFull[S]) -> Match[S] | None: ...
@overload
async def find_first_node_async(tree: _Tree, predicate: _GuardNode[S]) -> Match[S] | None: ...
@overload
async def find_first_node_async(tree: _Tree, predicate: AsyncPredicate) -> Match[Node] | None: ...
async def find_first_node_async(
    tree: _Tree, predicate: Callable[..., Awaitable[bool] | bool]
) -> Match[Any] | None:
    """Like ``find_first_node``, awaiting the predicate's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def no(node, parent, path):
    ...     return False
    >>> asyncio.run(find_first_node_async(Span(value="a"), no)) is None
    True
    """
    return await _run_async(t.find_first, _start(tree), predicate)


# --- some_node / every_node ---------------------------------------------------------------


def some_node(tree: _Tree, predicate: Predicate) -> bool:
    """Whether the predicate is true for at least one node (stops at the first).

    >>> from dast.nodes import Span
    >>> some_node(Span(value="a"), lambda node, parent, path: node.type == "span")
    True
    """
    return _run(t.some, _start(tree), predicate)


async def some_node_async(tree: _Tree, predicate: AsyncPredicate) -> bool:
    """Like ``some_node``, awaiting the predicate's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def no(node, parent, path):
    ...     return False
    >>> asyncio.run(some_node_async(Span(value="a"), no))
    False
    """
    return await _run_async(t.some, _start(tree), predicate)


def every_node(tree: _Tree, predicate: Predicate) -> bool:
    """Whether the predicate is true for every node (stops at the first false).

    >>> from dast.nodes import Span
    >>> every_node(Span(value="a"), lambda node, parent, path: node.type == "span")
    True
    """
    return _run(t.every, _start(tree), predicate)


async def every_node_async(tree: _Tree, predicate: AsyncPredicate) -> bool:
    """Like ``every_node``, awaiting the predicate's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def yes(node, parent, path):
    ...     return True
    >>> asyncio.run(every_node_async(Span(value="a"), yes))
    True
    """
    return await _run_async(t.every, _start(tree), predicate)


# --- reduce_nodes -------------------------------------------------------------------------


def reduce_nodes(tree: _Tree, reducer: Reducer[A], initial: A) -> A:
    """Fold ``reducer(acc, node, parent, path)`` over every node in pre-order.

    >>> from dast.nodes import Paragraph, Span
    >>> tree = Paragraph(children=(Span(value="ab"), Span(value="c")))
    >>> reduce_nodes(tree, lambda acc, node: acc + len(getattr(node, "value", "")), 0)
    3
    """
    return _run(lambda start, paths: t.reduce_tree(start, initial, paths), _start(tree), reducer, 4)


async def reduce_nodes_async(tree: _Tree, reducer: AsyncReducer[A], initial: A) -> A:
    """Like ``reduce_nodes``, awaiting the reducer's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def count(acc, node, parent, path):
    ...     return acc + 1
    >>> asyncio.run(reduce_nodes_async(Span(value="a"), count, 0))
    1
    """
    return await _run_async(
        lambda start, paths: t.reduce_tree(start, initial, paths), _start(tree), reducer, 4
    )


# --- map_nodes ----------------------------------------------------------------------------


@overload
@deprecated("this mapper returns None for every node, dropping them all: forgot a `return`?")
def map_nodes(tree: _Tree, mapper: _NoneMapper) -> Never: ...
@overload
def map_nodes(tree: Document, mapper: Mapper) -> Document: ...
@overload
def map_nodes(tree: Node, mapper: Mapper) -> Node: ...
@overload
def map_nodes(tree: Mapping[str, Any], mapper: Mapper) -> Document | Node: ...
def map_nodes(tree: _Tree, mapper: Callable[..., MapResult]) -> Document | Node:
    """Rebuild the tree bottom-up through ``mapper(node, parent, path)``.

    Children are mapped first: the mapper sees each node with its children
    already mapped, its original parent and its path in the input. It returns
    a node (replace), a sequence of nodes (splat into the parent; an empty one
    drops the node) or ``None`` (drop). **A mapper that forgets to ``return``
    drops every node**: annotate it ``-> MapResult`` and mypy reports the
    missing return; one typed ``-> None`` hits a deprecated overload (shown
    with mypy's ``deprecated`` error code). For the starting node, ``None`` or a
    sequence raises ``WalkError``. A parent left empty, or holding a child it
    may not hold, raises ``DastValidationError`` with the path. Subtrees the
    mapper leaves alone are reused as they are; a ``Document`` in gives a
    ``Document`` out (the same one if nothing changed).

    >>> from dast.nodes import Paragraph, Span
    >>> def shout(node, parent, path):
    ...     return node.model_copy(update={"value": node.value.upper()}) if isinstance(
    ...         node, Span) else node
    >>> map_nodes(Paragraph(children=(Span(value="hi"),)), shout).children[0].value
    'HI'
    """
    start, doc = t.load_tree(tree)
    result = _run(t.map_tree, start, mapper)
    return _rewrap(doc, start, result)  # type: ignore[return-value]


@overload
@deprecated("this mapper returns None for every node, dropping them all: forgot a `return`?")
async def map_nodes_async(tree: _Tree, mapper: _AsyncNoneMapper) -> Never: ...
@overload
async def map_nodes_async(tree: Document, mapper: AsyncMapper) -> Document: ...
@overload
async def map_nodes_async(tree: Node, mapper: AsyncMapper) -> Node: ...
@overload
async def map_nodes_async(tree: Mapping[str, Any], mapper: AsyncMapper) -> Document | Node: ...
async def map_nodes_async(
    tree: _Tree, mapper: Callable[..., Awaitable[MapResult] | MapResult]
) -> Document | Node:
    """Like ``map_nodes``, awaiting the mapper's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def shout(node, parent, path):
    ...     return node.model_copy(update={"value": node.value.upper()})
    >>> asyncio.run(map_nodes_async(Span(value="hi"), shout)).value
    'HI'
    """
    start, doc = t.load_tree(tree)
    result = await _run_async(t.map_tree, start, mapper)
    return _rewrap(doc, start, result)  # type: ignore[return-value]


# --- filter_nodes -------------------------------------------------------------------------


@overload
def filter_nodes(tree: Document, predicate: Predicate) -> Document | None: ...
@overload
def filter_nodes(tree: Node, predicate: Predicate) -> Node | None: ...
@overload
def filter_nodes(tree: Mapping[str, Any], predicate: Predicate) -> Document | Node | None: ...
def filter_nodes(tree: _Tree, predicate: Predicate) -> Document | Node | None:
    """Keep the nodes the predicate is true for; never returns an invalid tree.

    The predicate runs in pre-order on the input's nodes; a node it rejects
    goes with its whole subtree, and a parent left with no children goes too,
    cascading up. If nothing is left (the starting node rejected or emptied)
    the result is ``None``, which for a document is the empty field value.

    >>> from dast.nodes import Paragraph, Span
    >>> tree = Paragraph(children=(Span(value="a"), Span(value="b")))
    >>> filter_nodes(tree, lambda n: getattr(n, "value", "") != "a").children
    (Span(type='span', value='b', marks=None),)
    >>> filter_nodes(tree, lambda n: n.type != "span") is None
    True
    """
    start, doc = t.load_tree(tree)
    return _rewrap(doc, start, _run(t.filter_tree, start, predicate))


@overload
async def filter_nodes_async(tree: Document, predicate: AsyncPredicate) -> Document | None: ...
@overload
async def filter_nodes_async(tree: Node, predicate: AsyncPredicate) -> Node | None: ...
@overload
async def filter_nodes_async(
    tree: Mapping[str, Any], predicate: AsyncPredicate
) -> Document | Node | None: ...
async def filter_nodes_async(tree: _Tree, predicate: AsyncPredicate) -> Document | Node | None:
    """Like ``filter_nodes``, awaiting the predicate's result on each node.

    >>> import asyncio
    >>> from dast.nodes import Span
    >>> async def no(node, parent, path):
    ...     return False
    >>> asyncio.run(filter_nodes_async(Span(value="a"), no)) is None
    True
    """
    start, doc = t.load_tree(tree)
    result = await _run_async(t.filter_tree, start, predicate)
    return _rewrap(doc, start, result)
