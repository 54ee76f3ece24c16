"""Positions of JSON values: the scan behind ``dastdown check``'s line:column."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dastdown.cli.jsonpos import line_column, locate_json_paths

TEXT = """{
  "schema": "dast",
  "document": {
    "type": "root",
    "children": [
      {"type": "thematicBreak"},
      {
        "type": "heading",
        "level": 7,
        "children": [{"type": "span", "value": "a \\"quoted\\" [x] {y}"}]
      }
    ]
  }
}
"""


def test_locates_nested_values_by_line_and_column() -> None:
    paths = [
        ("document", "children", 1, "level"),
        ("document", "children", 0),
        ("document", "children", 1, "children", 0, "value"),
        ("schema",),
    ]
    assert locate_json_paths(TEXT, paths) == {
        ("document", "children", 1, "level"): (9, 18),
        ("document", "children", 0): (6, 7),
        ("document", "children", 1, "children", 0, "value"): (10, 48),
        ("schema",): (2, 13),
    }


def test_missing_path_points_at_deepest_existing_ancestor() -> None:
    where = locate_json_paths(TEXT, [("document", "children", 1, "style"), ("nope", 3)])
    assert where == {("document", "children", 1, "style"): (7, 7), ("nope", 3): (1, 1)}


def test_index_past_the_end_points_at_the_array() -> None:
    assert locate_json_paths('{"a": [1, 2]}', [("a", 5)]) == {("a", 5): (1, 7)}


def test_scalar_root_and_leading_whitespace() -> None:
    assert locate_json_paths("\n\n  7", [("x",)]) == {("x",): (3, 3)}


def test_repeated_key_last_one_wins_like_json_loads() -> None:
    text = '{"a": 1,\n "a": 2}'
    assert json.loads(text)["a"] == 2
    assert locate_json_paths(text, [("a",)]) == {("a",): (2, 7)}


def test_columns_count_characters_not_bytes() -> None:
    text = '{"é": "😀", "b": 1}'
    assert locate_json_paths(text, [("b",)]) == {("b",): (1, 17)}


def test_deep_nesting_does_not_recurse() -> None:
    depth = 5000
    text = "[" * depth + "1" + "]" * depth
    path = (0,) * (depth - 1)
    assert locate_json_paths(text, [path]) == {path: (1, depth)}


def test_line_column() -> None:
    assert line_column("a\nbc\n", 0) == (1, 1)
    assert line_column("a\nbc\n", 3) == (2, 2)
    assert line_column("a\nbc\n", 5) == (3, 1)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


def _all_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _all_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _all_paths(child, (*path, index))
    return out


@given(json_values, st.sampled_from([None, 0, 2]))
def test_every_located_value_decodes_to_the_value_at_its_path(
    value: Any, indent: int | None
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    paths = _all_paths(value)
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    decoder = json.JSONDecoder()
    for path, (line, column) in locate_json_paths(text, paths).items():
        expected = value
        for part in path:
            expected = expected[part]
        found, _ = decoder.raw_decode(text, starts[line - 1] + column - 1)
        assert found == expected
