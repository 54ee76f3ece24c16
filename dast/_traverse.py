"""Traversal internals shared by the sync and async walkers.

Every walker is written once, as a generator that yields the arguments of
each callback call and receives the callback's result; :func:`drive` runs it
with a plain callback, :func:`drive_async` awaits the callback's result. The
generators keep explicit stacks, so depth is limited by memory only.

>>> from dast.nodes import Paragraph, Span
>>> tree = Paragraph(children=(Span(value="a"), Span(value="b")))
>>> drive(collect(tree), lambda node, parent, path: node.type == "span")[1].path
('children', 1)
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field, TypeAdapter, ValidationError
from typing_extensions import NamedTuple

from . import definitions
from .errors import DastError, DastValidationError, Path, Problem, format_path
from .load import build_deep_node, load_document, pydantic_problems
from .nodes import (  # the node classes are used by the doctests too
    NODE_CLASS_BY_TYPE,
    Block,
    Blockquote,  # noqa: F401
    Code,  # noqa: F401
    Document,
    Heading,  # noqa: F401
    InlineBlock,  # noqa: F401
    InlineItem,  # noqa: F401
    ItemLink,  # noqa: F401
    Link,  # noqa: F401
    List,  # noqa: F401
    ListItem,  # noqa: F401
    Node,
    Paragraph,  # noqa: F401
    Root,  # noqa: F401
    Span,  # noqa: F401
    ThematicBreak,  # noqa: F401
)

__all__ = [
    "ALLOWED_CHILDREN",
    "NODE_CLASSES",
    "Call",
    "Match",
    "WalkError",
    "adapt",
    "children_of",
    "collect",
    "drive",
    "drive_async",
    "every",
    "filter_tree",
    "find_first",
    "for_each",
    "load_tree",
    "map_tree",
    "node_problems",
    "pre_order",
    "reduce_tree",
    "some",
]

N_co = TypeVar("N_co", bound=Node, covariant=True)
R = TypeVar("R")
A = TypeVar("A")

Call = tuple[Any, ...]
"""The positional arguments of one callback call."""

NODE_CLASSES: tuple[type[Node], ...] = tuple(NODE_CLASS_BY_TYPE.values())
"""Every node class."""

_NODE_SET: frozenset[type[Node]] = frozenset(NODE_CLASSES)
_CLASS_OF: Mapping[str, type[Node]] = NODE_CLASS_BY_TYPE

ALLOWED_CHILDREN: Mapping[type[Node], frozenset[type[Node]]] = {
    _CLASS_OF[parent]: frozenset(_CLASS_OF[kid] for kid in kids)
    for parent, kids in definitions.ALLOWED_CHILDREN.items()
    if kids
}
"""The node classes each parent class may hold (the schema's children column)."""

_EMPTY: tuple[Node, ...] = ()


class WalkError(DastError, TypeError):
    """A walker got no tree to walk, or a callback returned something it cannot use.

    >>> raise WalkError("the mapper returned None for the root")
    Traceback (most recent call last):
    ...
    dast.walk.WalkError: the mapper returned None for the root
    """

    __module__ = "dast.walk"


class Match(NamedTuple, Generic[N_co]):
    """A node found by a walker, with its parent and its path from the root.

    >>> from dast.nodes import Span
    >>> node, parent, path = Match(Span(value="x"), None, ())
    >>> node.value
    'x'
    """

    node: N_co
    parent: Node | None
    path: Path


def children_of(node: Node) -> tuple[Node, ...]:
    """The children of a node (``()`` for leaves).

    >>> children_of(Span(value="x"))
    ()
    """
    if node.__class__ in ALLOWED_CHILDREN:
        return node.children  # type: ignore[union-attr]
    return _EMPTY


# --- input --------------------------------------------------------------------------------

_NODE_ADAPTER: TypeAdapter[Node] = TypeAdapter(Annotated[Node, Field(discriminator="type")])


def load_tree(tree: object) -> tuple[Node, Document | None]:
    """The node to start from, and the ``Document`` it came in (if any).

    Accepts a ``Document``, any node, DAST JSON (a document, the CDA wrapper
    or a single node's dict). Invalid JSON raises ``DastValidationError``
    before anything is walked.

    >>> load_tree({"type": "span", "value": "x"})
    (Span(type='span', value='x', marks=None), None)
    """
    if isinstance(tree, Document):
        return tree.document, tree
    if isinstance(tree, NODE_CLASSES):
        return tree, None
    if tree is None:
        raise WalkError("nothing to walk: the document is None (an empty field)")
    if isinstance(tree, Mapping):
        if "document" not in tree and isinstance(tree.get("type"), str):
            return _load_node(tree), None
        doc = load_document(tree)
        if doc is None:
            raise WalkError("nothing to walk: the document is None (an empty field)")
        return doc.document, doc
    raise WalkError(
        f"expected a Document, a DAST node or a DAST JSON dict, got {type(tree).__name__}"
    )


def _load_node(data: Mapping[str, Any]) -> Node:
    """Validate a JSON node dict into its node model."""
    try:
        return _NODE_ADAPTER.validate_python(data)
    except ValidationError:
        problems = node_problems(data)
        if problems:
            raise DastValidationError(problems) from None
    # Valid for the validator: pydantic-core gave up on its depth.
    try:
        return build_deep_node(data)
    except ValidationError as exc:  # defensive: the model refuses what the validator allows
        raise DastValidationError(pydantic_problems(exc)) from None


# Where ``node_problems`` puts a lone node so the validator can check it.
_WRAP_PATH: Mapping[str, Path] = {
    "root": (),
    "listItem": ("children", 0, "children", 0),
    **{t: ("children", 0, "children", 0) for t in definitions.INLINE_NODE_TYPES},
}


def node_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of one JSON node (not a document), paths relative to it.

    The node is set in the smallest valid document around it and checked by
    ``dast.validate``.

    >>> [(p.path, p.code) for p in node_problems({"type": "heading", "level": 9, "children": [{}]})]
    [(('level',), 'heading-level'), (('children', 0, 'type'), 'missing-type')]
    """
    from .validate import validate  # validate imports load, which walkers use too

    node_type = data.get("type")
    prefix = _WRAP_PATH.get(node_type, ("children", 0)) if isinstance(node_type, str) else ()
    wrapped: Any = data
    if len(prefix) == 4:
        container = (
            {"type": "list", "style": "bulleted"}
            if node_type == "listItem"
            else {"type": "paragraph"}
        )
        wrapped = {"type": "root", "children": [{**container, "children": [data]}]}
    elif len(prefix) == 2:
        wrapped = {"type": "root", "children": [data]}
    problems = validate({"schema": "dast", "document": wrapped}).problems
    cut = len(prefix)
    return [
        Problem(p.path[cut:], p.code, p.message) if p.path[:cut] == prefix else p for p in problems
    ]


# --- callbacks ----------------------------------------------------------------------------


def adapt(fn: Callable[..., R], arity: int) -> Callable[..., R]:
    """Let a callback that takes fewer positional arguments be called with ``arity``.

    A guard ``is_span(node)`` then works where ``(node, parent, path)`` is passed.

    >>> adapt(lambda node: node, 3)("n", None, ())
    'n'
    """
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins have no signature: call as is
        return fn
    takes = 0
    for param in signature.parameters.values():
        if param.kind is param.VAR_POSITIONAL:
            return fn
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            takes += 1
    if takes >= arity or takes == 0:
        return fn

    def call(*args: Any) -> R:
        return fn(*args[:takes])

    return call


def drive(walker: Generator[Call, Any, R], fn: Callable[..., Any]) -> R:
    """Run a walker generator, calling ``fn`` for each call it yields.

    >>> drive(some(Span(value="x")), lambda node, parent, path: True)
    True
    """
    send = walker.send
    try:
        call = next(walker)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    while True:
        result = fn(*call)
        try:
            call = send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


async def drive_async(
    walker: Generator[Call, Any, R], fn: Callable[..., Awaitable[Any] | Any]
) -> R:
    """Run a walker generator, awaiting ``fn``'s result when it is awaitable.

    >>> import asyncio
    >>> async def yes(node, parent, path):
    ...     return True
    >>> asyncio.run(drive_async(some(Span(value="x")), yes))
    True
    """
    send = walker.send
    isawaitable = inspect.isawaitable
    try:
        call = next(walker)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    while True:
        result = fn(*call)
        if isawaitable(result):
            result = await result
        try:
            call = send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


# --- pre-order walkers --------------------------------------------------------------------


def pre_order(start: Node) -> Iterator[tuple[Node, Node | None, Path]]:
    """Every node with its parent and path, parents before children.

    >>> [path for _, _, path in pre_order(Paragraph(children=(Span(value="a"),)))]
    [(), ('children', 0)]
    """
    yield (start, None, ())
    parents = ALLOWED_CHILDREN
    if start.__class__ not in parents:
        return
    # The path of the innermost open parent is kept in one list (``trail``),
    # not in every frame, so memory stays linear in the depth; ``here`` caches
    # it as a tuple until the walk leaves that parent.
    trail: list[str | int] = []
    here: Path | None = ()
    stack: list[list[Any]] = [[start, start.children, 0]]  # type: ignore[union-attr]
    while stack:
        frame = stack[-1]
        kids = frame[1]
        i = frame[2]
        if i == len(kids):
            stack.pop()
            del trail[-2:]
            here = None
            continue
        frame[2] = i + 1
        child = kids[i]
        if here is None:
            here = tuple(trail)
        path = here + ("children", i)  # noqa: RUF005 (one copy: faster)
        yield (child, frame[0], path)
        if child.__class__ in parents:
            trail += ("children", i)
            here = path
            stack.append([child, child.children, 0])


def for_each(start: Node) -> Generator[Call, object, None]:
    """Yield a call for every node, in pre-order.

    >>> drive(for_each(Span(value="x")), lambda node, parent, path: print(node.type, path))
    span ()
    """
    yield from pre_order(start)


def collect(start: Node) -> Generator[Call, object, list[Match[Node]]]:
    """Every node for which the callback is true, in pre-order.

    >>> len(drive(collect(Span(value="x")), lambda node, parent, path: False))
    0
    """
    found: list[Match[Node]] = []
    for visit in pre_order(start):
        if (yield visit):
            found.append(Match(*visit))
    return found


def find_first(start: Node) -> Generator[Call, object, Match[Node] | None]:
    """The first node, in pre-order, for which the callback is true.

    >>> drive(find_first(Span(value="x")), lambda node, parent, path: True).path
    ()
    """
    for visit in pre_order(start):
        if (yield visit):
            return Match(*visit)
    return None


def some(start: Node) -> Generator[Call, object, bool]:
    """Whether the callback is true for some node (stops at the first).

    >>> drive(some(Span(value="x")), lambda node, parent, path: False)
    False
    """
    for visit in pre_order(start):
        if (yield visit):
            return True
    return False


def every(start: Node) -> Generator[Call, object, bool]:
    """Whether the callback is true for every node (stops at the first false).

    >>> drive(every(Span(value="x")), lambda node, parent, path: True)
    True
    """
    for visit in pre_order(start):
        if not (yield visit):
            return False
    return True


def reduce_tree(start: Node, initial: A) -> Generator[Call, Any, A]:
    """Fold the callback over every node in pre-order: ``acc = fn(acc, node, parent, path)``.

    >>> drive(reduce_tree(Span(value="x"), 0), lambda acc, node, parent, path: acc + 1)
    1
    """
    acc = initial
    for node, parent, path in pre_order(start):
        acc = yield (acc, node, parent, path)
    return acc


# --- rebuilding walkers -------------------------------------------------------------------


def _check_children(parent: Node, kids: list[Node], path: Path, doing: str) -> None:
    """Refuse a rebuilt parent left empty or holding a child it may not hold."""
    if not kids:
        message = f"a {parent.type} node needs at least one child, found none after {doing}"
        raise DastValidationError([Problem((*path, "children"), "empty-children", message)])
    allowed = ALLOWED_CHILDREN[parent.__class__]
    problems: list[Problem] = []
    for i, kid in enumerate(kids):
        if kid.__class__ in allowed:
            continue
        if kid.__class__ is Block:
            code, message = "block-not-at-root", "a block can only be a direct child of the root"
        else:
            names = ", ".join(sorted(definitions.ALLOWED_CHILDREN[parent.type]))
            code = "forbidden-child"
            message = f"a {parent.type} cannot contain a {kid.type} node (allowed: {names})"
        problems.append(Problem((*path, "children", i), code, f"{message}, found after {doing}"))
    if problems:
        raise DastValidationError(problems)


_new = object.__new__
_set = object.__setattr__


def _rebuild(node: Node, kids: list[Node]) -> Node:
    """A copy of ``node`` with new children (already checked).

    What ``node.model_copy(update={"children": ...})`` does, minus its
    generic overhead: this runs once per changed parent.
    """
    fields = node.__dict__.copy()
    fields["children"] = tuple(kids)
    new = _new(node.__class__)
    _set(new, "__dict__", fields)
    _set(new, "__pydantic_fields_set__", node.__pydantic_fields_set__.copy())
    _set(new, "__pydantic_extra__", None)
    _set(new, "__pydantic_private__", None)
    return new


def _describe(value: object) -> str:
    return type(value).__name__


def _take(out: list[Node], result: object, path: Path) -> None:
    """Add a mapper's result (node, sequence of nodes, or None) to a child list."""
    if result.__class__ in _NODE_SET or isinstance(result, NODE_CLASSES):
        out.append(result)
    elif result is None:
        return
    elif isinstance(result, Sequence) and not isinstance(result, (str, bytes)):
        for i, item in enumerate(result):
            if item.__class__ not in _NODE_SET and not isinstance(item, NODE_CLASSES):
                raise WalkError(
                    f"the mapper returned a sequence holding a {_describe(item)} "
                    f"(at index {i}) for the node at {_where(path)}: expected nodes"
                )
            out.append(item)
    else:
        raise WalkError(
            f"the mapper returned a {_describe(result)} for the node at {_where(path)}: "
            "expected a node, a sequence of nodes, or None"
        )


def _where(path: Path) -> str:
    return format_path(path) or "the root"


def _root_result(result: object) -> Node:
    """The mapper's result for the starting node, which must be a single node."""
    if isinstance(result, NODE_CLASSES):
        return result
    if result is None:
        raise WalkError(
            "the mapper returned None for the root node, which would drop the whole tree; "
            "a mapper that forgets to `return` drops every node: return the node to keep it"
        )
    if isinstance(result, Sequence) and not isinstance(result, (str, bytes)):
        raise WalkError(
            f"the mapper returned a sequence of {len(result)} item(s) for the root node; "
            "the root must map to exactly one node"
        )
    raise WalkError(f"the mapper returned a {_describe(result)} for the root node: expected a node")


def map_tree(start: Node) -> Generator[Call, object, Node]:
    """Map every node bottom-up; unchanged subtrees are reused, not rebuilt.

    The callback sees each node with its children already mapped, its
    original parent, and its path in the input tree.

    >>> drive(map_tree(Span(value="x")), lambda node, parent, path: Span(value="y")).value
    'y'
    """
    parents = ALLOWED_CHILDREN
    if start.__class__ not in parents:
        return _root_result((yield (start, None, ())))
    node_set = _NODE_SET
    trail: list[str | int] = []  # the path of the innermost open parent
    here: Path | None = ()  # the same as a tuple, built when first needed
    # frame: [node, parent, children, next index, new children (None while unchanged)]
    stack: list[list[Any]] = [[start, None, start.children, 0, None]]  # type: ignore[union-attr]
    while True:
        frame = stack[-1]
        node = frame[0]
        kids = frame[2]
        i = frame[3]
        count = len(kids)
        descended = False
        while i < count:
            child = kids[i]
            if child.__class__ in parents:
                frame[3] = i + 1
                trail += ("children", i)
                here = None
                stack.append([child, node, child.children, 0, None])
                descended = True
                break
            if here is None:
                here = tuple(trail)
            result = yield (child, node, here + ("children", i))  # noqa: RUF005
            out = frame[4]
            if result is child:
                if out is not None:
                    out.append(child)
            else:
                if out is None:
                    out = frame[4] = list(kids[:i])
                if result.__class__ in node_set:
                    out.append(result)
                else:
                    _take(out, result, (*trail, "children", i))
            i += 1
        if descended:
            continue
        stack.pop()
        path = tuple(trail) if here is None else here
        out = frame[4]
        if out is not None:
            _check_children(node, out, path, "mapping")
            node = _rebuild(node, out)
        result = yield (node, frame[1], path)
        if not stack:
            return _root_result(result)
        del trail[-2:]
        here = None
        up = stack[-1]
        original = frame[0]
        out = up[4]
        if result is original:
            if out is not None:
                out.append(original)
        else:
            if out is None:
                out = up[4] = list(up[2][: up[3] - 1])
            if result.__class__ in node_set:
                out.append(result)
            else:
                _take(out, result, path)


def filter_tree(start: Node) -> Generator[Call, object, Node | None]:
    """Keep the nodes the callback is true for; drop the others with their subtrees.

    The callback runs in pre-order on the input's nodes. A parent left with no
    children is dropped too (cascading); ``None`` if nothing is left.

    >>> drive(filter_tree(Span(value="x")), lambda node, parent, path: False) is None
    True
    """
    if not (yield (start, None, ())):
        return None
    parents = ALLOWED_CHILDREN
    if start.__class__ not in parents:
        return start
    trail: list[str | int] = []  # the path of the innermost open parent
    here: Path | None = ()  # the same as a tuple, built when first needed
    # frame: [node, children, next index, kept children (None while all kept)]
    stack: list[list[Any]] = [[start, start.children, 0, None]]  # type: ignore[union-attr]
    while True:
        frame = stack[-1]
        node = frame[0]
        kids = frame[1]
        i = frame[2]
        count = len(kids)
        descended = False
        while i < count:
            child = kids[i]
            if here is None:
                here = tuple(trail)
            path = here + ("children", i)  # noqa: RUF005 (one copy: faster)
            keep = yield (child, node, path)
            if keep:
                if child.__class__ in parents:
                    frame[2] = i + 1
                    trail += ("children", i)
                    here = path
                    stack.append([child, child.children, 0, None])
                    descended = True
                    break
                if frame[3] is not None:
                    frame[3].append(child)
            elif frame[3] is None:
                frame[3] = list(kids[:i])
            i += 1
        if descended:
            continue
        stack.pop()
        out = frame[3]
        kept: Node | None = node
        if out is not None:
            kept = _rebuild(node, out) if out else None
        if not stack:
            return kept
        del trail[-2:]
        here = None
        up = stack[-1]
        out = up[3]
        if kept is node:
            if out is not None:
                out.append(node)
        else:
            if out is None:
                out = up[3] = list(up[1][: up[2] - 1])
            if kept is not None:
                out.append(kept)
