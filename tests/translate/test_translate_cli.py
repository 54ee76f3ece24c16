"""``dastdown xliff`` and ``dastdown units``: documents, record fields, golden files, failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from translate.storage import xliff as tt_xliff

from dast.translate import decode_tags, encode_tags
from dast.translate.xliff import XliffFile, read_xliff, write_xliff
from dastdown.cli import main
from tests.translate.translate_support import shout

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HERE = FIXTURES / "translate"
SCHEMA = FIXTURES / "cma" / "schema"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("article.json", "article.it.xlf", "record.json"):
        shutil.copy(HERE / name, tmp_path / name)
    shutil.copy(FIXTURES / "cma" / "records" / "article_nested.json", tmp_path / "nested.json")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _fill_targets(path: Path, translate: Any = None) -> None:
    """Give every unit a target through translate-toolkit (the source, or a translation)."""
    store = tt_xliff.xlifffile.parsestring(path.read_bytes())
    for unit in store.getunits():
        unit.rich_target = unit.rich_source
    data = bytes(store)
    if translate is not None:  # rewrite the targets with our reader/writer
        doc = read_xliff(data)
        files = []
        for file in doc.files:
            segments = _segments_of(file)
            targets = {unit.id: translate(unit.source) for unit in file.units}
            files.append(XliffFile(file.original, segments, file.record_id, file.field, targets))
        data = write_xliff(files, doc.files[0].source_locale, doc.files[0].target_locale)
    path.write_bytes(data)


def _segments_of(file: Any) -> list[Any]:
    from dast.translate.segments import InlineCode, Segment, Standalone, Start

    segments = []
    for unit in file.units:
        codes = []
        for token in unit.source:
            if isinstance(token, Start):
                codes.append(InlineCode(token.code, "marks", marks=("strong",)))
            elif isinstance(token, Standalone):
                codes.append(InlineCode(token.code, "break", char="\n"))
        segments.append(Segment(unit.id, "paragraph", unit.source, tuple(codes)))
    return segments


def test_export_golden(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xliff", "export", "article.json", "--source-locale", "en",
                 "--target-locale", "it", "-o", "out.xlf"]) == 0
    exported = read_xliff((work / "out.xlf").read_bytes())
    golden = read_xliff((HERE / "article.it.xlf").read_bytes())
    assert [(u.id, u.source) for u in exported.files[0].units] == [
        (u.id, u.source) for u in golden.files[0].units
    ]
    assert b"&#13;" in (work / "out.xlf").read_bytes()


def test_import_golden(work: Path) -> None:
    assert main(["xliff", "import", "article.it.xlf", "article.json", "-o", "it.json"]) == 0
    assert (work / "it.json").read_bytes() == (HERE / "article.it.json").read_bytes()


def test_identity_through_translate_toolkit_is_byte_identical(work: Path) -> None:
    assert main(["xliff", "export", "article.json", "--source-locale", "en", "--include-code",
                 "-o", "a.xlf"]) == 0
    _fill_targets(work / "a.xlf")
    assert main(["xliff", "import", "a.xlf", "article.json", "--include-code", "-o", "b.json"]) == 0
    assert (work / "b.json").read_bytes() == (work / "article.json").read_bytes()


def test_record_locale_round_trip(work: Path) -> None:
    assert main(["xliff", "export", "record.json", "--source-locale", "en", "--target-locale", "it",
                 "--schema", str(SCHEMA), "-o", "r.xlf"]) == 0
    exported = read_xliff((work / "r.xlf").read_bytes())
    assert [(f.original, f.record_id, f.field) for f in exported.files] == [
        ("rec-100#title", "rec-100", "title"),
        ("rec-100#body", "rec-100", "body"),
    ]
    _fill_targets(work / "r.xlf", shout)
    assert main(["xliff", "import", "r.xlf", "record.json", "--schema", str(SCHEMA),
                 "-o", "r.it.json"]) == 0
    before = json.loads((work / "record.json").read_text())
    after = json.loads((work / "r.it.json").read_text())
    assert after["title"] == {"en": "Welcome", "it": "WELCOME"}
    assert after["body"]["en"] == before["body"]["en"]
    assert after["body"]["de"] == before["body"]["de"]
    it = after["body"]["it"]["document"]["children"]
    assert it[1]["children"] == [
        {"type": "span", "value": "HELLO AND "},
        {"type": "span", "value": "WELCOME", "marks": ["strong"]},
        {"type": "span", "value": " TO THE SITE."},
    ]
    rest = {k: v for k, v in after.items() if k not in ("title", "body")}
    assert rest == {k: v for k, v in before.items() if k not in ("title", "body")}


def test_record_blocks_become_new_blocks_in_the_target_locale(work: Path) -> None:
    assert main(["xliff", "export", "nested.json", "--source-locale", "en", "--target-locale",
                 "it", "--schema", str(SCHEMA), "-o", "n.xlf"]) == 0
    _fill_targets(work / "n.xlf")
    assert main(["xliff", "import", "n.xlf", "nested.json", "-o", "n.it.json"]) == 1
    assert not (work / "n.it.json").exists()
    assert main(["xliff", "import", "n.xlf", "nested.json", "--schema", str(SCHEMA),
                 "-o", "n.it.json"]) == 0
    after = json.loads((work / "n.it.json").read_text())["data"]["attributes"]["content"]
    before = json.loads((work / "nested.json").read_text())["data"]["attributes"]["content"]
    assert after["en"] == before["en"]
    blocks = [c for c in after["it"]["document"]["children"] if c["type"] == "block"]
    assert blocks and all("id" not in block["item"] for block in blocks)
    assert all('"id": "D7wcy96jfgFaa43VGiJI3w"' not in json.dumps(b) for b in blocks)


def test_rejected_translation_names_file_line_segment_and_code(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (work / "article.it.xlf").read_text()
    broken = text.replace('il <g id="1" ctype="bold">toolkit</g>', "il toolkit")
    assert broken != text
    (work / "bad.xlf").write_text(broken)
    assert main(["xliff", "import", "bad.xlf", "article.json", "-o", "x.json"]) == 1
    assert not (work / "x.json").exists()
    err = capsys.readouterr().err
    line = next(i for i, x in enumerate(broken.splitlines(), 1) if 'id="p-54bd822820"' in x)
    assert err == (
        f"bad.xlf:{line}: error: segment p-54bd822820: code 1 (strong) is missing "
        "(dropping marks is not allowed)\n"
    )
    assert main(["xliff", "import", "bad.xlf", "article.json", "-o", "x.json",
                 "--allow-dropped-marks"]) == 0
    assert "warning: segment p-54bd822820: code 1 (strong) was dropped" in capsys.readouterr().err
    assert main(["xliff", "import", "bad.xlf", "article.json", "-o", "y.json", "--partial"]) == 1
    assert json.loads((work / "y.json").read_text())["document"]["children"][0]["children"][0][
        "value"] == "Per iniziare"


def test_hostile_xliff(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "evil.xlf").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<xliff version='1.2'/>"
    )
    assert main(["xliff", "import", "evil.xlf", "article.json"]) == 1
    assert capsys.readouterr().err == "evil.xlf:1: error: a DOCTYPE is not allowed in XLIFF\n"


def test_usage_and_input_errors(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xliff", "export", "missing.json", "--source-locale", "en"]) == 2
    assert main(["xliff", "export", "article.json"]) == 2  # --source-locale is required
    assert main(["xliff"]) == 2
    (work / "broken.json").write_text('{"a": \n oops}')
    capsys.readouterr()
    assert main(["xliff", "export", "broken.json", "--source-locale", "en"]) == 1
    assert capsys.readouterr().err.startswith("broken.json:2:2: error: invalid JSON")
    assert main(["xliff", "export", "record.json", "--source-locale", "fr"]) == 1
    assert "no localized structured text in 'fr'" in capsys.readouterr().err
    assert main(["xliff", "export", "record.json", "--source-locale", "en", "-o", "r.xlf"]) == 0
    _fill_targets(work / "r.xlf")
    (work / "r.xlf").write_bytes((work / "r.xlf").read_bytes().replace(
        b' target-language="it"', b""))
    assert main(["xliff", "import", "r.xlf", "record.json", "-o", "out.json"]) == 1
    assert "needs --target-locale" in capsys.readouterr().err
    assert main(["xliff", "import", "r.xlf", "article.json", "record.json"]) == 1
    assert capsys.readouterr().err == "r.xlf: error: no <file> for article.json\n"


def test_several_inputs_into_a_folder(work: Path) -> None:
    assert main(["xliff", "export", "article.json", "record.json", "--source-locale", "en",
                 "--target-locale", "it", "-o", "all.xlf"]) == 0
    _fill_targets(work / "all.xlf")
    assert main(["xliff", "import", "all.xlf", "article.json", "record.json"]) == 2  # -o DIR
    assert main(["xliff", "import", "all.xlf", "article.json", "record.json",
                 "-o", "out"]) == 0
    assert (work / "out" / "article.json").read_bytes() == (work / "article.json").read_bytes()
    record = json.loads((work / "out" / "record.json").read_text())
    assert record["body"]["it"] == record["body"]["en"]


def test_units_round_trip(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "export", "article.json", "--source-locale", "en", "-o", "u.jsonl"]) == 0
    units = [json.loads(line) for line in (work / "u.jsonl").read_text().splitlines()]
    assert units[1] == {
        "file": "article.json",
        "id": "p-54bd822820",
        "text": "Install the <1>toolkit</1>, then read <2>the <3>guide</3></2>.",
        "context": ["Getting started"],
        "tags": {"1": "strong", "2": "link to https://example.com/docs", "3": "emphasis"},
    }
    answers = [{"id": u["id"], "text": encode_tags(shout(decode_tags(u["text"])))}
               for u in units]
    (work / "a.json").write_text(json.dumps(answers))
    assert main(["units", "import", "a.json", "article.json", "-o", "t.json"]) == 0
    doc = json.loads((work / "t.json").read_text())
    assert doc["document"]["children"][0]["children"][0]["value"] == "GETTING STARTED"
    answers[1]["text"] = "Installa <1>il toolkit</1> e <2>la guida</2>."
    (work / "b.jsonl").write_text("".join(json.dumps(a) + "\n" for a in answers))
    assert main(["units", "import", "b.jsonl", "article.json", "-o", "t2.json", "--partial"]) == 1
    assert capsys.readouterr().err == (
        "b.jsonl:2: error: segment p-54bd822820: code 3 (emphasis) is missing "
        "(dropping marks is not allowed)\n"
    )
    partial = json.loads((work / "t2.json").read_text())
    assert partial["document"]["children"][0]["children"][0]["value"] == "GETTING STARTED"
    assert partial["document"]["children"][1] == json.loads((work / "article.json").read_text())[
        "document"]["children"][1]


def test_units_for_a_record(work: Path) -> None:
    assert main(["units", "export", "record.json", "--source-locale", "en", "--schema",
                 str(SCHEMA), "-o", "u.jsonl"]) == 0
    units = [json.loads(line) for line in (work / "u.jsonl").read_text().splitlines()]
    assert [u["file"] for u in units] == ["rec-100#title", "rec-100#body", "rec-100#body"]
    answers = [{**u, "text": u["text"].replace("Welcome", "Benvenuti").replace(
        "Hello and", "Ciao e")} for u in units]
    (work / "a.jsonl").write_text("".join(json.dumps(a) + "\n" for a in answers))
    assert main(["units", "import", "a.jsonl", "record.json", "--source-locale", "en",
                 "--target-locale", "it", "--schema", str(SCHEMA), "-o", "r.json"]) == 0
    record = json.loads((work / "r.json").read_text())
    assert record["title"]["it"] == "Benvenuti"
    assert record["body"]["it"]["document"]["children"][0]["children"][0]["value"] == "Benvenuti"


def test_untranslated_segments_are_a_warning(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "one.jsonl").write_text('{"id": "h-35fa83cf1a", "text": "Per iniziare"}\n')
    assert main(["units", "import", "one.jsonl", "article.json", "-o", "t.json"]) == 0
    assert capsys.readouterr().err == (
        "article.json: warning: 7 segments have no translation in the document: the source "
        "text is kept (first: p-54bd822820)\n"
    )


def test_a_document_nested_5000_levels_deep(work: Path) -> None:
    node: dict[str, Any] = {"type": "paragraph", "children": [{"type": "span", "value": "deep"}]}
    for _ in range(5000):
        node = {"type": "list", "style": "bulleted",
                "children": [{"type": "listItem", "children": [node]}]}
    from dastdown.cli.jsontext import dumps

    text = dumps({"schema": "dast", "document": {"type": "root", "children": [node]}}) + "\n"
    (work / "deep.json").write_text(text)
    assert main(["xliff", "export", "deep.json", "--source-locale", "en", "-o", "d.xlf"]) == 0
    _fill_targets(work / "d.xlf", shout)
    assert main(["xliff", "import", "d.xlf", "deep.json", "-o", "d2.json"]) == 0
    assert (work / "d2.json").read_text() == text.replace('"deep"', '"DEEP"')
