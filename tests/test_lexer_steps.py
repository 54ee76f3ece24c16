"""The line pre-pass, step by step: what each kind of line gives, and in which order.

The lexer is split into one step per line kind (indentation, list markers,
blockquotes, headings, fences, whole-line constructs, paragraph text); these
tests pin the tokens of each, the order in which errors come out, and the
trailer diagnostics.
"""

from __future__ import annotations

import re

import pytest
from lark import Token

from dastdown.errors import DastdownParseError
from dastdown.lexer import AttributeSyntax, StructureLexer
from dastdown.parser import grammar, parse


def _lexer() -> StructureLexer:
    return StructureLexer(grammar().lexer_conf)


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    return [(t.type, str(t), t.line or 0, t.column or 0) for t in _lexer().lex(text)]


def _types(text: str) -> list[str]:
    return [t.type for t in _lexer().lex(text)]


# --- one test per step ----------------------------------------------------------


def test_paragraph_text_and_continuation() -> None:
    assert _tokens("a\nb\n\nc\n") == [
        ("TEXT", "a", 1, 1),
        ("CONT", "b", 2, 1),
        ("TEXT", "c", 4, 1),
    ]


def test_indentation_closes_items_and_keeps_extra_spaces_as_text() -> None:
    assert _tokens("- a\n\n   b\nc\n") == [
        ("BULLET", "- ", 1, 1),
        ("TEXT", "a", 1, 3),
        ("TEXT", " b", 3, 3),
        ("_DEDENT", "", 4, 1),
        ("TEXT", "c", 4, 1),
    ]


def test_several_markers_open_several_items_on_one_line() -> None:
    assert _types("1. - x\n") == ["ORDINAL", "BULLET", "TEXT", "_DEDENT", "_DEDENT"]


def test_two_blank_lines_before_a_marker_are_a_list_break() -> None:
    assert _tokens("- a\n\n\n- b\n")[2:4] == [("_DEDENT", "", 4, 1), ("_LIST_BREAK", "", 2, 1)]
    assert "_LIST_BREAK" not in _types("- a\n\n- b\n")
    assert "_LIST_BREAK" not in _types("a\n\n\nb\n")  # only before a list marker


def test_odd_indentation_inside_a_list_is_an_error() -> None:
    with pytest.raises(DastdownParseError, match="bad indentation: 3 spaces") as caught:
        list(_lexer().lex("- a\n  - b\n   c\n"))
    assert (caught.value.line, caught.value.column) == (3, 4)


def test_blockquote_lines_breaks_and_attribution() -> None:
    assert _types('> a\n>\n> b\n{attribution="x"}\n') == [
        "_QUOTE",
        "TEXT",
        "_QUOTE_BREAK",
        "TEXT",
        "_UNQUOTE",
        "ATTRIBUTION",
    ]
    assert _types("> a\n\nb\n") == ["_QUOTE", "TEXT", "_UNQUOTE", "TEXT"]


def test_attribution_not_right_after_a_quote_is_an_error() -> None:
    with pytest.raises(DastdownParseError, match="goes right after the last '> ' line"):
        list(_lexer().lex('> a\n\n{attribution="x"}\n'))
    with pytest.raises(DastdownParseError, match="without '> '"):
        list(_lexer().lex('> a\n> {attribution="x"}\n'))


def test_heading_with_and_without_trailer() -> None:
    assert _tokens('## Hi {style="x"}\n') == [
        ("HASHES", "##", 1, 1),
        ("TEXT", "Hi", 1, 4),
        ("TRAILER", '{style="x"}', 1, 7),
    ]
    assert _tokens("#\n") == [("HASHES", "#", 1, 1), ("TEXT", "", 1, 2)]
    assert _types("#x\n") == ["TEXT"]  # no space: text


def test_heading_level_seven_is_an_error() -> None:
    with pytest.raises(DastdownParseError, match="heading level 7"):
        list(_lexer().lex("####### h\n"))


def test_fence_info_trailer_body_and_end() -> None:
    assert _tokens("````py {highlight=[1]}\na\n```\n````\nafter\n") == [
        ("FENCE", "````", 1, 1),
        ("INFO", "py", 1, 5),
        ("TRAILER", "{highlight=[1]}", 1, 8),
        ("CODE_BODY", "a\n```", 2, 1),
        ("_FENCE_END", "````", 4, 1),
        ("TEXT", "after", 5, 1),
    ]


def test_whole_line_constructs() -> None:
    assert _types('---\n\n<block id="b"/>\n\n{}\n\na\n{style="s"}\n') == [
        "RULE",
        "BLOCK",
        "LINE_TRAILER",
        "TEXT",
        "STYLE_LINE",
    ]
    assert _types("---x\n") == ["TEXT"]  # not the whole line: text


@pytest.mark.parametrize(
    ("line", "message", "column"),
    [
        ('{"a\n', "unterminated quoted string", 2),
        ("{a=\n", 'expected a quoted value ("...")', 4),
        ("{} x\n", "unexpected text after the trailer", 3),
        ('{style="a"}x\n', "unexpected text after the trailer", 12),
    ],
)
def test_text_that_starts_like_a_trailer_is_an_error(line: str, message: str, column: int) -> None:
    with pytest.raises(DastdownParseError, match=re.escape(message)) as caught:
        list(_lexer().lex(line))
    assert caught.value.column == column


# --- errors come after the tokens before them -------------------------------------


def test_tokens_before_a_lexical_error_are_yielded_first() -> None:
    tokens = _lexer().lex("- a\n  ```\n  x\n")
    assert [next(tokens).type for _ in range(3)] == ["BULLET", "TEXT", "FENCE"]
    with pytest.raises(DastdownParseError, match="code fence never closed"):
        next(tokens)


def test_the_parser_reports_a_misplaced_token_before_a_later_lexical_error() -> None:
    with pytest.raises(DastdownParseError, match="a code block cannot be in a list item"):
        parse("- a\n  ```\n  x\n")
    with pytest.raises(DastdownParseError, match="a list cannot be in a blockquote"):
        parse("> - ####### x\n")


# --- deep and long inputs -----------------------------------------------------------


def test_five_thousand_items_opened_on_one_line() -> None:
    types = _types("- " * 5000 + "x\n")
    assert types.count("BULLET") == 5000
    assert types.count("_DEDENT") == 5000
    assert types[5000] == "TEXT"


def test_five_thousand_nested_items_by_indentation() -> None:
    text = "".join("  " * depth + "- x\n" for depth in range(5000))
    types = _types(text)
    assert types.count("BULLET") == 5000
    assert types.count("_DEDENT") == 5000


# --- trailer diagnostics --------------------------------------------------------------


def _syntax() -> AttributeSyntax:
    return AttributeSyntax({t.name: t for t in grammar().terminals})


@pytest.mark.parametrize(
    ("trailer", "expected"),
    [
        ('{a="x" }', (7, "expected an attribute name")),
        ("{1=", (1, "expected an attribute name (an identifier or a quoted string)")),
        ('{a "x"}', (2, "expected '=' after the attribute name")),
        ("{a=x}", (3, 'expected a quoted value ("...")')),
        ("{a=[1,}", (3, "expected a list of line numbers such as [0,2]")),
        ('{a="x"b="y"}', (6, "expected a space or '}' after the value")),
        ('{a="x', (3, "unterminated quoted string")),
        ('{"k', (1, "unterminated quoted string")),
        (
            '{a="\\u12G4"}',
            (4, "invalid escape \\u in a quoted string: write \\\\ for a backslash"),
        ),
        (
            '{a="x\\',
            (5, "invalid escape \\ at the end in a quoted string: write \\\\ for a backslash"),
        ),
        ('{a="\\u00e9" "b c"=[1, 2]} tail', (25, "unexpected text after the trailer")),
    ],
)
def test_diagnose_says_where_and_why(trailer: str, expected: tuple[int, str]) -> None:
    assert _syntax().diagnose(trailer, 0, whole=True) == expected


def test_diagnose_a_valid_trailer_inside_text() -> None:
    syntax = _syntax()
    assert syntax.diagnose('x {a="b"} y', 2, whole=False) == (2, "malformed trailer")


# --- the tokens are lark's own ------------------------------------------------------

_TOKEN_FIELDS = (
    "type", "start_pos", "value", "line", "column", "end_line", "end_column", "end_pos"
)


def test_tokens_are_what_lark_token_makes() -> None:
    """The lexer makes its tokens without lark's constructor: each is a ``Token``
    with every attribute ``Token(type, value, line=..., column=...)`` sets."""
    text = "# h {style=\"x\"}\n\n- a\n  b\n\n> q\n{attribution=\"z\"}\n\n```py\nc\n```\n"
    tokens = _lexer().tokens(text)
    assert len(tokens) > 10
    for token in tokens:
        expected = Token(token.type, str(token), line=token.line, column=token.column)
        assert type(token) is Token
        assert str(token) == str(expected)
        assert [getattr(token, name) for name in _TOKEN_FIELDS] == [
            getattr(expected, name) for name in _TOKEN_FIELDS
        ]
        assert token.line is not None and token.column is not None
