"""``[tool.dastdown]`` in the nearest pyproject.toml: defaults that flags override."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dastdown.cli import main
from dastdown.cli.settings import Settings, load_settings

DOC = json.dumps(
    {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [{"type": "paragraph", "children": [{"type": "span", "value": "hi"}]}],
        },
    }
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "content" / "drafts").mkdir(parents=True)
    (tmp_path / "content" / "a.json").write_text(DOC, encoding="utf-8")
    (tmp_path / "content" / "drafts" / "b.json").write_text(DOC, encoding="utf-8")
    return tmp_path


def _settings(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.dastdown]\n{body}")


def test_settings_give_defaults(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _settings(project, 'to = "markdown"\nexclude = ["drafts/"]\njobs = 1\n')
    out = project / "out"
    assert main(["convert", str(project / "content"), "-o", str(out)]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["a.md"]
    assert (out / "a.md").read_text(encoding="utf-8") == "hi\n"
    assert main(["convert", str(project / "content" / "a.json")]) == 0
    assert capsys.readouterr().out == "hi\n"  # to = markdown, also for one file


def test_flags_override_settings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _settings(project, 'to = "markdown"\n')
    assert main(["convert", str(project / "content" / "a.json"), "--to", "html"]) == 0
    assert capsys.readouterr().out.startswith("<p>hi</p>")
    assert main(["convert", str(project / "content" / "a.json"), "--to", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == "dast"


def test_the_nearest_pyproject_is_searched_upward(project: Path) -> None:
    _settings(project, "width = 120\n")
    assert load_settings(str(project / "content" / "drafts")) == Settings(
        width=120, path=str(project / "pyproject.toml")
    )
    (project / "content" / "pyproject.toml").write_text("[project]\nname = 'inner'\n")
    assert load_settings(str(project / "content" / "drafts")) == Settings()  # nearest wins


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour = true\n", "[tool.dastdown]: unknown key 'colour' (known keys: to, from,"),
        ('to = "pdf"\n', "[tool.dastdown]: to must be one of dastdown, json, markdown"),
        ('jobs = "2"\n', "[tool.dastdown]: jobs must be an integer >= 1, not '2'"),
        ("jobs = 0\n", "[tool.dastdown]: jobs must be an integer >= 1, not 0"),
        ('exclude = "drafts/"\n', "[tool.dastdown]: exclude must be a list of strings"),
        ("quiet = 1\n", "[tool.dastdown]: quiet must be true or false, not 1"),
        ("to = \n", "invalid TOML: "),
    ],
)
def test_bad_settings_are_usage_errors_naming_the_file(
    project: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    _settings(project, body)
    for argv in (
        ["convert", str(project / "content" / "a.json")],
        ["check", str(project / "content")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"{project / 'pyproject.toml'}: error: {message}"), err
        assert err.count("\n") == 1
