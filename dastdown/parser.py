"""Read dastdown text into a validated DAST ``Document``.

The syntax is defined once, in ``dastdown.lark``: lark parses the block
structure (LALR, from the tokens of the line pre-pass in
:mod:`dastdown.lexer`), :mod:`dastdown.inline` scans inline text with a
regex compiled from the grammar's inline terminals, and
:mod:`dastdown.transformer` turns each rule into DAST JSON. The result is
in canonical form and valid by construction (the grammar admits nothing
else): its models are made from that JSON in place, without a second
validation (:func:`dastdown.assembly.adopt`; the tests check every
document against what ``load_document`` builds from lark's JSON).

Every problem in the text raises :class:`~dastdown.errors.DastdownParseError`
with the line and column of the offending text; lark's own exceptions never
escape (they are translated in :func:`parse`, the one place they are caught).

>>> doc = parse("# Title\\n\\nSome **bold** text.\\n")
>>> [node.type for node in doc.document.children]
['heading', 'paragraph']
>>> doc.document.children[1].children[1].marks
('strong',)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from typing import Any, TypeVar, overload

from lark import Lark, Token
from lark.exceptions import UnexpectedInput, UnexpectedToken

from dast._build import new_model
from dast._gc import PROMOTE_TEXT, gc_paused, pause, resume
from dast.definitions import SCHEMA
from dast.load import load_document
from dast.nodes import Document

from .assembly import BLOCKS, BlockRecord, NodeBuilder, adopt, fast_children_of
from .errors import DastdownIntegrityError, DastdownParseError, DastdownUnknownBlockError
from .integrity import IntegrityReport, Occurrence, account, original_records
from .lexer import StructureLexer
from .syntax import to_lf
from .transformer import DastTransformer

__all__ = ["fast_children", "grammar", "parse", "parse_json", "parse_with_report"]

_Built = TypeVar("_Built")


def _empty_paragraph() -> dict[str, Any]:
    """The one paragraph of the document of a blank text: one empty span."""
    return {"type": "paragraph", "children": [{"type": "span", "value": ""}]}


@functools.cache
def grammar() -> Lark:
    """The dastdown grammar, loaded once from the package (LALR, no conflicts).

    Documents are parsed with ``start="start"`` (through the line pre-pass).
    ``"inline"`` and ``"attributes"`` are never parsed at run time: they are
    start rules so that lark compiles the terminals the inline scanner and
    the trailer decoder are built from.

    >>> grammar().options.parser
    'lalr'
    """
    source = resources.files("dastdown").joinpath("dastdown.lark").read_text(encoding="utf-8")
    transformer = DastTransformer()
    lark = Lark(
        source,
        parser="lalr",
        lexer=StructureLexer,
        start=["start", "inline", "attributes"],
        strict=True,
        transformer=transformer,
    )
    transformer.bind(lark)
    return lark


@overload
def parse(
    text: None, original: Document | Mapping[str, object] | None = None, *, strict: bool = False
) -> None: ...
@overload
def parse(
    text: str, original: Document | Mapping[str, object] | None = None, *, strict: bool = False
) -> Document: ...
def parse(
    text: str | None,
    original: Document | Mapping[str, object] | None = None,
    *,
    strict: bool = False,
) -> Document | None:
    """Parse dastdown text into a canonical, validated ``Document``.

    ``None`` gives ``None``; empty or blank text (only spaces and newlines)
    gives the document holding one empty paragraph. Lines may end with
    ``\\n``, ``\\r\\n`` or ``\\r`` (see :func:`dastdown.syntax.line_ending`).
    With ``original`` (a ``Document``, DAST JSON or the CDA wrapper), each
    ``block`` and ``inlineBlock`` id is looked up in it and its ``item``
    (the very same object, e.g. a full record) is put back; an id it does
    not hold raises :class:`~dastdown.errors.DastdownUnknownBlockError`.

    A tag that is close to a placeholder but not exact (``<block id='X'
    />``...) raises :class:`~dastdown.errors.DastdownPlaceholderError`
    with a suggestion. With ``strict=True``, every record of ``original``
    must be accounted for (none missing, duplicated or unknown, no item link
    lost, no fence around the whole text): otherwise
    :class:`~dastdown.errors.DastdownIntegrityError` lists each problem.
    :func:`parse_with_report` gives the same problems as a report instead.

    >>> parse("") == parse("  \\n")
    True
    >>> parse("[x](u) > y").document.children[0].children[0].url
    'u'
    >>> parse("# T\\r\\n\\r\\nx\\r\\n") == parse("# T\\n\\nx\\n")
    True
    """
    if text is None:
        return None
    doc, _ = _parse(text, original, strict, strict, _document)
    return doc


@overload
def parse_json(
    text: None, original: Document | Mapping[str, object] | None = None, *, strict: bool = False
) -> None: ...
@overload
def parse_json(
    text: str, original: Document | Mapping[str, object] | None = None, *, strict: bool = False
) -> dict[str, Any]: ...
def parse_json(
    text: str | None,
    original: Document | Mapping[str, object] | None = None,
    *,
    strict: bool = False,
) -> dict[str, Any] | None:
    """Parse dastdown text into DAST JSON: :func:`parse`'s document as data, without the models.

    The same reading as :func:`parse` (same arguments, same errors, records
    put back from ``original``), returned as the JSON ``parse(...).to_json()``
    gives, equal to it as data (``==``), without building the ``Document``'s
    models: for text bound for the API or a file, which would only dump them
    again. Every object in it is new and appears once (a block record put
    back from ``original`` is the original's own object, as in ``parse``);
    keys come in the parser's order, not always the models' field order.
    The grammar only builds valid canonical DAST (the tests check each
    result against ``parse``), so nothing is validated twice.

    >>> data = parse_json("# Hi\\n")
    >>> data["document"]["children"][0]
    {'type': 'heading', 'level': 1, 'children': [{'type': 'span', 'value': 'Hi'}]}
    >>> parse_json("*a* b\\n") == parse("*a* b\\n").to_json()
    True
    """
    if text is None:
        return None
    data, _ = _parse(text, original, strict, strict, _json_document)
    return data


@overload
def parse_with_report(
    text: None, original: Document | Mapping[str, object] | None = None, *, strict: bool = False
) -> tuple[None, IntegrityReport]: ...
@overload
def parse_with_report(
    text: str, original: Document | Mapping[str, object] | None = None, *, strict: bool = False
) -> tuple[Document, IntegrityReport]: ...
def parse_with_report(
    text: str | None,
    original: Document | Mapping[str, object] | None = None,
    *,
    strict: bool = False,
) -> tuple[Document | None, IntegrityReport]:
    """Parse like :func:`parse`, and account for every record: ``(document, report)``.

    The :class:`~dastdown.integrity.IntegrityReport` lists the blocks and
    inline blocks of ``original`` that the text lost or duplicated, ids it
    does not hold, records turned from block to inline block, item links and
    inline items lost, and a whole text wrapped in a code fence, each with
    its line and column. Without ``original`` only duplicated ids and a
    fenced text can be found. With ``strict=True`` a non-empty report raises
    :class:`~dastdown.errors.DastdownIntegrityError` instead; without it an
    unknown id still raises :class:`~dastdown.errors.DastdownUnknownBlockError`
    (the record cannot be put back).

    >>> original = parse('<block id="b1"/>\\n\\n<block id="b2"/>\\n')
    >>> doc, report = parse_with_report('<block id="b1"/>\\n\\n<block id="b1"/>\\n', original)
    >>> report.codes()
    ['missing', 'duplicated']
    >>> print(report.problems[0].message.replace("; ", ";\\n"))
    block 'b2' is missing: the original has it at children[1];
    expected after <block id="b1"/> (line 1)
    """
    if text is None:
        return None, IntegrityReport(checked_original=original is not None)
    doc, report = _parse(text, original, strict, True, _document)
    assert report is not None
    return doc, report


def _parse(
    text: str,
    original: Document | Mapping[str, object] | None,
    strict: bool,
    report: bool,
    build: Callable[[list[Any]], _Built],
) -> tuple[_Built, IntegrityReport | None]:
    """The parse behind :func:`parse`, :func:`parse_json` and :func:`parse_with_report`.

    ``build`` makes the result of the root's children (DAST JSON):
    :func:`_document` or :func:`_json_document`.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes a str, not {type(text).__name__}")
    if "\r" in text:  # (to_lf's own first test, without the calls for most texts)
        text = to_lf(text)
    if original is None and not report:
        return _parse_plain(text, build), None
    source = load_document(original) if original is not None else None
    records = None if source is None else original_records(source)
    collected: list[BlockRecord] | None = None if records is None and not report else []
    found: IntegrityReport | None = None
    # tens of thousands of dicts and frozen models, no cycles
    with gc_paused(promote=len(text) >= PROMOTE_TEXT):
        if not text.strip(" \n"):
            children: list[Any] = [_empty_paragraph()]
        else:
            children = _parse_children(text, collected)
        if collected is not None:
            if records is not None:
                _restore_items(collected, records, text, strict)
            if report:
                found = account(collected, children, source, records)
                if strict and found.problems:
                    raise DastdownIntegrityError(found.problems)
        doc = build(children)
        # The DAST JSON is the result's now (as data, or as the models' fields);
        # what is left of it (lists made tuples) is freed before the collector resumes.
        del children
        collected = None
    return doc, found


def _parse_plain(text: str, build: Callable[[list[Any]], _Built]) -> _Built:
    """:func:`_parse` without ``original`` nor report (most calls): no records to collect.

    The collector is paused with :func:`dast._gc.pause` / :func:`~dast._gc.resume`
    (:func:`~dast._gc.gc_paused` without its generator: 0.1 µs instead of
    0.9 µs a call, a percent of a small document's parse).
    """
    state = pause(len(text) >= PROMOTE_TEXT)  # tens of thousands of dicts and models, no cycles
    try:
        if not text.strip(" \n"):
            children: list[Any] = [_empty_paragraph()]
        elif BLOCKS.get() is None:  # (as when _parse_children sets it: no context to set)
            children = _parse_children_in(text, None)
        else:
            children = _parse_children(text, None)
        doc = build(children)
        del children  # (see _parse)
    finally:
        resume(state)
    return doc


def _document(children: list[Any]) -> Document:
    """The ``Document`` of the root ``children`` the parse built (DAST JSON), built in place.

    What :func:`~dast.load.load_document` builds from that JSON (the same
    classes, values and ``model_fields_set``: the tests of the parse check
    it node by node), without validating it again: the grammar only builds
    valid DAST. Each node dict becomes its model's fields
    (:func:`dastdown.assembly.adopt`, at any depth), and the wrapper is made
    as pydantic makes it, so ``children`` must not be read afterwards.
    """
    root = adopt({"type": "root", "children": children})
    fields = {"schema_": SCHEMA, "document": root}
    doc: Document = new_model(Document, fields, set(fields))
    return doc


def _json_document(children: list[Any]) -> dict[str, Any]:
    """The DAST JSON of the root ``children`` the parse built (valid by construction)."""
    return {"schema": SCHEMA, "document": {"type": "root", "children": children}}


def _parse_children(text: str, collected: list[BlockRecord] | None) -> list[Any]:
    """The root children of non-blank ``text`` as DAST JSON (records in ``collected``).

    The fast path (:func:`fast_children`) builds them first; when it does
    not take the text, lark's parser, the parser of record, does (and
    gives every error).
    """
    reset = BLOCKS.set(collected)
    try:
        return _parse_children_in(text, collected)
    finally:
        BLOCKS.reset(reset)


def _parse_children_in(text: str, collected: list[BlockRecord] | None) -> list[Any]:
    """:func:`_parse_children` once ``BLOCKS`` holds ``collected``."""
    try:
        fast = _fast_children(text)
        if fast is not None:
            return fast
        if collected:
            del collected[:]  # what the fast path collected before it gave up
        # The transformer runs inside the parse (``transformer=``), so what
        # it raises comes as it is: lark wraps nothing in a VisitError here.
        children: list[Any] = grammar().parse(text, start="start")  # type: ignore[assignment]
    except (UnexpectedInput, DastdownParseError) as exc:
        error = _translate(exc)
        if error.source_line is None:
            error.source_line = _line(text, error.line)
        raise error from None
    return children


# -- the fast path: the grammar's block rules without lark's LALR driver ------------


@functools.cache
def _fast_tools() -> tuple[StructureLexer, NodeBuilder]:
    """The line lexer and the node builder of the loaded grammar, made once."""
    lark = grammar()
    transformer = lark.options.transformer
    assert isinstance(transformer, DastTransformer)
    return StructureLexer(lark.lexer_conf), transformer.builder


def fast_children(text: str) -> list[Any] | None:
    """The root children of non-blank ``text`` built without lark, or ``None``.

    The block rules of ``dastdown.lark`` are simple enough to read from the
    line lexer's tokens in one loop (:func:`dastdown.assembly.assemble`):
    this builds what lark's LALR parser builds, with the same node
    builders, for every token sequence the grammar accepts. On anything
    else (a token the grammar does not allow there, a lexical error, an
    error raised by a callback) it gives
    ``None`` and the caller parses with lark, whose errors are the ones of
    record. Records go to the running parse's ``BLOCKS`` list, as lark's
    callbacks put them.

    >>> text = "# T\\n\\n- a\\n- b\\n"
    >>> fast_children(text) == grammar().parse(text, start="start")
    True
    >>> fast_children("- # heading in a list\\n") is None
    True
    """
    return _fast_children(text)


def _fast_children(text: str) -> list[Any] | None:
    lexer, rules = _fast_tools()
    return fast_children_of(text, lexer, rules)


def _line(text: str, number: int) -> str | None:
    """Line ``number`` (1-based) of ``text``, without its newline."""
    start = 0
    for _ in range(number - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def _restore_items(
    collected: list[BlockRecord], records: list[Occurrence], text: str, strict: bool
) -> None:
    """Put the original items back, the very same objects.

    The n-th block with a given id gets the n-th item of ``original``'s
    blocks with that id (the first once they run out), so duplicated
    records keep their own objects; an id only found among the other kind
    (a block turned inline block) is taken from there. An id ``original``
    does not hold raises :class:`DastdownUnknownBlockError` unless
    ``strict`` (which reports every problem at once, later).
    """
    items: dict[str, dict[str, list[Any]]] = {"block": {}, "inlineBlock": {}}
    for kind, key, _path, item in records:
        if kind == "block" or kind == "inlineBlock":
            items[kind].setdefault(key, []).append(item)
    seen: dict[tuple[str, str], int] = {}
    for node, line, column in collected:
        kind, key = node["type"], node["item"]
        if kind != "block" and kind != "inlineBlock":
            continue
        candidates = items[kind].get(key)
        if candidates is None:
            candidates = items["block" if kind == "inlineBlock" else "inlineBlock"].get(key)
            if candidates is None:
                if strict:
                    continue
                raise DastdownUnknownBlockError(key, line, column, _line(text, line))
        count = seen.get((kind, key), 0)
        seen[(kind, key)] = count + 1
        node["item"] = candidates[count] if count < len(candidates) else candidates[0]


# -- lark's exceptions, translated in one place -------------------------------------

_NOUNS = {
    "HASHES": ("a heading", "\\# for a literal '#'"),
    "FENCE": ("a code block", "\\` for a literal backtick"),
    "RULE": ("a thematic break (---)", "\\--- for literal dashes"),
    "BLOCK": ("a block", None),
    "_QUOTE": ("a blockquote", "\\> for a literal '>'"),
    "BULLET": ("a list", "\\- for a literal dash"),
    "ORDINAL": ("a list", "1\\. for a literal number"),
}
_HOLDS = {
    "list item": "list items hold paragraphs and lists",
    "blockquote": "blockquotes hold paragraphs only",
}


def _translate(exc: Exception) -> DastdownParseError:
    """Our error for anything the parse raised."""
    if isinstance(exc, DastdownParseError):
        return exc
    if isinstance(exc, UnexpectedToken):
        return _unexpected(exc)
    assert isinstance(exc, UnexpectedInput)
    return DastdownParseError(
        "unexpected text", getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
    )


def _unexpected(exc: UnexpectedToken) -> DastdownParseError:
    """Say what is misplaced where, for a token the grammar does not allow."""
    token: Token = exc.token
    line, column = token.line or 1, token.column or 1
    stack = exc.state.value_stack if exc.state is not None else []
    container, opener = _container(stack)
    kind = token.type
    if kind == "_UNQUOTE" and opener is not None:
        return DastdownParseError(
            "a blockquote holds at least one paragraph (write an empty one as '> {}')",
            opener.line or line,
            opener.column or column,
        )
    noun = _NOUNS.get(kind)
    if noun is not None and container in _HOLDS:
        what, escape = noun
        where = "in a blockquote" if container == "blockquote" else "in a list item"
        if kind == "_QUOTE" and container == "blockquote":
            message = f"a blockquote cannot be nested in a blockquote (write {escape})"
        elif escape is None:
            message = f"{what} cannot be {where}: blocks stand alone at the root"
        else:
            message = f"{what} cannot be {where} ({_HOLDS[container]}; write {escape})"
        return DastdownParseError(message, line, column)
    expected = ", ".join(sorted(name.lstrip("_").lower() for name in exc.expected))
    return DastdownParseError(
        f"unexpected {token.type.lstrip('_').lower()} here (expected {expected})", line, column
    )


def _container(stack: list[Any]) -> tuple[str, Token | None]:
    """The innermost open container at the top of lark's value stack."""
    dedents = unquotes = 0
    for value in _reversed_tokens(stack):
        kind = value.type
        if kind == "_DEDENT":
            dedents += 1
        elif kind == "_UNQUOTE":
            unquotes += 1
        elif kind == "BULLET" or kind == "ORDINAL":
            if not dedents:
                return "list item", value
            dedents -= 1
        elif kind == "_QUOTE":
            if not unquotes:
                return "blockquote", value
            unquotes -= 1
    return "root", None


def _reversed_tokens(stack: list[Any]) -> Iterator[Token]:
    for value in reversed(stack):
        if isinstance(value, Token):
            yield value
