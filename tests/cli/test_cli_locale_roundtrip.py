"""The locale round trip: pull en -> XLIFF or JSON units -> translate -> import into it -> push.

Against the local CMA over real loopback HTTP; the XLIFF is translated by
translate-toolkit's XLIFF storage (an independent implementation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from strategies import deep_list_json
from translate.storage import xliff as tt_xliff

from dast.cma.testing import FakeCma
from dastdown.cli import main
from tests.cli.locale_site import (
    SECRET,
    expected_translation,
    make_site,
    shout_rich,
    shout_tagged,
    strip_block_ids,
)


@pytest.fixture
def cma(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCma]:
    with make_site() as server:
        monkeypatch.setenv("DATOCMS_API_TOKEN", SECRET)
        monkeypatch.setenv("DATOCMS_BASE_URL", server.base_url)
        yield server


def _pull(site: Path) -> None:
    assert main(["pull", str(site), "--model", "article", "--field", "body", "--locale", "en"]) == 0


def _drop_code(elem: Any, code: str) -> Any:
    """The rich string without the inline code ``code`` (its content kept in its place)."""
    parts: list[Any] = []
    for part in elem.sub:
        if not isinstance(part, str) and getattr(part, "id", None) == code:
            parts.extend(_drop_code(part, code).sub)
        elif isinstance(part, str):
            parts.append(part)
        else:
            parts.append(_drop_code(part, code))
    elem.sub = parts
    return elem


def _translate_xliff(source: Path, target: Path, mangle: str | None = None) -> None:
    """Fill every target with translate-toolkit.

    ``mangle`` (``<file original>\x04<unit id>``) names a unit whose code 2 is dropped.
    """
    store = tt_xliff.xlifffile.parsestring(source.read_bytes())
    units = store.getunits()
    assert units
    for unit in units:
        rich = [shout_rich(elem) for elem in unit.rich_source]
        if unit.getid() == mangle:
            rich = [_drop_code(elem, "2") for elem in rich]
        unit.rich_target = rich
    target.write_bytes(bytes(store))


def _translate_units(source: Path, target: Path) -> None:
    answers = []
    for line in source.read_text(encoding="utf-8").splitlines():
        unit = json.loads(line)
        answers.append({"file": unit["file"], "id": unit["id"], "text": shout_tagged(unit["text"])})
    target.write_text("".join(json.dumps(a) + "\n" for a in answers), encoding="utf-8")


def _translated_site(tmp_path: Path) -> tuple[Path, Path]:
    """Pull en into tmp_path/site, export JSON units, translate them, import them as it."""
    site = tmp_path / "site"
    _pull(site)
    units, answers = tmp_path / "units.jsonl", tmp_path / "answers.jsonl"
    assert main(["units", "export", str(site), "--source-locale", "en", "-o", str(units)]) == 0
    _translate_units(units, answers)
    assert main(["units", "import", str(answers), str(site), "--target-locale", "it"]) == 0
    return site, answers


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _check_translated(cma: FakeCma, before: dict[str, dict[str, Any]], ids: list[str]) -> None:
    for record_id in ids:
        old = before[record_id]["attributes"]
        new = cma.record(record_id)["attributes"]
        body = new["body"]
        # the other locales are untouched, byte for byte as canonical JSON (sorted keys: the
        # payload sends them back in the DAST key order, and the CMA's storage keeps no order)
        for locale in ("en", "de"):
            assert _canonical(body[locale]) == _canonical(old["body"][locale])
            assert new["title"][locale] == old["title"][locale]
        # it: the translated document, same structure, marks, links; its blocks are new records
        assert strip_block_ids(body["it"]) == expected_translation(old["body"]["en"])
        children = body["it"]["document"]["children"]
        blocks = [c["item"] for c in children if c["type"] == "block"]
        assert len(blocks) == 2
        en_ids = {c["item"]["id"] for c in old["body"]["en"]["document"]["children"]
                  if c["type"] == "block"}
        assert all(b["id"].startswith("block-") and b["id"] not in en_ids for b in blocks)
        nested = blocks[1]["attributes"]["body"]["document"]["children"][1]["item"]
        assert nested["id"].startswith("block-") and nested["id"] != f"q{record_id[-1]}b"
        assert nested["attributes"]["text"] == "NESTED INSIDE A CALL TO ACTION."


def test_xliff_round_trip_writes_it_and_keeps_every_other_locale(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    before = {rid: cma.record(rid) for rid in cma.record_ids()}
    _pull(site)
    # only en files, but the manifest keeps every locale of the field (the base of it)
    assert sorted(p.name for p in (site / "article").iterdir()) == [
        f"art-{n}.body.en.dastdown" for n in (1, 2, 3)
    ]
    kept = json.loads((site / ".dastdown-records" / "art-1.json").read_text(encoding="utf-8"))
    assert sorted(kept["values"]["body"]) == ["de", "en", "it"]
    assert kept["values"]["body"]["it"] == before["art-1"]["attributes"]["body"]["it"]
    assert kept["others"] == {"title": before["art-1"]["attributes"]["title"]}
    xlf = tmp_path / "site.xlf"
    assert main(["xliff", "export", str(site), "--source-locale", "en", "--target-locale", "it",
                 "-o", str(xlf)]) == 0
    text = xlf.read_text(encoding="utf-8")
    assert 'original="article/art-2.body.en.dastdown"' in text
    assert "<note>record: art-2</note>" in text and "<note>field: body</note>" in text
    assert 'target-language="it"' in text
    done = tmp_path / "site.it.xlf"
    _translate_xliff(xlf, done)
    capsys.readouterr()
    assert main(["xliff", "import", str(done), str(site)]) == 0
    out = capsys.readouterr().out
    assert f"imported 3 it files into {site}" in out
    it_file = site / "article" / "art-2.body.it.dastdown"
    assert "ACME MAKES" in it_file.read_text(encoding="utf-8")
    assert main(["push", str(site), "--dry-run"]) == 0
    dry = capsys.readouterr()
    assert "would push 3" in dry.out and "body (it)" in dry.out
    assert "gains locale it: title set to null" in dry.err  # art-2 had no it
    review = tmp_path / "review.html"
    assert main(["push", str(site), "--dry-run", "--html", str(review)]) == 0
    assert "body (it)" in review.read_text(encoding="utf-8")
    capsys.readouterr()
    assert cma.writes() == []
    assert main(["push", str(site)]) == 0
    assert "pushed 3, unchanged 0, conflicts 0, failed 0" in capsys.readouterr().out
    _check_translated(cma, before, ["art-1", "art-2", "art-3"])
    assert [cma.record(r)["attributes"]["views"] for r in ("art-1", "art-2", "art-3")] == [1, 2, 3]
    # art-2 gained the locale: every localized field has it
    assert cma.record("art-2")["attributes"]["title"] == {"en": "Post 2", "de": "Beitrag 2",
                                                         "it": None}
    # a second push sends nothing
    writes = len(cma.writes())
    assert main(["push", str(site)]) == 0
    assert len(cma.writes()) == writes
    # the it file can be edited again: its blocks stay the ones the push created
    kept = [c["item"]["id"] for c in cma.record("art-1")["attributes"]["body"]["it"]["document"][
        "children"] if c["type"] == "block"]
    path = site / "article" / "art-1.body.it.dastdown"
    path.write_text(path.read_text(encoding="utf-8").replace("MORE ABOUT", "PIU SU"),
                    encoding="utf-8")
    assert main(["push", str(site)]) == 0
    body = cma.record("art-1")["attributes"]["body"]
    assert "PIU SU ACME." in json.dumps(body["it"])
    assert [c["item"]["id"] for c in body["it"]["document"]["children"]
            if c["type"] == "block"] == kept
    assert _canonical(body["en"]) == _canonical(before["art-1"]["attributes"]["body"]["en"])
    # the token never reaches a file of the folder
    for file in site.rglob("*"):
        if file.is_file():
            assert SECRET not in file.read_text(encoding="utf-8", errors="replace")


def test_json_units_round_trip(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    before = {rid: cma.record(rid) for rid in cma.record_ids()}
    _pull(site)
    units = tmp_path / "units.jsonl"
    assert main(["units", "export", str(site), "--source-locale", "en", "-o", str(units)]) == 0
    first = json.loads(units.read_text(encoding="utf-8").splitlines()[1])
    assert first["file"] == "article/art-1.body.en.dastdown"
    assert first["text"].startswith("Acme makes <1>fast</1> tools: read <2>the <3>docs</3></2>")
    answers = tmp_path / "answers.jsonl"
    _translate_units(units, answers)
    assert main(["units", "import", str(answers), str(site), "--target-locale", "it"]) == 0
    assert main(["push", str(site)]) == 0
    assert "pushed 3" in capsys.readouterr().out
    _check_translated(cma, before, ["art-1", "art-2", "art-3"])


def test_it_edited_on_the_server_after_the_pull_is_a_conflict(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    before = {rid: cma.record(rid) for rid in cma.record_ids()}
    _pull(site)
    xlf, done = tmp_path / "site.xlf", tmp_path / "done.xlf"
    assert main(["xliff", "export", str(site), "--source-locale", "en", "--target-locale", "it",
                 "-o", str(xlf)]) == 0
    _translate_xliff(xlf, done)
    assert main(["xliff", "import", str(done), str(site)]) == 0
    # a colleague edits the it locale of art-3, and only the views of art-1
    colleague = dict(before["art-3"]["attributes"]["body"])
    colleague["it"] = {"schema": "dast", "document": {"type": "root", "children": [
        {"type": "paragraph", "children": [{"type": "span", "value": "Scritto a mano."}]}]}}
    cma.edit("art-3", {"body": colleague})
    cma.edit("art-1", {"views": 100})
    capsys.readouterr()
    assert main(["push", str(site)]) == 1
    captured = capsys.readouterr()
    assert "pushed 2, unchanged 0, conflicts 1, failed 0" in captured.out
    assert "art-3: conflict: body.it changed on the server since the pull; not written" in (
        captured.err
    )
    assert cma.record("art-3")["attributes"]["body"] == colleague  # nothing written
    assert cma.record("art-1")["attributes"]["views"] == 100  # the colleague's edit is kept
    _check_translated(cma, before, ["art-1", "art-2"])
    assert SECRET not in captured.out + captured.err


def test_a_pull_after_the_push_keeps_the_translation_tracked(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, answers = _translated_site(tmp_path)
    assert main(["push", str(site)]) == 0
    # a colleague rewrites the it locale of art-3; pulling en again refreshes the it files too
    body = dict(cma.record("art-3")["attributes"]["body"])
    body["it"] = {"schema": "dast", "document": {"type": "root", "children": [
        {"type": "paragraph", "children": [{"type": "span", "value": "Scritto a mano."}]}]}}
    cma.edit("art-3", {"body": body})
    _pull(site)
    kept = json.loads((site / ".dastdown-records" / "art-3.json").read_text(encoding="utf-8"))
    assert sorted(entry["locale"] for entry in kept["files"]) == ["en", "it"]
    it3 = site / "article" / "art-3.body.it.dastdown"
    assert it3.read_text(encoding="utf-8") == "Scritto a mano.\n"
    # the same answers import again without --force (the files are as pulled) ...
    capsys.readouterr()
    assert main(["units", "import", str(answers), str(site), "--target-locale", "it"]) == 0
    assert "Scritto" not in it3.read_text(encoding="utf-8")
    # ... and push as an edit of it over the colleague's version
    writes = len(cma.writes())
    assert main(["push", str(site)]) == 0
    assert "pushed 1, unchanged 2, conflicts 0, failed 0" in capsys.readouterr().out
    assert len(cma.writes()) == writes + 1
    assert "Scritto" not in json.dumps(cma.record("art-3")["attributes"]["body"]["it"])


def test_a_dropped_link_code_is_refused_with_the_segment_id(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    _pull(site)
    xlf, done = tmp_path / "site.xlf", tmp_path / "done.xlf"
    assert main(["xliff", "export", str(site), "--source-locale", "en", "--target-locale", "it",
                 "-o", str(xlf)]) == 0
    text = xlf.read_text(encoding="utf-8")
    start = text.index('<file original="article/art-2.body.en.dastdown"')
    unit_at = text.index("ctype=\"link\"", start)
    segment = text[text.rindex('<trans-unit id="', start, unit_at) + 16:].split('"', 1)[0]
    _translate_xliff(xlf, done, mangle=f"article/art-2.body.en.dastdown\x04{segment}")
    records = {p.name: p.read_bytes() for p in (site / ".dastdown-records").iterdir()}
    capsys.readouterr()
    assert main(["xliff", "import", str(done), str(site)]) == 1
    err = capsys.readouterr().err
    assert f"segment {segment}: code 2 (link to https://acme.example/docs) is missing" in err
    assert "(in article/art-2.body.en.dastdown)" in err
    assert f"{site}/article/art-2.body.en.dastdown: error: a translation was rejected" in err
    # nothing written for that file; the others are
    assert not (site / "article" / "art-2.body.it.dastdown").exists()
    assert records["art-2.json"] == (site / ".dastdown-records" / "art-2.json").read_bytes()
    assert (site / "article" / "art-1.body.it.dastdown").exists()
    assert main(["push", str(site)]) == 0
    assert "it" not in cma.record("art-2")["attributes"]["body"]


def test_a_locally_edited_translation_is_not_overwritten_without_force(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, answers = _translated_site(tmp_path)
    # importing the same answers again is fine: the files are as imported
    assert main(["units", "import", str(answers), str(site), "--target-locale", "it"]) == 0
    # a translation for a segment the source no longer has is reported, not lost silently
    stale = tmp_path / "stale.jsonl"
    stale.write_text(json.dumps({"file": "article/art-3.body.en.dastdown", "id": "p-0000000000",
                                 "text": "VECCHIO"}) + "\n", encoding="utf-8")
    capsys.readouterr()
    it3 = (site / "article" / "art-3.body.it.dastdown").read_bytes()
    assert main(["units", "import", str(stale), str(site), "--target-locale", "it"]) == 0
    captured = capsys.readouterr()
    assert "warning: 1 translation for article/art-3.body.en.dastdown match no segment" in (
        captured.err
    )
    assert "nothing written for it (first: p-0000000000)" in captured.err
    assert "imported 0 it files" in captured.out
    assert (site / "article" / "art-3.body.it.dastdown").read_bytes() == it3
    path = site / "article" / "art-1.body.it.dastdown"
    edited = path.read_text(encoding="utf-8").replace("MORE ABOUT", "Ritocco a mano:")
    path.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert main(["units", "import", str(answers), str(site), "--target-locale", "it"]) == 1
    captured = capsys.readouterr()
    assert "art-1.body.it.dastdown: error: edited since it was pulled or imported" in captured.err
    assert "kept 1 edited" in captured.out
    assert path.read_text(encoding="utf-8") == edited
    assert main(["units", "import", str(answers), str(site), "--target-locale", "it",
                 "--force"]) == 0
    assert "Ritocco" not in path.read_text(encoding="utf-8")


def test_files_of_other_locales_are_skipped_with_a_note_and_usage_errors(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    assert main(["pull", str(site), "--model", "article", "--field", "body",
                 "--field", "summary"]) == 0
    assert (site / "article" / "art-1.summary.dastdown").read_text() == "Summary 1\n"
    capsys.readouterr()
    assert main(["units", "export", str(site), "--source-locale", "en"]) == 0
    captured = capsys.readouterr()
    assert "note: skipped the fields that are not localized (summary)" in captured.err
    assert "note: skipped 5 files of other locales (de, it): the source locale is en" in (
        captured.err
    )
    assert {json.loads(line)["file"].rsplit(".", 2)[1] for line in captured.out.splitlines()} == {
        "en"
    }
    assert main(["xliff", "import", "/dev/null", str(site), "-o", str(tmp_path / "x")]) == 2
    assert "written in place: leave out -o" in capsys.readouterr().err
    assert main(["units", "export", str(site), str(tmp_path), "--source-locale", "en"]) == 2
    assert "translated alone" in capsys.readouterr().err
    # a target locale is never a path
    units, answers = tmp_path / "units.jsonl", tmp_path / "answers.jsonl"
    assert main(["units", "export", str(site), "--source-locale", "en", "-o", str(units)]) == 0
    _translate_units(units, answers)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    assert main(["units", "import", str(answers), str(site), "--target-locale", "../../x"]) == 2
    assert "'../../x' is not a locale" in capsys.readouterr().err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_lost_replies_write_each_translation_once(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {rid: cma.record(rid) for rid in cma.record_ids()}
    site, _ = _translated_site(tmp_path)
    cma.faults.lost_reply_rate = 1.0  # every write applied, its answer lost
    status = main(["push", str(site), "--jobs", "1"])
    cma.faults.lost_reply_rate = 0.0
    assert status == 0, capsys.readouterr().err
    assert "pushed 3" in capsys.readouterr().out
    assert any(e.status == 0 for e in cma.log)
    assert len(cma.writes()) == 3  # the server holding the translation counts as pushed
    _check_translated(cma, before, ["art-1", "art-2", "art-3"])
    writes = len(cma.writes())
    assert main(["push", str(site)]) == 0 and len(cma.writes()) == writes


def test_a_document_nested_5000_levels_deep_is_translated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dastdown.workspace import DEEP_JSON

    doc = deep_list_json(5000)
    with FakeCma.example(articles=1, token=SECRET, codec=DEEP_JSON) as server:
        record = server.record("article-1")
        record["attributes"]["body"]["en"] = doc
        server.add_record(record)
        monkeypatch.setenv("DATOCMS_API_TOKEN", SECRET)
        monkeypatch.setenv("DATOCMS_BASE_URL", server.base_url)
        site, xlf, done = tmp_path / "site", tmp_path / "a.xlf", tmp_path / "b.xlf"
        _pull(site)
        assert main(["xliff", "export", str(site), "--source-locale", "en", "--target-locale",
                     "it", "-o", str(xlf)]) == 0
        _translate_xliff(xlf, done)
        assert main(["xliff", "import", str(done), str(site)]) == 0
        assert main(["push", str(site)]) == 0, capsys.readouterr().err
        body = server.record("article-1")["attributes"]["body"]
    text = DEEP_JSON.dumps(body["it"])
    assert '"ACME"' in text and text.count('"listItem"') == 5000
    assert DEEP_JSON.dumps(body["en"]) == DEEP_JSON.dumps(doc)
