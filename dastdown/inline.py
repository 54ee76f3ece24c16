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
   ``==``, ``++``; a backtick code). A run that would only close and
   reopen the same marks is how the serializer starts a span whose inner
   marks (code, custom) differ, ``*a**`b`*``: it reads so only next to an
   inner mark closing or opening; elsewhere it reopens nothing, so
   ``*a **b** c*`` nests strong in emphasis and marks nest in any order.
   ``<m k="...">`` opens a custom mark and ``</m>`` closes the last one
   open. A delimiter that is never closed, or a run that cannot be read
   either way, is literal text. A ``<`` that starts no tag of the grammar
   but a near miss of a placeholder (``<block id='X' />``, see
   :mod:`dastdown.integrity`) is an error with a suggestion, unless it is
   inside a code span, where it is text;
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

import operator
import re
from collections.abc import Sequence
from itertools import combinations
from typing import Any, Final

from lark import Lark, Token
from lark.lexer import TerminalDef

from dast.canonical import canonical_marks
from dast.definitions import CANONICAL_MARK_ORDER

from .errors import DastdownParseError, DastdownPlaceholderError
from .integrity import MangledPlaceholder, match_mangled_placeholder
from .lexer import AttributeSyntax, decode_string, malformed
from .syntax import EMPTY_ITEM_ID, ITEM_LINK_PREFIX, MARK_DELIMITERS

__all__ = ["ESCAPE_TERMINAL", "INLINE_RULE", "PLAIN_TERMINAL", "InlineScanner", "lark_lexer_order"]

INLINE_RULE = "_inline_token"
"""The grammar rule whose alternatives are the inline terminals."""

PLAIN_TERMINAL = "WORD"
"""The inline terminal for runs of plain text (every other token starts with
a character it excludes, so each match of the scanner is plain text and
escapes followed by one other token)."""

ESCAPE_TERMINAL = "ESCAPE"
"""The inline terminal for a backslash escape, read with the plain text."""

# What each inline terminal is, for the scanner (the grammar names them). ``Final``
# constants: compiled (setup.py), the comparisons with them are C comparisons.
_TEXT: Final = 0
_ESCAPE: Final = 1
_LINE_BREAK: Final = 2
_RUN_TOKEN: Final = 3
_MARK_OPEN: Final = 4
_MARK_CLOSE: Final = 5
_INLINE_ITEM: Final = 6
_INLINE_BLOCK: Final = 7
_BLOCK_TAG: Final = 8
_LINK_OPEN: Final = 9
_LINK_CLOSE: Final = 10
_END: Final = 11  # the end of the text (the scanning regex's last alternative)
_PLAIN_LINK: Final = 12  # "[", a label of WORD characters only, "](": three tokens in one

_KINDS: Final = {
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


def _families() -> tuple[
    dict[str, int], dict[str, dict[int, tuple[str, ...]]], dict[str, int], int
]:
    """Delimiter families from the shared syntax: a run of one character opens
    or closes the marks whose delimiter is made of it.

    Returns each mark's width, what a run of a given width opens in each
    family (outer mark first), each family's level (its place, outer to
    inner, in the canonical mark order) and the longest meaningful run.
    """
    widths = {mark: len(MARK_DELIMITERS[mark]) for mark in CANONICAL_MARK_ORDER}
    members: dict[str, list[str]] = {}
    for mark in CANONICAL_MARK_ORDER:
        members.setdefault(MARK_DELIMITERS[mark][0], []).append(mark)
    openers: dict[str, dict[int, tuple[str, ...]]] = {}
    for char, marks in members.items():
        found = openers[char] = {}
        for size in range(1, len(marks) + 1):
            for combo in combinations(marks, size):
                width = sum(widths[mark] for mark in combo)
                assert width not in found, f"ambiguous {char!r} run of {width}"
                found[width] = combo
    levels = {char: CANONICAL_MARK_ORDER.index(marks[0]) for char, marks in members.items()}
    longest = max(2 * sum(widths[mark] for mark in marks) for marks in members.values())
    return widths, openers, levels, longest


# _WIDTHS["strong"] == 2; _OPENERS["*"] == {1: emphasis, 2: strong, 3: both};
# _LEVELS orders the families outer to inner; custom marks are innermost.
_FAMILIES: Final = _families()
_WIDTHS: Final = _FAMILIES[0]
_OPENERS: Final = _FAMILIES[1]
_LEVELS: Final = _FAMILIES[2]
_LONGEST_RUN: Final = _FAMILIES[3]
_CUSTOM_LEVEL: Final = len(CANONICAL_MARK_ORDER)
_SINGLE_TEXT: Final = frozenset(char for char, opens in _OPENERS.items() if 1 not in opens)

# Scope items besides text (a plain str): tuples tagged with one of these.
# _MANGLED is a near-miss placeholder: text inside a code span, else an error.
_RUN: Final = 0
_OPEN: Final = 1
_CLOSE: Final = 2
_NODE: Final = 3
_LINK: Final = 4
_MANGLED: Final = 5

_Ops = tuple[tuple[bool, str], ...]
_escape_pairs = re.compile(r"\\(.)", re.DOTALL)
_second = operator.itemgetter(1)


def _unescape_pairs(plain: str) -> str:
    """Plain text whose every backslash starts an escape, read (``WORD`` and ``ESCAPE``s)."""
    if "\\\\" not in plain:
        return plain.replace("\\", "")  # each backslash escapes the character after it
    return _escape_pairs.sub(_second, plain)  # a C callable: no template to expand


_Marks = tuple[str, ...] | None
_Reading = tuple[_Ops | None, _Ops | None, bool, tuple[str, ...]]


_CHARACTER_CLASS_RUN = re.compile(r"\[\^?\]?(?:[^\]\\]|\\.)*\]\+")


def _plain_run(word: str, escape: str, alone: Sequence[str] = ()) -> str:
    """The pattern of plain text: ``WORD`` and ``ESCAPE`` tokens, any number.

    ``WORD`` holds no backslash and an escape starts with one, so
    ``(?:W|E)*`` reads as ``W*(?:E W*)*``, which the regex engine runs
    faster when ``WORD`` is one character class repeated (``[^...]+``);
    the repetition of escapes is written as a choice, ``W*(?:E W*(?:E
    W*)*|)``, whose first alternative the engine skips at once unless an
    escape's first character follows (it sets up a repetition otherwise, at
    the end of every stretch of plain text). ``alone``: patterns of other
    tokens that are text too, read as escapes are (each starts with a
    literal: a choice between them is a quick miss too).

    >>> _plain_run("[^<]+", "<<")
    '[^<]*(?:(?:<<)[^<]*(?:(?:<<)[^<]*)*|)'
    >>> _plain_run("[^<=]+", "<<", ["=(?!=)"])
    '[^<=]*(?:(?:<<)[^<=]*(?:(?:<<)[^<=]*|(?:=(?!=))[^<=]*)*|(?:=(?!=))[^<=]*(?:(?:<<)[^<=]*|(?:=(?!=))[^<=]*)*|)'
    >>> _plain_run("ab+", "x")
    '(?:ab+|x)*'
    """
    if _CHARACTER_CLASS_RUN.fullmatch(word) is None:
        return f"(?:{'|'.join([word, escape, *alone])})*"
    run = word[:-1]
    pieces = [f"(?:{piece}){run}*" for piece in (escape, *alone)]
    more = "|".join(pieces)
    return f"{run}*(?:" + "".join(f"{piece}(?:{more})*|" for piece in pieces) + ")"


_ONE_CHARACTER_RUN = re.compile(r"(\\?[^\\])\+")


def _alone(regexp: str) -> str | None:
    r"""The pattern of a run of one character that is text alone (``None``: not such a run).

    A single ``=`` (``~``, ``+``) opens no mark (:data:`_SINGLE_TEXT`): where
    no other follows it (none precedes it inside plain text, and no token
    ends with one but a run of them, which takes them all), it is text.

    >>> _alone(r"=+"), _alone(r"\*+"), _alone("<br/>")
    ('=(?!=)', None, None)
    """
    run = _ONE_CHARACTER_RUN.fullmatch(regexp)
    if run is None or run.group(1)[-1] not in _SINGLE_TEXT:
        return None
    return f"{run.group(1)}(?!{run.group(1)})"


def _literal_led(regexp: str) -> str:
    r"""``regexp`` written to start with a literal where it is one repeated character.

    The regex engine skips an alternative of an alternation at once when its
    first character differs from a literal it starts with, but enters each
    alternative that starts otherwise; ``X+`` is the same as ``XX*``.

    >>> _literal_led(r"\*+"), _literal_led("=+"), _literal_led("<br/>")
    ('\\*\\**', '==*', '<br/>')
    """
    run = _ONE_CHARACTER_RUN.fullmatch(regexp)
    if run is None:
        return regexp
    return f"{run.group(1)}{run.group(1)}*"


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


def _no_reopen_ops(char: str, length: int, open_marks: tuple[str, ...]) -> _Ops | None:
    """How a run reads when it may not close and reopen a mark.

    It closes as much as it can (innermost first on ties), then opens marks
    that were not open. ``None``: the run is literal text.

    >>> _no_reopen_ops("*", 2, ("emphasis",))
    ((False, 'strong'),)
    >>> _no_reopen_ops("*", 2, ("strong", "emphasis"))
    ((True, 'strong'),)
    """
    if length > _LONGEST_RUN:
        return None
    best: tuple[int, tuple[str, ...], tuple[str, ...]] | None = None
    innermost_first = tuple(reversed(open_marks))
    for size in range(len(innermost_first), -1, -1):
        for closes in combinations(innermost_first, size):
            rest = length - sum(_WIDTHS[mark] for mark in closes)
            if rest < 0:
                continue
            opens = _OPENERS[char].get(rest, None) if rest else ()
            if opens is None or not set(opens).isdisjoint(open_marks):
                continue
            width = length - rest
            if best is None or width > best[0]:
                best = (width, closes, opens)
    if best is None:
        return None
    return tuple((True, mark) for mark in best[1]) + tuple((False, mark) for mark in best[2])


def _idle(ops: _Ops) -> bool:
    """Do these ops close and reopen the same marks, changing nothing?"""
    closed = sorted(mark for closing, mark in ops if closing)
    return bool(closed) and closed == sorted(mark for closing, mark in ops if not closing)


class InlineScanner:
    """Inline text to DAST inline nodes, with the grammar's inline terminals.

    ``terminals`` are the inline terminals in lark's lexer order;
    ``pattern`` is the token regex: plain text and escapes (``WORD``,
    ``ESCAPE``), then one of the other terminals, a named group each, tried
    in that order. As ``OTHER`` matches any character, every match attempt
    succeeds: the text is cut exactly where lark's lexer cuts it
    (:meth:`tokens`). The scans run the same alternatives in the same order
    written for speed (``_scan``: the kind in ``match.lastindex``, the end
    of the text a match, a single ``=`` read with the plain text); they cut
    the same tokens (tests/test_parse_fast_paths.py).
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
        plain = _plain_run(word, escape)
        self.pattern = (
            plain + "(?:" + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in tokens) + ")"
        )
        self._regex = re.compile(self.pattern)
        # The regex the scans run: the same alternatives in the same order, each
        # followed by an empty group (its match.lastindex tells the kind) and
        # starting with a literal where it can (a quick miss for the engine), the
        # plain text in group 1 (its end is where the token starts), and the end
        # of the text as a last alternative (plain text up to the end is one
        # match, instead of giving its last character back to OTHER).
        # A run that is text alone (a single "=") is read with the plain text; a
        # "[" whose label is plain words up to "](" is one match, before "[" alone.
        alone = [_alone(t.pattern.to_regexp()) for t in tokens if _KINDS[t.name] == _RUN_TOKEN]
        alternatives: list[tuple[str, int]] = []
        for terminal in tokens:
            regexp = terminal.pattern.to_regexp()
            if terminal.name == "LINK_OPEN" and _CHARACTER_CLASS_RUN.fullmatch(word):
                label = f"{word[:-1]}*{by_name['LINK_CLOSE'].pattern.to_regexp()}"
                alternatives.append((f"{regexp}{label}", _PLAIN_LINK))
            alternatives.append((_literal_led(regexp), _KINDS[terminal.name]))
        self._scan = re.compile(
            f"({_plain_run(word, escape, [found for found in alone if found is not None])})(?:"
            + "|".join(f"{regexp}()" for regexp, _ in alternatives)
            + r"|\Z())"
        )
        self._plain = re.compile(word)
        self._escape = re.compile(escape)
        self._kinds: list[int] = [-1, -1] + [kind for _, kind in alternatives] + [_END]
        self._attributes = AttributeSyntax(by_name)
        self._line_break: str = by_name["LINE_BREAK"].pattern.value
        self._destination = re.compile(f"{escape}|{by_name['LINE_BREAK'].pattern.to_regexp()}")
        self._string = re.compile(by_name["STRING"].pattern.to_regexp())
        self._ops: dict[tuple[str, tuple[str, ...]], _Reading] = {}
        self._tags: dict[str, str] = {}

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
        taken = len(inline_blocks) if inline_blocks is not None else 0
        try:
            fast = self._fast(text, lines, inline_blocks)
        except DastdownParseError:
            fast = None  # the full reading below gives the error of record
        if fast is not None:
            return fast
        if inline_blocks is not None:
            del inline_blocks[taken:]  # what the fast path collected before it gave up
        return self._resolve(self._structure(text, lines, inline_blocks))

    def fast_scan(self, text: str) -> list[dict[str, Any]] | None:
        """The inline nodes of ``text`` by the one-pass short-cut, or ``None``.

        :meth:`scan` tries this first. It reads tokens, links and marks in
        one pass, the way the full reading (:meth:`_structure` then
        :meth:`_resolve`) reads them when every opener closes, and gives up
        (``None``) wherever that reading needs to look further: a delimiter
        run that would close and reopen the same marks (a span boundary), a
        delimiter or ``[`` left open at the end, a ``[`` in a link label, an
        inline record in a label, ``](`` with no ``)`` after it in a label,
        a near-miss placeholder, or any error. Wherever it gives nodes they
        are the full reading's (tests/test_parse_fast_paths.py).

        >>> from dastdown.parser import grammar
        >>> scanner = InlineScanner(grammar())
        >>> scanner.fast_scan("a **b** [c](u)") == scanner.scan("a **b** [c](u)", ())
        True
        >>> scanner.fast_scan("*a") is None  # left open: the full reading decides
        True
        """
        try:
            return self._fast(text, (), None)
        except DastdownParseError:
            return None

    def _fast(
        self,
        text: str,
        lines: Sequence[Token],
        inline_blocks: list[tuple[dict[str, Any], int, int]] | None,
    ) -> list[dict[str, Any]] | None:
        """The one-pass reading behind :meth:`fast_scan` (``None``: not taken)."""
        kinds = self._kinds
        scan = self._scan.match
        # Each match attempt succeeds: OTHER takes any character, END the end.
        match: re.Match[str] = scan(text)  # type: ignore[assignment]
        if kinds[match.lastindex] == _END:  # type: ignore[index]  # plain text only
            if not text:
                return []
            return [{"type": "span", "value": _unescape_pairs(text) if "\\" in text else text}]
        out: list[dict[str, Any]] = []
        texts: list[str] = []
        marks: _Marks = None
        counts: dict[str, int] = {}  # open marks (a custom one may be open twice)
        stacks: dict[str, tuple[str, ...]] = {}  # open marks per delimiter character
        customs: list[str] = []
        dirty = False  # counts changed since marks was computed
        outer: tuple[Any, ...] | None = None  # the enclosing state inside a link label
        opened_at = 0  # where the open label's "[" is
        close_at = -1  # the first unescaped ")" after the last "](" looked at
        done = 0  # where the last token ends: each match starts there
        length = len(text)
        first = True
        while True:
            if first:
                first = False
            elif done == length:
                break  # the text ends with a token
            else:
                match = scan(text, done)  # type: ignore[assignment]
            index: int = match.lastindex  # type: ignore[assignment]
            start: int = match.end(1)
            end: int = match.end()
            if start != done:
                plain = text[done:start]
                literal = _unescape_pairs(plain) if "\\" in plain else plain
                if dirty:
                    dirty = False
                    new = _canonical(counts)
                    if new != marks:
                        if texts:
                            out.append(_span("".join(texts), marks))
                            texts = []
                        marks = new
                texts.append(literal)
            done = end
            kind = kinds[index]
            if kind == _RUN_TOKEN:
                run = text[start:end]
                if end - start == 1 and run in _SINGLE_TEXT:
                    literal = run
                else:
                    char = run[0]
                    ops, other, idle, after = self._read(run, stacks.get(char, ()))
                    if idle:
                        return None  # closes and reopens: a span boundary, maybe
                    if ops is None:
                        ops = other
                    if ops is None:
                        literal = run
                    else:
                        stacks[char] = after
                        for closing, mark in ops:
                            if closing:
                                left = counts[mark] - 1
                                if left:
                                    counts[mark] = left
                                else:
                                    del counts[mark]
                            else:
                                counts[mark] = counts.get(mark, 0) + 1
                        dirty = True
                        continue
            elif kind == _TEXT:
                literal = text[start]
                if literal == "<" and match_mangled_placeholder(text, start) is not None:
                    return None
            elif kind == _PLAIN_LINK:  # "[", a label of plain words and "](" in one match
                if outer is not None:
                    return None  # "[" in a label: an error or literal, either way
                if done > close_at:
                    close_at = _unescaped_close(text, done)
                    if close_at < 0:
                        close_at = length
                if close_at == length:
                    return None  # literal "](" (and "[")
                if texts:
                    out.append(_span("".join(texts), marks))
                    texts = []
                if dirty:
                    dirty = False
                    marks = _canonical(counts)
                words = text[start + 1 : end - 2]  # less "[" and "]("
                node, restart = self._link(text, done, close_at, lines)
                if inline_blocks is not None and node["type"] == "itemLink":
                    line, column = _position(text, lines, start)
                    inline_blocks.append((node, line, column))
                out.append(_link_node(node, [_span(words, None)] if words else [], marks))
                done = restart
                continue
            elif kind == _LINK_OPEN:
                if outer is not None:
                    return None  # "[" in a label: an error or literal, either way
                if texts:
                    out.append(_span("".join(texts), marks))
                    texts = []
                if dirty:
                    dirty = False
                    marks = _canonical(counts)
                outer = (out, marks, counts, stacks, customs)
                opened_at = start
                out, texts, marks, counts, stacks, customs = [], [], None, {}, {}, []
                continue
            elif kind == _LINK_CLOSE:
                if outer is None:
                    literal = "]("
                else:
                    if done > close_at:
                        close_at = _unescaped_close(text, done)
                        if close_at < 0:
                            close_at = length
                    if close_at == length or counts:
                        return None  # literal "](" or marks left open in the label
                    if texts:
                        out.append(_span("".join(texts), marks))
                    node, restart = self._link(text, done, close_at, lines)
                    if inline_blocks is not None and node["type"] == "itemLink":
                        line, column = _position(text, lines, opened_at)
                        inline_blocks.append((node, line, column))
                    label = out
                    out, marks, counts, stacks, customs = outer
                    outer = None
                    texts = []
                    out.append(_link_node(node, label, marks))
                    done = restart
                    continue
            elif kind == _ESCAPE:
                literal = text[start + 1]
            elif kind == _MARK_OPEN:
                if len(customs) > 16:
                    return None  # deep custom marks: the full reading, which stays linear
                name = self._quoted(text[start:end])
                customs.append(name)
                counts[name] = counts.get(name, 0) + 1
                dirty = True
                continue
            elif kind == _MARK_CLOSE:
                if customs:
                    name = customs.pop()
                    left = counts[name] - 1
                    if left:
                        counts[name] = left
                    else:
                        del counts[name]
                    dirty = True
                    continue
                literal = text[start:end]
            elif kind == _LINE_BREAK:
                literal = "\n"
            elif kind in (_INLINE_ITEM, _INLINE_BLOCK):
                if outer is not None:
                    return None  # an error: records do not go in labels
                if texts:
                    out.append(_span("".join(texts), marks))
                    texts = []
                if dirty:
                    dirty = False
                    marks = _canonical(counts)
                item = self._quoted(text[start:end])
                node = {
                    "type": "inlineItem" if kind == _INLINE_ITEM else "inlineBlock",
                    "item": item,
                }
                if inline_blocks is not None:
                    line, column = _position(text, lines, start)
                    inline_blocks.append((node, line, column))
                out.append(node)
                continue
            elif kind == _END:
                break
            else:  # _BLOCK_TAG: an error
                return None
            if dirty:
                dirty = False
                new = _canonical(counts)
                if new != marks:
                    if texts:
                        out.append(_span("".join(texts), marks))
                        texts = []
                    marks = new
            texts.append(literal)
        if counts or outer is not None:
            return None  # left open: the full reading decides what is literal
        if texts:
            out.append(_span("".join(texts), marks))
        return out

    # -- pass 1: tokens, links and their labels --------------------------------

    def _structure(
        self,
        text: str,
        lines: Sequence[Token],
        inline_blocks: list[tuple[dict[str, Any], int, int]] | None,
    ) -> list[Any]:
        """Text and delimiter items, with each link resolved into one item."""
        kinds = self._kinds
        finditer = self._scan.finditer
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
                start: int = match.end(1)
                end: int = match.end()
                if start != done:
                    plain = text[done:start]
                    # WORD holds no backslash: each one here starts an escape.
                    buffer.append(_unescape_pairs(plain) if "\\" in plain else plain)
                done = end
                kind = kinds[index]
                if kind == _RUN_TOKEN:
                    run = text[start:end]
                    if end - start == 1 and run in _SINGLE_TEXT:
                        buffer.append(run)  # a single ~ = + is text
                        continue
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    scope.append((_RUN, run))
                elif kind == _TEXT:
                    if text[start] == "<":
                        mangled = match_mangled_placeholder(text, start)
                        if mangled is not None:
                            if buffer:
                                scope.append("".join(buffer))
                                buffer = []
                            line, column = _position(text, lines, start)
                            scope.append((_MANGLED, mangled, line, column))
                            restart = mangled.end
                            break
                    buffer.append(text[start])
                elif kind == _ESCAPE:
                    buffer.append(text[start + 1])
                elif kind == _LINE_BREAK:
                    buffer.append("\n")
                elif kind in (_MARK_OPEN, _MARK_CLOSE):
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    tag = text[start:done]
                    if kind == _MARK_OPEN:
                        scope.append((_OPEN, self._quoted(tag), tag))
                    else:
                        scope.append((_CLOSE, tag))
                elif kind in (_LINK_OPEN, _PLAIN_LINK):
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    brackets.append([scope, start, None])
                    scope = []
                    if kind == _PLAIN_LINK:  # "[" only: the label and "](" are read again
                        restart = start + 1
                        break
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
                    if inline_blocks is not None and node["type"] == "itemLink":
                        line, column = _position(text, lines, opened_at)
                        inline_blocks.append((node, line, column))
                    scope = enclosing
                    scope.append((_LINK, node, label))
                    if brackets and brackets[-1][2] is None:
                        brackets[-1][2] = (opened_at, "a link cannot be inside a link label")
                    break
                elif kind in (_INLINE_ITEM, _INLINE_BLOCK):
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    tag = text[start:done]
                    if kind == _INLINE_ITEM:
                        node = {"type": "inlineItem", "item": self._quoted(tag)}
                        what = "an inline item"
                    else:
                        node = {"type": "inlineBlock", "item": self._quoted(tag)}
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
                elif kind == _END:
                    break
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
        # No plain text is left after the last token: the regex takes the end
        # of the text as one (the plain text before it is in that match).
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
        """A link destination with its escapes and line breaks (``<br/>``) read."""
        if "\\" not in destination and self._line_break not in destination:
            return destination
        line_break = self._line_break
        return self._destination.sub(
            lambda found: "\n" if found.group() == line_break else found.group()[1], destination
        )

    def _quoted(self, tag: str) -> str:
        """The decoded quoted string (id, mark name) of a tag (memoised: marks repeat)."""
        found = self._tags.get(tag)
        if found is None:
            found = decode_string(self._string.search(tag).group())  # type: ignore[union-attr]
            if len(self._tags) > 4096:
                self._tags.clear()
            self._tags[tag] = found
        return found

    # -- pass 2: marks -------------------------------------------------------

    def _read(self, run: str, stack: tuple[str, ...]) -> _Reading:
        """Both readings of a run given its family's open marks (memoised).

        The run's own reading (closers first), the one that reopens
        nothing, whether the first changes nothing (closes and reopens the
        same marks), and the family's open marks after the first reading,
        or the second where the first is literal (as they were where both
        are).
        """
        key = (run, stack)
        try:
            return self._ops[key]
        except KeyError:
            ops = _run_ops(run[0], len(run), stack)
            other = _no_reopen_ops(run[0], len(run), stack)
            after = list(stack)
            for closing, mark in (ops if ops is not None else other) or ():
                if closing:
                    after.remove(mark)
                else:
                    after.append(mark)
            found = (ops, other, ops is not None and _idle(ops), tuple(after))
            if len(run) <= _LONGEST_RUN:
                self._ops[key] = found
            return found

    def _ops_for(
        self, items: list[Any], index: int, stacks: dict[str, list[str]], closed_before: int
    ) -> _Ops | None:
        """How the run ``items[index]`` reads (``None``: literal).

        A run reads closers first. One that would only close and reopen the
        same marks is the serializer's mark of a span boundary, where marks
        of an inner kind change: it reads so only there (right after an
        inner mark closed, ``closed_before`` being that mark's level, or
        right before one opens). Elsewhere it reads without reopening, so
        ``*a **b** c*`` nests strong in emphasis.
        """
        run = items[index][1]
        ops, other, idle, _ = self._read(run, tuple(stacks.setdefault(run[0], [])))
        if ops is not None and (not idle or self._boundary(items, index, stacks, closed_before)):
            return ops
        return other

    def _boundary(
        self, items: list[Any], index: int, stacks: dict[str, list[str]], closed_before: int
    ) -> bool:
        """Is the run ``items[index]`` next to an inner mark closing or opening?"""
        level = _LEVELS[items[index][1][0]]
        if closed_before > level:
            return True
        if index + 1 < len(items):
            following = items[index + 1]
            if type(following) is tuple:
                if following[0] == _OPEN:
                    return True
                if following[0] == _RUN and _LEVELS[following[1][0]] > level:
                    family = stacks.setdefault(following[1][0], [])
                    ops = self._read(following[1], tuple(family))[0]
                    return ops is not None and not all(closing for closing, _ in ops)
        return False

    def _resolve(self, items: list[Any]) -> list[dict[str, Any]]:
        """Canonical inline nodes of one scope (the whole text or a label)."""
        opens = closes = 0
        for item in items:
            if type(item) is tuple:
                if item[0] == _OPEN:
                    opens += 1
                elif item[0] == _CLOSE:
                    closes += 1
        # More <m> than </m>: one stays open, so the one-pass reading would give up
        # (after work that grows with the square of the open marks).
        spans = self._emit_closed(items) if opens <= closes else None
        if spans is None:  # a delimiter stayed open: decide which, then read again
            spans = self._emit(items, self._decide(items))
        return spans

    def _emit_closed(self, items: list[Any]) -> list[dict[str, Any]] | None:
        """Spans and nodes of a scope whose openers all close (else ``None``).

        The common case, in one pass: :meth:`_emit` with every opener
        matched, without the bookkeeping.
        """
        out: list[dict[str, Any]] = []
        texts: list[str] = []
        marks: _Marks = None
        counts: dict[str, int] = {}  # open marks (a custom one may be open twice)
        stacks: dict[str, list[str]] = {}  # open marks per delimiter character, innermost last
        customs: list[str] = []
        dirty = False  # counts changed since marks was computed
        closed_before = -1  # level of the inner mark the previous item closed
        for index, item in enumerate(items):
            if type(item) is str:
                literal = item
            else:
                tag = item[0]
                if tag == _RUN:
                    run = item[1]
                    ops = self._ops_for(items, index, stacks, closed_before)
                    if ops is None:
                        literal = run
                    else:
                        stack = stacks[run[0]]
                        closed_before = -1
                        for closing, mark in ops:
                            if closing:
                                stack.remove(mark)
                                left = counts[mark] - 1
                                if left:
                                    counts[mark] = left
                                else:
                                    del counts[mark]
                                closed_before = _LEVELS[run[0]]
                            else:
                                stack.append(mark)
                                counts[mark] = counts.get(mark, 0) + 1
                        dirty = True
                        continue
                elif tag == _OPEN:
                    customs.append(item[1])
                    counts[item[1]] = counts.get(item[1], 0) + 1
                    dirty = True
                    closed_before = -1
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
                        closed_before = _CUSTOM_LEVEL
                        continue
                elif tag == _MANGLED:
                    literal = _mangled_text(item, counts)
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
                        out.append(_link_node(item[1], item[2], marks))
                    closed_before = -1
                    continue
            closed_before = -1
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
        names: dict[str, list[str]] = {char: [] for char in _OPENERS}  # the same, marks only
        customs: list[list[bool]] = []
        closed_before = -1
        for index, item in enumerate(items):
            closed = -1
            if type(item) is tuple:
                tag = item[0]
                if tag == _RUN:
                    run = item[1]
                    ops = self._ops_for(items, index, names, closed_before)
                    decisions[index] = None
                    if ops is not None:
                        stack, marks = stacks[run[0]], names[run[0]]
                        record: list[list[Any]] = []
                        for closing, mark in ops:
                            if closing:
                                position = marks.index(mark)
                                del stack[position]
                                del marks[position]
                                record.append([True, mark, True])
                                closed = _LEVELS[run[0]]
                            else:
                                op = [False, mark, True]
                                stack.append(op)
                                marks.append(mark)
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
                        closed = _CUSTOM_LEVEL
            closed_before = closed
        for stack in stacks.values():
            for op in stack:
                op[2] = False  # never closed: literal
        for flag in customs:
            flag[0] = False
        return decisions

    def _emit(self, items: list[Any], decisions: dict[int, Any]) -> list[dict[str, Any]]:
        """Spans and nodes of a scope, read as :meth:`_decide` says."""
        out: list[dict[str, Any]] = []
        texts: list[str] = []
        marks: _Marks = None
        counts: dict[str, int] = {}  # open marks (a custom one may be open twice)
        customs: list[str] = []
        dirty = False  # counts changed since marks was computed

        def text(value: str) -> None:
            nonlocal dirty, marks, texts
            if dirty:
                dirty = False
                new = canonical_marks(tuple(counts))
                if new != marks:
                    if texts:
                        out.append(_span("".join(texts), marks))
                        texts = []
                    marks = new
            texts.append(value)

        def close(mark: str) -> None:
            nonlocal dirty
            left = counts[mark] - 1
            if left:
                counts[mark] = left
            else:
                del counts[mark]
            dirty = True

        for index, item in enumerate(items):
            if type(item) is str:
                text(item)
                continue
            tag = item[0]
            if tag == _RUN:
                record = decisions[index]
                if record is None:
                    text(item[1])
                    continue
                for closing, mark, matched in record:
                    if closing:
                        close(mark)
                    elif matched:
                        counts[mark] = counts.get(mark, 0) + 1
                        dirty = True
                    else:  # an opener never closed: its delimiter is text
                        text(item[1][0] * _WIDTHS[mark])
            elif tag == _OPEN:
                if decisions[index][0]:
                    customs.append(item[1])
                    counts[item[1]] = counts.get(item[1], 0) + 1
                    dirty = True
                else:
                    text(item[2])
            elif tag == _CLOSE:
                if decisions[index]:
                    close(customs.pop())
                else:
                    text(item[1])
            elif tag == _MANGLED:
                text(_mangled_text(item, counts))
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
                    out.append(_link_node(item[1], item[2], marks))
        if texts:
            out.append(_span("".join(texts), marks))
        return out


def _mangled_text(item: tuple[int, MangledPlaceholder, int, int], counts: dict[str, int]) -> str:
    """A near-miss placeholder's text inside a code span; an error anywhere else."""
    mangled = item[1]
    if "code" in counts:
        return mangled.text
    raise DastdownPlaceholderError(
        mangled.message(),
        item[2],
        item[3],
        suggestion=mangled.suggestion,
        item_id=mangled.item_id,
    )


_CANONICAL: Final[dict[tuple[str, ...], _Marks]] = {}


def _canonical(counts: dict[str, int]) -> _Marks:
    """The canonical marks of the open ones (memoised; the memo is kept small)."""
    key = tuple(counts)
    if len(key) > 8:  # rare: not worth a memo entry of that size
        return canonical_marks(key)
    try:
        return _CANONICAL[key]
    except KeyError:
        if len(_CANONICAL) > 4096:
            _CANONICAL.clear()
        found = _CANONICAL[key] = canonical_marks(key)
        return found


def _span(value: str, marks: _Marks) -> dict[str, Any]:
    if marks is None:
        return {"type": "span", "value": value}
    return {"type": "span", "value": value, "marks": list(marks)}


def _link_node(node: dict[str, Any], label: list[dict[str, Any]], marks: _Marks) -> dict[str, Any]:
    """A link node with its label, the marks open around the link added to it."""
    if marks is not None and label:
        label = _with_marks(label, marks)
    node["children"] = label or [{"type": "span", "value": ""}]
    return node


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
