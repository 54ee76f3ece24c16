"""The README's Python examples run as written, from the repository root."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def python_blocks() -> list[str]:
    """Every fenced ```python block of the README, in order."""
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_examples() -> None:
    assert len(python_blocks()) >= 5


def test_the_readme_examples_run_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": "readme"}
    for number, block in enumerate(python_blocks(), start=1):
        exec(compile(block, f"README.md python block {number}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "children[0].level /children/0/level heading-level" in printed
    assert namespace["doc3"] != namespace["doc"]
    assert namespace["edited"] is not None
    assert namespace["result"].result.document.children[0].type == "heading"


def test_the_set_up_commands_name_existing_files() -> None:
    text = README.read_text(encoding="utf-8")
    for path in re.findall(r"(fixtures/[\w./-]+\.\w+)", text):
        assert (ROOT / path).is_file(), path
