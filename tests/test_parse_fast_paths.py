"""The parser's fast paths build exactly what the grammar's path builds.

``dastdown.lark`` parsed by lark (LALR) is the parser of record. The fast
paths are short-cuts that must never change a result:

* :func:`dastdown.parser.fast_children` reads the line lexer's tokens
  without lark's LALR driver, calling the same transformer callbacks. For
  every text it gives the children lark gives (and collects the same block
  records, in the same order, at the same positions), or ``None``, and then
  lark decides; it never takes a text lark refuses. Valid documents never
  need lark.
* The public ``parse`` raises exactly lark's error (message, line, column)
  whenever lark refuses a text.

Checked over generated documents serialized to dastdown, the conformance
corpus and case fixtures, and random edits of real documents (which break
them in every way).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from dast.nodes import Document
from dastdown.errors import DastdownParseError
from dastdown.inline import _KINDS, _LINK_CLOSE, _LINK_OPEN, _PLAIN_LINK
from dastdown.parser import _fast_tools, _translate, fast_children, grammar, parse
from dastdown.serializer import serialize
from dastdown.syntax import to_lf
from dastdown.transformer import BLOCKS, BlockRecord
from tests.strategies import documents
from tests.test_roundtrip import adversarial_items, adversarial_marks, adversarial_text

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "fixtures/dastdown/conformance"


def _corpus() -> list[tuple[str, str]]:
    """``(id, text)`` for every dastdown text of the fixtures, valid or not."""
    found: list[tuple[str, str]] = []
    for name, key in (
        ("documents.jsonl", "dastdown"),
        ("parse_ok.jsonl", "text"),
        ("parse_errors.jsonl", "text"),
    ):
        for number, line in enumerate((CONFORMANCE / name).read_text("utf-8").split("\n")):
            if line:
                entry = json.loads(line)
                found.append((f"{name}:{entry.get('id', number)}", entry[key]))
    for path in sorted((ROOT / "fixtures").rglob("*.dastdown")):
        found.append((str(path.relative_to(ROOT)), path.read_text("utf-8")))
    return found


CORPUS = _corpus()
TEXTS = [text for _, text in CORPUS]

Outcome = tuple[Any, list[BlockRecord]] | DastdownParseError


def _lark(text: str) -> Outcome:
    """What lark's parser (the parser of record) makes of ``text``: children and records."""
    records: list[BlockRecord] = []
    reset = BLOCKS.set(records)
    try:
        return grammar().parse(text, start="start"), records
    except (UnexpectedInput, DastdownParseError) as exc:
        return _translate(exc)
    finally:
        BLOCKS.reset(reset)


def _fast(text: str) -> tuple[Any, list[BlockRecord]] | None:
    records: list[BlockRecord] = []
    reset = BLOCKS.set(records)
    try:
        children = fast_children(text)
    finally:
        BLOCKS.reset(reset)
    return None if children is None else (children, records)


def _same_error(left: DastdownParseError, right: DastdownParseError) -> bool:
    return (type(left), left.message, left.line, left.column) == (
        type(right),
        right.message,
        right.line,
        right.column,
    )


def _check(text: str) -> bool:
    """The fast path agrees with lark on ``text``; True when it took the text."""
    text = to_lf(text)
    if not text.strip(" \n"):
        return True  # blank text never reaches either parser
    reference = _lark(text)
    fast = _fast(text)
    if isinstance(reference, DastdownParseError):
        assert fast is None, "the fast path took a text the grammar refuses"
        with pytest.raises(DastdownParseError) as caught:
            parse(text)
        assert _same_error(caught.value, reference), (caught.value, reference)
        return False
    if fast is None:
        return False
    assert fast[0] == reference[0]
    assert [(node, line, column) for node, line, column in fast[1]] == reference[1]
    return True


@pytest.mark.parametrize("text", TEXTS, ids=[name for name, _ in CORPUS])
def test_corpus(text: str) -> None:
    _check(text)


def test_the_fast_path_takes_every_valid_corpus_document() -> None:
    valid = [text for text in TEXTS if not isinstance(_lark(to_lf(text)), DastdownParseError)]
    assert len(valid) > 700
    taken = [text for text in valid if _check(text)]
    assert taken == valid


@given(
    documents(text=adversarial_text, items=adversarial_items, marks=adversarial_marks, max_leaves=7)
)
def test_generated_documents(doc: Document) -> None:
    text = serialize(doc)
    assert _check(text), "a serialized document needed lark"


@given(documents(items=adversarial_items, max_leaves=40))
def test_generated_larger_documents(doc: Document) -> None:
    assert _check(serialize(doc)), "a serialized document needed lark"


# -- random edits of real documents ------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        *("\n", "\n\n", "\n\n\n", " ", "  ", "- ", "1. ", "> ", ">", "---", "```", "# ", "#######"),
        *("{}", "{style=", '{style="s"}', '{attribution="a"}', '{language="x"}', "{a=[1]}"),
        *('<block id="', '<block id="1"/>', "<m k=", '<m k="x">', "</m>", "<br/>"),
        *('<inlineItem id="1"/>', '<inlineBlock id="2"/>', "<block id='1' />", "[", "](", ")"),
        *("*", "**", "***", "_", "~~", "==", "++", "`", "\\", "\\*", "dato:item/", "é", "😀"),
        *("\n# ", "\n- ", "\n  - ", "\n    - ", "\n1. ", "\n> ", "\n>\n", "\n```\n", "\n---\n"),
    ]
)


@st.composite
def edited_texts(draw: st.DrawFn) -> str:
    """A real document with a few random edits: inserts, deletions, moved lines."""
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(("insert", "insert", "delete", "swap")))
        at = draw(st.integers(min_value=0, max_value=len(text)))
        if kind == "insert":
            text = text[:at] + draw(FRAGMENTS) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=6)) :]
        else:
            lines = text.split("\n")
            first = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            second = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[first], lines[second] = lines[second], lines[first]
            text = "\n".join(lines)
    return text


@given(edited_texts())
def test_edited_documents(text: str) -> None:
    _check(text)


@given(st.lists(FRAGMENTS | st.sampled_from(["a", "b c", "x\n"]), max_size=30).map("".join))
def test_syntax_soup(text: str) -> None:
    _check(text)


# -- the inline short-cut ------------------------------------------------------------

SCANNER = _fast_tools()[1].inline
assert SCANNER is not None

INLINE_FRAGMENTS = st.sampled_from(
    [
        *("a", "b c", " ", "*", "**", "***", "****", "_", "~", "~~", "=", "==", "+", "++", "`"),
        *("``", "[", "]", "](", ")", "(", "\\", "\\*", "\\\\", "\\)", "{", "}", '{rel="x"}', "<"),
        *('<m k="x">', '<m k="y">', "</m>", "<br/>", '<inlineItem id="1"/>', "dato:item/"),
        *('<inlineBlock id="2"/>', '<block id="3"/>', "<block id='1' />", '{a=[1]}', "é", "😀"),
    ]
)


def _full(text: str) -> list[dict[str, Any]] | DastdownParseError:
    """The full reading of inline ``text`` (two passes), or its error."""
    try:
        return SCANNER._resolve(SCANNER._structure(text, (), None))
    except DastdownParseError as error:
        return error


def _check_inline(text: str) -> bool:
    """The short-cut agrees with the full reading; True when it took the text."""
    fast = SCANNER.fast_scan(text)
    if fast is None:
        return False
    assert fast == _full(text), text
    return True


@given(st.lists(INLINE_FRAGMENTS, max_size=24).map("".join))
def test_inline_short_cut_on_syntax_soup(text: str) -> None:
    _check_inline(text)


@pytest.mark.parametrize("text", TEXTS, ids=[name for name, _ in CORPUS])
def test_inline_short_cut_on_every_corpus_line(text: str) -> None:
    for line in to_lf(text).split("\n"):
        content = line.lstrip(" ->#0123456789.")
        _check_inline(content)
        _check_inline(line)


@given(documents(items=adversarial_items, max_leaves=12))
def test_inline_short_cut_on_serialized_text(doc: Document) -> None:
    for line in serialize(doc).split("\n"):
        _check_inline(line.lstrip(" ->#0123456789."))


def test_inline_short_cut_takes_most_lines() -> None:
    """Most lines of the valid corpus take the short-cut (it is worth having)."""
    lines = [
        line.lstrip(" ->#0123456789.")
        for text in TEXTS
        if not isinstance(_lark(to_lf(text)), DastdownParseError)
        for line in to_lf(text).split("\n")
    ]
    syntax = [line for line in lines if SCANNER._plain.fullmatch(line) is None and line]
    taken = [line for line in syntax if _check_inline(line)]
    assert len(syntax) > 500
    assert len(taken) > 0.8 * len(syntax)


# -- the scanning regex: plain text read in bigger pieces ----------------------------

# Single "=", "~", "+" are read with the plain text, escapes too, the end of the
# text is a match of its own, and a text may end with a token: each next to
# everything that could make it a run or an escape.
SCAN_EDGES = [
    *("a=b", "=", "==", "a==b==", "a=b==c==d", "=a=", "a ~ b", "~~a~~ ~", "+", "a+b++c++", "+=~"),
    *("\\==", "\\===a===", "\\\\==a==", "a\\=b", "\\~~x~~", "\\++", "=\\=", "a\\", "\\", "a\\b"),
    *(
        "**a**",
        "a **b**",
        "[a](u)",
        "[a](u=)=",
        '[a](u){t="="}=',
        "=[a](u)=",
        "a<br/>",
        "a <",
        "a ]",
    ),
    *('<m k="=">=</m>', "`=`", "==a= b==", "~=+", "a = b = c", "*a*=", "=*a*", "a ==", "== a"),
    *("[](u)", "[a b](u) [c](v)", "[a](u", "[a](", "x [a](dato:item/1) y", "[a [b](u)](v)"),
    *("*[a](u)*", "[a](u){t=[1]}", "[a](u\\))", "[a](u)(v)", "[a][b](u)", "[a](u) [b", "[a]](u)"),
]


@pytest.mark.parametrize("text", SCAN_EDGES)
def test_scan_edges_read_as_lark_reads_them(text: str) -> None:
    _check(text)
    _check(f"# {text}\n\n- {text}\n")
    _check_inline(text)


def _scan_tokens(text: str) -> list[tuple[int, int, int]]:
    """Kind, start and end of each token the scanning regex finds (plain text left out)."""
    found = []
    done = 0
    while True:
        match = SCANNER._scan.match(text, done)
        assert match is not None and match.start() == done
        kind = SCANNER._kinds[match.lastindex or 0]
        if kind == SCANNER._kinds[-1]:  # the end of the text
            assert match.end() == len(text)
            return found
        if kind == _PLAIN_LINK:  # "[", plain text, "](": two tokens
            found.append((_LINK_OPEN, match.end(1), match.end(1) + 1))
            found.append((_LINK_CLOSE, match.end() - 2, match.end()))
        else:
            found.append((kind, match.end(1), match.end()))
        done = match.end()


def _lark_order_tokens(text: str) -> list[tuple[int, int, int]]:
    """The same from the regex of lark's lexer order, less what is text in any case."""
    found = []
    for match in SCANNER._regex.finditer(text):
        name = match.lastgroup or ""
        start, end = match.span(name)
        value = text[start:end]
        if name == "ESCAPE" or (name in {"EQUALS", "TILDES", "PLUSES"} and len(value) == 1):
            continue  # read with the plain text
        if name == "OTHER" and SCANNER._plain.fullmatch(value) is not None:
            continue  # the last character of the text, given back by the plain text
        found.append((_KINDS[name], start, end))
    return found


@given(st.lists(INLINE_FRAGMENTS, max_size=24).map("".join))
def test_scanning_regex_cuts_where_lark_order_cuts(text: str) -> None:
    assert _scan_tokens(text) == _lark_order_tokens(text)


@pytest.mark.parametrize("text", SCAN_EDGES)
def test_scanning_regex_cuts_the_edges_where_lark_order_cuts(text: str) -> None:
    assert _scan_tokens(text) == _lark_order_tokens(text)
