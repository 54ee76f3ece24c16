"""Settings from ``[tool.dastdown]`` in the nearest ``pyproject.toml``.

The nearest ``pyproject.toml`` is searched upward from the folder of the
first path on the command line (or the current folder). Its
``[tool.dastdown]`` table gives defaults that command-line flags override:

.. code-block:: toml

    [tool.dastdown]
    to = "markdown"          # convert: the default --to
    from = "json"            # convert, inspect: the default --from
    exclude = ["drafts/"]    # patterns added to --exclude (gitignore syntax)
    jobs = 2                 # convert: the default -j
    quiet = true             # convert, inspect: as -q
    strict = true            # convert: as --strict
    width = 100              # inspect: the default --width

An unknown key, a value of the wrong type, or a file that is not valid
TOML is a usage error naming the file (exit status 2).

>>> Settings().path is None
True
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .diagnostics import CliFailure, Diagnostic
from .formats import INPUT_FORMATS, OUTPUT_FORMATS

__all__ = ["KEYS", "Settings", "SettingsError", "find_pyproject", "load_settings"]

KEYS: Mapping[str, str] = {
    "to": "a format name",
    "from": "a format name",
    "exclude": "a list of strings",
    "jobs": "an integer >= 1",
    "quiet": "true or false",
    "strict": "true or false",
    "width": "an integer >= 10",
}
"""The keys of ``[tool.dastdown]`` and what each needs."""


class SettingsError(CliFailure):
    """A ``[tool.dastdown]`` table that cannot be used (a usage error: exit status 2).

    >>> print(SettingsError("pyproject.toml", "unknown key 'x'").diagnostics[0].render())
    pyproject.toml: error: [tool.dastdown]: unknown key 'x'
    """

    def __init__(self, path: str, message: str, in_table: bool = True) -> None:
        prefix = "[tool.dastdown]: " if in_table else ""
        super().__init__([Diagnostic(path, prefix + message)])


@dataclass(frozen=True)
class Settings:
    """The checked settings and the file they come from (``path`` ``None``: no settings).

    ``src`` is the ``from`` key. Unset keys keep their defaults here; the
    commands then use their own defaults.

    >>> Settings(jobs=2).jobs, Settings().exclude
    (2, ())
    """

    to: str | None = None
    src: str | None = None
    exclude: tuple[str, ...] = ()
    jobs: int | None = None
    quiet: bool = False
    strict: bool = False
    width: int | None = None
    path: str | None = None


def find_pyproject(start: str) -> str | None:
    """The nearest ``pyproject.toml`` at or above the folder ``start``.

    >>> find_pyproject("/") is None or find_pyproject("/").endswith("pyproject.toml")
    True
    """
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _check(path: str, key: str, value: object) -> None:
    wrong = SettingsError(path, f"{key} must be {KEYS[key]}, not {value!r}")
    if key in ("to", "from"):
        choices = OUTPUT_FORMATS if key == "to" else INPUT_FORMATS
        if value not in choices:
            raise SettingsError(path, f"{key} must be one of {', '.join(choices)}, not {value!r}")
    elif key == "exclude":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong
    elif key in ("quiet", "strict"):
        if not isinstance(value, bool):
            raise wrong
    else:  # jobs, width
        minimum = 1 if key == "jobs" else 10
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise wrong


def load_settings(start: str) -> Settings:
    """The settings of the nearest ``pyproject.toml`` above ``start``; ``SettingsError``.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (pathlib.Path(tmp) / "pyproject.toml").write_text('[tool.dastdown]\\njobs = 3\\n')
    ...     load_settings(tmp).jobs
    3
    """
    path = find_pyproject(start)
    if path is None:
        return Settings()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise SettingsError(path, f"cannot read: {exc.strerror or exc}", False) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path, f"invalid TOML: {exc}", False) from None
    tool = data.get("tool")
    table = tool.get("dastdown") if isinstance(tool, dict) else None
    if table is None:
        return Settings()
    if not isinstance(table, dict):
        raise SettingsError(path, "must be a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            known = ", ".join(KEYS)
            raise SettingsError(path, f"unknown key {key!r} (known keys: {known})")
        _check(path, key, value)
        values["src" if key == "from" else key] = tuple(value) if key == "exclude" else value
    return Settings(**values, path=path)
