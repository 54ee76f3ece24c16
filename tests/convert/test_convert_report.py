"""The report types: entries, reports, the Conversion pair and ConversionError."""

from __future__ import annotations

import pytest

from dast.convert.report import (
    Conversion,
    ConversionError,
    ConversionReport,
    ReportEntry,
    Reporter,
    excerpt,
)
from dast.errors import DastError


def test_entry_renders_where_what_and_how() -> None:
    entry = ReportEntry("table", 12, ("children", 3), "converted to paragraphs", "2 rows")
    assert str(entry) == "line 12, children[3]: table converted to paragraphs: 2 rows"
    assert str(ReportEntry("style", None, (), "dropped")) == "(root): style dropped"
    assert str(ReportEntry("x", None, None, "dropped")) == "x dropped"
    assert entry.to_dict() == {
        "kind": "table",
        "line": 12,
        "path": "children[3]",
        "action": "converted to paragraphs",
        "detail": "2 rows",
    }


def test_report_is_a_sequence() -> None:
    a = ReportEntry("a", 1, None, "x")
    b = ReportEntry("b", 2, None, "y")
    report = ConversionReport((a, b, a))
    assert list(report) == [a, b, a] and len(report) == 3 and report[1] is b
    assert report.kinds() == ("a", "b") and report.of_kind("a") == (a, a)
    assert str(report) == "line 1: a x\nline 2: b y\nline 1: a x"
    assert not ConversionReport()


def test_conversion_unpacks() -> None:
    result, report = Conversion(42)
    assert result == 42 and report == ConversionReport()


def test_error_lists_entries_and_is_a_dast_error() -> None:
    rep = Reporter()
    rep.add("image", "converted to a link", "![a](b)", line=3, path=("children", 1))
    rep.add("table", "dropped", line=9)
    with pytest.raises(ConversionError) as info:
        rep.finish(strict=True, what="markdown to DAST")
    assert isinstance(info.value, DastError)
    assert str(info.value) == (
        "markdown to DAST is not lossless (strict=True), 2 problems:\n"
        "  line 3, children[1]: image converted to a link: ![a](b)\n"
        "  line 9: table dropped"
    )
    assert [e.line for e in info.value.entries] == [3, 9]
    assert len(rep.finish()) == 2


def test_excerpt() -> None:
    assert excerpt("short") == "short"
    assert excerpt("a\r\nb") == "a\\r\\nb"
    assert excerpt("x" * 100, 10) == "x" * 9 + "…"
