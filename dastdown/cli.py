"""The ``dastdown`` command: convert, check, format and inspect documents.

``main(argv)`` returns the exit status instead of exiting, so tests call
it directly: 0 when all went well, 1 when problems were found (invalid
documents, failed conversions, files ``fmt --check`` would change), 2 for a
usage error, 130 when interrupted with Ctrl-C. User errors are reported in
compiler style (``path:line:column: error: message``), never as a Python
traceback.

>>> main(["--version"])  # doctest: +ELLIPSIS
dastdown ...
0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from dast.errors import DastError

from .cli_diagnostics import CliFailure, Diagnostic

__all__ = ["build_parser", "main"]

_MAIN_EPILOG = """\
examples:
  dastdown convert article.json -o article.dastdown
  dastdown convert article.dastdown --to json > article.json
  dastdown convert docs/ -o site/ --to html -j 4
  dastdown check docs/ article.json
  dastdown fmt --check docs/
  dastdown inspect article.json --width 100

Run 'dastdown COMMAND --help' for the options of a command.
exit status: 0 ok, 1 problems found, 2 usage error, 130 interrupted.
"""

_CONVERT_EPILOG = """\
formats are inferred from the file extensions:
  .json (DAST JSON, also the CDA {"value": ...} wrapper), .dastdown,
  .md/.markdown (markdown), .html/.htm (HTML output), .txt (text output).
Without --to and an output extension, dastdown input becomes JSON and any
other input becomes dastdown. '-' reads standard input (needs --from) or
writes standard output (the default when -o is not given).

A folder IN is converted recursively into -o DIR, keeping its tree: the
files of the --from format (or of every input format) are converted to the
--to format, in parallel. A failed file is reported and the others go on.
What markdown, HTML or text cannot express is reported as a warning.

examples:
  dastdown convert article.json -o article.dastdown
  dastdown convert article.json --to markdown -o article.md
  cat article.dastdown | dastdown convert - --from dastdown --to html
  dastdown convert content/ -o out/ --from json --to dastdown -j 2
"""

_CHECK_EPILOG = """\
Folders are searched recursively for .json and .dastdown files. Every
problem is printed as 'path:line:column: error: message'. For JSON files the
position is that of the offending value and the message starts with its path
in the document and ends with the rule broken, e.g.
  article.json:12:17: error: children[2].level: ... [heading-level]
The exit status is 1 when any problem is found.

examples:
  dastdown check article.json
  dastdown check content/
"""

_FMT_EPILOG = """\
Each file is rewritten in canonical dastdown (what the serializer writes for
the parsed document). Files are replaced atomically and keep their mode; a
file that does not parse is reported and left untouched. Folders are
searched recursively for .dastdown files; '-' formats standard input to
standard output.

examples:
  dastdown fmt notes.dastdown
  dastdown fmt --check content/
"""

_INSPECT_EPILOG = """\
examples:
  dastdown inspect article.json
  dastdown inspect notes.dastdown --width 120
  dastdown inspect README.md --from markdown
"""


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``minimum``."""

    def convert(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {number})")
        return number

    return convert


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dast-toolkit")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``dastdown`` command and its subcommands.

    >>> build_parser().parse_args(["check", "a.json"]).paths
    ['a.json']
    """
    from .cli_formats import INPUT_FORMATS, OUTPUT_FORMATS

    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="dastdown",
        description="Convert, check, format and inspect DatoCMS Structured Text (DAST)\n"
        "documents, as JSON or as dastdown text.",
        epilog=_MAIN_EPILOG,
        formatter_class=raw,
    )
    parser.add_argument("--version", action="version", version=f"dastdown {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    convert = commands.add_parser(
        "convert",
        help="convert a document or a folder between formats",
        description="Convert a document (or every document in a folder) between DAST JSON,\n"
        "dastdown, markdown, HTML and plain text.",
        epilog=_CONVERT_EPILOG,
        formatter_class=raw,
    )
    convert.add_argument("input", metavar="IN", help="input file, folder, or '-' for stdin")
    convert.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file, or folder when IN is a folder ('-' or absent: stdout)",
    )
    convert.add_argument(
        "--from", dest="src", choices=INPUT_FORMATS, help="input format (default: from IN)"
    )
    convert.add_argument(
        "--to", dest="dst", choices=OUTPUT_FORMATS, help="output format (default: from OUT)"
    )
    convert.add_argument(
        "-j",
        "--jobs",
        type=_at_least(1),
        default=os.cpu_count() or 1,
        metavar="N",
        help="parallel processes for a folder (default: the number of CPUs)",
    )
    convert.add_argument(
        "-q", "--quiet", action="store_true", help="do not print conversion warnings"
    )
    convert.add_argument(
        "--strict",
        action="store_true",
        help="fail (write nothing) when the output cannot express everything",
    )
    convert.set_defaults(run=_run_convert, parser=convert)

    check = commands.add_parser(
        "check",
        help="validate JSON and dastdown files",
        description="Validate DAST JSON and dastdown files and report every problem.",
        epilog=_CHECK_EPILOG,
        formatter_class=raw,
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    check.set_defaults(run=_run_check, parser=check)

    fmt = commands.add_parser(
        "fmt",
        help="rewrite dastdown files in canonical form",
        description="Rewrite dastdown files in canonical form, in place.",
        epilog=_FMT_EPILOG,
        formatter_class=raw,
    )
    fmt.add_argument(
        "--check",
        action="store_true",
        help="change nothing; list the files that would change (exit 1 if any)",
    )
    fmt.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to format")
    fmt.set_defaults(run=_run_fmt, parser=fmt)

    inspect = commands.add_parser(
        "inspect",
        help="print the node tree of a document",
        description="Print the node tree of a document, one node per line.",
        epilog=_INSPECT_EPILOG,
        formatter_class=raw,
    )
    inspect.add_argument("input", metavar="FILE", help="document file, or '-' for stdin")
    inspect.add_argument(
        "--from", dest="src", choices=INPUT_FORMATS, help="input format (default: from FILE)"
    )
    inspect.add_argument(
        "--width",
        type=_at_least(10),
        default=80,
        metavar="N",
        help="maximum line width of the tree (default: 80)",
    )
    inspect.add_argument(
        "-q", "--quiet", action="store_true", help="do not print conversion warnings"
    )
    inspect.set_defaults(run=_run_inspect, parser=inspect)
    return parser


def _usage_error(args: argparse.Namespace, message: str) -> NoReturn:
    """Print the command's usage and ``message``; exit status 2."""
    parser: argparse.ArgumentParser = args.parser
    parser.error(message)


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        sys.stderr.write(diagnostic.render() + "\n")


def _input_format(args: argparse.Namespace) -> str:
    """The input format of a single-input command, or a usage error."""
    from .cli_formats import INPUT_FORMATS, format_of

    if args.src is not None:
        return str(args.src)
    if args.input == "-":
        _usage_error(args, "reading standard input needs --from FORMAT")
    fmt = format_of(args.input)
    if fmt is None:
        _usage_error(args, f"cannot tell the format of {args.input!r} from its name; use --from")
    if fmt not in INPUT_FORMATS:
        _usage_error(args, f"cannot read {fmt} files such as {args.input!r}")
    return fmt


def _read_input(args: argparse.Namespace) -> str:
    from .cli_io import read_stdin, read_text

    if args.input == "-":
        return read_stdin()
    return read_text(args.input)


def _run_convert(args: argparse.Namespace) -> int:
    if args.input != "-" and os.path.isdir(args.input):
        return _run_convert_folder(args)
    from .cli_batch import convert_source, write_output
    from .cli_convert import choose_output_format
    from .cli_io import same_file, write_stdout

    src = _input_format(args)
    output: str | None = args.output
    dst = choose_output_format(src, args.dst, output)
    if dst is None:
        _usage_error(args, f"cannot tell the output format of {output!r} from its name; use --to")
    if output == "-":
        output = None
    if output is not None and args.input != "-" and same_file(args.input, output):
        _usage_error(
            args,
            f"output {output!r} is the input file; use 'dastdown fmt' to rewrite "
            "a dastdown file in place",
        )
    display = "<stdin>" if args.input == "-" else args.input
    out, messages = convert_source(
        lambda: _read_input(args), display, src, dst, args.quiet, args.strict
    )
    _print_diagnostics(messages)
    if out is None:
        return 1
    if output is None:
        write_stdout(out)
        return 0
    error = write_output(output, out)
    if error is not None:
        _print_diagnostics([error])
        return 1
    return 0


def _run_convert_folder(args: argparse.Namespace) -> int:
    from .cli_batch import chunk_size, run_batches
    from .cli_convert import FolderPlan, input_suffixes
    from .cli_files import discover

    output: str | None = args.output
    if output is None or output == "-":
        _usage_error(args, f"{args.input!r} is a folder: give an output folder with -o DIR")
    if args.dst is None:
        _usage_error(args, f"{args.input!r} is a folder: give the output format with --to")
    if os.path.exists(output) and not os.path.isdir(output):
        _usage_error(args, f"{output!r} exists and is not a folder")
    found, problems = discover([args.input], input_suffixes(args.src), skip=output)
    _print_diagnostics(problems)
    if not found and not problems:
        suffixes = "/".join(input_suffixes(args.src))
        sys.stderr.write(f"{args.input}: warning: no {suffixes} files found\n")
    # Planned a batch at a time: the workers convert the first batches while
    # the rest is planned; the refused files are printed before any result.
    plan = FolderPlan(found, output, args.src, args.dst)
    batches = plan.batches(chunk_size(len(found), args.jobs))
    failed = len(problems) + run_batches(
        batches, len(found), args.jobs, args.quiet, sys.stderr, args.strict, plan.not_converted
    )
    if failed:
        sys.stderr.write(f"dastdown: {failed} of {len(found)} files not converted\n")
        return 1
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from .cli_check import CHECKED_SUFFIXES, run_check
    from .cli_io import write_stdout

    for path in args.paths:
        if not os.path.isdir(path) and not path.lower().endswith(CHECKED_SUFFIXES):
            _usage_error(args, f"cannot check {path!r}: not a .json or .dastdown file")
    count = 0

    def report(diagnostic: Diagnostic) -> None:
        nonlocal count
        count += diagnostic.severity == "error"
        write_stdout(diagnostic.render() + "\n")

    checked, bad = run_check(args.paths, report)
    if bad:
        plural = "s" if count != 1 else ""
        sys.stderr.write(f"dastdown: {count} problem{plural} in {bad} of {checked} files checked\n")
        return 1
    return 0


def _run_fmt(args: argparse.Namespace) -> int:
    from .cli_fmt import FmtOutcome, run_fmt
    from .cli_io import write_stdout

    if "-" in args.paths:
        if len(args.paths) > 1:
            _usage_error(args, "'-' (standard input) cannot be mixed with files")
        return _fmt_stdin(args.check)
    for path in args.paths:
        if not os.path.isdir(path) and not path.lower().endswith(".dastdown"):
            _usage_error(args, f"cannot format {path!r}: not a .dastdown file")
    failed = changed = 0

    def report(path: str, outcome: FmtOutcome) -> None:
        nonlocal failed, changed
        _print_diagnostics(outcome.diagnostics)
        failed += bool(outcome.diagnostics)
        if outcome.changed and not outcome.diagnostics:
            changed += 1
            if args.check:
                write_stdout(f"{path}: would reformat\n")
            else:
                sys.stderr.write(f"{path}: reformatted\n")

    run_fmt(args.paths, args.check, report)
    return 1 if failed or (args.check and changed) else 0


def _fmt_stdin(check: bool) -> int:
    from .cli_fmt import canonical_text
    from .cli_io import read_stdin, write_stdout

    try:
        text = read_stdin()
        new = canonical_text(text, "<stdin>")
    except CliFailure as exc:
        _print_diagnostics(exc.diagnostics)
        return 1
    if check:
        if new != text:
            write_stdout("<stdin>: would reformat\n")
            return 1
        return 0
    write_stdout(new)
    return 0


def _run_inspect(args: argparse.Namespace) -> int:
    from dast.inspector import inspect

    from .cli_formats import read_document
    from .cli_io import write_stdout

    src = _input_format(args)
    display = "<stdin>" if args.input == "-" else args.input
    try:
        doc, warnings = read_document(_read_input(args), src, display)
    except CliFailure as exc:
        _print_diagnostics(exc.diagnostics)
        return 1
    if not args.quiet:
        _print_diagnostics(warnings)
    try:
        tree = inspect(doc, max_width=args.width)
    except RecursionError:
        _print_diagnostics([Diagnostic(display, "document is nested too deeply to inspect")])
        return 1
    write_stdout(tree if tree.endswith("\n") else tree + "\n")
    return 0


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the exit flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dastdown`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 ok, 1 problems found, 2 usage error, 130
    interrupted (Ctrl-C), 141 when standard output was closed early.

    >>> main(["check"])
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code: Any = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except KeyboardInterrupt:
        sys.stderr.write("dastdown: interrupted\n")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except CliFailure as exc:  # a user error no command caught itself
        _print_diagnostics(exc.diagnostics)
        return 1
    except DastError as exc:
        sys.stderr.write(f"dastdown: error: {exc}\n")
        return 1
