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
from collections.abc import Iterable, Iterator, Sequence

from .cli_batch import Task
from .cli_diagnostics import Diagnostic, os_error_message
from .cli_files import Found
from .cli_formats import EXTENSIONS, INPUT_FORMATS, format_of, output_extension

__all__ = [
    "FolderPlan",
    "choose_output_format",
    "input_suffixes",
    "plan_folder",
    "prepare_folders",
]


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
