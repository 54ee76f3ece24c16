"""Type guards: one per node type, plus a few questions about documents.

Every guard accepts any object and returns ``False`` for anything that is
not the node it asks about; with ``TypeIs`` they narrow for mypy, so
``[n for n in nodes if is_heading(n)]`` is a ``list[Heading]``.

>>> from dast.nodes import Heading, Span
>>> [is_heading(Heading(level=2, children=(Span(value="x"),))), is_heading("heading")]
[True, False]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, overload

from typing_extensions import TypeIs

from .definitions import INLINE_NODE_TYPES, NODE_TYPES_WITH_CHILDREN
from .nodes import (
    NODE_CLASS_BY_TYPE,
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    ItemLink,
    Link,
    List,
    ListItem,
    Node,
    NodeWithChildren,
    Paragraph,
    Root,
    Span,
    ThematicBreak,
)

__all__ = [
    "has_children",
    "is_block",
    "is_block_with_item_of_type",
    "is_blockquote",
    "is_code",
    "is_empty_document",
    "is_heading",
    "is_inline_block",
    "is_inline_block_with_item_of_type",
    "is_inline_item",
    "is_inline_node",
    "is_item_link",
    "is_link",
    "is_list",
    "is_list_item",
    "is_paragraph",
    "is_root",
    "is_span",
    "is_thematic_break",
    "item_type_id",
]

_MISSING: Any = object()
"""Marks an omitted ``node`` argument (``None`` is a node candidate like any other)."""

_WITH_CHILDREN: tuple[type[Node], ...] = tuple(
    NODE_CLASS_BY_TYPE[t] for t in sorted(NODE_TYPES_WITH_CHILDREN)
)
_INLINE: tuple[type[Node], ...] = tuple(NODE_CLASS_BY_TYPE[t] for t in sorted(INLINE_NODE_TYPES))


def is_root(node: object) -> TypeIs[Root]:
    """Is this a ``root`` node?

    >>> is_root(Root(children=(ThematicBreak(),)))
    True
    """
    return isinstance(node, Root)


def is_paragraph(node: object) -> TypeIs[Paragraph]:
    """Is this a ``paragraph`` node?

    >>> is_paragraph(Paragraph(children=(Span(value="x"),)))
    True
    """
    return isinstance(node, Paragraph)


def is_heading(node: object) -> TypeIs[Heading]:
    """Is this a ``heading`` node?

    >>> is_heading(Paragraph(children=(Span(value="x"),)))
    False
    """
    return isinstance(node, Heading)


def is_list(node: object) -> TypeIs[List]:
    """Is this a ``list`` node?

    >>> is_list([])
    False
    """
    return isinstance(node, List)


def is_list_item(node: object) -> TypeIs[ListItem]:
    """Is this a ``listItem`` node?

    >>> is_list_item(ListItem(children=(Paragraph(children=(Span(value="x"),)),)))
    True
    """
    return isinstance(node, ListItem)


def is_blockquote(node: object) -> TypeIs[Blockquote]:
    """Is this a ``blockquote`` node?

    >>> is_blockquote(Blockquote(children=(Paragraph(children=(Span(value="x"),)),)))
    True
    """
    return isinstance(node, Blockquote)


def is_code(node: object) -> TypeIs[Code]:
    """Is this a ``code`` node?

    >>> is_code(Code(code="x = 1"))
    True
    """
    return isinstance(node, Code)


def is_thematic_break(node: object) -> TypeIs[ThematicBreak]:
    """Is this a ``thematicBreak`` node?

    >>> is_thematic_break(ThematicBreak())
    True
    """
    return isinstance(node, ThematicBreak)


def is_block(node: object) -> TypeIs[Block]:
    """Is this a ``block`` node?

    >>> is_block(Block(item="b1")), is_block(InlineBlock(item="b1"))
    (True, False)
    """
    return isinstance(node, Block)


def is_span(node: object) -> TypeIs[Span]:
    """Is this a ``span`` node?

    >>> is_span(Span(value="x")), is_span({"type": "span", "value": "x"})
    (True, False)
    """
    return isinstance(node, Span)


def is_link(node: object) -> TypeIs[Link]:
    """Is this a ``link`` node?

    >>> is_link(Link(url="https://x.y", children=(Span(value="x"),)))
    True
    """
    return isinstance(node, Link)


def is_item_link(node: object) -> TypeIs[ItemLink]:
    """Is this an ``itemLink`` node?

    >>> is_item_link(ItemLink(item="42", children=(Span(value="x"),)))
    True
    """
    return isinstance(node, ItemLink)


def is_inline_item(node: object) -> TypeIs[InlineItem]:
    """Is this an ``inlineItem`` node?

    >>> is_inline_item(InlineItem(item="42"))
    True
    """
    return isinstance(node, InlineItem)


def is_inline_block(node: object) -> TypeIs[InlineBlock]:
    """Is this an ``inlineBlock`` node?

    >>> is_inline_block(InlineBlock(item="b1"))
    True
    """
    return isinstance(node, InlineBlock)


def has_children(node: object) -> TypeIs[NodeWithChildren]:
    """Does this node carry ``children`` (root, paragraph, heading, list,
    listItem, blockquote, link, itemLink)?

    >>> has_children(Span(value="x")), has_children(Root(children=(ThematicBreak(),)))
    (False, True)
    """
    return isinstance(node, _WITH_CHILDREN)


def is_inline_node(node: object) -> TypeIs[Span | Link | ItemLink | InlineItem | InlineBlock]:
    """Is this an inline node (span, link, itemLink, inlineItem, inlineBlock)?

    >>> is_inline_node(InlineItem(item="1")), is_inline_node(Block(item="1"))
    (True, False)
    """
    return isinstance(node, _INLINE)


def is_empty_document(doc: object) -> bool:
    """Is this an empty field: ``None``, or a root holding one paragraph made only of
    empty spans? Accepts a ``Document``, a ``Root``, DAST JSON or the CDA wrapper;
    anything else (including invalid JSON) gives ``False``.

    >>> is_empty_document(None)
    True
    >>> is_empty_document({"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "paragraph", "children": [{"type": "span", "value": ""}]}]}})
    True
    """
    if isinstance(doc, Mapping) and "value" in doc and "document" not in doc:
        doc = doc["value"]  # the CDA wrapper
    if doc is None:
        return True
    if isinstance(doc, Document):
        doc = doc.document
    if isinstance(doc, Root):
        children: Any = doc.children
        if len(children) != 1 or not isinstance(children[0], Paragraph):
            return False
        return all(isinstance(c, Span) and c.value == "" for c in children[0].children)
    if isinstance(doc, Mapping):
        root = doc.get("document")
        children = root.get("children") if isinstance(root, Mapping) else None
        if not isinstance(children, list) or len(children) != 1:
            return False
        paragraph = children[0]
        if not isinstance(paragraph, Mapping) or paragraph.get("type") != "paragraph":
            return False
        spans = paragraph.get("children")
        return (
            isinstance(spans, list)
            and bool(spans)
            and all(
                isinstance(c, Mapping) and c.get("type") == "span" and c.get("value") == ""
                for c in spans
            )
        )
    return False


def item_type_id(item: object) -> str | None:
    """The item type (model) id of a record object, or ``None`` (for an id string,
    or a record that does not say).

    Understands the nested JSON:API shape (``relationships.item_type.data.id``)
    and the flat client shape (``item_type: {"id": ...}`` or ``item_type: "id"``).

    >>> item_type_id({"id": "b1", "relationships": {"item_type": {"data": {"id": "cta"}}}})
    'cta'
    >>> item_type_id({"id": "b1", "item_type": "cta"}), item_type_id("b1")
    ('cta', None)
    """
    if not isinstance(item, Mapping):
        return None
    relationships = item.get("relationships")
    if isinstance(relationships, Mapping):
        found = _id_of(relationships.get("item_type"), nested=True)
        if found is not None:
            return found
    return _id_of(item.get("item_type"), nested=False)


def _id_of(value: Any, *, nested: bool) -> str | None:
    """The id in ``{"data": {"id": ...}}`` (nested) or ``{"id": ...}`` / ``"id"`` (flat)."""
    if nested:
        value = value.get("data") if isinstance(value, Mapping) else None
    elif isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, str) else None
    return None


@overload
def is_block_with_item_of_type(model_id: str) -> Callable[[object], TypeIs[Block]]: ...
@overload
def is_block_with_item_of_type(model_id: str, node: object) -> bool: ...
def is_block_with_item_of_type(
    model_id: str, node: object = _MISSING
) -> Callable[[object], TypeIs[Block]] | bool:
    """Is ``node`` a block whose item is a full record of item type ``model_id``?

    Without ``node``, returns the predicate (curried), handy with filters.
    Bare id strings never match: the record's type is unknown.

    >>> record = {"id": "b1", "type": "item",
    ...           "relationships": {"item_type": {"data": {"id": "cta", "type": "item_type"}}}}
    >>> is_block_with_item_of_type("cta", Block(item=record))
    True
    >>> is_cta = is_block_with_item_of_type("cta")
    >>> is_cta(Block(item="b1")), is_cta(InlineBlock(item=record))
    (False, False)
    """

    def predicate(candidate: object) -> TypeIs[Block]:
        return isinstance(candidate, Block) and item_type_id(candidate.item) == model_id

    return predicate if node is _MISSING else predicate(node)


@overload
def is_inline_block_with_item_of_type(
    model_id: str,
) -> Callable[[object], TypeIs[InlineBlock]]: ...
@overload
def is_inline_block_with_item_of_type(model_id: str, node: object) -> bool: ...
def is_inline_block_with_item_of_type(
    model_id: str, node: object = _MISSING
) -> Callable[[object], TypeIs[InlineBlock]] | bool:
    """Is ``node`` an inline block whose item is a full record of item type ``model_id``?

    Without ``node``, returns the predicate (curried). Bare id strings never match.

    >>> record = {"id": "b1", "item_type": {"id": "badge", "type": "item_type"}}
    >>> is_inline_block_with_item_of_type("badge", InlineBlock(item=record))
    True
    >>> is_inline_block_with_item_of_type("badge")(Block(item=record))
    False
    """

    def predicate(candidate: object) -> TypeIs[InlineBlock]:
        return isinstance(candidate, InlineBlock) and item_type_id(candidate.item) == model_id

    return predicate if node is _MISSING else predicate(node)
