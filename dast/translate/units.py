"""Compact JSON units for language models: ``<1>``...``</1>`` tags, context, and the way back.

A unit is one segment as a small JSON object::

    {"id": "p-e7edfea443", "text": "Read <1>this</1> and <2>that</2>.",
     "context": ["Guide", "Setup"], "tags": {"1": "strong", "2": "link to https://x.y"}}

``text`` carries the inline codes as short tags: ``<N>``...``</N>`` for a
paired code, ``<N/>`` for a standalone one (inline records, inline blocks,
line breaks, control characters); ``context`` is the heading path above the
segment (the block model for a block field) and ``tags`` says what each tag
stands for, so a model keeps them in place. A model answers with
``{"id", "text"}`` objects; :func:`translations_from_units` turns them into
translations for :func:`~dast.translate.segments.apply_segments`, which
checks every tag (``strict=False`` applies the good units and reports the
others, unit by unit).

Text that looks like a tag is escaped: a ``<`` that would start ``<N>``,
``</N>`` or ``<N/>`` is written ``&lt;``, and an ``&`` that would start
``&lt;`` or ``&amp;`` is written ``&amp;``; nothing else changes, so plain
prose (``a < b & c``) stays as it is.

>>> import dast.builders as b
>>> from dast.translate.segments import extract_segments
>>> (segment,) = extract_segments(b.doc(b.p("Hi ", b.strong("you"), " <1>")))
>>> unit = segment_unit(segment)
>>> unit["text"], unit["tags"]
('Hi <1>you</1> &lt;1>', {'1': 'strong'})
>>> decode_tags(unit["text"])
('Hi ', Start(code='1'), 'you', End(code='1'), ' <1>')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ..errors import DastError
from .segments import End, Segment, Standalone, Start, Token

__all__ = [
    "UnitError",
    "decode_tags",
    "encode_tags",
    "segment_unit",
    "translations_from_units",
]

_ESCAPE = re.compile(r"<(?=/?\d+/?>)|&(?=lt;|amp;)")
_DECODE = re.compile(r"<(/?)(\d+)(/?)>|&lt;|&amp;")


class UnitError(DastError, ValueError):
    """A JSON answer that is not a list of ``{"id": str, "text": str}`` units (says where).

    >>> str(UnitError("[0]", "no id"))
    '[0]: no id'
    """

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


def _escape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "&lt;" if m.group() == "<" else "&amp;", text)


def encode_tags(tokens: Sequence[Token]) -> str:
    """Tokens as text with short tags.

    >>> encode_tags(("a", Start("1"), "b", End("1"), Standalone("2"), "1 < 2 &lt;"))
    'a<1>b</1><2/>1 < 2 &amp;lt;'
    """
    out: list[str] = []
    for token in tokens:
        if isinstance(token, str):
            out.append(_escape(token))
        elif isinstance(token, Start):
            out.append(f"<{token.code}>")
        elif isinstance(token, End):
            out.append(f"</{token.code}>")
        else:
            out.append(f"<{token.code}/>")
    return "".join(out)


def decode_tags(text: str) -> tuple[Token, ...]:
    """Text with short tags back to tokens (the inverse of :func:`encode_tags`).

    A malformed tag such as ``</1/>`` stays text; :func:`~dast.translate.segments.apply_segments`
    then reports the code it misses.

    >>> decode_tags("a<1>b</1><2/>&amp;lt;")
    ('a', Start(code='1'), 'b', End(code='1'), Standalone(code='2'), '&lt;')
    """
    out: list[Token] = []
    buffer: list[str] = []
    start = 0
    for match in _DECODE.finditer(text):
        buffer.append(text[start : match.start()])
        start = match.end()
        token = match.group()
        if token == "&lt;":
            buffer.append("<")
            continue
        if token == "&amp;":
            buffer.append("&")
            continue
        closing, code, alone = match.group(1), match.group(2), match.group(3)
        if closing and alone:
            buffer.append(token)
            continue
        if buffer and "".join(buffer):
            out.append("".join(buffer))
        buffer.clear()
        out.append(End(code) if closing else Standalone(code) if alone else Start(code))
    buffer.append(text[start:])
    rest = "".join(buffer)
    if rest:
        out.append(rest)
    return tuple(out)


def segment_unit(segment: Segment) -> dict[str, object]:
    """A segment as a JSON unit: ``id``, ``text`` with tags, ``context``, ``tags``.

    ``context`` and ``tags`` are left out when empty.

    >>> import dast.builders as b
    >>> from dast.translate.segments import extract_segments
    >>> segment_unit(extract_segments(b.doc(b.h(1, "T"), b.p("x")))[1])
    {'id': 'p-8a3c044806', 'text': 'x', 'context': ['T']}
    """
    unit: dict[str, object] = {"id": segment.id, "text": encode_tags(segment.content)}
    if segment.context:
        unit["context"] = list(segment.context)
    if segment.codes:
        unit["tags"] = {code.id: code.label for code in segment.codes}
    return unit


def translations_from_units(
    units: Iterable[object], where: str = ""
) -> dict[str, tuple[Token, ...]]:
    """Translations keyed by segment id from ``{"id", "text"}`` answers (other keys ignored).

    ``where`` prefixes the position in errors (a file name, say).

    >>> translations_from_units([{"id": "p-1", "text": "Ciao <1>tu</1>"}])
    {'p-1': ('Ciao ', Start(code='1'), 'tu', End(code='1'))}
    >>> translations_from_units([{"id": "p-1"}], "answer.json")
    Traceback (most recent call last):
    ...
    dast.translate.units.UnitError: answer.json[0]: a unit needs "id" and "text" strings
    """
    out: dict[str, tuple[Token, ...]] = {}
    for index, unit in enumerate(units):
        here = f"{where}[{index}]"
        if not isinstance(unit, Mapping):
            raise UnitError(here, f"a unit must be an object, got {type(unit).__name__}")
        uid, text = unit.get("id"), unit.get("text")
        if not isinstance(uid, str) or not isinstance(text, str):
            raise UnitError(here, 'a unit needs "id" and "text" strings')
        if uid in out:
            raise UnitError(here, f"unit {uid} appears twice")
        out[uid] = decode_tags(text)
    return out
