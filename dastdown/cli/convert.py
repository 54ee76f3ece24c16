"""``dastdown convert``: one file (or standard input), or many files and folders.

Choosing formats: an explicit ``--from`` / ``--to`` wins, then the file
extension (or, for standard input, a look at the text: a JSON object or
dastdown); with neither, a dastdown input becomes JSON and anything else
becomes dastdown. Folders (and several inputs) are converted into an output
folder keeping their trees, in parallel (see :mod:`dastdown.cli.batch`).
Outputs are written only after a successful conversion and atomically, an
output that would overwrite an input is refused, and an output folder
inside an input folder is not read back as input.

>>> choose_output_format("json", None, None), choose_output_format("dastdown", None, "-")
('dastdown', 'json')
>>> plan_folder([], "out", None, "json")
([], [])
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from .batch import Task
from .common import (
    add_command,
    add_discovery_options,
    add_integrity_options,
    at_least,
    check_inputs_exist,
    input_format,
    load_original,
    print_diagnostics,
    read_input,
    settings_for,
    sniff_format,
    usage_error,
)
from .diagnostics import CliFailure, Diagnostic, integrity_diagnostics, os_error_message
from .files import Found
from .formats import (
    EXTENSIONS,
    FOLDER_INPUT_FORMATS,
    INPUT_FORMATS,
    OUTPUT_FORMATS,
    format_name,
    format_of,
    output_extension,
)

if TYPE_CHECKING:
    from dast.nodes import Document

__all__ = [
    "FolderPlan",
    "choose_output_format",
    "input_suffixes",
    "plan_folder",
    "prepare_folders",
    "register",
    "run",
]

_EPILOG = """\
formats are inferred from the file extensions:
  .json (DAST JSON, also the CDA {"value": ...} wrapper), .dastdown,
  .md/.markdown (markdown), .html/.htm (HTML output), .txt (text output).
Without --to and an output extension, dastdown input becomes JSON and any
other input becomes dastdown. '-' reads standard input (a JSON object or
dastdown text, told apart by a look at it, unless --from says) or writes
standard output (the default when -o is not given).

A folder IN, or several inputs, are converted into -o DIR, keeping each
folder's tree: the files of the --from format (or of every input format)
are converted to the --to format, in parallel. Folders are searched
recursively, skipping .git, node_modules, virtual environments,
__pycache__, what .gitignore files ignore and --exclude patterns (files
named on the command line are always converted). A failed file is reported
and the others go on. What markdown, HTML or text cannot express is reported
as a warning. Defaults can be set in [tool.dastdown] in pyproject.toml
(to, from, exclude, jobs, quiet, strict).

A dastdown input is checked for placeholders: one a language model
mangled (<block id='X' />) is an error with a suggestion; a block id given
twice or a text wrapped in a ``` fence is a warning (an error with
--strict). With --original FILE (the JSON the dastdown was made from, e.g.
a ?nested=true record value), the original's block records are put back
and every block, inline block, item link and inline item of it must be
accounted for, in the same way.

examples:
  dastdown convert article.json -o article.dastdown
  dastdown convert article.dastdown --original article.json --strict -o new.json
  dastdown convert article.json --to markdown -o article.md
  cat article.dastdown | dastdown convert - --to html
  dastdown convert content/ -o out/ --from json --to dastdown -j 2
  dastdown convert a.json b.json drafts/ -o out/ --to markdown --exclude 'old/'
"""


def choose_output_format(src: str, to: str | None, output: str | None) -> str | None:
    """The output format: ``--to``, else the output's extension, else the default.

    ``None`` means the output file's extension names no format.

    >>> choose_output_format("json", None, "page.html"), choose_output_format("json", None, "x.y")
    ('html', None)
    """
    if to is not None:
        return to
    if output is not None and output != "-":
        return format_of(output)
    return "json" if src == "dastdown" else "dastdown"


def input_suffixes(src: str | None) -> tuple[str, ...]:
    """The extensions of the input files to pick in a folder.

    >>> input_suffixes("markdown")
    ('.md', '.markdown')
    >>> input_suffixes(None)
    ('.json', '.dastdown', '.md', '.markdown')
    """
    formats = FOLDER_INPUT_FORMATS if src is None else (src,)
    return tuple(ext for ext, fmt in EXTENSIONS.items() if fmt in formats)


class _Resolver:
    """``os.path.realpath`` for many files, resolving each folder only once.

    A file known to be a symbolic link is resolved itself; for the others
    only their folder is.
    """

    def __init__(self) -> None:
        self.folders: dict[str, str] = {}

    def __call__(self, path: str, link: bool) -> str:
        if link:
            return os.path.realpath(path)
        folder, name = os.path.split(path)
        real = self.folders.get(folder)
        if real is None:
            real = self.folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)


class FolderPlan:
    """The conversion of the files found in a folder, planned a chunk at a time.

    Each input ``sub/a.json`` goes to ``out_dir/sub/a<ext of dst>``. An
    output that is one of the inputs, or that two inputs would both write,
    is refused; so is a file whose output folder cannot be created (each
    output folder is created once, when first needed). The plan remembers
    the outputs already given out, so the refusals are the same whether the
    files come in one chunk or many; the refused files are collected in
    :attr:`refused` and :attr:`unwritable`.

    >>> plan = FolderPlan([Found("in/a.json", "in", "a.json"),
    ...     Found("in/a.md", "in", "a.md")], "out", None, "html")
    >>> [t.target for t in plan.plan(plan.found[:1])], plan.plan(plan.found[1:])
    (['out/a.html'], [])
    >>> [d.render() for d in plan.refused]
    ['in/a.md: error: not converted: out/a.html is also the output of in/a.json']
    """

    def __init__(self, found: Sequence[Found], out_dir: str, src: str | None, dst: str) -> None:
        self.found = found
        self.out_dir = out_dir
        self.src = src
        self.dst = dst
        self.refused: list[Diagnostic] = []
        """Files not converted because of their output path."""
        self.unwritable: list[Diagnostic] = []
        """Files not converted because their output folder cannot be created."""
        # A new output folder holds no file yet, so no output can be an input
        # (the walk skipped the output folder) and only same paths can collide:
        # nothing needs resolving. An existing one may hold links, inputs...
        self._existing = os.path.lexists(out_dir)
        self._resolve = _Resolver()
        resolve = self._resolve
        self._inputs = {resolve(f.path, f.link) for f in found} if self._existing else set()
        self._targets: dict[str, str] = {}  # output (resolved) -> the input writing it
        self._ext = output_extension(dst)
        # folder of ``relative`` -> (where its outputs go, the folder to create)
        self._folders: dict[str, tuple[str, str]] = {}
        self._created: dict[str, str | None] = {}  # folder created -> error message

    def plan(self, found: Iterable[Found], create: bool = True) -> list[Task]:
        """The tasks for these files (refused ones left out), output folders created.

        With ``create=False`` no folder is created (nor checked).

        >>> FolderPlan([], "out", None, "json").plan([])
        []
        """
        src, dst, ext = self.src, self.dst, self._ext
        existing, resolve, inputs, targets = (
            self._existing,
            self._resolve,
            self._inputs,
            self._targets,
        )
        folders, created = self._folders, self._created
        tasks: list[Task] = []
        for item in found:
            head, _, name = item.relative.rpartition("/")
            dot = name.rfind(".")
            fmt = src or EXTENSIONS.get(name[dot:].lower()) if dot >= 0 else src
            if fmt is None:
                message = "not converted: cannot tell its format from its name"
                self.refused.append(Diagnostic(item.path, message))
                continue
            # the stem as os.path.splitext gives it: leading dots are no extension
            stem = name[:dot] if dot > 0 and name[:dot].lstrip(".") else name
            place = folders.get(head)
            if place is None:
                base = (
                    os.path.join(self.out_dir, head.replace("/", os.sep)) if head else self.out_dir
                )
                place = folders[head] = (base, os.path.dirname(os.path.join(base, stem)))
            target = os.path.join(place[0], stem + ext)
            key = resolve(target, os.path.islink(target)) if existing else target
            if key in inputs:
                message = f"not converted: {target} would overwrite an input file"
                self.refused.append(Diagnostic(item.path, message))
                continue
            if key in targets:
                message = f"not converted: {target} is also the output of {targets[key]}"
                self.refused.append(Diagnostic(item.path, message))
                continue
            targets[key] = item.path
            if create:
                folder = place[1]
                if folder not in created:
                    created[folder] = _make_folder(folder)
                error = created[folder]
                if error is not None:
                    message = f"cannot create folder {folder}: {error}"
                    self.unwritable.append(Diagnostic(item.path, message))
                    continue
            tasks.append(Task(item.path, target, fmt, dst))
        return tasks

    def batches(self, size: int) -> Iterator[list[Task]]:
        """Plan all the files, ``size`` at a time; yield each non-empty chunk of tasks.

        >>> list(FolderPlan([], "out", None, "json").batches(64))
        []
        """
        found = self.found
        for start in range(0, len(found), size):
            tasks = self.plan(found[start : start + size])
            if tasks:
                yield tasks

    def not_converted(self) -> list[Diagnostic]:
        """The files refused so far: for their output path, then for their folder.

        >>> FolderPlan([], "out", None, "json").not_converted()
        []
        """
        return self.refused + self.unwritable


def _make_folder(folder: str) -> str | None:
    """Create ``folder`` (and its parents); return the error message, if any."""
    try:
        os.makedirs(folder or ".", exist_ok=True)
    except OSError as exc:
        return os_error_message(exc)
    return None


def plan_folder(
    found: Sequence[Found], out_dir: str, src: str | None, dst: str
) -> tuple[list[Task], list[Diagnostic]]:
    """The conversion tasks for files found in a folder, and refused files.

    All of :class:`FolderPlan` at once, without creating any folder (see
    :func:`prepare_folders`).

    >>> tasks, refused = plan_folder([Found("in/a.json", "in", "a.json"),
    ...     Found("in/a.md", "in", "a.md")], "out", None, "html")
    >>> [t.target for t in tasks], [d.render() for d in refused]
    (['out/a.html'], ['in/a.md: error: not converted: out/a.html is also the output of in/a.json'])
    """
    plan = FolderPlan(found, out_dir, src, dst)
    tasks = plan.plan(found, create=False)
    return tasks, plan.refused


def prepare_folders(tasks: Sequence[Task]) -> tuple[list[Task], list[Diagnostic]]:
    """Create the output folders; drop (and report) tasks whose folder fails.

    >>> prepare_folders([])
    ([], [])
    """
    failed: dict[str, str | None] = {}
    kept: list[Task] = []
    refused: list[Diagnostic] = []
    for task in tasks:
        folder = os.path.dirname(task.target)
        if folder not in failed:
            failed[folder] = _make_folder(folder)
        error = failed[folder]
        if error is not None:
            refused.append(Diagnostic(task.source, f"cannot create folder {folder}: {error}"))
        else:
            kept.append(task)
    return kept, refused


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``convert`` to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["convert", "a.json", "b.json", "-o", "out"]).inputs
    ['a.json', 'b.json']
    """
    parser = add_command(
        commands,
        "convert",
        run,
        help="convert documents or folders between formats",
        description="Convert a document (or every document in folders) between DAST JSON,\n"
        "dastdown, markdown, HTML and plain text.",
        epilog=_EPILOG,
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="IN", help="input files or folders, or '-' for stdin"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file, or folder for folders and several inputs ('-' or absent: stdout)",
    )
    parser.add_argument(
        "--from",
        dest="src",
        type=format_name,
        choices=INPUT_FORMATS,
        help="input format, 'dast' for json (default: from IN)",
    )
    parser.add_argument(
        "--to",
        dest="dst",
        type=format_name,
        choices=OUTPUT_FORMATS,
        help="output format, 'dast' for json (default: from OUT)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=at_least(1),
        metavar="N",
        help="parallel processes for folders (default: the number of CPUs)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not print conversion warnings"
    )
    add_integrity_options(
        parser,
        "fail (write nothing) when the output cannot express everything, or when a "
        "dastdown input lost, duplicated or mangled a record (see --original)",
    )
    add_discovery_options(parser)


def _apply_settings(args: argparse.Namespace) -> None:
    """Fill the options not given on the command line from ``[tool.dastdown]``."""
    settings = settings_for(args.inputs)
    if args.src is None:
        args.src = settings.src
    if args.dst is None:
        args.dst = settings.to
    if args.jobs is None:
        args.jobs = settings.jobs or os.cpu_count() or 1
    args.quiet = args.quiet or settings.quiet
    args.strict = args.strict or settings.strict
    args.exclude = [*args.exclude, *settings.exclude]


def run(args: argparse.Namespace) -> int:
    """Run ``dastdown convert``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["convert", "/nonexistent.json"])
    2
    """
    _apply_settings(args)
    if len(args.inputs) == 1 and (args.inputs[0] == "-" or not os.path.isdir(args.inputs[0])):
        return _convert_one(args, args.inputs[0])
    if args.original is not None:
        usage_error(args, "--original goes with one dastdown input, not with folders")
    if "-" in args.inputs:
        usage_error(args, "'-' (standard input) cannot be mixed with other inputs")
    return _convert_many(args)


def _convert_one(args: argparse.Namespace, path: str) -> int:
    from .batch import convert_source, write_output
    from .fileio import same_file, write_stdout

    src = input_format(args, path, args.src)
    output: str | None = args.output
    if output is not None and output != "-" and args.dst is None and format_of(output) is None:
        usage_error(args, f"cannot tell the output format of {output!r} from its name; use --to")
    check_inputs_exist([path])
    if src is None:  # standard input: look at it
        text = read_input(path)
        src = sniff_format(text)

        def read() -> str:
            return text

    else:

        def read() -> str:
            return read_input(path)

    dst = choose_output_format(src, args.dst, output)
    assert dst is not None  # an output name without a format was refused above
    if output == "-":
        output = None
    if output is not None and path != "-" and same_file(path, output):
        usage_error(
            args,
            f"output {output!r} is the input file; use 'dastdown fmt' to rewrite "
            "a dastdown file in place",
        )
    display = "<stdin>" if path == "-" else path
    if args.original is not None and src != "dastdown":
        usage_error(args, f"--original goes with a dastdown input, not {src}")
    if src == "dastdown":
        out, messages = _convert_dastdown(read, display, dst, args, load_original(args))
    else:
        out, messages = convert_source(read, display, src, dst, args.quiet, args.strict)
    print_diagnostics(messages)
    if out is None:
        return 1
    if output is None:
        write_stdout(out)
        return 0
    error = write_output(output, out)
    if error is not None:
        print_diagnostics([error])
        return 1
    return 0


def _convert_dastdown(
    read: Callable[[], str],
    display: str,
    dst: str,
    args: argparse.Namespace,
    original: Document | None,
) -> tuple[str | None, list[Diagnostic]]:
    """Convert one dastdown input, accounting for its records (against ``original``).

    Integrity problems are warnings (hidden by ``--quiet``), or errors that
    stop the conversion with ``--strict``, like what the output format
    cannot express.
    """
    from dataclasses import replace

    from dast.errors import DastError

    from ..errors import DastdownIntegrityError, DastdownParseError
    from ..parser import parse_with_report
    from .formats import parse_error_diagnostic, render

    try:
        text = read()
    except CliFailure as exc:
        return None, list(exc.diagnostics)
    try:
        doc, report = parse_with_report(text, original, strict=args.strict)
    except DastdownIntegrityError as exc:
        return None, integrity_diagnostics(exc.problems, display, strict=True)
    except DastdownParseError as exc:
        return None, [parse_error_diagnostic(exc, display)]
    except RecursionError:
        return None, [Diagnostic(display, "document is nested too deeply")]
    warnings = integrity_diagnostics(report.problems, display, strict=False)
    try:
        out, more = render(doc, dst, display)
    except DastError as exc:  # what the output format cannot hold at all
        message, *details = str(exc).split("\n")
        return None, [Diagnostic(display, message, excerpt=tuple(details))]
    except RecursionError:
        return None, [Diagnostic(display, "document is nested too deeply")]
    warnings += more
    if args.strict and warnings:
        return None, [replace(w, severity="error") for w in warnings]
    return out, [] if args.quiet else warnings


def _convert_many(args: argparse.Namespace) -> int:
    from .batch import chunk_size, run_batches
    from .files import discover

    output: str | None = args.output
    what = f"{args.inputs[0]!r} is a folder" if len(args.inputs) == 1 else "several inputs"
    if output is None or output == "-":
        usage_error(args, f"{what}: give an output folder with -o DIR")
    if args.dst is None:
        usage_error(args, f"{what}: give the output format with --to")
    if os.path.exists(output) and not os.path.isdir(output):
        usage_error(args, f"{output!r} exists and is not a folder")
    check_inputs_exist(args.inputs)
    found, problems = discover(
        args.inputs, input_suffixes(args.src), skip=output, exclude=args.exclude, ignore=args.ignore
    )
    print_diagnostics(problems)
    if not found and not any(p.severity == "error" for p in problems):
        suffixes = "/".join(input_suffixes(args.src))
        where = args.inputs[0] if len(args.inputs) == 1 else "dastdown"
        sys.stderr.write(f"{where}: warning: no {suffixes} files found\n")
    # Planned a batch at a time: the workers convert the first batches while
    # the rest is planned; the refused files are printed before any result.
    plan = FolderPlan(found, output, args.src, args.dst)
    batches = plan.batches(chunk_size(len(found), args.jobs))
    errors = sum(p.severity == "error" for p in problems)  # folders that could not be read
    failed = errors + run_batches(
        batches, len(found), args.jobs, args.quiet, sys.stderr, args.strict, plan.not_converted
    )
    if failed:
        total = len(found) + errors
        sys.stderr.write(f"dastdown: {failed} of {total} files not converted\n")
        return 1
    return 0
