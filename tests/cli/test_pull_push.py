"""dastdown pull / push against the local CMA over real loopback HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from strategies import deep_list_json

from dast.cma.testing import FakeCma
from dastdown.cli import main
from tests.cli.test_cli_signals import as_from_a_terminal

SECRET = "tok-9f8e7d6c5b4a-secret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cma(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCma]:
    with FakeCma.example(articles=6, token=SECRET) as server:
        monkeypatch.setenv("DATOCMS_API_TOKEN", SECRET)
        monkeypatch.setenv("DATOCMS_BASE_URL", server.base_url)
        yield server


def pull(directory: Path, *extra: str) -> int:
    return main(["pull", str(directory), "--model", "article", "--field", "body", *extra])


def push(directory: Path, *extra: str) -> int:
    return main(["push", str(directory), *extra])


def edit(directory: Path, record: str, old: str, new: str, locale: str = "en") -> Path:
    path = directory / "article" / f"{record}.body.{locale}.dastdown"
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def en_body(cma: FakeCma, record: str) -> dict[str, Any]:
    return cma.record(record)["attributes"]["body"]["en"]  # type: ignore[no-any-return]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def test_pull_writes_one_readable_file_per_record_field_and_locale(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pull(tmp_path) == 0
    names = sorted(p.name for p in (tmp_path / "article").iterdir())
    assert names == sorted(
        f"article-{n}.body.{loc}.dastdown" for n in range(1, 7) for loc in ("en", "it")
    )
    text = (tmp_path / "article" / "article-1.body.en.dastdown").read_text()
    assert '<block id="q1"/>' in text and '<block id="c1"/>' in text and "Acme" in text
    record = json.loads((tmp_path / ".dastdown-records" / "article-1.json").read_text())
    assert record["current_version"] == "1" and record["item_type"] == "article"
    assert (
        record["values"]["body"]["en"]["document"]["children"][4]["item"]["attributes"]["label"]
        == "Try Acme"
    )
    assert "pulled 6 records (12 files)" in capsys.readouterr().out
    assert pull(tmp_path / "en-only", "--locale", "en", "--ids", "article-2,article-3") == 0
    assert sorted(p.name for p in (tmp_path / "en-only" / "article").iterdir()) == [
        "article-2.body.en.dastdown",
        "article-3.body.en.dastdown",
    ]


def test_the_token_is_never_written_nor_shown(
    cma: FakeCma,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert pull(tmp_path) == 0
    edit(tmp_path, "article-2", "Acme makes", "Apex makes")
    assert push(tmp_path) == 0
    for data in snapshot(tmp_path).values():
        assert SECRET.encode() not in data
    monkeypatch.setenv("DATOCMS_API_TOKEN", "wrong-" + SECRET)
    edit(tmp_path, "article-3", "Acme makes", "Apex makes")
    assert push(tmp_path) == 1
    assert pull(tmp_path / "other") == 1
    out, err = capsys.readouterr()
    assert "401" in err and SECRET not in out + err


def test_edit_and_push_keeps_nested_blocks_and_sends_kept_blocks_as_ids(
    cma: FakeCma, tmp_path: Path
) -> None:
    before = en_body(cma, "article-1")
    assert pull(tmp_path) == 0
    path = edit(tmp_path, "article-1", "Acme makes post 1.", "Apex makes post 1.")
    text = path.read_text()
    path.write_text(text.replace('<block id="q1"/>\n\n', ""))  # remove the first quote block
    assert push(tmp_path) == 0
    (put,) = cma.writes()
    sent = put.body["data"]["attributes"]["body"]["en"]["document"]["children"]
    items = [c["item"] for c in sent if c["type"] == "block"]
    assert items == ["c1"]  # the untouched block goes as its id; q1 is left out
    after = en_body(cma, "article-1")
    blocks = [c["item"] for c in after["document"]["children"] if c["type"] == "block"]
    assert [b["id"] for b in blocks] == ["c1"]
    old_cta = next(
        c["item"] for c in before["document"]["children"] if c.get("item", {}).get("id") == "c1"
    )
    assert blocks[0] == old_cta  # nested quote q1b intact
    assert "Apex makes post 1." in json.dumps(after)
    assert (
        cma.record("article-1")["attributes"]["body"]["it"]
        == cma.record("article-1")["attributes"]["body"]["it"]
    )


def test_second_push_sends_nothing_and_unchanged_files_send_nothing(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pull(tmp_path) == 0
    edit(tmp_path, "article-4", "Acme makes", "Apex makes")
    assert push(tmp_path) == 0
    assert "pushed 1, unchanged 5, conflicts 0, failed 0" in capsys.readouterr().out
    assert len(cma.writes()) == 1
    requests = len(cma.log)
    assert push(tmp_path) == 0
    assert len(cma.log) == requests  # nothing sent at all
    assert "pushed 0, unchanged 6" in capsys.readouterr().out


def test_dry_run_prints_a_diff_and_a_summary_and_writes_nothing(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pull(tmp_path) == 0
    capsys.readouterr()
    path = edit(tmp_path, "article-1", "Acme makes", "Apex makes")
    path.write_text(path.read_text().replace('<block id="q1"/>\n\n', ""))
    files = snapshot(tmp_path)
    requests = len(cma.log)
    assert push(tmp_path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "--- a/article/article-1.body.en.dastdown" in out
    assert "-Acme makes post 1. Read on." in out and "+Apex makes post 1. Read on." in out
    assert (
        "article/article-1: update body (en): blocks kept 1, edited 0, created 0, removed 1" in out
    )
    assert "would push 1, unchanged 5" in out
    assert len(cma.log) == requests and snapshot(tmp_path) == files


def test_a_conflict_is_reported_and_not_overwritten(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pull(tmp_path) == 0
    edit(tmp_path, "article-2", "Acme makes", "Apex makes")
    edit(tmp_path, "article-3", "Acme makes", "Apex makes")
    theirs = json.loads(json.dumps(en_body(cma, "article-2")).replace("Read on.", "Read more."))
    cma.edit("article-2", {"body": {**cma.record("article-2")["attributes"]["body"], "en": theirs}})
    cma.edit("article-3", {"views": 333})  # another field: the edit is applied again
    assert push(tmp_path) == 1
    out, err = capsys.readouterr()
    assert "article-2: conflict: body.en changed on the server since the pull; not written" in err
    assert "pushed 1, unchanged 4, conflicts 1, failed 0" in out
    assert en_body(cma, "article-2") == theirs
    assert "Apex makes" in json.dumps(en_body(cma, "article-3"))
    assert cma.record("article-3")["attributes"]["views"] == 333
    assert push(tmp_path) == 1  # still a conflict, still not written
    assert en_body(cma, "article-2") == theirs


def test_a_file_that_does_not_parse_is_reported_and_skipped(
    cma: FakeCma, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pull(tmp_path) == 0
    bad = tmp_path / "article" / "article-5.body.en.dastdown"
    bad.write_text(bad.read_text() + "\n####### seven\n")
    edit(tmp_path, "article-6", "Acme makes", "Apex makes")
    edit(tmp_path, "article-5", "Acme presenta", "Apex presenta", locale="it")
    assert push(tmp_path) == 1
    out, err = capsys.readouterr()
    assert f"{tmp_path}/article/article-5.body.en.dastdown:" in err
    line = err.split("article-5.body.en.dastdown:")[1].split(":")[0]
    assert line.isdigit()
    assert "pushed 2" in out
    assert "Apex presenta" in json.dumps(cma.record("article-5")["attributes"]["body"]["it"])
    assert "seven" not in json.dumps(cma.record("article-5"))


def test_429_5xx_resets_and_lost_replies_are_survived(cma: FakeCma, tmp_path: Path) -> None:
    assert pull(tmp_path) == 0
    for n in range(1, 7):
        edit(tmp_path, f"article-{n}", f"Acme makes post {n}.", f"Apex makes post {n}.")
    cma.faults.rate_limit = (4, 0.2)
    cma.faults.fail_next = [503, 0, 502]
    cma.faults.lost_reply_rate = 0.3
    assert push(tmp_path, "--jobs", "3", "--rate", "1000/1") == 0
    assert any(e.status == 429 for e in cma.log) and any(e.status == 0 for e in cma.log)
    for n in range(1, 7):
        assert f"Apex makes post {n}." in json.dumps(en_body(cma, f"article-{n}"))
    assert len(cma.writes()) == 6  # each record written exactly once
    cma.faults.lost_reply_rate = 0.0
    requests = len(cma.log)
    assert push(tmp_path) == 0 and len(cma.log) == requests


def test_missing_folder_or_token_is_a_usage_error(
    cma: FakeCma, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert push(tmp_path / "nothing") == 2
    assert main(["pull", str(tmp_path), "--model", "article", "--field", "title"]) == 2
    assert main(["pull", str(tmp_path), "--model", "nope", "--field", "body"]) == 2
    monkeypatch.delenv("DATOCMS_API_TOKEN")
    assert pull(tmp_path) == 2


def test_an_interrupted_push_can_simply_be_run_again(cma: FakeCma, tmp_path: Path) -> None:
    assert pull(tmp_path) == 0
    for n in range(1, 7):
        edit(tmp_path, f"article-{n}", f"Acme makes post {n}.", f"Apex makes post {n}.")
    cma.faults.delay = 0.15
    env = {**os.environ, "DATOCMS_API_TOKEN": SECRET, "DATOCMS_BASE_URL": cma.base_url}
    child = subprocess.Popen(
        [sys.executable, "-m", "dastdown", "push", str(tmp_path), "--jobs", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=as_from_a_terminal,
    )
    deadline = time.monotonic() + 20
    while len(cma.writes()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=20)
    assert child.returncode == 130, err
    done = len(cma.writes())
    assert 2 <= done < 6
    for path in tmp_path.rglob("*"):
        assert ".tmp" not in path.name or not path.is_file()
    cma.faults.delay = 0.0
    assert push(tmp_path) == 0
    for n in range(1, 7):
        assert f"Apex makes post {n}." in json.dumps(en_body(cma, f"article-{n}"))
    assert len(cma.writes()) == 6


def test_a_document_nested_5000_levels_deep_goes_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dastdown.workspace import DEEP_JSON

    doc = deep_list_json(5000)
    with FakeCma.example(articles=1, token=SECRET, codec=DEEP_JSON) as cma:
        record = cma.record("article-1")
        record["attributes"]["body"]["en"] = doc
        cma.add_record(record)
        monkeypatch.setenv("DATOCMS_API_TOKEN", SECRET)
        monkeypatch.setenv("DATOCMS_BASE_URL", cma.base_url)
        assert pull(tmp_path, "--locale", "en") == 0
        edit(tmp_path, "article-1", "Acme", "Apex")
        assert push(tmp_path) == 0
        text = DEEP_JSON.dumps(cma.record("article-1")["attributes"]["body"]["en"])
    assert '"Apex"' in text and text.count('"listItem"') == 5000
