"""XLIFF 1.2: our output read by translate-toolkit, its output read by us, and safe parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from translate.storage import xliff as tt_xliff

import dast.builders as b
from dast.nodes import Document, InlineItem
from dast.translate import End, Standalone, Start, apply_segments, extract_segments
from dast.translate.xliff import XliffError, XliffFile, read_xliff, write_xliff
from tests.translate.translate_support import hard_documents, shout, shouted


def _through_translate_toolkit(data: bytes, copy_source: bool) -> bytes:
    """Load with translate-toolkit, fill targets from the sources if asked, serialize."""
    store = tt_xliff.xlifffile.parsestring(data)
    if copy_source:
        for unit in store.getunits():
            unit.rich_target = unit.rich_source
    return bytes(store)


def test_structure_and_notes() -> None:
    doc = b.doc(b.h(1, "Intro"), b.p("Hi ", b.strong("there"), InlineItem(item="7"), "\r\nx"))
    segments = extract_segments(doc)
    data = write_xliff([XliffFile("post.json#body", segments, "rec-1", "body")], "en", "it")
    text = data.decode()
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<xliff ")
    assert 'xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"' in text
    assert '<file original="post.json#body" source-language="en" target-language="it"' in text
    assert "<note>record: rec-1</note>" in text and "<note>field: body</note>" in text
    assert (
        '<source>Hi <g id="1" ctype="bold">there</g><x id="2" ctype="x-dast-inline-item"/>'
        '&#13;<x id="3" ctype="lb"/>x</source>'
    ) in text
    assert "<note>under heading: Intro</note>" in text
    assert "<note>codes: 1 = strong; 2 = inline record 7; 3 = line break</note>" in text
    store = tt_xliff.xlifffile.parsestring(data)
    units = store.getunits()
    assert [u.getid() for u in units] == [f"post.json#body\x04{s.id}" for s in segments]
    assert units[1].source == "Hi there\r\nx" or units[1].source.startswith("Hi there")
    assert store.getsourcelanguage() == "en" and store.gettargetlanguage() == "it"
    back = read_xliff(data)
    (file,) = back.files
    assert (file.record_id, file.field, file.source_locale, file.target_locale) == (
        "rec-1", "body", "en", "it")
    assert [u.source for u in file.units] == [s.content for s in segments]
    assert file.translations() == {}


@given(hard_documents())
def test_round_trip_through_translate_toolkit(doc: Document) -> None:
    segments = extract_segments(doc, include_code=True)
    data = write_xliff([XliffFile("doc.json", segments)], "en", "it")
    back = read_xliff(_through_translate_toolkit(data, copy_source=True))
    (file,) = back.files
    assert [u.id for u in file.units] == [s.id for s in segments]
    assert [u.source for u in file.units] == [s.content for s in segments]
    result = apply_segments(doc, file.translations(), include_code=True)
    assert result.document == doc
    assert len(result.report.applied) == len(segments)


@given(hard_documents())
def test_translated_targets_survive_translate_toolkit(doc: Document) -> None:
    segments = extract_segments(doc)
    targets = {s.id: shout(s.content) for s in segments}
    data = write_xliff([XliffFile("doc.json", segments, targets=targets)], "en", "it")
    back = read_xliff(_through_translate_toolkit(data, copy_source=False))
    result = apply_segments(doc, back.files[0].translations())
    assert result.document == shouted(doc)


def test_several_files() -> None:
    one = extract_segments(b.doc(b.p("one")))
    two = extract_segments(b.doc(b.p("two")))
    data = write_xliff([XliffFile("r1#a", one, "r1", "a"), XliffFile("r1#b", two, "r1", "b")],
                       "en", "de")
    back = read_xliff(_through_translate_toolkit(data, copy_source=True))
    assert [f.original for f in back.files] == ["r1#a", "r1#b"]
    found = back.find_field("r1", "b")
    assert found is not None and found.translations() == {two[0].id: ("two",)}
    assert back.find("r1#a") is back.files[0]


def test_other_tools_inline_forms() -> None:
    data = (
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
        'source-language="en" datatype="plaintext"><body><trans-unit id="p-1"><source>a</source>'
        '<target><mrk mtype="seg" mid="1">x<bx id="9" rid="1"/>y<ex id="10" rid="1"/></mrk>'
        '<x id="2"/></target></trans-unit></body></file></xliff>'
    )
    unit = read_xliff(data).files[0].units[0]
    assert unit.target == ("x", Start("1"), "y", End("1"), Standalone("2"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            '"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xliff version="1.2">'
            "<file original='a' source-language='en'><body><trans-unit id='1'><source>&lol2;"
            "</source></trans-unit></body></file></xliff>",
            "x.xlf:1: a DOCTYPE is not allowed in XLIFF",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<xliff version="1.2"><file original="a" source-language="en"><body><trans-unit '
            'id="1"><source>&e;</source></trans-unit></body></file></xliff>',
            "x.xlf:1: a DOCTYPE is not allowed in XLIFF",
        ),
        ("<xliff version='1.2'>\n<file>", "x.xlf:2: not well-formed XML"),
        ("<html/>", "x.xlf:1: the root element is <html>, not <xliff>"),
        ("<xliff version='2.0'/>", "x.xlf:1: XLIFF version 2.0 is not supported (1.2 is)"),
        (
            "<xliff version='1.2'>\n<file original='a'/></xliff>",
            "x.xlf:2: <file> without source-language",
        ),
        (
            "<xliff version='1.2'><file original='a' source-language='en'><body>\n"
            "<trans-unit id='1'><source>a<ph id='1'>b</ph></source></trans-unit>"
            "</body></file></xliff>",
            "x.xlf:2: inline element <ph> is not supported (use <g> and <x/>)",
        ),
        (
            "<xliff version='1.2'><file original='a' source-language='en'><body>\n"
            "<trans-unit id='1'><source>a</source></trans-unit>\n"
            "<trans-unit id='1'><source>b</source></trans-unit></body></file></xliff>",
            "x.xlf:3: trans-unit id 1 appears twice",
        ),
    ],
)
def test_bad_and_hostile_input_is_refused(data: str, message: str) -> None:
    with pytest.raises(XliffError) as info:
        read_xliff(data, source="x.xlf")
    assert str(info.value).startswith(message)


def test_no_entity_is_expanded_even_without_doctype_check() -> None:
    # An undeclared entity is a well-formedness error, never a lookup.
    with pytest.raises(XliffError, match="not well-formed"):
        read_xliff("<xliff version='1.2'><file original='a' source-language='en'><body>"
                   "<trans-unit id='1'><source>&ext;</source></trans-unit></body></file></xliff>")
