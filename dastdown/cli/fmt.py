"""``dastdown fmt``: rewrite dastdown files in canonical form, in place.

The canonical text of a file is ``serialize(parse(text))``, written with
the file's own line endings (CRLF, CR or LF, see
:func:`dastdown.syntax.line_ending`) and its UTF-8 byte order mark if it
has one. A file that changes is replaced atomically (temporary file in the
same folder, fsync, ``os.replace``, mode kept): it is never left
half-written or truncated. A file that fails to parse is reported and left
byte for byte untouched.

>>> canonical_text("3. one\\n7. two", "a.dastdown")
'1. one\\n2. two\\n'
>>> canonical_text("3. one\\r\\n7. two\\r\\n", "a.dastdown")
'1. one\\r\\n2. two\\r\\n'
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..syntax import to_lf
from .common import (
    add_command,
    add_discovery_options,
    check_inputs_exist,
    print_diagnostics,
    settings_for,
    usage_error,
)
from .diagnostics import CliFailure, Diagnostic, internal_error, os_error_message
from .fileio import UTF8_BOM, atomic_write, decode_utf8
from .files import discover
from .formats import parse_error_diagnostic
from .jsonpos import line_column

__all__ = [
    "FmtOutcome",
    "canonical_text",
    "first_difference",
    "format_file",
    "register",
    "run",
    "run_fmt",
    "unified_diff",
]

_EPILOG = """\
Each file is rewritten in canonical dastdown (what the serializer writes for
the parsed document). Files are replaced atomically and keep their mode; a
file that does not parse is reported and left untouched. Folders are
searched recursively for .dastdown files, skipping .git, node_modules,
virtual environments, __pycache__, what .gitignore files ignore and
--exclude patterns; '-' formats standard input to standard output.

--check changes nothing and prints 'path:line:column: would reformat' (the
first difference) for each file that would change: exit status 1 if any.
--diff changes nothing and prints a unified diff of the changes (exit
status 0, or 1 with --check when a file would change).

examples:
  dastdown fmt notes.dastdown
  dastdown fmt --check content/
  dastdown fmt --diff content/ | less
"""


def canonical_text(text: str, display: str) -> str:
    """The canonical form of dastdown ``text``, in its line endings (``CliFailure`` if bad).

    >>> canonical_text("- [x](u)", "a.dastdown")
    '- [x](u)\\n'
    """
    from ..errors import DastdownParseError
    from ..parser import parse
    from ..serializer import serialize
    from ..syntax import line_ending, with_line_ending

    ending = line_ending(text)
    try:
        canonical = serialize(parse(text))
    except DastdownParseError as exc:
        raise CliFailure([parse_error_diagnostic(exc, display)]) from None
    except RecursionError:
        raise CliFailure([Diagnostic(display, "document is nested too deeply")]) from None
    except Exception as exc:  # a bug must not stop the other files, nor touch this one
        raise CliFailure([internal_error(display, exc)]) from None
    if ending != "\n" and canonical.endswith("\r\n\n") and line_ending(canonical[:-1]) != "\n":
        # the serializer's blank last line keeps a text whose every line ends with a \r of
        # content from reading as CRLF; written with CRLF endings it is not needed
        canonical = canonical[:-1]
    return with_line_ending(canonical, ending)


def first_difference(old: str, new: str) -> tuple[int, int]:
    """The 1-based line and column in ``old`` where ``new`` first differs.

    >>> first_difference("a\\nbc\\n", "a\\nbd\\n")
    (2, 2)
    """
    index = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    return line_column(old, index)


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff from ``old`` to ``new`` (empty when equal), headers naming ``path``.

    >>> print(unified_diff("a.dastdown", "3. x\\n", "1. x\\n"), end="")
    --- a.dastdown
    +++ a.dastdown (formatted)
    @@ -1 +1 @@
    -3. x
    +1. x
    """
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=path,
        tofile=f"{path} (formatted)",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


@dataclass(frozen=True)
class FmtOutcome:
    """What ``fmt`` did to one file: changed (or would change), and any errors.

    ``where`` is the line and column of the first change; ``diff`` the
    unified diff, when asked for.

    >>> FmtOutcome(changed=False).diagnostics
    ()
    """

    changed: bool
    diagnostics: tuple[Diagnostic, ...] = ()
    where: tuple[int, int] | None = None
    diff: str = ""


def format_file(path: str, check: bool, diff: bool = False) -> FmtOutcome:
    """Rewrite one file in canonical form (or, with ``check``, only compare).

    With ``diff`` the outcome carries the unified diff of the change.

    >>> format_file("/nonexistent.dastdown", check=True).diagnostics[0].render()
    '/nonexistent.dastdown: error: No such file or directory'
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return FmtOutcome(False, (Diagnostic(path, os_error_message(exc)),))
    bom = UTF8_BOM if data.startswith(UTF8_BOM) else b""
    try:
        text = decode_utf8(data, path)
        new = bom + canonical_text(text, path).encode("utf-8")
    except CliFailure as exc:
        return FmtOutcome(False, exc.diagnostics)
    if new == data:
        return FmtOutcome(False)
    new_text = new[len(bom) :].decode("utf-8")
    where = first_difference(to_lf(text), to_lf(new_text))
    patch = unified_diff(path, text, new_text) if diff else ""
    if not check:
        try:
            atomic_write(path, new)
        except OSError as exc:
            message = f"cannot write: {os_error_message(exc)}"
            return FmtOutcome(True, (Diagnostic(path, message),), where, patch)
    return FmtOutcome(True, (), where, patch)


def run_fmt(
    paths: Sequence[str],
    check: bool,
    report: Callable[[str, FmtOutcome], None],
    diff: bool = False,
    exclude: Sequence[str] = (),
    ignore: bool = True,
) -> None:
    """Format every dastdown file under ``paths``; ``report(path, outcome)`` each.

    Paths that cannot be read are reported as outcomes with an error.

    >>> run_fmt(["/nonexistent"], False, lambda p, o: print(p, o.diagnostics[0].message))
    /nonexistent No such file or directory
    """
    files, problems = discover(paths, (".dastdown",), exclude=exclude, ignore=ignore)
    for problem in problems:
        if problem.severity == "error":
            report(problem.path, FmtOutcome(False, (problem,)))
        else:
            print_diagnostics([problem])
    for found in files:
        report(found.path, format_file(found.path, check or diff, diff))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``fmt`` to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["fmt", "--diff", "a.dastdown"]).diff
    True
    """
    parser = add_command(
        commands,
        "fmt",
        run,
        help="rewrite dastdown files in canonical form",
        description="Rewrite dastdown files in canonical form, in place.",
        epilog=_EPILOG,
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; name the files that would change (exit 1 if any)",
    )
    parser.add_argument(
        "--diff", action="store_true", help="change nothing; print a unified diff of the changes"
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to format")
    add_discovery_options(parser)


def run(args: argparse.Namespace) -> int:
    """Run ``dastdown fmt``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["fmt", "/nonexistent.dastdown"])
    2
    """
    from .fileio import write_stdout

    if "-" in args.paths:
        if len(args.paths) > 1:
            usage_error(args, "'-' (standard input) cannot be mixed with files")
        return _fmt_stdin(args.check, args.diff)
    for path in args.paths:
        if not os.path.isdir(path) and not path.lower().endswith(".dastdown"):
            usage_error(args, f"cannot format {path!r}: not a .dastdown file")
    check_inputs_exist(args.paths)
    exclude = [*args.exclude, *settings_for(args.paths).exclude]
    failed = changed = 0

    def report(path: str, outcome: FmtOutcome) -> None:
        nonlocal failed, changed
        print_diagnostics(outcome.diagnostics)
        failed += bool(outcome.diagnostics)
        if outcome.changed and not outcome.diagnostics:
            changed += 1
            if args.diff:
                write_stdout(outcome.diff)
            elif args.check:
                line, column = outcome.where or (1, 1)
                write_stdout(f"{path}:{line}:{column}: would reformat\n")
            else:
                sys.stderr.write(f"{path}: reformatted\n")

    run_fmt(args.paths, args.check, report, args.diff, exclude, args.ignore)
    return 1 if failed or (args.check and changed) else 0


def _fmt_stdin(check: bool, diff: bool) -> int:
    from .common import read_input
    from .fileio import write_stdout

    try:
        text = read_input("-")
        new = canonical_text(text, "<stdin>")
    except CliFailure as exc:
        print_diagnostics(exc.diagnostics)
        return 1
    if diff:
        write_stdout(unified_diff("<stdin>", text, new))
        return 1 if check and new != text else 0
    if check:
        if new != text:
            line, column = first_difference(to_lf(text), to_lf(new))
            write_stdout(f"<stdin>:{line}:{column}: would reformat\n")
            return 1
        return 0
    write_stdout(new)
    return 0
