"""The inline scanner: the text of a paragraph or heading to inline nodes.

One regex, compiled from the grammar's inline terminals (the ones of its
``_inline_token`` rule) in the order lark's own lexer tries them, cuts the
text into tokens; :meth:`InlineScanner.scan` then

1. pairs ``[`` with ``](``: the destination runs to the next unescaped
   ``)`` and may be followed by a ``{...}`` meta trailer; an unmatched
   ``[`` or ``](`` is literal text; a link, inline item or inline block
   inside a label that closes is an error;
2. reads mark delimiters with a stack, per label and for the whole text: a
   run of ``*`` (``~``, ``=``, ``+``, backticks) first closes the open marks
   of its kind innermost first, as far as it can, and what is left opens
   marks (``*`` emphasis, ``**`` strong, ``***`` both); ``<m k="...">``
   opens a custom mark and ``</m>`` closes the last one open. A delimiter
   left open at the end is literal text, and so is a run that cannot be
   read this way;
3. builds canonical spans: marks de-duplicated in canonical order, empty
   spans dropped, neighbours with the same marks merged.

Both passes are linear in the text: the search for a URL's closing ``)``
resumes where the last one stopped (a ``)`` is escaped when an odd run of
backslashes precedes it).

>>> from dastdown.parser import grammar
>>> scanner = InlineScanner(grammar())
>>> scanner.scan("a **b *c*** [d](u){rel=\\"x\\"}", ())
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
from .lexer import AttributeSyntax, decode_string
from .syntax import EMPTY_ITEM_ID, ITEM_LINK_PREFIX

__all__ = ["INLINE_RULE", "InlineScanner", "lark_lexer_order"]

INLINE_RULE = "_inline_token"
"""The grammar rule whose alternatives are the inline terminals."""

# What each inline terminal is, for the scanner (the grammar names them).
(
    _WORD,
    _ESCAPE,
    _LINE_BREAK,
    _OTHER,
    _STARS,
    _PAIRED,
    _BACKTICKS,
    _MARK_OPEN,
    _MARK_CLOSE,
    _INLINE_ITEM,
    _INLINE_BLOCK,
    _BLOCK_TAG,
    _LINK_OPEN,
    _LINK_CLOSE,
) = range(14)

_KINDS = {
    "WORD": _WORD,
    "ESCAPE": _ESCAPE,
    "LINE_BREAK": _LINE_BREAK,
    "OTHER": _OTHER,
    "STARS": _STARS,
    "TILDES": _PAIRED,
    "EQUALS": _PAIRED,
    "PLUSES": _PAIRED,
    "BACKTICKS": _BACKTICKS,
    "MARK_OPEN": _MARK_OPEN,
    "MARK_CLOSE": _MARK_CLOSE,
    "INLINE_ITEM": _INLINE_ITEM,
    "INLINE_BLOCK": _INLINE_BLOCK,
    "BLOCK_TAG": _BLOCK_TAG,
    "LINK_OPEN": _LINK_OPEN,
    "LINK_CLOSE": _LINK_CLOSE,
}

# Delimiter families: the marks a run of one character can open or close,
# with their widths, and what the rest of a run opens (outer mark first).
_WIDTHS = {
    "strong": 2,
    "emphasis": 1,
    "strikethrough": 2,
    "highlight": 2,
    "underline": 2,
    "code": 1,
}
_FAMILIES: dict[str, frozenset[str]] = {
    "*": frozenset({"strong", "emphasis"}),
    "~": frozenset({"strikethrough"}),
    "=": frozenset({"highlight"}),
    "+": frozenset({"underline"}),
    "`": frozenset({"code"}),
}
_OPENERS: dict[str, dict[int, tuple[str, ...]]] = {
    "*": {1: ("emphasis",), 2: ("strong",), 3: ("strong", "emphasis")},
    "~": {2: ("strikethrough",)},
    "=": {2: ("highlight",)},
    "+": {2: ("underline",)},
    "`": {1: ("code",)},
}

# Scope items besides text (plain str): tuples tagged with one of these.
_RUN, _OPEN, _CLOSE, _NODE, _LINK = range(5)

_Ops = tuple[tuple[bool, str, int], ...]
_EMPTY_SPAN = {"type": "span", "value": ""}


def lark_lexer_order(terminal: TerminalDef) -> tuple[int, int, int, str]:
    """The sort key lark's basic lexer gives terminals (tried in this order).

    >>> from lark.lexer import PatternStr
    >>> lark_lexer_order(TerminalDef("LINK_OPEN", PatternStr("[")))
    (0, -1, -1, 'LINK_OPEN')
    """
    return (-terminal.priority, -terminal.pattern.max_width, -len(terminal.pattern.value), terminal.name)


def _run_ops(char: str, length: int, open_marks: tuple[str, ...]) -> _Ops | None:
    """How a run of ``length`` ``char`` reads, given its family's open marks.

    ``open_marks`` lists them innermost first. The run closes each that it
    can afford, innermost first; the rest of it must open marks that are
    not open. ``None``: the run is literal text.

    >>> _run_ops("*", 4, ("emphasis", "strong"))
    ((True, 'emphasis', 1), (True, 'strong', 2), (False, 'emphasis', 1))
    >>> _run_ops("~", 3, ()) is None
    True
    """
    rest = length
    closes: list[str] = []
    for mark in open_marks:
        width = _WIDTHS[mark]
        if width <= rest:
            closes.append(mark)
            rest -= width
    opens: tuple[str, ...] = ()
    if rest:
        found = _OPENERS[char].get(rest)
        if found is None:
            return None
        still_open = set(open_marks).difference(closes)
        if still_open.intersection(found):
            return None
        opens = found
    return tuple((True, mark, _WIDTHS[mark]) for mark in closes) + tuple(
        (False, mark, _WIDTHS[mark]) for mark in opens
    )


class InlineScanner:
    """Inline text to DAST inline nodes, with the grammar's inline terminals.

    ``pattern`` is the one regex: a named group per terminal of the
    ``_inline_token`` rule, in lark's lexer order.
    """

    def __init__(self, lark: Lark) -> None:
        names = {
            symbol.name
            for rule in lark.rules
            if rule.origin.name == INLINE_RULE
            for symbol in rule.expansion
        }
        terminals = sorted((t for t in lark.terminals if t.name in names), key=lark_lexer_order)
        self.terminals: tuple[TerminalDef, ...] = tuple(terminals)
        self.pattern = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals)
        self._regex = re.compile(self.pattern)
        self._kinds: list[int] = [-1] + [_KINDS[t.name] for t in terminals]
        by_name = {t.name: t for t in lark.terminals}
        self._attributes = AttributeSyntax(by_name)
        self._destination = re.compile(
            f"{by_name['ESCAPE'].pattern.to_regexp()}|{by_name['LINE_BREAK'].pattern.to_regexp()}"
        )
        self._word = _KINDS["WORD"]
        self._ops: dict[tuple[str, int, tuple[str, ...]], _Ops | None] = {}

    def tokens(self, text: str) -> list[tuple[str, str]]:
        """``(terminal name, text)`` for each token of ``text`` (no link logic).

        >>> from dastdown.parser import grammar
        >>> InlineScanner(grammar()).tokens("a**b**")
        [('WORD', 'a'), ('STARS', '**'), ('WORD', 'b'), ('STARS', '**')]
        """
        return [(match.lastgroup or "", match.group()) for match in self._regex.finditer(text)]

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
        first = self._regex.match(text)
        if first is not None and first.end() == len(text) and self._kinds[first.lastindex or 0] == self._word:
            return [{"type": "span", "value": text}]
        return self._resolve(self._structure(text, lines, inline_blocks))

    # -- pass 1: tokens, links and their labels --------------------------------

    def _structure(  # noqa: C901 - the token loop
        self,
        text: str,
        lines: Sequence[Token],
        inline_blocks: list[tuple[dict[str, Any], int, int]] | None,
    ) -> list[Any]:
        kinds = self._kinds
        finditer = self._regex.finditer
        scope: list[Any] = []
        brackets: list[list[Any]] = []  # [enclosing scope, offset of "[", problem]
        buffer: list[str] = []
        close_at = -1  # the first unescaped ")" after the last "](" looked at
        position = 0
        while True:
            restart = -1
            for match in finditer(text, position):
                kind = kinds[match.lastindex]  # type: ignore[index]
                if kind == _WORD or kind == _OTHER:
                    buffer.append(match.group())
                elif kind == _ESCAPE:
                    buffer.append(text[match.start() + 1])
                elif kind == _STARS or kind == _BACKTICKS or kind == _PAIRED:
                    run = match.group()
                    if kind == _PAIRED and len(run) == 1:
                        buffer.append(run)
                        continue
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    scope.append((_RUN, run))
                elif kind == _LINE_BREAK:
                    buffer.append("\n")
                elif kind == _MARK_OPEN or kind == _MARK_CLOSE:
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    tag = match.group()
                    if kind == _MARK_OPEN:
                        scope.append((_OPEN, decode_string(tag[5:-1]), tag))
                    else:
                        scope.append((_CLOSE, tag))
                elif kind == _LINK_OPEN:
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    brackets.append([scope, match.start(), None])
                    scope = []
                elif kind == _LINK_CLOSE:
                    if not brackets:
                        buffer.append("](")
                        continue
                    start = match.end()
                    if start > close_at:  # else the last search's ")" still comes first
                        close_at = _unescaped_close(text, start)
                    if close_at < 0:  # none up to the end: this "](" and later ones are text
                        close_at = len(text)
                    if close_at == len(text):
                        buffer.append("](")
                        continue
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    end = close_at
                    enclosing, opened_at, problem = brackets.pop()
                    if problem is not None:
                        raise _located(problem[1], text, lines, problem[0])
                    label = self._resolve(scope)
                    node, restart = self._link(text, match.end(), end, lines)
                    scope = enclosing
                    scope.append((_LINK, node, label))
                    if brackets and brackets[-1][2] is None:
                        brackets[-1][2] = (opened_at, "a link cannot be inside a link label")
                    break
                elif kind == _INLINE_ITEM or kind == _INLINE_BLOCK:
                    if buffer:
                        scope.append("".join(buffer))
                        buffer = []
                    tag = match.group()
                    if kind == _INLINE_ITEM:
                        node = {"type": "inlineItem", "item": decode_string(tag[15:-2])}
                        what = "an inline item"
                    else:
                        node = {"type": "inlineBlock", "item": decode_string(tag[16:-2])}
                        what = "an inline block"
                        if inline_blocks is not None:
                            line, column = _position(text, lines, match.start())
                            inline_blocks.append((node, line, column))
                    if brackets and brackets[-1][2] is None:
                        brackets[-1][2] = (
                            match.start(),
                            f"{what} cannot be inside a link label (labels hold text only)",
                        )
                    scope.append((_NODE, node))
                else:  # _BLOCK_TAG
                    raise _located(
                        "a block cannot be inside text: write <block id=\"...\"/> alone on "
                        "its own line at the root (or \\< for a literal '<')",
                        text,
                        lines,
                        match.start(),
                    )
            if restart < 0:
                break
            position = restart
        if buffer:
            scope.append("".join(buffer))
        if not brackets:
            return scope
        # Unmatched "[": literal, their content back in the enclosing scope.
        flat: list[Any] = brackets[0][0]
        for enclosing in [bracket[0] for bracket in brackets[1:]] + [scope]:
            flat.append("[")
            flat.extend(enclosing)
        return flat

    def _link(
        self, text: str, start: int, end: int, lines: Sequence[Token]
    ) -> tuple[dict[str, Any], int]:
        """The link node whose destination is ``text[start:end]``, and where to go on.

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
                raise _located(
                    f"malformed link meta: {message} (write \\{{ for a literal brace)",
                    text,
                    lines,
                    offset,
                )
        return node, position

    def _unescape(self, destination: str) -> str:
        """A link destination with its escapes and ``<br/>`` read."""
        if "\\" not in destination and "<" not in destination:
            return destination
        return self._destination.sub(_destination_char, destination)

    # -- pass 2: marks -------------------------------------------------------

    def _run(self, run: str, active: tuple[list[Any], ...]) -> _Ops | None:
        """The ops of a delimiter run given the open entries (memoised)."""
        family = _FAMILIES[run[0]]
        open_marks = tuple(entry[0] for entry in reversed(active) if entry[0] in family)
        key = (run[0], len(run), open_marks)
        try:
            return self._ops[key]
        except KeyError:
            ops = _run_ops(run[0], len(run), open_marks) if len(run) <= 8 else None
            if len(self._ops) < 4096:
                self._ops[key] = ops
            return ops

    def _resolve(self, items: list[Any]) -> list[dict[str, Any]]:  # noqa: C901 - one loop
        """Canonical inline nodes of one scope (the text or a label)."""
        # Each piece: (text | opener entry | node, open entries at that point).
        pieces: list[tuple[Any, tuple[list[Any], ...]]] = []
        active: tuple[list[Any], ...] = ()
        toggled: dict[str, list[Any]] = {}
        customs: list[list[Any]] = []
        for item in items:
            if type(item) is str:
                pieces.append((item, active))
                continue
            tag = item[0]
            if tag == _RUN:
                run = item[1]
                ops = self._run(run, active)
                if ops is None:
                    pieces.append((run, active))
                    continue
                for closing, mark, width in ops:
                    if closing:
                        entry = toggled.pop(mark)
                        active = tuple(other for other in active if other is not entry)
                    else:
                        entry = [mark, run[0] * width, False]
                        pieces.append((entry, active))
                        toggled[mark] = entry
                        active = (*active, entry)
            elif tag == _OPEN:
                entry = [item[1], item[2], False]
                pieces.append((entry, active))
                customs.append(entry)
                active = (*active, entry)
            elif tag == _CLOSE:
                if customs:
                    entry = customs.pop()
                    active = tuple(other for other in active if other is not entry)
                else:
                    pieces.append((item[1], active))
            elif tag == _NODE:
                pieces.append((item[1], ()))
            else:
                pieces.append((item, active))
        for entry in toggled.values():
            entry[2] = True  # never closed: literal
        for entry in customs:
            entry[2] = True
        return _spans(pieces)


def _spans(pieces: list[tuple[Any, tuple[list[Any], ...]]]) -> list[dict[str, Any]]:
    """Merge pieces into canonical spans and nodes."""
    out: list[dict[str, Any]] = []
    memo: dict[int, tuple[str, ...] | None] = {}
    current: tuple[str, ...] | None = None
    texts: list[str] = []
    for obj, active in pieces:
        kind = type(obj)
        if kind is str:
            text = obj
        elif kind is list:
            if not obj[2]:
                continue  # a matched delimiter
            text = obj[1]
        else:
            if texts:
                out.append(_span("".join(texts), current))
                texts = []
            if kind is dict:
                out.append(obj)
            else:  # a link: (tag, node, label spans)
                node = obj[1]
                label = obj[2]
                outer = _marks(active, memo)
                if outer is not None and label:
                    label = _with_marks(label, outer)
                node["children"] = label or [dict(_EMPTY_SPAN)]
                out.append(node)
            continue
        if not text:
            continue
        marks = _marks(active, memo) if active else None
        if texts and marks != current:
            out.append(_span("".join(texts), current))
            texts = []
        current = marks
        texts.append(text)
    if texts:
        out.append(_span("".join(texts), current))
    return out


def _marks(
    active: tuple[list[Any], ...], memo: dict[int, tuple[str, ...] | None]
) -> tuple[str, ...] | None:
    """The canonical marks of the open entries that were matched."""
    if not active:
        return None
    key = id(active)
    try:
        return memo[key]
    except KeyError:
        marks = canonical_marks(tuple(entry[0] for entry in active if not entry[2]))
        memo[key] = marks
        return marks


def _span(value: str, marks: tuple[str, ...] | None) -> dict[str, Any]:
    if marks is None:
        return {"type": "span", "value": value}
    return {"type": "span", "value": value, "marks": list(marks)}


def _with_marks(label: list[dict[str, Any]], outer: tuple[str, ...]) -> list[dict[str, Any]]:
    """Label spans with the marks open around the link added, re-merged."""
    out: list[dict[str, Any]] = []
    for span in label:
        marks = canonical_marks(tuple(span.get("marks", ())) + outer)
        if out and out[-1].get("marks") == (list(marks) if marks else None):
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
