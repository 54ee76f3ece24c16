"""Benchmark the dast core: loading, validating, dumping and walking documents.

Run ``python benchmarks/bench_dast.py`` (``--runs N`` sets the number of
timed runs, the median is reported; ``--profile`` prints the top functions
of the two ``map_nodes`` runs). Inputs are ``benchmarks/data/article-1mb.json``
(one 2.2 MB JSON document, ~31,500 nodes) and ``benchmarks/data/small-1000.jsonl``
(1,000 small documents). MB/s figures are megabytes of the article's JSON.
Each figure is taken with Python's garbage collector on, as in real use,
and off: building a large tree while another one is alive triggers full
collections, which can cost more than the work itself.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dast.errors import Path as NodePath  # noqa: E402
from dast.load import load_document  # noqa: E402
from dast.nodes import Node, Span  # noqa: E402
from dast.walk import MapResult, collect_nodes, map_nodes  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def _median(func: Callable[[], Any], runs: int, collect: bool = True) -> float:
    """Median seconds of ``runs`` calls, with the garbage collector on or off."""
    func()  # warm caches
    times = []
    for _ in range(runs):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times)


def identity(node: Node, parent: Node | None, path: NodePath) -> MapResult:
    """Keep every node: ``map_nodes`` should return the input itself, cheaply."""
    return node


def shout(node: Node, parent: Node | None, path: NodePath) -> MapResult:
    """Uppercase every span: every span and every parent of one is rebuilt."""
    if node.__class__ is Span:
        return node.model_copy(update={"value": node.value.upper()})
    return node


def is_span(node: Node, parent: Node | None, path: NodePath) -> bool:
    """Match spans."""
    return node.__class__ is Span


def _validator() -> Callable[[Any], Any] | None:
    try:
        module = importlib.import_module("dast.validate")
    except ImportError:
        return None
    validate = getattr(module, "validate", None)
    return validate if callable(validate) else None


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark figures; return 0."""
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--runs", type=int, default=7, help="timed runs (median reported)")
    options.add_argument("--profile", action="store_true", help="profile map_nodes")
    args = options.parse_args(argv)

    raw = (DATA / "article-1mb.json").read_bytes()
    mb = len(raw) / 1e6
    article_json = json.loads(raw)
    article = load_document(article_json)
    small_lines = [line for line in (DATA / "small-1000.jsonl").read_bytes().split(b"\n") if line]
    nodes = len(collect_nodes(article, lambda node, parent, path: True))

    if args.profile:
        for mapper in (identity, shout):
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(3):
                map_nodes(article, mapper)
            profiler.disable()
            print(f"--- map_nodes(article, {mapper.__name__}) x3")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        return 0

    runs = args.runs
    print(f"article: {len(raw):,} bytes of JSON, {nodes:,} nodes; small: {len(small_lines)} docs")
    print(f"median of {runs} runs, garbage collector on (as in real use) / off")
    rows: list[tuple[str, str]] = []

    def article_row(name: str, func: Callable[[], Any], note: str = "") -> None:
        on = _median(func, runs)
        off = _median(func, runs, collect=False)
        figure = (
            f"{on * 1e3:7.1f} ms {mb / on:6.1f} MB/s | {off * 1e3:7.1f} ms {mb / off:6.1f} MB/s"
        )
        rows.append((name, figure + (f"  {note}" if note else "")))

    article_row("json.loads", lambda: json.loads(raw))
    article_row("load_document (dict)", lambda: load_document(article_json))
    article_row("json.loads + load_document", lambda: load_document(json.loads(raw)))
    validate = _validator()
    if validate is None:
        rows.append(("validate (dict)", "skipped: dast.validate.validate is not available"))
    else:
        article_row("validate (dict)", lambda: validate(article_json))
    article_row("to_json", article.to_json)
    article_row("to_json + json.dumps", lambda: json.dumps(article.to_json()))
    article_row("map_nodes identity", lambda: map_nodes(article, identity), "(returns the input)")
    article_row("map_nodes uppercase spans", lambda: map_nodes(article, shout))
    spans = len(collect_nodes(article, is_span))
    article_row("collect_nodes spans", lambda: collect_nodes(article, is_span), f"({spans:,})")

    def load_small() -> None:
        for line in small_lines:
            load_document(json.loads(line))

    on = _median(load_small, runs)
    off = _median(load_small, runs, collect=False)
    rows.append(
        (
            "small: json.loads + load_document",
            f"{len(small_lines) / on:7,.0f} docs/s       | {len(small_lines) / off:7,.0f} docs/s",
        )
    )

    width = max(len(name) for name, _ in rows)
    for name, figure in rows:
        print(f"  {name:<{width}}  {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
