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

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from . import jsontext
from .common import (
    add_command,
    add_discovery_options,
    add_integrity_options,
    check_inputs_exist,
    load_original,
    read_input,
    settings_for,
    sniff_format,
    usage_error,
)
from .diagnostics import CliFailure, Diagnostic, integrity_diagnostics, internal_error
from .files import discover
from .formats import format_of, json_problem_diagnostics, parse_error_diagnostic

if TYPE_CHECKING:
    from dast.fields import FieldSettings
    from dast.nodes import Document

__all__ = ["CHECKED_SUFFIXES", "check_file", "check_text", "register", "run", "run_check"]

_EPILOG = """\
Folders are searched recursively for .json and .dastdown files, skipping
.git, node_modules, virtual environments, __pycache__, what .gitignore
files ignore and --exclude patterns. Every problem is printed as
'path:line:column: error: message'. For JSON files the position is that of
the offending value and the message starts with its path in the document
and ends with the rule broken, e.g.
  article.json:12:17: error: children[2].level: ... [heading-level]
'-' checks standard input (JSON or dastdown, told apart by a look at it).

Placeholders a language model (or a person) mangled, such as
<block id='X' /> or <Block id="X">, are errors with a suggestion. With
--original (the JSON the dastdown was made from), every block, inline
block, item link and inline item of it must still be in the text: one lost,
duplicated or turned into the other kind, and a text wrapped in a ``` fence,
are warnings ('path:line:column: warning: ...'), or errors with --strict.
Without --original, duplicated block ids and a fenced text are reported.
The exit status is 1 when any error is found, 2 when a path does not exist.

examples:
  dastdown check article.json
  dastdown check content/ extra.dastdown --exclude 'drafts/'
  dastdown check edited.dastdown --original article.json --strict
  dastdown check body.json --field body-field.json
  cat article.json | dastdown check -
"""

CHECKED_SUFFIXES = (".json", ".dastdown")
"""File extensions ``check`` looks for in folders."""


def _check_json(text: str, display: str, field: FieldSettings | None) -> list[Diagnostic]:
    from dast.load import unwrap_document
    from dast.validate import validate

    try:
        data = jsontext.loads(text)
    except json.JSONDecodeError as exc:
        return [Diagnostic(display, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]
    document = unwrap_document(data)
    if document is None:  # an empty field
        return []
    # with field settings, the CDA wrapper's records tell the models of references
    problems = validate(document if field is None else data, field=field).problems
    return json_problem_diagnostics(text, data, problems, display)


def _check_dastdown(
    text: str, display: str, strict: bool, original: Document | None, field: FieldSettings | None
) -> list[Diagnostic]:
    from ..errors import DastdownIntegrityError, DastdownParseError
    from ..parser import parse_with_report

    try:
        doc, report = parse_with_report(text, original, strict=strict)
    except DastdownIntegrityError as exc:
        return integrity_diagnostics(exc.problems, display, strict=True)
    except DastdownParseError as exc:
        return [parse_error_diagnostic(exc, display)]
    found = integrity_diagnostics(report.problems, display, strict=False)
    if field is not None:
        found += [Diagnostic(display, str(problem)) for problem in field.problems(doc)]
    return found


def check_text(
    text: str,
    fmt: str,
    display: str,
    *,
    strict: bool = False,
    original: Document | None = None,
    field: FieldSettings | None = None,
) -> list[Diagnostic]:
    """Every problem of a document given as text (``fmt`` is json or dastdown).

    A dastdown text is checked against ``original`` when given (see
    :func:`dastdown.parse_with_report`): records it lost are warnings, or
    errors with ``strict``. With ``field`` the field's settings are checked
too (``dast.validate.validate(..., field=...)``).

    >>> check_text("null", "json", "a.json")
    []
    >>> found = check_text("<Block id='b'/>", "dastdown", "a.dastdown")[0]
    >>> found.line, found.column, found.message.split(": ")[-1]
    (1, 1, 'did you mean <block id="b"/>?')
    """
    try:
        if fmt == "json":
            return _check_json(text, display, field)
        return _check_dastdown(text, display, strict, original, field)
    except RecursionError:
        return [Diagnostic(display, "document is nested too deeply to check")]
    except Exception as exc:  # a bug in a checker must not stop the other files
        return [internal_error(display, exc)]


def check_file(
    path: str,
    *,
    strict: bool = False,
    original: Document | None = None,
    field: FieldSettings | None = None,
) -> list[Diagnostic]:
    """Every problem of one file, chosen by its extension.

    >>> [d.render() for d in check_file("/nonexistent.dastdown")]
    ['/nonexistent.dastdown: error: No such file or directory']
    """
    fmt = "-" if path == "-" else format_of(path)
    if fmt not in ("json", "dastdown", "-"):
        return [Diagnostic(path, "not a .json or .dastdown file")]
    try:
        text = read_input(path)
    except CliFailure as exc:
        return list(exc.diagnostics)
    if fmt == "-":
        fmt = sniff_format(text)
    display = "<stdin>" if path == "-" else path
    return check_text(text, fmt, display, strict=strict, original=original, field=field)


def run_check(
    paths: Sequence[str],
    report: Callable[[Diagnostic], None],
    exclude: Sequence[str] = (),
    ignore: bool = True,
    *,
    strict: bool = False,
    original: Document | None = None,
    field: FieldSettings | None = None,
) -> tuple[int, int]:
    """Check files and folders, calling ``report`` for each problem in order.

    Returns the number of inputs checked and the number of them with
    problems, counted the same way: each file, and each path or folder that
    could not be read.

    >>> run_check(["/nonexistent"], lambda d: print(d.render()))
    /nonexistent: error: No such file or directory
    (1, 1)
    """
    files, problems = discover(paths, CHECKED_SUFFIXES, exclude=exclude, ignore=ignore)
    for problem in problems:
        report(problem)
    bad = sum(problem.severity == "error" for problem in problems)
    for found in files:
        diagnostics = check_file(found.path, strict=strict, original=original, field=field)
        for diagnostic in diagnostics:
            report(diagnostic)
        bad += any(d.severity == "error" for d in diagnostics)
    return len(files) + sum(p.severity == "error" for p in problems), bad


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``check`` to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["check", "a.json"]).paths
    ['a.json']
    """
    parser = add_command(
        commands,
        "check",
        run,
        help="validate JSON and dastdown files",
        description="Validate DAST JSON and dastdown files and report every problem.",
        epilog=_EPILOG,
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders to check, '-' for stdin"
    )
    parser.add_argument(
        "--field",
        metavar="FIELD.json",
        help="also check the settings of this structured text field (a CMA field resource): "
        "allowed nodes, marks, heading levels, block and link models, required, length",
    )
    add_discovery_options(parser)
    add_integrity_options(
        parser,
        "make the problems found with the help of --original (and duplicated block ids, a "
        "fenced text) errors rather than warnings",
    )


def _load_field(args: argparse.Namespace) -> FieldSettings | None:
    """The ``--field`` settings; a file that cannot be read is a usage error (exit 2)."""
    if args.field is None:
        return None
    from dast.cma.errors import SchemaError
    from dast.fields import FieldSettings

    try:
        return FieldSettings.from_file(args.field)
    except (SchemaError, OSError) as exc:
        usage_error(args, f"--field: {exc}")


def run(args: argparse.Namespace) -> int:
    """Run ``dastdown check``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["check", "/nonexistent.json"])
    2
    """
    from .fileio import write_stdout

    for path in args.paths:
        if path == "-" or os.path.isdir(path) or path.lower().endswith(CHECKED_SUFFIXES):
            continue
        usage_error(args, f"cannot check {path!r}: not a .json or .dastdown file")
    if args.paths.count("-") > 1:
        usage_error(args, "'-' (standard input) can be given once")
    check_inputs_exist(args.paths)
    settings = settings_for(args.paths)
    exclude = [*args.exclude, *settings.exclude]
    strict = args.strict or settings.strict
    original = load_original(args)
    field = _load_field(args)
    count = 0

    def report(diagnostic: Diagnostic) -> None:
        nonlocal count
        count += diagnostic.severity == "error"
        write_stdout(diagnostic.render() + "\n")

    checked, bad = run_check(
        args.paths, report, exclude, args.ignore, strict=strict, original=original, field=field
    )
    if bad:
        plural = "s" if count != 1 else ""
        sys.stderr.write(f"dastdown: {count} problem{plural} in {bad} of {checked} files checked\n")
        return 1
    return 0
