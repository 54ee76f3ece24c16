"""Repair almost-valid DAST: keep every visible character and every block.

Code that rewrites trees tends to produce trees that are nearly right: a
block inside a list item, a stray span at the root, an empty paragraph, two
neighbouring spans with the same marks. ``repair(doc)`` returns a valid
``Document`` and a ``RepairReport`` listing each change with the path (in
the input) of the node it concerns:

- a node its parent cannot hold is lifted out to the nearest place that
  can (the parent is split around it: ``p(a, block, b)`` becomes ``p(a)``,
  ``block``, ``p(b)``), up to the root if need be;
- inline nodes where blocks belong are wrapped in a paragraph (in a list:
  a list item holding a paragraph), list items outside a list in a
  bulleted list, a link inside a link gives up its inner url but keeps its
  text, a nested root or a node of unknown type with children gives way to
  its children, a bare string becomes a span;
- empty spans, empty paragraphs and other nodes left without children are
  dropped, neighbouring spans with the same marks merged; a heading level
  out of range is brought into it, a list without a valid style becomes
  bulleted, keys a node type does not allow are dropped;
- with ``field`` settings (``dast.fields.FieldSettings``): a disallowed
  heading level becomes the nearest allowed one, a disallowed node becomes
  its text (heading and code: a paragraph; list: its paragraphs;
  blockquote: its paragraphs and its attribution; link and link to a
  record: its spans; thematic break: dropped), a disallowed mark is dropped
  and its text kept.

What cannot be repaired without losing content (a block of a model the
field does not allow, a required or length rule) is left as it is and
listed in ``RepairReport.unresolved``. Input that is not DAST at all (a
node without a usable type and without children, a span whose value is not
text) raises ``RepairError`` naming its path. The output of ``repair``
always passes ``validate(out, field=field)`` apart from ``unresolved``, and
``repair`` is idempotent: repairing its output changes nothing. The walk is
iterative (5,000 nested lists are fine) and linear.

>>> doc = {"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "span", "value": "stray "}, {"type": "span", "value": "text"},
...     {"type": "list", "style": "bulleted", "children": [{"type": "listItem", "children": [
...         {"type": "paragraph", "children": [{"type": "span", "value": "item"}]},
...         {"type": "block", "item": "b1"}]}]}]}}
>>> fixed, report = repair(doc)
>>> print(report)
children[0]: wrapped inline nodes in a paragraph [wrap]
children[1]: merged neighbouring spans with the same marks [merge-spans]
children[2].children[0].children[1]: lifted a block out of a listItem [lift]
children[2].children[0].children[1]: lifted a block out of a list [lift]
>>> [child.type for child in fixed.document.children]
['paragraph', 'list', 'block']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from .definitions import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CHILDREN,
    HEADING_LEVELS,
    INLINE_NODE_TYPES,
    LIST_STYLES,
    NODE_TYPES,
)
from .errors import DastError, DastValidationError, Path, PathLink, Problem, format_path, link_path
from .fields import FieldSettings, ModelLookup, record_models
from .load import load_document
from .nodes import Document
from .validate import unwrap_document, validate

__all__ = ["RepairChange", "RepairError", "RepairReport", "repair"]

JsonNode = dict[str, Any]

_INLINE_PARENTS = frozenset({"paragraph", "heading", "link", "itemLink"})
_BLOCK_PARENTS = frozenset({"root", "listItem", "blockquote"})
_LINKS = frozenset({"link", "itemLink"})


class RepairError(DastError, ValueError):
    """Input that cannot be repaired without losing content; ``path`` says where.

    >>> str(RepairError("a node without a type", ("children", 0)))
    'children[0]: a node without a type'
    """

    def __init__(self, message: str, path: Path = ()) -> None:
        self.path = tuple(path)
        self.reason = message
        super().__init__(f"{format_path(self.path) or '(root)'}: {message}")


class _At:
    """Where a change happened: the input node's place (a ``PathLink``), its pre-order
    number (document order), and a tail below it (an attribute). Paths are built
    only when read, so memory stays linear in the depth."""

    __slots__ = ("link", "order", "tail")

    def __init__(self, link: PathLink, order: int, tail: Path = ()) -> None:
        self.link = link
        self.order = order
        self.tail = tail

    def plus(self, *parts: str | int) -> _At:
        return _At(self.link, self.order, (*self.tail, *parts))

    @property
    def path(self) -> Path:
        return link_path(self.link) + self.tail


class RepairChange:
    """One change ``repair`` made: where (a path in the input), a code, what was done.

    >>> print(RepairChange(("children", 0), "drop-empty", "dropped an empty paragraph"))
    children[0]: dropped an empty paragraph [drop-empty]
    """

    __slots__ = ("_at", "code", "message")

    def __init__(self, path: Path | _At, code: str, message: str) -> None:
        self._at = path if isinstance(path, _At) else _At(None, 0, tuple(path))
        self.code = code
        self.message = message

    @property
    def path(self) -> Path:
        """The path in the input: ``("children", 2, "children", 0)`` (``()`` for the root)."""
        return self._at.path

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RepairChange):
            return NotImplemented
        return (self.path, self.code, self.message) == (other.path, other.code, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.code, self.message))

    def __repr__(self) -> str:
        return f"RepairChange(path={self.path!r}, code={self.code!r}, message={self.message!r})"

    def __str__(self) -> str:
        return f"{format_path(self.path) or '(root)'}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class RepairReport:
    """Every change made, and the field problems left (``unresolved``).

    >>> report = RepairReport(())
    >>> report.changed, str(report)
    (False, 'nothing to repair')
    """

    changes: tuple[RepairChange, ...]
    unresolved: tuple[Problem, ...] = dataclass_field(default=())

    @property
    def changed(self) -> bool:
        """True when the document was changed."""
        return bool(self.changes)

    def __iter__(self) -> Iterator[RepairChange]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __str__(self) -> str:
        lines = [str(c) for c in self.changes]
        lines += [f"{p} (unresolved)" for p in self.unresolved]
        return "\n".join(lines) if lines else "nothing to repair"


_EMPTY_DOCUMENT: JsonNode = {
    "type": "root",
    "children": [{"type": "paragraph", "children": [{"type": "span", "value": ""}]}],
}


def repair(
    doc: Document | Mapping[str, object],
    field: FieldSettings | None = None,
    *,
    models: ModelLookup | None = None,
) -> tuple[Document, RepairReport]:
    """A valid document from an almost-valid one, and the report of what changed.

    ``doc``: a ``Document``, DAST JSON (``{"schema", "document"}``, the CDA
    wrapper, or a bare root node). ``field`` adds the field's settings;
    ``models`` maps record ids to model ids (as in ``validate``).

    >>> fixed, report = repair({"type": "root", "children": [{"type": "paragraph",
    ...     "children": [{"type": "span", "value": ""}, {"type": "span", "value": "x"}]}]})
    >>> [str(c) for c in report]
    ['children[0].children[0]: dropped an empty span [drop-empty]']
    >>> fixed.to_json()["document"]["children"][0]["children"]
    [{'type': 'span', 'value': 'x'}]
    """
    root = _input_root(doc)
    changes: list[RepairChange] = []
    fixer = _Fixer(field or FieldSettings(), changes)
    out = fixer.run(root)
    if not out["children"]:
        changes[:] = [] if root == _EMPTY_DOCUMENT else changes
        if root != _EMPTY_DOCUMENT:
            changes.append(
                RepairChange((), "empty-document", "kept one empty paragraph: nothing was left")
            )
        out = {"type": "root", "children": [dict(_EMPTY_DOCUMENT["children"][0])]}
        out["children"][0]["children"] = [{"type": "span", "value": ""}]
    result = {"schema": "dast", "document": out}
    if isinstance(doc, Mapping) and "value" in doc and "document" not in doc:
        found = {**record_models(doc.get("blocks")), **record_models(doc.get("links"))}
        if found:  # the wrapper's records say the models of id-only references
            models = _merged(found, models)
    report = validate(result, field=field, models=models)
    schema_problems = [p for p in report.problems if not p.code.startswith("field-")]
    if schema_problems:
        raise DastValidationError(schema_problems, source="repair")
    changes.sort(key=lambda change: change._at.order)  # document order (stable)
    return load_document(result), RepairReport(tuple(changes), report.problems)


def _merged(found: dict[str, str], models: ModelLookup | None) -> ModelLookup:
    if models is None:
        return found
    if isinstance(models, Mapping):
        return {**models, **found}
    call = models
    return lambda rid: found.get(rid) or call(rid)


def _input_root(doc: object) -> Mapping[str, Any]:
    if isinstance(doc, Document):
        return doc.document.to_json()
    inner = unwrap_document(doc)
    if inner is None:
        raise RepairError("nothing to repair: the document is empty (None)")
    if isinstance(inner, Mapping) and "document" in inner:
        inner = inner["document"]
    if not isinstance(inner, Mapping):
        raise RepairError(f"expected a DAST document or root node, got {type(inner).__name__}")
    return inner


Piece = tuple[JsonNode, _At]
"""A repaired node and the input path it came from."""


class _Frame:
    __slots__ = ("kids", "next", "node", "out", "path")

    def __init__(self, node: Mapping[str, Any], path: _At, kids: list[Any]) -> None:
        self.node = node
        self.path = path
        self.kids = kids
        self.next = 0
        self.out: list[Piece] = []


class _Fixer:
    """The repair walk: children first, each node returning what goes in its parent."""

    def __init__(self, settings: FieldSettings, changes: list[RepairChange]) -> None:
        self.settings = settings
        self.changes = changes

    def note(self, path: _At, code: str, message: str) -> None:
        self.changes.append(RepairChange(path, code, message))

    def run(self, root: Mapping[str, Any]) -> JsonNode:
        kids = root.get("children")
        top_at = _At(None, 0)
        top = _Frame({**root, "type": "root"}, top_at, list(kids) if isinstance(kids, list) else [])
        order = 0
        if root.get("type") != "root":
            self.note(top_at, "root", f"made the top node a root (it was {root.get('type')!r})")
        stack = [top]
        result: list[Piece] = []
        while stack:
            frame = stack[-1]
            if frame.next < len(frame.kids):
                i = frame.next
                frame.next += 1
                child = frame.kids[i]
                order += 1
                path = _At((frame.path.link, i, child), order)
                if isinstance(child, Mapping) and isinstance(child.get("children"), list):
                    stack.append(_Frame(child, path, child["children"]))
                else:
                    frame.out.extend((node, path) for node in self.leaf(child, path))
                continue
            stack.pop()
            made = self.finish(frame.node, frame.out, frame.path, is_top=not stack)
            if stack:
                stack[-1].out.extend(made)
            else:
                result = made
        return result[0][0] if result else {"type": "root", "children": []}

    # --- leaves -----------------------------------------------------------------------

    def leaf(self, node: object, path: _At) -> list[JsonNode]:
        if isinstance(node, str):
            self.note(path, "text-to-span", "made a bare string a span")
            node = {"type": "span", "value": node}
        if not isinstance(node, Mapping):
            raise RepairError(f"not a node: {type(node).__name__}", path.path)
        t = node.get("type")
        if type(t) is not str or t not in NODE_TYPES:
            if isinstance(node.get("value"), str):
                self.note(path, "retype", f"made a node of type {t!r} with a value a span")
                node = {"type": "span", "value": node["value"]}
                t = "span"
            else:
                raise RepairError(f"a node of type {t!r} without children or text", path.path)
        fixed = self.attributes(node, path)
        settings = self.settings
        if t == "span":
            value = fixed.get("value")
            if not isinstance(value, str):
                raise RepairError("a span without a text value", path.path)
            if value == "":
                self.note(path, "drop-empty", "dropped an empty span")
                return []
            marks = fixed.get("marks")
            if marks:
                kept = [m for m in marks if settings.allows_mark(m)]
                if len(kept) != len(marks):
                    dropped = ", ".join(m for m in marks if not settings.allows_mark(m))
                    self.note(path, "field-mark", f"dropped marks the field refuses: {dropped}")
                    if kept:
                        fixed["marks"] = kept
                    else:
                        del fixed["marks"]
            return [fixed]
        if t == "code":
            code = fixed.get("code")
            if not isinstance(code, str):
                raise RepairError("a code node without code text", path.path)
            if not settings.allows_node("code"):
                if not code:
                    self.note(path, "field-node", "dropped an empty code node the field refuses")
                    return []
                self.note(path, "field-node", "made a code node a paragraph of its text")
                return [_paragraph([{"type": "span", "value": code}])]
            return [fixed]
        if t == "thematicBreak" and not settings.allows_node(t):
            self.note(path, "field-node", "dropped a thematic break the field refuses")
            return []
        if ALLOWED_CHILDREN[t]:  # a container without a children list: nothing to keep
            attribution = fixed.get("attribution") if t == "blockquote" else None
            if isinstance(attribution, str) and attribution:
                self.note(path, "drop-empty", "made an empty blockquote's attribution a paragraph")
                return [_paragraph([{"type": "span", "value": attribution}])]
            self.note(path, "drop-empty", f"dropped an empty {t}")
            return []
        return [fixed]

    def attributes(self, node: Mapping[str, Any], path: _At) -> JsonNode:
        """A copy of the node's own attributes, each made valid (children left out)."""
        t = node["type"]
        allowed = ALLOWED_ATTRIBUTES[t]
        fixed: JsonNode = {}
        for key, value in node.items():
            if key == "children" and ALLOWED_CHILDREN[t]:
                continue
            if key not in allowed:
                self.note(path.plus(str(key)), "drop-attribute", f"dropped {key!r}: a {t} has none")
                continue
            if value is None:
                continue
            fixed[key] = value
        if t == "heading":
            level = fixed.get("level")
            if isinstance(level, str) and level.strip().isdigit():
                level = int(level)
            if type(level) is not int:
                self.note(path.plus("level"), "heading-level", "gave a heading without a level 1")
                level = 1
            clamped = min(max(level, HEADING_LEVELS.start), HEADING_LEVELS.stop - 1)
            if clamped != level:
                message = f"brought heading level {level} into 1..6"
                self.note(path.plus("level"), "heading-level", message)
            fixed["level"] = clamped
        elif t == "list" and fixed.get("style") not in LIST_STYLES:
            message = "made a list without a valid style bulleted"
            self.note(path.plus("style"), "list-style", message)
            fixed["style"] = "bulleted"
        elif t == "span" and "marks" in fixed:
            marks = fixed["marks"]
            if not isinstance(marks, (list, tuple)):
                raise RepairError("span marks must be a list of strings", path.plus("marks").path)
            fixed["marks"] = [m for m in marks if isinstance(m, str)]
        return fixed

    # --- nodes with children ----------------------------------------------------------

    def finish(
        self, node: Mapping[str, Any], kids: list[Piece], path: _At, is_top: bool
    ) -> list[Piece]:
        t = node.get("type")
        if not is_top and (type(t) is not str or t == "root" or t not in NODE_TYPES):
            what = "a nested root" if t == "root" else f"a node of unknown type {t!r}"
            self.note(path, "unwrap", f"replaced {what} by its children")
            return kids
        assert isinstance(t, str)
        if not ALLOWED_CHILDREN[t]:  # a leaf type given children: keep both
            self.note(path.plus("children"), "unwrap", f"lifted the children of a {t} out of it")
            own = {k: v for k, v in node.items() if k != "children"}
            return [*((n, path) for n in self.leaf(own, path)), *kids]
        fixed = self.attributes(node, path)
        settings = self.settings
        # the field's settings first: a node may become another, or its children
        if t == "heading":
            level = fixed["level"]
            wanted = settings.nearest_level(level)
            if wanted is None:
                self.note(path, "field-node", "made a heading the field refuses a paragraph")
                t = "paragraph"
                fixed = {"type": t, **({"style": fixed["style"]} if "style" in fixed else {})}
            elif wanted != level:
                message = f"made heading level {level} {wanted} (the field's nearest)"
                self.note(path.plus("level"), "field-heading-level", message)
                fixed["level"] = wanted
        elif t in ("list", "blockquote", "link") and not settings.allows_node(t):
            self.note(path, "field-node", f"replaced a {t} the field refuses by its content")
            if t == "list":  # its items' children (paragraphs; inner lists are already gone)
                return [
                    (grand, item_path)
                    for item, item_path in kids
                    for grand in (item["children"] if item["type"] == "listItem" else [item])
                ]
            attribution = fixed.get("attribution") if t == "blockquote" else None
            if attribution:
                kids = [*kids, (_paragraph([{"type": "span", "value": attribution}]), path)]
            return kids
        elif t == "itemLink" and settings.link_models is not None and not settings.link_models:
            message = "replaced a link to a record the field refuses by its text"
            self.note(path, "field-node", message)
            return kids
        return self.place(t, fixed, kids, path)

    def place(self, t: str, fixed: JsonNode, kids: list[Piece], path: _At) -> list[Piece]:
        """Put each child where it may go: kept, wrapped, given way to, or lifted out."""
        allowed = ALLOWED_CHILDREN[t]
        pieces: list[Piece | list[Piece]] = []  # lists: the children of a copy of this node
        current: list[Piece] = []
        wrapper: JsonNode | None = None  # the container made for the last wrapped child
        for child, where in kids:
            ct = child["type"]
            if ct in allowed:
                current.append((child, where))
                wrapper = None
            elif t in _BLOCK_PARENTS and ct in INLINE_NODE_TYPES:
                if wrapper is None or wrapper["type"] != "paragraph":
                    self.note(where, "wrap", "wrapped inline nodes in a paragraph")
                    wrapper = _paragraph([])
                    current.append((wrapper, where))
                wrapper["children"].append((child, where))
            elif t == "list" and (ct in INLINE_NODE_TYPES or ct in ("paragraph", "list")):
                if wrapper is None or wrapper["type"] != "listItem":
                    self.note(where, "wrap", f"wrapped a {ct} in a list item")
                    wrapper = {"type": "listItem", "children": []}
                    current.append((wrapper, where))
                inner = wrapper["children"]
                if ct in INLINE_NODE_TYPES:
                    if not inner or inner[-1][0].get("_made") is not True:
                        inner.append(({**_paragraph([]), "_made": True}, where))
                    inner[-1][0]["children"].append((child, where))
                else:
                    inner.append((child, where))
            elif ct == "listItem" and t in ("root", "listItem") and not self.settings.allows_node(
                "list"
            ):
                message = "replaced a list item outside a list by its content (no lists here)"
                self.note(where, "field-node", message)
                current.extend((grand, where) for grand in child["children"])
                wrapper = None
            elif ct == "listItem" and t in ("root", "listItem"):
                if wrapper is None or wrapper["type"] != "list":
                    self.note(where, "wrap", "wrapped list items in a bulleted list")
                    wrapper = {"type": "list", "style": "bulleted", "children": []}
                    current.append((wrapper, where))
                wrapper["children"].append((child, where))
            elif t in _LINKS and ct in _LINKS:
                self.note(where, "unwrap", f"replaced a {ct} inside a {t} by its text")
                current.extend((span, where) for span in child["children"])
                wrapper = None
            elif t == "root":
                raise RepairError(f"a {ct} cannot be placed in a document", where.path)
            else:
                self.note(where, "lift", f"lifted a {ct} out of a {t}")
                pieces.append(current)
                pieces.append((child, where))
                current = []
                wrapper = None
        pieces.append(current)
        made: list[Piece] = []
        attribution = fixed.pop("attribution", None) if t == "blockquote" else None
        last_copy = -1
        for piece in pieces:
            if isinstance(piece, tuple):
                made.append(piece)
                continue
            children = self.build(t, piece)
            if children:
                made.append(({**fixed, "children": children}, path))
                last_copy = len(made) - 1
        if attribution is not None:  # once, on the last part of a quote split by lifting
            if last_copy >= 0:
                made[last_copy][0]["attribution"] = attribution
            elif attribution:
                self.note(path, "drop-empty", "made an empty blockquote's attribution a paragraph")
                made.append((_paragraph([{"type": "span", "value": attribution}]), path))
                return made
        if not any(isinstance(piece, list) and piece for piece in pieces) and t != "root":
            self.note(path, "drop-empty", f"dropped an empty {t}")
        return made

    def build(self, t: str, children: list[Piece]) -> list[JsonNode]:
        """The children as nodes: containers made while placing built too, spans merged."""
        nodes: list[JsonNode] = []
        for child, where in children:
            if child["type"] in ("paragraph", "listItem", "list") and child["children"] and (
                isinstance(child["children"][0], tuple)
            ):
                made = {k: v for k, v in child.items() if k not in ("children", "_made")}
                made["children"] = self.build(child["type"], child["children"])
                child = made
            nodes.append(child)
            if t in _INLINE_PARENTS and len(nodes) > 1:
                last, before = nodes[-1], nodes[-2]
                if last["type"] == "span" == before["type"] and _marks(last) == _marks(before):
                    self.note(where, "merge-spans", "merged neighbouring spans with the same marks")
                    nodes[-2:] = [{**before, "value": before["value"] + last["value"]}]
        return nodes


def _paragraph(inlines: list[Any]) -> JsonNode:
    return {"type": "paragraph", "children": inlines}


def _marks(span: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(span.get("marks") or ())
