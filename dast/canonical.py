"""The canonical form of a document: the one every dastdown round trip yields.

1. Empty spans are removed, except that a paragraph, heading, link or item
   link left with no children keeps one empty span without marks (the rule
   is per parent: an empty span beside an inline item goes).
2. Adjacent spans with the same set of marks are merged.
3. Each span's marks are de-duplicated and ordered highlight,
   strikethrough, underline, strong, emphasis, code, then custom marks by
   code point; a span left with no marks has no ``marks`` key.
4. ``meta`` order is kept, and so is everything else: block items are the
   very same objects.

Unchanged subtrees come back as the same objects, so canonicalizing a
canonical document is cheap and returns it as is.

>>> doc = canonicalize({"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "paragraph", "children": [
...         {"type": "span", "value": "a", "marks": ["emphasis", "strong"]},
...         {"type": "span", "value": ""},
...         {"type": "span", "value": "b", "marks": ["strong", "emphasis", "strong"]}]}]}})
>>> doc.to_json()["document"]["children"][0]["children"]
[{'type': 'span', 'value': 'ab', 'marks': ['strong', 'emphasis']}]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, overload

from .definitions import CANONICAL_MARK_ORDER
from .load import load_document
from .nodes import (
    Blockquote,
    Document,
    Heading,
    InlineNode,
    ItemLink,
    Link,
    List,
    ListItem,
    Paragraph,
    Root,
    Span,
)

__all__ = [
    "MARK_ORDER",
    "canonical_marks",
    "canonicalize",
    "canonicalize_inlines",
    "is_canonical",
]

MARK_ORDER: tuple[str, ...] = CANONICAL_MARK_ORDER
"""The default marks in canonical order, outermost first (``dast.definitions``)."""

_RANK = {mark: rank for rank, mark in enumerate(MARK_ORDER)}
_CONTAINERS = (Root, List, ListItem, Blockquote)


def _mark_key(mark: str) -> tuple[int, str]:
    rank = _RANK.get(mark)
    return (rank, "") if rank is not None else (len(MARK_ORDER), mark)


@lru_cache(maxsize=4096)
def canonical_marks(marks: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """De-duplicate and order a span's marks; ``None`` when none are left.

    >>> canonical_marks(("zeta", "emphasis", "alpha", "strong", "emphasis"))
    ('strong', 'emphasis', 'alpha', 'zeta')
    >>> canonical_marks(()) is None
    True
    """
    if not marks:
        return None
    ordered = tuple(sorted(set(marks), key=_mark_key))
    return marks if ordered == marks else ordered


def _inlines_are_canonical(children: Sequence[InlineNode]) -> bool:
    """True when a run of inline nodes is already in canonical form."""
    previous: tuple[str, ...] | bool | None = False  # False: no span just before
    for child in children:
        if type(child) is Span:
            marks = child.marks
            if marks is not None and canonical_marks(marks) != marks:
                return False
            if not child.value and (marks is not None or len(children) > 1):
                return False
            if previous is not False and previous == marks:
                return False
            previous = marks
        else:
            previous = False
            if (type(child) is Link or type(child) is ItemLink) and not _inlines_are_canonical(
                child.children
            ):
                return False
    return True


def _spans(children: Sequence[InlineNode], keep_empty: bool) -> tuple[Any, ...]:
    """Rebuild a run of inline nodes in canonical form (links included)."""
    out: list[Any] = []
    pending: Span | None = None  # the last span, not yet appended
    pending_parts: list[str] = []
    for child in children:
        if type(child) is Span:
            if not child.value:
                continue
            marks = canonical_marks(child.marks)
            if pending is not None and pending.marks == marks:
                pending_parts.append(child.value)
                continue
            if pending is not None:
                out.append(_finish(pending, pending_parts))
            pending = child if marks == child.marks else child.model_copy(update={"marks": marks})
            pending_parts = [child.value]
        else:
            if pending is not None:
                out.append(_finish(pending, pending_parts))
                pending = None
            if type(child) is Link or type(child) is ItemLink:
                labels = canonicalize_inlines(child.children)
                if labels is not child.children:
                    child = child.model_copy(update={"children": labels})
            out.append(child)
    if pending is not None:
        out.append(_finish(pending, pending_parts))
    if not out and keep_empty:
        out.append(Span(value=""))
    return tuple(out)


def _finish(span: Span, parts: list[str]) -> Span:
    if len(parts) == 1:
        return span
    return span.model_copy(update={"value": "".join(parts)})


def canonicalize_inlines(children: tuple[Any, ...]) -> tuple[Any, ...]:
    """Canonical form of a paragraph's, heading's or link's children.

    The same tuple comes back when it is already canonical.

    >>> kids = (Span(value="a"), Span(value="b"))
    >>> canonicalize_inlines(kids)
    (Span(type='span', value='ab', marks=None),)
    >>> canonicalize_inlines(_) is _
    True
    """
    if _inlines_are_canonical(children):
        return children
    return _spans(children, keep_empty=True)


def _block(node: Any) -> Any:
    """Canonical form of a block that holds no blocks."""
    if type(node) is Paragraph or type(node) is Heading:
        children = canonicalize_inlines(node.children)
        if children is not node.children:
            return node.model_copy(update={"children": children})
    return node


def _root(root: Root) -> Root:
    """Canonicalize a whole tree without recursion (lists nest arbitrarily)."""
    # Each frame: [container, its children, next index, new children, changed?]
    stack: list[list[Any]] = [[root, root.children, 0, [], False]]
    while True:
        frame = stack[-1]
        node, children, index = frame[0], frame[1], frame[2]
        if index < len(children):
            frame[2] = index + 1
            child = children[index]
            if isinstance(child, _CONTAINERS):
                stack.append([child, child.children, 0, [], False])
                continue
            new = _block(child)
            frame[3].append(new)
            if new is not child:
                frame[4] = True
            continue
        stack.pop()
        result = node.model_copy(update={"children": tuple(frame[3])}) if frame[4] else node
        if not stack:
            return result  # type: ignore[no-any-return]
        parent = stack[-1]
        parent[3].append(result)
        if result is not node:
            parent[4] = True


@overload
def canonicalize(doc: None) -> None: ...
@overload
def canonicalize(doc: Document | dict[str, Any]) -> Document: ...
@overload
def canonicalize(doc: Any) -> Document | None: ...
def canonicalize(doc: Any) -> Document | None:
    """Return the canonical form of a document (``None`` stays ``None``).

    Accepts a ``Document``, DAST JSON or the CDA wrapper; invalid input
    raises ``DastValidationError``. A canonical document comes back as the
    very same object.

    >>> canonicalize(None) is None
    True
    """
    document: Document | None = load_document(doc)
    if document is None:
        return None
    root = _root(document.document)
    if root is document.document:
        return document
    return document.model_copy(update={"document": root})


def is_canonical(doc: Any) -> bool:
    """True when ``canonicalize(doc)`` would change nothing.

    >>> is_canonical({"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "paragraph", "children": [{"type": "span", "value": ""}]}]}})
    True
    """
    document: Document | None = load_document(doc)
    if document is None:
        return True
    return canonicalize(document) is document
