"""``dastdown convert page.html``: HTML as an input format, its report as warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dastdown.cli import main

PAGE = """<h1>Title</h1>
<p>Some <b>bold</b> text.</p>
<p><img src="a.png" alt="A"></p>
<ul><li>one</li></ul>
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("dastdown", "# Title\n\nSome **bold** text.\n\n- one\n"),
        ("markdown", "# Title\n\nSome **bold** text.\n\n- one\n"),
    ],
)
def test_convert_an_html_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], to: str, expected: str
) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    code, out, err = run(capsys, "convert", page, "--to", to)
    assert code == 0
    assert out == expected
    assert f"{page}:3: warning: img dropped: <img src=\"a.png\" alt=\"A\">" in err


@pytest.mark.parametrize("to", ["json", "dast", "DAST"])
def test_convert_an_html_page_to_dast_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], to: str
) -> None:
    page = tmp_path / "page.htm"
    page.write_text("<p>x</p>", encoding="utf-8")
    code, out, err = run(capsys, "convert", page, "--to", to)
    assert code == 0 and err == ""
    assert json.loads(out)["document"]["children"][0]["children"][0]["value"] == "x"


def test_strict_makes_html_warnings_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    code, out, err = run(capsys, "convert", page, "--to", "dastdown", "--strict")
    assert code == 1 and out == ""
    assert ":3: error: img dropped" in err


def test_convert_a_site_folder_with_from_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    (site / "blog").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Home</h1><p>Hello <b>all</b></p>", encoding="utf-8")
    (site / "blog" / "post.htm").write_text(
        "<p>Post</p><video src='v.mp4'></video>", encoding="utf-8"
    )
    (site / "notes.json").write_text("{}", encoding="utf-8")  # not HTML: not picked
    out = tmp_path / "out"
    assert main(["convert", str(site), "--from", "html", "-o", str(out), "--to", "dastdown"]) == 0
    assert (out / "index.dastdown").read_text(encoding="utf-8") == "# Home\n\nHello **all**\n"
    assert (out / "blog" / "post.dastdown").read_text(encoding="utf-8") == "Post\n"
    assert not (out / "notes.dastdown").exists()
    assert "video" in capsys.readouterr().err
    # the DAST JSON of the folder reads back with --from dast; an unknown format is a usage error
    dast = tmp_path / "dast"
    assert main(["convert", str(site), "--from", "html", "-o", str(dast), "--to", "dast"]) == 0
    assert json.loads((dast / "index.json").read_text(encoding="utf-8"))["schema"] == "dast"
    index = dast / "index.json"
    code, text, _ = run(capsys, "convert", index, "--from", "dast", "--to", "dastdown")
    assert (code, text) == (0, "# Home\n\nHello **all**\n")
    assert main(["convert", str(site), "--from", "html", "--to", "yaml"]) == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err
