"""Converting many files, in parallel over the machine's cores.

The files are cut into batches (a few dozen files each) handed to a
``ProcessPoolExecutor``: each worker process imports the converters once and
then only reads, converts and writes files, so the cost per file is the
conversion itself. Batches are consumed in submission order, so messages
come out in the same order whatever the number of workers. A file that
fails is reported and the others go on; its output is never written
(outputs are written atomically, only after a successful conversion).

A batch writes its outputs to temporary files, makes them durable together
(one ``syncfs`` instead of one ``fsync`` per file: the cost no longer grows
with the disk's fsync latency times the number of files), then renames
each into place (:class:`~dastdown.cli.fileio.BatchWriter`). On SIGINT or
SIGTERM the main process ends the workers at once; they remove their
temporary files, so an output is either absent or complete.

>>> import pathlib, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     top = pathlib.Path(tmp)
...     _ = (top / "a.json").write_text("null")
...     task = Task(str(top / "a.json"), str(top / "a.dastdown"), "json", "dastdown")
...     convert_batch([task], quiet=False)
BatchResult(done=1, failed=0, diagnostics=())
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple, TextIO

from .diagnostics import CliFailure, Diagnostic, internal_error, os_error_message
from .fileio import BatchWriter, atomic_write, read_text
from .formats import convert_text
from .progress import ProgressBar
from .signals import worker_signals

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "STOP_GRACE",
    "BatchResult",
    "Task",
    "chunk_size",
    "convert_batch",
    "convert_file",
    "convert_source",
    "run_batches",
    "run_tasks",
    "write_output",
]


STOP_GRACE = 2.0
"""Seconds a worker gets to end after SIGTERM (on an interruption) before it is killed."""


class Task(NamedTuple):
    """One file to convert: input path, output path, input and output formats.

    >>> Task("a.json", "out/a.dastdown", "json", "dastdown").target
    'out/a.dastdown'
    """

    source: str
    target: str
    src: str
    dst: str


class BatchResult(NamedTuple):
    """What a batch did: files done, files failed, and the messages, in order.

    >>> BatchResult(2, 0, ()).done
    2
    """

    done: int
    failed: int
    diagnostics: tuple[Diagnostic, ...]


def convert_source(
    read: Callable[[], str], display: str, src: str, dst: str, quiet: bool, strict: bool = False
) -> tuple[str | None, list[Diagnostic]]:
    """Read and convert one input; return the output (``None`` on failure) and messages.

    User errors (unreadable input, invalid document) become error
    diagnostics naming ``display``; converter reports become warnings unless
    ``quiet`` (or errors with ``strict``). A crash of a converter is
    reported as an internal error instead of stopping the other files.

    >>> convert_source(lambda: "null", "a.json", "json", "json", quiet=False)
    ('null\\n', [])
    """
    try:
        out, warnings = convert_text(read(), src, dst, display, strict)
    except CliFailure as exc:
        return None, list(exc.diagnostics)
    except Exception as exc:  # a bug in a converter must not stop the other files
        return None, [internal_error(display, exc)]
    return out, [] if quiet else warnings


def write_output(path: str, text: str) -> Diagnostic | None:
    """Write a converted file atomically; return the error, if any.

    >>> write_output("/nonexistent/x.json", "{}").render()
    '/nonexistent/x.json: error: cannot write: No such file or directory'
    """
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        return Diagnostic(path, f"cannot write: {os_error_message(exc)}")
    return None


def convert_file(task: Task, quiet: bool, strict: bool = False) -> tuple[bool, list[Diagnostic]]:
    """Convert one file; return whether it succeeded and its messages.

    The output is written (atomically) only when the conversion succeeded.

    >>> task = Task("/nonexistent.json", "x.dastdown", "json", "dastdown")
    >>> ok, messages = convert_file(task, quiet=False)
    >>> ok, [m.render() for m in messages]
    (False, ['/nonexistent.json: error: No such file or directory'])
    """
    out, messages = convert_source(
        lambda: read_text(task.source), task.source, task.src, task.dst, quiet, strict
    )
    if out is None:
        return False, messages
    error = write_output(task.target, out)
    if error is not None:
        return False, [*messages, error]
    return True, messages


def convert_batch(tasks: Sequence[Task], quiet: bool, strict: bool = False) -> BatchResult:
    """Convert a batch of files (what one worker process does in one go).

    The outputs are written together at the end (see the module docstring);
    messages come out in task order.

    >>> convert_batch([], quiet=True)
    BatchResult(done=0, failed=0, diagnostics=())
    """
    failed = 0
    messages: list[list[Diagnostic]] = []
    written: dict[str, int] = {}  # output path -> index of its task
    with BatchWriter() as writer:
        for index, task in enumerate(tasks):
            read = functools.partial(read_text, task.source)
            out, found = convert_source(read, task.source, task.src, task.dst, quiet, strict)
            messages.append(found)
            if out is None:
                failed += 1
                continue
            try:
                writer.add(task.target, out.encode("utf-8"))
            except OSError as exc:
                failed += 1
                found.append(Diagnostic(task.target, f"cannot write: {os_error_message(exc)}"))
                continue
            written[task.target] = index
        for target, problem in writer.commit().items():
            failed += 1
            error = Diagnostic(target, f"cannot write: {os_error_message(problem)}")
            messages[written[target]].append(error)
    diagnostics = tuple(d for found in messages for d in found)
    return BatchResult(len(tasks), failed, diagnostics)


def chunk_size(count: int, jobs: int) -> int:
    """Files per batch: about eight batches per worker, 1 to 64 files each.

    >>> chunk_size(10_000, 2), chunk_size(40, 2), chunk_size(3, 8)
    (64, 3, 1)
    """
    return max(1, min(64, -(-count // (jobs * 8))))


_READERS = {
    "json": ("dast.load",),
    "dastdown": ("dastdown.parser",),
    "markdown": ("dast.convert.from_markdown",),
    "html": ("dast.convert.from_html",),
}
_WRITERS = {
    "json": (),
    "dastdown": ("dastdown.serializer",),
    "markdown": ("dast.convert.to_markdown",),
    "html": ("dast.convert.to_html",),
    "text": ("dast.convert.to_text",),
}


def _warm(sources: Iterable[str], targets: Iterable[str]) -> None:
    """Import the modules these input and output formats need, once per process."""
    modules = {m for fmt in sources for m in _READERS[fmt]}
    modules |= {m for fmt in targets for m in _WRITERS[fmt]}
    for module in sorted(modules):
        importlib.import_module(module)


def _init_worker(parent: int, sources: tuple[str, ...], targets: tuple[str, ...]) -> None:
    """Worker start: leave Ctrl-C to the main process, end with it, import the converters."""
    worker_signals(parent)
    _warm(sources, targets)


def run_tasks(
    tasks: Sequence[Task], jobs: int, quiet: bool, stream: TextIO, strict: bool = False
) -> int:
    """Convert every task with ``jobs`` processes; print messages; return the failures.

    Messages go to ``stream`` in task order; a progress bar is drawn there
    when it is a terminal.

    >>> import io
    >>> run_tasks([], jobs=2, quiet=False, stream=io.StringIO())
    0
    """
    size = chunk_size(len(tasks), jobs)
    batches = (tasks[i : i + size] for i in range(0, len(tasks), size))
    return run_batches(batches, len(tasks), jobs, quiet, stream, strict)


def _nothing() -> Sequence[Diagnostic]:
    return ()


def run_batches(
    batches: Iterable[Sequence[Task]],
    total: int,
    jobs: int,
    quiet: bool,
    stream: TextIO,
    strict: bool = False,
    planned: Callable[[], Sequence[Diagnostic]] = _nothing,
) -> int:
    """Convert batches of tasks as they are planned; print messages; return the failures.

    ``batches`` is consumed lazily: each batch goes to the worker processes
    as soon as it is drawn, so they convert while the rest is planned.
    ``total`` is the number of files for the progress bar. Once every
    batch is drawn, ``planned()`` gives the files the planning refused, one
    message each: they are printed before any conversion message, and
    counted as done and as failed. Messages come out in the same order
    whatever ``jobs`` is.

    >>> import io
    >>> out = io.StringIO()
    >>> run_batches(iter([]), 1, 2, False, out, planned=lambda: [Diagnostic("a.json", "no")])
    1
    >>> out.getvalue()
    'a.json: error: no\\n'
    """
    batches = iter(batches)
    bar = ProgressBar(stream, total)
    failed = [0]
    try:
        ready = list(itertools.islice(batches, 2 if jobs > 1 else 0))
        if len(ready) < 2:  # nothing to share between processes: no pool
            ready += batches  # plan everything before printing anything
            _report_planned(planned(), bar, failed)
            return _consume((convert_batch(b, quiet, strict) for b in ready), bar, failed)
        formats = _formats(ready[0])
        _warm(*formats)  # before forking, so forked workers inherit the imports
        return _run_pool(ready, batches, jobs, formats, (quiet, strict), bar, planned)
    finally:
        bar.clear()


def _formats(batch: Sequence[Task]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The input and output formats of a batch (other formats are imported when met)."""
    return tuple(sorted({t.src for t in batch})), tuple(sorted({t.dst for t in batch}))


def _report_planned(messages: Sequence[Diagnostic], bar: ProgressBar, failed: list[int]) -> int:
    """Print the files the planning refused; count them as done and as failed."""
    if messages:
        bar.write("".join(d.render() + "\n" for d in messages))
        failed[0] += len(messages)
        bar.advance(len(messages))
    return len(messages)


def _run_pool(
    first: Sequence[Sequence[Task]],
    rest: Iterator[Sequence[Task]],
    workers: int,
    formats: tuple[tuple[str, ...], tuple[str, ...]],
    options: tuple[bool, bool],
    bar: ProgressBar,
    planned: Callable[[], Sequence[Diagnostic]],
) -> int:
    """Submit the batches to a pool of ``workers`` processes as they come; return the failures."""
    from concurrent.futures import Future, ProcessPoolExecutor  # only folders pay for it
    from concurrent.futures.process import BrokenProcessPool

    failed = [0]
    handed = refused = 0  # files planned for conversion, files the plan refused
    batches = itertools.chain(first, rest)
    try:
        initargs = (os.getpid(), *formats)
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=initargs) as pool:
            futures: list[Future[BatchResult]] = []
            try:
                # While this thread plans, the pool's threads (feeding the workers)
                # wait for the GIL: hand it over often, or a worker may idle.
                switch = sys.getswitchinterval()
                sys.setswitchinterval(min(switch, 0.0002))
                try:
                    for batch in batches:
                        handed += len(batch)
                        futures.append(pool.submit(convert_batch, batch, *options))
                except BrokenProcessPool:  # finish the plan and report it first
                    handed += sum(len(batch) for batch in batches)
                    refused = _report_planned(planned(), bar, failed)
                    raise
                finally:
                    sys.setswitchinterval(switch)
                refused = _report_planned(planned(), bar, failed)
                return _consume((future.result() for future in futures), bar, failed)
            except BaseException:  # Ctrl-C, SIGTERM: end the workers now
                _stop_workers(pool)
                raise
    except BrokenProcessPool:
        bar.write("dastdown: error: a worker process died; some files were not converted\n")
        unknown = handed - (bar.done - refused)  # not known to be converted
        return failed[0] + unknown


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers at once: SIGTERM (they remove their temporary files), then kill.

    Each worker gets :data:`STOP_GRACE` seconds to end before it is killed.
    """
    live = dict(getattr(pool, "_processes", None) or {})
    for process in live.values():
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for process in live.values():
        with contextlib.suppress(OSError, ValueError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)
    pool.shutdown(wait=True, cancel_futures=True)


def _consume(results: Iterable[BatchResult], bar: ProgressBar, failed: list[int]) -> int:
    """Print each batch's messages in order and advance the bar; return the failures.

    ``failed[0]`` counts them as they come, for when the results stop early.
    """
    for result in results:
        failed[0] += result.failed
        if result.diagnostics:
            bar.write("".join(d.render() + "\n" for d in result.diagnostics))
        bar.advance(result.done)
    return failed[0]
