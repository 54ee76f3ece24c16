"""Benchmark the dastdown serializer (and the parser, once it exists).

Run ``python benchmarks/bench_dastdown.py`` (``--profile`` prints the top
functions of one serializer run; ``--runs N`` sets the number of timed runs,
the median is reported). Inputs are ``benchmarks/data/article-1mb.json``
(one ~1.1 MB-of-dastdown document) and ``benchmarks/data/small-1000.jsonl``
(1,000 small documents). Every figure includes validation of the input: a
``Document`` is valid by construction, a plain dict is validated while it
is loaded.

Each figure is given as wall-clock time and as CPU time of this process
(the latter is the fair one on a machine shared with other work).

Targets: serialize >= 15 MB/s on the article and >= 15,000 docs/s on the
small documents (the JavaScript reference does 11.7 MB/s).
"""

from __future__ import annotations

import argparse
import cProfile
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

from dast.load import load_document  # noqa: E402
from dastdown.serializer import serialize  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def _median(func: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``runs`` calls (after a warm-up)."""
    func()  # warm caches
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return statistics.median(wall), statistics.median(cpu)


def _rate(amount: float, seconds: tuple[float, float], unit: str) -> str:
    wall, cpu = seconds
    if unit == "MB/s":
        return (
            f"{amount / wall / 1e6:6.1f} MB/s ({wall * 1e3:6.1f} ms)   "
            f"cpu {amount / cpu / 1e6:6.1f} MB/s ({cpu * 1e3:6.1f} ms)"
        )
    return f"{amount / wall:8,.0f} docs/s   cpu {amount / cpu:8,.0f} docs/s"


def _parser() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("dastdown.parser")
    except ImportError:
        return None
    parse = getattr(module, "parse", None)
    return parse if callable(parse) else None


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark figures; return 0."""
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--runs", type=int, default=7, help="timed runs (median reported)")
    options.add_argument("--profile", action="store_true", help="profile the serializer")
    args = options.parse_args(argv)

    article_json = json.loads((DATA / "article-1mb.json").read_text(encoding="utf-8"))
    small_lines = (DATA / "small-1000.jsonl").read_text(encoding="utf-8").split("\n")
    small_json = [json.loads(line) for line in small_lines if line]
    article = load_document(article_json)
    small = [load_document(doc) for doc in small_json]
    text = serialize(article)
    size = len(text.encode("utf-8"))
    small_texts = [serialize(doc) for doc in small]

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(3):
            serialize(article)
            serialize(article_json)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return 0

    runs = args.runs
    print(f"article: {size:,} bytes of dastdown; small: {len(small)} documents")
    rows: list[tuple[str, str]] = []

    rows.append(
        (
            "serialize article (Document)",
            _rate(size, _median(lambda: serialize(article), runs), "MB/s"),
        )
    )
    rows.append(
        (
            "serialize article (dict)",
            _rate(size, _median(lambda: serialize(article_json), runs), "MB/s"),
        )
    )
    rows.append(
        (
            "serialize small (Document)",
            _rate(len(small), _median(lambda: [serialize(d) for d in small], runs), "docs/s"),
        )
    )
    rows.append(
        (
            "serialize small (dict)",
            _rate(len(small), _median(lambda: [serialize(d) for d in small_json], runs), "docs/s"),
        )
    )

    parse = _parser()
    if parse is None:
        rows.append(("parse", "dastdown.parser.parse not available"))
    else:
        rows.append(("parse article", _rate(size, _median(lambda: parse(text), runs), "MB/s")))
        rows.append(
            (
                "parse small",
                _rate(len(small), _median(lambda: [parse(t) for t in small_texts], runs), "docs/s"),
            )
        )

    width = max(len(name) for name, _ in rows)
    for name, figure in rows:
        print(f"  {name:<{width}}  {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
