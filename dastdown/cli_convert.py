"""``dastdown convert``: one file (or standard input) or a whole folder.

Choosing formats: an explicit ``--from`` / ``--to`` wins, then the file
extension; with neither, a dastdown input becomes JSON and anything else
becomes dastdown. A folder is converted into an output folder keeping its
tree, in parallel (see :mod:`dastdown.cli_batch`). Outputs are written only
after a successful conversion and atomically, an output that would
overwrite an input is refused, and an output folder inside the input folder
is not read back as input.

>>> choose_output_format("json", None, None), choose_output_format("dastdown", None, "-")
('dastdown', 'json')
>>> plan_folder([], "out", None, "json")
([], [])
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence

from .cli_batch import Task
from .cli_diagnostics import Diagnostic, os_error_message
from .cli_files import Found
from .cli_formats import EXTENSIONS, INPUT_FORMATS, format_of, output_extension

__all__ = ["choose_output_format", "input_suffixes", "plan_folder", "prepare_folders"]


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
    formats = INPUT_FORMATS if src is None else (src,)
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


def plan_folder(
    found: Sequence[Found], out_dir: str, src: str | None, dst: str
) -> tuple[list[Task], list[Diagnostic]]:
    """The conversion tasks for files found in a folder, and refused files.

    Each input ``sub/a.json`` goes to ``out_dir/sub/a<ext of dst>``. An
    output that is one of the inputs, or that two inputs would both write,
    is refused with an error.

    >>> tasks, refused = plan_folder([Found("in/a.json", "in", "a.json"),
    ...     Found("in/a.md", "in", "a.md")], "out", None, "html")
    >>> [t.target for t in tasks], [d.render() for d in refused]
    (['out/a.html'], ['in/a.md: error: not converted: out/a.html is also the output of in/a.json'])
    """
    # A new output folder holds no file yet, so no output can be an input
    # (the walk skipped the output folder) and only same paths can collide:
    # nothing needs resolving. An existing one may hold links, inputs...
    existing = os.path.lexists(out_dir)
    resolve = _Resolver()
    inputs = {resolve(f.path, f.link) for f in found} if existing else set()
    targets: dict[str, str] = {}
    tasks: list[Task] = []
    refused: list[Diagnostic] = []
    ext = output_extension(dst)
    sep = os.sep
    for item in found:
        fmt = src or format_of(item.path)
        assert fmt is not None  # the walk kept only known extensions
        stem = posixpath.splitext(item.relative)[0]
        target = os.path.join(out_dir, (stem + ext).replace("/", sep))
        key = resolve(target, os.path.islink(target)) if existing else target
        if key in inputs:
            message = f"not converted: {target} would overwrite an input file"
            refused.append(Diagnostic(item.path, message))
        elif key in targets:
            message = f"not converted: {target} is also the output of {targets[key]}"
            refused.append(Diagnostic(item.path, message))
        else:
            targets[key] = item.path
            tasks.append(Task(item.path, target, fmt, dst))
    return tasks, refused


def prepare_folders(tasks: Sequence[Task]) -> tuple[list[Task], list[Diagnostic]]:
    """Create the output folders; drop (and report) tasks whose folder fails.

    >>> prepare_folders([])
    ([], [])
    """
    failed: dict[str, str] = {}
    for folder in sorted({os.path.dirname(t.target) for t in tasks}):
        try:
            os.makedirs(folder or ".", exist_ok=True)
        except OSError as exc:
            failed[folder] = os_error_message(exc)
    kept: list[Task] = []
    refused: list[Diagnostic] = []
    for task in tasks:
        folder = os.path.dirname(task.target)
        if folder in failed:
            message = f"cannot create folder {folder}: {failed[folder]}"
            refused.append(Diagnostic(task.source, message))
        else:
            kept.append(task)
    return kept, refused
