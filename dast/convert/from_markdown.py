"""Markdown -> DAST with mistune 3 (the only module that imports mistune).

CommonMark plus strikethrough ``~~x~~``, highlight ``==x==``, underline
``++x++``, tables and footnotes (so that they can be reported, never lost),
and the HTML tags of marks (``<u>``, ``<ins>``, ``<mark>``, ``<s>``,
``<del>``, ``<strong>``, ``<b>``, ``<em>``, ``<i>``, ``<code>``, and ``<br>``
for a line break), which is how ``to_markdown`` writes what delimiters
cannot hold.

Links to ``dato:item/ID`` become item links; a link title becomes a
``title`` meta entry; soft line breaks become spaces and hard ones ``\\n``.
The placeholders ``to_markdown`` writes for records read back as records
(``<!-- block ID -->``, ``<span data-dast="inlineItem" data-item="ID">``).
A fenced code block's language is the first word of its info string (the
rest is reported).

Raw HTML is read as ``from_html`` reads it: an HTML block becomes the
blocks it holds, and inside a paragraph ``<a href>``, ``<br>``, the mark
tags and record placeholders are read, ``<img>`` and other embeds go to
``html_handlers`` (else they are dropped and reported), and other tags
(``<sup>``, ``<sub>``, ``<details>``...) keep their text and are reported.

Whatever DAST cannot hold is converted or dropped and always reported with
its 1-based source line: images (kept as links), tables (a paragraph per
row), HTML elements DAST has no equivalent for, footnotes (kept as text), headings, code,
quotes and thematic breaks inside list items or quotes (converted to
paragraphs, flattened or dropped), nested quotes (flattened), list start
numbers, unused or repeated link and footnote definitions, nesting deeper
than ``MAX_NESTING``.
``allowed_blocks``, ``allowed_marks`` and ``allowed_heading_levels``
degrade what a field does not allow the same way, and ``handlers`` let you
convert any mistune token yourself (e.g. an image into a ``block``).

The result is always a valid canonical document; empty markdown gives the
empty document (one paragraph holding one empty span).

This module parses (a mistune block parser that records the source line
of every token, footnotes read with their lines); ``markdown_tokens``
turns the tokens into DAST.

Speed (``benchmarks/bench_convert.py``): 1.29-1.33x the time of mistune's
own parse of the same text in pure Python, 1.28x with the compiled
``markdown_tokens``. Over mistune's ~310 ms: source lines ~12 ms, tokens
to nodes ~85 ms (~65 compiled; a third of it pydantic building the models),
the collector's pass over the new tree when the conversion ends ~19 ms,
less the ~10 ms of collections mistune's parse makes and ours, paused,
does not. The rules note
lines through wrappers put on once (blank lines, most of the rule calls,
are not wrapped); inline content is gathered as DAST JSON and validated
with its paragraph in one pydantic call; the nodes are checked by the
models' validation (so ``ensure_writable`` is the check, not a second walk
of ``validate``), spans come out merged so the tree is canonical as built
(``canonicalize`` runs only when a handler, raw HTML, a table, a footnote or
a degraded list added nodes), and the cycle collector is paused while the
tokens and nodes are made.

>>> doc, report = from_markdown("# Hi\\n\\nSome **bold** text ![logo](logo.png)\\n")
>>> [child.type for child in doc.document.children]
['heading', 'paragraph']
>>> print(report)
line 3, children[1]: image converted to a link: ![logo](logo.png)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any, overload

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.inline_parser import InlineParser
from mistune.plugins import import_plugin
from mistune.util import unikey

from .._gc import PROMOTE_TEXT, gc_paused
from ..canonical import canonicalize
from ..definitions import HEADING_LEVELS
from ..errors import DastValidationError
from ..nodes import (
    Document,
    Root,
)
from ..validate import ensure_writable
from .from_html import HtmlHandler
from .markdown_tokens import (
    BLOCK_TYPES,
    Handler,
    MarkdownContext,
    TokenConverter,
    block_paths,
    empty_paragraph,
)
from .report import Conversion, ConversionError, ConversionReport, ReportEntry

__all__ = ["BLOCK_TYPES", "MAX_NESTING", "Handler", "MarkdownContext", "from_markdown"]

MAX_NESTING = 50
"""Lists and quotes nested deeper than this are read as text (and reported)."""

_LIST_MARKER = re.compile(r" {0,3}(?:[*+-]|\d{1,9}[.)])([ \t]*)\n?\Z")


# --- a mistune block parser that knows the source line of every token ---------


class _LineState(BlockState):
    """A block state that maps positions in its (possibly de-indented) text to source lines."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.line0 = 0
        self.active: list[list[Any]] = []  # open containers: [rule, start position]
        self.in_rule = 0  # > 0 while a rule runs (its parser notes the lines of its tokens)
        self._pos = 0  # the last position asked for, and the line breaks before it
        self._breaks = 0

    def process(self, src: str) -> None:
        super().process(src)
        self._pos = self._breaks = 0

    def line_at(self, pos: int) -> int:
        """The 0-based source line of a position (counted on from the last one asked for)."""
        last = self._pos
        if pos >= last:
            breaks = self._breaks + self.src.count("\n", last, pos)
        else:
            breaks = self._breaks - self.src.count("\n", pos, last)
        self._pos = pos
        self._breaks = breaks
        return self.line0 + breaks

    def append_token(self, token: dict[str, Any]) -> None:
        self.tokens.append(token)
        if not self.in_rule and token["type"] != "blank_line" and "_line_at" not in token:
            token["_line_at"] = self.line_at(self.cursor)  # a token made outside the rules

    def add_paragraph(self, text: str) -> None:
        """mistune's ``add_paragraph``, noting the line where a new paragraph starts."""
        tokens = self.tokens
        if tokens and tokens[-1]["type"] == "paragraph":
            tokens[-1]["text"] += text
        else:
            tokens.append({"type": "paragraph", "text": text, "_line": self.line_at(self.cursor)})

    def child_state(self, src: str, *args: Any, **kwargs: Any) -> _LineState:
        child = super().child_state(src, *args, **kwargs)
        assert isinstance(child, _LineState)
        child.line0 = self.line0
        if self.active:
            entry = self.active[-1]
            rule, start = entry
            line = self.line_at(start)
            if rule == "list":
                src = self.src
                line_end = src.find("\n", start)
                if _LIST_MARKER.match(src, start, len(src) if line_end < 0 else line_end):
                    line += 1  # the item's text starts on the next line
                if self.cursor > 0:  # where the next item's marker line starts
                    entry[1] = self.src.rfind("\n", 0, self.cursor - 1) + 1
            child.line0 = line
        return child


class _LineBlockParser(BlockParser):
    """mistune's block parser whose rules note the source line of the tokens they make.

    Each rule but ``blank_line`` (blank lines convert to nothing, and are
    most of the rule calls) is wrapped once, when the parser is built
    (``note_lines``), so mistune's own dispatch runs unchanged.
    """

    state_cls = _LineState

    def note_lines(self) -> None:
        """Wrap every rule registered so far (plugins' too) to note lines."""
        methods: dict[str, _Rule] = self._methods
        self._unnoted = dict(methods)
        for rule, method in self._unnoted.items():
            if rule in _NOTED_RULES:
                methods[rule] = functools.partial(self._noted_rule, rule=rule)
            elif rule != "blank_line":
                methods[rule] = functools.partial(_lean_rule, method)

    def _noted_rule(self, m: re.Match[str], state: Any, rule: str) -> int | None:
        """A container or a definition: noted (with its line) beside the tokens."""
        start = m.start()
        count = len(state.tokens)
        container = rule in _CONTAINER_RULES
        if container:
            state.active.append([rule, start])
            if state.depth() >= self.max_nested_level - 1:
                _state_notes(state)["deep"].append(state.line_at(start))
        state.in_rule += 1
        try:
            end = self._unnoted[rule](m, state)
        finally:
            state.in_rule -= 1
            if container:
                state.active.pop()
        tokens = state.tokens
        line: int | None = None  # the rule's line, found when it is needed
        for index in range(max(count - 1, 0), len(tokens)):
            token = tokens[index]
            if "_line" not in token:
                if line is None:
                    line = state.line_at(start)
                token["_line"] = line
        if end and rule in _DEFINITION_RULES:
            if line is None:
                line = state.line_at(start)
            notes = _state_notes(state)
            footnote = rule == "ref_footnote"
            label = m.group("footnote_key" if footnote else "reflink_1")
            key = unikey(label)
            lines = notes["footnotes" if footnote else "refs"]
            if key in lines:  # the first definition wins
                notes["duplicates"].append(
                    (line, "footnote" if footnote else "link_definition", label)
                )
            else:
                lines[key] = line
                notes["labels" if footnote else "ref_labels"][key] = label
                if footnote:  # "[^x]:" then a line break: the text starts on the next line
                    text_start = m.start("footnote_text")
                    after_break = text_start > 0 and state.src[text_start - 1] == "\n"
                    notes["text_lines"][key] = line + after_break
        return end


_Rule = Callable[[re.Match[str], Any], "int | None"]


def _lean_rule(method: _Rule, m: re.Match[str], state: Any) -> int | None:
    """Run a rule; the tokens it made (and the one before, which it may have extended) get
    its line."""
    tokens = state.tokens
    count = len(tokens)
    state.in_rule += 1
    try:
        end = method(m, state)
    finally:
        state.in_rule -= 1
    line: int | None = None  # the rule's line, found when it is needed
    for index in range(count - 1 if count else 0, len(tokens)):
        token = tokens[index]
        if "_line" not in token:
            if line is None:
                line = state.line_at(m.start())
            token["_line"] = line
    return end


def _parse_underline(inline: InlineParser, m: re.Match[str], state: Any) -> int | None:
    """``++text++`` -> an ``underline`` token (mistune's own ``insert`` plugin is ``^^``)."""
    if state.depth >= inline.max_nested_level:
        return None
    pos = m.end()
    close = _closing_pair(state, "++", pos)
    if close is None:
        return None
    child = state.copy()
    child.src = state.src[pos:close]
    state.append_token({"type": "underline", "children": inline.render(child)})
    return int(close) + 2


_CONTAINER_RULES = frozenset({"list", "block_quote"})
_DEFINITION_RULES = frozenset({"ref_footnote", "ref_link"})
_NOTED_RULES = _CONTAINER_RULES | _DEFINITION_RULES


def _state_notes(state: BlockState) -> dict[str, Any]:
    notes: dict[str, Any] | None = state.env.get("_dast")
    if notes is None:
        notes = state.env["_dast"] = _notes()
    return notes


def _notes() -> dict[str, Any]:
    """What the parser notes beside the tokens: deep nesting, definition lines and labels."""
    return {
        "deep": [],
        "footnotes": {},
        "refs": {},
        "labels": {},
        "ref_labels": {},
        "duplicates": [],
        "text_lines": {},
    }


def _closing_pair(state: Any, marker: str, pos: int) -> int | None:
    """Where ``marker`` closes after ``pos`` (mistune's delimiter index of the source)."""
    found = state.delimiters.find(marker, pos, formatting=True)
    return None if found is None else int(found)


class _Markdown(mistune.Markdown):
    """mistune's ``Markdown`` whose inline pass keeps each block's text as ``_src``."""

    def render_state(self, state: BlockState) -> list[dict[str, Any]]:
        """Parse the inline text of every block token, in document order, as mistune does.

        The text is kept as ``_src`` (to find the source line of inline
        tokens); walked with a stack, in place, with no copies of the token lists.
        """
        env = state.env
        inline = self.inline
        stack = [iter(state.tokens)]
        while stack:
            for token in stack[-1]:
                text = token.get("text")
                if text is not None:
                    token["_src"] = text
                children = token.get("children")
                if children is not None:
                    stack.append(iter(children))
                    break
                if text is not None:
                    del token["text"]
                    token["children"] = inline(text.strip(" \r\n\t\f"), env)
            else:
                stack.pop()
        return state.tokens


@functools.cache
def _parser() -> mistune.Markdown:
    block = _LineBlockParser(max_nested_level=MAX_NESTING)
    md = _Markdown(
        renderer=None,
        block=block,
        inline=InlineParser(),
        plugins=[import_plugin(name) for name in ("strikethrough", "mark", "table", "footnotes")],
    )
    md.after_render_hooks.clear()  # footnotes are read below, with their lines
    md.inline.register(
        "underline", r"\+\+(?=[^\s+])", _parse_underline, before="link", start_chars="+"
    )
    block.note_lines()
    return md


# --- the whole pipeline -----------------------------------------------------------


def _parse(text: str) -> tuple[list[dict[str, Any]], MutableMapping[str, Any]]:
    md = _parser()
    state = _LineState()
    tokens, _ = md.parse(text, state)
    assert isinstance(tokens, list)
    env = state.env
    notes = env.get("_dast", _notes())
    footnotes = []
    for index, key in enumerate(env.get("footnotes") or []):
        line = notes["footnotes"].get(key)
        item = _footnote_item(md, state, key, index + 1, line, notes["text_lines"].get(key, line))
        item["attrs"]["label"] = notes["labels"].get(key, key)
        footnotes.append(item)
    if footnotes:
        tokens.append({"type": "footnotes", "children": footnotes})
    return tokens, env


def _footnote_item(
    md: mistune.Markdown,
    state: BlockState,
    key: str,
    index: int,
    line: int | None,
    text_line: int | None,
) -> dict[str, Any]:
    """Parse one footnote definition as mistune does, but keeping source lines."""
    text: str = state.env["ref_footnotes"][key]
    lines = text.splitlines()
    second = next((ln for ln in lines[1:] if ln), None)
    if second:
        spaces = len(second) - len(second.lstrip())
        text = re.sub(r"^ {" + str(spaces) + r",}", "", text, flags=re.M)
    stripped = text.strip()
    lead = text[: len(text) - len(text.lstrip())].count("\n")
    child = state.child_state(stripped + "\n")
    assert isinstance(child, _LineState)
    child.line0 = (text_line or 0) + lead
    if second:
        md.block.parse(child)
    else:
        child.tokens = [{"type": "paragraph", "text": stripped, "_line": child.line0}]
    children = md.render_state(child)
    return {
        "type": "footnote_item",
        "children": children,
        "attrs": {"key": key, "index": index},
        "_line": line,
    }


@overload
def from_markdown(
    text: str,
    *,
    allowed_blocks: Iterable[str] | None = None,
    allowed_marks: Iterable[str] | None = None,
    allowed_heading_levels: Iterable[int] | None = None,
    handlers: Mapping[str, Handler] | None = None,
    html_handlers: Mapping[str, HtmlHandler] | None = None,
    strict: bool = False,
) -> Conversion[Document]: ...
@overload
def from_markdown(
    text: None,
    *,
    allowed_blocks: Iterable[str] | None = None,
    allowed_marks: Iterable[str] | None = None,
    allowed_heading_levels: Iterable[int] | None = None,
    handlers: Mapping[str, Handler] | None = None,
    html_handlers: Mapping[str, HtmlHandler] | None = None,
    strict: bool = False,
) -> Conversion[None]: ...
def from_markdown(
    text: str | None,
    *,
    allowed_blocks: Iterable[str] | None = None,
    allowed_marks: Iterable[str] | None = None,
    allowed_heading_levels: Iterable[int] | None = None,
    handlers: Mapping[str, Handler] | None = None,
    html_handlers: Mapping[str, HtmlHandler] | None = None,
    strict: bool = False,
) -> Conversion[Document] | Conversion[None]:
    """Convert markdown to a valid canonical DAST ``Document``, with a report.

    ``allowed_blocks``: the DAST block types a field allows (from
    ``BLOCK_TYPES``, ``"paragraph"`` included); a disallowed heading becomes
    a paragraph, code a paragraph of code-marked text, a quote or list its
    paragraphs, a thematic break or block is dropped. ``allowed_marks``: a
    disallowed mark is dropped. ``allowed_heading_levels``: a heading of
    another level becomes a paragraph. ``handlers`` map mistune token types
    (``"image"``, ``"table"``, ``"block_html"``, ``"heading"``, ...) to a
    ``Handler``. Raw HTML (blocks and tags inside paragraphs) is read as
    ``from_html`` reads it; ``html_handlers`` are its ``HtmlHandler``
    callbacks by tag name (an ``img`` handler turning images into blocks...).
    Each change is reported; ``strict=True`` raises
    ``ConversionError`` listing them instead. ``None`` gives ``None``.

    >>> doc, report = from_markdown("## Title\\n\\n> quote", allowed_blocks={"paragraph"})
    >>> [child.type for child in doc.document.children]
    ['paragraph', 'paragraph']
    >>> [entry.action for entry in report]
    ['converted to a paragraph', 'flattened into its paragraphs']
    """
    if text is None:
        return Conversion(None, ConversionReport())
    if not isinstance(text, str):
        raise ConversionError(f"from_markdown reads a str, not {type(text).__name__}")
    blocks = _option_blocks(allowed_blocks)
    marks = None if allowed_marks is None else frozenset(allowed_marks)
    levels = _option_levels(allowed_heading_levels)
    # tens of thousands of tokens and nodes, and no cycles
    with gc_paused(promote=len(text) >= PROMOTE_TEXT):
        return _convert(text, blocks, marks, levels, handlers, html_handlers, strict)


def _convert(
    text: str,
    blocks: frozenset[str] | None,
    marks: frozenset[str] | None,
    levels: frozenset[int] | None,
    handlers: Mapping[str, Handler] | None,
    html_handlers: Mapping[str, HtmlHandler] | None,
    strict: bool,
) -> Conversion[Document]:
    converter = TokenConverter(text, blocks, marks, levels, handlers or {}, html_handlers)
    try:
        tokens, env = _parse(text)
        children = converter.root(tokens)
    except RecursionError:
        raise ConversionError(
            "the markdown is nested too deeply to parse (Python's recursion limit was reached); "
            "flatten its lists and quotes"
        ) from None
    notes = env.get("_dast", _notes())
    for line in sorted(set(notes["deep"])):
        converter.note(
            "nesting",
            line + 1,
            None,
            "kept as text",
            f"lists and quotes nested more than {MAX_NESTING} levels deep",
        )
    for key, line in notes["refs"].items():
        if key not in converter.used_refs:
            label = notes["ref_labels"].get(key, key)
            converter.note("link_definition", line + 1, None, "dropped", f"[{label}] is never used")
    for line, kind, label in notes["duplicates"]:
        shown = f"[^{label}]" if kind == "footnote" else f"[{label}]"
        converter.note(
            kind, line + 1, None, "dropped", f"{shown} is defined again (the first wins)"
        )
    referenced = set(env.get("footnotes") or [])
    for key, line in notes["footnotes"].items():
        if key not in referenced:
            label = notes["labels"].get(key, key)
            converter.note("footnote", line + 1, None, "dropped", f"[^{label}] is never referenced")
    root = Root(children=tuple(children) or (empty_paragraph(),))
    paths = block_paths(root) if any(e.anchor is not None for e in converter.entries) else {}
    entries = [
        ReportEntry(
            e.kind,
            e.line,
            None if e.anchor is None else paths.get(id(e.anchor)),
            e.action,
            e.detail,
        )
        for e in converter.entries
    ]
    entries.sort(key=lambda e: (e.line is None, e.line or 0))
    document = Document(document=root)
    if not converter.canonical:  # else every node was built in canonical form
        document = canonicalize(document)
    try:  # built by the model's constructors: only a handler's model_copy can break it
        ensure_writable(document)
    except DastValidationError as exc:
        raise ConversionError(
            "the converted document is not valid DAST (check the handlers): "
            + "; ".join(str(p) for p in exc.problems)
        ) from None
    report = ConversionReport(tuple(entries))
    if strict and report:
        count = len(report)
        raise ConversionError(
            f"markdown to DAST is not lossless (strict=True), {count} "
            + ("problem" if count == 1 else "problems"),
            report.entries,
        )
    return Conversion(document, report)


def _option_blocks(allowed: Iterable[str] | None) -> frozenset[str] | None:
    if allowed is None:
        return None
    blocks = frozenset(allowed)
    unknown = blocks - BLOCK_TYPES
    if unknown:
        raise ConversionError(
            f"allowed_blocks: unknown block type(s) {sorted(unknown)}; use {sorted(BLOCK_TYPES)}"
        )
    if "paragraph" not in blocks:
        raise ConversionError("allowed_blocks must include 'paragraph' (everything degrades to it)")
    return blocks


def _option_levels(levels: Iterable[int] | None) -> frozenset[int] | None:
    if levels is None:
        return None
    result = frozenset(levels)
    bad = [level for level in result if type(level) is not int or level not in HEADING_LEVELS]
    if bad:
        bad.sort(key=lambda v: (type(v) is not int, v if type(v) is int else 0, repr(v)))
        first, last = HEADING_LEVELS[0], HEADING_LEVELS[-1]
        raise ConversionError(
            f"allowed_heading_levels: {bad} are not heading levels ({first}..{last})"
        )
    return result
