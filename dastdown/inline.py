"""The inline scanner: the text of a paragraph or heading to inline nodes.

One regex, compiled from the grammar's inline terminals (the alternatives
of its ``_inline_token`` rule) in the order lark's own lexer tries them,
finds the tokens; the text between two of them is what lark lexes as
``WORD`` and ``OTHER`` (plain text). :meth:`InlineScanner.scan` then

1. pairs ``[`` with ``](``: the destination runs to the next unescaped
   ``)`` and may be followed by a ``{...}`` meta trailer; an unmatched
   ``[`` or ``](`` is literal text; a link, inline item or inline block
   inside a label that closes is an error;
2. reads the mark delimiters, for the whole text and for each label: a run
   of ``*`` (or ``~``, ``=``, ``+``, backticks) first closes the open marks
   of its kind, innermost first, each one it can afford, and what is left
   of it opens marks (``*`` emphasis, ``**`` strong, ``***`` both; ``~~``,
   ``==``, ``++``; a backtick code). ``<m k="...">`` opens a custom mark
   and ``</m>`` closes the last one open. A delimiter that is never closed,
   or a run that cannot be read this way, is literal text;
3. builds canonical spans: marks de-duplicated in canonical order, empty
   spans dropped, neighbours with the same marks merged.

Everything is linear in the text: the search for a URL's closing ``)``
resumes where the last one stopped (a ``)`` is escaped when an odd run of
backslashes precedes it), and marks are read in one pass (two when a
delimiter is left open).

>>> from dastdown.parser import grammar
>>> scanner = InlineScanner(grammar())
>>> scanner.scan('a **b *c*** [d](u){rel="x"}', ())
... # doctest: +NORMALIZE_WHITESPACE
[{'type': 'span', 'value': 'a '}, {'type': 'span', 'value': 'b ', 'marks': ['strong']},
 {'type': 'span', 'value': 'c', 'marks': ['strong', 'emphasis']},
 {'type': 'span', 'value': ' '},
 {'type': 'link', 'url': 'u', 'meta': [{'id': 'rel', 'value': 'x'}],
  'children': [{'type': 'span', 'value': 'd'}]}]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lark import Lark, Token
from lark.lexer import TerminalDef

from dast.canonical import canonical_marks

from .errors import DastdownParseError
from .lexer import AttributeSyntax, decode_string, malformed
from .syntax import EMPTY_ITEM_ID, ITEM_LINK_PREFIX

__all__ = ["ESCAPE_TERMINAL", "INLINE_RULE", "PLAIN_TERMINAL", "InlineScanner", "lark_lexer_order"]

INLINE_RULE = "_inline_token"
"""The grammar rule whose alternatives are the inline terminals."""

PLAIN_TERMINAL = "WORD"
"""The inline terminal for runs of plain text (every other token starts with
a character it excludes, so each match of the scanner is plain text and
escapes followed by one other token)."""

ESCAPE_TERMINAL = "ESCAPE"
"""The inline terminal for a backslash escape, read with the plain text."""

# What each inline terminal is, for the scanner (the grammar names them).
(
    _TEXT,
    _ESCAPE,
    _LINE_BREAK,
    _RUN_TOKEN,
    _MARK_OPEN,
    _MARK_CLOSE,
    _INLINE_ITEM,
    _INLINE_BLOCK,
    _BLOCK_TAG,
    _LINK_OPEN,
    _LINK_CLOSE,
) = range(11)

_KINDS = {
    "WORD": _TEXT,
    "OTHER": _TEXT,
    "ESCAPE": _ESCAPE,
    "LINE_BREAK": _LINE_BREAK,
    "STARS": _RUN_TOKEN,
    "TILDES": _RUN_TOKEN,
    "EQUALS": _RUN_TOKEN,
    "PLUSES": _RUN_TOKEN,
    "BACKTICKS": _RUN_TOKEN,
    "MARK_OPEN": _MARK_OPEN,
    "MARK_CLOSE": _MARK_CLOSE,
    "INLINE_ITEM": _INLINE_ITEM,
    "INLINE_BLOCK": _INLINE_BLOCK,
    "BLOCK_TAG": _BLOCK_TAG,
    "LINK_OPEN": _LINK_OPEN,
    "LINK_CLOSE": _LINK_CLOSE,
}

# Delimiter families: the marks a run of one character can open or close,
# their widths, and what the rest of a run opens (outer mark first).
_WIDTHS = {
    "strong": 2,
    "emphasis": 1,
    "strikethrough": 2,
    "highlight": 2,
    "underline": 2,
    "code": 1,
}
_OPENERS: dict[str, dict[int, tuple[str, ...]]] = {
    "*": {1: ("emphasis",), 2: ("strong",), 3: ("strong", "emphasis")},
    "~": {2: ("strikethrough",)},
    "=": {2: ("highlight",)},
    "+": {2: ("underline",)},
    "`": {1: ("code",)},
}
_LONGEST_RUN = 6  # closing strong + emphasis, then opening both again

# Scope items besides text (a plain str): tuples tagged with one of these.
_RUN, _OPEN, _CLOSE, _NODE, _LINK = range(5)

_Ops = tuple[tuple[bool, str], ...]
_unescape_pairs = re.compile(r"\\(.)", re.DOTALL).sub
_Marks = tuple[str, ...] | None


def lark_lexer_order(terminal: TerminalDef) -> tuple[int, int, int, str]:
    """The sort key lark's basic lexer gives terminals (tried in this order).

    >>> from lark.lexer import PatternStr
    >>> lark_lexer_order(TerminalDef("LINK_OPEN", PatternStr("[")))
    (0, -1, -1, 'LINK_OPEN')
    """
    return (
        -terminal.priority,
        -terminal.pattern.max_width,
        -len(terminal.pattern.value),
        terminal.name,
    )


def _run_ops(char: str, length: int, open_marks: tuple[str, ...]) -> _Ops | None:
    """How a run of ``length`` ``char`` reads, given its family's open marks.

    ``open_marks`` lists them innermost last. The run closes each that it
    can afford, innermost first; the rest of it must open marks that are
    not open. ``None``: the run is literal text. Each op is
    ``(closing, mark)``.

    >>> _run_ops("*", 4, ("strong", "emphasis"))
    ((True, 'emphasis'), (True, 'strong'), (False, 'emphasis'))
    >>> _run_ops("~", 3, ()) is None
    True
    """
    if length > _LONGEST_RUN:
        return None
    rest = length
    closes: list[str] = []
    for mark in reversed(open_marks):
        width = _WIDTHS[mark]
        if width <= rest:
            closes.append(mark)
            rest -= width
    opens: tuple[str, ...] = ()
    if rest:
        found = _OPENERS[char].get(rest)
        if found is None:
            return None
        if set(open_marks).difference(closes).intersection(found):
            return None
        opens = found
    return tuple((True, mark) for mark in closes) + tuple((False, mark) for mark in opens)


class InlineScanner:
    """Inline text to DAST inline nodes, with the grammar's inline terminals.

    ``terminals`` are the inline terminals in lark's lexer order;
    ``pattern`` is the scanning regex: plain text and escapes (``WORD``,
    ``ESCAPE``), then one of the other terminals, a named group each, tried
    in that order. As ``OTHER`` matches any character, every match attempt
    succeeds: the text is cut exactly where lark's lexer cuts it.
    """

    def __init__(self, lark: Lark) -> None:
        names = {
            symbol.name
            for rule in lark.rules
            if rule.origin.name == INLINE_RULE
            for symbol in rule.expansion
        }
        ordered = sorted((t for t in lark.terminals if t.name in names), key=lark_lexer_order)
        self.terminals: tuple[TerminalDef, ...] = tuple(ordered)
        by_name = {t.name: t for t in lark.terminals}
        word = by_name[PLAIN_TERMINAL].pattern.to_regexp()
        escape = by_name[ESCAPE_TERMINAL].pattern.to_regexp()
        # ESCAPE stays an alternative: at the very end, backtracking hands it back.
        tokens = [t for t in ordered if t.name != PLAIN_TERMINAL]
        self.pattern = f"(?:{word}|{escape})*(?:" + "|".join(
            f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in tokens
        ) + ")"
        self._regex = re.compile(self.pattern)
        self._plain = re.compile(word)
        self._escape = re.compile(escape)
        self._kinds: list[int] = [-1] + [_KINDS[t.name] for t in tokens]
        self._attributes = AttributeSyntax(by_name)
        self._destination = re.compile(
            f"{by_name['ESCAPE'].pattern.to_regexp()}|{by_name['LINE_BREAK'].pattern.to_regexp()}"
        )
        self._ops: dict[tuple[str, int, tuple[str, ...]], _Ops | None] = {}

    def tokens(self, text: str) -> list[tuple[str, str]]:
        """``(terminal, text)`` for each token of ``text``, gaps as ``("TEXT", ...)``.

        No link logic: this is the token stream lark's lexer gives for the
        ``inline`` rule, with consecutive ``WORD`` / ``OTHER`` merged.

        >>> from dastdown.parser import grammar
        >>> InlineScanner(grammar()).tokens("a**b\\\\*")
        [('TEXT', 'a'), ('STARS', '**'), ('TEXT', 'b'), ('ESCAPE', '\\\\*')]
        """
        found: list[tuple[str, str]] = []

        def add(name: str, value: str) -> None:
            if name == "TEXT" and found and found[-1][0] == "TEXT":
                found[-1] = ("TEXT", found[-1][1] + value)
            else:
                found.append((name, value))

        def add_plain(plain: str) -> None:
            position = 0
            for escape in self._escape.finditer(plain):
                if escape.start() > position:
                    add("TEXT", plain[position : escape.start()])
                add(ESCAPE_TERMINAL, escape.group())
                position = escape.end()
            if position < len(plain):
                add("TEXT", plain[position:])

        for match in self._regex.finditer(text):
            name = match.lastgroup or ""
            start = match.start(name)
            if start > match.start():
                add_plain(text[match.start() : start])
            add("TEXT" if name == "OTHER" else name, match.group(name))
        return found

    def scan(
        self,
        text: str,
        lines: Sequence[Token],
        inline_blocks: list[tuple[dict[str, Any], int, int]] | None = None,
    ) -> list[dict[str, Any]]:
        """The inline nodes of ``text``, in canonical form (maybe empty).

        ``lines`` are the tokens the text was joined from (one space between
        them), to place errors; ``inline_blocks``, when given, receives each
        inline block node with its line and column.
        """
        if not text:
            return []
        if self._plain.fullmatch(text) is not None:
            return [{"type": "span", "value": text}]
        return self._resolve(self._structure(text, lines, inline_blocks))

    # -- pass 1: tokens, links and their labels --------------------------------

    def _structure(  # noqa: C901 - the token loop
        self,
        text: str,
        lines: Sequence[Token],
        inline_blocks: list[tuple[dict[str, Any], int, int]] | None,
    ) -> list[Any]:
        """Text and delimiter items, with each link resolved into one item."""
        kinds = self._kinds
        finditer = self._regex.finditer
        scope: list[Any] = []
        brackets: list[list[Any]] = []  # [enclosing scope, offset of "[", problem]
        buffer: list[str] = []
        close_at = -1  # the first unescaped ")" after the last "](" looked at
        position = 0  # where the scan goes on
        done = 0  # end of the last token: text[done:next token] is plain text
        while True:
            restart = -1
            for match in finditer(text, position):
                index: int = match.lastindex  # type: ignore[assignment]
                start, end = match.span(index)
                if start != done:
                    plain = text[done:start]
                    # WORD holds no backslash: each one here starts an escape.
                    buffer.append(_unescape_pairs(r"\1", plain) if "\\" in plain else plain)
                done = end
                kind = kinds[index]
                if kind == _RUN_TOKEN:
                    run = text[start:end]
                    if end - start == 1 and run != "*" and run != "`":
                        buffer.append(run)  # a single ~ = + is text
                        continue
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    scope.append((_RUN, run))
                elif kind == _TEXT:
                    buffer.append(text[start])
                elif kind == _ESCAPE:
                    buffer.append(text[start + 1])
                elif kind == _LINE_BREAK:
                    buffer.append("\n")
                elif kind == _MARK_OPEN or kind == _MARK_CLOSE:
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    tag = text[start:done]
                    if kind == _MARK_OPEN:
                        scope.append((_OPEN, decode_string(tag[5:-1]), tag))
                    else:
                        scope.append((_CLOSE, tag))
                elif kind == _LINK_OPEN:
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    brackets.append([scope, start, None])
                    scope = []
                elif kind == _LINK_CLOSE:
                    if not brackets:
                        buffer.append("](")
                        continue
                    if done > close_at:  # else the last search's ")" still comes first
                        close_at = _unescaped_close(text, done)
                        if close_at < 0:  # none up to the end: later "](" are text too
                            close_at = len(text)
                    if close_at == len(text):
                        buffer.append("](")
                        continue
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    enclosing, opened_at, problem = brackets.pop()
                    if problem is not None:
                        raise _located(problem[1], text, lines, problem[0])
                    label = self._resolve(scope)
                    node, restart = self._link(text, done, close_at, lines)
                    scope = enclosing
                    scope.append((_LINK, node, label))
                    if brackets and brackets[-1][2] is None:
                        brackets[-1][2] = (opened_at, "a link cannot be inside a link label")
                    break
                elif kind == _INLINE_ITEM or kind == _INLINE_BLOCK:
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    tag = text[start:done]
                    if kind == _INLINE_ITEM:
                        node = {"type": "inlineItem", "item": decode_string(tag[15:-2])}
                        what = "an inline item"
                    else:
                        node = {"type": "inlineBlock", "item": decode_string(tag[16:-2])}
                        what = "an inline block"
                        if inline_blocks is not None:
                            line, column = _position(text, lines, start)
                            inline_blocks.append((node, line, column))
                    if brackets and brackets[-1][2] is None:
                        brackets[-1][2] = (
                            start,
                            f"{what} cannot be inside a link label (labels hold text only)",
                        )
                    scope.append((_NODE, node))
                else:  # _BLOCK_TAG
                    raise _located(
                        'a block cannot be inside text: write <block id="..."/> alone on '
                        "its own line at the root (or \\< for a literal '<')",
                        text,
                        lines,
                        start,
                    )
            if restart < 0:
                break
            position = done = restart
        if done < len(text):  # the end is plain text (OTHER matched its last character)
            plain = text[done:]
            buffer.append(_unescape_pairs(r"\1", plain) if "\\" in plain else plain)
        if buffer:
            scope.append("".join(buffer))
        if not brackets:
            return scope
        # Unmatched "[": literal, their content back in the enclosing scope.
        flat: list[Any] = brackets[0][0]
        for part in [bracket[0] for bracket in brackets[1:]] + [scope]:
            flat.append("[")
            flat.extend(part)
        return flat

    def _link(
        self, text: str, start: int, end: int, lines: Sequence[Token]
    ) -> tuple[dict[str, Any], int]:
        """The node of the link whose destination is ``text[start:end]``, and where to go on.

        The node has no ``children`` yet; a ``{...}`` right after the ``)``
        is its meta.
        """
        raw = text[start:end]
        if raw.startswith(ITEM_LINK_PREFIX) and len(raw) > len(ITEM_LINK_PREFIX):
            item = raw[len(ITEM_LINK_PREFIX) :]
            node: dict[str, Any] = {
                "type": "itemLink",
                "item": "" if item == EMPTY_ITEM_ID else self._unescape(item),
            }
        else:
            node = {"type": "link", "url": self._unescape(raw)}
        position = end + 1
        if text.startswith("{", position):
            attributes = self._attributes
            trailer = attributes.trailer.match(text, position)
            if trailer is not None:
                meta = []
                for key, value, offset in attributes.decode(trailer.group()):
                    if not isinstance(value, str):
                        raise _located(
                            f"link meta {key!r} takes a quoted value, not a list",
                            text,
                            lines,
                            position + offset,
                        )
                    meta.append({"id": key, "value": value})
                node["meta"] = meta
                position = trailer.end()
            elif attributes.looks_like(text, position):
                offset, message = attributes.diagnose(text, position, whole=False)
                raise _located(malformed("link meta", message), text, lines, offset)
        return node, position

    def _unescape(self, destination: str) -> str:
        """A link destination with its escapes and ``<br/>`` read."""
        if "\\" not in destination and "<" not in destination:
            return destination
        return self._destination.sub(_destination_char, destination)

    # -- pass 2: marks -------------------------------------------------------

    def _run(self, run: str, stack: list[str]) -> _Ops | None:
        """The ops of a delimiter run given its family's open marks (memoised)."""
        key = (run[0], len(run), tuple(stack))
        try:
            return self._ops[key]
        except KeyError:
            ops = _run_ops(run[0], len(run), key[2])
            if len(run) <= _LONGEST_RUN:
                self._ops[key] = ops
            return ops

    def _resolve(self, items: list[Any]) -> list[dict[str, Any]]:
        """Canonical inline nodes of one scope (the whole text or a label)."""
        spans = self._emit_closed(items)
        if spans is None:  # a delimiter stayed open: decide which, then read again
            spans = self._emit(items, self._decide(items))
        return spans

    def _emit_closed(self, items: list[Any]) -> list[dict[str, Any]] | None:  # noqa: C901
        """Spans and nodes of a scope whose openers all close (else ``None``).

        The common case, in one pass: :meth:`_emit` with every opener
        matched, without the bookkeeping.
        """
        out: list[dict[str, Any]] = []
        texts: list[str] = []
        marks: _Marks = None
        counts: dict[str, int] = {}  # open marks (a custom one may be open twice)
        stacks: dict[str, list[str]] = {}  # per delimiter character, innermost last
        customs: list[str] = []
        dirty = False  # counts changed since marks was computed
        run_ops = self._run
        for item in items:
            if type(item) is str:
                literal = item
            else:
                tag = item[0]
                if tag == _RUN:
                    run = item[1]
                    stack = stacks.get(run[0])
                    if stack is None:
                        stack = stacks[run[0]] = []
                    ops = run_ops(run, stack)
                    if ops is None:
                        literal = run
                    else:
                        for closing, mark in ops:
                            if closing:
                                stack.remove(mark)
                                left = counts[mark] - 1
                                if left:
                                    counts[mark] = left
                                else:
                                    del counts[mark]
                            else:
                                stack.append(mark)
                                counts[mark] = counts.get(mark, 0) + 1
                        dirty = True
                        continue
                elif tag == _OPEN:
                    customs.append(item[1])
                    counts[item[1]] = counts.get(item[1], 0) + 1
                    dirty = True
                    continue
                elif tag == _CLOSE:
                    if not customs:
                        literal = item[1]
                    else:
                        mark = customs.pop()
                        left = counts[mark] - 1
                        if left:
                            counts[mark] = left
                        else:
                            del counts[mark]
                        dirty = True
                        continue
                else:  # a node: an inline item or block, or a link
                    if texts:
                        out.append(_span("".join(texts), marks))
                        texts = []
                    if dirty:
                        dirty = False
                        marks = canonical_marks(tuple(counts))
                    if tag == _NODE:
                        out.append(item[1])
                    else:
                        node, label = item[1], item[2]
                        if marks is not None and label:
                            label = _with_marks(label, marks)
                        node["children"] = label or [{"type": "span", "value": ""}]
                        out.append(node)
                    continue
            if dirty:
                dirty = False
                new = canonical_marks(tuple(counts))
                if new != marks:
                    if texts:
                        out.append(_span("".join(texts), marks))
                        texts = []
                    marks = new
            texts.append(literal)
        if counts:
            return None
        if texts:
            out.append(_span("".join(texts), marks))
        return out

    def _decide(self, items: list[Any]) -> dict[int, Any]:
        """How each run and custom tag reads, knowing which openers never close.

        For a run: ``None`` (literal) or its ops as ``[closing, mark,
        matched]`` lists; for ``<m>``: ``[matched]``; for ``</m>``: whether
        it closes something.
        """
        decisions: dict[int, Any] = {}
        stacks: dict[str, list[list[Any]]] = {char: [] for char in _OPENERS}
        customs: list[list[bool]] = []
        for index, item in enumerate(items):
            if type(item) is str:
                continue
            tag = item[0]
            if tag == _RUN:
                run = item[1]
                stack = stacks[run[0]]
                ops = self._run(run, [op[1] for op in stack])
                if ops is None:
                    decisions[index] = None
                    continue
                record: list[list[Any]] = []
                for closing, mark in ops:
                    if closing:
                        for position in range(len(stack) - 1, -1, -1):
                            if stack[position][1] == mark:
                                del stack[position]
                                break
                        record.append([True, mark, True])
                    else:
                        op = [False, mark, True]
                        stack.append(op)
                        record.append(op)
                decisions[index] = record
            elif tag == _OPEN:
                flag = [True]
                customs.append(flag)
                decisions[index] = flag
            elif tag == _CLOSE:
                decisions[index] = bool(customs)
                if customs:
                    customs.pop()
        for stack in stacks.values():
            for op in stack:
                op[2] = False  # never closed: literal
        for flag in customs:
            flag[0] = False
        return decisions

    def _emit(  # noqa: C901 - one loop over the items
        self, items: list[Any], decisions: dict[int, Any] | None
    ) -> list[dict[str, Any]] | None:
        """Spans and nodes of a scope, read as :meth:`_decide` says.

        Without ``decisions`` it assumes every opener closes and returns
        ``None`` if one does not (what :meth:`_emit_closed` does faster).
        """
        out: list[dict[str, Any]] = []
        texts: list[str] = []
        marks: _Marks = None
        counts: dict[str, int] = {}  # open marks (a custom one may be open twice)
        stacks: dict[str, list[str]] = {char: [] for char in _OPENERS}
        customs: list[str] = []
        dirty = False  # counts changed since marks was computed
        for index, item in enumerate(items):
            literal: str | None = None
            if type(item) is str:
                literal = item
            else:
                tag = item[0]
                if tag == _RUN:
                    run = item[1]
                    if decisions is None:
                        stack = stacks[run[0]]
                        ops = self._run(run, stack)
                        if ops is None:
                            literal = run
                        else:
                            for closing, mark in ops:
                                if closing:
                                    stack.remove(mark)
                                    left = counts[mark] - 1
                                    if left:
                                        counts[mark] = left
                                    else:
                                        del counts[mark]
                                else:
                                    stack.append(mark)
                                    counts[mark] = counts.get(mark, 0) + 1
                            dirty = True
                    else:
                        record = decisions[index]
                        if record is None:
                            literal = run
                        else:
                            for closing, mark, matched in record:
                                if closing:
                                    left = counts[mark] - 1
                                    if left:
                                        counts[mark] = left
                                    else:
                                        del counts[mark]
                                    dirty = True
                                elif matched:
                                    counts[mark] = counts.get(mark, 0) + 1
                                    dirty = True
                                else:  # an opener never closed: its delimiter is text
                                    if dirty:
                                        dirty = False
                                        new = canonical_marks(tuple(counts))
                                        if new != marks:
                                            if texts:
                                                out.append(_span("".join(texts), marks))
                                                texts = []
                                            marks = new
                                    texts.append(run[0] * _WIDTHS[mark])
                    if literal is None:
                        continue
                elif tag == _OPEN:
                    if decisions is None or decisions[index][0]:
                        customs.append(item[1])
                        counts[item[1]] = counts.get(item[1], 0) + 1
                        dirty = True
                        continue
                    literal = item[2]
                elif tag == _CLOSE:
                    if customs and (decisions is None or decisions[index]):
                        mark = customs.pop()
                        left = counts[mark] - 1
                        if left:
                            counts[mark] = left
                        else:
                            del counts[mark]
                        dirty = True
                        continue
                    literal = item[1]
                else:  # a node: an inline item or block, or a link
                    if texts:
                        out.append(_span("".join(texts), marks))
                        texts = []
                    if dirty:
                        dirty = False
                        marks = canonical_marks(tuple(counts))
                    if tag == _NODE:
                        out.append(item[1])
                    else:
                        node, label = item[1], item[2]
                        if marks is not None and label:
                            label = _with_marks(label, marks)
                        node["children"] = label or [{"type": "span", "value": ""}]
                        out.append(node)
                    continue
            if dirty:
                dirty = False
                new = canonical_marks(tuple(counts))
                if new != marks:
                    if texts:
                        out.append(_span("".join(texts), marks))
                        texts = []
                    marks = new
            texts.append(literal)
        if decisions is None and counts:
            return None
        if texts:
            out.append(_span("".join(texts), marks))
        return out


def _span(value: str, marks: _Marks) -> dict[str, Any]:
    if marks is None:
        return {"type": "span", "value": value}
    return {"type": "span", "value": value, "marks": list(marks)}


def _with_marks(label: list[dict[str, Any]], outer: tuple[str, ...]) -> list[dict[str, Any]]:
    """Label spans with the marks open around the link added, merged again."""
    out: list[dict[str, Any]] = []
    for span in label:
        marks = canonical_marks(tuple(span.get("marks", ())) + outer)
        if out and out[-1].get("marks") == list(marks or ()):
            out[-1]["value"] += span["value"]
        else:
            out.append(_span(span["value"], marks))
    return out


def _unescaped_close(text: str, start: int) -> int:
    """Offset of the first ``)`` at or after ``start`` not escaped by a backslash, or -1."""
    found = text.find(")", start)
    while found > 0 and text[found - 1] == "\\":
        before = found - 1
        while before > start and text[before - 1] == "\\":
            before -= 1
        if (found - before) % 2 == 0:
            break
        found = text.find(")", found + 1)
    return found


def _destination_char(match: re.Match[str]) -> str:
    found = match.group()
    return "\n" if found == "<br/>" else found[1]


def _position(text: str, lines: Sequence[Token], offset: int) -> tuple[int, int]:
    """Line and column of ``offset`` in the text joined from ``lines``."""
    start = 0
    for token in lines:
        end = start + len(token)
        if offset <= end or token is lines[-1]:
            return token.line or 1, (token.column or 1) + offset - start
        start = end + 1
    return 1, offset + 1


def _located(message: str, text: str, lines: Sequence[Token], offset: int) -> DastdownParseError:
    line, column = _position(text, lines, offset)
    return DastdownParseError(message, line, column)
