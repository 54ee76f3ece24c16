"""lxml has one door (``dast.translate.xliff``); ``dast.translate`` never imports ``dastdown``."""

from __future__ import annotations

from tests.test_imports import _external


def test_lxml_is_imported_only_by_the_xliff_module() -> None:
    assert _external("lxml") == {"dast.translate.xliff"}


def test_translate_never_imports_dastdown() -> None:
    assert not {m for m in _external("dastdown") if m.startswith("dast.translate")}
