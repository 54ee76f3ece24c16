"""Terse builders for DAST trees, for tests and for code that writes documents.

Plain strings become spans wherever inline nodes are expected; where block
nodes are expected (``doc``, ``li``, ``quote``) a run of consecutive strings
and inline nodes becomes one paragraph. Mark helpers add their mark to a
string, a span, or every span of a link. Every builder returns a validated
node; bad input raises ``DastValidationError`` saying what is wrong and where.

>>> d = doc(h(1, "Title"), p("Hello ", strong(em("world"))), ul("one", "two"))
>>> d.document.children[1].children[1].to_json()
{'type': 'span', 'value': 'world', 'marks': ['emphasis', 'strong']}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, NoReturn, TypeVar, overload

from pydantic import ValidationError

from .errors import DastValidationError, Path, Problem
from .load import pydantic_problems
from .nodes import (
    Block,
    BlockItem,
    Blockquote,
    Code,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    InlineNode,
    ItemLink,
    Link,
    List,
    ListItem,
    ListItemChild,
    MetaEntry,
    Paragraph,
    Root,
    RootChild,
    Span,
    ThematicBreak,
)
from .validate import node_problems

__all__ = [
    "Inline",
    "MetaInput",
    "block",
    "code",
    "code_span",
    "custom",
    "doc",
    "em",
    "h",
    "highlight",
    "hr",
    "inline_block",
    "inline_item",
    "item_link",
    "li",
    "link",
    "mark",
    "ol",
    "p",
    "quote",
    "s",
    "span",
    "strike",
    "strong",
    "u",
    "ul",
]

Inline = str | InlineNode
"""What builders accept where inline nodes go: a string (a plain span) or an inline node."""

MetaInput = Mapping[str, str] | Iterable[tuple[str, str] | MetaEntry]
"""A link's ``meta``: a dict, ``(id, value)`` pairs, or ``MetaEntry`` objects."""

_M = TypeVar("_M", Span, Link, ItemLink)
_N = TypeVar("_N")

_INLINE_CLASSES = (Span, Link, ItemLink, InlineItem, InlineBlock)
_ROOT_CLASSES = (Paragraph, Heading, List, Code, Blockquote, Block, ThematicBreak)


def _fail(path: Path, code: str, message: str) -> NoReturn:
    raise DastValidationError([Problem(path, code, message)])


def _what(value: object) -> str:
    """Name a wrong argument: its node type, or its Python type."""
    node_type = getattr(value, "type", None)
    if isinstance(node_type, str) and hasattr(value, "model_dump"):
        return f"a {node_type} node"
    return f"{type(value).__name__} {value!r:.40}"


def _build(cls: type[_N], **fields: Any) -> _N:
    """Construct a node; invalid fields raise ``DastValidationError`` from the validator."""
    try:
        return cls(**fields)
    except ValidationError as exc:
        data = {"type": _type_name(cls)}
        data.update((key, _jsonish(value)) for key, value in fields.items() if value is not None)
        raise DastValidationError(node_problems(data) or pydantic_problems(exc)) from None


def _jsonish(value: Any) -> Any:
    """What the validator should see for a field: nodes dumped, tuples as lists."""
    if hasattr(value, "to_json") and hasattr(value, "model_dump"):
        return value.to_json()
    if isinstance(value, tuple | list):
        return [_jsonish(v) for v in value]
    return value


def _inlines(args: tuple[object, ...], where: str) -> tuple[InlineNode, ...]:
    out: list[InlineNode] = []
    for i, arg in enumerate(args):
        if isinstance(arg, str):
            out.append(Span(value=arg))
        elif isinstance(arg, _INLINE_CLASSES):
            out.append(arg)
        else:
            _fail(
                ("children", i),
                "forbidden-child",
                f"{where}() takes strings and inline nodes, got {_what(arg)}",
            )
    if not out:
        _fail(("children",), "empty-children", f"{where}() needs at least one child")
    return tuple(out)


def _blocks(
    args: tuple[object, ...], where: str, allowed: tuple[type[Any], ...]
) -> tuple[Any, ...]:
    """Block children, grouping each run of strings / inline nodes into a paragraph."""
    out: list[Any] = []
    run: list[object] = []
    for i, arg in enumerate(args):
        if isinstance(arg, (str, *_INLINE_CLASSES)):
            run.append(arg)
            continue
        if run:
            out.append(Paragraph(children=_inlines(tuple(run), where)))
            run = []
        if not isinstance(arg, allowed):
            names = ", ".join(sorted(_type_name(c) for c in allowed))
            _fail(
                ("children", i),
                "forbidden-child",
                f"{where}() takes {names}, strings and inline nodes, got {_what(arg)}",
            )
        out.append(arg)
    if run:
        out.append(Paragraph(children=_inlines(tuple(run), where)))
    if not out:
        _fail(("children",), "empty-children", f"{where}() needs at least one child")
    return tuple(out)


def _type_name(cls: type[Any]) -> str:
    return str(cls.model_fields["type"].default)


# --- documents and block nodes ------------------------------------------------------------


def doc(*children: RootChild | Inline) -> Document:
    """A document whose root holds ``children`` (strings and inline nodes make paragraphs).

    >>> doc("Hello", hr()).to_json()["document"]["children"][0]["type"]
    'paragraph'
    """
    kids = _blocks(children, "doc", _ROOT_CLASSES)
    return Document(document=Root(children=kids))


def p(*children: Inline, style: str | None = None) -> Paragraph:
    """A paragraph.

    >>> p("Hi ", strong("you"), style="lead").to_json()["style"]
    'lead'
    """
    return _build(Paragraph, children=_inlines(children, "p"), style=style)


def h(level: int, *children: Inline, style: str | None = None) -> Heading:
    """A heading of level 1 to 6.

    >>> h(2, "Intro").level
    2
    """
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 6:
        _fail(
            ("level",),
            "heading-level",
            f"heading level must be an integer from 1 to 6, got {level!r}",
        )
    return _build(Heading, level=level, children=_inlines(children, "h"), style=style)


def li(*children: ListItemChild | Inline) -> ListItem:
    """A list item (strings and inline nodes make a paragraph).

    >>> li("Hello ", em("you")).children[0].type
    'paragraph'
    """
    return ListItem(children=_blocks(children, "li", (Paragraph, List)))


def _list(
    style: Literal["bulleted", "numbered"],
    items: tuple[ListItem | ListItemChild | Inline, ...],
    where: str,
) -> List:
    kids = tuple(item if isinstance(item, ListItem) else li(item) for item in items)
    if not kids:
        _fail(("children",), "empty-children", f"{where}() needs at least one item")
    return List(style=style, children=kids)


def ul(*items: ListItem | ListItemChild | Inline) -> List:
    """A bulleted list; anything that is not a ``li(...)`` is wrapped in one.

    >>> len(ul("one", li("two"), p("three")).children)
    3
    """
    return _list("bulleted", items, "ul")


def ol(*items: ListItem | ListItemChild | Inline) -> List:
    """A numbered list; anything that is not a ``li(...)`` is wrapped in one.

    >>> ol("first").style
    'numbered'
    """
    return _list("numbered", items, "ol")


def quote(*children: Paragraph | Inline, attribution: str | None = None) -> Blockquote:
    """A blockquote (strings and inline nodes make a paragraph).

    >>> quote("To be or not to be", attribution="Hamlet").attribution
    'Hamlet'
    """
    return _build(
        Blockquote, children=_blocks(children, "quote", (Paragraph,)), attribution=attribution
    )


def code(text: str, language: str | None = None, highlight: Iterable[int] | None = None) -> Code:
    """A code block; ``highlight`` lists zero-based line numbers.

    >>> code("x = 1", "python", highlight=[0]).to_json()
    {'type': 'code', 'code': 'x = 1', 'language': 'python', 'highlight': [0]}
    """
    lines = None if highlight is None else _tuple(highlight, "highlight")
    return _build(Code, code=text, language=language, highlight=lines)


def _tuple(values: Iterable[Any], name: str) -> tuple[Any, ...]:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        _fail((name,), f"invalid-{name}", f"{name} must be a list, got {_what(values)}")
    return tuple(values)


def hr() -> ThematicBreak:
    """A thematic break (horizontal rule).

    >>> hr().type
    'thematicBreak'
    """
    return ThematicBreak()


def block(item: BlockItem) -> Block:
    """A block record at the root: an id string or a record dict (kept as is).

    >>> block("b1").to_json()
    {'type': 'block', 'item': 'b1'}
    """
    return _build(Block, item=item)


# --- inline nodes -------------------------------------------------------------------------


def span(value: str, *marks: str) -> Span:
    """A span with optional marks.

    >>> span("x", "strong", "footnote-ref").marks
    ('strong', 'footnote-ref')
    """
    return _build(Span, value=value, marks=marks or None)


def _add_mark(target: str | Span | Link | ItemLink, name: str, where: str) -> Any:
    if isinstance(target, str):
        return _build(Span, value=target, marks=(name,))
    if isinstance(target, Span):
        marks = target.marks or ()
        if name in marks:
            return target
        return target.model_copy(update={"marks": (*marks, name)})
    if isinstance(target, Link | ItemLink):
        kids = tuple(_add_mark(kid, name, where) for kid in target.children)
        return target.model_copy(update={"children": kids})
    return _fail(
        (), "forbidden-child", f"{where}() takes a string, a span or a link, got {_what(target)}"
    )


@overload
def custom(name: str, target: str) -> Span: ...
@overload
def custom(name: str, target: _M) -> _M: ...
def custom(name: str, target: str | Span | Link | ItemLink) -> Span | Link | ItemLink:
    """Add the mark ``name`` (any custom mark) to a string, span, or a link's spans.

    >>> custom("footnote-ref", "1").marks
    ('footnote-ref',)
    """
    if not isinstance(name, str):
        _fail(("marks",), "invalid-marks", f"a mark must be a string, got {_what(name)}")
    return _add_mark(target, name, "custom")  # type: ignore[no-any-return]


@overload
def strong(target: str) -> Span: ...
@overload
def strong(target: _M) -> _M: ...
def strong(target: str | Span | Link | ItemLink) -> Span | Link | ItemLink:
    """Add the ``strong`` mark.

    >>> strong(em("x")).marks
    ('emphasis', 'strong')
    """
    return _add_mark(target, "strong", "strong")  # type: ignore[no-any-return]


@overload
def em(target: str) -> Span: ...
@overload
def em(target: _M) -> _M: ...
def em(target: str | Span | Link | ItemLink) -> Span | Link | ItemLink:
    """Add the ``emphasis`` mark.

    >>> em("x").marks
    ('emphasis',)
    """
    return _add_mark(target, "emphasis", "em")  # type: ignore[no-any-return]


@overload
def u(target: str) -> Span: ...
@overload
def u(target: _M) -> _M: ...
def u(target: str | Span | Link | ItemLink) -> Span | Link | ItemLink:
    """Add the ``underline`` mark.

    >>> u("x").marks
    ('underline',)
    """
    return _add_mark(target, "underline", "u")  # type: ignore[no-any-return]


@overload
def s(target: str) -> Span: ...
@overload
def s(target: _M) -> _M: ...
def s(target: str | Span | Link | ItemLink) -> Span | Link | ItemLink:
    """Add the ``strikethrough`` mark (also named ``strike``).

    >>> s("x").marks
    ('strikethrough',)
    """
    return _add_mark(target, "strikethrough", "s")  # type: ignore[no-any-return]


strike = s


@overload
def mark(target: str) -> Span: ...
@overload
def mark(target: _M) -> _M: ...
def mark(target: str | Span | Link | ItemLink) -> Span | Link | ItemLink:
    """Add the ``highlight`` mark (also named ``highlight``).

    >>> mark("x").marks
    ('highlight',)
    """
    return _add_mark(target, "highlight", "mark")  # type: ignore[no-any-return]


highlight = mark


@overload
def code_span(target: str) -> Span: ...
@overload
def code_span(target: _M) -> _M: ...
def code_span(target: str | Span | Link | ItemLink) -> Span | Link | ItemLink:
    """Add the ``code`` mark (inline code).

    >>> code_span("x()").marks
    ('code',)
    """
    return _add_mark(target, "code", "code_span")  # type: ignore[no-any-return]


def _meta(meta: MetaInput | None) -> tuple[MetaEntry, ...] | None:
    if meta is None:
        return None
    if isinstance(meta, Mapping):
        pairs: Iterable[Any] = meta.items()
    elif isinstance(meta, str | bytes) or not isinstance(meta, Iterable):
        _fail(
            ("meta",),
            "invalid-meta",
            f"meta must be a dict or (id, value) pairs, got {_what(meta)}",
        )
    else:
        pairs = meta
    out: list[MetaEntry] = []
    for i, pair in enumerate(pairs):
        if isinstance(pair, MetaEntry):
            out.append(pair)
        elif isinstance(pair, tuple) and len(pair) == 2:
            for key, part in zip(("id", "value"), pair, strict=True):
                if not isinstance(part, str):
                    _fail(
                        ("meta", i, key),
                        "invalid-meta",
                        f"a meta entry's {key} must be a string, got {_what(part)}",
                    )
            out.append(MetaEntry(id=pair[0], value=pair[1]))
        else:
            _fail(
                ("meta", i),
                "invalid-meta",
                f"a meta entry must be an (id, value) pair, got {pair!r}",
            )
    return tuple(out)


def _spans(children: tuple[object, ...], where: str) -> tuple[Span, ...]:
    out: list[Span] = []
    for i, kid in enumerate(children):
        if isinstance(kid, str):
            out.append(Span(value=kid))
        elif isinstance(kid, Span):
            out.append(kid)
        else:
            _fail(
                ("children", i),
                "forbidden-child",
                f"{where}() takes strings and spans, got {_what(kid)}",
            )
    return tuple(out)


def link(url: str, *children: str | Span, meta: MetaInput | None = None) -> Link:
    """A hyperlink; with no children the URL itself is the label.

    >>> link("https://x.y", "site", meta={"rel": "nofollow"}).to_json()["meta"]
    [{'id': 'rel', 'value': 'nofollow'}]
    >>> link("https://x.y").children[0].value
    'https://x.y'
    """
    kids = _spans(children, "link") if children else (Span(value=url),)
    return _build(Link, url=url, children=kids, meta=_meta(meta))


def item_link(item: str, *children: str | Span, meta: MetaInput | None = None) -> ItemLink:
    """A link to the record with id ``item``.

    >>> item_link("42", "the post").item
    '42'
    """
    kids = _spans(children, "item_link")
    if not kids:
        _fail(("children",), "empty-children", "item_link() needs at least one child")
    return _build(ItemLink, item=item, children=kids, meta=_meta(meta))


def inline_item(item: str) -> InlineItem:
    """A record reference rendered inline.

    >>> inline_item("42").to_json()
    {'type': 'inlineItem', 'item': '42'}
    """
    return _build(InlineItem, item=item)


def inline_block(item: BlockItem) -> InlineBlock:
    """A block record inside a line of text: an id string or a record dict.

    >>> inline_block("b1").item
    'b1'
    """
    return _build(InlineBlock, item=item)
