"""Placeholder integrity: every record of the original accounted for after an edit.

dastdown stands for the records a document embeds (blocks, inline blocks,
inline items, item links) with placeholders, so an edit by a person, a
script or a language model can lose, duplicate or mangle them. Two checks
guard against that, kept apart from the parse proper so that they cost
nothing when not asked for:

* :func:`match_mangled_placeholder` recognises a tag that is close to a
  placeholder without being one (``<block id="X" />``, ``<block id='X'/>``,
  ``<Block id="X"/>``, curly quotes, ``<block id="X"></block>``, extra
  attributes...). The inline scanner calls it on every ``<`` that starts no
  valid tag, and the parser reports the match as an error with a
  suggestion (``did you mean <block id="X"/>?``), never as text (except
  inside a code span, where a tag is only talked about).
* :func:`account` compares the records a parse found with those of the
  original document: records missing, duplicated, unknown, turned from a
  block into an inline block (or back), links and inline items lost, and a
  whole text wrapped in a code fence. The result is an
  :class:`IntegrityReport` of :class:`IntegrityProblem` values, each with
  its line and column in the edited text and, for a record that is gone,
  where it was expected.

``dastdown.parse_with_report`` returns the report; ``parse(...,
strict=True)`` raises :class:`~dastdown.errors.DastdownIntegrityError`
when it is not empty.

>>> mangled = match_mangled_placeholder("<block id='b1' />")
>>> mangled.suggestion
'<block id="b1"/>'
>>> match_mangled_placeholder('<block id="b1"/>') is None  # the exact form is no near miss
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from typing_extensions import TypeIs

from dast.errors import Path, format_path
from dast.nodes import Block, Document, InlineBlock, InlineItem, ItemLink, Node
from dast.walk import collect_nodes

from .syntax import BLOCK_TAG, INLINE_BLOCK_TAG, INLINE_ITEM_TAG, quote

__all__ = [
    "CODES",
    "IntegrityProblem",
    "IntegrityReport",
    "MangledPlaceholder",
    "Occurrence",
    "RecordKind",
    "account",
    "match_mangled_placeholder",
    "original_records",
]

RecordKind = Literal["block", "inlineBlock", "inlineItem", "itemLink"]
"""The node types that stand for a record in dastdown text."""

CODES: dict[str, str] = {
    "missing": "a block or inline block of the original is not in the text",
    "duplicated": "a block or inline block is in the text more often than in the original",
    "unknown": "a block or inline block id the original does not hold",
    "kind-changed": "a block written as an inline block, or the other way round",
    "link-lost": "an item link or inline item of the original is not in the text",
    "fenced": "the whole text is wrapped in a code fence",
}
"""The integrity problem codes and what each means."""

_RECORD_KINDS = ("block", "inlineBlock", "inlineItem", "itemLink")
_BLOCKISH = ("block", "inlineBlock")
_NOUNS = {
    "block": "block",
    "inlineBlock": "inline block",
    "inlineItem": "inline item",
    "itemLink": "item link",
}
_TAGS = {"block": BLOCK_TAG, "inlineBlock": INLINE_BLOCK_TAG, "inlineItem": INLINE_ITEM_TAG}

# -- mangled placeholders -----------------------------------------------------------

# A tag whose name is a placeholder's in any case and spelling (inline-block,
# inline_block), spaces anywhere, any attributes, any closing form (/>, / >,
# >, ></block>), on one line. What makes it a placeholder is an id attribute
# in any quotes (straight, single, curly, guillemets) or none.
_NAME = r"(?:block|inline[-_ ]?block|inline[-_ ]?item)"
_MANGLED = re.compile(
    rf"<[ \t]*(?P<name>{_NAME})(?![A-Za-z0-9_-])(?P<attrs>[^<>\n]*?)[ \t]*/?[ \t]*>"
    rf"(?:[ \t]*<[ \t]*/[ \t]*{_NAME}[ \t]*>)?",
    re.IGNORECASE,
)
_CLOSING = re.compile(rf"<[ \t]*/[ \t]*(?P<name>{_NAME})[ \t]*>", re.IGNORECASE)
_DQ = "\u201c\u201d\u201e\u201f"  # curly double quotes
_SQ = "\u2018\u2019\u201a\u201b"  # curly single quotes
_GUILLEMETS = "\u00ab\u00bb\u2039\u203a"
_ID = re.compile(
    rf"""(?<![A-Za-z0-9_-])id[ \t]*=[ \t]*(?:
        "(?P<dq>[^"]*)"
      | '(?P<sq>[^']*)'
      | [{_DQ}](?P<cdq>[^{_DQ}]*)[{_DQ}]
      | [{_SQ}](?P<csq>[^{_SQ}]*)[{_SQ}]
      | [{_GUILLEMETS}][ \t]*(?P<guil>[^{_GUILLEMETS}]*?)[ \t]*[{_GUILLEMETS}]
      | `(?P<bq>[^`]*)`
      | (?P<bare>[^\s"'`/>{_DQ}{_SQ}{_GUILLEMETS}]+)
    )""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class MangledPlaceholder:
    """A tag close to a placeholder: what it says, and the placeholder meant.

    ``kind`` is the record kind the tag names, ``item_id`` the id it holds
    (``None`` for a lone closing tag such as ``</block>``), ``end`` where
    the tag ends in the text, ``suggestion`` the exact placeholder (``None``
    without an id).

    >>> m = match_mangled_placeholder("<InlineBlock ID=\u201cx\u201d>")
    >>> (m.kind, m.item_id, m.suggestion)
    ('inlineBlock', 'x', '<inlineBlock id="x"/>')
    """

    text: str
    kind: RecordKind
    item_id: str | None
    end: int

    @property
    def suggestion(self) -> str | None:
        """The exact placeholder the tag was meant to be."""
        if self.item_id is None:
            return None
        return _TAGS[self.kind].format(id=quote(self.item_id))

    def message(self) -> str:
        """What is wrong, and the fix.

        >>> match_mangled_placeholder("<block id='b1'/>").message()
        'malformed block placeholder <block id=\\'b1\\'/>: did you mean <block id="b1"/>?'
        """
        noun = _NOUNS[self.kind]
        if self.suggestion is None:
            return (
                f"stray closing tag {self.text}: placeholders close themselves, as in "
                f"{_TAGS[self.kind].format(id=quote('ID'))} (write \\< for a literal '<')"
            )
        return f"malformed {noun} placeholder {self.text}: did you mean {self.suggestion}?"


def _kind_of(name: str) -> RecordKind:
    folded = name.lower().replace("-", "").replace("_", "").replace(" ", "")
    if folded == "block":
        return "block"
    return "inlineBlock" if folded == "inlineblock" else "inlineItem"


def match_mangled_placeholder(text: str, pos: int = 0) -> MangledPlaceholder | None:
    """The near-miss placeholder starting at ``text[pos]`` (a ``<``), if there is one.

    A tag is a near miss when it names a placeholder (``block``,
    ``inlineBlock``, ``inlineItem``, in any case) and holds an ``id``
    attribute in any quotes, yet is not written exactly as the placeholder;
    a lone closing tag (``</block>``) is one too. Tags without an id
    (``<block>``, ``<blockquote>``) are not placeholders at all.

    >>> sorted({match_mangled_placeholder(t).suggestion for t in (
    ...     '<block id="X" />', "<Block id='X'/>", '<block id="X"></block>',
    ...     '<block type="b" id=X>', '< block id = "X"/>')})
    ['<block id="X"/>']
    >>> [match_mangled_placeholder(t) for t in ("<block>", "<blockquote id='x'>", "a < b")]
    [None, None, None]
    """
    if not text.startswith("<", pos):
        return None
    found = _MANGLED.match(text, pos)
    if found is None:
        closing = _CLOSING.match(text, pos)
        if closing is None:
            return None
        return MangledPlaceholder(closing.group(), _kind_of(closing["name"]), None, closing.end())
    attribute = _ID.search(found["attrs"])
    if attribute is None:
        return None
    item_id = next(value for value in attribute.groups() if value is not None)
    kind = _kind_of(found["name"])
    mangled = MangledPlaceholder(found.group(), kind, item_id, found.end())
    if found.group() == mangled.suggestion:
        return None  # the exact form (which the grammar reads first anyway)
    return mangled


# -- accounting -----------------------------------------------------------------------


@dataclass(frozen=True)
class IntegrityProblem:
    """One record not accounted for, at a ``line`` and ``column`` of the edited text.

    ``code`` is one of :data:`CODES`; ``kind`` and ``item_id`` name the
    record (``None`` for a problem with the whole text); ``original_path``
    is where the record sits in the original document, for a record that
    is gone.

    >>> p = IntegrityProblem("duplicated", "block", "b1", 5, 1, "block 'b1' is duplicated")
    >>> str(p)
    "line 5, column 1: block 'b1' is duplicated [duplicated]"
    """

    code: str
    kind: RecordKind | None
    item_id: str | None
    line: int
    column: int
    message: str
    original_path: Path | None = None

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class IntegrityReport:
    """The problems :func:`account` found (none: every record is accounted for).

    ``checked_original`` says whether there was an original to compare with
    (without one, only duplicates and a fenced text can be found).

    >>> report = IntegrityReport((), checked_original=True)
    >>> report.ok, len(report)
    (True, 0)
    """

    problems: tuple[IntegrityProblem, ...] = ()
    checked_original: bool = False

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    def __len__(self) -> int:
        return len(self.problems)

    def codes(self) -> list[str]:
        """The code of each problem, in order.

        >>> IntegrityReport().codes()
        []
        """
        return [problem.code for problem in self.problems]


Found = tuple[dict[str, Any], int, int]
"""A record node built by a parse (its DAST JSON), with its line and column."""

Occurrence = tuple[RecordKind, str, Path, "str | dict[str, Any]"]
"""A record node of the original: kind, id, path, and its ``item`` (id or record)."""


def _is_record(node: Node) -> TypeIs[Block | InlineBlock | InlineItem | ItemLink]:
    return isinstance(node, Block | InlineBlock | InlineItem | ItemLink)


def original_records(original: Document) -> list[Occurrence]:
    """The record nodes of ``original`` in document order: kind, id, path and item.

    A block whose record has no id (a block to create) cannot be written as
    a placeholder and is left out.

    >>> from dast.load import load_document
    >>> doc = load_document({"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "block", "item": "b1"}]}})
    >>> original_records(doc)
    [('block', 'b1', ('children', 0), 'b1')]
    """
    out: list[Occurrence] = []
    for node, _parent, path in collect_nodes(original.document, _is_record):
        item = node.item
        key = item if isinstance(item, str) else item.get("id")
        if isinstance(key, str):
            out.append((node.type, key, path, item))
    return out


def account(
    found: Sequence[Found],
    children: Sequence[Mapping[str, Any]],
    original: Document | None = None,
    records: Sequence[Occurrence] | None = None,
) -> IntegrityReport:
    """Compare the records a parse ``found`` with those of the ``original``.

    ``found`` are the record nodes of the edited text with their positions
    (their items may already be the original's records); ``children`` the
    parsed root children as DAST JSON (to tell a fenced text); ``records``
    the :func:`original_records` of ``original`` when already known.

    >>> from dast.load import load_document
    >>> original = load_document({"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "block", "item": "b1"}]}})
    >>> node = {"type": "block", "item": "b1"}
    >>> report = account([(node, 1, 1), (dict(node), 3, 1)], [node, node], original)
    >>> report.codes(), str(report.problems[0])[:60]
    (['duplicated'], "line 3, column 1: block 'b1' appears 2 times in the text; th")
    """
    problems: list[IntegrityProblem] = []
    if original is not None and records is None:
        records = original_records(original)
    original_children = None if original is None else original.document.children
    fenced = _fenced(children, original_children, records)
    if fenced is not None:
        problems.append(fenced)
    ordered = sorted(found, key=lambda entry: (entry[1], entry[2]))
    by_id: dict[str, list[Found]] = {}
    links: dict[tuple[str, str], list[Found]] = {}
    for entry in ordered:
        node = entry[0]
        kind, key = node["type"], node["item"]
        if kind in _BLOCKISH:
            by_id.setdefault(_record_id(key), []).append(entry)
        else:
            links.setdefault((kind, key), []).append(entry)
    if records is None:
        for key, entries in by_id.items():
            problems.extend(_duplicates(key, entries, 1, None))
        return IntegrityReport(tuple(_sorted(problems)), checked_original=False)
    counts: dict[str, list[Occurrence]] = {}
    for occurrence in records:
        if occurrence[0] in _BLOCKISH:
            counts.setdefault(occurrence[1], []).append(occurrence)
    for key, entries in by_id.items():
        expected = counts.get(key)
        if expected is None:
            problems.extend(_unknown(key, entry) for entry in entries)
            continue
        kinds = {occurrence[0] for occurrence in expected}
        for node, line, column in entries:
            if node["type"] not in kinds:
                was = "an inline block" if "inlineBlock" in kinds else "a block"
                problems.append(
                    IntegrityProblem(
                        "kind-changed",
                        node["type"],
                        key,
                        line,
                        column,
                        f"{_NOUNS[node['type']]} {key!r} was {was} in the original",
                    )
                )
        problems.extend(_duplicates(key, entries, len(expected), "the original"))
    if fenced is None:
        problems.extend(_missing(records, by_id, links))
    return IntegrityReport(tuple(_sorted(problems)), checked_original=True)


def _record_id(item: Any) -> str:
    """The id of a block's item, once the parse put the original record back."""
    if isinstance(item, str):
        return item
    key = item.get("id")
    return key if isinstance(key, str) else ""


def _sorted(problems: list[IntegrityProblem]) -> list[IntegrityProblem]:
    return sorted(problems, key=lambda p: (p.line, p.column))


def _unknown(key: str, entry: Found) -> IntegrityProblem:
    node, line, column = entry
    noun = _NOUNS[node["type"]]
    return IntegrityProblem(
        "unknown",
        node["type"],
        key,
        line,
        column,
        f"unknown {noun} id {key!r}: the original document has no block with this id",
    )


def _duplicates(
    key: str, entries: list[Found], allowed: int, source: str | None
) -> Iterable[IntegrityProblem]:
    """A problem for each occurrence of ``key`` beyond the ``allowed`` first ones."""
    if len(entries) <= allowed:
        return
    first = entries[0]
    times = "once" if allowed == 1 else f"{allowed} times"
    had = "" if source is None else f"; {source} has it {times}"
    for node, line, column in entries[allowed:]:
        noun = _NOUNS[node["type"]]
        yield IntegrityProblem(
            "duplicated",
            node["type"],
            key,
            line,
            column,
            f"{noun} {key!r} appears {len(entries)} times in the text{had} (first at line "
            f"{first[1]}): a record belongs in one place",
        )


def _missing(
    original: Sequence[Occurrence],
    by_id: Mapping[str, list[Found]],
    links: Mapping[tuple[str, str], list[Found]],
) -> list[IntegrityProblem]:
    """Records of the original the text lost, each located next to a survivor."""
    seen: dict[tuple[str, str], int] = {}
    present: list[Found | None] = []  # per original occurrence: where it is in the text
    for kind, key, _path, _item in original:
        group = (kind, key) if kind not in _BLOCKISH else ("", key)
        index = seen.get(group, 0)
        seen[group] = index + 1
        entries = by_id.get(key, ()) if kind in _BLOCKISH else links.get((kind, key), ())
        present.append(entries[index] if index < len(entries) else None)
    following: list[Found | None] = [None] * len(original)
    upcoming: Found | None = None
    for index in range(len(original) - 1, -1, -1):
        following[index] = upcoming
        here = present[index]
        if here is not None:
            upcoming = here
    problems: list[IntegrityProblem] = []
    previous: Found | None = None
    for index, (kind, key, path, _item) in enumerate(original):
        here = present[index]
        if here is not None:
            previous = here
            continue
        anchor, where = _anchor(previous, following[index])
        noun = _NOUNS[kind]
        code = "missing" if kind in _BLOCKISH else "link-lost"
        if code == "missing":
            what = f"{noun} {key!r} is missing"
        else:
            what = f"{noun}{' to' if kind == 'itemLink' else ''} {key!r} was lost"
        message = f"{what}: the original has it at {format_path(path) or '(root)'}; {where}"
        problems.append(
            IntegrityProblem(code, kind, key, anchor[0], anchor[1], message, original_path=path)
        )
    return problems


def _anchor(previous: Found | None, following: Found | None) -> tuple[tuple[int, int], str]:
    """Where a lost record was expected: after the record before it, or before the next."""
    if previous is not None:
        node, line, column = previous
        return (line, column), f"expected after {_tag(node)} (line {line})"
    if following is not None:
        node, line, column = following
        return (line, column), f"expected before {_tag(node)} (line {line})"
    return (1, 1), "no block of the original is left to place it by"


def _tag(node: Mapping[str, Any]) -> str:
    """How a record node is written (an item link by its destination)."""
    if node["type"] == "itemLink":
        return f"the link to dato:item/{node['item']}"
    return _TAGS[node["type"]].format(id=quote(_record_id(node["item"])))


_PLACEHOLDER_HINT = re.compile(r"<(?:block|inlineBlock|inlineItem) id=\"|\]\(dato:item/")
_PROSE_LANGUAGES = frozenset({"", "dastdown", "markdown", "md", "text", "txt", "plain"})


def _fenced(
    children: Sequence[Mapping[str, Any]],
    original_children: Sequence[Node] | None,
    records: Sequence[Occurrence] | None,
) -> IntegrityProblem | None:
    """A problem when the whole text is one code block that should not be one.

    With an original: when the original is not one code block. Without
    one: when the fence's language is a prose one (none, dastdown,
    markdown...) and its body holds placeholders, or says it is dastdown.
    """
    if len(children) != 1 or children[0].get("type") != "code":
        return None
    code = children[0]
    if original_children is not None:
        if len(original_children) == 1 and original_children[0].type == "code":
            return None
        body = code.get("code")
        if any(getattr(child, "code", None) == body for child in original_children):
            return None  # the original's own code block, everything else deleted: no fence
    else:
        language = str(code.get("language", "")).strip().lower()
        if language not in _PROSE_LANGUAGES:
            return None
        if language != "dastdown" and not _PLACEHOLDER_HINT.search(str(code.get("code", ""))):
            return None
    held = ""
    if records and _PLACEHOLDER_HINT.search(str(code.get("code", ""))):
        held = f" (the {len(records)} records of the original are inside it)"
    return IntegrityProblem(
        "fenced",
        None,
        None,
        1,
        1,
        f"the whole text is one code block{held}: a language model may have wrapped its "
        "answer in ``` fences; remove the first and last lines",
    )
