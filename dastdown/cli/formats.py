"""The formats the ``dastdown`` command reads and writes, and how.

Input formats are DAST JSON (plain or the CDA ``{"value": ...}`` wrapper),
dastdown, markdown and HTML; output formats add plain text. Each format
is inferred from a file extension unless given explicitly. Loading and
rendering raise :class:`~dastdown.cli.diagnostics.CliFailure` with
positioned messages for bad input and return the converters' reports (what
a format could not express) as warning diagnostics. The converters are
imported only when a format needs them, to keep start-up fast.

>>> format_of("notes/a.md"), output_extension("html")
('markdown', '.html')
>>> text, warnings = convert_text('{"schema": "dast", "document": {"type": "root",'
...     ' "children": [{"type": "thematicBreak"}]}}', "json", "dastdown", "a.json")
>>> text
'---\\n'
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dast.errors import DastError

from . import jsontext
from .diagnostics import CliFailure, Diagnostic, internal_error
from .jsonpos import locate_json_paths

if TYPE_CHECKING:
    from dast.convert.report import ReportEntry
    from dast.errors import Problem
    from dast.nodes import Document

__all__ = [
    "EXTENSIONS",
    "FOLDER_INPUT_FORMATS",
    "FORMAT_ALIASES",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "convert_text",
    "format_name",
    "format_of",
    "json_problem_diagnostics",
    "load",
    "output_extension",
    "parse_error_diagnostic",
    "read_document",
    "render",
]

INPUT_FORMATS = ("json", "dastdown", "markdown", "html")
"""Formats ``dastdown convert`` reads."""

FOLDER_INPUT_FORMATS = ("json", "dastdown", "markdown")
"""Formats picked in a folder without ``--from``: HTML is also an output format, so a
folder is read as HTML only with ``--from html`` (rendered pages are not read back)."""

OUTPUT_FORMATS = ("dastdown", "json", "markdown", "html", "text")
"""Formats ``dastdown convert`` writes."""

FORMAT_ALIASES = {"dast": "json"}
"""Other names a ``--from`` / ``--to`` option accepts: DAST JSON is ``json``."""


def format_name(value: str) -> str:
    """A ``--from`` / ``--to`` value as its format name (case-insensitive, aliases resolved).

    argparse then checks it against the command's choices.

    >>> format_name("dast"), format_name("HTML"), format_name("yaml")
    ('json', 'html', 'yaml')
    """
    name = value.strip().lower()
    return FORMAT_ALIASES.get(name, name)


EXTENSIONS = {
    ".json": "json",
    ".dastdown": "dastdown",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
}
"""File extension (lower case) to format name."""

_OUTPUT_EXTENSIONS = {
    "dastdown": ".dastdown",
    "json": ".json",
    "markdown": ".md",
    "html": ".html",
    "text": ".txt",
}


def format_of(path: str) -> str | None:
    """The format a file extension names, or ``None``.

    >>> format_of("A.JSON"), format_of("a.dastdown"), format_of("a.xml")
    ('json', 'dastdown', None)
    """
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def output_extension(fmt: str) -> str:
    """The extension written for an output format.

    >>> output_extension("markdown")
    '.md'
    """
    return _OUTPUT_EXTENSIONS[fmt]


def _document_base(data: Any) -> tuple[str, ...]:
    """The JSON path of the root node: under ``value`` in a CDA wrapper."""
    from dast.load import unwrap_document

    return ("document",) if unwrap_document(data) is data else ("value", "document")


# Problems about the document object itself (``schema``, ``document``) have
# paths relative to that object, not to the root node.
_DOCUMENT_CODES = frozenset(
    {"invalid-document", "missing-schema", "invalid-schema", "missing-document"}
)


def _problem_json_path(problem: Problem, data: Any) -> tuple[str | int, ...]:
    """Where a validation problem sits in the JSON data."""
    from dast.load import unwrap_document

    base = _document_base(data)
    document = unwrap_document(data)
    path = problem.path
    if problem.code in _DOCUMENT_CODES:
        return (*base[:-1], *path)
    if problem.code == "forbidden-attribute" and len(path) == 1 and isinstance(document, dict):
        root = document.get("document")
        in_root = isinstance(root, dict) and path[0] in root
        if path[0] in document and (not in_root or "document object" in problem.message):
            return (*base[:-1], *path)
    return (*base, *path)


def json_problem_diagnostics(
    text: str, data: Any, problems: Sequence[Problem], display: str
) -> list[Diagnostic]:
    """Diagnostics for validation problems, at their position in the JSON text.

    ``problems`` carry paths relative to the root node (or, for problems of
    the document object itself, to that object); the value they name is
    found in ``text`` (under ``document``, or ``value.document`` for the
    CDA wrapper) and its line and column are reported, with the path in the
    message.

    >>> from dast.errors import Problem
    >>> text = '{"schema": "dast",\\n "document": {"type": "root", "children": []}}'
    >>> [d.render() for d in json_problem_diagnostics(text, json.loads(text),
    ...     [Problem(("children",), "empty-children", "no children")], "a.json")]
    ['a.json:2:43: error: children: no children [empty-children]']
    """
    paths = [_problem_json_path(problem, data) for problem in problems]
    where = locate_json_paths(text, paths)
    return [
        Diagnostic(display, str(problem), *where[path])
        for problem, path in zip(problems, paths, strict=True)
    ]


def parse_error_diagnostic(exc: Any, display: str) -> Diagnostic:
    """A diagnostic for a ``DastdownParseError``: position, message, excerpt.

    The excerpt is the part of the error's text after its first line (the
    offending source line and a caret), when it has one.

    >>> from dastdown.errors import DastdownParseError
    >>> error = DastdownParseError("heading level 7", 3, 1, "####### x")
    >>> print(parse_error_diagnostic(error, "a.dastdown").render())
    a.dastdown:3:1: error: heading level 7
      ####### x
      ^
    """
    excerpt = tuple(str(exc).split("\n")[1:])
    return Diagnostic(display, exc.message, exc.line, exc.column, excerpt=excerpt)


def _load_json(text: str, display: str) -> Document | None:
    from dast.errors import DastValidationError
    from dast.load import load_document

    try:
        data: object = jsontext.loads(text)
    except json.JSONDecodeError as exc:
        raise CliFailure(
            [Diagnostic(display, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]
        ) from None
    try:
        document: Document | None = load_document(data)
        return document
    except DastValidationError as exc:
        raise CliFailure(json_problem_diagnostics(text, data, exc.problems, display)) from None


def _load_dastdown(text: str, display: str) -> Document | None:
    from ..errors import DastdownParseError
    from ..parser import parse

    try:
        return parse(text)
    except DastdownParseError as exc:
        raise CliFailure([parse_error_diagnostic(exc, display)]) from None


def _report_diagnostics(report: Iterable[ReportEntry], display: str) -> list[Diagnostic]:
    """Warnings for the entries of a converter's report (at their source line)."""
    from dast.errors import format_path

    out = []
    for entry in report:
        text = f"{entry.kind} {entry.action}"
        if entry.detail:
            text += f": {entry.detail}"
        if entry.path is not None:
            text = f"{format_path(entry.path) or '(root)'}: {text}"
        out.append(Diagnostic(display, text, entry.line, severity="warning"))
    return out


def load(text: str, fmt: str, display: str) -> tuple[Document | None, list[Diagnostic]]:
    """Read a document from text in format ``fmt`` (one of ``INPUT_FORMATS``).

    What markdown and HTML cannot carry into DAST comes back as warnings at
    their source line.

    >>> load("null", "json", "a.json")
    (None, [])
    >>> doc, warnings = load("<p>a<img src=x.png></p>", "html", "a.html")
    >>> print(warnings[0].render())
    a.html:1: warning: img dropped: <img src="x.png">
    """
    if fmt == "json":
        return _load_json(text, display), []
    if fmt == "dastdown":
        return _load_dastdown(text, display), []
    if fmt == "markdown":
        from dast.convert.from_markdown import from_markdown

        conversion = from_markdown(text)
        return conversion.result, _report_diagnostics(conversion.report, display)
    if fmt == "html":
        from dast.convert.from_html import from_html

        html_conversion = from_html(text)
        return html_conversion.result, _report_diagnostics(html_conversion.report, display)
    raise ValueError(f"not an input format: {fmt!r}")


def render(doc: Document | None, fmt: str, display: str) -> tuple[str, list[Diagnostic]]:
    """Write a document as text in output format ``fmt``.

    ``display`` names the input in warnings about what ``fmt`` cannot express.

    >>> render(None, "json", "a.dastdown")
    ('null\\n', [])
    """
    if fmt == "json":
        data = None if doc is None else doc.to_json()
        return jsontext.dumps(data) + "\n", []
    if fmt == "dastdown":
        from ..serializer import serialize

        return serialize(doc), []
    if fmt == "html":
        from dast.convert.to_html import to_html

        # No record renderers here: blocks and records become visible placeholders.
        conversion = to_html(doc, on_missing="placeholder")
    elif fmt == "markdown":
        from dast.convert.to_markdown import to_markdown

        conversion = to_markdown(doc)
    elif fmt == "text":
        from dast.convert.to_text import to_text

        conversion = to_text(doc)
    else:
        raise ValueError(f"not an output format: {fmt!r}")
    return conversion.result, _report_diagnostics(conversion.report, display)
    raise ValueError(f"not an output format: {fmt!r}")


def _error_diagnostic(exc: DastError, text: str, src: str, display: str) -> Diagnostic:
    """A diagnostic for a converter error, at its node's place in a JSON input.

    Errors that carry a ``path`` (relative to the root node, like the
    serializer's) are located in the JSON text; others name the file only.
    """
    message, *more = str(exc).split("\n")
    details = tuple(more)  # e.g. the report entries of a ConversionError
    path = getattr(exc, "path", None)
    if src == "json" and isinstance(path, tuple):
        try:
            data = jsontext.loads(text)
        except ValueError:  # pragma: no cover - the text was loaded before
            data = None
        full = (*_document_base(data), *path)
        line, column = locate_json_paths(text, [full])[full]
        return Diagnostic(display, message, line, column, excerpt=details)
    return Diagnostic(display, message, excerpt=details)


@contextlib.contextmanager
def _user_errors(text: str, src: str, display: str) -> Iterator[None]:
    """Turn every error about the document (or a crash) into ``CliFailure``."""
    try:
        yield
    except CliFailure:
        raise
    except DastError as exc:
        raise CliFailure([_error_diagnostic(exc, text, src, display)]) from None
    except RecursionError:
        raise CliFailure([Diagnostic(display, "document is nested too deeply")]) from None
    except Exception as exc:  # a bug: reported in one line, the other files go on
        raise CliFailure([internal_error(display, exc)]) from None


def read_document(text: str, src: str, display: str) -> tuple[Document | None, list[Diagnostic]]:
    """Like :func:`load`, but every user error raises ``CliFailure``.

    >>> try:
    ...     read_document("[]", "json", "a.json")
    ... except CliFailure as exc:
    ...     print(exc.diagnostics[0].render()[:50])
    a.json:1:1: error: (root): expected a DAST documen
    """
    with _user_errors(text, src, display):
        return load(text, src, display)


def convert_text(
    text: str, src: str, dst: str, display: str, strict: bool = False
) -> tuple[str, list[Diagnostic]]:
    """Convert ``text`` from format ``src`` to ``dst``; return the text and warnings.

    Every user error (bad input, a document the output format cannot hold)
    raises ``CliFailure`` naming ``display``; with ``strict``, so does any
    warning (what the output format could not express).

    >>> convert_text("null", "json", "json", "a.json")
    ('null\\n', [])
    """
    with _user_errors(text, src, display):
        doc, warnings = load(text, src, display)
        out, more = render(doc, dst, display)
    warnings += more
    if strict and warnings:
        raise CliFailure([replace(w, severity="error") for w in warnings])
    return out, warnings
