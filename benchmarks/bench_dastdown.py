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

    if args.profile:
        article_json = _load_article_json()
        article = load_document(article_json)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(3):
            serialize(article)
            serialize(article_json)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return 0

    runs = args.runs
    parse = _parser()
    # Each workload is timed with nothing else alive: another workload's
    # objects would make the cycle collector's full collections (which a run
    # of kept parse results triggers) pay for them too. Results are kept, as
    # a caller would keep them.
    rows = _small_rows(runs, parse)
    gc.collect()
    rows += _article_rows(runs, parse)
    width = max(len(name) for name, _ in rows)
    for name, figure in rows:
        print(f"  {name:<{width}}  {figure}")
    return 0


def _load_article_json() -> Any:
    return json.loads((DATA / "article-1mb.json").read_text(encoding="utf-8"))


def _small_rows(runs: int, parse: Callable[..., Any] | None) -> list[tuple[str, str]]:
    """Serialize and parse figures on the 1,000 small documents."""
    lines = (DATA / "small-1000.jsonl").read_text(encoding="utf-8").split("\n")
    small_json = [json.loads(line) for line in lines if line]
    small = [load_document(doc) for doc in small_json]
    small_texts = [serialize(doc) for doc in small]
    chars = sum(len(t.encode("utf-8")) for t in small_texts)
    print(f"small: {len(small)} documents, {chars:,} bytes of dastdown")
    rows = [
        (
            "serialize small (Document)",
            _rate(len(small), _serialize_all(small, runs), "docs/s"),
        ),
        (
            "serialize small (dict)",
            _rate(len(small), _serialize_all(small_json, runs), "docs/s"),
        ),
    ]
    del small, small_json  # parse is timed with only its input texts alive
    gc.collect()
    if parse is not None:
        rows.append(
            ("parse small", _rate(len(small_texts), _parse_all(parse, small_texts, runs), "docs/s"))
        )
    return rows


def _serialize_all(docs: list[Any], runs: int) -> tuple[float, float]:
    """Median time to serialize every document."""
    return _median(lambda: [serialize(d) for d in docs], runs)


def _parse_all(parse: Callable[..., Any], texts: list[str], runs: int) -> tuple[float, float]:
    """Median time to parse every text, keeping the results."""
    return _median(lambda: [parse(t) for t in texts], runs)


def _article_rows(runs: int, parse: Callable[..., Any] | None) -> list[tuple[str, str]]:
    """Serialize and parse figures on the ~1.1 MB article."""
    article_json = _load_article_json()
    article = load_document(article_json)
    text = serialize(article)
    size = len(text.encode("utf-8"))
    print(f"article: {size:,} bytes of dastdown")
    rows = [
        (
            "serialize article (Document)",
            _rate(size, _median(lambda: serialize(article), runs), "MB/s"),
        ),
        (
            "serialize article (dict)",
            _rate(size, _median(lambda: serialize(article_json), runs), "MB/s"),
        ),
    ]
    if parse is None:
        rows.append(("parse", "dastdown.parser.parse not available"))
    else:
        rows.append(("parse article", _rate(size, _median(lambda: parse(text), runs), "MB/s")))
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
