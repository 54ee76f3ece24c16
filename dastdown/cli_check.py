"""``dastdown check``: validate DAST JSON and dastdown files.

Every problem is reported as ``path:line:column: error: message``. For
JSON files the position is that of the offending value in the file and the
message starts with its path in the document (``children[2].level``); bad
JSON syntax is reported at the position the JSON decoder gives. For dastdown
files the parse error is reported with the offending line and a caret.

>>> text = '{"schema": "dast", "document": {"type": "root", "children": []}}'
>>> for diagnostic in check_text(text, "json", "a.json"):
...     print(diagnostic.render())
a.json:1:61: error: children: a root node needs at least one child, found none [empty-children]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from .cli_diagnostics import CliFailure, Diagnostic, internal_error
from .cli_files import discover
from .cli_formats import format_of, json_problem_diagnostics, parse_error_diagnostic
from .cli_io import read_text

__all__ = ["CHECKED_SUFFIXES", "check_file", "check_text", "run_check"]

CHECKED_SUFFIXES = (".json", ".dastdown")
"""File extensions ``check`` looks for in folders."""


def _check_json(text: str, display: str) -> list[Diagnostic]:
    from dast.load import unwrap_document
    from dast.validate import validate

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Diagnostic(display, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]
    document = unwrap_document(data)
    if document is None:  # an empty field
        return []
    problems = validate(document).problems
    return json_problem_diagnostics(text, data, problems, display)


def _check_dastdown(text: str, display: str) -> list[Diagnostic]:
    from .errors import DastdownParseError
    from .parser import parse

    try:
        parse(text)
    except DastdownParseError as exc:
        return [parse_error_diagnostic(exc, display)]
    return []


def check_text(text: str, fmt: str, display: str) -> list[Diagnostic]:
    """Every problem of a document given as text (``fmt`` is json or dastdown).

    >>> check_text("null", "json", "a.json")
    []
    """
    try:
        if fmt == "json":
            return _check_json(text, display)
        return _check_dastdown(text, display)
    except RecursionError:
        return [Diagnostic(display, "document is nested too deeply to check")]
    except Exception as exc:  # a bug in a checker must not stop the other files
        return [internal_error(display, exc)]


def check_file(path: str) -> list[Diagnostic]:
    """Every problem of one file, chosen by its extension.

    >>> [d.render() for d in check_file("/nonexistent.dastdown")]
    ['/nonexistent.dastdown: error: No such file or directory']
    """
    fmt = format_of(path)
    if fmt not in ("json", "dastdown"):
        return [Diagnostic(path, "not a .json or .dastdown file")]
    try:
        text = read_text(path)
    except CliFailure as exc:
        return list(exc.diagnostics)
    return check_text(text, fmt, path)


def run_check(paths: Sequence[str], report: Callable[[Diagnostic], None]) -> tuple[int, int]:
    """Check files and folders, calling ``report`` for each problem in order.

    Returns the number of files checked and the number of files (or paths)
    with problems.

    >>> run_check(["/nonexistent"], lambda d: print(d.render()))
    /nonexistent: error: No such file or directory
    (0, 1)
    """
    files, problems = discover(paths, CHECKED_SUFFIXES)
    for problem in problems:
        report(problem)
    bad = len(problems)
    for found in files:
        diagnostics = check_file(found.path)
        for diagnostic in diagnostics:
            report(diagnostic)
        bad += bool(diagnostics)
    return len(files), bad
