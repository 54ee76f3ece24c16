"""CPU time of each stage of ``dastdown.parse`` on the benchmark inputs.

Run ``python benchmarks/bench_parse_stages.py`` (the repository's source) or,
to measure an installed build such as the compiled wheel ``pip install .``
makes, ``python benchmarks/bench_parse_stages.py --installed`` from that
environment (the repository is then not put first on ``sys.path``; the inputs
still come from ``benchmarks/data/``). ``--runs N``: best of N (default 7).

Stages, each timed on its own inputs captured beforehand: the whole parse (with
the cycle collector as usual, and off), the line lexer, the inline scanner
(every paragraph and heading text of the inputs, as the transformer passes
it), text to DAST JSON (``fast_children``: lexer, scanner and transformer) and
``load_document`` of that JSON. The first line says whether the lexer and the
scanner are compiled. Figures are in benchmarks/PROFILE.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"


def _best(func: Callable[[], object], runs: int, collector: bool) -> float:
    """Best CPU milliseconds of ``runs`` calls after two warm-ups (collector on or off)."""
    for _ in range(2):
        func()
    best = float("inf")
    for _ in range(runs):
        if not collector:
            gc.disable()
        start = time.process_time()
        result = func()
        best = min(best, time.process_time() - start)
        del result
        gc.enable()
    return best * 1e3


def _inputs() -> dict[str, list[str]]:
    """The dastdown texts of the 1,000 small documents and of the article."""
    from dast.load import load_document
    from dastdown.serializer import serialize

    lines = [line for line in (DATA / "small-1000.jsonl").read_text("utf-8").split("\n") if line]
    article = json.loads((DATA / "article-1mb.json").read_text("utf-8"))
    return {
        "small": [serialize(load_document(json.loads(line))) for line in lines],
        "article": [serialize(load_document(article))],
    }


def _stages(texts: list[str], runs: int) -> dict[str, float]:
    """Each stage's best CPU milliseconds over ``texts``."""
    from dast.load import load_document
    from dastdown.parser import _fast_tools, fast_children, parse

    # The whole parse first, with only the texts alive: the collector's passes
    # grow with every tracked object in memory (the captured inputs below).
    figures = {
        "parse": _best(lambda: [parse(text) for text in texts], runs, True),
        "parse, collector off": _best(lambda: [parse(text) for text in texts], runs, False),
    }
    lexer, rules = _fast_tools()
    scan = rules.inline.scan
    # What the node builders pass the scanner: each TEXT token and the CONT
    # lines after it, joined by one space (paragraphs, blockquotes' and
    # list items' paragraphs, headings). The builders may be compiled (their
    # scanner cannot be swapped for a recorder), so the calls are read from
    # the tokens: ``TEXT CONT*`` is the text of every paragraph and heading.
    calls: list[tuple[str, Sequence[Any]]] = []
    for text in texts:
        tokens = lexer.tokens(text)
        for i, token in enumerate(tokens):
            if token.type == "TEXT":
                j = i + 1
                while j < len(tokens) and tokens[j].type == "CONT":
                    j += 1
                lines = tokens[i:j]
                calls.append((str(lines[0]) if len(lines) == 1 else " ".join(lines), lines))
    children = [fast_children(text) for text in texts]
    documents = [
        {"schema": "dast", "document": {"type": "root", "children": found}} for found in children
    ]
    figures["line lexer"] = _best(lambda: [lexer.tokens(text) for text in texts], runs, False)
    figures["inline scanner"] = _best(
        lambda: [scan(text, lines) for text, lines in calls], runs, False
    )
    figures["text to DAST JSON"] = _best(
        lambda: [fast_children(text) for text in texts], runs, False
    )
    figures["load_document"] = _best(lambda: [load_document(d) for d in documents], runs, False)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print the CPU time of each stage for the small documents and the article."""
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--installed", action="store_true", help="measure the installed package")
    options.add_argument("--runs", type=int, default=7, help="best of this many runs")
    args = options.parse_args(argv)
    if not args.installed:
        sys.path.insert(0, str(ROOT))
    import dastdown.inline
    import dastdown.lexer

    kinds = [
        f"{module.__name__} {'compiled' if not str(module.__file__).endswith('.py') else 'pure'}"
        for module in (dastdown.lexer, dastdown.inline)
    ]
    print(", ".join(kinds))
    for name, texts in _inputs().items():
        figures = _stages(texts, args.runs)
        print(f"{name}: " + "  ".join(f"{stage} {ms:.1f} ms" for stage, ms in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
