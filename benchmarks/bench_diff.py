"""Benchmark the structural diff on the 1 MB article (``python benchmarks/bench_diff.py``).

Cases: one word changed in a span in the middle of the document (must be
one text edit, well under a second), two root children swapped, every
tenth span edited, the document against itself, and replaying a diff
(``apply_diff``, which validates its result). Each input is given as DAST
JSON (the usual case: files, API responses) and, for the one-word case, as
``Document`` models too. Medians of ``--runs`` runs (default 7).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dast.diff import apply_diff, diff  # noqa: E402
from dast.load import load_document  # noqa: E402


def _median(func: Callable[[], Any], runs: int) -> float:
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _spans(node: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        here = stack.pop()
        if here.get("type") == "span":
            found.append(here)
        stack.extend(reversed(here.get("children", ())))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    data = json.loads((ROOT / "benchmarks/data/article-1mb.json").read_text(encoding="utf-8"))
    children = data["document"]["children"]
    size = len(json.dumps(data).encode())

    one_word = copy.deepcopy(data)
    span = _spans(one_word["document"]["children"][len(children) // 2])[0]
    span["value"] = span["value"].replace(" ", " changed ", 1) if " " in span["value"] else "x"
    swapped = copy.deepcopy(data)
    kids = swapped["document"]["children"]
    kids[10], kids[-10] = kids[-10], kids[10]
    many = copy.deepcopy(data)
    spans = _spans(many["document"])
    for s in spans[::10]:
        s["value"] = s["value"] + "!"

    changes = diff(data, one_word)
    print(f"article: {size:,} bytes of JSON, {len(children):,} root children, {len(spans):,} spans")
    print(f"one word changed: {len(changes)} operation(s): {[op.kind for op in changes]}")
    rows = [
        ("equal documents (JSON)", lambda: diff(data, data)),
        ("one word changed (JSON)", lambda: diff(data, one_word)),
        ("two root children swapped (JSON)", lambda: diff(data, swapped)),
        (f"every tenth span edited, {len(spans[::10]):,} edits (JSON)", lambda: diff(data, many)),
    ]
    doc_a, doc_b = load_document(data), load_document(one_word)
    rows.append(("one word changed (Document models)", lambda: diff(doc_a, doc_b)))
    rows.append(("apply_diff, one word (validates the result)", lambda: apply_diff(data, changes)))
    print(f"{'case':<58} {'median':>10}")
    for label, func in rows:
        print(f"{label:<58} {_median(func, runs) * 1000:>8.0f} ms")
    print(f"swap: {[op.kind for op in diff(data, swapped)]}")
    print(f"tenth spans: {len(diff(data, many))} operations")


if __name__ == "__main__":
    main()
