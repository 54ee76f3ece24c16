"""The ``dastdown`` command: convert, check, format and inspect documents.

One module per command (:mod:`~dastdown.cli.convert`, :mod:`~dastdown.cli.check`,
:mod:`~dastdown.cli.fmt`, :mod:`~dastdown.cli.inspect`), each with a
``register(commands)`` function adding its parser; a new command is one
module plus one line in :data:`COMMANDS`. Shared modules: ``common``
(options, usage errors, input), ``files`` (discovery), ``settings``
(``[tool.dastdown]``), ``fileio`` (atomic writes), ``batch`` (parallel
work), ``formats``, ``jsontext``, ``jsonpos``, ``diagnostics``,
``progress`` and ``signals``.

``main(argv)`` returns the exit status instead of exiting, so tests call
it directly: 0 when all went well, 1 when problems were found (invalid
documents, failed conversions, files ``fmt --check`` would change), 2 for a
usage error or a missing input file, 130 when interrupted with Ctrl-C, 143
on SIGTERM. User errors are reported in compiler style
(``path:line:column: error: message``), never as a Python traceback.

>>> main(["--version"])  # doctest: +ELLIPSIS
dastdown ...
0
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from dast.errors import DastError

from .common import MissingInputs, print_diagnostics
from .diagnostics import CliFailure, Diagnostic
from .signals import debug, handle_signals, interrupt_status

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS = (
    "convert",
    "check",
    "fmt",
    "inspect",
    "pull",
    "push",
    "diff",
    "xliff",
    "units",
)
"""The command modules of this package, in the order ``--help`` lists them."""

_MAIN_EPILOG = """\
examples:
  dastdown convert article.json -o article.dastdown
  dastdown convert article.dastdown --to json > article.json
  dastdown convert docs/ -o site/ --to html -j 4
  dastdown check docs/ article.json
  dastdown fmt --check docs/
  dastdown inspect article.json --width 100

Run 'dastdown COMMAND --help' for the options of a command. Defaults can be
set in [tool.dastdown] in the nearest pyproject.toml.
exit status: 0 ok, 1 problems found, 2 usage error or missing input,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
"""


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
    parser = argparse.ArgumentParser(
        prog="dastdown",
        description="Convert, check, format and inspect DatoCMS Structured Text (DAST)\n"
        "documents, as JSON or as dastdown text.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dastdown {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dastdown`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 ok, 1 problems found, 2 usage error or
    missing input, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 141
    when standard output was closed early.

    >>> main(["check"])
    2
    """
    from .fileio import discard_temporaries, silence_stdout
    from .settings import SettingsError

    with handle_signals():
        try:
            debug(f"pid {os.getpid()}")
            parser = build_parser()
            args = parser.parse_args(argv)
            run: Callable[[argparse.Namespace], int] = args.run
            return run(args)
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code: Any = exc.code
            return code if isinstance(code, int) else (0 if code is None else 2)
        except KeyboardInterrupt as exc:  # Ctrl-C (SIGINT) or SIGTERM
            discard_temporaries()
            sys.stderr.write("dastdown: interrupted\n")
            return interrupt_status(exc)
        except BrokenPipeError:
            silence_stdout()
            return 141
        except MissingInputs as exc:
            print_diagnostics([Diagnostic(p, "No such file or directory") for p in exc.paths])
            return 2
        except SettingsError as exc:
            print_diagnostics(exc.diagnostics)
            return 2
        except CliFailure as exc:  # a user error no command caught itself
            print_diagnostics(exc.diagnostics)
            return 1
        except DastError as exc:
            sys.stderr.write(f"dastdown: error: {exc}\n")
            return 1
