"""The dastdown syntax in one place: delimiters, escapes, tags and trailers.

The serializer and the parser both import these names, so that what one
writes the other reads. The rules below are the contract between them; the
serializer relies on every one of them to stay lossless.

Inline text
-----------
* Escapes: a backslash followed by any ASCII punctuation character or a
  space (:data:`ESCAPABLE`) is that character, literally. A backslash
  followed by anything else is a literal backslash.
* The serializer escapes every character of :data:`TEXT_ESCAPED` wherever
  it appears in span text (inside every mark, code included), writes ``\\n``
  as :data:`LINE_BREAK` and everything else as is (tabs, ``\\r``, U+2028,
  U+00A0, control characters, astral characters...).
* Mark delimiters (:data:`MARK_DELIMITERS`) are NOT subject to CommonMark's
  flanking rules: whitespace next to a delimiter does not matter
  (``++   ++`` is underline of three spaces, ``*` `*`` is emphasis+code
  of one space, ``**  x**`` is strong of ``"  x"``).
* The serializer writes each span on its own: the opening delimiters of its
  marks outer to inner in the canonical order
  (:data:`dast.definitions.CANONICAL_MARK_ORDER`; custom marks innermost, as
  ``<m k="key">``), the escaped text, then the closers inner to outer. So
  between two spans the text holds the closers of the first followed by the
  openers of the second, e.g. emphasis ``a`` then strong ``b`` is
  ``*a***b**``. A run of ``*`` is read closers first: it closes the marks
  open innermost-first as far as it can (``*`` closes emphasis, ``**``
  closes strong), and what is left of the run opens marks (``*`` emphasis,
  ``**`` strong, ``***`` strong + emphasis). CommonMark's "process
  emphasis" (match each closer with the nearest opener before it, without
  the flanking and rule-of-3 conditions) gives exactly that reading.
* Unmatched delimiters are literal text (the serializer never writes one).
* The parser accepts marks nested in any order and yields the set of marks
  in canonical order.

Link destinations
-----------------
* ``[label](destination)`` then an optional meta trailer ``{...}`` with no
  space before it. ``[](u)`` is a link whose label is one empty span.
* In a link URL the serializer escapes :data:`URL_ESCAPED` (backslash,
  parentheses, space); every other character is written as is.
* A destination whose RAW text (before unescaping) starts with
  :data:`ITEM_LINK_PREFIX` and has at least one more character is an item
  link. So a link whose URL starts with ``dato:item/`` followed by more
  text has its colon escaped (``dato\\:item/42``), and the URL
  ``dato:item/`` alone stays a link.
* In an item id the serializer escapes :data:`ITEM_ID_ESCAPED` only
  (backslash and closing parenthesis; spaces, ``(`` and ``"`` stay raw)
  plus a leading ``"``; the empty id is written :data:`EMPTY_ITEM_ID`
  (two double quotes), which the parser reads as ``""``.
* In both, a newline is written :data:`LINE_BREAK` and a literal ``<br/>``
  has its ``<`` escaped.

Quoted strings and trailers
---------------------------
* Ids of ``<block id="..."/>``, ``<inlineItem id="..."/>``,
  ``<inlineBlock id="..."/>``, custom mark keys ``<m k="...">``, trailer
  values and non-identifier trailer keys are double-quoted with
  :func:`quote`: ``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t`` escaped,
  everything else raw. The parser decodes JSON-style escapes, including
  ``\\uXXXX``.
* A trailer is ``{key="value" key2="value2"}``; keys matching
  :data:`TRAILER_KEY_RE` are written bare, others quoted; ``highlight``
  takes ``[0,2]`` (no spaces). ``{}`` is a trailer with no entries.
* Empty values are written, never dropped: ``{style=""}``,
  ``{attribution=""}``, ``{highlight=[]}``, and a link whose ``meta`` is
  empty gets ``{}``.

Blocks
------
* Lines end with ``\\n`` only; ``\\r``, U+2028, U+0085, form feeds... are
  content, never line ends (do not use ``str.splitlines``).
* Text read from elsewhere may end its lines with ``\\r\\n`` (CRLF) or
  ``\\r`` (CR) instead: :func:`line_ending` tells which, by a rule that
  never mistakes the serializer's own output, and :func:`to_lf` turns such a
  text into ``\\n`` lines before it is parsed. A text is CRLF when it holds
  ``\\r\\n`` and every ``\\n`` follows a ``\\r`` (then exactly one ``\\r`` per
  line end is dropped, and any other ``\\r`` stays content); it is CR when it
  holds ``\\r`` and no ``\\n`` (a serialized document always ends with
  ``\\n``). The serializer's output of a document whose every line ends with
  a ``\\r`` of content would read as CRLF: it must then end with one more
  ``\\n`` (a blank last line, which changes nothing) so that it does not.
* A blank line is an empty line or one made only of spaces (U+0020); a tab
  is content. Leading and trailing spaces of a line are content (after the
  container prefix: ``"- "``, ``"N. "``, ``"> "``, two spaces of indent).
* Root blocks are separated by one blank line; the text ends with one
  ``\\n``. Two lists of the same style next to each other (at the root or in
  one list item) are separated by two blank lines (:data:`LIST_BREAK`):
  a list marker preceded by two or more blank lines starts a new list.
* List item content is indented by :data:`INDENT` (two spaces) per level,
  whatever the marker width; a nested list may start on its parent item's
  marker line (``1. - x``). Items are separated by one blank line when any
  item of that list has more than one child, else by none.
* An empty paragraph (one empty span) is written as its trailer alone:
  ``{}`` when it has no style, ``{style="x"}`` when it has one; a trailer
  line that does not directly follow a paragraph line is such a paragraph.
  An empty heading is ``# `` (the parser also accepts ``#``).
* At the start of a paragraph's line (root, list item, blockquote) the
  serializer escapes text that would read as block syntax: a leading ``-``
  followed by a space or tab, or starting ``---``, becomes ``\\-``; the dot
  of a leading ``N.`` followed by a space, a tab or the end of the line
  becomes ``\\.``. ``#``, ``>``, ``<``, ``{`` and backticks are always
  escaped anyway. Block syntax is recognised only at the content column
  (column 0 at the root, after ``"> "`` in a blockquote, after the marker
  or the indent in a list item): a line whose content starts with a space
  is paragraph text (`` ---`` and `` - x`` are paragraphs). A paragraph
  made only of spaces has its first space escaped (``\\ ``), and so has a
  paragraph starting with a space that directly follows a list (otherwise
  its indentation would put it inside the list).
* Heading: ``#`` x level, one space, the inline text, then optionally one
  space and ``{style="..."}`` at the end of the line.
* Code: a fence of at least three backticks, longer than the longest
  backtick run in the code; then the language raw, then (after one space
  if there is a language) a trailer for ``highlight``. A language that is
  empty, has a leading or trailing space or tab, or contains a backtick,
  ``{`` or a newline is written in the trailer instead: ``language="..."``
  (before ``highlight``). The body is raw; code ``""`` has no body line.

>>> MARK_DELIMITERS["strong"]
'**'
>>> quote('say "hi"\\n')
'"say \\\\"hi\\\\"\\\\n"'
"""

from __future__ import annotations

import re
import string

from dast.definitions import CANONICAL_MARK_ORDER

__all__ = [
    "ATTRIBUTION_KEY",
    "BLOCKQUOTE_PREFIX",
    "BLOCKQUOTE_SEPARATOR",
    "BLOCK_TAG",
    "BULLET_MARKER",
    "CODE_FENCE_CHAR",
    "CUSTOM_MARK_CLOSE",
    "CUSTOM_MARK_OPEN",
    "EMPTY_ITEM_ID",
    "EMPTY_PARAGRAPH",
    "ESCAPABLE",
    "HIGHLIGHT_KEY",
    "INDENT",
    "INLINE_BLOCK_TAG",
    "INLINE_ITEM_TAG",
    "ITEM_ID_ESCAPED",
    "ITEM_LINK_PREFIX",
    "LANGUAGE_KEY",
    "LINE_BREAK",
    "LIST_BREAK",
    "MARK_DELIMITERS",
    "MIN_FENCE",
    "NUMBERED_MARKER",
    "STYLE_KEY",
    "TEXT_ESCAPED",
    "THEMATIC_BREAK",
    "TRAILER_KEY_RE",
    "URL_ESCAPED",
    "line_ending",
    "quote",
    "to_lf",
    "with_line_ending",
]

# The marks and their canonical order (outermost first; custom marks come
# after, by code point) are the schema's: dast.definitions.

_DELIMITERS = {
    "highlight": "==",
    "strikethrough": "~~",
    "underline": "++",
    "strong": "**",
    "emphasis": "*",
    "code": "`",
}

MARK_DELIMITERS: dict[str, str] = {mark: _DELIMITERS[mark] for mark in CANONICAL_MARK_ORDER}
"""The delimiter written on both sides of a span for each default mark (the
default marks are exactly its keys, in canonical order); any other mark is
custom."""

CUSTOM_MARK_OPEN = "<m k={key}>"
"""Opening tag of a custom mark; ``key`` is the :func:`quote`-d mark name."""

CUSTOM_MARK_CLOSE = "</m>"
"""Closing tag of a custom mark."""

LINE_BREAK = "<br/>"
"""How a newline inside a span (or a link destination) is written."""

BLOCK_TAG = "<block id={id}/>"
"""A root-level block; ``id`` is :func:`quote`-d."""

INLINE_ITEM_TAG = "<inlineItem id={id}/>"
"""An inline item; ``id`` is :func:`quote`-d."""

INLINE_BLOCK_TAG = "<inlineBlock id={id}/>"
"""An inline block; ``id`` is :func:`quote`-d."""

ITEM_LINK_PREFIX = "dato:item/"
"""Raw destination prefix that makes ``[label](...)`` an item link."""

EMPTY_ITEM_ID = '""'
"""Raw item-link id text standing for the empty id."""

ESCAPABLE: frozenset[str] = frozenset(string.punctuation + " ")
"""Characters a backslash makes literal (ASCII punctuation and space)."""

TEXT_ESCAPED: str = "\\*_`~=+[](){}<>#"
"""Characters the serializer always escapes in span text."""

URL_ESCAPED: str = "\\() "
"""Characters the serializer escapes in a link URL."""

ITEM_ID_ESCAPED: str = "\\)"
"""Characters the serializer escapes in an item link's id."""

TRAILER_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
"""Trailer keys matching this (``fullmatch``) are written without quotes."""

STYLE_KEY = "style"
"""Trailer key of a paragraph's or heading's style."""

ATTRIBUTION_KEY = "attribution"
"""Trailer key of a blockquote's attribution."""

HIGHLIGHT_KEY = "highlight"
"""Trailer key of a code block's highlighted lines."""

LANGUAGE_KEY = "language"
"""Trailer key of a code block's language when it cannot be written bare."""

EMPTY_PARAGRAPH = "{}"
"""The line written for an empty paragraph without style."""

INDENT = "  "
"""Indentation of list item content, per nesting level."""

BULLET_MARKER = "- "
"""Marker of a bulleted list item."""

NUMBERED_MARKER = "{n}. "
"""Marker of a numbered list item (the serializer numbers 1, 2, 3...)."""

BLOCKQUOTE_PREFIX = "> "
"""Prefix of every non-separator line of a blockquote."""

BLOCKQUOTE_SEPARATOR = ">"
"""The line separating two paragraphs inside a blockquote."""

THEMATIC_BREAK = "---"
"""A thematic break line."""

LIST_BREAK = "\n\n\n"
"""What separates two adjacent lists of the same style (two blank lines)."""

CODE_FENCE_CHAR = "`"
"""Code fences are runs of this character."""

MIN_FENCE = 3
"""The shortest code fence."""

_QUOTE_TABLE = str.maketrans({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def quote(value: str) -> str:
    """Double-quote a string for a tag attribute or a trailer, JSON-style.

    >>> quote('a"b')
    '"a\\\\"b"'
    """
    return '"' + value.translate(_QUOTE_TABLE) + '"'


def line_ending(text: str) -> str:
    """The line ending of ``text``: ``"\\r\\n"``, ``"\\r"`` or ``"\\n"`` (see above).

    >>> line_ending("a\\r\\n\\r\\nb\\r\\n"), line_ending("a\\rb\\r"), line_ending("a\\r\\n\\nb\\n")
    ('\\r\\n', '\\r', '\\n')
    """
    if "\r" not in text:
        return "\n"
    lf = text.count("\n")
    if not lf:
        return "\r"
    return "\r\n" if text.count("\r\n") == lf else "\n"


def to_lf(text: str) -> str:
    """``text`` with ``\\n`` line ends, whatever :func:`line_ending` says it uses.

    >>> to_lf("# T\\r\\n\\r\\na\\rb\\r\\n"), to_lf("a\\rb"), to_lf("a\\r\\n\\nb")
    ('# T\\n\\na\\rb\\n', 'a\\nb', 'a\\r\\n\\nb')
    """
    ending = line_ending(text)
    if ending == "\n":
        return text
    if ending == "\r":
        return text.replace("\r", "\n")
    return text.replace("\r\n", "\n")


def with_line_ending(text: str, ending: str) -> str:
    """``\\n``-ended ``text`` written with ``ending`` (the inverse of :func:`to_lf`).

    >>> with_line_ending("a\\n\\nb\\n", "\\r\\n")
    'a\\r\\n\\r\\nb\\r\\n'
    """
    return text if ending == "\n" else text.replace("\n", ending)
