"""``dastdown inspect``: print the node tree of a document, one node per line.

>>> from dastdown.cli import build_parser
>>> build_parser().parse_args(["inspect", "a.json", "--width", "100"]).width
100
"""

from __future__ import annotations

import argparse

from .common import (
    add_command,
    at_least,
    check_inputs_exist,
    input_format,
    print_diagnostics,
    read_input,
    settings_for,
    sniff_format,
)
from .diagnostics import CliFailure, Diagnostic

__all__ = ["register", "run"]

_EPILOG = """\
The format comes from the file extension, or --from; '-' reads standard
input (a JSON object or dastdown text, told apart by a look at it).

examples:
  dastdown inspect article.json
  dastdown inspect notes.dastdown --width 120
  dastdown inspect README.md --from markdown
  cat article.json | dastdown inspect -
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``inspect`` to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["inspect", "-"]).input
    '-'
    """
    from .formats import INPUT_FORMATS, format_name

    parser = add_command(
        commands,
        "inspect",
        run,
        help="print the node tree of a document",
        description="Print the node tree of a document, one node per line.",
        epilog=_EPILOG,
    )
    parser.add_argument("input", metavar="FILE", help="document file, or '-' for stdin")
    parser.add_argument(
        "--from",
        dest="src",
        type=format_name,
        choices=INPUT_FORMATS,
        help="input format, 'dast' for json (default: from FILE)",
    )
    parser.add_argument(
        "--width",
        type=at_least(10),
        metavar="N",
        help="maximum line width of the tree (default: 80)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not print conversion warnings"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``dastdown inspect``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["inspect", "/nonexistent.json"])
    2
    """
    from dast.inspector import inspect

    from .fileio import write_stdout
    from .formats import read_document

    check_inputs_exist([args.input])
    settings = settings_for([args.input])
    src = input_format(args, args.input, args.src or settings.src)
    width = args.width or settings.width or 80
    quiet = args.quiet or settings.quiet
    display = "<stdin>" if args.input == "-" else args.input
    try:
        text = read_input(args.input)
        doc, warnings = read_document(text, src or sniff_format(text), display)
    except CliFailure as exc:
        print_diagnostics(exc.diagnostics)
        return 1
    if not quiet:
        print_diagnostics(warnings)
    try:
        tree = inspect(doc, max_width=width)
    except RecursionError:
        print_diagnostics([Diagnostic(display, "document is nested too deeply to inspect")])
        return 1
    write_stdout(tree if tree.endswith("\n") else tree + "\n")
    return 0
