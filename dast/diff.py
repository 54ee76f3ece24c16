"""Structural diff of two documents: what changed, as operations with paths.

``diff(a, b)`` compares two documents (``Document``, DAST JSON, the CDA
wrapper, or ``None`` for an empty field) and returns a ``DocumentDiff``: a
tuple of operations, each with the path of the node it touches (relative to
the root node, as ``validate`` reports them). ``apply_diff(a, d)`` replays
them and gives ``b`` back, and ``format_diff(d)`` prints them one per line.

Operations: ``Insert`` / ``Remove`` a node, ``Move`` a node among its
siblings, ``Replace`` a node by one of another type, ``TextEdit`` inside a
span's ``value`` (or a code node's ``code``), ``MarksChange`` of a span,
``AttributeChange`` of any other attribute (a heading's level, a link's url,
a block's item...).

How: every subtree gets a number by hash-consing (equal subtrees, equal
numbers, compared exactly, not by hash), so unchanged subtrees are skipped
at once; a node's children are aligned with ``difflib.SequenceMatcher`` on
those numbers (after trimming the common ends), and children left unmatched
are paired by type, so an edited paragraph is diffed inside rather than
removed and inserted again. Text is aligned word by word. One word changed
in a 1 MB document is one ``TextEdit`` (``benchmarks/bench_diff.py``). The
walk is iterative: any depth works. ``difflib`` (standard library) is the
maintained sequence matcher; nothing else is needed.

The operations are in the order ``apply_diff`` replays them: at each
parent, removals (right to left, so their indices are those of ``a``), then
moves, then insertions (left to right, indices of ``b``), then the changes
inside each remaining child, at its index in ``b``.

>>> import dast.builders as b
>>> d = diff(b.doc(b.p("Hello world"), b.p("Bye")), b.doc(b.p("Hello there"), b.h(2, "Bye")))
>>> print(format_diff(d))
children[0].children[0]: text "Hello [-world-]{+there+}"
children[1]: replaced paragraph "Bye" with heading "Bye"
>>> apply_diff(b.doc(b.p("Hello world"), b.p("Bye")), d) == b.doc(b.p("Hello there"), b.h(2, "Bye"))
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .definitions import ATTRIBUTE_ORDER
from .errors import DastError, DastValidationError, Path, format_path
from .guards import item_type_id
from .load import load_document
from .nodes import Document
from .validate import unwrap_document, validate

__all__ = [
    "AttributeChange",
    "DiffError",
    "DocumentDiff",
    "Insert",
    "MarksChange",
    "Move",
    "Operation",
    "Remove",
    "Replace",
    "TextEdit",
    "apply_diff",
    "apply_text_edits",
    "describe",
    "diff",
    "diff_roots",
    "format_diff",
    "json_root",
    "node_summary",
    "record_change",
    "text_edits",
]

JsonNode = dict[str, Any]
DocumentLike = Document | Mapping[str, object] | None


class DiffError(DastError, ValueError):
    """An operation does not apply to the document it is replayed on."""


@dataclass(frozen=True)
class Insert:
    """``node`` inserted at ``path`` (its index in the parent at that step).

    >>> Insert(("children", 0), {"type": "thematicBreak"}).kind
    'insert'
    """

    path: Path
    node: JsonNode
    kind = "insert"


@dataclass(frozen=True)
class Remove:
    """The node at ``path`` (``node``, as it was) removed.

    >>> Remove(("children", 1), {"type": "thematicBreak"}).kind
    'remove'
    """

    path: Path
    node: JsonNode
    kind = "remove"


@dataclass(frozen=True)
class Move:
    """``node`` moved among its siblings, from ``source`` to ``path`` (indices at that step).

    >>> Move(("children", 3), ("children", 0), {"type": "thematicBreak"}).kind
    'move'
    """

    source: Path
    path: Path
    node: JsonNode
    kind = "move"


@dataclass(frozen=True)
class Replace:
    """The node at ``path`` replaced by a node of another type.

    >>> Replace(("children", 0), {"type": "thematicBreak"}, {"type": "thematicBreak"}).kind
    'replace'
    """

    path: Path
    old: JsonNode
    new: JsonNode
    kind = "replace"


@dataclass(frozen=True)
class TextEdit:
    """Text changed in ``attribute`` (``value`` of a span, ``code`` of a code node).

    ``edits``: ``(start, end, text)`` replacements on ``old``, in order.

    >>> TextEdit(("children", 0), "value", "ab", "xb", ((0, 1, "x"),)).target
    ('children', 0, 'value')
    """

    path: Path
    attribute: str
    old: str
    new: str
    edits: tuple[tuple[int, int, str], ...]
    kind = "text"

    @property
    def target(self) -> Path:
        """The path of the attribute itself."""
        return (*self.path, self.attribute)


@dataclass(frozen=True)
class MarksChange:
    """A span's marks changed (``None``: no ``marks`` key).

    >>> MarksChange(("children", 0), None, ("strong",)).kind
    'marks'
    """

    path: Path
    old: tuple[str, ...] | None
    new: tuple[str, ...] | None
    kind = "marks"

    @property
    def target(self) -> Path:
        """The path of the attribute itself."""
        return (*self.path, "marks")


_ABSENT: Any = None


@dataclass(frozen=True)
class AttributeChange:
    """Another attribute changed; ``old`` / ``new`` are JSON values (``None``: absent).

    >>> AttributeChange(("children", 0), "level", 2, 3).target
    ('children', 0, 'level')
    """

    path: Path
    attribute: str
    old: Any
    new: Any
    kind = "attribute"

    @property
    def target(self) -> Path:
        """The path of the attribute itself."""
        return (*self.path, self.attribute)


Operation = Insert | Remove | Move | Replace | TextEdit | MarksChange | AttributeChange
"""One change between two documents."""


@dataclass(frozen=True)
class DocumentDiff:
    """The operations turning one document into another (none when they are equal).

    >>> d = DocumentDiff(())
    >>> d.equal, len(d), bool(d)
    (True, 0, False)
    """

    operations: tuple[Operation, ...]

    @property
    def equal(self) -> bool:
        """True when the documents are equal."""
        return not self.operations

    def __len__(self) -> int:
        return len(self.operations)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __bool__(self) -> bool:
        return bool(self.operations)

    def counts(self) -> dict[str, int]:
        """How many operations of each kind.

        >>> DocumentDiff((Remove(("children", 0), {"type": "thematicBreak"}),)).counts()
        {'remove': 1}
        """
        found: dict[str, int] = {}
        for op in self.operations:
            found[op.kind] = found.get(op.kind, 0) + 1
        return found


# --- input --------------------------------------------------------------------------------


def _root(doc: object, which: str) -> JsonNode | None:
    """The root node of a document as JSON (validated), or ``None`` for an empty field."""
    if isinstance(doc, Document):
        return doc.to_json()["document"]  # type: ignore[no-any-return]
    report = validate(doc)
    if not report.valid:
        raise DastValidationError(report.problems, source=which)
    inner = unwrap_document(doc)
    if inner is None:
        return None
    root = inner["document"]
    if not isinstance(root, dict):
        root = dict(root)
    return root


# --- subtree numbers (hash-consing) -----------------------------------------------------


def _freeze(value: object) -> object:
    if value is None or isinstance(value, (str, int, float)):
        return (type(value).__name__, value)
    if isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
        return ("strings", tuple(value))
    return ("json", json.dumps(value, sort_keys=True, default=str))


class _Numbers:
    """Subtree -> a number; equal subtrees (of either document) get equal numbers.

    Numbers are given lazily, to the subtrees that need aligning; ``same``
    compares two subtrees with ``==`` (C speed) unless both are numbered, or
    they are too deep for ``==``.
    """

    def __init__(self) -> None:
        self.table: dict[object, int] = {}
        self.of: dict[int, int] = {}

    def same(self, x: JsonNode, y: JsonNode) -> bool:
        of = self.of
        if x is y:
            return True
        if id(x) in of and id(y) in of:
            return of[id(x)] == of[id(y)]
        try:
            return bool(x == y)
        except RecursionError:  # deeper than ==  can go
            return self.number(x) == self.number(y)

    def number(self, top: JsonNode) -> int:
        table = self.table
        of = self.of
        found = of.get(id(top))
        if found is not None:
            return found
        stack: list[tuple[JsonNode, bool]] = [(top, False)]
        while stack:
            node, ready = stack.pop()
            kids = node.get("children")
            if kids and not ready:
                stack.append((node, True))
                stack.extend((kid, False) for kid in kids if id(kid) not in of)
                continue
            if node.get("type") == "span" and len(node) <= 3:
                signature: object = ("span", node.get("value"), _freeze(node.get("marks")))
            else:
                attributes = tuple(
                    (k, _freeze(v)) for k, v in sorted(node.items()) if k != "children"
                )
                signature = (attributes, tuple(of[id(kid)] for kid in kids or ()))
            number = table.get(signature)
            if number is None:
                number = table[signature] = len(table)
            of[id(node)] = number
        return of[id(top)]


# --- the diff -----------------------------------------------------------------------------


def diff(a: DocumentLike, b: DocumentLike) -> DocumentDiff:
    """The operations that turn document ``a`` into document ``b``.

    Both are validated first (``DastValidationError`` names the one that is
    not valid, ``source`` "a" or "b").

    >>> import dast.builders as b
    >>> [op.kind for op in diff(b.doc(b.p("x")), b.doc(b.p("x"), b.hr()))]
    ['insert']
    >>> diff(None, None).equal
    True
    """
    return diff_roots(json_root(a, "a"), json_root(b, "b"))


Notes = dict[int, list[tuple[str, Operation]]]
"""``id(node)`` -> what happened to it: ``("before" | "after", operation)`` entries."""


def json_root(doc: DocumentLike, which: str = "the document") -> JsonNode:
    """The root node of a document as JSON, validated (an empty field: a root without
    children); ``DastValidationError`` with ``source=which`` when invalid.

    >>> json_root(None)
    {'type': 'root', 'children': []}
    """
    root = _root(doc, which)
    return {"type": "root", "children": []} if root is None else root


def diff_roots(root_a: JsonNode, root_b: JsonNode, notes: Notes | None = None) -> DocumentDiff:
    """``diff`` of two valid root nodes given as JSON; with ``notes``, also say which
    node objects of each side each operation concerns (for renderers).

    >>> diff_roots({"type": "root", "children": [{"type": "thematicBreak"}]},
    ...            {"type": "root", "children": []}).counts()
    {'remove': 1}
    """
    numbers = _Numbers()
    ops: list[Operation] = []
    if numbers.same(root_a, root_b):
        return DocumentDiff(())
    stack: list[tuple[JsonNode, JsonNode, Path]] = [(root_a, root_b, ())]
    while stack:
        x, y, path = stack.pop()
        first = len(ops)
        _attributes(x, y, path, ops)
        if notes is not None:
            for op in ops[first:]:
                notes.setdefault(id(x), []).append(("before", op))
                notes.setdefault(id(y), []).append(("after", op))
        kids_x = x.get("children") or []
        kids_y = y.get("children") or []
        pairs = _children(kids_x, kids_y, path, numbers, ops, notes)
        stack.extend(reversed(pairs))
    return DocumentDiff(tuple(ops))


def _attributes(x: JsonNode, y: JsonNode, path: Path, ops: list[Operation]) -> None:
    for key in sorted(set(x) | set(y), key=_attribute_order(x.get("type"))):
        if key in ("type", "children"):
            continue
        old, new = x.get(key, _ABSENT), y.get(key, _ABSENT)
        if old == new and type(old) is type(new):
            continue
        if isinstance(old, str) and isinstance(new, str) and key in ("value", "code"):
            ops.append(TextEdit(path, key, old, new, text_edits(old, new)))
        elif key == "marks" and x.get("type") == "span":
            ops.append(MarksChange(path, _marks(old), _marks(new)))
        else:
            ops.append(AttributeChange(path, key, old, new))


def _attribute_order(node_type: object) -> Any:
    order = ATTRIBUTE_ORDER.get(node_type, ()) if isinstance(node_type, str) else ()
    return lambda key: (order.index(key) if key in order else len(order), key)


def _marks(value: object) -> tuple[str, ...] | None:
    return None if not isinstance(value, (list, tuple)) else tuple(str(v) for v in value)


def _children(
    xs: Sequence[JsonNode],
    ys: Sequence[JsonNode],
    path: Path,
    numbers: _Numbers,
    ops: list[Operation],
    notes: Notes | None = None,
) -> list[tuple[JsonNode, JsonNode, Path]]:
    """Emit the operations on one parent's list of children; return the pairs to look into."""
    same = numbers.same
    # source of each child of y: ("keep" | "pair" | "replace" | "move", index in xs) or None
    source: list[tuple[str, int] | None] = [None] * len(ys)
    pairs: list[tuple[JsonNode, JsonNode, Path]] = []
    start = 0
    while start < len(xs) and start < len(ys) and same(xs[start], ys[start]):
        source[start] = ("keep", start)
        start += 1
    end_x, end_y = len(xs), len(ys)
    while end_x > start and end_y > start and same(xs[end_x - 1], ys[end_y - 1]):
        end_x -= 1
        end_y -= 1
        source[end_y] = ("keep", end_x)
    if start == end_x == end_y:
        return pairs
    number = numbers.number
    kx = {i: number(xs[i]) for i in range(start, end_x)}
    ky = {j: number(ys[j]) for j in range(start, end_y)}
    matcher = SequenceMatcher(
        None, [kx[i] for i in range(start, end_x)], [ky[j] for j in range(start, end_y)],
        autojunk=False,
    )
    unmatched_x: list[int] = []
    unmatched_y: list[int] = []
    replaced: list[tuple[list[int], list[int]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + start, i2 + start, j1 + start, j2 + start
        if tag == "equal":
            for k in range(i2 - i1):
                source[j1 + k] = ("keep", i1 + k)
            continue
        unmatched_x.extend(range(i1, i2))
        unmatched_y.extend(range(j1, j2))
        if tag == "replace":
            replaced.append((list(range(i1, i2)), list(range(j1, j2))))
    # identical subtrees removed in one place and inserted in another: moves
    by_number: dict[int, list[int]] = {}
    for i in unmatched_x:
        by_number.setdefault(kx[i], []).append(i)
    moved: set[int] = set()
    for j in unmatched_y:
        candidates = by_number.get(ky[j])
        if candidates:
            i = candidates.pop(0)
            source[j] = ("move", i)
            moved.add(i)
    for run_x, run_y in replaced:
        _pair_by_type(
            xs, ys, [i for i in run_x if i not in moved], [j for j in run_y if source[j] is None],
            source,
        )
    taken = {found[1] for found in source if found is not None}
    current: list[int | None] = list(range(len(xs)))
    for i in reversed(unmatched_x):
        if i not in taken:
            ops.append(Remove((*path, "children", i), xs[i]))
            del current[i]
            if notes is not None:
                notes.setdefault(id(xs[i]), []).append(("before", ops[-1]))
    placed: set[int] = set()
    for j, found in enumerate(source):
        if found is None or found[0] != "move":
            continue
        i = found[1]
        here = current.index(i)
        del current[here]
        to = 0
        for back in range(j - 1, -1, -1):
            before = source[back]
            if before is not None and (before[0] != "move" or before[1] in placed):
                to = current.index(before[1]) + 1
                break
        current.insert(to, i)
        placed.add(i)
        if to != here:
            ops.append(Move((*path, "children", here), (*path, "children", to), xs[i]))
            if notes is not None:
                notes.setdefault(id(xs[i]), []).append(("before", ops[-1]))
                notes.setdefault(id(ys[j]), []).append(("after", ops[-1]))
    for j, found in enumerate(source):
        if found is None:
            current.insert(j, None)
            ops.append(Insert((*path, "children", j), ys[j]))
            if notes is not None:
                notes.setdefault(id(ys[j]), []).append(("after", ops[-1]))
    for j, found in enumerate(source):
        if found is None or found[0] in ("move", "keep"):
            continue
        kind, i = found
        if kind == "replace":
            ops.append(Replace((*path, "children", j), xs[i], ys[j]))
            if notes is not None:
                notes.setdefault(id(xs[i]), []).append(("before", ops[-1]))
                notes.setdefault(id(ys[j]), []).append(("after", ops[-1]))
        else:
            pairs.append((xs[i], ys[j], (*path, "children", j)))
    return pairs


def _pair_by_type(
    xs: Sequence[JsonNode],
    ys: Sequence[JsonNode],
    run_x: list[int],
    run_y: list[int],
    source: list[tuple[str, int] | None],
) -> None:
    """Children replaced by others: pair those of the same type (diffed inside), and
    one-for-one runs of other types (replaced); the rest are removed / inserted."""
    types_x = [xs[i].get("type") for i in run_x]
    types_y = [ys[j].get("type") for j in run_y]
    matcher = SequenceMatcher(None, types_x, types_y, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a2 - a1 == b2 - b1):
            kind = "pair" if tag == "equal" else "replace"
            for k in range(a2 - a1):
                source[run_y[b1 + k]] = (kind, run_x[a1 + k])


_WORDS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_FINE_LIMIT = 20_000
"""Longest changed stretch (in characters, both sides) aligned word by word; longer is one edit."""


def text_edits(old: str, new: str) -> tuple[tuple[int, int, str], ...]:
    """Replacements ``(start, end, text)`` on ``old`` that give ``new``, aligned by words.

    >>> text_edits("the cat sat", "the dog sat")
    ((4, 7, 'dog'),)
    >>> text_edits("abc", "abc")
    ()
    """
    if old == new:
        return ()
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # widen to whole words (the ends are common to both), so a changed word reads as one
    while start > 0 and old[start - 1].isalnum():
        start -= 1
    while end_old < len(old) and old[end_old].isalnum():
        end_old += 1
        end_new += 1
    mid_old, mid_new = old[start:end_old], new[start:end_new]
    if len(mid_old) + len(mid_new) > _FINE_LIMIT or not mid_old or not mid_new:
        return ((start, end_old, mid_new),)
    words_old = _WORDS.findall(mid_old)
    words_new = _WORDS.findall(mid_new)
    matcher = SequenceMatcher(None, words_old, words_new, autojunk=False)
    offsets_old = _offsets(words_old, start)
    offsets_new = _offsets(words_new, 0)
    edits: list[tuple[int, int, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        text = mid_new[offsets_new[j1] : offsets_new[j2]]
        at, to = offsets_old[i1], offsets_old[i2]
        if edits and edits[-1][1] == at:
            prev = edits.pop()
            edits.append((prev[0], to, prev[2] + text))
        else:
            edits.append((at, to, text))
    return tuple(edits)


def _offsets(words: list[str], base: int) -> list[int]:
    found = [base]
    for word in words:
        found.append(found[-1] + len(word))
    return found


def apply_text_edits(text: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """Apply ``(start, end, replacement)`` edits (in order, on the original text).

    >>> apply_text_edits("the cat sat", ((4, 7, "dog"),))
    'the dog sat'
    """
    parts: list[str] = []
    at = 0
    for start, end, replacement in edits:
        parts.append(text[at:start])
        parts.append(replacement)
        at = end
    parts.append(text[at:])
    return "".join(parts)


# --- applying -----------------------------------------------------------------------------


class _Copier:
    """Copy-on-write access to a JSON tree: containers on a changed path are copied once."""

    def __init__(self, root: JsonNode) -> None:
        self.root = dict(root)
        self.mine: set[int] = {id(self.root)}

    def node(self, path: Path) -> JsonNode:
        node = self.root
        for k in range(0, len(path), 2):
            kids = self.children(node, path)
            index = path[k + 1]
            if not isinstance(index, int) or not 0 <= index < len(kids):
                raise DiffError(f"{format_path(path[: k + 2])}: no such node")
            child = kids[index]
            if id(child) not in self.mine:
                child = dict(child)
                kids[index] = child
                self.mine.add(id(child))
            node = child
        return node

    def children(self, node: JsonNode, path: Path) -> list[JsonNode]:
        kids = node.get("children")
        if kids is None:
            kids = node["children"] = []
            self.mine.add(id(kids))
        elif id(kids) not in self.mine:
            kids = node["children"] = list(kids)
            self.mine.add(id(kids))
        return kids

    def siblings(self, path: Path) -> tuple[list[JsonNode], int]:
        if len(path) < 2 or path[-2] != "children" or not isinstance(path[-1], int):
            raise DiffError(f"{format_path(path) or '(root)'}: not a child's path")
        parent = self.node(path[:-2])
        return self.children(parent, path), path[-1]


def apply_diff(doc: DocumentLike, changes: DocumentDiff | Sequence[Operation]) -> Document | None:
    """Replay the operations of ``diff(doc, other)`` on ``doc``: gives ``other``.

    ``None`` when the result has no content (an empty field). An operation
    that does not fit raises ``DiffError`` naming its path.

    >>> import dast.builders as b
    >>> a, z = b.doc(b.p("one"), b.hr()), b.doc(b.hr(), b.p("one", b.strong("!")))
    >>> apply_diff(a, diff(a, z)) == z
    True
    """
    root = _root(doc, "the document")
    copier = _Copier(root if root is not None else {"type": "root", "children": []})
    for op in changes:
        if isinstance(op, Insert):
            kids, index = copier.siblings(op.path)
            if index > len(kids):
                raise DiffError(f"{format_path(op.path)}: cannot insert past the end")
            kids.insert(index, op.node)
        elif isinstance(op, (Remove, Replace)):
            kids, index = copier.siblings(op.path)
            expected = op.node if isinstance(op, Remove) else op.old
            if index >= len(kids) or kids[index].get("type") != expected.get("type"):
                raise DiffError(f"{format_path(op.path)}: no {expected.get('type')} node here")
            if isinstance(op, Remove):
                del kids[index]
            else:
                kids[index] = op.new
        elif isinstance(op, Move):
            kids, index = copier.siblings(op.source)
            to = op.path[-1]
            if index >= len(kids) or not isinstance(to, int) or to > len(kids) - 1:
                raise DiffError(f"{format_path(op.source)}: cannot move this node")
            kids.insert(to, kids.pop(index))
        else:
            node = copier.node(op.path)
            _set(node, op)
    children = copier.root.get("children")
    if not children:
        return None
    return load_document({"schema": "dast", "document": copier.root})


def _set(node: JsonNode, op: TextEdit | MarksChange | AttributeChange) -> None:
    if isinstance(op, TextEdit):
        if node.get(op.attribute) != op.old:
            raise DiffError(f"{format_path(op.target)}: the text is not the one diffed")
        node[op.attribute] = op.new
        return
    if isinstance(op, MarksChange):
        name, value = "marks", None if op.new is None else list(op.new)
    else:
        name, value = op.attribute, op.new
    if value is None:
        node.pop(name, None)
    else:
        node[name] = value


# --- printing -----------------------------------------------------------------------------

_RED, _GREEN, _CYAN, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[0m"


def node_summary(node: Mapping[str, Any], width: int = 40) -> str:
    """A node in a few words: its type and the start of its text (or its item / url).

    >>> node_summary({"type": "paragraph", "children": [{"type": "span", "value": "Hi there"}]})
    'paragraph "Hi there"'
    >>> node_summary({"type": "block", "item": {"id": "b1", "item_type": {"id": "cta"}}})
    'block b1 (model cta)'
    """
    t = str(node.get("type"))
    item = node.get("item")
    if item is not None:
        rid = item.get("id", "(new)") if isinstance(item, Mapping) else item
        model = item_type_id(item)
        shown = f"{t} {rid}" + (f" (model {model})" if model else "")
        if t != "itemLink":
            return shown
        t = shown
    if "url" in node:
        t = f"{t} <{_clip(str(node['url']), width)}>"
    text = _text_of(node, width)
    return f"{t} {_quote(_clip(text, width))}" if text else t


def _text_of(node: Mapping[str, Any], width: int) -> str:
    parts: list[str] = []
    size = 0
    stack: list[Mapping[str, Any]] = [node]
    while stack and size <= width:
        here = stack.pop()
        for key in ("value", "code"):
            value = here.get(key)
            if isinstance(value, str):
                parts.append(value)
                size += len(value)
        kids = here.get("children")
        if kids:
            stack.extend(reversed(kids))
    return "".join(parts)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _escape(text: str) -> str:
    """Text inside a quoted string: escapes as JSON does (so control characters show)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return _quote(_clip(value, 60))
    if isinstance(value, Mapping):
        rid = value.get("id")
        return f"record {rid}" if rid is not None else "a new record"
    return _clip(json.dumps(value, ensure_ascii=False, default=str), 60)


def _text_line(op: TextEdit, color: bool, context: int = 30) -> str:
    pieces: list[str] = []
    at = 0
    old = op.old
    for start, end, replacement in op.edits:
        between = old[at:start]
        if len(between) > 2 * context:
            head = between[:context] if at else ""
            between = f"{head}…{between[-context:]}"
        pieces.append(_escape(between))
        removed = old[start:end]
        if removed:
            shown = f"[-{_escape(removed)}-]"
            pieces.append(f"{_RED}{shown}{_RESET}" if color else shown)
        if replacement:
            shown = f"{{+{_escape(replacement)}+}}"
            pieces.append(f"{_GREEN}{shown}{_RESET}" if color else shown)
        at = end
    tail = old[at:]
    pieces.append(_escape(tail if len(tail) <= context else tail[:context] + "…"))
    body = "".join(pieces)
    what = "text" if op.attribute == "value" else op.attribute
    return f"{what} \"{body}\""


def describe(op: Operation, color: bool = False) -> str:
    """One operation as a line of text (``path: what changed``).

    >>> describe(AttributeChange(("children", 0), "level", 2, 3))
    'children[0].level: 2 -> 3'
    """
    where = format_path(op.path) or "(root)"
    if isinstance(op, Insert):
        line = f"{where}: inserted {node_summary(op.node)}"
        return f"{_GREEN}{line}{_RESET}" if color else line
    if isinstance(op, Remove):
        line = f"{where}: removed {node_summary(op.node)}"
        return f"{_RED}{line}{_RESET}" if color else line
    if isinstance(op, Move):
        line = f"{format_path(op.source)} -> {where}: moved {node_summary(op.node)}"
        return f"{_CYAN}{line}{_RESET}" if color else line
    if isinstance(op, Replace):
        return f"{where}: replaced {node_summary(op.old)} with {node_summary(op.new)}"
    if isinstance(op, TextEdit):
        return f"{where}: {_text_line(op, color)}"
    if isinstance(op, MarksChange):
        old = ", ".join(op.old or ()) or "none"
        new = ", ".join(op.new or ()) or "none"
        return f"{format_path(op.target)}: [{old}] -> [{new}]"
    if isinstance(op.old, Mapping) and isinstance(op.new, Mapping):
        return f"{format_path(op.target)}: {record_change(op.old, op.new)}"
    return f"{format_path(op.target)}: {_show(op.old)} -> {_show(op.new)}"


def record_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """What changed between two versions of a block record, in a few words.

    >>> record_change({"id": "b1", "label": "Go", "url": "/"}, {"id": "b1", "label": "Stop"})
    'record b1, changed: label, url'
    """
    rid_old, rid_new = old.get("id", "(new)"), new.get("id", "(new)")
    if rid_old != rid_new:
        return f"record {rid_old} -> record {rid_new}"
    if isinstance(old.get("attributes"), Mapping) and isinstance(new.get("attributes"), Mapping):
        old, new = old["attributes"], new["attributes"]
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return f"record {rid_old}, changed: {', '.join(map(str, keys)) or 'nothing'}"


def format_diff(changes: DocumentDiff | Sequence[Operation], color: bool = False) -> str:
    """The operations, one line each, by path (ANSI colours with ``color=True``); ``""`` when equal.

    >>> import dast.builders as b
    >>> print(format_diff(diff(b.doc(b.h(1, "A")), b.doc(b.h(2, "A")))))
    children[0].level: 1 -> 2
    """
    ordered = sorted(changes, key=lambda op: op.path)
    return "\n".join(describe(op, color) for op in ordered)
