"""serialize(): byte-identical to the reference on the conformance examples,
byte-identical to the golden cases where the reference loses information,
and the input shapes it accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from syrupy.assertion import SnapshotAssertion

from dast.definitions import CANONICAL_MARK_ORDER, DEFAULT_MARKS
from dast.errors import DastError, DastValidationError
from dast.load import load_document
from dast.nodes import Document, List, ListItem, Paragraph, Root, Span
from dastdown.parser import parse
from dastdown.serializer import DastdownSerializeError, serialize
from dastdown.syntax import MARK_DELIMITERS
from tests.strategies import mutated_documents

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CONFORMANCE = FIXTURES / "dastdown/conformance"
CASES = FIXTURES / "dastdown/cases"
VALID = FIXTURES / "dast/valid"


def _jsonl(name: str) -> list[dict[str, Any]]:
    text = (CONFORMANCE / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line]


EXAMPLES = _jsonl("documents.jsonl")
PARSE_OK = _jsonl("parse_ok.jsonl")
CASE_NAMES = sorted(
    {path.stem for path in CASES.iterdir() if path.suffix in {".json", ".dastdown"}}
)
VALID_FILES = sorted(VALID.glob("*.json")) if VALID.is_dir() else []


def _doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def _para(*inlines: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(inlines), **attrs}


def _span(value: str) -> dict[str, Any]:
    return {"type": "span", "value": value}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_conformance_byte_identical(example: dict[str, Any]) -> None:
    assert serialize(example["doc"]) == example["dastdown"]
    assert serialize(example["canonical"]) == example["dastdown"]


@pytest.mark.parametrize("example", PARSE_OK, ids=[e["id"] for e in PARSE_OK])
def test_parse_ok_documents_serialize_to_their_text(example: dict[str, Any]) -> None:
    assert serialize(example["doc"]) == example["text"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden_case(name: str) -> None:
    doc = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    expected = (CASES / f"{name}.dastdown").read_bytes()
    assert serialize(doc).encode("utf-8") == expected


def test_golden_cases_are_paired() -> None:
    assert len(CASE_NAMES) >= 40
    unpaired = [
        path.name
        for path in sorted(CASES.iterdir())
        if path.suffix not in {".json", ".dastdown"}
        or not path.with_suffix(".json" if path.suffix == ".dastdown" else ".dastdown").is_file()
    ]
    assert unpaired == []


def test_none_and_empty_document() -> None:
    assert serialize(None) == ""
    assert serialize({"value": None, "blocks": []}) == ""
    assert serialize(_doc(_para(_span("")))) == ""
    assert serialize(_doc(_para(_span(""), _span("")))) == ""
    assert serialize(_doc(_para(_span(""), style="lead"))) == '{style="lead"}\n'
    assert serialize(_doc(_para(_span("")), _para(_span("")))) == "{}\n\n{}\n"


def test_dict_document_and_wrapper_give_the_same_text() -> None:
    data = EXAMPLES[0]["doc"]
    text = serialize(data)
    assert serialize(Document.model_validate(data)) == text
    assert serialize({"value": data, "blocks": [], "links": [], "inlineBlocks": []}) == text


def test_record_items_are_written_by_id() -> None:
    record = {"id": "b1", "type": "item", "attributes": {"title": "x"}, "meta": {}}
    inline = {"id": "b2", "type": "item", "attributes": {}}
    data = _doc(
        {"type": "block", "item": record},
        _para({"type": "inlineBlock", "item": inline}),
    )
    assert serialize(data) == '<block id="b1"/>\n\n<inlineBlock id="b2"/>\n'


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (_doc(_para(_span("x")), {"type": "block", "item": {"type": "item"}}), "children[1].item"),
        (
            _doc(
                {
                    "type": "list",
                    "style": "bulleted",
                    "children": [
                        {
                            "type": "listItem",
                            "children": [
                                _para(_span("x")),
                                _para({"type": "inlineBlock", "item": {"attributes": {}}}),
                            ],
                        }
                    ],
                }
            ),
            "children[0].children[0].children[1].children[0].item",
        ),
    ],
    ids=["block", "inline-block-in-list"],
)
def test_record_without_id_is_an_error(data: dict[str, Any], where: str) -> None:
    with pytest.raises(DastdownSerializeError) as caught:
        serialize(data)
    assert isinstance(caught.value, DastError)
    assert (
        str(caught.value) == f"{where}: a block record without an id cannot be written as dastdown"
    )


def test_record_without_id_deep_in_the_tree_is_found() -> None:
    inner: dict[str, Any] = _para(_span("x"), {"type": "inlineBlock", "item": {"type": "item"}})
    for _ in range(5000):
        inner = {"type": "list", "style": "bulleted", "children": [
            {"type": "listItem", "children": [inner]}]}
    with pytest.raises(DastdownSerializeError) as caught:
        serialize(_doc(inner))
    assert caught.value.path == ("children", 0) + ("children", 0) * 10000 + ("children", 1, "item")


def test_invalid_input_raises_validation_error() -> None:
    with pytest.raises(DastValidationError):
        serialize({"schema": "dast", "document": {"type": "root", "children": []}})


def test_deep_nesting_does_not_recurse() -> None:
    inner: Paragraph | List = Paragraph(children=(Span(value="deep"),))
    for _ in range(5000):
        inner = List(style="bulleted", children=(ListItem(children=(inner,)),))
    assert isinstance(inner, List)
    text = serialize(Document(document=Root(children=(inner,))))
    assert text == "- " * 5000 + "deep\n"


def test_deep_nesting_as_json_does_not_recurse() -> None:
    inner: dict[str, Any] = _para(_span("deep"))
    for _ in range(5000):
        item = {"type": "listItem", "children": [inner]}
        inner = {"type": "list", "style": "numbered", "children": [item]}
    assert serialize(_doc(inner)) == "1. " * 5000 + "deep\n"


def test_deep_nesting_continuation_lines_are_indented() -> None:
    inner: Paragraph | List = Paragraph(children=(Span(value="a"),), style="s")
    for _ in range(3000):
        inner = List(style="numbered", children=(ListItem(children=(inner,)),))
    assert isinstance(inner, List)
    lines = serialize(Document(document=Root(children=(inner,)))).split("\n")
    assert lines == ["1. " * 3000 + "a", "  " * 3000 + '{style="s"}', ""]



def test_deep_nesting_with_second_items_and_styles() -> None:
    """Each level's indent and opening are made for the line that writes them, right."""
    inner: dict[str, Any] = _para(_span("deep"))
    for level in range(1500):
        items: list[Any] = [{"type": "listItem", "children": [inner]}]
        if level % 500 == 0:
            second = {"type": "paragraph", "style": "s", "children": [_span(f"n{level}")]}
            items.append({"type": "listItem", "children": [second]})
        inner = {"type": "list", "style": "bulleted", "children": items}
    text = serialize(_doc(inner))
    assert parse(text) == load_document(_doc(inner))


def test_deep_lists_pause_the_collector_and_restore_it() -> None:
    import gc

    inner: dict[str, Any] = _para(_span("deep"))
    for _ in range(3000):
        inner = {"type": "list", "style": "numbered", "children": [
            {"type": "listItem", "children": [inner]}]}
    assert gc.isenabled()
    assert serialize(_doc(inner)).startswith("1. 1. ")
    assert gc.isenabled()
    broken = inner
    for _ in range(2999):
        broken = broken["children"][0]["children"][0]
    broken["style"] = "dotted"  # refused 2,999 levels down, with the collector paused
    with pytest.raises(DastError):
        serialize(_doc(inner))
    assert gc.isenabled()
    gc.disable()
    try:
        broken["style"] = "numbered"
        serialize(_doc(inner))
        assert not gc.isenabled()  # a caller's disabled collector stays disabled
    finally:
        gc.enable()

def test_valid_fixtures_exist() -> None:
    assert len(VALID_FILES) >= 10


@pytest.mark.parametrize("path", VALID_FILES, ids=[p.stem for p in VALID_FILES])
def test_valid_fixture_snapshots(path: Path, snapshot: SnapshotAssertion) -> None:
    """What each valid example document reads like (or why it cannot be written)."""
    try:
        text = serialize(json.loads(path.read_text(encoding="utf-8")))
    except DastdownSerializeError as error:
        text = f"DastdownSerializeError: {error}"
    assert text == snapshot


@given(mutated_documents(max_leaves=6))
def test_json_fast_path_is_never_looser_than_the_model(data: dict[str, Any]) -> None:
    """The one-pass JSON writer accepts exactly what the model accepts."""
    try:
        document = load_document(data)
    except DastValidationError:
        with pytest.raises(DastValidationError):
            serialize(data)
        return
    try:
        expected = serialize(document)
    except DastdownSerializeError:
        with pytest.raises(DastdownSerializeError):
            serialize(data)
        return
    assert serialize(data) == expected


def test_mark_delimiters_cover_exactly_the_default_marks_in_canonical_order() -> None:
    assert set(MARK_DELIMITERS) == set(DEFAULT_MARKS)
    assert tuple(MARK_DELIMITERS) == CANONICAL_MARK_ORDER


@pytest.mark.parametrize("language", ["\\", "c\\", "a\\\\"])
def test_a_language_ending_in_a_backslash_survives_a_highlight_trailer(language: str) -> None:
    """``\\ {`` would read as an escaped space: such a language goes in the trailer."""
    doc = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [{"type": "code", "code": "x", "language": language, "highlight": []}],
        },
    }
    assert parse(serialize(doc)).to_json() == doc
