"""``dastdown fmt``: rewrite dastdown files in canonical form, in place.

The canonical text of a file is ``serialize(parse(text))``. A file that
changes is replaced atomically (temporary file in the same folder, fsync,
``os.replace``, mode kept): it is never left half-written or truncated. A
file that fails to parse is reported and left byte for byte untouched.

>>> canonical_text("3. one\\n7. two", "a.dastdown")
'1. one\\n2. two\\n'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .cli_diagnostics import CliFailure, Diagnostic, internal_error, os_error_message
from .cli_files import discover
from .cli_formats import parse_error_diagnostic
from .cli_io import atomic_write, decode_utf8

__all__ = ["FmtOutcome", "canonical_text", "format_file", "run_fmt"]


def canonical_text(text: str, display: str) -> str:
    """The canonical form of dastdown ``text``; ``CliFailure`` if it does not parse.

    >>> canonical_text("- [x](u)", "a.dastdown")
    '- [x](u)\\n'
    """
    from .errors import DastdownParseError
    from .parser import parse
    from .serializer import serialize

    try:
        return serialize(parse(text))
    except DastdownParseError as exc:
        raise CliFailure([parse_error_diagnostic(exc, display)]) from None
    except RecursionError:
        raise CliFailure([Diagnostic(display, "document is nested too deeply")]) from None
    except Exception as exc:  # a bug must not stop the other files, nor touch this one
        raise CliFailure([internal_error(display, exc)]) from None


@dataclass(frozen=True)
class FmtOutcome:
    """What ``fmt`` did to one file: changed (or would change), and any errors.

    >>> FmtOutcome(changed=False).diagnostics
    ()
    """

    changed: bool
    diagnostics: tuple[Diagnostic, ...] = ()


def format_file(path: str, check: bool) -> FmtOutcome:
    """Rewrite one file in canonical form (or, with ``check``, only compare).

    >>> format_file("/nonexistent.dastdown", check=True).diagnostics[0].render()
    '/nonexistent.dastdown: error: No such file or directory'
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return FmtOutcome(False, (Diagnostic(path, os_error_message(exc)),))
    try:
        text = decode_utf8(data, path)
        new = canonical_text(text, path).encode("utf-8")
    except CliFailure as exc:
        return FmtOutcome(False, exc.diagnostics)
    if new == data:
        return FmtOutcome(False)
    if not check:
        try:
            atomic_write(path, new)
        except OSError as exc:
            return FmtOutcome(True, (Diagnostic(path, f"cannot write: {os_error_message(exc)}"),))
    return FmtOutcome(True)


def run_fmt(paths: Sequence[str], check: bool, report: Callable[[str, FmtOutcome], None]) -> None:
    """Format every dastdown file under ``paths``; ``report(path, outcome)`` each.

    Missing paths are reported as outcomes with an error.

    >>> run_fmt(["/nonexistent"], False, lambda p, o: print(p, o.diagnostics[0].message))
    /nonexistent No such file or directory
    """
    files, problems = discover(paths, (".dastdown",))
    for problem in problems:
        report(problem.path, FmtOutcome(False, (problem,)))
    for found in files:
        report(found.path, format_file(found.path, check))
