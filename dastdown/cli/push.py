"""``dastdown push``: send the edited dastdown files of a pulled folder back to DatoCMS.

>>> from dastdown.cli import build_parser
>>> args = build_parser().parse_args(["push", "site", "--dry-run", "--jobs", "8"])
>>> args.dry_run, args.jobs
(True, 8)
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from .common import add_command, at_least, usage_error
from .remote import add_remote_options, api_token, limiter

__all__ = ["register", "run"]

_EPILOG = """\
Each changed file is parsed against its original (blocks restored), and the
smallest update is sent with the version pulled. When the record changed on
the server meanwhile, the edit is applied again if the field is as pulled,
counted as pushed if it already holds the edit, and reported as a conflict
(not written) otherwise. A file that does not parse is reported and skipped.
Pushing again sends nothing; an interrupted push can simply be run again.
Files written by 'dastdown xliff import' or 'dastdown units import' are sent
as their locale of the field (their blocks created as new records); a record
whose locale changed on the server since the pull is a conflict.

examples:
  dastdown push site/ --dry-run
  dastdown push site/ --dry-run --html review.html
  dastdown push site/ --jobs 8
  dastdown xliff import site.it.xlf site/ && dastdown push site/

exit status: 0 when every change was pushed, 1 when something failed or
conflicted, 2 for a usage error.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``push`` to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["push", "d"]).jobs
    8
    """
    parser = add_command(
        commands,
        "push",
        run,
        help="send the edited files of a pulled folder back to DatoCMS",
        description="Send the edited dastdown files of a folder made by 'dastdown pull'.",
        epilog=_EPILOG,
    )
    parser.add_argument("directory", metavar="DIR", help="a folder written by 'dastdown pull'")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="send nothing: print a diff and a payload summary per record",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=at_least(1),
        default=8,
        metavar="N",
        help="records pushed at once (default: 8)",
    )
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="also write a review page: each changed record and field rendered before and "
        "after, side by side, with insertions and deletions highlighted",
    )
    strictness = parser.add_mutually_exclusive_group()
    strictness.add_argument(
        "--strict",
        action="store_true",
        help="also refuse a file from which a block or linked record of the original vanished "
        "(by default a block deleted from the text is deleted on the server, with a warning)",
    )
    strictness.add_argument(
        "--no-strict",
        action="store_true",
        help="push files that duplicated a block or record, or were fenced by a model, with a "
        "warning (by default such a file is an error and its record is not pushed); a "
        "mangled placeholder or an unknown id is always an error",
    )
    add_remote_options(parser)


def _write_review(args: argparse.Namespace) -> None:
    """The ``--html`` page of every change the folder holds (read again: nothing is sent)."""
    from dast.review import write_review

    from ..workspace import WorkspaceError, plan, review_entries

    try:
        found = plan(args.directory, strict=not args.no_strict, allow_removed=not args.strict)
    except WorkspaceError as exc:
        usage_error(args, str(exc))
    entries = [entry for change in found.changes for entry in review_entries(change)]
    title = f"dastdown push {'--dry-run ' if args.dry_run else ''}{args.directory}"
    write_review(args.html, entries, title=title)


def run(args: argparse.Namespace) -> int:
    """Run ``dastdown push``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["push", "/nonexistent-folder", "--dry-run"])
    2
    """
    from dast.cma.client import AsyncClient

    from ..workspace import DEEP_JSON, WorkspaceError, push_async, read_manifest
    from .fileio import write_stdout
    from .progress import ProgressBar

    try:
        manifest = read_manifest(args.directory)
    except WorkspaceError as exc:
        usage_error(args, str(exc))
    client = None
    if not args.dry_run:
        client = AsyncClient(
            api_token(args),
            base_url=args.base_url or manifest.get("base_url"),
            environment=args.environment or manifest.get("environment"),
            limiter=limiter(args),
            max_concurrency=args.jobs,
            codec=DEEP_JSON,
        )
    if args.html:  # before anything is sent: the page shows what this push changes
        _write_review(args)
    bar = ProgressBar(sys.stderr, total=0)

    def started(total: int) -> None:
        bar.total = total

    async def go() -> object:
        try:
            return await push_async(
                client,
                args.directory,
                dry_run=args.dry_run,
                jobs=args.jobs,
                on_start=started,
                on_record=lambda record_id, outcome: bar.advance(),
                strict=not args.no_strict,
                allow_removed=not args.strict,
            )
        finally:
            if client is not None:
                await client.aclose()

    try:
        report = asyncio.run(go())
    except WorkspaceError as exc:
        usage_error(args, str(exc))
    finally:
        bar.clear()
    from ..workspace import PushReport

    assert isinstance(report, PushReport)
    for text in report.described:
        write_stdout(text)
    root = args.directory.rstrip("/")
    for problem in [*report.warnings, *report.problems, *report.failed]:
        sys.stderr.write(f"{root}/{problem.render()}\n")
    for record_id in report.conflicts:
        reason = report.conflict_reasons.get(record_id, "changed on the server")
        sys.stderr.write(f"{record_id}: conflict: {reason}; not written\n")
    write_stdout(report.summary(dry_run=args.dry_run) + "\n")
    return 0 if report.ok else 1
