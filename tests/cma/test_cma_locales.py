"""The unified locale helpers: one code path for localized and non-localized values."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from cma_support import fixture_record, fixture_schema
from hypothesis import given
from hypothesis import strategies as st

from dast.cma import locales as lo
from dast.cma.errors import CmaError

SCHEMA = fixture_schema()
TITLE = SCHEMA.field("article", "title")
SLUG = SCHEMA.field("article", "slug")

localized_values = st.dictionaries(st.sampled_from(["en", "it", "fr", "de-CH"]), st.integers())


@given(localized_values)
def test_entries_round_trip_localized(value: dict[str, int]) -> None:
    entries = lo.to_normalized_field_value_entries(value, True)
    assert [locale for locale, _ in entries] == list(value)
    assert lo.from_normalized_field_value_entries(entries, True) == value


@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers())))
def test_entries_round_trip_non_localized(value: Any) -> None:
    entries = lo.to_normalized_field_value_entries(value, False)
    assert entries == [(None, value)]
    assert lo.from_normalized_field_value_entries(entries, False) == value


def test_field_schema_says_whether_localized() -> None:
    record = fixture_record()["attributes"]
    assert lo.to_normalized_field_value_entries(record["title"], TITLE) == [
        ("en", "Five lessons from our first year"),
        ("it", "Cinque lezioni dal nostro primo anno"),
    ]
    assert lo.to_normalized_field_value_entries(record["slug"], SLUG) == [
        (None, "five-lessons-from-our-first-year")
    ]


def test_one_mapper_serves_both_kinds() -> None:
    def shout(locale: str | None, value: str) -> str:
        return f"{locale or '*'}:{value.upper()}"

    record = fixture_record()["attributes"]
    assert lo.map_normalized_field_values(record["title"], TITLE, shout) == {
        "en": "en:FIVE LESSONS FROM OUR FIRST YEAR",
        "it": "it:CINQUE LEZIONI DAL NOSTRO PRIMO ANNO",
    }
    assert lo.map_normalized_field_values(record["slug"], SLUG, shout) == (
        "*:FIVE-LESSONS-FROM-OUR-FIRST-YEAR"
    )
    assert record["title"]["en"] == "Five lessons from our first year"  # input untouched


def test_filter_visit_some_every() -> None:
    value = {"en": "a", "it": "", "fr": "c"}
    assert lo.filter_normalized_field_values(value, True, lambda loc, v: bool(v)) == {
        "en": "a",
        "fr": "c",
    }
    assert lo.filter_normalized_field_values("x", False, lambda loc, v: False) is None
    assert lo.filter_normalized_field_values("x", False, lambda loc, v: True) == "x"
    seen: list[Any] = []
    lo.visit_normalized_field_values(value, True, lambda loc, v: seen.append((loc, v)))
    lo.visit_normalized_field_values("x", False, lambda loc, v: seen.append((loc, v)))
    assert seen == [("en", "a"), ("it", ""), ("fr", "c"), (None, "x")]
    assert lo.some_normalized_field_values(value, True, lambda loc, v: v == "")
    assert not lo.every_normalized_field_value(value, True, lambda loc, v: bool(v))
    assert lo.every_normalized_field_value({}, True, lambda loc, v: False)
    assert not lo.some_normalized_field_values(None, True, lambda loc, v: True)
    assert lo.every_normalized_field_value("x", False, lambda loc, v: loc is None)


@given(localized_values, st.sampled_from([True, False]))
def test_async_twins_agree_with_sync(value: dict[str, int], localized: bool) -> None:
    def keep(locale: str | None, v: Any) -> bool:
        return isinstance(v, int) and v % 2 == 0

    def double(locale: str | None, v: Any) -> Any:
        return v * 2 if isinstance(v, int) else v

    async def akeep(locale: str | None, v: Any) -> bool:
        return keep(locale, v)

    async def adouble(locale: str | None, v: Any) -> Any:
        return double(locale, v)

    subject: Any = value if localized else len(value)
    seen: list[Any] = []

    async def visit(locale: str | None, v: Any) -> None:
        seen.append((locale, v))

    async def run_all() -> list[Any]:  # one event loop per example keeps this fast
        return [
            await lo.map_normalized_field_values_async(subject, localized, adouble),
            await lo.filter_normalized_field_values_async(subject, localized, akeep),
            await lo.some_normalized_field_values_async(subject, localized, akeep),
            await lo.every_normalized_field_value_async(subject, localized, akeep),
            await lo.visit_normalized_field_values_async(subject, localized, visit),
        ]

    assert asyncio.run(run_all()) == [
        lo.map_normalized_field_values(subject, localized, double),
        lo.filter_normalized_field_values(subject, localized, keep),
        lo.some_normalized_field_values(subject, localized, keep),
        lo.every_normalized_field_value(subject, localized, keep),
        None,
    ]
    assert seen == lo.to_normalized_field_value_entries(subject, localized)


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(
        CmaError, match="a localized value must be an object keyed by locale, got str"
    ):
        lo.to_normalized_field_value_entries("x", True)
    with pytest.raises(CmaError, match="needs a locale string"):
        lo.from_normalized_field_value_entries([(None, 1)], True)
    with pytest.raises(CmaError, match="exactly one entry with locale None"):
        lo.from_normalized_field_value_entries([("en", 1)], False)
    with pytest.raises(CmaError, match="exactly one entry"):
        lo.from_normalized_field_value_entries([], False)
