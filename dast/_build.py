"""The node builder of ``dast.nodes``: node JSON to node models, children first, at any depth.

``dast.nodes`` holds the pydantic classes (they cannot be compiled); this
module holds the loop that makes their models from JSON (``plain_node``,
``build_deep_node``) and the check of each attribute kind (but ``meta``'s, which makes
``dast.nodes.MetaEntry`` models), functions only,
so that mypyc compiles it (setup.py ``COMPILED``; the pure module is used
when it is not). ``dast.nodes`` gives it the plans (:data:`Plan`, one per
node type). :func:`new_model` and :func:`children_run` are the two steps
every bottom-up build shares (``dastdown.assembly.adopt`` too).

>>> plain_string("x"), plain_marks(["strong"])
('x', ('strong',))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from pydantic import BaseModel

from .definitions import AttributeSpec

Check = Callable[[Any], Any]

Plan = tuple[
    type[BaseModel],
    dict[str, Any],
    dict[str, Check | None],
    tuple[str, ...],
    frozenset[type[BaseModel]] | None,
    dict[tuple[str, ...], tuple[tuple[str, Any], ...]],
    tuple[tuple[str, Check], ...],
]
"""The build of one node type: (class, fields at their defaults in field order,
check per key, required keys, child classes or
``None``, then the adoption's fills and conversions: see ``dast.nodes``)."""


_SLOTS: Final = (
    "__dict__",
    "__pydantic_fields_set__",
    "__pydantic_extra__",
    "__pydantic_private__",
)

MODEL_SLOT_SETTERS: Final[tuple[Callable[[Any, Any], None], ...]] = tuple(
    BaseModel.__dict__[slot].__set__ for slot in _SLOTS
)
"""The setters of the four slots pydantic fills as it makes a model: its
fields, the fields set, then ``None`` for extra and private attributes (a
call each, without ``object.__setattr__``'s lookup)."""

_NEW: Final = object.__new__
_SET_DICT: Final = MODEL_SLOT_SETTERS[0]
_SET_FIELDS_SET: Final = MODEL_SLOT_SETTERS[1]
_SET_EXTRA: Final = MODEL_SLOT_SETTERS[2]
_SET_PRIVATE: Final = MODEL_SLOT_SETTERS[3]


def new_model(cls: type[BaseModel], fields: dict[str, Any], fields_set: set[str]) -> Any:
    """A model of ``cls`` made as pydantic makes one, checking nothing.

    ``fields`` (all of them, in field order) becomes its ``__dict__`` and
    ``fields_set`` its ``model_fields_set``.

    >>> from dast.nodes import ThematicBreak
    >>> new_model(ThematicBreak, {"type": "thematicBreak"}, set()) == ThematicBreak()
    True
    """
    model = _NEW(cls)
    _SET_DICT(model, fields)
    _SET_FIELDS_SET(model, fields_set)
    _SET_EXTRA(model, None)
    _SET_PRIVATE(model, None)
    return model


def children_run(built: list[Any], taken: int, count: int) -> tuple[Any, ...]:
    """A parent's ``count`` children in ``built`` from ``taken`` (made last child first), in order.

    >>> children_run(["c2", "c1", "b1"], 0, 2), children_run(["c2", "c1", "b1"], 2, 1)
    (('c1', 'c2'), ('b1',))
    """
    if count == 1:
        return (built[taken],)
    return tuple(built[taken : taken + count][::-1])


class NotPlain(Exception):
    """A value the schema refuses (or that only the validator can judge).

    >>> isinstance(NotPlain(), Exception)
    True
    """


def check_item(value: Any) -> Any:
    """Accept an id string or a record object, returning it untouched (other mappings as dicts).

    >>> check_item("42"), check_item({"id": "1"})
    ('42', {'id': '1'})
    """
    if isinstance(value, (str, dict)):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    raise ValueError("item must be a record id string or a record object")


def plain_string(value: Any) -> str:
    """A string as pydantic stores it (a plain ``str``); else :class:`NotPlain`.

    >>> plain_string("a")
    'a'
    """
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)  # pydantic stores a plain str
    raise NotPlain


def plain_item(value: Any) -> Any:
    """A block's or link's ``item`` as stored (see :func:`check_item`); else :class:`NotPlain`.

    >>> plain_item("7")
    '7'
    """
    if isinstance(value, (str, Mapping)):
        return check_item(value)
    raise NotPlain


def plain_marks(value: Any) -> tuple[str, ...]:
    """A span's ``marks`` as stored (a tuple of ``str``); else :class:`NotPlain`.

    >>> plain_marks(["em", "strong"])
    ('em', 'strong')
    """
    if not isinstance(value, (list, tuple)):
        raise NotPlain
    return tuple([plain_string(mark) for mark in value])


def plain_highlight(value: Any) -> tuple[int, ...]:
    """A code block's ``highlight`` as stored (a tuple of line numbers); else :class:`NotPlain`.

    >>> plain_highlight([0, 2])
    (0, 2)
    """
    if not isinstance(value, (list, tuple)):
        raise NotPlain
    for line in value:
        if type(line) is not int or line < 0:
            raise NotPlain
    return tuple(value)


def untyped_object(value: Any) -> bool:
    """Does list or tuple ``value`` hold a JSON object (not a model) without ``type``?

    (The check of a ``List``'s items, run by pydantic on each list it validates.)

    >>> untyped_object([{"type": "listItem"}]), untyped_object([{"children": []}])
    (False, True)
    """
    if not isinstance(value, (list, tuple)):
        return False
    for child in value:
        plain = type(child) is dict  # (the common case, without the ABC's check)
        if (plain or (isinstance(child, Mapping) and not isinstance(child, BaseModel))) and (
            "type" not in child
        ):
            return True
    return False


def _enumeration(choices: frozenset[str]) -> Check:
    def enumeration(value: Any) -> Any:
        if type(value) is str and value in choices:
            return value
        raise NotPlain

    return enumeration


def _integer(allowed: range | None) -> Check:
    def integer(value: Any) -> Any:
        if type(value) is int and (allowed is None or value in allowed):
            return value
        raise NotPlain

    return integer


def plain_kind(spec: AttributeSpec, meta: Check) -> Check | None:
    """The check-and-convert of one attribute (:class:`NotPlain` where the validator objects).

    ``None`` for ``children`` (checked and built by :func:`build_nodes`); ``meta`` is
    ``dast.nodes``'s (it makes ``MetaEntry`` models).

    >>> level = AttributeSpec("level", True, "integer", "heading-level", range=range(1, 7))
    >>> plain_kind(level, tuple)(3)
    3
    """
    kind = spec.kind
    if kind == "enumeration":
        return _enumeration(frozenset(spec.choices))
    if kind == "integer":
        return _integer(spec.range)
    if kind == "children":
        return None
    if kind in ("string", "record-id"):
        return plain_string
    if kind == "item":
        return plain_item
    if kind == "marks":
        return plain_marks
    if kind == "highlight":
        return plain_highlight
    if kind == "meta":
        return meta
    raise ValueError(f"unknown attribute kind {kind!r}")


def build_nodes(data: object, checked: bool, plans: dict[str, Plan]) -> Any:
    """The nodes of ``data``, children first, checked (``plain_node``) or trusted; else ``None``.

    Unchecked, the input has passed the validator: any ``Mapping`` is an
    object, node models are taken as they are. Checked, anything but plain
    ``dict`` nodes, a node met twice (a cycle; shared subtrees also end up
    here) or a value the schema refuses gives ``None``.

    Two passes, each JSON object read once: the first reads the nodes
    breadth first and makes each one's fields (checked, converted; the
    children as their count), the second makes the models from the end of
    that list, where each node's children come in one run (last child
    first): a parent takes the next ``count`` of them. ``plans`` are
    ``dast.nodes``'s, per node type.

    >>> from dast.nodes import _BUILD_PLANS
    >>> build_nodes({"type": "span", "value": "x"}, True, _BUILD_PLANS)
    Span(type='span', value='x', marks=None)
    """
    if checked and type(data) is not dict:
        return None
    string = plain_string
    order: list[Any] = [data]  # grows as it is read: breadth first
    made: list[Any] = []  # per node: (class, fields, fields set, child classes), or a model
    limit = 1024  # a cycle never ends: look for a node met twice as the list grows 8-fold
    try:
        for node in order:  # (compiled too, the loop reads the list's length at each step)
            if type(node) is not dict:
                if checked:
                    return None
                if isinstance(node, BaseModel):  # a node model (the input passed the validator)
                    made.append(node)
                    continue
                node = dict(node)  # a Mapping
            given: dict[str, Any] = node
            node_type = given["type"]
            if type(node_type) is not str:
                return None
            cls, template, accept, required, kid_classes, _, _ = plans[node_type]
            fields = template.copy()
            for key, value in given.items():
                check = accept[key]
                if check is None or value is None:
                    continue
                if check is string and type(value) is str:
                    fields[key] = value
                else:
                    fields[key] = check(value)
            for key in required:
                if given.get(key) is None:
                    return None
            if kid_classes is not None:
                kids = given["children"]
                if not isinstance(kids, (list, tuple)) or not kids:
                    return None
                fields["children"] = len(kids)  # for now
                order.extend(kids)
                if checked and len(order) > limit:
                    if len(set(map(id, order))) != len(order):
                        return None
                    limit = 8 * len(order)
            made.append((cls, fields, set(given), kid_classes))
    except (NotPlain, KeyError, TypeError):
        return None
    del order
    built: list[Any] = []  # the models made: each parent's children in a run
    taken = 0  # the models taken by their parents so far
    index = len(made)
    while index:  # children before their parents
        index -= 1
        entry = made[index]
        if type(entry) is not tuple:  # a node model given in the JSON (unchecked only)
            built.append(entry)
            continue
        cls, fields, fields_set, kid_classes = entry
        count = 0 if kid_classes is None else fields["children"]
        if count:
            kids = children_run(built, taken, count)
            fields["children"] = kids
            taken += count
            if checked:  # (a tuple entry: its child classes)
                assert kid_classes is not None
                for kid in kids:
                    if type(kid) not in kid_classes:
                        return None
        model = new_model(cls, fields, fields_set)
        built.append(model)
    return built[-1]
