"""Compiler-style messages of the ``dastdown`` command.

Every problem the command reports is a :class:`Diagnostic`: a file, an
optional line and column (1-based), a severity and a message, printed as
``path:line:column: error: message`` followed by any excerpt lines (the
offending source line and a caret). Diagnostics are plain frozen dataclasses
so worker processes can send them back to the main process.

>>> print(Diagnostic("a.json", "heading level must be 1..6", line=3, column=7).render())
a.json:3:7: error: heading level must be 1..6
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TextIO

from dast.errors import DastError

if TYPE_CHECKING:
    from ..integrity import IntegrityProblem

__all__ = [
    "CliFailure",
    "Diagnostic",
    "Severity",
    "emit",
    "integrity_diagnostics",
    "internal_error",
    "os_error_message",
]

Severity = Literal["error", "warning"]
"""How bad a diagnostic is: errors fail the command, warnings do not."""


@dataclass(frozen=True)
class Diagnostic:
    """One message about one file, optionally at a line and column.

    >>> Diagnostic("x.md", "tables are dropped", severity="warning").render()
    'x.md: warning: tables are dropped'
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    severity: Severity = "error"
    excerpt: tuple[str, ...] = field(default=())

    def render(self) -> str:
        """The diagnostic as text: the message line, then the excerpt lines.

        >>> Diagnostic("d.dastdown", "bad", 2, 1, excerpt=("  x", "  ^")).render()
        'd.dastdown:2:1: error: bad\\n  x\\n  ^'
        """
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return "\n".join((f"{where}: {self.severity}: {self.message}", *self.excerpt))


class CliFailure(DastError):
    """A user error the command reports (as diagnostics) instead of crashing.

    >>> str(CliFailure([Diagnostic("a.json", "No such file or directory")]))
    'a.json: error: No such file or directory'
    """

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def os_error_message(exc: OSError) -> str:
    """A short message for a failed file operation, without the file name.

    >>> os_error_message(FileNotFoundError(2, "No such file or directory", "a.json"))
    'No such file or directory'
    """
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, NotADirectoryError):
        return "not a directory (a parent of this path is a file)"
    return exc.strerror or str(exc) or type(exc).__name__


def internal_error(display: str, exc: Exception) -> Diagnostic:
    """A diagnostic for an unexpected exception (a bug), kept to one short line.

    The command reports it and goes on with the other files instead of
    stopping with a traceback.

    >>> internal_error("a.json", RuntimeError("boom\\nmore")).render()
    'a.json: error: internal error, please report it: RuntimeError: boom'
    """
    first = str(exc).split("\n", 1)[0]
    if len(first) > 200:
        first = first[:199] + "…"
    return Diagnostic(display, f"internal error, please report it: {type(exc).__name__}: {first}")


def emit(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    """Print diagnostics to ``stream``, one per line (plus excerpts).

    >>> import io
    >>> out = io.StringIO()
    >>> emit([Diagnostic("a", "m", severity="warning")], out)
    >>> out.getvalue()
    'a: warning: m\\n'
    """
    for diagnostic in diagnostics:
        stream.write(diagnostic.render() + "\n")


def integrity_diagnostics(
    problems: Iterable[IntegrityProblem], display: str, strict: bool
) -> list[Diagnostic]:
    """Diagnostics for the records a parse did not account for (``dastdown.integrity``).

    Warnings, or errors with ``strict`` (``--strict``); the rule code ends
    each message, as for validation problems.

    >>> from dastdown.integrity import IntegrityProblem
    >>> problem = IntegrityProblem("missing", "block", "b2", 3, 1, "block 'b2' is missing")
    >>> integrity_diagnostics([problem], "a.dastdown", strict=False)[0].render()
    "a.dastdown:3:1: warning: block 'b2' is missing [missing]"
    """
    severity: Severity = "error" if strict else "warning"
    return [
        Diagnostic(
            display, f"{p.message} [{p.code}]", p.line, p.column, severity=severity
        )
        for p in problems
    ]
