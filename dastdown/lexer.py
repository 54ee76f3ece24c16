"""The line pre-pass: dastdown text to the block-level tokens of the grammar.

:class:`StructureLexer` is the custom lark lexer of ``dastdown.lark``: lark
instantiates it with the grammar's terminals and every pattern it matches
comes from them (a list marker is ``BULLET`` or ``ORDINAL``, a trailer
``ATTRIBUTES``...). It works line by line:

* lines end with ``\\n`` only; a blank line is empty or made of spaces;
* each open list item owns two spaces of indent: a line that has fewer
  closes items (one ``_DEDENT`` each, like lark's ``Indenter``); what is
  left after the indent is the line's content, and extra spaces belong to
  it (a line whose content starts with a space is paragraph text);
* at the content column it recognises list markers (several may open on
  one line), ``#`` headings, code fences (whose raw body lines become one
  ``CODE_BODY``), ``---``, ``<block .../>``, ``>`` quote lines (a run of
  them is wrapped in ``_QUOTE`` ... ``_UNQUOTE``) and whole-line trailers;
  anything else is paragraph text: ``TEXT``, or ``CONT`` when it continues
  the paragraph of the line above.

Structure is left to the grammar: a heading inside a list item is lexed as
a heading, and the parser reports it where it stands.

>>> from dastdown.parser import grammar
>>> lexer = StructureLexer(grammar().lexer_conf)
>>> [t.type for t in lexer.lex("- a\\n  b\\n\\n# h\\n")]
['BULLET', 'TEXT', 'CONT', '_DEDENT', 'HASHES', 'TEXT']
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from lark import Token
from lark.lexer import Lexer, TerminalDef

from .errors import DastdownParseError
from .syntax import ATTRIBUTION_KEY

__all__ = ["AttributeSyntax", "AttributeValue", "StructureLexer", "decode_string", "malformed"]

AttributeValue = str | tuple[int, ...]
"""A trailer value: a string, or the line numbers of ``highlight=[0,2]``."""

_NO_TEXT = -2  # the previous line was not paragraph text
_QUOTED = -1  # container key of the lines of a blockquote


def decode_string(quoted: str) -> str:
    r"""Decode a double-quoted string with JSON-style escapes.

    >>> decode_string('"a\\"b\\tc"')
    'a"b\tc'
    """
    if "\\" not in quoted:
        return quoted[1:-1]
    value: str = json.loads(quoted, strict=False)
    return value


def _pattern(terminals: Mapping[str, TerminalDef], name: str) -> str:
    return terminals[name].pattern.to_regexp()


class AttributeSyntax:
    """Match, decode and diagnose ``{key="value" ...}`` trailers.

    Built from the grammar's ``LINE_TRAILER`` (the whole trailer), ``IDENT``,
    ``STRING`` and ``NUMBERS`` terminals.

    >>> from dastdown.parser import grammar
    >>> syntax = AttributeSyntax({t.name: t for t in grammar().terminals})
    >>> syntax.decode('{"a b"="x\\\\ny" highlight=[0, 2]}')
    [('a b', 'x\\ny', 1), ('highlight', (0, 2), 14)]
    """

    def __init__(self, terminals: Mapping[str, TerminalDef]) -> None:
        ident = _pattern(terminals, "IDENT")
        string = _pattern(terminals, "STRING")
        numbers = _pattern(terminals, "NUMBERS")
        self.trailer = re.compile(_pattern(terminals, "LINE_TRAILER"))
        self._entry = re.compile(f"(?:({ident})|({string}))=(?:({string})|({numbers}))")
        self._looks_like = re.compile(f'\\{{(?:{ident}=|"|\\}})')
        self._ident = re.compile(ident)
        self._string = re.compile(string)
        self._numbers = re.compile(numbers)

    def looks_like(self, text: str, pos: int) -> bool:
        """Does a trailer (valid or not) start at ``pos``: ``{key=``, ``{"`` or ``{}``?"""
        return self._looks_like.match(text, pos) is not None

    def decode(self, trailer: str) -> list[tuple[str, AttributeValue, int]]:
        """The entries of a trailer matched by :attr:`trailer`: key, value, offset."""
        entries: list[tuple[str, AttributeValue, int]] = []
        for match in self._entry.finditer(trailer):
            bare, quoted, value, numbers = match.groups()
            key = bare if bare is not None else decode_string(quoted)
            if value is not None:
                entries.append((key, decode_string(value), match.start()))
            else:
                lines = tuple(int(n) for n in re.findall("[0-9]+", numbers))
                entries.append((key, lines, match.start()))
        return entries

    def diagnose(self, text: str, pos: int, whole: bool) -> tuple[int, str]:
        """Where and why the trailer starting at ``pos`` is malformed.

        ``whole``: the trailer must end the text. Returns an offset in
        ``text`` and a message.

        >>> from dastdown.parser import grammar
        >>> syntax = AttributeSyntax({t.name: t for t in grammar().terminals})
        >>> syntax.diagnose('{style="a\\\\qb"}', 0, True)
        (9, 'invalid escape \\\\q in a quoted string: write \\\\\\\\ for a backslash')
        """
        length = len(text)
        p = pos + 1
        while True:
            if p < length and text[p] == "}":
                if p == pos + 1:
                    p += 1
                    break
                return p, "expected an attribute name"
            if p < length and text[p] == '"':
                problem = self._string_problem(text, p)
                if problem:
                    return problem
                p = self._string.match(text, p).end()  # type: ignore[union-attr]
            else:
                key = self._ident.match(text, p)
                if key is None:
                    return p, "expected an attribute name (an identifier or a quoted string)"
                p = key.end()
            if p >= length or text[p] != "=":
                return p, "expected '=' after the attribute name"
            p += 1
            if p < length and text[p] == '"':
                problem = self._string_problem(text, p)
                if problem:
                    return problem
                p = self._string.match(text, p).end()  # type: ignore[union-attr]
            elif p < length and text[p] == "[":
                numbers = self._numbers.match(text, p)
                if numbers is None:
                    return p, "expected a list of line numbers such as [0,2]"
                p = numbers.end()
            else:
                return p, 'expected a quoted value ("...")'
            if p < length and text[p] == "}":
                p += 1
                break
            if p < length and text[p] == " ":
                while p < length and text[p] == " ":
                    p += 1
                continue
            return p, "expected a space or '}' after the value"
        if whole and p < length:
            return p, "unexpected text after the trailer"
        return pos, "malformed trailer"  # not reached for a trailer the patterns refuse

    def _string_problem(self, text: str, start: int) -> tuple[int, str] | None:
        """The first problem of the quoted string at ``start`` (``None`` if valid)."""
        p = start + 1
        length = len(text)
        while p < length:
            char = text[p]
            if char == '"':
                return None
            if char == "\\":
                following = text[p + 1 : p + 2]
                if following and following in '"\\/bfnrt':
                    p += 2
                    continue
                if following == "u" and re.fullmatch("[0-9a-fA-F]{4}", text[p + 2 : p + 6]):
                    p += 6
                    continue
                shown = "\\" + following if following else "\\ at the end"
                return p, f"invalid escape {shown} in a quoted string: write \\\\ for a backslash"
            p += 1
        return start, "unterminated quoted string"


_LINE_TERMINALS = (
    "BULLET",
    "ORDINAL",
    "_QUOTE",
    "HASHES",
    "FENCE",
    "RULE",
    "BLOCK",
    "LINE_TRAILER",
)
"""The terminals that can start a line's content, tried in this order."""

_MARKERS = ("BULLET", "ORDINAL")


class _LineSyntax:
    """The line-level patterns of the grammar, compiled once."""

    def __init__(self, terminals: Mapping[str, TerminalDef]) -> None:
        self.start = re.compile(
            "|".join(f"(?P<{name}>{_pattern(terminals, name)})" for name in _LINE_TERMINALS)
        )
        self.quote_break = re.compile(_pattern(terminals, "_QUOTE_BREAK"))
        self.fence_end = re.compile(_pattern(terminals, "_FENCE_END"))
        self.attributes = AttributeSyntax(terminals)
        # Where a trailer may start: a brace (ATTRIBUTES opens with one) at the
        # start of the text or after a space.
        self.trailer_candidates = re.compile(r"(?:^| )\{")


class StructureLexer(Lexer):
    """The custom lark lexer of ``dastdown.lark``: one pass over the lines.

    Lark builds it with the grammar's terminals; ``lex(text)`` yields lark
    tokens (1-based ``line`` and ``column`` of the text they stand for) and
    raises :class:`~dastdown.errors.DastdownParseError` on lexical problems
    (a heading of 7 ``#``, an unclosed fence, a malformed trailer).
    """

    def __init__(self, lexer_conf: Any) -> None:
        self._syntax = _LineSyntax({t.name: t for t in lexer_conf.terminals})

    def lex(self, text: str) -> Iterator[Token]:  # type: ignore[override]
        """Yield the block-level tokens of ``text``."""
        return _lex(text, self._syntax)


def _error(message: str, line: int, column: int) -> DastdownParseError:
    return DastdownParseError(message, line, column)


def malformed(what: str, problem: str) -> str:
    """The message for a malformed trailer, with a hint unless a string is at fault.

    >>> malformed("trailer", "expected '=' after the attribute name")
    "malformed trailer: expected '=' after the attribute name (write \\\\{ for a literal brace)"
    """
    hint = "" if "quoted string" in problem else " (write \\{ for a literal brace)"
    return f"malformed {what}: {problem}{hint}"


def _trailer_at_end(
    text: str, syntax: _LineSyntax, line: int, column: int, strict: bool
) -> int | None:
    """Where the trailer that ends ``text`` starts (``None`` without one).

    A trailer starts the text or follows an unescaped space. With
    ``strict`` (a fence line, which holds no quoted inline tags), a ``{``
    there that starts like a trailer but does not make one up to the end
    of the line is an error (``column`` is the text's first column, for
    it); in a heading it may be inside a tag's quoted id, and is text.
    """
    if "{" not in text:
        return None
    attributes = syntax.attributes
    braces = []
    for match in syntax.trailer_candidates.finditer(text):
        brace = match.end() - 1
        if brace:
            slashes = 0
            while brace - 2 - slashes >= 0 and text[brace - 2 - slashes] == "\\":
                slashes += 1
            if slashes % 2:
                continue  # an escaped space: "\ {" is text
        braces.append(brace)
    # The rightmost: one further right would be inside the trailer's strings.
    for brace in reversed(braces):
        if attributes.trailer.fullmatch(text, brace):
            return brace
    if strict:
        for brace in braces:
            if attributes.looks_like(text, brace):
                offset, message = attributes.diagnose(text, brace, whole=True)
                raise _error(malformed("trailer", message), line, column + offset)
    return None


def _lex(text: str, syntax: _LineSyntax) -> Iterator[Token]:
    # lark's constructor, without its keyword-argument shim
    new = cast("Callable[..., Token]", Token._future_new)
    lines: Sequence[str] = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    count = len(lines)
    line_start = syntax.start.match
    attributes = syntax.attributes
    depth = 0  # open list items
    in_quote = False
    previous_text = _NO_TEXT  # container key of the last paragraph text line
    blanks = 0  # blank lines since the last non-blank one
    index = 0
    while index < count:
        line = lines[index]
        index += 1
        lineno = index
        # -- blank lines: remembered, they only matter to the next line
        spaces = 0
        if not line or line[0] == " ":
            spaces = len(line) - len(line.lstrip(" "))
            if spaces == len(line):
                if in_quote:
                    yield new("_UNQUOTE", "", None, lineno, 1)
                    in_quote = False
                blanks += 1
                previous_text = _NO_TEXT
                continue
        # -- indentation: which open list items this line stays in
        level = depth if spaces >= 2 * depth else spaces >> 1
        if spaces < 2 * depth and spaces & 1 and not blanks:
            raise _error(
                f"bad indentation: {spaces} space{'s' if spaces > 1 else ''} inside a list "
                f"(item content is indented by 2 spaces per level: write {2 * level} or "
                f"{2 * level + 2})",
                lineno,
                spaces + 1,
            )
        col = 2 * level
        match = line_start(line, col)
        kind = match.lastgroup if match is not None else None
        quote_ended = False  # this line directly follows the last line of a quote
        if in_quote and (level < depth or kind != "_QUOTE"):
            yield new("_UNQUOTE", "", None, lineno, col + 1)
            in_quote = False
            quote_ended = True
        if level < depth:
            for _ in range(depth - level):
                yield new("_DEDENT", "", None, lineno, col + 1)
            previous_text = _NO_TEXT
        if blanks:
            if blanks >= 2 and kind in _MARKERS:
                yield new("_LIST_BREAK", "", None, lineno - blanks, 1)
            blanks = 0
            previous_text = _NO_TEXT
        depth = level
        opened = False
        # -- list markers open items, several on one line if need be
        while kind == "BULLET" or kind == "ORDINAL":
            yield new(kind, match.group(), None, lineno, col + 1)  # type: ignore[union-attr]
            depth += 1
            col = match.end()  # type: ignore[union-attr]
            opened = True
            match = line_start(line, col)
            kind = match.lastgroup if match is not None else None
        container = depth
        # -- a quote line: its "> " prefix is stripped, its content lexed as usual
        if kind == "_QUOTE":
            if syntax.quote_break.fullmatch(line, col):
                if not in_quote:
                    yield new("_QUOTE", ">", None, lineno, col + 1)
                    in_quote = True
                yield new("_QUOTE_BREAK", line[col:], None, lineno, col + 1)
                previous_text = _NO_TEXT
                continue
            if not in_quote or opened:
                yield new("_QUOTE", ">", None, lineno, col + 1)
                in_quote = True
            col = match.end()  # type: ignore[union-attr]
            container = _QUOTED
            match = line_start(line, col)
            kind = match.lastgroup if match is not None else None
            if kind == "_QUOTE":  # a quote in a quote: lexed so that the parser reports it
                yield new("_QUOTE", ">", None, lineno, col + 1)
                previous_text = _NO_TEXT
                continue
            if kind == "BULLET" or kind == "ORDINAL":  # a list in a quote: the same
                yield new(kind, match.group(), None, lineno, col + 1)  # type: ignore[union-attr]
                col = match.end()  # type: ignore[union-attr]
                opened = True
                match = line_start(line, col)
                kind = match.lastgroup if match is not None else None
        # -- the content
        if kind is not None:
            end = match.end()  # type: ignore[union-attr]
            if kind == "HASHES":
                if end == len(line) or line[end] == " ":
                    if end - col > 6:
                        raise _error(
                            f"heading level {end - col}: a heading has 1 to 6 '#' "
                            "(write \\# for a literal '#')",
                            lineno,
                            col + 1,
                        )
                    yield new("HASHES", line[col:end], None, lineno, col + 1)
                    start = end + 1 if end < len(line) else end
                    body = line[start:]
                    brace = _trailer_at_end(body, syntax, lineno, start + 1, False)
                    if brace is None:
                        yield new("TEXT", body, None, lineno, start + 1)
                    else:
                        yield new("TEXT", body[: max(brace - 1, 0)], None, lineno, start + 1)
                        yield new("TRAILER", body[brace:], None, lineno, start + brace + 1)
                    previous_text = _NO_TEXT
                    continue
            elif kind == "FENCE":
                width = end - col
                yield new("FENCE", line[col:end], None, lineno, col + 1)
                info = line[end:]
                brace = _trailer_at_end(info, syntax, lineno, end + 1, True)
                language = info if brace is None else info[: max(brace - 1, 0)]
                if language:
                    yield new("INFO", language, None, lineno, end + 1)
                if brace is not None:
                    yield new("TRAILER", info[brace:], None, lineno, end + brace + 1)
                body_lines: list[str] = []
                closed = False
                while index < count:
                    candidate = lines[index]
                    index += 1
                    bare = candidate.rstrip(" ")
                    if len(bare) >= width and syntax.fence_end.fullmatch(bare):
                        closed = True
                        break
                    body_lines.append(candidate)
                if not closed:
                    raise _error(
                        f"code fence never closed: end the code with a line of {width} backticks",
                        lineno,
                        col + 1,
                    )
                yield new("CODE_BODY", "\n".join(body_lines), None, lineno + 1, 1)
                yield new("_FENCE_END", lines[index - 1], None, index, 1)
                previous_text = _NO_TEXT
                continue
            elif end == len(line):  # RULE, BLOCK and trailer lines take the whole line
                if kind == "LINE_TRAILER":
                    raw = line[col:]
                    keys = [entry[0] for entry in attributes.decode(raw)]
                    if ATTRIBUTION_KEY in keys:
                        if not quote_ended or opened:
                            raise _error(
                                "an {attribution=...} line goes right after the last '> ' "
                                "line of its blockquote"
                                + (", without '> '" if container == _QUOTED else ""),
                                lineno,
                                col + 1,
                            )
                        kind = "ATTRIBUTION"
                    elif previous_text != container or opened:
                        kind = "LINE_TRAILER"
                    else:
                        kind = "STYLE_LINE"
                    yield new(kind, raw, None, lineno, col + 1)
                else:
                    yield new(kind, line[col:], None, lineno, col + 1)
                previous_text = _NO_TEXT
                continue
        if attributes.looks_like(line, col):
            offset, message = attributes.diagnose(line, col, whole=True)
            raise _error(malformed("trailer", message), lineno, offset + 1)
        # -- paragraph text
        kind = "CONT" if previous_text == container and not opened else "TEXT"
        yield new(kind, line[col:], None, lineno, col + 1)
        previous_text = container
    last = count
    end_column = len(lines[-1]) + 1 if lines else 1
    if in_quote:
        yield new("_UNQUOTE", "", None, last, end_column)
    for _ in range(depth):
        yield new("_DEDENT", "", None, last, end_column)
