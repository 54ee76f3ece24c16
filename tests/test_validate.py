"""The strict validator: fixtures, deep trees, garbage, and agreement with the model."""

from __future__ import annotations

import json
import math
import tracemalloc
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from strategies import documents, mutated_documents

from dast.definitions import NODE_TYPES
from dast.errors import DastValidationError, Problem
from dast.load import ensure_valid, load_document, unwrap_document
from dast.nodes import Document, Heading, Paragraph, Root, Span
from dast.validate import RULE_CODES, ValidationReport, validate

VALID_DIR = FIXTURES / "dast" / "valid"
INVALID_DIR = FIXTURES / "dast" / "invalid"
VALID = sorted(VALID_DIR.glob("*.json"))
INVALID = sorted(p for p in INVALID_DIR.glob("*.json") if not p.name.endswith(".expected.json"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _expected(path: Path) -> list[list[str]]:
    return _load(path.with_name(path.stem + ".expected.json"))  # type: ignore[no-any-return]


def _pairs(report: ValidationReport) -> list[list[str]]:
    return [[p.dotted, p.code] for p in report.problems]


def _is_wrapper(data: Any) -> bool:
    return unwrap_document(data) is not data


# --- fixture discovery --------------------------------------------------------


def test_fixture_sets_are_big_enough_and_paired() -> None:
    assert len(VALID) >= 20
    assert len(INVALID) >= 12
    expected = {p.name for p in INVALID_DIR.glob("*.expected.json")}
    assert expected == {p.stem + ".expected.json" for p in INVALID}


# --- valid fixtures -----------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_has_no_problems(path: Path) -> None:
    data = _load(path)
    report = validate(data)
    assert report.problems == ()
    assert report.valid and bool(report)
    assert str(report) == "valid DAST document"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_loads_and_dumps_back_identically(path: Path) -> None:
    data = _load(path)
    doc = load_document(data)
    assert ensure_valid(data) == doc
    inner = unwrap_document(data)
    if inner is None:
        assert doc is None
        return
    assert doc is not None
    assert doc.to_json() == inner
    assert validate(doc).valid
    if not _is_wrapper(data):
        assert load_document(data).to_json() == data


def test_valid_fixtures_cover_every_node_type_and_attribute() -> None:
    seen: set[str] = set()
    stack: list[Any] = [unwrap_document(_load(p)) for p in VALID]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            t = value.get("type")
            if isinstance(t, str) and t != "item":
                seen.add(t)
                seen.update(f"{t}.{key}" for key in value)
                if isinstance(value.get("item"), dict):
                    seen.add(f"{t}.item:record")
            stack.extend(v for k, v in value.items() if k != "item")
        elif isinstance(value, list):
            stack.extend(value)
    for name in (
        "root",
        "paragraph.style",
        "heading.style",
        "list.style",
        "listItem",
        "blockquote.attribution",
        "code.language",
        "code.highlight",
        "thematicBreak",
        "block.item:record",
        "block.item",
        "span.marks",
        "link.meta",
        "itemLink.meta",
        "inlineItem.item",
        "inlineBlock.item:record",
    ):
        assert name in seen, name


# --- invalid fixtures ---------------------------------------------------------


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_reports_exactly_the_expected_problems(path: Path) -> None:
    report = validate(_load(path))
    assert not report.valid and not bool(report)
    assert _pairs(report) == _expected(path)
    assert {p.code for p in report.problems} <= RULE_CODES


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_report_text(path: Path, snapshot: Any) -> None:
    assert str(validate(_load(path))) == snapshot


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_load_document_raises_with_the_validator_problems(path: Path) -> None:
    data = _load(path)
    with pytest.raises(DastValidationError) as info:
        load_document(data)
    assert info.value.problems == validate(data).problems


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_ensure_valid_raises_with_all_problems(path: Path) -> None:
    data = _load(path)
    with pytest.raises(DastValidationError) as info:
        ensure_valid(data)
    assert [[p.dotted, p.code] for p in info.value.problems] == _expected(path)
    for problem in info.value.problems:
        assert str(problem) in str(info.value)


# --- reports, problems and paths ---------------------------------------------


HEADING_7 = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [
            {"type": "thematicBreak"},
            {
                "type": "list",
                "style": "bulleted",
                "children": [
                    {
                        "type": "listItem",
                        "children": [
                            {"type": "paragraph", "children": [{"type": "span", "value": "x"}]},
                            {"type": "heading", "level": 7, "children": []},
                        ],
                    }
                ],
            },
        ],
    },
}


def test_problem_paths_as_tuple_dotted_and_pointer() -> None:
    report = validate(HEADING_7)
    assert [p.path for p in report] == [
        ("children", 1, "children", 0, "children", 1),
        ("children", 1, "children", 0, "children", 1, "level"),
        ("children", 1, "children", 0, "children", 1, "children"),
    ]
    assert [p.code for p in report] == ["forbidden-child", "heading-level", "empty-children"]
    level = report.problems[1]
    assert level.dotted == "children[1].children[0].children[1].level"
    assert level.pointer == "/children/1/children/0/children/1/level"
    assert len(report) == 3
    assert str(report).splitlines()[1] == (
        "children[1].children[0].children[1].level: "
        "heading level must be an integer from 1 to 6, found 7 [heading-level]"
    )


def test_messages_say_what_was_found_and_expected() -> None:
    data = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {"type": "heading", "level": "2", "children": [{"type": "span", "value": "x"}]},
                {"type": "list", "style": "ordered", "children": [{"type": "thematicBreak"}]},
            ],
        },
    }
    messages = [p.message for p in validate(data)]
    assert messages == [
        'heading level must be an integer from 1 to 6, found a string "2"',
        'list style must be "bulleted" or "numbered", found a string "ordered"',
        "a list cannot contain a thematicBreak node (allowed: listItem)",
    ]


def test_none_and_empty_wrappers_are_valid() -> None:
    assert validate(None).valid
    assert validate({"value": None, "blocks": [], "links": []}).valid
    assert ensure_valid(None) is None
    assert ensure_valid({"value": None}) is None


def test_a_document_model_is_checked_too() -> None:
    doc = Document(document=Root(children=(Paragraph(children=(Span(value="x"),)),)))
    assert validate(doc).valid
    assert ensure_valid(doc) is doc
    broken = doc.model_copy(
        update={
            "document": Root.model_construct(
                children=(Heading.model_construct(level=9, children=(Span(value="x"),)),)
            )
        }
    )
    report = validate(broken)
    assert _pairs(report) == [["children[0].level", "heading-level"]]
    with pytest.raises(DastValidationError):
        ensure_valid(broken)


def test_ensure_valid_returns_the_loaded_document() -> None:
    data = _load(VALID_DIR / "blog-article.json")
    doc = ensure_valid(data)
    assert isinstance(doc, Document)
    assert doc.to_json() == data


def test_null_optional_attributes_count_as_absent_like_the_model() -> None:
    data = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {"type": "paragraph", "style": None, "children": [{"type": "span", "value": "x"}]},
                {"type": "code", "code": "x", "language": None, "highlight": None},
            ],
        },
    }
    assert validate(data).valid
    Document.model_validate(data)


# --- deep trees ---------------------------------------------------------------


def _deep_list(depth: int, bottom: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "listItem", "children": [bottom]}
    for _ in range(depth - 1):
        nested = {"type": "list", "style": "bulleted", "children": [item]}
        item = {"type": "listItem", "children": [nested]}
    top = {"type": "list", "style": "numbered", "children": [item]}
    return {"schema": "dast", "document": {"type": "root", "children": [top]}}


def test_five_thousand_nested_lists_validate() -> None:
    data = _deep_list(5000, {"type": "paragraph", "children": [{"type": "span", "value": "x"}]})
    assert validate(data).valid
    doc = ensure_valid(data)  # deeper than pydantic-core goes: built iteratively
    assert doc is not None
    assert validate(doc).valid
    node: Any = doc.document.children[0]
    for _ in range(5000):
        node = node.children[0].children[0]
    assert node == Paragraph(children=(Span(value="x"),))


def test_problem_at_the_bottom_of_five_thousand_nested_lists() -> None:
    data = _deep_list(5000, {"type": "paragraph", "children": [{"type": "span", "value": 1}]})
    report = validate(data)
    assert [p.code for p in report] == ["invalid-attribute"]
    path = report.problems[0].path
    assert path[:4] == ("children", 0, "children", 0)
    assert path[-3:] == ("children", 0, "value")
    assert len(path) == 2 + 4 * 4999 + 2 + 2 + 2 + 1
    with pytest.raises(DastValidationError):
        ensure_valid(data)


# --- never raises -------------------------------------------------------------

# Generating inputs dominates the property tests: they run a quarter (or half) of
# the profile's examples (50 locally, 500 in CI), keeping the file well under a
# minute in CI.
_quarter = settings(max_examples=max(10, settings().max_examples // 4))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.sampled_from(("dast", "root", "span", "paragraph", "list", "block", "children")),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                (
                    "type",
                    "children",
                    "value",
                    "schema",
                    "document",
                    "item",
                    "level",
                    "marks",
                    "meta",
                )
            )
            | st.text(max_size=3),
            inner,
            max_size=4,
        )
    ),
    max_leaves=25,
)


@_quarter
@given(json_values)
def test_never_raises_on_garbage(value: Any) -> None:
    for data in (
        value,
        {"schema": "dast", "document": value},
        {"schema": "dast", "document": {"type": "root", "children": [value]}},
        {"value": value},
    ):
        report = validate(data)
        assert isinstance(report, ValidationReport)
        assert all(isinstance(p, Problem) and p.code in RULE_CODES for p in report.problems)
        _assert_agrees(data)


# --- agreement with the model -------------------------------------------------


def _model_accepts(data: Any) -> bool:
    inner = unwrap_document(data)
    if inner is None:
        return True
    try:
        Document.model_validate(inner)
    except ValidationError:
        return False
    return True


def _assert_agrees(data: Any) -> None:
    report = validate(data)
    assert report.valid == _model_accepts(data), str(report)
    if not report.valid:
        with pytest.raises(DastValidationError) as info:
            load_document(data)
        assert info.value.problems == report.problems


@_quarter
@given(documents(max_leaves=12))
def test_generated_documents_are_valid(doc: Document) -> None:
    assert validate(doc).problems == ()
    data = doc.to_json()
    assert validate(data).problems == ()
    assert _model_accepts(data)


@settings(max_examples=max(10, settings().max_examples // 2))
@given(mutated_documents(max_leaves=6))
def test_validator_and_model_agree_on_mutated_documents(data: dict[str, Any]) -> None:
    _assert_agrees(data)


# --- never raises, never hangs, one verdict with load_document (issue 9) --------------------

class _Hostile:
    """An object that raises from every dunder a careless validator might call."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):  # what a validator compares keys and values with
            raise RuntimeError("eq")
        return self is other

    def __hash__(self) -> int:
        return 7

    def __str__(self) -> str:
        raise RuntimeError("str")

    def __repr__(self) -> str:  # hypothesis needs it to report a failure
        return "_Hostile()"

    def __len__(self) -> int:
        raise RuntimeError("len")

    def __bool__(self) -> bool:
        raise RuntimeError("bool")


class _HostileStr(str):
    def __len__(self) -> int:
        raise RuntimeError("len")

    def __str__(self) -> str:
        raise RuntimeError("str")


_WEIRD = st.sampled_from(range(12)).map(  # built lazily: hypothesis reprs its strategies
    lambda i: [
        10**5000 - 1,
        -(10**400),
        math.nan,
        math.inf,
        b"bytes",
        frozenset({1}),
        {1, 2},
        _Hostile(),
        _HostileStr("heading"),
        object(),
        1.5,
        True,
        None,
    ][i]
)
_KEYS = st.one_of(
    st.sampled_from(["type", "children", "value", "level", "style", "item", "meta", "marks", "id"]),
    st.integers(),
    st.just(None).map(lambda _: _Hostile()),
    st.just(None),
    st.text(max_size=3),
)
_SCALARS = st.one_of(
    st.sampled_from(sorted(NODE_TYPES)), st.integers(-3, 9), st.text(max_size=3), _WEIRD
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(_KEYS, children, max_size=5),
        st.dictionaries(_KEYS, children, max_size=5).map(OrderedDict),
        st.dictionaries(_KEYS, children, max_size=5).map(MappingProxyType),
    )


_GARBAGE = st.recursive(_SCALARS, _containers, max_leaves=25)


@settings(max_examples=300)
@given(_GARBAGE, st.sampled_from(["document", "node", "raw"]))
def test_validate_never_raises_on_hostile_input(value: Any, where: str) -> None:
    if where == "document":
        value = {"schema": "dast", "document": {"type": "root", "children": [value]}}
    elif where == "node":
        value = {"schema": "dast", "document": value}
    report = validate(value)
    assert all(isinstance(p, Problem) for p in report.problems)
    for problem in report.problems:
        assert problem.code in RULE_CODES
        str(problem)  # the message and path can be shown


def _as_mappings(value: Any, kind: type[Mapping[Any, Any]] | Any) -> Any:
    if isinstance(value, dict):
        return kind({k: _as_mappings(v, kind) for k, v in value.items()})
    if isinstance(value, list):
        return [_as_mappings(v, kind) for v in value]
    return value


@given(
    st.one_of(documents().map(lambda d: d.to_json()), mutated_documents()),
    st.sampled_from([OrderedDict, MappingProxyType, dict]),
)
def test_validate_and_load_document_agree_on_any_mapping(data: Any, kind: Any) -> None:
    value = _as_mappings(data, kind)
    report = validate(value)
    try:
        loaded = load_document(value)
    except DastValidationError as exc:
        assert not report.valid
        assert exc.problems == report.problems
    else:
        assert report.valid
        if unwrap_document(value) is None:  # a CDA wrapper of an empty field: {"value": null}
            assert loaded is None
            return
        assert loaded is not None
        assert loaded.to_json() == _without_nulls(data)  # an explicit null is an absent attribute


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: v if k in ("item", "meta") else _without_nulls(v)  # records are kept as given
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _doc_with(node: Any) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": [node]}}


def _para_with(inline: Any) -> dict[str, Any]:
    return _doc_with({"type": "paragraph", "children": [inline]})


def test_a_non_string_key_beside_valid_keys_is_a_problem_not_a_crash() -> None:
    report = validate(_para_with({"type": "span", "value": "x", 1: 2}))
    assert [(p.path, p.code) for p in report] == [
        (("children", 0, "children", 0, "1"), "forbidden-attribute")
    ]
    link = {"type": "link", "url": "u", "children": [{"type": "span", "value": "x"}]}
    report = validate(_para_with({**link, "meta": [{"id": "a", "value": "b", 3: 4}]}))
    assert [(p.path, p.code) for p in report] == [
        (("children", 0, "children", 0, "meta", 0, "3"), "invalid-meta")
    ]
    with pytest.raises(DastValidationError):
        load_document(_para_with({"type": "span", "value": "x", 1: 2}))


def test_a_heading_level_of_5000_digits_is_a_problem_not_a_crash() -> None:
    span = {"type": "span", "value": "x"}
    heading = {"type": "heading", "level": 10**5000 - 1, "children": [span]}
    report = validate(_doc_with(heading))
    assert [(p.path, p.code) for p in report] == [(("children", 0, "level"), "heading-level")]
    assert "very large integer" in report.problems[0].message


def test_a_paragraph_that_contains_itself_is_a_cycle() -> None:
    paragraph: dict[str, Any] = {"type": "paragraph", "children": [{"type": "span", "value": "x"}]}
    paragraph["children"].append(paragraph)
    data = _doc_with(paragraph)
    report = validate(data)
    assert ("children", 0, "children", 1) in [p.path for p in report]
    assert [p.code for p in report if p.code == "cycle"] == ["cycle"]
    with pytest.raises(DastValidationError) as info:
        load_document(data)
    assert "cycle" in [p.code for p in info.value.problems]


def test_a_list_whose_item_holds_the_same_list_is_a_cycle() -> None:
    items: list[Any] = []
    lst = {"type": "list", "style": "bulleted", "children": items}
    items.append({"type": "listItem", "children": [lst]})
    report = validate(_doc_with(lst))
    cycle_at = ("children", 0, "children", 0, "children", 0)
    assert [(p.path, p.code) for p in report] == [(cycle_at, "cycle")]
    with pytest.raises(DastValidationError):
        load_document(_doc_with(lst))
    root: dict[str, Any] = {"type": "root", "children": []}
    root["children"].append(root)
    assert [p.code for p in validate({"schema": "dast", "document": root})] == [
        "forbidden-child",
        "cycle",
    ]


def test_a_shared_subtree_is_not_a_cycle() -> None:
    shared = {"type": "paragraph", "children": [{"type": "span", "value": "x"}]}
    data = {"schema": "dast", "document": {"type": "root", "children": [shared, shared]}}
    assert validate(data).valid
    assert load_document(data).document.children[0] == load_document(data).document.children[1]


def test_an_ordered_dict_is_accepted_by_both() -> None:
    data = OrderedDict(_para_with(OrderedDict({"type": "span", "value": "x"})))
    assert validate(data).valid
    assert load_document(data).to_json() == _para_with({"type": "span", "value": "x"})
    proxy = MappingProxyType(_para_with(MappingProxyType({"type": "span", "value": "x"})))
    assert validate(proxy).valid
    assert load_document(proxy).to_json() == _para_with({"type": "span", "value": "x"})


def _deep_invalid(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "paragraph", "children": [{"type": "span", "value": 1}]}
    for _ in range(depth):
        item = {"type": "listItem", "children": [node]}
        node = {"type": "list", "style": "bulleted", "children": [item], "bad": 1}
    return _doc_with(node)


def _peak(depth: int) -> int:
    data = _deep_invalid(depth)
    tracemalloc.start()
    try:
        report = validate(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(report.problems) == depth + 1
    return peak


def test_memory_on_deep_invalid_trees_is_linear() -> None:
    small, big = _peak(1000), _peak(4000)
    assert big < 8 * small, (small, big)  # linear: about 4x (plus growth steps); quadratic: 16x
    report = validate(_deep_invalid(5000))
    deepest = report.problems[-1]
    assert deepest.path == ("children", 0, *(("children", 0) * 10_000), "children", 0, "value")
    assert report.problems[0].path == ("children", 0, "bad")


@pytest.mark.parametrize("kind", [OrderedDict, MappingProxyType, dict])
def test_a_list_item_without_type_is_refused_in_any_mapping(kind: Any) -> None:
    item = {"children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}]}
    data = _as_mappings(_doc_with({"type": "list", "style": "bulleted", "children": [item]}), kind)
    assert [p.code for p in validate(data)] == ["missing-type"]
    with pytest.raises(DastValidationError) as caught:
        load_document(data)
    assert caught.value.problems == validate(data).problems
