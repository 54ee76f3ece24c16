"""``dastdown diff A B``: the structural changes between two documents.

Like diff(1): exit status 0 when the documents are equal, 1 when they
differ, 2 when an input is missing, unreadable or not valid DAST (or on a
usage error). One line per change (``path: what changed``), coloured on a
terminal (``--color``); ``--html FILE`` also writes the review page of the
two documents side by side (``dast.review``).

>>> from dastdown.cli import build_parser
>>> build_parser().parse_args(["diff", "a.json", "b.dastdown", "--html", "r.html"]).html
'r.html'
"""

from __future__ import annotations

import argparse
import os
import sys

from .common import (
    add_command,
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
Each file is DAST JSON (a document or the CDA wrapper) or dastdown, told by
its extension or --from; '-' reads one of them from standard input.

examples:
  dastdown diff before.json after.json
  dastdown diff article.json edited.dastdown --html review.html
  dastdown diff old.dastdown new.dastdown --color never | less

exit status: 0 equal, 1 different, 2 missing, unreadable or invalid input.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``diff`` to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["diff", "a.json", "b.json"]).color
    'auto'
    """
    from .formats import INPUT_FORMATS, format_name

    parser = add_command(
        commands,
        "diff",
        run,
        help="show the structural changes between two documents",
        description="Show the structural changes between two documents, one per line.",
        epilog=_EPILOG,
    )
    parser.add_argument("old", metavar="A", help="the document before ('-' for stdin)")
    parser.add_argument("new", metavar="B", help="the document after ('-' for stdin)")
    parser.add_argument(
        "--from",
        dest="src",
        type=format_name,
        choices=INPUT_FORMATS,
        help="input format, 'dast' for json (default: from the names)",
    )
    parser.add_argument(
        "--html", metavar="FILE", help="also write a review page (HTML) of the two documents"
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the changes: auto (on a terminal, unless NO_COLOR is set), always, never",
    )


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def run(args: argparse.Namespace) -> int:
    """Run ``dastdown diff``; return the exit status (0 equal, 1 different, 2 trouble).

    >>> from dastdown.cli import main
    >>> main(["diff", "/nonexistent.json", "/nonexistent.dastdown"])
    2
    """
    from dast.errors import DastError
    from dast.review import ReviewEntry, review_text, write_review

    from .fileio import write_stdout
    from .formats import read_document

    if args.old == "-" and args.new == "-":
        from .common import usage_error

        usage_error(args, "only one of A and B can be standard input")
    check_inputs_exist([args.old, args.new])
    settings = settings_for([args.old, args.new])
    docs = []
    for path in (args.old, args.new):
        src = input_format(args, path, args.src or settings.src)
        display = "<stdin>" if path == "-" else path
        try:
            text = read_input(path)
            doc, _warnings = read_document(text, src or sniff_format(text), display)
        except CliFailure as exc:
            print_diagnostics(exc.diagnostics)
            return 2
        docs.append(doc)
    old_name = "<stdin>" if args.old == "-" else args.old
    new_name = "<stdin>" if args.new == "-" else args.new
    entry = ReviewEntry(f"{old_name} → {new_name}", "document", docs[0], docs[1])
    try:
        report = review_text([entry], color=_use_color(args.color))
    except (DastError, RecursionError) as exc:
        print_diagnostics([Diagnostic(old_name, f"cannot compare the documents: {exc}")])
        return 2
    lines = report.split("\n", 1)
    changes = lines[1] if len(lines) > 1 else ""
    if changes:
        write_stdout(changes + "\n")
    if args.html:
        try:
            write_review(args.html, [entry], title=f"dastdown diff {old_name} {new_name}")
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print_diagnostics([Diagnostic(args.html, f"cannot write the review page: {reason}")])
            return 2
    return 1 if changes else 0
