"""``dastdown push`` guards the edit: mangled, duplicated and removed records; the review page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dast.cma.testing import FakeCma
from tests.cli.test_pull_push import cma, edit, en_body, pull, push  # noqa: F401  (cma: fixture)


def _replace(directory: Path, old: str, new: str) -> None:
    edit(directory, "article-1", old, new)


def test_a_mangled_placeholder_is_an_error_and_nothing_is_written(
    cma: FakeCma,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = en_body(cma, "article-1")
    assert pull(tmp_path) == 0
    _replace(tmp_path, '<block id="q1"/>', "<block id='q1' />")
    capsys.readouterr()
    assert push(tmp_path) == 1
    err = capsys.readouterr().err
    assert "article-1.body.en.dastdown:" in err and 'did you mean <block id="q1"/>?' in err
    assert cma.writes() == [] and en_body(cma, "article-1") == before


def test_a_duplicated_block_is_refused_unless_no_strict(
    cma: FakeCma,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pull(tmp_path) == 0
    _replace(tmp_path, '<block id="q1"/>', '<block id="q1"/>\n\n<block id="q1"/>')
    capsys.readouterr()
    assert push(tmp_path) == 1
    assert "[duplicated]" in capsys.readouterr().err
    assert cma.writes() == []


def test_a_removed_block_is_pushed_with_a_warning_and_refused_with_strict(
    cma: FakeCma,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pull(tmp_path) == 0
    _replace(tmp_path, '<block id="q1"/>\n\n', "")
    capsys.readouterr()
    assert push(tmp_path, "--strict") == 1
    assert "[missing]; not pushed" in capsys.readouterr().err
    assert cma.writes() == []
    assert push(tmp_path) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "[missing]" in err
    blocks = [c for c in en_body(cma, "article-1")["document"]["children"] if c["type"] == "block"]
    assert [b["item"]["id"] for b in blocks] == ["c1"]


def test_dry_run_writes_a_review_page_and_sends_nothing(
    cma: FakeCma,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = tmp_path / "site"
    assert pull(site) == 0
    edit(site, "article-2", "Acme makes", "Apex <makes>")
    requests = len(cma.log)
    page = tmp_path / "review.html"
    assert push(site, "--dry-run", "--html", str(page)) == 0
    html = page.read_text(encoding="utf-8")
    assert "article/article-2" in html and "Apex" in html
    assert "&lt;" in html and "<makes>" not in html  # escaped, never markup
    assert len(cma.log) == requests
    out = capsys.readouterr().out
    assert "would push 1" in out
    assert json.dumps(en_body(cma, "article-2")).count("Apex") == 0
