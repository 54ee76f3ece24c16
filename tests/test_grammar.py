"""The grammar file is the one definition of the dastdown syntax.

It ships inside the package and loads as LALR with no conflicts; the line
pre-pass, the inline scanner and the trailer decoder compile their patterns
from its terminals, and lark itself, running the same grammar, cuts inline
text and trailers exactly as they do.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Lark, Token, Tree

from dastdown.inline import (
    INLINE_RULE,
    PLAIN_TERMINAL,
    InlineScanner,
    _plain_run,
    lark_lexer_order,
)
from dastdown.lexer import AttributeSyntax, StructureLexer, decode_string
from dastdown.parser import grammar

CONFORMANCE = Path(__file__).resolve().parent.parent / "fixtures/dastdown/conformance"


def _source() -> str:
    return resources.files("dastdown").joinpath("dastdown.lark").read_text(encoding="utf-8")


@cache
def _reference() -> Lark:
    """The same grammar on lark's own contextual lexer, for ``inline`` and ``attributes``."""
    return Lark(_source(), parser="lalr", lexer="contextual", start=["inline", "attributes"])


def _scanner() -> InlineScanner:
    return InlineScanner(grammar())


def _lark_inline_tokens(text: str) -> list[tuple[str, str]]:
    """Lark's tokens for ``text`` (rule ``inline``), plain text runs merged."""
    tree = _reference().parse(text, start="inline")
    tokens: list[tuple[str, str]] = []
    for token in tree.children:
        assert isinstance(token, Token)
        kind = "TEXT" if token.type in ("WORD", "OTHER") else token.type
        if kind == "TEXT" and tokens and tokens[-1][0] == "TEXT":
            tokens[-1] = ("TEXT", tokens[-1][1] + token)
        else:
            tokens.append((kind, str(token)))
    return tokens


# --- the file, loaded through the package -------------------------------------


def test_grammar_file_ships_in_the_package() -> None:
    path = resources.files("dastdown").joinpath("dastdown.lark")
    assert path.is_file()
    assert "start:" in _source()


def test_grammar_is_loaded_once_as_lalr() -> None:
    lark = grammar()
    assert lark is grammar()
    assert lark.options.parser == "lalr"
    assert lark.options.strict  # a shift/reduce conflict would fail the load
    assert set(lark.options.start) == {"start", "inline", "attributes"}


START = ["start", "inline", "attributes"]


def test_grammar_has_no_conflicts() -> None:
    loaded = Lark(_source(), parser="lalr", lexer=StructureLexer, start=START, strict=True)
    assert {rule.origin.name for rule in loaded.rules} >= {
        "paragraph",
        "heading",
        "code",
        "blockquote",
        "block",
        "thematic_break",
        "bulleted_list",
        "numbered_list",
        "list_item",
    }


def test_rules_are_named_after_the_dast_types() -> None:
    names = {rule.alias or rule.origin.name for rule in grammar().rules}
    assert {"paragraph", "heading", "code", "blockquote", "block", "thematic_break"} <= names
    assert {"list", "list_item"} <= names


# --- the inline scanner is built from the grammar's terminals -----------------


def test_inline_regex_is_made_of_the_inline_terminals_in_lark_order() -> None:
    lark = grammar()
    scanner = _scanner()
    alternatives = {
        symbol.name
        for rule in lark.rules
        if rule.origin.name == INLINE_RULE
        for symbol in rule.expansion
    }
    assert {t.name for t in scanner.terminals} == alternatives
    assert list(scanner.terminals) == sorted(scanner.terminals, key=lark_lexer_order)
    word = lark.get_terminal(PLAIN_TERMINAL).pattern.to_regexp()
    escape = lark.get_terminal("ESCAPE").pattern.to_regexp()
    assert scanner.pattern.startswith(_plain_run(word, escape))
    position = 0
    for terminal in scanner.terminals:
        if terminal.name == PLAIN_TERMINAL:
            continue
        group = f"(?P<{terminal.name}>{terminal.pattern.to_regexp()})"
        found = scanner.pattern.find(group, position)
        assert found >= position, terminal.name  # present, and in lark's order
        position = found + len(group)
    assert re.compile(scanner.pattern).groups == len(scanner.terminals) - 1


def _plain_text_forms() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The scanner's regex, and the same with plain text written ``(?:WORD|ESCAPE)*``."""
    lark = grammar()
    word = lark.get_terminal(PLAIN_TERMINAL).pattern.to_regexp()
    escape = lark.get_terminal("ESCAPE").pattern.to_regexp()
    pattern = _scanner().pattern
    run = _plain_run(word, escape)
    assert run != f"(?:{word}|{escape})*"  # WORD is a character class: the faster form
    return re.compile(pattern), re.compile(f"(?:{word}|{escape})*" + pattern[len(run) :])


@given(st.text(alphabet="ab \\*~=+`<>[]()/mk\"!", max_size=40))
def test_the_plain_text_run_cuts_where_word_or_escape_repeated_cuts(text: str) -> None:
    """``W*(?:E W*)*`` is ``(?:W|E)*`` (``W`` a character class run, ``E`` starting with
    a backslash): every token, its kind and its span, are the same."""
    fast, plain = _plain_text_forms()
    assert [(m.lastgroup, m.span(m.lastindex or 0)) for m in fast.finditer(text)] == [
        (m.lastgroup, m.span(m.lastindex or 0)) for m in plain.finditer(text)
    ]


def test_inline_regex_follows_a_changed_grammar() -> None:
    source = _source().replace('LINE_BREAK: "<br/>"', 'LINE_BREAK: "<br>"')
    lark = Lark(source, parser="lalr", lexer=StructureLexer, start=START)
    scanner = InlineScanner(lark)
    assert ("LINE_BREAK", "<br>") in scanner.tokens("a<br>b")
    assert ("LINE_BREAK", "<br>") not in _scanner().tokens("a<br>b")


def _paragraph_texts() -> list[str]:
    lexer = StructureLexer(grammar().lexer_conf)
    texts: list[str] = []
    for line in (CONFORMANCE / "documents.jsonl").read_text(encoding="utf-8").split("\n"):
        if line:
            example = json.loads(line)
            texts += [t for t in lexer.lex(example["dastdown"]) if t.type in ("TEXT", "CONT")]
    return texts


def test_inline_tokens_equal_lark_lexer_tokens_on_the_conformance_texts() -> None:
    scanner = _scanner()
    texts = _paragraph_texts()
    assert len(texts) > 500
    for text in texts:
        assert scanner.tokens(text) == _lark_inline_tokens(text), text


INLINE_ALPHABET = st.sampled_from(
    [
        *'ab *~=+`[]()<>{}\\/"!#-_.:k\t\r\n',
        *("**", "~~", "==", "++", "<br/>", "</m>", '<m k="x">', '<m k="', "](", "\\*", "\\\\"),
        *("\\a", '<inlineItem id="1"/>', '<inlineBlock id="2"/>', '<block id="3"/>', "é", "😀"),
    ]
)


@given(st.lists(INLINE_ALPHABET, max_size=30).map("".join))
def test_inline_tokens_equal_lark_lexer_tokens(text: str) -> None:
    assert _scanner().tokens(text) == _lark_inline_tokens(text)


# --- trailers -----------------------------------------------------------------


def _lark_attributes(trailer: str) -> list[tuple[str, object]]:
    tree = _reference().parse(trailer, start="attributes")
    entries: list[tuple[str, object]] = []
    for attribute in tree.children:
        assert isinstance(attribute, Tree)
        key, value = attribute.children
        assert isinstance(key, Token) and isinstance(value, Token)
        name = decode_string(key) if key.type == "STRING" else str(key)
        decoded: object = (
            decode_string(value)
            if value.type == "STRING"
            else tuple(int(n) for n in re.findall("[0-9]+", value))
        )
        entries.append((name, decoded))
    return entries


KEYS = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,5}", fullmatch=True), st.text(max_size=6))
VALUES = st.one_of(st.text(max_size=8), st.lists(st.integers(0, 99), max_size=3))


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@given(st.lists(st.tuples(KEYS, VALUES), max_size=4), st.booleans())
def test_trailer_decoding_agrees_with_lark(entries: list[tuple[str, object]], bare: bool) -> None:
    parts = []
    for key, value in entries:
        written_key = (
            key if bare and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) else _quoted(key)
        )
        written = _quoted(value) if isinstance(value, str) else json.dumps(value)
        parts.append(f"{written_key}={written}")
    trailer = "{" + " ".join(parts) + "}"
    syntax = AttributeSyntax({t.name: t for t in grammar().terminals})
    assert syntax.trailer.fullmatch(trailer)
    decoded = [(key, value) for key, value, _ in syntax.decode(trailer)]
    assert decoded == _lark_attributes(trailer)
    expected = [(k, v if isinstance(v, str) else tuple(v)) for k, v in entries]  # type: ignore[arg-type]
    assert decoded == expected


# --- the line pre-pass uses the grammar's terminals ---------------------------


def test_structure_lexer_emits_the_grammar_terminals() -> None:
    declared = {t.name for t in grammar().terminals}
    text = (CONFORMANCE / "parse_ok.jsonl").read_text(encoding="utf-8")
    lexer = StructureLexer(grammar().lexer_conf)
    seen: set[str] = set()
    for line in text.split("\n"):
        if line:
            seen |= {t.type for t in lexer.lex(json.loads(line)["text"])}
    assert seen
    undeclared = seen - declared
    # Declared without a pattern (%declare): the lexer computes them.
    assert undeclared <= {
        "TEXT",
        "CONT",
        "INFO",
        "CODE_BODY",
        "_LIST_BREAK",
        "_DEDENT",
        "_QUOTE",
        "_UNQUOTE",
    }


def test_structure_lexer_follows_a_changed_grammar() -> None:
    source = _source().replace('BULLET: "- "', 'BULLET: "+ "')
    lark = Lark(source, parser="lalr", lexer=StructureLexer, start=START)
    lexer = StructureLexer(lark.lexer_conf)
    assert [t.type for t in lexer.lex("+ a\n")] == ["BULLET", "TEXT", "_DEDENT"]
    assert [t.type for t in StructureLexer(grammar().lexer_conf).lex("+ a\n")] == ["TEXT"]


# --- nothing in the file is unused --------------------------------------------


def _defined_names() -> tuple[set[str], set[str], set[str]]:
    """Rule, terminal and ``%declare``-d names of the grammar file."""
    rules: set[str] = set()
    terminals: set[str] = set()
    declared: set[str] = set()
    for line in _source().split("\n"):
        found = re.match(r"([_A-Za-z][_A-Za-z0-9]*)(?:\.-?\d+)?\s*:", line)
        if found:
            name = found.group(1)
            (terminals if name.lstrip("_")[:1].isupper() else rules).add(name)
        if line.startswith("%declare"):
            declared.update(line.split()[1:])
    return rules, terminals, declared


def test_every_rule_and_terminal_of_the_file_is_used() -> None:
    rules, terminals, declared = _defined_names()
    assert len(rules) > 10 and len(terminals) > 20 and len(declared) == 7
    lark = grammar()
    assert rules <= {rule.origin.name for rule in lark.rules}
    symbols = {symbol.name for rule in lark.rules for symbol in rule.expansion}
    assert declared <= symbols
    # Terminals used only inside other terminals are inlined into them.
    inlined = terminals - {t.name for t in lark.terminals}
    assert inlined == {"ATTRIBUTES", "ATTRIBUTE"}
    for name in inlined:
        assert re.search(rf"[^_A-Z]{name}\b", _source().split(f"{name}:", 1)[0] + "\n"), name


@pytest.mark.parametrize("start", ["inline", "attributes"])
def test_the_reference_start_rules_are_what_makes_the_scanner_terminals_exist(start: str) -> None:
    others = [name for name in START if name != start]
    with pytest.raises(KeyError):
        lark = Lark(_source(), parser="lalr", lexer=StructureLexer, start=others)
        InlineScanner(lark)
