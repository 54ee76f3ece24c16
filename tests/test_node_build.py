"""The node builder module (``dast._build``): its checks, pure and compiled alike.

``.ci/compiled`` runs this file against the compiled module; the plain
pytest run, against the pure one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from dast import _build, nodes
from dast.definitions import NODE_SPECS, AttributeSpec
from dast.errors import DastValidationError
from dast.load import load_document


class _Frozen(Mapping[str, Any]):
    """A JSON object that is not a ``dict``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


_SPAN = {"type": "span", "value": "x"}
_ITEM = {"type": "listItem", "children": [{"type": "paragraph", "children": [_SPAN]}]}


@pytest.mark.parametrize(
    ("value", "untyped"),
    [
        ([_ITEM, _ITEM], False),
        ((_ITEM,), False),
        ([_ITEM, {"children": []}], True),
        ([_Frozen({"children": []})], True),
        ([_Frozen(_ITEM)], False),
        ([nodes.Span(value="x")], False),  # a model is pydantic's to judge
        (["listItem", 3, None], False),
        ({"children": []}, False),  # not a list: pydantic's to judge
        ([], False),
    ],
)
def test_untyped_object_finds_json_objects_without_type(value: Any, untyped: bool) -> None:
    assert _build.untyped_object(value) is untyped


def test_a_list_item_without_type_is_refused_as_before() -> None:
    data = {
        "type": "root",
        "children": [
            {
                "type": "list",
                "style": "bulleted",
                "children": [{"children": [{"type": "paragraph", "children": [_SPAN]}]}],
            }
        ],
    }
    with pytest.raises(DastValidationError):
        load_document({"schema": "dast", "document": data})
    assert (
        nodes.Root.model_validate(
            {
                "type": "root",
                "children": [{"type": "list", "style": "bulleted", "children": [_ITEM]}],
            }
        )
        .children[0]
        .style
        == "bulleted"
    )


def test_each_attribute_kind_has_its_check() -> None:
    for spec in NODE_SPECS.values():
        for attribute in spec.attributes:
            check = _build.plain_kind(attribute, tuple)
            assert (check is None) == (attribute.kind == "children")
    with pytest.raises(ValueError, match="unknown attribute kind"):
        _build.plain_kind(AttributeSpec("x", False, "nonsense", "x"), tuple)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (AttributeSpec("s", True, "enumeration", "c", choices=("a", "b")), "b", "c"),
        (AttributeSpec("l", True, "integer", "c", range=range(1, 7)), 6, 7),
        (AttributeSpec("l", True, "integer", "c"), -5, True),  # a bool is not an integer here
        (AttributeSpec("u", True, "string", "c"), "x", 1),
        (AttributeSpec("h", False, "highlight", "c"), [0, 3], [-1]),
        (AttributeSpec("m", False, "marks", "c"), ["em"], "em"),
    ],
)
def test_the_checks_accept_and_refuse(kind: AttributeSpec, good: Any, bad: Any) -> None:
    check = _build.plain_kind(kind, tuple)
    assert check is not None
    stored = check(good)
    assert stored == (tuple(good) if isinstance(good, list) else good)
    with pytest.raises(_build.NotPlain):
        check(bad)


def test_string_attributes_take_the_builder_s_inline_string_check() -> None:
    for node_type, plan in nodes._BUILD_PLANS.items():
        for attribute in NODE_SPECS[node_type].attributes:
            is_string = plan[2][attribute.name] is _build.plain_string
            assert is_string == (attribute.kind in ("string", "record-id"))


def test_plain_node_and_build_deep_node_agree_with_pydantic_on_a_mapping_input() -> None:
    data = {
        "type": "paragraph",
        "children": [_SPAN, {"type": "span", "value": "y", "marks": ["em"]}],
    }
    expected = nodes.Paragraph.model_validate(data)
    assert nodes.plain_node(data) == expected
    assert nodes.plain_node(_Frozen(data)) is None  # checked: dict objects only
    assert nodes.build_deep_node(_Frozen(data)) == expected  # trusted: any Mapping
