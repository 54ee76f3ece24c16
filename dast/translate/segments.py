"""Translatable segments of a document, and the document rebuilt from their translations.

:func:`extract_segments` cuts a document into :class:`Segment` units, one per
paragraph (at the root, in a list item or in a blockquote), heading,
blockquote attribution and, when asked, code block and string/text field of
a block record. A segment's ``content`` is text with *inline codes*:

- paired codes (:class:`Start` ... :class:`End`, XLIFF ``<g>``) for a span
  with marks, and for a link or an item link;
- standalone codes (:class:`Standalone`, XLIFF ``<x/>``) for an inline item,
  an inline block, a line break (``\\n`` in a span) and a character XML 1.0
  cannot carry (C0 controls other than tab and CR, lone surrogates, U+FFFE
  and U+FFFF).

A span without marks is bare text; a second bare span right after another
one (or an empty one) gets a paired code of kind ``span`` so that the span
boundaries survive: rebuilding from the untouched codes gives the very same
nodes, canonical or not.

:func:`apply_segments` rebuilds the document from translations keyed by
segment id. Every translation is checked against its segment's codes: an
unknown, duplicated, missing or badly nested code is a :class:`SegmentProblem`
naming the segment and the code. Mark codes may be dropped when the caller
allows it (the text keeps the marks of the codes around it); links, item
links, inline items, inline blocks, line breaks and special characters never.

Segment ids are stable: ``<kind letter>-<10 hex digits of a hash of the
source content>``, with ``.2``, ``.3`` ... on later segments with the same
content, or ``<block id>.<field>`` for a block record's field. They depend on
neither the position nor the neighbours of the segment, so an edit, an
insertion or a deletion elsewhere in the document keeps every other id;
only a segment whose own source changed (which needs a new translation)
gets a new id. (An id counting positions among siblings would shift every
later id on an insertion.)

>>> import dast.builders as b
>>> doc = b.doc(b.h(1, "Title"), b.p("Hello ", b.strong("world"), "!"))
>>> [(s.id, s.kind, s.context) for s in extract_segments(doc)]
[('h-44e989d14d', 'heading', ()), ('p-e7edfea443', 'paragraph', ('Title',))]
>>> seg = extract_segments(doc)[1]
>>> seg.content
('Hello ', Start(code='1'), 'world', End(code='1'), '!')
>>> out = apply_segments(doc, {seg.id: ("Ciao ", Start("1"), "mondo", End("1"), "!")})
>>> out.document.document.children[1].children[1]
Span(type='span', value='mondo', marks=('strong',))
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as _field
from typing import Any, Literal

from ..cma.schema import FieldSchema, ItemTypeSchema, SchemaRepository
from ..cma.shapes import attributes_of, id_of, item_type_id_of, with_attributes
from ..errors import DastError
from ..nodes import (
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    InlineNode,
    ItemLink,
    Link,
    Node,
    Paragraph,
    Span,
)
from ..walk import for_each_node, map_nodes

__all__ = [
    "TEXT_FIELD_TYPES",
    "CodeKind",
    "End",
    "InlineCode",
    "Segment",
    "SegmentKind",
    "SegmentProblem",
    "Standalone",
    "Start",
    "Token",
    "Translation",
    "TranslationError",
    "TranslationReport",
    "TranslationResult",
    "apply_segments",
    "apply_text",
    "check_translation",
    "extract_segments",
    "is_text_field",
    "split_text",
    "text_segment",
]

SegmentKind = Literal["paragraph", "heading", "code", "attribution", "block-field"]
"""Where a segment comes from."""

CodeKind = Literal[
    "marks", "span", "link", "itemLink", "inlineItem", "inlineBlock", "break", "char"
]
"""What an inline code stands for."""

TEXT_FIELD_TYPES: frozenset[str] = frozenset({"string", "text"})
"""The CMA field types whose values are translatable text."""

_NOT_PROSE_VALIDATORS = ("enum", "format")


def is_text_field(spec: FieldSchema) -> bool:
    """Whether a field holds prose to translate: a string or text field whose value is not
    one of a fixed set (``enum``) nor a URL, an email or a pattern (``format``).

    >>> is_text_field(FieldSchema("F", "caption", "string", False, "M"))
    True
    >>> is_text_field(FieldSchema("F", "url", "string", False, "M",
    ...     validators={"format": {"predefined_pattern": "url"}}))
    False
    """
    return spec.field_type in TEXT_FIELD_TYPES and not any(
        name in spec.validators for name in _NOT_PROSE_VALIDATORS
    )

_PAIRED: frozenset[str] = frozenset({"marks", "span", "link", "itemLink"})
_DROPPABLE: frozenset[str] = frozenset({"marks", "span"})
_LINKS: frozenset[str] = frozenset({"link", "itemLink"})
_PREFIX: Mapping[str, str] = {
    "paragraph": "p",
    "heading": "h",
    "code": "c",
    "attribution": "q",
    "block-field": "f",
}

_SPECIAL = re.compile("[\n\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""A line break, or a character XML 1.0 cannot carry (CR and tab it can)."""


@dataclass(frozen=True, slots=True)
class Start:
    """The opening tag of a paired code (XLIFF ``<g id=...>``).

    >>> Start("1")
    Start(code='1')
    """

    code: str


@dataclass(frozen=True, slots=True)
class End:
    """The closing tag of a paired code (XLIFF ``</g>``).

    >>> End("1")
    End(code='1')
    """

    code: str


@dataclass(frozen=True, slots=True)
class Standalone:
    """A standalone code (XLIFF ``<x id=.../>``).

    >>> Standalone("2")
    Standalone(code='2')
    """

    code: str


Token = str | Start | End | Standalone
"""One piece of a segment's content: text, or a code tag."""

Translation = str | Sequence[Token]
"""A segment's translation: tokens, or plain text (for a segment without codes)."""


@dataclass(frozen=True)
class InlineCode:
    """One inline code of a segment: its id (``"1"``, ``"2"`` ...) and what it stands for.

    ``node`` is the link, item link, inline item or inline block; ``marks`` the
    span's marks (kind ``marks``); ``char`` the character (``break``, ``char``).

    >>> InlineCode("1", "marks", marks=("strong",)).label
    'strong'
    >>> InlineCode("2", "char", char="\\x07").label
    'character U+0007'
    """

    id: str
    kind: CodeKind
    node: Link | ItemLink | InlineItem | InlineBlock | None = None
    marks: tuple[str, ...] | None = None
    char: str = ""

    @property
    def paired(self) -> bool:
        """Whether the code wraps text (``<g>``) rather than standing alone (``<x/>``)."""
        return self.kind in _PAIRED

    @property
    def droppable(self) -> bool:
        """Whether a translation may leave the code out when dropping marks is allowed."""
        return self.kind in _DROPPABLE

    @property
    def label(self) -> str:
        """A short description for messages and notes."""
        node = self.node
        if self.kind == "marks":
            return "+".join(self.marks or ()) or "no marks"
        if self.kind == "span":
            return "span"
        if isinstance(node, Link):
            return f"link to {node.url}"
        if isinstance(node, ItemLink):
            return f"link to record {node.item}"
        if isinstance(node, InlineItem):
            return f"inline record {node.item}"
        if isinstance(node, InlineBlock):
            item = node.item
            return f"inline block {item if isinstance(item, str) else id_of(item) or '(new)'}"
        if self.kind == "break":
            return "line break"
        return f"character U+{ord(self.char):04X}"


@dataclass(frozen=True)
class Segment:
    """One translatable unit: a stable id, its source content and its codes.

    ``context`` is the heading path above it (for a block field: the block
    model's api_key); ``field`` the api_key of a block field.

    >>> import dast.builders as b
    >>> seg = extract_segments(b.doc(b.p("a", b.em("b"))))[0]
    >>> seg.text, seg.tagged(), seg.codes[0].label
    ('ab', 'a<1>b</1>', 'emphasis')
    """

    id: str
    kind: SegmentKind
    content: tuple[Token, ...]
    codes: tuple[InlineCode, ...]
    context: tuple[str, ...] = ()
    field: str | None = None
    _by_id: Mapping[str, InlineCode] = _field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {code.id: code for code in self.codes})

    def code(self, code_id: str) -> InlineCode | None:
        """The code with this id, or ``None``.

        >>> import dast.builders as b
        >>> extract_segments(b.doc(b.p("a", b.em("b"))))[0].code("1").kind
        'marks'
        """
        return self._by_id.get(code_id)

    @property
    def text(self) -> str:
        """The source as plain text (line breaks and special characters included)."""
        return _plain(self, self.content)

    def tagged(self) -> str:
        """The source with codes as short tags: ``<1>``...``</1>`` and ``<2/>``."""
        out: list[str] = []
        for token in self.content:
            if isinstance(token, str):
                out.append(token)
            elif isinstance(token, Start):
                out.append(f"<{token.code}>")
            elif isinstance(token, End):
                out.append(f"</{token.code}>")
            else:
                out.append(f"<{token.code}/>")
        return "".join(out)


@dataclass(frozen=True)
class SegmentProblem:
    """Why a translation was rejected: the segment, the code (if one is to blame), a message.

    >>> str(SegmentProblem("p-1", "2", "code 2 (line break) is missing"))
    'segment p-1: code 2 (line break) is missing'
    """

    segment: str
    code: str | None
    message: str

    def __str__(self) -> str:
        return f"segment {self.segment}: {self.message}"


class TranslationError(DastError, ValueError):
    """Translations that cannot be applied; ``problems`` lists every one."""

    def __init__(self, problems: Sequence[SegmentProblem]) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            message = f"translation rejected: {lines[0]}"
        else:
            message = f"{len(lines)} translations rejected:\n" + "\n".join(f"  {x}" for x in lines)
        super().__init__(message)


@dataclass(frozen=True)
class TranslationReport:
    """What :func:`apply_segments` did.

    ``applied``: segment ids translated; ``rejected``: problems of the
    translations left out (only when not ``strict``); ``untranslated``:
    segments without a translation (their source is kept); ``unknown``:
    translation ids matching no segment; ``dropped``: ``(segment id, code
    id, label)`` of mark codes a translation left out.
    """

    applied: tuple[str, ...] = ()
    rejected: tuple[SegmentProblem, ...] = ()
    untranslated: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    dropped: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class TranslationResult:
    """The translated document and the :class:`TranslationReport`."""

    document: Document
    report: TranslationReport


# --- encoding --------------------------------------------------------------------------------


class _Builder:
    """Collects the tokens and codes of one segment."""

    __slots__ = ("codes", "tokens")

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.codes: list[InlineCode] = []

    def new(
        self,
        kind: CodeKind,
        node: Link | ItemLink | InlineItem | InlineBlock | None = None,
        marks: tuple[str, ...] | None = None,
        char: str = "",
    ) -> str:
        code = InlineCode(str(len(self.codes) + 1), kind, node, marks, char)
        self.codes.append(code)
        return code.id

    def text(self, value: str) -> None:
        start = 0
        for match in _SPECIAL.finditer(value):
            if match.start() > start:
                self.tokens.append(value[start : match.start()])
            char = match.group()
            self.tokens.append(Standalone(self.new("break" if char == "\n" else "char", char=char)))
            start = match.end()
        if start < len(value):
            self.tokens.append(value[start:])

    def spans(self, children: Sequence[InlineNode]) -> None:
        bare = False  # the previous token is bare text of a span without marks
        for child in children:
            if isinstance(child, Span):
                if child.marks is None and child.value and not bare:
                    self.text(child.value)
                    bare = True
                    continue
                kind: CodeKind = "span" if child.marks is None else "marks"
                cid = self.new(kind, marks=child.marks)
                self.tokens.append(Start(cid))
                self.text(child.value)
                self.tokens.append(End(cid))
            elif isinstance(child, (Link, ItemLink)):
                cid = self.new("link" if isinstance(child, Link) else "itemLink", child)
                self.tokens.append(Start(cid))
                self.spans(child.children)
                self.tokens.append(End(cid))
            else:
                kind = "inlineItem" if isinstance(child, InlineItem) else "inlineBlock"
                self.tokens.append(Standalone(self.new(kind, child)))
            bare = False


def split_text(value: str) -> tuple[tuple[Token, ...], tuple[InlineCode, ...]]:
    """Plain text as tokens: line breaks and characters XML cannot carry become codes.

    >>> split_text("a\\nb")
    (('a', Standalone(code='1'), 'b'), (InlineCode(id='1', kind='break', node=None, marks=None, char='\\n'),))
    """  # noqa: E501
    builder = _Builder()
    builder.text(value)
    return tuple(builder.tokens), tuple(builder.codes)


def text_segment(segment_id: str, value: str, context: tuple[str, ...] = ()) -> Segment | None:
    """A plain-text value (a record's string field, say) as one segment (``None`` if blank).

    >>> text_segment("title", "Hello\\nworld").tagged()
    'Hello<1/>world'
    """
    tokens, codes = split_text(value)
    if not _has_text(tokens):
        return None
    return Segment(segment_id, "block-field", tokens, codes, context, segment_id)


def apply_text(
    segment: Segment, translation: Translation, *, allow_dropped_marks: bool = False
) -> str:
    """The plain text of a checked translation of a plain-text segment.

    Raises :class:`TranslationError` when the translation breaks a code.

    >>> seg = text_segment("title", "Hello\\nworld")
    >>> apply_text(seg, ("Ciao", Standalone("1"), "mondo"))
    'Ciao\\nmondo'
    """
    try:
        tokens = _tokens(segment, translation)
        _check(segment, tokens, allow_dropped_marks)
    except _Rejected as exc:
        raise TranslationError([SegmentProblem(segment.id, exc.code, exc.message)]) from None
    return _plain(segment, tokens)


def _plain(segment: Segment, tokens: Sequence[Token]) -> str:
    out: list[str] = []
    for token in tokens:
        if isinstance(token, str):
            out.append(token)
        elif isinstance(token, Standalone):
            code = segment.code(token.code)
            if code is not None:
                out.append(code.char)
    return "".join(out)


def _has_text(tokens: Sequence[Token]) -> bool:
    return any(isinstance(t, str) and not t.isspace() for t in tokens)


def _hash(kind: str, tokens: Sequence[Token], codes: Sequence[InlineCode]) -> str:
    parts: list[str] = [kind]
    by_id = {code.id: code for code in codes}
    for token in tokens:
        if isinstance(token, str):
            parts.append(token)
        elif isinstance(token, Start):
            parts.append(f"\x01{by_id[token.code].kind}\x01")
        elif isinstance(token, End):
            parts.append("\x02")
        else:
            code = by_id[token.code]
            mark = f"{ord(code.char):x}" if code.char else code.kind
            parts.append(f"\x03{mark}\x03")
    data = "".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=5).hexdigest()


class _Extractor:
    """Names the segments of one document in document order (shared by extract and apply)."""

    def __init__(self, include_code: bool, schema: SchemaRepository | None) -> None:
        self.include_code = include_code
        self.schema = schema
        self.seen: dict[str, int] = {}

    def _id(self, base: str) -> str:
        count = self.seen.get(base, 0) + 1
        self.seen[base] = count
        return base if count == 1 else f"{base}.{count}"

    def _segment(
        self,
        kind: SegmentKind,
        builder: _Builder,
        context: tuple[str, ...] = (),
        base: str | None = None,
        field_name: str | None = None,
    ) -> Segment | None:
        tokens = tuple(builder.tokens)
        if not _has_text(tokens):
            return None
        codes = tuple(builder.codes)
        if base is None:
            base = f"{_PREFIX[kind]}-{_hash(kind, tokens, codes)}"
        return Segment(self._id(base), kind, tokens, codes, context, field_name)

    def inline(
        self, node: Paragraph | Heading, context: tuple[str, ...] = ()
    ) -> Segment | None:
        builder = _Builder()
        builder.spans(node.children)
        kind: SegmentKind = "heading" if isinstance(node, Heading) else "paragraph"
        return self._segment(kind, builder, context)

    def plain(self, kind: SegmentKind, value: str, context: tuple[str, ...] = ()) -> Segment | None:
        builder = _Builder()
        builder.text(value)
        return self._segment(kind, builder, context)

    def block_fields(self, node: Block | InlineBlock) -> list[Segment]:
        item = node.item
        if self.schema is None or not isinstance(item, Mapping):
            return []
        return self.record(item)

    def record(self, item: Mapping[str, Any]) -> list[Segment]:
        """The segments of a block record: its text fields, its nested blocks' and documents'."""
        schema = self.schema
        found = _record_model(item, schema)
        if schema is None or found is None:
            return []
        model, attrs, block_id = found
        out: list[Segment] = []
        for spec in schema.fields(model.id):
            value = attrs.get(spec.api_key)
            if spec.field_type in TEXT_FIELD_TYPES:
                if isinstance(value, str) and is_text_field(spec):
                    segment = self.field_text(value, model.api_key, spec.api_key, block_id)
                    if segment is not None:
                        out.append(segment)
            elif block_id is None:  # nested content needs a block id to name its segments
                continue
            elif spec.field_type == "structured_text" and isinstance(value, Mapping):
                if not _is_dast(value):
                    continue
                prefix = f"{block_id}.{spec.api_key}."
                nested = _Extractor(self.include_code, schema)
                for segment in nested.extract(_as_document(value)):
                    out.append(
                        replace(
                            segment,
                            id=prefix + segment.id,
                            context=(f"{model.api_key}.{spec.api_key}", *segment.context),
                        )
                    )
            else:
                for record in _nested_records(spec.field_type, value):
                    out.extend(self.record(record))
        return out

    def field_text(
        self, value: str, model: str, field_name: str, block_id: str | None
    ) -> Segment | None:
        builder = _Builder()
        builder.text(value)
        base = f"{block_id}.{field_name}" if block_id else None
        return self._segment("block-field", builder, (model,), base, field_name)

    def extract(self, doc: Document) -> list[Segment]:
        """Every segment of ``doc``, in document order."""
        out: list[Segment] = []
        headings: list[tuple[int, str]] = []

        def visit(node: Node) -> None:
            segment: Segment | None = None
            context = tuple(text for _, text in headings)
            if isinstance(node, Heading):
                while headings and headings[-1][0] >= node.level:
                    headings.pop()
                segment = self.inline(node, tuple(text for _, text in headings))
                headings.append((node.level, _heading_text(node)))
            elif isinstance(node, Paragraph):
                segment = self.inline(node, context)
            elif isinstance(node, Blockquote) and node.attribution is not None:
                segment = self.plain("attribution", node.attribution, context)
            elif isinstance(node, Code) and self.include_code:
                segment = self.plain("code", node.code, context)
            elif isinstance(node, (Block, InlineBlock)):
                out.extend(self.block_fields(node))
            if segment is not None:
                out.append(segment)

        for_each_node(doc, visit)
        return out


def _is_dast(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("schema") == "dast" and "document" in value


def _record_model(
    item: Mapping[str, Any], schema: SchemaRepository | None
) -> tuple[ItemTypeSchema, dict[str, Any], str | None] | None:
    """The model, attributes and id of a block record (``None`` when the schema lacks it)."""
    if schema is None:
        return None
    try:
        model_id = item_type_id_of(item)
        model = schema.find_item_type(model_id) if model_id else None
        if model is None:
            return None
        return model, attributes_of(item), id_of(item)
    except DastError:  # not a record after all (a wrong "type", say): nothing to translate
        return None


def _nested_records(field_type: str, value: object) -> list[Mapping[str, Any]]:
    """The block records held by a modular content or single block value."""
    if field_type == "rich_text" and isinstance(value, list):
        return [record for record in value if isinstance(record, Mapping)]
    if field_type == "single_block" and isinstance(value, Mapping):
        return [value]
    return []


def _heading_text(node: Heading) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, Span):
            parts.append(child.value)
        elif isinstance(child, (Link, ItemLink)):
            parts.extend(span.value for span in child.children)
    return " ".join("".join(parts).split())


def extract_segments(
    doc: Document | Mapping[str, object],
    *,
    include_code: bool = False,
    schema: SchemaRepository | None = None,
) -> list[Segment]:
    """The translatable segments of a document, in document order.

    ``include_code`` adds code blocks; ``schema`` adds the string and text
    fields of block records given in full (not as bare ids), found through
    the block's model. The same options must be given to :func:`apply_segments`.

    >>> import dast.builders as b
    >>> [s.tagged() for s in extract_segments(b.doc(b.p("a", b.link("https://x.y", "b"))))]
    ['a<1>b</1>']
    """
    return _Extractor(include_code, schema).extract(_as_document(doc))


def _as_document(doc: Document | Mapping[str, object]) -> Document:
    if isinstance(doc, Document):
        return doc
    from ..load import load_document

    loaded = load_document(doc)
    if loaded is None:
        raise DastError("nothing to translate: the document is null (an empty field)")
    return loaded


# --- checking and decoding -------------------------------------------------------------------


class _Rejected(Exception):
    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _describe(code: InlineCode) -> str:
    return f"code {code.id} ({code.label})"


def _tokens(segment: Segment, translation: Translation) -> tuple[Token, ...]:
    if isinstance(translation, str):
        return (translation,) if translation else ()
    out: list[Token] = []
    for token in translation:
        if not isinstance(token, (str, Start, End, Standalone)):
            raise _Rejected(None, f"not a text or code token: {token!r}")
        out.append(token)
    return tuple(out)


def _check(
    segment: Segment, tokens: Sequence[Token], allow_dropped_marks: bool
) -> list[InlineCode]:
    """Check the codes of a translation; return the codes it dropped (raise ``_Rejected``)."""
    seen: set[str] = set()
    stack: list[InlineCode] = []
    for token in tokens:
        if isinstance(token, str):
            if _SPECIAL.search(token):
                char = _SPECIAL.search(token).group()  # type: ignore[union-attr]
                what = "a line break" if char == "\n" else f"character U+{ord(char):04X}"
                raise _Rejected(None, f"the text holds {what}: it must be a code of the source")
            continue
        code = segment.code(token.code)
        if code is None:
            raise _Rejected(token.code, f"code {token.code} is not in the source")
        if isinstance(token, End):
            if not stack or stack[-1] is not code:
                if code.id not in seen:
                    raise _Rejected(code.id, f"{_describe(code)} is closed before it is opened")
                opened = _describe(stack[-1]) if stack else "no code"
                raise _Rejected(
                    code.id, f"{_describe(code)} is closed while {opened} is open (unbalanced)"
                )
            stack.pop()
            continue
        if code.id in seen:
            raise _Rejected(code.id, f"{_describe(code)} appears twice")
        seen.add(code.id)
        if isinstance(token, Start) and not code.paired:
            raise _Rejected(code.id, f"{_describe(code)} is a standalone code, not a pair")
        if isinstance(token, Standalone) and code.paired:
            raise _Rejected(code.id, f"{_describe(code)} is a paired code, used alone")
        if code.kind in _LINKS or code.kind in ("inlineItem", "inlineBlock"):
            outer = next((c for c in stack if c.kind in _LINKS), None)
            if outer is not None:
                raise _Rejected(code.id, f"{_describe(code)} is inside {_describe(outer)}")
        if isinstance(token, Start):
            stack.append(code)
    if stack:
        raise _Rejected(stack[-1].id, f"{_describe(stack[-1])} is never closed (unbalanced)")
    dropped: list[InlineCode] = []
    for code in segment.codes:
        if code.id in seen:
            continue
        if code.droppable and allow_dropped_marks:
            dropped.append(code)
        else:
            hint = " (dropping marks is not allowed)" if code.droppable else ""
            raise _Rejected(code.id, f"{_describe(code)} is missing{hint}")
    if _has_text(segment.content) and not any(isinstance(t, str) and t for t in tokens):
        raise _Rejected(None, "the translation is empty")
    return dropped


def _marks_of(open_marks: Sequence[InlineCode]) -> tuple[str, ...] | None:
    marked = [code.marks for code in open_marks if code.marks is not None]
    if not marked:
        return None
    if len(marked) == 1:
        return marked[0]
    return tuple(dict.fromkeys(m for marks in marked for m in marks))


def _inlines(segment: Segment, tokens: Sequence[Token]) -> tuple[InlineNode, ...]:
    """Inline nodes from checked tokens."""
    containers: list[list[InlineNode]] = [[]]
    open_marks: list[InlineCode] = []
    started: list[int] = []
    buffer: list[str] = []
    emitted = 0

    def flush() -> None:
        nonlocal emitted
        if buffer:
            containers[-1].append(Span(value="".join(buffer), marks=_marks_of(open_marks)))
            buffer.clear()
            emitted += 1

    for token in tokens:
        if isinstance(token, str):
            buffer.append(token)
            continue
        code = segment.code(token.code)
        assert code is not None  # checked
        if isinstance(token, Standalone):
            if code.kind in ("break", "char"):
                buffer.append(code.char)
            else:
                flush()
                assert code.node is not None
                containers[-1].append(code.node)
                emitted += 1
            continue
        flush()
        if code.kind in _LINKS:
            if isinstance(token, Start):
                containers.append([])
                continue
            kids = containers.pop()
            if not kids:
                raise _Rejected(code.id, f"{_describe(code)} holds no text")
            assert code.node is not None
            containers[-1].append(code.node.model_copy(update={"children": tuple(kids)}))
            emitted += 1
        elif isinstance(token, Start):
            open_marks.append(code)
            started.append(emitted)
        else:
            if started.pop() == emitted:  # an empty span keeps its place
                containers[-1].append(Span(value="", marks=_marks_of(open_marks)))
                emitted += 1
            open_marks.pop()
    flush()
    return tuple(containers[0])


def check_translation(
    segment: Segment, translation: Translation, *, allow_dropped_marks: bool = False
) -> SegmentProblem | None:
    """The problem with a translation of ``segment``, or ``None`` when it can be applied.

    >>> import dast.builders as b
    >>> seg = extract_segments(b.doc(b.p("a", b.link("https://x.y", "b"))))[0]
    >>> print(check_translation(seg, "ab"))
    segment p-e62b3359ae: code 1 (link to https://x.y) is missing
    >>> check_translation(seg, ("A", Start("1"), "B", End("1"))) is None
    True
    """
    try:
        tokens = _tokens(segment, translation)
        _check(segment, tokens, allow_dropped_marks)
        if segment.kind in ("paragraph", "heading"):
            _inlines(segment, tokens)
    except _Rejected as exc:
        return SegmentProblem(segment.id, exc.code, exc.message)
    return None


# --- applying --------------------------------------------------------------------------------


class _Applier:
    def __init__(
        self,
        translations: Mapping[str, Translation],
        allow_dropped_marks: bool,
        extractor: _Extractor,
    ) -> None:
        self.translations = translations
        self.allow = allow_dropped_marks
        self.extractor = extractor
        self.applied: list[str] = []
        self.rejected: list[SegmentProblem] = []
        self.untranslated: list[str] = []
        self.dropped: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def tokens(self, segment: Segment | None) -> tuple[Token, ...] | None:
        """The checked translation of a segment, or ``None`` to keep the source."""
        if segment is None:
            return None
        self.ids.add(segment.id)
        translation = self.translations.get(segment.id)
        if translation is None:
            self.untranslated.append(segment.id)
            return None
        try:
            tokens = _tokens(segment, translation)
            dropped = _check(segment, tokens, self.allow)
        except _Rejected as exc:
            self.rejected.append(SegmentProblem(segment.id, exc.code, exc.message))
            return None
        self.dropped.extend((segment.id, code.id, code.label) for code in dropped)
        self.applied.append(segment.id)
        return tokens

    def inline(self, node: Paragraph | Heading) -> Paragraph | Heading:
        segment = self.extractor.inline(node)
        tokens = self.tokens(segment)
        if tokens is None or segment is None:
            return node
        try:
            children = _inlines(segment, tokens)
        except _Rejected as exc:
            self.applied.pop()
            self.rejected.append(SegmentProblem(segment.id, exc.code, exc.message))
            return node
        if children == node.children:
            return node
        return node.model_copy(update={"children": children})

    def plain(self, kind: SegmentKind, value: str) -> str:
        segment = self.extractor.plain(kind, value)
        tokens = self.tokens(segment)
        if tokens is None or segment is None:
            return value
        return _plain(segment, tokens)

    def block(self, node: Block | InlineBlock) -> Block | InlineBlock:
        item = node.item
        if self.extractor.schema is None or not isinstance(item, Mapping):
            return node
        new_item = self.record(item)
        if new_item is item:
            return node
        return node.model_copy(update={"item": new_item})

    def record(self, item: Mapping[str, Any]) -> Mapping[str, Any]:
        """The block record with its segments translated (the same object if none changed)."""
        schema = self.extractor.schema
        found = _record_model(item, schema)
        if schema is None or found is None:
            return item
        model, attrs, block_id = found
        changes: dict[str, Any] = {}
        for spec in schema.fields(model.id):
            key = spec.api_key
            value = attrs.get(key)
            if spec.field_type in TEXT_FIELD_TYPES:
                if isinstance(value, str) and is_text_field(spec):
                    segment = self.extractor.field_text(value, model.api_key, key, block_id)
                    tokens = self.tokens(segment)
                    if tokens is not None and segment is not None:
                        text = _plain(segment, tokens)
                        if text != value:
                            changes[key] = text
            elif block_id is None:
                continue
            elif spec.field_type == "structured_text" and isinstance(value, Mapping):
                if _is_dast(value):
                    nested = self.nested(f"{block_id}.{key}.", _as_document(value))
                    if nested is not None:
                        changes[key] = nested.to_json()
            elif spec.field_type == "rich_text" and isinstance(value, list):
                records = [self.record(r) if isinstance(r, Mapping) else r for r in value]
                if any(a is not b for a, b in zip(records, value, strict=True)):
                    changes[key] = records
            elif spec.field_type == "single_block" and isinstance(value, Mapping):
                record = self.record(value)
                if record is not value:
                    changes[key] = record
        if not changes:
            return item
        return with_attributes(item, changes)

    def nested(self, prefix: str, doc: Document) -> Document | None:
        """Translate a document inside a block; its segment ids carry ``prefix``."""
        inner = {
            key[len(prefix) :]: value
            for key, value in self.translations.items()
            if key.startswith(prefix)
        }
        sub = _Applier(inner, self.allow, _Extractor(self.extractor.include_code,
                                                     self.extractor.schema))
        result = sub.run(doc)
        self.applied.extend(prefix + x for x in sub.applied)
        self.untranslated.extend(prefix + x for x in sub.untranslated)
        self.ids.update(prefix + x for x in sub.ids)
        self.dropped.extend((prefix + a, b, c) for a, b, c in sub.dropped)
        self.rejected.extend(
            SegmentProblem(prefix + p.segment, p.code, p.message) for p in sub.rejected
        )
        return None if result is doc else result

    def run(self, doc: Document) -> Document:
        """Map the document, translating each segment."""
        include_code = self.extractor.include_code

        def mapper(node: Node) -> Node:
            if isinstance(node, (Paragraph, Heading)):
                return self.inline(node)
            if isinstance(node, Blockquote) and node.attribution is not None:
                attribution = self.plain("attribution", node.attribution)
                if attribution != node.attribution:
                    return node.model_copy(update={"attribution": attribution})
            elif isinstance(node, Code) and include_code:
                code = self.plain("code", node.code)
                if code != node.code:
                    return node.model_copy(update={"code": code})
            elif isinstance(node, (Block, InlineBlock)):
                return self.block(node)
            return node

        return map_nodes(doc, mapper)


def apply_segments(
    doc: Document | Mapping[str, object],
    translations: Mapping[str, Translation],
    *,
    allow_dropped_marks: bool = False,
    include_code: bool = False,
    schema: SchemaRepository | None = None,
    strict: bool = True,
) -> TranslationResult:
    """The document with every segment replaced by its translation (a new tree).

    ``translations`` maps segment ids (from :func:`extract_segments` with the
    same ``include_code`` and ``schema``) to token sequences or plain text.
    Segments without a translation keep their source. With ``strict`` (the
    default) any rejected translation raises :class:`TranslationError`
    listing every problem; otherwise the rejected segments keep their source
    and are listed in the report, so good translations are applied one by one.

    >>> import dast.builders as b
    >>> doc = b.doc(b.p("Hello ", b.link("https://x.y", "you")))
    >>> seg = extract_segments(doc)[0]
    >>> apply_segments(doc, {seg.id: "Ciao"})
    Traceback (most recent call last):
    ...
    dast.translate.segments.TranslationError: translation rejected: segment p-2c15e93225: code 1 (link to https://x.y) is missing
    >>> result = apply_segments(doc, {seg.id: "Ciao"}, strict=False)
    >>> result.document == doc, result.report.rejected[0].code
    (True, '1')
    """  # noqa: E501
    source = _as_document(doc)
    applier = _Applier(translations, allow_dropped_marks, _Extractor(include_code, schema))

    result = applier.run(source)
    if strict and applier.rejected:
        raise TranslationError(applier.rejected)
    report = TranslationReport(
        applied=tuple(applier.applied),
        rejected=tuple(applier.rejected),
        untranslated=tuple(applier.untranslated),
        unknown=tuple(key for key in translations if key not in applier.ids),
        dropped=tuple(applier.dropped),
    )
    return TranslationResult(result, report)
