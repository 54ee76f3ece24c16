"""Benchmark translation: segments out and in, XLIFF out and in, JSON units, on the big article.

Run ``python benchmarks/bench_translate.py`` (``--runs N`` sets the number of
timed runs, the median is reported; ``--profile NAME`` prints the top
functions of one step). The input is ``benchmarks/data/article-1mb.json``
(one 2.2 MB DAST JSON document, ~31,500 nodes), loaded once; the figures
are for the loaded ``Document``. "apply, identity" applies every segment's
own source (every paragraph is rebuilt from its tokens and compared); "apply,
translated" upper-cases the text of every segment (every paragraph replaced).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
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
from dast.translate import (  # noqa: E402
    Token,
    apply_segments,
    decode_tags,
    extract_segments,
    segment_unit,
)
from dast.translate.xliff import XliffFile, read_xliff, write_xliff  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def _median(func: Callable[[], Any], runs: int) -> float:
    """Median seconds of ``runs`` calls (garbage collector on, as in real use)."""
    func()  # warm caches
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _shout(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    return tuple(t.upper() if isinstance(t, str) else t for t in tokens)


def main() -> None:
    """Time each step and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", metavar="NAME", help="profile one step by name")
    args = parser.parse_args()

    raw = (DATA / "article-1mb.json").read_text(encoding="utf-8")
    doc = load_document(json.loads(raw))
    mb = len(raw.encode("utf-8")) / 1e6
    segments = extract_segments(doc)
    identity = {s.id: s.content for s in segments}
    shouted = {s.id: _shout(s.content) for s in segments}
    xliff = write_xliff([XliffFile("article.json", segments, targets=shouted)], "en", "it")
    units = [segment_unit(s) for s in segments]
    codes = sum(len(s.codes) for s in segments)

    steps: dict[str, Callable[[], Any]] = {
        "extract_segments": lambda: extract_segments(doc),
        "apply, identity": lambda: apply_segments(doc, identity),
        "apply, translated": lambda: apply_segments(doc, shouted),
        "write_xliff (with targets)": lambda: write_xliff(
            [XliffFile("article.json", segments, targets=shouted)], "en", "it"
        ),
        "read_xliff": lambda: read_xliff(xliff),
        "units out (segment_unit + json.dumps)": lambda: json.dumps(
            [segment_unit(s) for s in segments]
        ),
        "units in (decode_tags)": lambda: [decode_tags(str(u["text"])) for u in units],
        "round trip (extract, XLIFF out and in, apply)": lambda: apply_segments(
            doc,
            read_xliff(
                write_xliff([XliffFile("a", extract_segments(doc), targets=shouted)], "en")
            ).files[0].translations(),
        ),
    }
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(steps[args.profile])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return

    print(f"article: {mb:.2f} MB JSON, {len(segments):,} segments, {codes:,} inline codes, "
          f"XLIFF {len(xliff) / 1e6:.2f} MB; median of {args.runs} runs")
    print(f"| {'step':<46} | {'time':>8} | {'segments/s':>11} |")
    print(f"|{'-' * 48}|{'-' * 10}|{'-' * 13}|")
    for name, func in steps.items():
        seconds = _median(func, args.runs)
        print(f"| {name:<46} | {seconds * 1000:>5.0f} ms | {len(segments) / seconds:>11,.0f} |")


if __name__ == "__main__":
    main()
