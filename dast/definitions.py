"""The DAST schema as data: node types, allowed children and attributes, marks.

These tables are the single statement of the schema page that the validator
(and anything else that needs to reason about the node set) reads.

>>> sorted(ALLOWED_CHILDREN["blockquote"])
['paragraph']
>>> sorted(REQUIRED_ATTRIBUTES["heading"])
['children', 'level']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_CHILDREN",
    "BLOCK_NODE_TYPES",
    "CANONICAL_MARK_ORDER",
    "DEFAULT_MARKS",
    "HEADING_LEVELS",
    "INLINE_NODE_TYPES",
    "LEAF_NODE_TYPES",
    "LIST_STYLES",
    "NODE_TYPES",
    "NODE_TYPES_WITH_CHILDREN",
    "OPTIONAL_ATTRIBUTES",
    "REQUIRED_ATTRIBUTES",
    "ROOT_CHILD_TYPES",
    "SCHEMA",
]

SCHEMA: Final = "dast"
"""The value of a document's ``schema`` key."""

NODE_TYPES: Final[frozenset[str]] = frozenset(
    {
        "root",
        "paragraph",
        "heading",
        "list",
        "listItem",
        "blockquote",
        "code",
        "thematicBreak",
        "block",
        "span",
        "link",
        "itemLink",
        "inlineItem",
        "inlineBlock",
    }
)
"""Every DAST node ``type``."""

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

_EMPTY: Final[frozenset[str]] = frozenset()

ALLOWED_CHILDREN: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "root": ROOT_CHILD_TYPES,
        "paragraph": INLINE_NODE_TYPES,
        "heading": INLINE_NODE_TYPES,
        "list": frozenset({"listItem"}),
        "listItem": frozenset({"paragraph", "list"}),
        "blockquote": frozenset({"paragraph"}),
        "code": _EMPTY,
        "thematicBreak": _EMPTY,
        "block": _EMPTY,
        "span": _EMPTY,
        "link": frozenset({"span"}),
        "itemLink": frozenset({"span"}),
        "inlineItem": _EMPTY,
        "inlineBlock": _EMPTY,
    }
)
"""Node type -> the child types it accepts (empty for leaves)."""

NODE_TYPES_WITH_CHILDREN: Final[frozenset[str]] = frozenset(
    t for t, allowed in ALLOWED_CHILDREN.items() if allowed
)
"""Types that carry a (non-empty) ``children`` list."""

LEAF_NODE_TYPES: Final[frozenset[str]] = NODE_TYPES - NODE_TYPES_WITH_CHILDREN
"""Types without ``children``."""

REQUIRED_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "root": frozenset({"children"}),
        "paragraph": frozenset({"children"}),
        "heading": frozenset({"level", "children"}),
        "list": frozenset({"style", "children"}),
        "listItem": frozenset({"children"}),
        "blockquote": frozenset({"children"}),
        "code": frozenset({"code"}),
        "thematicBreak": _EMPTY,
        "block": frozenset({"item"}),
        "span": frozenset({"value"}),
        "link": frozenset({"url", "children"}),
        "itemLink": frozenset({"item", "children"}),
        "inlineItem": frozenset({"item"}),
        "inlineBlock": frozenset({"item"}),
    }
)
"""Node type -> attributes (besides ``type``) that must be present."""

OPTIONAL_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "root": _EMPTY,
        "paragraph": frozenset({"style"}),
        "heading": frozenset({"style"}),
        "list": _EMPTY,
        "listItem": _EMPTY,
        "blockquote": frozenset({"attribution"}),
        "code": frozenset({"language", "highlight"}),
        "thematicBreak": _EMPTY,
        "block": _EMPTY,
        "span": frozenset({"marks"}),
        "link": frozenset({"meta"}),
        "itemLink": frozenset({"meta"}),
        "inlineItem": _EMPTY,
        "inlineBlock": _EMPTY,
    }
)
"""Node type -> attributes that may be present."""

ALLOWED_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {t: REQUIRED_ATTRIBUTES[t] | OPTIONAL_ATTRIBUTES[t] | {"type"} for t in NODE_TYPES}
)
"""Node type -> every key its JSON object may have (``type`` included)."""

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
