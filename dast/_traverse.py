"""The traversal engine: one generator protocol, one sync and one async driver.

Every walker of the package (``dast.walk`` and the block walkers of
``dast.cma``) is written once, as a generator, and run by :func:`drive`
(plain callbacks) or :func:`drive_async` (awaits results that are
awaitable). The generator yields either

- a tuple: the positional arguments of one callback call; the callback's
  result is sent back;
- a :class:`Descend`: a sub-walker to run on the driver's explicit stack;
  what it returns is sent back;

and may raise :class:`Stop` to end the whole walk with a value. Nothing
recurses on the Python stack, so depth is limited by memory only.

:func:`iter_nodes` is the plain pre-order iterator over nodes, and
:func:`iter_json_nodes` the one over DAST JSON dicts; use them instead of a
hand-rolled ``stack.pop()`` loop.

Paths. A node's path is a tuple as long as its depth, so building one for
every node of a document nested ``d`` levels deep costs ``O(d**2)``. The
walkers build paths only when the callback takes a ``path`` parameter
(:func:`fit` reads its arity) and, for matches returned to the caller, only
for those; a walk whose callback ignores paths is linear in time and memory
at any depth. Paths of siblings share their parent's prefix tuple. The block
walkers of ``dast.cma`` keep their paths as :class:`PathLink` chains, turned
into tuples on demand.

>>> from dast.nodes import Paragraph, Span
>>> tree = Paragraph(children=(Span(value="a"), Span(value="b")))
>>> drive(collect(tree, True), lambda node, parent, path: node.type == "span")[1].path
('children', 1)
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping, Sequence
from functools import partial
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
from .validate import node_problems

__all__ = [
    "ALLOWED_CHILDREN",
    "NODE_CLASSES",
    "Call",
    "Descend",
    "Match",
    "PathLink",
    "Stop",
    "WalkError",
    "Walker",
    "children_of",
    "collect",
    "drive",
    "drive_async",
    "every",
    "filter_tree",
    "find_first",
    "fit",
    "for_each",
    "iter_json_nodes",
    "iter_nodes",
    "iter_tree",
    "load_tree",
    "map_tree",
    "reduce_tree",
    "some",
]

N_co = TypeVar("N_co", bound=Node, covariant=True)
R = TypeVar("R")
A = TypeVar("A")
T = TypeVar("T")

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


# --- the protocol and the drivers ---------------------------------------------------------

Call = tuple[Any, ...]
"""What a walker yields to have the callback called: its positional arguments."""


class Descend:
    """What a walker yields to run a sub-walker; the sub-walker's result is sent back.

    >>> def inner():
    ...     return (yield (2,))
    >>> def outer():
    ...     return (yield Descend(inner())) + 1
    >>> drive(outer(), lambda x: x * 10)
    21
    """

    __slots__ = ("walker",)

    def __init__(self, walker: Walker[Any]) -> None:
        self.walker = walker


class Stop(Exception):
    """Raised inside a walker to end the whole walk at once with ``value``.

    >>> def first():
    ...     yield (1,)
    ...     raise Stop("early")
    >>> drive(first(), lambda x: None)
    'early'
    """

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


Walker = Generator["Call | Descend", Any, R]
"""A walker generator returning ``R``."""


def drive(walker: Walker[R], fn: Callable[..., Any]) -> R:
    """Run a walker, calling ``fn(*call)`` for each call it yields.

    Sub-walkers (:class:`Descend`) run on an explicit stack: nesting depth
    is limited by memory only.

    >>> def count_down(n):
    ...     if n:
    ...         below = yield Descend(count_down(n - 1))
    ...         return (yield (n, below))
    ...     return 0
    >>> drive(count_down(3000), lambda n, below: n + below)
    4501500
    """
    stack: list[Walker[Any]] = [walker]
    send = walker.send
    value: Any = None
    request: Any
    try:
        while True:
            try:
                request = send(value)
            except StopIteration as done:
                stack.pop()
                if not stack:
                    return done.value  # type: ignore[no-any-return]
                send = stack[-1].send
                value = done.value
                continue
            if request.__class__ is Descend:
                stack.append(request.walker)
                send = request.walker.send
                value = None
                continue
            value = fn(*request)
    except Stop as stop:
        return stop.value  # type: ignore[no-any-return]
    finally:
        for gen in reversed(stack):
            gen.close()


async def drive_async(walker: Walker[R], fn: Callable[..., Awaitable[Any] | Any]) -> R:
    """Like :func:`drive`, awaiting ``fn``'s result when it is awaitable.

    >>> import asyncio
    >>> async def ten(x):
    ...     return x * 10
    >>> def one():
    ...     return (yield (2,))
    >>> asyncio.run(drive_async(one(), ten))
    20
    """
    stack: list[Walker[Any]] = [walker]
    send = walker.send
    isawaitable = inspect.isawaitable
    value: Any = None
    request: Any
    try:
        while True:
            try:
                request = send(value)
            except StopIteration as done:
                stack.pop()
                if not stack:
                    return done.value  # type: ignore[no-any-return]
                send = stack[-1].send
                value = done.value
                continue
            if request.__class__ is Descend:
                stack.append(request.walker)
                send = request.walker.send
                value = None
                continue
            value = fn(*request)
            if isawaitable(value):
                value = await value
    except Stop as stop:
        return stop.value  # type: ignore[no-any-return]
    finally:
        for gen in reversed(stack):
            gen.close()


def fit(fn: Callable[..., R], arity: int) -> tuple[Callable[..., R], bool]:
    """``fn`` made callable with ``arity`` arguments, and whether it takes the last one.

    A callback that takes fewer positional arguments is called with the
    first ones only: a guard ``is_span(node)`` works where ``(node, parent,
    path)`` is passed. The flag says whether the last argument (the path)
    is used at all, so walkers build paths only for callbacks that take them.

    >>> call, wants_path = fit(lambda node: node, 3)
    >>> call("n", None, ()), wants_path
    ('n', False)
    >>> fit(print, 3)[1]
    True
    """
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins have no signature: call as is
        return fn, True
    takes = 0
    for param in signature.parameters.values():
        if param.kind is param.VAR_POSITIONAL:
            return fn, True
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            takes += 1
    if takes >= arity or takes == 0:
        return fn, True

    def call(*args: Any) -> R:
        return fn(*args[:takes])

    return call, False


# --- paths --------------------------------------------------------------------------------


class PathLink:
    """A path kept as a chain of segments, each link sharing its parent's.

    Extending one is ``O(1)``; :meth:`path` builds the tuple (``O(depth)``,
    then cached). The block walkers of ``dast.cma`` keep these and build a
    tuple only for a callback that takes the path, a match or an error.

    >>> top = PathLink(None, (0, "attributes"))
    >>> PathLink(top, ("cards", 1)).path()
    (0, 'attributes', 'cards', 1)
    """

    __slots__ = ("_path", "tail", "up")

    def __init__(self, up: PathLink | None, tail: Path) -> None:
        self.up = up
        self.tail = tail
        self._path: Path | None = None if up is not None else tail

    def path(self) -> Path:
        """The whole path, from the first link, as a tuple.

        >>> PathLink(None, ("title",)).path()
        ('title',)
        """
        if self._path is not None:
            return self._path
        chain: list[PathLink] = []
        link: PathLink | None = self
        known: Path = ()
        while link is not None:
            if link._path is not None:
                known = link._path
                break
            chain.append(link)
            link = link.up
        parts = list(known)
        for item in reversed(chain):
            parts += item.tail
        self._path = tuple(parts)
        return self._path


# --- iterators ----------------------------------------------------------------------------


def _pre_order(
    start: Node, trail: list[str | int], paths: bool
) -> Iterator[tuple[Node, Node | None, Path | None, int]]:
    """``(node, parent, path, index)`` for every node, parents before children.

    ``path`` is ``None`` unless ``paths``; while a child is being yielded,
    ``trail`` holds its parent's path and ``index`` its index, so a caller
    can build the path of just the nodes it keeps. The starting node has
    path ``()`` and index ``-1``.
    """
    yield (start, None, (), -1)
    parents = ALLOWED_CHILDREN
    if start.__class__ not in parents:
        return
    # ``trail`` is the one copy of the innermost open parent's path (memory
    # stays linear in the depth); ``here`` caches it as a tuple, shared by
    # that parent's children, until the walk leaves the parent.
    here: Path | None = ()
    path: Path | None = None
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
        if paths:
            if here is None:
                here = tuple(trail)
            path = here + ("children", i)  # noqa: RUF005 (one copy: faster)
        yield (child, frame[0], path, i)
        if child.__class__ in parents:
            trail += ("children", i)
            here = path
            stack.append([child, child.children, 0])


def _path_at(trail: list[str | int], index: int) -> Path:
    """The path of the node ``_pre_order`` is yielding (when it built none)."""
    if index < 0:
        return ()
    return (*trail, "children", index)


def iter_nodes(start: Node) -> Iterator[tuple[Node, Node | None, Path]]:
    """Every node under ``start`` (itself first) with its parent and path, in pre-order.

    Iterative: any depth works. Each path is built once, from its parent's,
    so a tree nested ``d`` levels deep costs ``O(d**2)`` in path tuples; use
    a walker with a callback that takes no ``path`` when only nodes matter.

    >>> [path for _, _, path in iter_nodes(Paragraph(children=(Span(value="a"),)))]
    [(), ('children', 0)]
    """
    for node, parent, path, _ in _pre_order(start, [], True):
        yield node, parent, path  # type: ignore[misc]


def iter_tree(
    root: T, children: Callable[[T], Sequence[T]]
) -> Iterator[tuple[T, T | None, int, int, bool]]:
    """``(item, parent, index, depth, last)`` for every item of any tree, in pre-order.

    ``children(item)`` is called once per item, before the item is yielded
    (it may finish the item, e.g. set its label). The root has parent
    ``None``, index ``-1``, depth ``0`` and ``last`` true; ``last`` says
    whether an item is its parent's last child. Iterative: any depth works.
    Renderers keep one prefix per depth (``prefixes[depth - 1]`` is the
    parent's) instead of a stack loop of their own.

    >>> tree = {"a": ["b", "c"], "b": ["d"]}
    >>> steps = iter_tree("a", lambda key: tree.get(key, []))
    >>> [(item, depth, last) for item, _, _, depth, last in steps]
    [('a', 0, True), ('b', 1, False), ('d', 2, True), ('c', 1, True)]
    """
    kids = children(root)
    yield (root, None, -1, 0, True)
    # frame: [item, its children, next index]
    stack: list[list[Any]] = [[root, kids, 0]] if kids else []
    while stack:
        frame = stack[-1]
        kids = frame[1]
        i = frame[2]
        count = len(kids)
        if i == count:
            stack.pop()
            continue
        frame[2] = i + 1
        child = kids[i]
        grandkids = children(child)
        yield (child, frame[0], i, len(stack), i == count - 1)
        if grandkids:
            stack.append([child, grandkids, 0])


def iter_json_nodes(data: Mapping[str, object]) -> Iterator[Mapping[str, object]]:
    """Every node dict of DAST JSON under ``data`` (itself first), in pre-order.

    Follows ``children`` lists; entries that are not dicts are skipped (the
    validator reports them). Iterative: any depth works.

    >>> tree = {"type": "paragraph", "children": [{"type": "span", "value": "a"}, 3]}
    >>> [node["type"] for node in iter_json_nodes(tree)]
    ['paragraph', 'span']
    """
    stack: list[Mapping[str, object]] = [data]
    while stack:
        node = stack.pop()
        yield node
        kids = node.get("children")
        if isinstance(kids, list) and kids:
            stack.extend(kid for kid in reversed(kids) if isinstance(kid, Mapping))


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


# --- pre-order walkers --------------------------------------------------------------------


def for_each(start: Node, paths: bool) -> Walker[None]:
    """Yield a call ``(node, parent, path)`` for every node, in pre-order.

    ``path`` is ``None`` unless ``paths`` (so for a callback that takes none).

    >>> drive(for_each(Span(value="x"), True), lambda node, parent, path: print(node.type, path))
    span ()
    """
    for node, parent, path, _ in _pre_order(start, [], paths):
        yield (node, parent, path)


def collect(start: Node, paths: bool) -> Walker[list[Match[Node]]]:
    """Every node for which the callback is true, in pre-order.

    >>> len(drive(collect(Span(value="x"), False), lambda node, parent, path: False))
    0
    """
    found: list[Match[Node]] = []
    trail: list[str | int] = []
    for node, parent, path, index in _pre_order(start, trail, paths):
        if (yield (node, parent, path)):
            found.append(Match(node, parent, _path_at(trail, index) if path is None else path))
    return found


def find_first(start: Node, paths: bool) -> Walker[Match[Node] | None]:
    """The first node, in pre-order, for which the callback is true.

    >>> drive(find_first(Span(value="x"), False), lambda node, parent, path: True).path
    ()
    """
    trail: list[str | int] = []
    for node, parent, path, index in _pre_order(start, trail, paths):
        if (yield (node, parent, path)):
            return Match(node, parent, _path_at(trail, index) if path is None else path)
    return None


def some(start: Node, paths: bool) -> Walker[bool]:
    """Whether the callback is true for some node (stops at the first).

    >>> drive(some(Span(value="x"), False), lambda node, parent, path: False)
    False
    """
    for node, parent, path, _ in _pre_order(start, [], paths):
        if (yield (node, parent, path)):
            return True
    return False


def every(start: Node, paths: bool) -> Walker[bool]:
    """Whether the callback is true for every node (stops at the first false).

    >>> drive(every(Span(value="x"), False), lambda node, parent, path: True)
    True
    """
    for node, parent, path, _ in _pre_order(start, [], paths):
        if not (yield (node, parent, path)):
            return False
    return True


def reduce_tree(start: Node, initial: A, paths: bool) -> Walker[A]:
    """Fold the callback over every node in pre-order: ``acc = fn(acc, node, parent, path)``.

    >>> drive(reduce_tree(Span(value="x"), 0, False), lambda acc, node, parent, path: acc + 1)
    1
    """
    acc = initial
    for node, parent, path, _ in _pre_order(start, [], paths):
        acc = yield (acc, node, parent, path)
    return acc


# --- rebuilding walkers -------------------------------------------------------------------


def _check_children(parent: Node, kids: list[Node], path: Callable[[], Path], doing: str) -> None:
    """Refuse a rebuilt parent left empty or holding a child it may not hold.

    ``path`` gives the parent's path; it is only built for an error.
    """
    if not kids:
        message = f"a {parent.type} node needs at least one child, found none after {doing}"
        raise DastValidationError([Problem((*path(), "children"), "empty-children", message)])
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
        problems.append(Problem((*path(), "children", i), code, f"{message}, found after {doing}"))
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


def _take(out: list[Node], result: object, path: Callable[[], Path]) -> None:
    """Add a mapper's result (node, sequence of nodes, or None) to a child list.

    ``path`` gives the mapped node's path; it is only built for an error.
    """
    if result.__class__ in _NODE_SET or isinstance(result, NODE_CLASSES):
        out.append(result)
    elif result is None:
        return
    elif isinstance(result, Sequence) and not isinstance(result, (str, bytes)):
        for i, item in enumerate(result):
            if item.__class__ not in _NODE_SET and not isinstance(item, NODE_CLASSES):
                raise WalkError(
                    f"the mapper returned a sequence holding a {_describe(item)} "
                    f"(at index {i}) for the node at {_where(path())}: expected nodes"
                )
            out.append(item)
    else:
        raise WalkError(
            f"the mapper returned a {_describe(result)} for the node at {_where(path())}: "
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


def map_tree(start: Node, paths: bool) -> Walker[Node]:
    """Map every node bottom-up; unchanged subtrees are reused, not rebuilt.

    The callback sees each node with its children already mapped, its
    original parent, and its path in the input tree (``None`` unless
    ``paths``).

    >>> drive(map_tree(Span(value="x"), False), lambda node, parent, path: Span(value="y")).value
    'y'
    """
    parents = ALLOWED_CHILDREN
    if start.__class__ not in parents:
        return _root_result((yield (start, None, ())))
    node_set = _NODE_SET
    trail: list[str | int] = []  # the path of the innermost open parent
    here: Path | None = ()  # the same as a tuple, built when first needed
    path: Path | None = None
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
            if paths:
                if here is None:
                    here = tuple(trail)
                path = here + ("children", i)  # noqa: RUF005 (one copy: faster)
            result = yield (child, node, path)
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
                    _take(out, result, partial(_path_at, trail, i))
            i += 1
        if descended:
            continue
        stack.pop()
        if paths:
            path = tuple(trail) if here is None else here
        out = frame[4]
        if out is not None:
            _check_children(node, out, partial(tuple, trail), "mapping")
            node = _rebuild(node, out)
        result = yield (node, frame[1], path)
        if not stack:
            return _root_result(result)
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
                _take(out, result, partial(tuple, trail))
        del trail[-2:]
        here = None


def filter_tree(start: Node, paths: bool) -> Walker[Node | None]:
    """Keep the nodes the callback is true for; drop the others with their subtrees.

    The callback runs in pre-order on the input's nodes. A parent left with no
    children is dropped too (cascading); ``None`` if nothing is left.

    >>> drive(filter_tree(Span(value="x"), False), lambda node, parent, path: False) is None
    True
    """
    if not (yield (start, None, ())):
        return None
    parents = ALLOWED_CHILDREN
    if start.__class__ not in parents:
        return start
    trail: list[str | int] = []  # the path of the innermost open parent
    here: Path | None = ()  # the same as a tuple, built when first needed
    path: Path | None = None
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
            if paths:
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
