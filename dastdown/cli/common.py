"""What the command modules share: options, usage errors, input, settings, output.

Each command module (``convert``, ``check``, ...) defines ``register(commands)``
that adds its parser with :func:`add_command` and sets ``run`` to the function
running it. The helpers here turn problems into compiler-style messages and
exit statuses: 2 for a usage error (:func:`usage_error`, a missing input
file), 1 for problems found.

>>> sniff_format('  {"schema": "dast"}'), sniff_format("# Title")
('json', 'dastdown')
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from .diagnostics import Diagnostic
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from dast.nodes import Document

__all__ = [
    "MissingInputs",
    "add_command",
    "add_discovery_options",
    "add_integrity_options",
    "at_least",
    "check_inputs_exist",
    "input_format",
    "load_original",
    "print_diagnostics",
    "read_input",
    "settings_for",
    "sniff_format",
    "usage_error",
]

Runner = Callable[[argparse.Namespace], int]


class MissingInputs(Exception):
    """Input paths that do not exist (reported by ``main``; exit status 2).

    >>> MissingInputs(["a.json"]).paths
    ('a.json',)
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)
        super().__init__(", ".join(self.paths))


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``minimum``.

    >>> at_least(1)("3")
    3
    """

    def convert(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {number})")
        return number

    return convert


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    run: Runner,
    *,
    help: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    """Add the subcommand ``name``, run by ``run(args) -> exit status``.

    >>> parser = argparse.ArgumentParser()
    >>> sub = add_command(parser.add_subparsers(), "x", lambda a: 0, help="h",
    ...     description="d", epilog="e")
    >>> parser.parse_args(["x"]).run(None)
    0
    """
    parser = commands.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run, parser=parser)
    return parser


def add_discovery_options(parser: argparse.ArgumentParser) -> None:
    """The ``--exclude`` and ``--no-ignore`` options of the commands that walk folders.

    >>> parser = argparse.ArgumentParser()
    >>> add_discovery_options(parser)
    >>> parser.parse_args(["--exclude", "a/", "--exclude", "*.md"]).exclude
    ['a/', '*.md']
    """
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip the files and folders matching GLOB in folders (gitignore syntax; repeatable)",
    )
    parser.add_argument(
        "--no-ignore",
        dest="ignore",
        action="store_false",
        help="also walk .git, node_modules, virtual environments, __pycache__ and "
        "what .gitignore files ignore",
    )


def add_integrity_options(parser: argparse.ArgumentParser, strict_help: str) -> None:
    """The ``--original`` and ``--strict`` options of the commands that read edited dastdown.

    >>> parser = argparse.ArgumentParser()
    >>> add_integrity_options(parser, "fail on problems")
    >>> args = parser.parse_args(["--original", "a.json", "--strict"])
    >>> (args.original, args.strict)
    ('a.json', True)
    """
    parser.add_argument(
        "--original",
        metavar="FILE",
        help="the document the dastdown was made from (JSON, e.g. a ?nested=true record "
        "value): its blocks are put back, and every block, inline block, item link and "
        "inline item of it must be accounted for",
    )
    parser.add_argument("--strict", action="store_true", help=strict_help)


def load_original(args: argparse.Namespace) -> Document | None:
    """The ``--original`` document (``None`` without the option); exit 2 if it is unusable.

    >>> load_original(argparse.Namespace(original=None)) is None
    True
    """
    from .diagnostics import CliFailure
    from .formats import read_document

    path: str | None = args.original
    if path is None:
        return None
    if path == "-":
        usage_error(args, "--original cannot be standard input")
    check_inputs_exist([path])
    fmt = input_format(args, path, None)
    assert fmt is not None
    try:
        doc, _ = read_document(read_input(path), fmt, path)
    except CliFailure as exc:
        print_diagnostics(exc.diagnostics)
        usage_error(args, f"the original document {path!r} cannot be read")
    return doc


def usage_error(args: argparse.Namespace, message: str) -> NoReturn:
    """Print the command's usage and ``message``; exit status 2.

    >>> parser = argparse.ArgumentParser(prog="x")
    >>> try:
    ...     usage_error(argparse.Namespace(parser=parser), "bad")  # "x: error: bad" on stderr
    ... except SystemExit as exc:
    ...     exc.code
    2
    """
    parser: argparse.ArgumentParser = args.parser
    parser.error(message)


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Print diagnostics on standard error, one per line (plus excerpts).

    >>> print_diagnostics([])
    """
    for diagnostic in diagnostics:
        sys.stderr.write(diagnostic.render() + "\n")


def check_inputs_exist(paths: Sequence[str]) -> None:
    """Raise :class:`MissingInputs` naming every path that does not exist (``-`` is stdin).

    >>> check_inputs_exist(["-"])
    >>> check_inputs_exist(["/nonexistent/a.json"])
    Traceback (most recent call last):
    ...
    dastdown.cli.common.MissingInputs: /nonexistent/a.json
    """
    missing = []
    for path in paths:
        if path == "-":
            continue
        try:
            os.stat(path)
        except FileNotFoundError:
            missing.append(path)
        except OSError:
            pass  # reported when the file is read
    if missing:
        raise MissingInputs(missing)


def settings_for(paths: Sequence[str]) -> Settings:
    """The ``[tool.dastdown]`` settings for a command on ``paths`` (see ``settings``).

    >>> settings_for(["/"]).path is None or settings_for(["/"]).path.endswith("pyproject.toml")
    True
    """
    first = next((p for p in paths if p != "-"), None)
    if first is None:
        start = os.getcwd()
    else:
        start = first if os.path.isdir(first) else os.path.dirname(os.path.abspath(first))
    return load_settings(start)


def sniff_format(text: str) -> str:
    """The format of a text read from standard input: a JSON object (or null) or dastdown.

    >>> sniff_format("null"), sniff_format("- item")
    ('json', 'dastdown')
    """
    head = text.lstrip(" \t\r\n\ufeff")
    if head.startswith("{") or head.rstrip() == "null":
        return "json"
    return "dastdown"


def input_format(args: argparse.Namespace, path: str, src: str | None) -> str | None:
    """The input format of ``path``: ``src`` (``--from``), its extension, or a usage error.

    ``None`` for standard input without ``--from``: the caller sniffs the text.

    >>> input_format(argparse.Namespace(), "a.md", None)
    'markdown'
    """
    from .formats import INPUT_FORMATS, format_of

    if src is not None:
        return src
    if path == "-":
        return None
    fmt = format_of(path)
    if fmt is None:
        usage_error(args, f"cannot tell the format of {path!r} from its name; use --from")
    if fmt not in INPUT_FORMATS:
        usage_error(args, f"cannot read {fmt} files such as {path!r}")
    return fmt


def read_input(path: str) -> str:
    """The text of ``path``, or of standard input for ``-`` (``CliFailure`` on errors).

    >>> read_input("/nonexistent.json")
    Traceback (most recent call last):
    ...
    dastdown.cli.diagnostics.CliFailure: /nonexistent.json: error: No such file or directory
    """
    from .fileio import read_stdin, read_text
    from .signals import debug

    if path == "-":
        debug("reading standard input")
        return read_stdin()
    return read_text(path)
