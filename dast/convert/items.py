"""What renderers hand to record callbacks, and the helpers they share.

Blocks, inline blocks, inline items and item links point at records the
document does not contain, so every renderer (HTML, markdown, plain text)
asks a user callback to render them. The callback receives an ``ItemRef``:
the node, its path, its ``item`` (an id string or the full record dict,
untouched) and, for item links, the already rendered label.

>>> from dast.nodes import Block
>>> ref = ItemRef(Block(item={"id": "b1", "type": "item"}), ("children", 0))
>>> ref.id, ref.item["type"]
('b1', 'item')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from ..definitions import CANONICAL_MARK_ORDER
from ..errors import Path, format_path
from ..load import load_document, unwrap_document
from ..nodes import Block, Document, InlineBlock, InlineItem, ItemLink
from ..validate import ensure_writable

__all__ = [
    "CALLBACK_OPTIONS",
    "MARK_HTML_TAGS",
    "ItemRef",
    "OnMissing",
    "RecordRenderer",
    "load_input",
    "mark_key",
]

_RANK = {mark: rank for rank, mark in enumerate(CANONICAL_MARK_ORDER)}

MARK_HTML_TAGS: Mapping[str, str] = MappingProxyType(
    {
        "highlight": "mark",
        "strikethrough": "s",
        "underline": "u",
        "strong": "strong",
        "emphasis": "em",
        "code": "code",
    }
)
"""The HTML element of each default mark (what ``to_html`` writes, and what
``to_markdown`` writes where a delimiter cannot stand)."""

CALLBACK_OPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "block": "render_block",
        "inlineBlock": "render_inline_block",
        "inlineItem": "render_inline_item",
        "itemLink": "render_item_link",
    }
)
"""The renderer option that takes the callback for each record node type."""

OnMissing = Literal["error", "placeholder"]
"""What a renderer does when a record callback is missing."""

RecordNode = Block | InlineBlock | InlineItem | ItemLink


def mark_key(mark: str) -> tuple[int, str]:
    """Sort key putting marks in canonical order, custom marks last by code point.

    >>> sorted(["zeta", "code", "strong", "alpha", "highlight"], key=mark_key)
    ['highlight', 'strong', 'code', 'alpha', 'zeta']
    """
    rank = _RANK.get(mark)
    return (rank, "") if rank is not None else (len(_RANK), mark)


def load_input(doc: Document | Mapping[str, object] | None) -> Document | None:
    """Load what a renderer accepts: a ``Document``, DAST JSON, the CDA wrapper or ``None``.

    DAST JSON is validated as it is loaded; a ``Document`` is checked for
    nodes broken by ``model_copy(update=...)`` (``DastValidationError``
    with the path and rule of each problem), so no renderer writes one.

    >>> load_input({"value": None}) is None
    True
    """
    data = unwrap_document(doc)
    if isinstance(data, Document):
        ensure_writable(data)
    document: Document | None = load_document(data)
    return document


@dataclass(frozen=True)
class ItemRef:
    """A record reference handed to a render callback.

    ``inner`` is the rendered label of an item link (in the target format)
    and ``""`` for the other node types.

    >>> from dast.nodes import InlineItem
    >>> ItemRef(InlineItem(item="42"), ("children", 0, "children", 1)).where
    "children[0].children[1] (record '42')"
    """

    node: RecordNode
    path: Path
    inner: str = ""

    @property
    def item(self) -> str | dict[str, Any]:
        """The node's ``item``: an id string or the record dict, untouched.

        >>> from dast.nodes import InlineBlock
        >>> record = {"type": "item"}
        >>> ItemRef(InlineBlock(item=record), ()).item is record
        True
        """
        return self.node.item

    @property
    def id(self) -> str | None:
        """The record id (``None`` for a new block record without an id).

        >>> from dast.nodes import Block
        >>> ItemRef(Block(item="b1"), ()).id, ItemRef(Block(item={"type": "item"}), ()).id
        ('b1', None)
        """
        item = self.node.item
        if isinstance(item, str):
            return item
        value = item.get("id")
        return value if isinstance(value, str) else None

    @property
    def where(self) -> str:
        """The path and record id, for messages.

        >>> from dast.nodes import Block
        >>> ItemRef(Block(item={"type": "item"}), ("children", 2)).where
        'children[2] (a new record without id)'
        """
        record = f"record {self.id!r}" if self.id is not None else "a new record without id"
        return f"{format_path(self.path) or '(root)'} ({record})"


RecordRenderer = Callable[[ItemRef], str]
"""``(ref) -> text`` rendering a block, inline block, inline item or item link."""
