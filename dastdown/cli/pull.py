"""``dastdown pull``: write structured text fields of DatoCMS records as dastdown files.

>>> from dastdown.cli import build_parser
>>> args = build_parser().parse_args(["pull", "site", "--model", "article", "--field", "body"])
>>> args.fields, args.locales
(['body'], None)
"""

from __future__ import annotations

import argparse
import sys

from .common import add_command, usage_error
from .remote import add_remote_options, api_token, limiter

__all__ = ["register", "run"]

_EPILOG = """\
Writes DIR/<model>/<record-id>.<field>.<locale>.dastdown per record, field and
locale, and the manifests 'dastdown push' needs (.dastdown-manifest.json,
.dastdown-records/). The token is read from $DATOCMS_API_TOKEN and is never
written to DIR (export DATOCMS_API_TOKEN=... first). Records with edits not
pushed yet are skipped, not overwritten. The manifests keep every locale of the
pulled fields: a translation imported into DIR ('dastdown xliff import') is
pushed as another locale, and later pulls refresh its files too.

examples:
  dastdown pull site/ --model article --field body
  dastdown pull site/ --model article --field body --locale en --ids 123,456
  dastdown pull site/ --model page --field content --environment staging
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``pull`` to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["pull", "d", "--model", "m", "--field", "f",
    ...     "--ids", "a,b"]).ids
    ['a', 'b']
    """
    parser = add_command(
        commands,
        "pull",
        run,
        help="write structured text fields of records as dastdown files",
        description="Write the structured text fields of a model's records as dastdown files.",
        epilog=_EPILOG,
    )
    parser.add_argument("directory", metavar="DIR", help="folder to write (created if needed)")
    parser.add_argument("--model", required=True, metavar="API_KEY", help="the model's api_key")
    parser.add_argument(
        "--field",
        dest="fields",
        action="append",
        required=True,
        metavar="API_KEY",
        help="a structured text field to pull (repeatable)",
    )
    parser.add_argument(
        "--locale",
        dest="locales",
        action="append",
        metavar="LOCALE",
        help="pull only this locale (repeatable; default: every locale)",
    )
    parser.add_argument(
        "--ids",
        type=lambda text: [i for i in text.split(",") if i],
        metavar="ID,...",
        help="pull only these records",
    )
    add_remote_options(parser)


def run(args: argparse.Namespace) -> int:
    """Run ``dastdown pull``; return the exit status.

    >>> from dastdown.cli import main
    >>> import os
    >>> os.environ.pop("DATOCMS_API_TOKEN", None) and None
    >>> main(["pull", "/tmp/x", "--model", "a", "--field", "b"])  # no token: usage error
    2
    """
    from dast.cma.client import Client
    from dast.cma.errors import ApiError

    from ..workspace import DEEP_JSON, WorkspaceError, pull
    from .progress import ProgressBar

    token = api_token(args)
    client = Client(
        token, base_url=args.base_url, environment=args.environment, limiter=limiter(args),
        codec=DEEP_JSON,
    )
    bar = ProgressBar(sys.stderr, total=len(args.ids) if args.ids else 0)
    try:
        with client:
            if not args.ids:
                bar.total = _count(client, args.model)
            report = pull(
                client,
                args.directory,
                model=args.model,
                fields=args.fields,
                locales=args.locales,
                ids=args.ids,
                on_record=lambda _: bar.advance(),
            )
    except WorkspaceError as exc:
        bar.clear()
        usage_error(args, str(exc))
    except ApiError as exc:
        bar.clear()
        sys.stderr.write(f"dastdown: error: {exc}\n")
        return 1
    bar.clear()
    for problem in [*report.skipped, *report.failed]:
        sys.stderr.write(f"{args.directory.rstrip('/')}/{problem.render()}\n")
    print(
        f"pulled {report.records} records ({report.files} files) into {args.directory}"
        + (f"; skipped {len(report.skipped)}" if report.skipped else "")
        + (f"; failed {len(report.failed)}" if report.failed else "")
    )
    return 0 if report.ok else 1


def _count(client: object, model: str) -> int:
    from dast.cma.client import Client

    assert isinstance(client, Client)
    found = client.schema().find_item_type(model)
    if found is None:
        return 0
    params = {"filter[type]": found.id, "page[limit]": "1", "version": "current"}
    meta = client.request("GET", "/items", params=params).get("meta") or {}
    total = meta.get("total_count")
    return total if isinstance(total, int) else 0
