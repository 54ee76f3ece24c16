"""The package root's surface: what ``dast.__all__`` lists, and the names that moved out of it."""

from __future__ import annotations

import importlib
import inspect

import pytest

import dast


def test_every_listed_name_resolves() -> None:
    for name in dast.__all__:
        assert getattr(dast, name) is not None


def test_the_root_surface_stays_small() -> None:
    assert len(dast.__all__) <= 70
    assert len(set(dast.__all__)) == len(dast.__all__)


@pytest.mark.parametrize("name", sorted(dast._MOVED))
def test_moved_names_resolve_to_their_owner(name: str) -> None:
    owner = importlib.import_module(dast._MOVED[name])
    assert getattr(dast, name) is getattr(owner, name)
    assert name not in dast.__all__


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = dast.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", [n for n in dast.__all__ if inspect.isfunction(getattr(dast, n))])
def test_public_functions_have_a_docstring_with_an_example(name: str) -> None:
    function = getattr(dast, name)
    doc = inspect.getdoc(function) or ""
    assert ">>>" in doc, f"{name} has no example in its docstring"
    hints = inspect.get_annotations(function)
    assert "return" in hints, f"{name} has no return annotation"
