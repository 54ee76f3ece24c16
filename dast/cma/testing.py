"""A local Content Management API for tests and trials: :class:`FakeCma`.

It runs a real HTTP server on ``127.0.0.1`` (a free port) in a thread and
keeps the rules of the real API that matter when editing content:

- ``GET /site`` (locales), ``GET /item-types``, ``GET /item-types/:id/fields``
  (by id or api_key), ``GET /items/:id`` and ``GET /items`` (``filter[type]``,
  ``filter[ids]``, ``filter[query]``, ``filter[fields][key][eq|matches]``,
  ``version=current|published``, ``nested=true``, ``page[limit]`` up to 500,
  ``page[offset]``, ``meta.total_count``), ``PUT /items/:id``;
- writes: ``meta.current_version`` checked (``422 STALE_ITEM_VERSION``) and
  bumped on each write; only the fields sent change; in block fields an id
  string keeps the block, an object with ``id`` edits the attributes it
  sends, an object without ``id`` creates a block, blocks left out are
  deleted; a localized value replaces the locales of the field and every
  localized field must keep one locale set; unknown fields, values of the
  wrong type, blocks of models the field does not allow and invalid DAST get
  ``422`` with the path; the published version stays as seeded;
- ``401 INVALID_AUTHORIZATION_HEADER`` on a wrong token, ``404`` for an
  unknown record, model or environment (``X-Environment``);
- switchable faults (:class:`Faults`): ``429`` past ``N`` requests per window
  with ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` headers, random
  ``5xx`` answers, connection resets before the request is handled, lost
  answers after a write is applied, slow answers, and the next ``N``
  requests failing; :meth:`FakeCma.edit` is a colleague saving a record
  between your pull and your push.

Every exchange is logged (:attr:`FakeCma.log`), so a test can assert that a
second push sent no write.

Server stack: the standard library's ``http.server.ThreadingHTTPServer`` (a
thread per connection, HTTP/1.1 keep-alive), served from a daemon thread and
stopped with ``shutdown()``. It needs no event loop (the synchronous tests and
the async client both use it), binds port 0, holds the connection's socket
(which is how a reset is played) and adds no dependency, so users get the
fake with the toolkit. werkzeug's development server (what pytest-httpserver
runs) was the first choice; it closes every connection after one answer
(``Connection: close``), so each request paid a new TCP connection and a new
thread, and the push benchmark at 600 requests per 3 s measured the fake, not
the client. starlette + uvicorn would keep connections alive but bring an
event loop in a thread and two dependencies for six routes.

>>> from dast.cma.client import Client
>>> with FakeCma.example() as cma:
...     with Client(cma.token, base_url=cma.base_url) as client:
...         client.item("article-1")["attributes"]["title"]
{'en': 'First post', 'it': 'Primo post'}
"""

from __future__ import annotations

import datetime
import itertools
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import DastError, format_path
from ..validate import validate
from ._json import copy_json
from .client import JsonCodec
from .errors import CmaError
from .field_blocks import map_blocks, map_blocks_at
from .schema import FieldSchema, SchemaRepository
from .shapes import attributes_of, id_of, item_type_id_of

__all__ = ["EXAMPLE_TOKEN", "Exchange", "FakeCma", "Faults"]

EXAMPLE_TOKEN = "fake-cma-token"
"""The token :meth:`FakeCma.example` accepts (it is not a secret)."""


@dataclass
class Faults:
    """Faults the server plays, switchable at any time (``cma.faults.error_rate = 0.1``).

    - ``rate_limit``: ``(limit, seconds)``: past ``limit`` requests in a
      fixed window of ``seconds``, answer ``429``; ``None``: no limit;
    - ``error_rate``: share of requests answered ``500`` / ``502`` / ``503``
      before being handled; ``reset_rate``: share whose connection is reset
      before being handled; ``lost_reply_rate``: share of writes applied and
      then reset (the client never hears the answer);
    - ``delay``: seconds to wait before answering;
    - ``fail_next``: the next requests answered with these statuses in order
      (``0`` means a connection reset);
    - ``seed``: for the random faults.

    >>> Faults(rate_limit=(60, 3.0)).rate_limit
    (60, 3.0)
    """

    rate_limit: tuple[int, float] | None = None
    error_rate: float = 0.0
    reset_rate: float = 0.0
    lost_reply_rate: float = 0.0
    delay: float = 0.0
    fail_next: list[int] = field(default_factory=list)
    seed: int = 0


@dataclass(frozen=True)
class Exchange:
    """One request the server saw, and what it did: status ``0`` is a reset connection.

    >>> Exchange("PUT", "/items/a", 200, "main", applied=True).is_write
    True
    """

    method: str
    path: str
    status: int
    environment: str
    applied: bool = False
    body: Any = field(default=None, compare=False, repr=False)
    """The parsed JSON body of a write (``None`` for reads)."""
    at: float = field(default_factory=time.monotonic, compare=False, repr=False)
    """When the server answered (``time.monotonic()``)."""

    @property
    def is_write(self) -> bool:
        """True for a ``PUT`` / ``POST`` / ``DELETE`` the server applied.

        >>> Exchange("GET", "/site", 200, "main").is_write
        False
        """
        return self.applied


class _Reject(Exception):
    def __init__(self, status: int, code: str, message: str = "", **details: Any) -> None:
        self.status = status
        self.code = code
        self.details = {"message": message, **details} if message else dict(details)
        super().__init__(code)


class _Reset(Exception):
    """Close the connection without an answer."""


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def _copy(record: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a record, at any nesting depth."""
    return dict(copy_json(record))


def _resource_id(resource: Mapping[str, Any]) -> str:
    return str(resource["id"])


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    args: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeCma


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep connections alive, as the real API does
    # headers and body go out in two writes: with Nagle on, the body waits for the
    # client's delayed ACK (40 ms per request on a kept-alive connection)
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = _Request(
            self.command,
            url.path,
            dict(parse_qsl(url.query, keep_blank_values=True)),
            {k.lower(): v for k, v in self.headers.items()},
            self.rfile.read(length) if length else b"",
        )
        response = self.server.fake._handle(request)
        if response is None:  # reset the connection, no answer
            self.close_connection = True
            try:
                linger = b"\x01\x00\x00\x00\x00\x00\x00\x00"
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeCma:
    """A fake Content Management API over real HTTP on ``127.0.0.1``.

    Give it the ``GET /item-types`` resources, every model's field resources
    and the records (raw JSON:API shape, blocks nested as objects with ids).
    Start it with ``with FakeCma(...) as cma`` (or :meth:`start` /
    :meth:`stop`); then point a client at ``cma.base_url`` with ``cma.token``.
    ``codec`` reads and writes JSON (an iterative one for deep documents).

    >>> with FakeCma([], [], [], token="t") as cma:
    ...     cma.base_url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(
        self,
        item_types: Iterable[Mapping[str, Any]],
        fields: Iterable[Mapping[str, Any]],
        records: Iterable[Mapping[str, Any]] = (),
        *,
        locales: Sequence[str] = ("en",),
        token: str = EXAMPLE_TOKEN,
        environments: Sequence[str] = ("main",),
        faults: Faults | None = None,
        codec: JsonCodec | None = None,
    ) -> None:
        self.token = token
        self.locales = list(locales)
        self.environments = list(environments)
        self.faults = faults if faults is not None else Faults()
        self.codec = codec if codec is not None else JsonCodec()
        self.log: list[Exchange] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        """The most requests the server was handling at once (for concurrency tests)."""
        self._item_types = [copy_json(dict(t)) for t in item_types]
        self._fields = [copy_json(dict(f)) for f in fields]
        self.schema = SchemaRepository.from_dumps(
            {"data": self._item_types}, [{"data": self._fields}]
        )
        self._records: dict[str, dict[str, Any]] = {}
        self._published: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()
        self._block_ids = itertools.count(1)
        self._random = random.Random(self.faults.seed)
        self._window_start: float | None = None
        self._window_count = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        for record in records:
            self.add_record(record)

    # --- the example site -----------------------------------------------------------------

    @classmethod
    def example(cls, articles: int = 3, **kwargs: Any) -> FakeCma:
        """A small blog: ``article`` (localized ``title`` and structured text ``body``
        with quote, cta and inline badge blocks; ``views``), ``author``, and
        ``articles`` records ``article-1``...; locales en and it; token
        :data:`EXAMPLE_TOKEN`.

        >>> cma = FakeCma.example(articles=5)
        >>> len(cma.record_ids()), cma.record("article-1")["meta"]["current_version"]
        (5, '1')
        """
        kwargs.setdefault("locales", ("en", "it"))
        return cls(*_example_schema(), _example_records(articles), **kwargs)

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> FakeCma:
        """Start serving on a free port of ``127.0.0.1`` (in a daemon thread).

        >>> cma = FakeCma([], []).start(); cma.stop()
        """
        if self._server is None:
            server = _Server(("127.0.0.1", 0), _Handler)
            server.fake = self
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent).

        >>> FakeCma([], []).stop()
        """
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeCma:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server.

        >>> with FakeCma([], []) as cma:
        ...     int(cma.base_url.rsplit(":", 1)[1]) > 0
        True
        """
        if self._server is None:
            raise CmaError("the fake CMA is not running: call start() or use 'with'")
        return f"http://127.0.0.1:{self._server.server_port}"

    # --- state ----------------------------------------------------------------------------

    def add_record(self, record: Mapping[str, Any]) -> None:
        """Add (or replace) a record: raw JSON:API, blocks nested with ids; version 1 if none.

        >>> cma = FakeCma.example(articles=0)
        >>> cma.add_record({"type": "item", "id": "x", "attributes": {"name": "Ann"},
        ...     "relationships": {"item_type": {"data": {"type": "item_type", "id": "author"}}}})
        >>> cma.record("x")["meta"]["current_version"]
        '1'
        """
        stored = copy_json(dict(record))
        model = item_type_id_of(stored)
        if model is None or id_of(stored) is None:
            raise CmaError("a record needs an id and relationships.item_type")
        stored["relationships"]["item_type"]["data"]["id"] = self.schema.item_type(model).id
        meta = stored.setdefault("meta", {})
        meta.setdefault("current_version", "1")
        meta.setdefault("status", "published")
        with self._lock:
            self._records[stored["id"]] = stored
            self._published[stored["id"]] = copy_json(stored)

    def record_ids(self) -> list[str]:
        """The ids of every record, in insertion order.

        >>> FakeCma.example(articles=2).record_ids()
        ['article-1', 'article-2']
        """
        with self._lock:
            return list(self._records)

    def record(self, item_id: str) -> dict[str, Any]:
        """A copy of a record's current version (raw JSON:API, blocks nested).

        >>> FakeCma.example().record("article-2")["attributes"]["views"]
        20
        """
        with self._lock:
            return _copy(self._records[item_id])

    def edit(self, item_id: str, changes: Mapping[str, Any]) -> str:
        """Play a colleague saving the record: set field values as given, bump the version.

        Values replace the stored ones whole (blocks as full objects). Returns
        the new version.

        >>> cma = FakeCma.example()
        >>> cma.edit("article-1", {"views": 99}), cma.record("article-1")["attributes"]["views"]
        ('2', 99)
        """
        with self._lock:
            stored = self._records[item_id]
            stored["attributes"].update(copy_json(dict(changes)))
            return self._bump(stored)

    def writes(self) -> list[Exchange]:
        """The writes the server applied, in order.

        >>> FakeCma.example().writes()
        []
        """
        with self._lock:
            return [e for e in self.log if e.is_write]

    def _bump(self, stored: dict[str, Any]) -> str:
        meta = stored["meta"]
        meta["current_version"] = str(int(meta["current_version"]) + 1)
        meta["updated_at"] = _now()
        meta["status"] = "updated"
        return str(meta["current_version"])

    # --- HTTP -----------------------------------------------------------------------------

    def _handle(self, request: _Request) -> _Response | None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            response, exchange = self._answer(request)
        finally:
            with self._lock:
                self.in_flight -= 1
                self.log.append(exchange)
        return response

    def _answer(self, request: _Request) -> tuple[_Response | None, Exchange]:
        method, path = request.method, request.path
        environment = request.headers.get("x-environment") or "main"
        faults = self.faults
        headers: dict[str, str] = {"X-Request-Id": f"fake-{next(self._block_ids)}"}
        applied = False
        sent: Any = None
        if method in ("PUT", "POST"):
            try:
                sent = self.codec.loads(request.text())
            except ValueError:
                sent = None
        try:
            self._pace(headers)
            if faults.delay > 0:
                time.sleep(faults.delay)
            with self._lock:
                forced = faults.fail_next.pop(0) if faults.fail_next else None
                roll = self._random.random()
            if forced == 0 or (forced is None and roll < faults.reset_rate):
                raise _Reset()
            if forced is not None:
                raise _Reject(forced, "INTERNAL_ERROR", "injected failure")
            if roll < faults.reset_rate + faults.error_rate:
                raise _Reject(self._random.choice((500, 502, 503)), "INTERNAL_ERROR", "injected")
            self._authorize(request, environment)
            body, status = self._route(request, method, path)
            applied = method in ("PUT", "POST", "DELETE")
            if applied and self._random.random() < faults.lost_reply_rate:
                raise _Reset()
        except _Reset:
            return None, Exchange(method, path, 0, environment, applied, sent)
        except _Reject as reject:
            error = {
                "id": f"err-{reject.code.lower()}",
                "type": "api_error",
                "attributes": {"code": reject.code, "details": reject.details},
            }
            text = json.dumps({"data": [error]})
            response = _Response(reject.status, headers, text.encode())
            return response, Exchange(method, path, reject.status, environment, False, sent)
        response = _Response(status, headers, self.codec.dumps(body).encode())
        return response, Exchange(method, path, status, environment, applied, sent)

    def _pace(self, headers: dict[str, str]) -> None:
        rule = self.faults.rate_limit
        if rule is None:
            return
        limit, period = rule
        with self._lock:
            now = time.monotonic()
            if self._window_start is None or now >= self._window_start + period:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            reset = self._window_start + period - now
            remaining = max(limit - self._window_count, 0)
            over = self._window_count > limit
        headers["X-RateLimit-Limit"] = str(limit)
        headers["X-RateLimit-Remaining"] = str(remaining)
        headers["X-RateLimit-Reset"] = f"{reset:.3f}"
        if over:
            raise _Reject(429, "RATE_LIMIT_EXCEEDED", "too many requests")

    def _authorize(self, request: _Request, environment: str) -> None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            raise _Reject(401, "INVALID_AUTHORIZATION_HEADER", "the API token is not valid")
        if request.headers.get("x-api-version") != "3":
            raise _Reject(400, "INVALID_API_VERSION", "send X-Api-Version: 3")
        if environment not in self.environments:
            raise _Reject(404, "NOT_FOUND", f"no environment {environment!r}")

    def _route(self, request: _Request, method: str, path: str) -> tuple[Any, int]:
        parts = [p for p in path.split("/") if p]
        args = request.args
        if method == "GET" and parts == ["site"]:
            return {"data": self._site()}, 200
        if method == "GET" and parts == ["item-types"]:
            return {"data": self._item_types}, 200
        if (
            method == "GET"
            and len(parts) == 3
            and parts[0] == "item-types"
            and parts[2] == "fields"
        ):
            model = self.schema.find_item_type(parts[1])
            if model is None:
                raise _Reject(404, "NOT_FOUND", f"no item type {parts[1]!r}")
            owned = [f for f in self._fields if _owner(f) == model.id]
            return {"data": owned}, 200
        if method == "GET" and parts == ["items"]:
            return self._list(args), 200
        if len(parts) == 2 and parts[0] == "items":
            nested = args.get("nested") == "true"
            if method == "GET":
                version = args.get("version", "published")
                return {"data": self._view(self._get(parts[1], version), nested)}, 200
            if method == "PUT":
                return {"data": self._view(self._update(parts[1], request), nested)}, 200
        raise _Reject(404, "NOT_FOUND", f"no route {method} {path}")

    def _site(self) -> dict[str, Any]:
        return {"type": "site", "id": "fake-site", "attributes": {"locales": self.locales}}

    # --- reads ----------------------------------------------------------------------------

    def _get(self, item_id: str, version: str) -> dict[str, Any]:
        store = self._records if version == "current" else self._published
        with self._lock:
            found = store.get(item_id)
            if found is None:
                raise _Reject(404, "NOT_FOUND", f"no record {item_id!r}")
            return _copy(found)

    def _list(self, args: Mapping[str, str]) -> dict[str, Any]:
        try:
            limit = int(args.get("page[limit]", "30"))
            offset = int(args.get("page[offset]", "0"))
        except ValueError:
            raise _Reject(
                422, "INVALID_PAGINATION", "page[limit] and page[offset] are integers"
            ) from None
        if not 1 <= limit <= 500 or offset < 0:
            raise _Reject(422, "INVALID_PAGINATION", "page[limit] must be between 1 and 500")
        store = self._records if args.get("version", "published") == "current" else self._published
        nested = args.get("nested") == "true"
        types = None
        if "filter[type]" in args:
            types = set()
            for name in args["filter[type]"].split(","):
                model = self.schema.find_item_type(name)
                if model is None:
                    raise _Reject(422, "INVALID_FILTER", f"no item type {name!r}")
                types.add(model.id)
        ids = set(args["filter[ids]"].split(",")) if "filter[ids]" in args else None
        query = args.get("filter[query]")
        conditions = [
            (key[len("filter[fields][") :].split("][")[0], key.rsplit("[", 1)[1][:-1], value)
            for key, value in args.items()
            if key.startswith("filter[fields][")
        ]
        with self._lock:
            matching = [
                r
                for r in store.values()
                if (types is None or item_type_id_of(r) in types)
                and (ids is None or r["id"] in ids)
                and (query is None or query.lower() in self.codec.dumps(r["attributes"]).lower())
                and all(_field_matches(r, *c) for c in conditions)
            ]
            page = [copy_json(r) for r in matching[offset : offset + limit]]
        return {
            "data": [self._view(r, nested) for r in page],
            "meta": {"total_count": len(matching)},
        }

    def _view(self, record: dict[str, Any], nested: bool) -> dict[str, Any]:
        """The record as answered: blocks as objects with ``nested``, else as ids."""
        if nested:
            return record
        _map_record_blocks(record, self.schema, lambda b: b if isinstance(b, str) else b["id"])
        return record

    # --- writes ---------------------------------------------------------------------------

    def _update(self, item_id: str, request: _Request) -> dict[str, Any]:
        try:
            body = self.codec.loads(request.text())
            data = body["data"]
            sent = data.get("attributes") or {}
            meta = data.get("meta") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise _Reject(
                422, "INVALID_FORMAT", "the body must be {data: {attributes: ...}}"
            ) from None
        if data.get("type") != "item" or data.get("id") not in (None, item_id):
            raise _Reject(422, "INVALID_FORMAT", "data.type must be 'item' and data.id this record")
        with self._lock:
            stored = self._records.get(item_id)
            if stored is None:
                raise _Reject(404, "NOT_FOUND", f"no record {item_id!r}")
            version = meta.get("current_version")
            if version is not None and version != stored["meta"]["current_version"]:
                raise _Reject(422, "STALE_ITEM_VERSION")
            model = item_type_id_of(stored) or ""
            fields = self.schema.fields_by_api_key(model)
            blocks = _block_index(stored, self.schema, set(sent))
            new_attrs = dict(stored["attributes"])
            for key, value in sent.items():
                f = fields.get(key)
                if f is None:
                    raise _Reject(422, "INVALID_FIELD", f"unknown field {key!r}", field=key)
                new_attrs[key] = self._resolve(f, value, blocks, (key,))
            localized = {
                f.api_key: frozenset(new_attrs.get(f.api_key) or {})
                for f in fields.values()
                if f.localized
            }
            if len(set(localized.values())) > 1:
                raise _Reject(422, "INVALID_LOCALES", "localized fields must share one locale set")
            stored["attributes"] = new_attrs
            self._bump(stored)
            return _copy(stored)

    def _resolve(
        self, f: FieldSchema, value: Any, blocks: dict[str, Any], path: tuple[Any, ...]
    ) -> Any:
        """A sent field value as stored: ids kept, edits merged, new blocks created."""
        try:
            self.schema.check_value(f, value, path)
        except DastError as exc:
            raise _Reject(422, "INVALID_FIELD", str(exc), field=f.api_key) from None

        def slot(block: Any) -> Any:
            if isinstance(block, str):
                if block not in blocks:
                    raise _Reject(422, "INVALID_FIELD", f"block {block!r} is not in this record")
                return copy_json(blocks[block])
            bid = id_of(block)
            attrs = attributes_of(block)
            if bid is None:
                model = item_type_id_of(block)
                if model is None or not self.schema.is_block_model(model):
                    raise _Reject(422, "INVALID_FIELD", "a new block needs a block model")
                return {
                    "type": "item",
                    "id": f"block-{next(self._block_ids)}",
                    "attributes": attrs,
                    "relationships": {"item_type": {"data": {"type": "item_type", "id": model}}},
                    "meta": {"created_at": _now()},
                }
            if bid not in blocks:
                raise _Reject(422, "INVALID_FIELD", f"block {bid!r} is not in this record")
            edited = copy_json(blocks[bid])
            edited["attributes"].update(attrs)
            return edited

        def one(local: Any, at: tuple[Any, ...]) -> Any:
            if f.field_type == "structured_text" and local is not None:
                report = validate(local)
                if not report.valid:
                    problem = report.problems[0]
                    where = format_path((*at, *problem.path))
                    raise _Reject(
                        422, "INVALID_FIELD", f"{where}: {problem.message}", field=f.api_key
                    )
            if not f.holds_blocks or local is None:
                return local
            def model_of(block: Mapping[str, Any], at: tuple[Any, ...]) -> str:
                model = item_type_id_of(block)
                known = blocks.get(id_of(block) or "")
                if model is None and known is not None:
                    model = item_type_id_of(known)
                if model is None:
                    raise _Reject(422, "INVALID_FIELD", f"{format_path(at)}: block has no model")
                return model

            try:
                return map_blocks_at(local, f, self.schema, slot, at, item_type_of=model_of)
            except DastError as exc:
                raise _Reject(422, "INVALID_FIELD", str(exc), field=f.api_key) from None

        return _each(f, value, one, path)


def _each(
    f: FieldSchema,
    value: Any,
    fn: Callable[[Any, tuple[Any, ...]], Any],
    path: tuple[Any, ...] = (),
) -> Any:
    if f.localized and isinstance(value, Mapping):
        return {locale: fn(v, (*path, locale)) for locale, v in value.items()}
    return fn(value, path)


def _block_index(
    record: Mapping[str, Any], schema: SchemaRepository, keys: set[str]
) -> dict[str, Any]:
    """Every block (at any depth) of the record's fields ``keys``, by id."""
    found: dict[str, Any] = {}

    def note(block: Any) -> Any:
        if isinstance(block, Mapping) and isinstance(block.get("id"), str):
            found[block["id"]] = block
        return block

    attrs = {k: v for k, v in record["attributes"].items() if k in keys}
    _map_record_blocks(dict(record, attributes=attrs), schema, note)
    return found


def _map_record_blocks(
    record: dict[str, Any], schema: SchemaRepository, mapper: Callable[[Any], Any]
) -> None:
    """Replace, in place, every block field value of ``record`` by ``map_blocks(value, mapper)``."""
    attrs = record["attributes"]
    for f in schema.fields(item_type_id_of(record) or ""):
        value = attrs.get(f.api_key)
        if not f.holds_blocks or value is None:
            continue
        if f.localized and isinstance(value, Mapping):
            attrs[f.api_key] = {k: map_blocks(v, f, schema, mapper) for k, v in value.items()}
        else:
            attrs[f.api_key] = map_blocks(value, f, schema, mapper)


def _owner(resource: Mapping[str, Any]) -> str | None:
    data = ((resource.get("relationships") or {}).get("item_type") or {}).get("data")
    return data.get("id") if isinstance(data, Mapping) else None


def _field_matches(record: Mapping[str, Any], key: str, op: str, wanted: str) -> bool:
    value = record["attributes"].get(key)
    values = list(value.values()) if isinstance(value, Mapping) else [value]
    if op == "eq":
        return any(str(v) == wanted for v in values)
    if op == "matches":
        return any(wanted.lower() in json.dumps(v).lower() for v in values)
    raise _Reject(422, "INVALID_FILTER", f"the fake CMA knows eq and matches, not {op!r}")


# --- the example site -------------------------------------------------------------------------


def _model(model_id: str, api_key: str, block: bool, field_ids: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "item_type",
        "id": model_id,
        "attributes": {"name": api_key.title(), "api_key": api_key, "modular_block": block},
        "relationships": {"fields": {"data": [{"type": "field", "id": i} for i in field_ids]}},
    }


def _field(
    field_id: str,
    owner: str,
    api_key: str,
    field_type: str,
    localized: bool = False,
    validators: Mapping[str, Any] | None = None,
    position: int = 0,
) -> dict[str, Any]:
    return {
        "type": "field",
        "id": field_id,
        "attributes": {
            "label": api_key.title(),
            "api_key": api_key,
            "field_type": field_type,
            "localized": localized,
            "validators": dict(validators or {}),
            "position": position,
        },
        "relationships": {"item_type": {"data": {"type": "item_type", "id": owner}}},
    }


def _example_schema() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    fields = [
        _field("f-title", "article", "title", "string", True, {"required": {}}, 1),
        _field(
            "f-body",
            "article",
            "body",
            "structured_text",
            True,
            {
                "structured_text_blocks": {"item_types": ["quote", "cta"]},
                "structured_text_inline_blocks": {"item_types": ["badge"]},
            },
            2,
        ),
        _field("f-views", "article", "views", "integer", False, {}, 3),
        _field("f-name", "author", "name", "string", False, {}, 1),
        _field("f-quote-text", "quote", "text", "text", False, {}, 1),
        _field("f-cta-label", "cta", "label", "string", False, {}, 1),
        _field(
            "f-cta-body",
            "cta",
            "body",
            "structured_text",
            False,
            {"structured_text_blocks": {"item_types": ["quote"]}},
            2,
        ),
        _field("f-badge-label", "badge", "label", "string", False, {}, 1),
    ]
    types = [
        _model("article", "article", False, ["f-title", "f-body", "f-views"]),
        _model("author", "author", False, ["f-name"]),
        _model("quote", "quote", True, ["f-quote-text"]),
        _model("cta", "cta", True, ["f-cta-label", "f-cta-body"]),
        _model("badge", "badge", True, ["f-badge-label"]),
    ]
    return types, fields


def _span(text: str) -> dict[str, Any]:
    return {"type": "span", "value": text}


def _para(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children)}


def _doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def _block(block_id: str, model: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "item",
        "id": block_id,
        "attributes": dict(attributes),
        "relationships": {"item_type": {"data": {"type": "item_type", "id": model}}},
        "meta": {"created_at": "2024-01-01T00:00:00.000Z"},
    }


def _article(n: int) -> dict[str, Any]:
    titles = {1: ("First post", "Primo post"), 2: ("Second post", "Secondo post")}
    titles[3] = ("Third post", "Terzo post")
    en_title, it_title = titles.get(n, (f"Post {n}", f"Articolo {n}"))
    en = [
        {"type": "heading", "level": 2, "children": [_span(en_title)]},
        _para(_span(f"Acme makes post {n}. Read on.")),
    ]
    it = [_para(_span(f"Acme presenta l'articolo {n}."))]
    if n % 3 == 1:
        quote = _block(f"q{n}", "quote", {"text": "Acme is great."})
        inner = _block(f"q{n}b", "quote", {"text": "Nested inside a call to action."})
        cta_body = _doc(_para(_span("Go")), {"type": "block", "item": inner})
        cta = _block(f"c{n}", "cta", {"label": "Try Acme", "body": cta_body})
        en += [
            {"type": "block", "item": quote},
            _para(_span("More about Acme.")),
            {"type": "block", "item": cta},
        ]
    if n % 3 == 2:
        badge = _block(f"b{n}", "badge", {"label": "new"})
        en.append(_para(_span("Acme "), {"type": "inlineBlock", "item": badge}, _span(" inside.")))
    return {
        "type": "item",
        "id": f"article-{n}",
        "attributes": {
            "title": {"en": en_title, "it": it_title},
            "body": {"en": _doc(*en), "it": _doc(*it)},
            "views": 10 * n,
        },
        "relationships": {"item_type": {"data": {"type": "item_type", "id": "article"}}},
        "meta": {"current_version": "1"},
    }


def _example_records(articles: int) -> Iterator[dict[str, Any]]:
    for n in range(1, articles + 1):
        yield _article(n)
