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

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

__all__ = [
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
]


def _check_item(value: Any) -> Any:
    """Accept an id string or a record object, returning it untouched."""
    if isinstance(value, (str, dict)):
        return value
    raise ValueError("item must be a record id string or a record object")


BlockItem = Annotated[str | dict[str, Any], PlainValidator(_check_item)]
"""A block's ``item``: an id string or a full record object, kept as is."""

NonEmpty = Field(min_length=1)

_Tagged = Field(discriminator="type")
"""On a slot holding a single node class: JSON input must still carry ``type``."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        """Dump to the exact DAST JSON shape (absent attributes stay absent).

        >>> Span(value="a").to_json()
        {'type': 'span', 'value': 'a'}
        """
        try:
            return self.model_dump(mode="json", by_alias=True, exclude_none=True)
        except ValueError:  # pydantic-core gives up a few hundred levels deep
            return _dump_deep(self)


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
        if isinstance(value, (list, tuple)) and any(
            isinstance(child, dict) and "type" not in child for child in value
        ):
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
            isinstance(data, dict)
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


def _dump_deep(model: _Model) -> dict[str, Any]:
    """Dump any model without recursion (for trees deeper than pydantic dumps)."""
    out: dict[str, Any] = {}
    stack: list[tuple[_Model, dict[str, Any]]] = [(model, out)]
    while stack:
        node, target = stack.pop()
        for name, field in type(node).model_fields.items():
            value = getattr(node, name)
            if value is None:
                continue
            key = field.alias or name
            if isinstance(value, _Model):
                child: dict[str, Any] = {}
                target[key] = child
                stack.append((value, child))
            elif isinstance(value, tuple):
                items: list[Any] = []
                for entry in value:
                    if isinstance(entry, _Model):
                        items.append({})
                        stack.append((entry, items[-1]))
                    else:
                        items.append(entry)
                target[key] = items
            else:
                target[key] = value
    return out


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
