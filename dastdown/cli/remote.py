"""Options shared by the commands that talk to DatoCMS (``pull``, ``push``).

The API token comes from ``DATOCMS_API_TOKEN`` (or ``--api-token``, which
other users of the machine can see in the process list: discouraged); it is
never printed nor written to a file. ``--base-url`` (or ``DATOCMS_BASE_URL``)
points at another server, such as the local one of ``dast.cma.testing``;
``--environment`` at a sandbox environment; ``--rate`` sets the pace.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_remote_options(parser)
>>> parser.parse_args(["--rate", "600/3"]).rate
(600, 3.0)
"""

from __future__ import annotations

import argparse
import os

from dast.cma.client import RateLimiter, parse_rate

from .common import usage_error

__all__ = ["add_remote_options", "api_token", "limiter", "rate"]


def rate(text: str) -> tuple[int, float]:
    """An argparse type: ``REQUESTS/SECONDS``.

    >>> rate("60/3")
    (60, 3.0)
    """
    try:
        return parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_remote_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--api-token``, ``--base-url``, ``--environment`` and ``--rate``.

    >>> parser = argparse.ArgumentParser()
    >>> add_remote_options(parser)
    >>> parser.parse_args([]).base_url is None
    True
    """
    parser.add_argument(
        "--api-token",
        metavar="TOKEN",
        help="API token (default: $DATOCMS_API_TOKEN; prefer the variable: others can see "
        "command lines)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: $DATOCMS_BASE_URL or https://site-api.datocms.com)",
    )
    parser.add_argument("--environment", metavar="ENV", help="sandbox environment to use")
    parser.add_argument(
        "--rate",
        type=rate,
        default=(60, 3.0),
        metavar="N/SECONDS",
        help="send at most N requests per SECONDS (default: 60/3, the API's limit)",
    )


def api_token(args: argparse.Namespace) -> str:
    """The token from ``--api-token`` or ``DATOCMS_API_TOKEN``; a usage error if neither.

    >>> api_token(argparse.Namespace(api_token="x"))
    'x'
    """
    token = args.api_token or os.environ.get("DATOCMS_API_TOKEN", "")
    if not token:
        usage_error(args, "no API token: set DATOCMS_API_TOKEN (or give --api-token)")
    return str(token)


def limiter(args: argparse.Namespace) -> RateLimiter:
    """The client-side pace from ``--rate``.

    >>> limiter(argparse.Namespace(rate=(10, 1.0))).limit
    10
    """
    count, seconds = args.rate
    return RateLimiter(count, seconds)
