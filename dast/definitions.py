"""The DAST schema as data: one table of node types, their attributes and children.

``NODE_SPECS`` is the single statement of the schema page. Every other name
here (``ALLOWED_CHILDREN``, ``REQUIRED_ATTRIBUTES``, ``ATTRIBUTE_ORDER``...)
is derived from it, and the validator, the node model's tests, the
serializer's key order and the walkers' child checks all read it.

>>> sorted(ALLOWED_CHILDREN["blockquote"])
['paragraph']
>>> sorted(REQUIRED_ATTRIBUTES["heading"])
['children', 'level']
>>> sorted(CHILD_ATTRIBUTES["blockquote"]["paragraph"])
['children', 'style', 'type']
>>> ATTRIBUTE_ORDER["heading"]
('type', 'level', 'children', 'style')
>>> NODE_SPECS["heading"].attribute("level").range
range(1, 7)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_CHILDREN",
    "ATTRIBUTE_ORDER",
    "BLOCK_NODE_TYPES",
    "CANONICAL_MARK_ORDER",
    "CHILD_ATTRIBUTES",
    "DEFAULT_MARKS",
    "FIELD_NODE_TYPES",
    "FIELD_RULE_CODES",
    "HEADING_LEVELS",
    "INLINE_NODE_TYPES",
    "LEAF_NODE_TYPES",
    "LIST_STYLES",
    "NODE_SPECS",
    "NODE_TYPES",
    "NODE_TYPES_WITH_CHILDREN",
    "OPTIONAL_ATTRIBUTES",
    "REQUIRED_ATTRIBUTES",
    "ROOT_CHILD_TYPES",
    "SCHEMA",
    "AttributeKind",
    "AttributeSpec",
    "NodeSpec",
]

SCHEMA: Final = "dast"
"""The value of a document's ``schema`` key."""

AttributeKind = Literal[
    "string",
    "integer",
    "enumeration",
    "record-id",
    "item",
    "marks",
    "meta",
    "highlight",
    "children",
]
"""What an attribute holds.

``string``: a string; ``integer``: an integer in ``range``; ``enumeration``:
one of ``choices``; ``record-id``: a record id string; ``item``: a record id
string or a record object; ``marks``: a list of mark strings; ``meta``: a
list of ``{"id", "value"}`` string objects; ``highlight``: a list of
non-negative line numbers; ``children``: a non-empty list of nodes of the
``children`` types.
"""


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute of a node type (``type`` itself is not listed).

    ``code`` is the validator's rule code for a value of the wrong kind.

    >>> AttributeSpec("level", True, "integer", "heading-level", range=range(1, 7)).required
    True
    """

    name: str
    required: bool
    kind: AttributeKind
    code: str
    choices: tuple[str, ...] = ()
    range: range | None = None
    children: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NodeSpec:
    """A node type: its attributes, in the order the model dumps them.

    >>> NODE_SPECS["span"].names
    ('value', 'marks')
    >>> sorted(NODE_SPECS["link"].children)
    ['span']
    """

    type: str
    attributes: tuple[AttributeSpec, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The attribute names, in order (without ``type``)."""
        return tuple(a.name for a in self.attributes)

    @property
    def children(self) -> frozenset[str]:
        """The child types this node accepts (empty for leaves)."""
        for a in self.attributes:
            if a.kind == "children":
                return a.children
        return frozenset()

    def attribute(self, name: str) -> AttributeSpec:
        """The attribute called ``name`` (``KeyError`` when the type has none).

        >>> NODE_SPECS["code"].attribute("highlight").kind
        'highlight'
        """
        for a in self.attributes:
            if a.name == name:
                return a
        raise KeyError(name)


DEFAULT_MARKS: Final[tuple[str, ...]] = (
    "strong",
    "code",
    "emphasis",
    "underline",
    "strikethrough",
    "highlight",
)
"""The six default marks, in the schema page's order. Other strings are custom marks."""

CANONICAL_MARK_ORDER: Final[tuple[str, ...]] = (
    "highlight",
    "strikethrough",
    "underline",
    "strong",
    "emphasis",
    "code",
)
"""The default marks in dastdown's canonical order (outermost first when nested)."""

LIST_STYLES: Final[tuple[str, ...]] = ("bulleted", "numbered")
"""The values of a list's ``style``."""

HEADING_LEVELS: Final[range] = range(1, 7)
"""Allowed heading levels, 1 to 6."""

INLINE_NODE_TYPES: Final[frozenset[str]] = frozenset(
    {"span", "link", "itemLink", "inlineItem", "inlineBlock"}
)
"""Types allowed inside a paragraph or heading."""

ROOT_CHILD_TYPES: Final[frozenset[str]] = frozenset(
    {"paragraph", "heading", "list", "code", "blockquote", "block", "thematicBreak"}
)
"""Types allowed directly under the root."""

BLOCK_NODE_TYPES: Final[frozenset[str]] = ROOT_CHILD_TYPES
"""Block-level (non-inline, non-root, non-listItem) node types: the root's children."""


def _children(*types: str) -> AttributeSpec:
    allowed = frozenset(types)
    return AttributeSpec("children", True, "children", "invalid-children", children=allowed)


def _string(name: str, required: bool) -> AttributeSpec:
    return AttributeSpec(name, required, "string", "invalid-attribute")


_INLINES = _children(*INLINE_NODE_TYPES)
_STYLE = _string("style", False)
_META = AttributeSpec("meta", False, "meta", "invalid-meta")
_RECORD_ID = AttributeSpec("item", True, "record-id", "invalid-item")
_ITEM = AttributeSpec("item", True, "item", "invalid-item")

NODE_SPECS: Final[Mapping[str, NodeSpec]] = MappingProxyType(
    {
        spec.type: spec
        for spec in (
            NodeSpec("root", (_children(*ROOT_CHILD_TYPES),)),
            NodeSpec("paragraph", (_INLINES, _STYLE)),
            NodeSpec(
                "heading",
                (
                    AttributeSpec("level", True, "integer", "heading-level", range=HEADING_LEVELS),
                    _INLINES,
                    _STYLE,
                ),
            ),
            NodeSpec(
                "list",
                (
                    AttributeSpec("style", True, "enumeration", "list-style", choices=LIST_STYLES),
                    _children("listItem"),
                ),
            ),
            NodeSpec("listItem", (_children("paragraph", "list"),)),
            NodeSpec("blockquote", (_children("paragraph"), _string("attribution", False))),
            NodeSpec(
                "code",
                (
                    _string("code", True),
                    _string("language", False),
                    AttributeSpec("highlight", False, "highlight", "invalid-highlight"),
                ),
            ),
            NodeSpec("thematicBreak", ()),
            NodeSpec("block", (_ITEM,)),
            NodeSpec(
                "span",
                (_string("value", True), AttributeSpec("marks", False, "marks", "invalid-marks")),
            ),
            NodeSpec("link", (_string("url", True), _children("span"), _META)),
            NodeSpec("itemLink", (_RECORD_ID, _children("span"), _META)),
            NodeSpec("inlineItem", (_RECORD_ID,)),
            NodeSpec("inlineBlock", (_ITEM,)),
        )
    }
)
"""Node type -> its ``NodeSpec``: the whole schema page as one table."""

NODE_TYPES: Final[frozenset[str]] = frozenset(NODE_SPECS)
"""Every DAST node ``type``."""

ALLOWED_CHILDREN: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {t: spec.children for t, spec in NODE_SPECS.items()}
)
"""Node type -> the child types it accepts (empty for leaves)."""

NODE_TYPES_WITH_CHILDREN: Final[frozenset[str]] = frozenset(
    t for t, allowed in ALLOWED_CHILDREN.items() if allowed
)
"""Types that carry a (non-empty) ``children`` list."""

LEAF_NODE_TYPES: Final[frozenset[str]] = NODE_TYPES - NODE_TYPES_WITH_CHILDREN
"""Types without ``children``."""

REQUIRED_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {t: frozenset(a.name for a in spec.attributes if a.required) for t, spec in NODE_SPECS.items()}
)
"""Node type -> attributes (besides ``type``) that must be present."""

OPTIONAL_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        t: frozenset(a.name for a in spec.attributes if not a.required)
        for t, spec in NODE_SPECS.items()
    }
)
"""Node type -> attributes that may be present."""

ALLOWED_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {t: frozenset(spec.names) | {"type"} for t, spec in NODE_SPECS.items()}
)
"""Node type -> every key its JSON object may have (``type`` included)."""

CHILD_ATTRIBUTES: Final[Mapping[str, Mapping[str, frozenset[str]]]] = MappingProxyType(
    {
        parent: MappingProxyType({kind: ALLOWED_ATTRIBUTES[kind] for kind in kinds})
        for parent, kinds in ALLOWED_CHILDREN.items()
        if kinds
    }
)
"""Parent type -> (child type it accepts -> every key that child's JSON object may have).

What a one-pass check of DAST JSON reads at each node (the serializer's, to_html's):
one lookup says whether the child may stand there and which keys it may have.
Leaves have no entry.
"""

ATTRIBUTE_ORDER: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {t: ("type", *spec.names) for t, spec in NODE_SPECS.items()}
)
"""Node type -> its JSON keys in dump order: ``type`` first, then the attributes."""

FIELD_NODE_TYPES: Final[tuple[str, ...]] = (
    "blockquote",
    "code",
    "heading",
    "link",
    "list",
    "thematicBreak",
)
"""The node types a structured text field's settings may switch off (appearance ``nodes``).

Paragraphs, lists' items, spans and the root are always allowed; ``block`` /
``inlineBlock`` follow the block validators and ``itemLink`` /
``inlineItem`` the ``structured_text_links`` validator.
"""

FIELD_RULE_CODES: Final[frozenset[str]] = frozenset(
    {
        "field-node",
        "field-mark",
        "field-heading-level",
        "field-block-model",
        "field-inline-block-model",
        "field-link-model",
        "field-required",
        "field-length",
    }
)
"""The rule codes of a field's settings, reported by ``validate(doc, field=...)``."""
