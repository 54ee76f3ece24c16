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
from collections.abc import Iterator, Mapping
from typing import Any, Final, cast

from lark import Token
from lark.lexer import Lexer, TerminalDef

from .errors import DastdownParseError
from .syntax import ATTRIBUTION_KEY

__all__ = ["AttributeSyntax", "AttributeValue", "StructureLexer", "decode_string", "malformed"]

AttributeValue = str | tuple[int, ...]
"""A trailer value: a string, or the line numbers of ``highlight=[0,2]``."""

_NO_TEXT: Final = -2  # the previous line was not paragraph text
_QUOTED: Final = -1  # container key of the lines of a blockquote

_new_str: Final = str.__new__
_Token: Final = Token  # compiled, a static: no module-dict lookup per token


def _token(kind: str, value: str, line: int, column: int) -> Token:
    """A lark ``Token`` as ``Token(kind, value, line=line, column=column)`` makes it.

    Made directly (a new ``str`` of the ``Token`` class, then its documented
    attributes): lark's constructor is interpreted Python (a ``super()`` call
    and keyword defaults per token), a cost the compiled lexer need not pay
    (tests/test_lexer_steps.py compares the two).
    """
    token: Any = _new_str(_Token, value)
    token.type = kind
    token.start_pos = None
    token.value = value
    token.line = line
    token.column = column
    token.end_line = None
    token.end_column = None
    token.end_pos = None
    return cast(Token, token)

_HEX4 = re.compile("[0-9a-fA-F]{4}")


class _Malformed(Exception):
    """Internal: where and why a trailer is malformed (caught by ``diagnose``)."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(offset, message)
        self.offset = offset
        self.message = message


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
        self.looks_like_pattern = f'\\{{(?:{ident}=|"|\\}})'
        """How a trailer starts, valid or not: ``{key=``, ``{"`` or ``{}``."""
        self._looks_like = re.compile(self.looks_like_pattern)
        self._ident = re.compile(ident)
        self._string = re.compile(string)
        self._numbers = re.compile(numbers)
        self._decoded: dict[str, tuple[tuple[str, AttributeValue, int], ...]] = {}

    def looks_like(self, text: str, pos: int) -> bool:
        """Does a trailer (valid or not) start at ``pos``: ``{key=``, ``{"`` or ``{}``?

        >>> from dastdown.parser import grammar
        >>> syntax = AttributeSyntax({t.name: t for t in grammar().terminals})
        >>> syntax.looks_like("{a=", 0), syntax.looks_like("{ a", 0)
        (True, False)
        """
        return self._looks_like.match(text, pos) is not None

    def decode(self, trailer: str) -> list[tuple[str, AttributeValue, int]]:
        """The entries of a trailer matched by :attr:`trailer`: key, value, offset.

        Memoised: documents repeat their trailers (``{target="_blank"}``...).
        """
        known = self._decoded.get(trailer)
        if known is not None:
            return list(known)
        entries = self._decode(trailer)
        if len(self._decoded) > 4096:
            self._decoded.clear()
        self._decoded[trailer] = tuple(entries)
        return entries

    def _decode(self, trailer: str) -> list[tuple[str, AttributeValue, int]]:
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
        >>> syntax.diagnose('{a="x" }', 0, True)
        (7, 'expected an attribute name')
        """
        try:
            end = self._trailer_end(text, pos)
        except _Malformed as problem:
            return problem.offset, problem.message
        if whole and end < len(text):
            return end, "unexpected text after the trailer"
        return pos, "malformed trailer"  # not reached for a trailer the patterns refuse

    def _trailer_end(self, text: str, pos: int) -> int:
        """Read the trailer at ``pos`` entry by entry; where it ends, or :class:`_Malformed`."""
        p = pos + 1
        if text.startswith("}", p):
            return p + 1  # {}
        while True:
            p = self._key_end(text, p)
            if not text.startswith("=", p):
                raise _Malformed(p, "expected '=' after the attribute name")
            p = self._value_end(text, p + 1)
            if text.startswith("}", p):
                return p + 1
            if not text.startswith(" ", p):
                raise _Malformed(p, "expected a space or '}' after the value")
            while text.startswith(" ", p):
                p += 1

    def _key_end(self, text: str, p: int) -> int:
        """The end of the attribute name at ``p`` (an identifier or a quoted string)."""
        if text.startswith("}", p):
            raise _Malformed(p, "expected an attribute name")
        if text.startswith('"', p):
            return self._string_end(text, p)
        key = self._ident.match(text, p)
        if key is None:
            raise _Malformed(p, "expected an attribute name (an identifier or a quoted string)")
        return key.end()

    def _value_end(self, text: str, p: int) -> int:
        """The end of the value at ``p``: a quoted string or a list of line numbers."""
        if text.startswith('"', p):
            return self._string_end(text, p)
        if text.startswith("[", p):
            numbers = self._numbers.match(text, p)
            if numbers is None:
                raise _Malformed(p, "expected a list of line numbers such as [0,2]")
            return numbers.end()
        raise _Malformed(p, 'expected a quoted value ("...")')

    def _string_end(self, text: str, start: int) -> int:
        """The end of the quoted string at ``start``, or its first problem."""
        p = start + 1
        length = len(text)
        while p < length:
            char = text[p]
            if char == '"':
                return p + 1
            if char == "\\":
                p = self._escape_end(text, p)
            else:
                p += 1
        raise _Malformed(start, "unterminated quoted string")

    @staticmethod
    def _escape_end(text: str, p: int) -> int:
        """The end of the escape at ``p`` (a backslash), or why it is invalid."""
        following = text[p + 1 : p + 2]
        if following and following in '"\\/bfnrt':
            return p + 2
        if following == "u" and _HEX4.fullmatch(text, p + 2, p + 6):
            return p + 6
        shown = "\\" + following if following else "\\ at the end"
        message = f"invalid escape {shown} in a quoted string: write \\\\ for a backslash"
        raise _Malformed(p, message)


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

_MARKERS: Final = ("BULLET", "ORDINAL")

_TRAILER_LIKE: Final = "_TRAILER_LIKE"
"""Not a terminal: the name of the line-start alternative for text that starts
like a trailer (``{key=``, ``{"``, ``{}``) without being one, an error."""


class _LineSyntax:
    """The line-level patterns of the grammar, compiled once."""

    def __init__(self, terminals: Mapping[str, TerminalDef]) -> None:
        self.attributes = AttributeSyntax(terminals)
        self.start = re.compile(
            "|".join(f"(?P<{name}>{_pattern(terminals, name)})" for name in _LINE_TERMINALS)
            + f"|(?P<{_TRAILER_LIKE}>{self.attributes.looks_like_pattern})"
        )
        self.line_start = self.start.match
        self.quote_break = re.compile(_pattern(terminals, "_QUOTE_BREAK"))
        self.fence_end = re.compile(_pattern(terminals, "_FENCE_END"))
        # Where a trailer may start: a brace (ATTRIBUTES opens with one) at the
        # start of the text or after a space.
        self.trailer_candidates = re.compile(r"(?:^| )\{")


class StructureLexer:
    """The custom lark lexer of ``dastdown.lark``: one pass over the lines.

    Lark builds it with the grammar's terminals; ``lex(text)`` yields lark
    tokens (1-based ``line`` and ``column`` of the text they stand for) and
    raises :class:`~dastdown.errors.DastdownParseError` on lexical problems
    (a heading of 7 ``#``, an unclosed fence, a malformed trailer).

    It is registered as a virtual subclass of lark's ``Lexer`` (an ABC,
    which is all lark checks) rather than derived from it: compiled with
    mypyc (setup.py), a class derived from an interpreted class gets a
    memory layout that clashes with its base's (the instance ``__dict__``
    pointer lands outside the object: a ``SystemError`` from dict lookups,
    then a crash in the garbage collector).

    >>> from dastdown.parser import grammar
    >>> [t.type for t in StructureLexer(grammar().lexer_conf).lex("> a\\n> b\\n")]
    ['_QUOTE', 'TEXT', 'CONT', '_UNQUOTE']
    """

    def __init__(self, lexer_conf: Any) -> None:
        self._syntax = _LineSyntax({t.name: t for t in lexer_conf.terminals})

    def tokens(self, text: str) -> list[Token]:
        """All the block-level tokens of ``text`` at once; a lexical error raises.

        What :meth:`lex` yields, for callers that read the tokens without
        lark (the parser's fast path).

        >>> from dastdown.parser import grammar
        >>> [t.type for t in StructureLexer(grammar().lexer_conf).tokens("# h\\n")]
        ['HASHES', 'TEXT']
        """
        return _Lexing(text, self._syntax).run()

    def lex(self, text: str) -> Iterator[Token]:
        """Yield the block-level tokens of ``text``.

        A lexical error is raised after the tokens before it: the parser
        reads those first, and may have to report one of them (a fence in
        a list item comes before the fence that never closes).
        """
        lexing = _Lexing(text, self._syntax)
        try:
            return iter(lexing.run())
        except DastdownParseError as error:
            return _then_raise(lexing.out, error)


Lexer.register(StructureLexer)


def _then_raise(tokens: list[Token], error: DastdownParseError) -> Iterator[Token]:
    """Yield ``tokens``, then raise ``error``."""
    yield from tokens
    raise error


def malformed(what: str, problem: str) -> str:
    """The message for a malformed trailer, with a hint unless a string is at fault.

    >>> malformed("trailer", "expected '=' after the attribute name")
    "malformed trailer: expected '=' after the attribute name (write \\\\{ for a literal brace)"
    """
    hint = "" if "quoted string" in problem else " (write \\{ for a literal brace)"
    return f"malformed {what}: {problem}{hint}"


def _trailer_braces(text: str, syntax: _LineSyntax) -> list[int]:
    """Offsets of the braces of ``text`` that may start a trailer.

    A trailer starts the text or follows a space that is not escaped.
    """
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
    return braces


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
    braces = _trailer_braces(text, syntax)
    # The rightmost: one further right would be inside the trailer's strings.
    for brace in reversed(braces):
        if attributes.trailer.fullmatch(text, brace):
            return brace
    if strict:
        for brace in braces:
            if attributes.looks_like(text, brace):
                offset, message = attributes.diagnose(text, brace, whole=True)
                raise DastdownParseError(malformed("trailer", message), line, column + offset)
    return None


class _Lexing:
    """One pass over the lines of a text: the state, and one step per line kind.

    :meth:`run` reads the lines in order: a blank line goes to
    :meth:`_blank`, any other to :meth:`_line`, which runs the steps:
    :meth:`_enter` finds its indentation (which open list items it stays
    in), closes what it leaves and matches a line terminal at its content
    column; :meth:`_open_items` reads list markers; :meth:`_quote_line`
    strips a ``> `` prefix; :meth:`_content` lexes what is left: a heading,
    a fence (which consumes its body lines), a whole-line construct
    (``---``, a block, a trailer line), or else paragraph text
    (:meth:`_text`). Each step appends its tokens to :attr:`out`.
    """

    __slots__ = (
        "blanks",
        "col",
        "container",
        "count",
        "depth",
        "in_quote",
        "index",
        "kind",
        "line",
        "line_start",
        "lineno",
        "lines",
        "match",
        "opened",
        "out",
        "previous_text",
        "quote_ended",
        "syntax",
    )

    def __init__(self, text: str, syntax: _LineSyntax) -> None:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.lines = lines
        self.count = len(lines)
        self.syntax = syntax
        self.line_start = syntax.line_start
        self.out: list[Token] = []
        self.index = 0  # the next line to read
        self.depth = 0  # open list items
        self.in_quote = False
        self.previous_text = _NO_TEXT  # container key of the last paragraph text line
        self.blanks = 0  # blank lines since the last non-blank one
        # The line being lexed: its text, 1-based number, content column, the
        # match of a line terminal there and its name, whether a list item
        # opened on it, its container key, and whether it directly follows
        # the last line of a blockquote.
        self.line = ""
        self.lineno = 0
        self.col = 0
        self.match: re.Match[str] | None = None
        self.kind: str | None = None
        self.opened = False
        self.container = 0
        self.quote_ended = False

    def run(self) -> list[Token]:
        """Lex every line, then close what is open: the tokens (also in :attr:`out`)."""
        lines, count = self.lines, self.count
        index = 0
        while index < count:
            line = lines[index]
            index += 1
            self.index = index
            spaces = 0
            if not line or line[0] == " ":
                spaces = len(line) - len(line.lstrip(" "))
                if spaces == len(line):
                    self._blank()
                    continue
            self._line(line, spaces)
            index = self.index  # a fence takes its body lines
        self._finish()
        return self.out

    def _line(self, line: str, spaces: int) -> None:
        """Lex a non-blank line starting with ``spaces`` spaces."""
        self.line = line
        self.lineno = self.index
        kind = self._enter(line, spaces)
        self.container = self.depth
        self.opened = False
        if kind in _MARKERS:
            kind = self._open_items()
        if kind == "_QUOTE":
            if self._quote_line():
                return
            kind = self.kind
        if kind is None:
            self._text(None)
        else:
            self._content(kind)

    def _rematch(self) -> str | None:
        """Match a line terminal at the content column again, after a prefix; its name."""
        match = self.line_start(self.line, self.col)
        self.match = match
        kind = self.kind = match.lastgroup if match is not None else None
        return kind

    # -- indentation -----------------------------------------------------------

    def _blank(self) -> None:
        """A blank line: it ends a blockquote; otherwise it only matters to the next line."""
        if self.in_quote:
            self._unquote(1)
        self.blanks += 1
        self.previous_text = _NO_TEXT

    def _unquote(self, column: int) -> None:
        """Close the open blockquote (a blank line or a line without ``> `` ends it)."""
        self.out.append(_token("_UNQUOTE", "", self.index, column))
        self.in_quote = False

    def _enter(self, line: str, spaces: int) -> str | None:
        """Which open items the line stays in: close the others (and a blockquote it ends).

        Returns the name of the line terminal matched at the content column
        (also set, with its match, in :attr:`kind` and :attr:`match`); emits
        ``_UNQUOTE``, one ``_DEDENT`` per item left, and ``_LIST_BREAK``
        before a list marker after two or more blank lines.
        """
        depth = self.depth
        if spaces >= 2 * depth:
            level = depth
        else:
            level = spaces >> 1
            if spaces & 1 and not self.blanks:
                raise _bad_indentation(spaces, level, self.index)
        self.col = col = 2 * level
        match = self.match = self.line_start(line, col)
        kind = self.kind = match.lastgroup if match is not None else None
        quote_ended = self.quote_ended = self.in_quote and (level < depth or kind != "_QUOTE")
        if quote_ended:
            self._unquote(col + 1)
        if level < depth:
            self._dedent(depth - level, col + 1)
        blanks = self.blanks
        if blanks:  # no paragraph goes on; a list marker after two starts a new list
            if blanks >= 2 and kind in _MARKERS:
                self.out.append(_token("_LIST_BREAK", "", self.index - blanks, 1))
            self.blanks = 0
            self.previous_text = _NO_TEXT
        self.depth = level
        return kind

    def _dedent(self, count: int, column: int) -> None:
        """Close ``count`` list items (the line is indented less than their content).

        The ``_DEDENT`` tokens of one place are one token object, repeated
        (equal tokens; no reader tells them apart, and a list nested 500,000
        deep then closes without 500,000 of them).
        """
        self.out.extend([_token("_DEDENT", "", self.index, column)] * count)
        self.previous_text = _NO_TEXT

    def _open_items(self) -> str | None:
        """List markers at the content column open items, several on one line if need be."""
        kind = self.kind
        while kind in _MARKERS:
            kind = self._marker()
            self.depth += 1
        self.container = self.depth
        return kind

    def _marker(self) -> str | None:
        """Emit the list marker matched at the content column, step over it, match again."""
        match = self.match
        assert match is not None and self.kind is not None
        self.out.append(_token(self.kind, match.group(), self.lineno, self.col + 1))
        self.col = col = match.end()
        self.opened = True
        match = self.match = self.line_start(self.line, col)
        kind = self.kind = match.lastgroup if match is not None else None
        return kind

    # -- blockquotes -----------------------------------------------------------

    def _quote_line(self) -> bool:
        """A ``>`` line: strip its ``> `` prefix; True when nothing is left to lex.

        A run of quote lines is opened by one ``_QUOTE``; a ``>`` line alone
        is a ``_QUOTE_BREAK``. A quote or a list marker right after the
        prefix is lexed so that the parser reports it where it stands.
        """
        col, lineno = self.col, self.lineno
        if self.syntax.quote_break.fullmatch(self.line, col):
            if not self.in_quote:
                self.out.append(_token("_QUOTE", ">", lineno, col + 1))
                self.in_quote = True
            self.out.append(_token("_QUOTE_BREAK", self.line[col:], lineno, col + 1))
            self.previous_text = _NO_TEXT
            return True
        if not self.in_quote or self.opened:
            self.out.append(_token("_QUOTE", ">", lineno, col + 1))
            self.in_quote = True
        assert self.match is not None
        self.col = self.match.end()
        self.container = _QUOTED
        kind = self._rematch()
        if kind == "_QUOTE":  # a quote in a quote
            self.out.append(_token("_QUOTE", ">", lineno, self.col + 1))
            self.previous_text = _NO_TEXT
            return True
        if kind in _MARKERS:  # a list in a quote
            self._marker()
        return False

    # -- the content -----------------------------------------------------------

    def _content(self, kind: str) -> None:
        """What the line holds at its content column, where ``kind`` matched."""
        match = self.match
        assert match is not None
        end = match.end()
        if kind == "FENCE":
            self._fence(end)
        elif kind == "HASHES" and (end == len(self.line) or self.line[end] == " "):
            self._heading(end)
        elif end == len(self.line) and kind != _TRAILER_LIKE:
            self._whole_line(kind)
        else:  # "#x", a trailer with text after it, "---x", ...
            self._text(kind)

    def _heading(self, end: int) -> None:
        """``#`` x level, a space, the text, maybe a trailer."""
        line, col, lineno = self.line, self.col, self.lineno
        if end - col > 6:
            raise DastdownParseError(
                f"heading level {end - col}: a heading has 1 to 6 '#' "
                "(write \\# for a literal '#')",
                lineno,
                col + 1,
            )
        out = self.out
        out.append(_token("HASHES", line[col:end], lineno, col + 1))
        start = end + 1 if end < len(line) else end
        body = line[start:]
        brace = _trailer_at_end(body, self.syntax, lineno, start + 1, False)
        if brace is None:
            out.append(_token("TEXT", body, lineno, start + 1))
        else:
            out.append(_token("TEXT", body[: max(brace - 1, 0)], lineno, start + 1))
            out.append(_token("TRAILER", body[brace:], lineno, start + brace + 1))
        self.previous_text = _NO_TEXT

    def _fence(self, end: int) -> None:
        """A code fence: its info (language, trailer), then its body up to the closing fence."""
        line, col, lineno, out = self.line, self.col, self.lineno, self.out
        out.append(_token("FENCE", line[col:end], lineno, col + 1))
        info = line[end:]
        brace = _trailer_at_end(info, self.syntax, lineno, end + 1, True)
        language = info if brace is None else info[: max(brace - 1, 0)]
        if language:
            out.append(_token("INFO", language, lineno, end + 1))
        if brace is not None:
            out.append(_token("TRAILER", info[brace:], lineno, end + brace + 1))
        body = self._code_body(end - col)
        out.append(_token("CODE_BODY", "\n".join(body), lineno + 1, 1))
        out.append(_token("_FENCE_END", self.lines[self.index - 1], self.index, 1))
        self.previous_text = _NO_TEXT

    def _code_body(self, width: int) -> list[str]:
        """The raw lines up to a closing fence of at least ``width`` backticks (consumed)."""
        lines, count = self.lines, self.count
        fence_end = self.syntax.fence_end.fullmatch
        start = index = self.index
        while index < count:
            bare = lines[index].rstrip(" ")
            index += 1
            if len(bare) >= width and fence_end(bare):
                self.index = index
                return lines[start : index - 1]
        raise DastdownParseError(
            f"code fence never closed: end the code with a line of {width} backticks",
            self.lineno,
            self.col + 1,
        )

    def _whole_line(self, kind: str) -> None:
        """``---``, ``<block .../>`` or a trailer line, which take the whole line."""
        raw = self.line[self.col :]
        if kind == "LINE_TRAILER":
            kind = self._trailer_line(raw)
        self.out.append(_token(kind, raw, self.lineno, self.col + 1))
        self.previous_text = _NO_TEXT

    def _trailer_line(self, raw: str) -> str:
        """What a trailer line is: a quote's attribution, a paragraph's style, or a paragraph.

        An ``{attribution=...}`` line must directly follow the last ``> ``
        line of its blockquote.
        """
        keys = [entry[0] for entry in self.syntax.attributes.decode(raw)]
        if ATTRIBUTION_KEY in keys:
            if not self.quote_ended or self.opened:
                where = ", without '> '" if self.container == _QUOTED else ""
                raise DastdownParseError(
                    "an {attribution=...} line goes right after the last '> ' line of its "
                    "blockquote" + where,
                    self.lineno,
                    self.col + 1,
                )
            return "ATTRIBUTION"
        if self.previous_text != self.container or self.opened:
            return "LINE_TRAILER"
        return "STYLE_LINE"

    def _text(self, kind: str | None) -> None:
        """Paragraph text: ``TEXT``, or ``CONT`` when it continues the paragraph above.

        ``kind`` is the line terminal that matched at the content column
        without making the line what it is; text that starts like a trailer
        (``LINE_TRAILER`` or ``_TRAILER_LIKE``) is a malformed one.
        """
        line, col = self.line, self.col
        if kind == "LINE_TRAILER" or kind == _TRAILER_LIKE:
            offset, message = self.syntax.attributes.diagnose(line, col, whole=True)
            raise DastdownParseError(malformed("trailer", message), self.lineno, offset + 1)
        container = self.container
        kind = "CONT" if self.previous_text == container and not self.opened else "TEXT"
        self.out.append(_token(kind, line[col:], self.lineno, col + 1))
        self.previous_text = container

    def _finish(self) -> None:
        """At the end of the text: close the blockquote and the list items still open."""
        last = self.count
        end_column = len(self.lines[-1]) + 1 if self.lines else 1
        if self.in_quote:
            self.out.append(_token("_UNQUOTE", "", last, end_column))
        if self.depth:
            self.out.extend([_token("_DEDENT", "", last, end_column)] * self.depth)


def _bad_indentation(spaces: int, level: int, lineno: int) -> DastdownParseError:
    """The error for an odd indent inside a list."""
    return DastdownParseError(
        f"bad indentation: {spaces} space{'s' if spaces > 1 else ''} inside a list "
        f"(item content is indented by 2 spaces per level: write {2 * level} or "
        f"{2 * level + 2})",
        lineno,
        spaces + 1,
    )
