"""CRLF and CR text parses to the same document as LF (``dastdown.syntax.line_ending``).

The rule: a text is CRLF when it holds ``\\r\\n`` and every ``\\n`` follows a
``\\r`` (one ``\\r`` per line end is dropped, any other stays content); CR
when it holds ``\\r`` and no ``\\n``; else LF, where ``\\r`` is content.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import documents

from dast.nodes import Document
from dastdown import parse, serialize
from dastdown.errors import DastdownSerializeError
from dastdown.syntax import line_ending, to_lf, with_line_ending

SAMPLE = """\
# Title {style="display"}

A paragraph
that goes on, with **bold** and <inlineItem id="r1"/>.
{style="lead"}

- one
  - nested

    second paragraph
- two

> quoted
>
> again
{attribution="Someone"}

```python {highlight=[0]}
print("x")

print("y")
```

<block id="b1"/>

---
"""


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_the_sample_parses_the_same_in_every_line_ending(ending: str) -> None:
    converted = SAMPLE.replace("\n", ending)
    assert line_ending(converted) == ending
    assert parse(converted) == parse(SAMPLE)
    assert serialize(parse(converted)) == serialize(parse(SAMPLE))


def test_errors_point_at_the_same_line_and_column() -> None:
    bad = "# fine\n\n- item\n  ####### seven\n"
    positions = set()
    for ending in ("\n", "\r\n", "\r"):
        with pytest.raises(Exception) as info:
            parse(bad.replace("\n", ending))
        positions.add((info.value.line, info.value.column, info.value.source_line))  # type: ignore[attr-defined]
    assert positions == {(4, 3, "  ####### seven")}


@pytest.mark.parametrize(
    ("text", "ending", "lf"),
    [
        ("", "\n", ""),
        ("a", "\n", "a"),
        ("a\r\n", "\r\n", "a\n"),
        ("a\r\r\n", "\r\n", "a\r\n"),  # CRLF text whose line holds a \r of content
        ("a\rb\r\n\r\n", "\r\n", "a\rb\n\n"),  # a lone \r inside a CRLF line stays
        ("a\r\n\n", "\n", "a\r\n\n"),  # one bare \n: LF, the \r is content
        ("a\rb", "\r", "a\nb"),
        ("\r", "\r", "\n"),
        ("a\n", "\n", "a\n"),
    ],
    ids=repr,
)
def test_the_rule(text: str, ending: str, lf: str) -> None:
    assert line_ending(text) == ending
    assert to_lf(text) == lf


def test_a_carriage_return_in_lf_text_is_content() -> None:
    doc = parse("a\rb\n\nc\r\n\n")
    assert serialize(doc) == "a\rb\n\nc\r\n"
    assert [p.children[0].value for p in doc.document.children] == ["a\rb", "c\r"]  # type: ignore[union-attr]


# Span text with every line-ending character, to check they stay content.
_TEXT = st.text(st.sampled_from([*"ab *\r\n\t<>`#-", "\u2028", "\x85"]), max_size=8)


def _lf_text(doc: Document) -> str:
    try:
        text = serialize(doc)
    except DastdownSerializeError:
        return "x\n"
    return text


@given(documents(text=_TEXT, max_leaves=8))
def test_crlf_and_lf_parse_the_same(doc: Document) -> None:
    text = _lf_text(doc)
    crlf = with_line_ending(text, "\r\n")
    if line_ending(text) == "\n":
        assert to_lf(crlf) == text
        assert parse(crlf) == parse(text)


@given(documents(text=_TEXT, max_leaves=8))
def test_cr_and_lf_parse_the_same(doc: Document) -> None:
    text = _lf_text(doc)
    if "\r" not in text:  # in a CR text every \r ends a line
        assert parse(with_line_ending(text, "\r")) == parse(text)


@given(st.text(st.sampled_from(list("a\r\n")), max_size=12))
def test_to_lf_and_with_line_ending_are_inverse(text: str) -> None:
    ending = line_ending(text)
    assert with_line_ending(to_lf(text), ending) == text


def test_text_whose_every_line_ends_with_a_content_cr_is_not_read_as_crlf() -> None:
    from dast.nodes import Heading, Root, Span

    doc = Document(document=Root(children=(Heading(level=1, children=(Span(value="\r"),)),)))
    text = serialize(doc)
    assert text == "# \r\n\n"  # one more newline: a blank last line, which changes nothing
    assert parse(text) == doc
