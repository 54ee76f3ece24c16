"""Side-by-side benchmarks against the JavaScript reference, as JS time / our time.

Run ``python benchmarks/bench_reference.py --reference DIR`` (or set
``DASTDOWN_JS_REFERENCE=DIR``), where ``DIR`` is a folder where the
reference (``js-reference``: its ``bench.cjs`` and ``node_modules``) was
installed with ``npm install``. Rounds alternate the two sides on the same
inputs (``benchmarks/data/``): each round runs the reference's ``bench.cjs``
(WARM 3, median of ``--runs``) in a Node process, then times our side the
same way (warm-up 3, median of ``--runs``), and the ratios of each round are
printed (above 1 means we are faster) with their range over the rounds,
as ratios of medians and of best runs (on a shared machine the best run is
the one least disturbed by other work; both sides time wall-clock).
Without a reference folder only our own figures are printed; the first line
says whether the modules setup.py may compile with mypyc are compiled. The project
never depends on Node or on the reference: it is only run from here.

Workloads (inputs prepared outside the timed region, as ``bench.cjs`` does):
``big.parse`` / ``small.parse`` (dastdown text to a validated ``Document``,
and with ``parse_json`` to DAST JSON: the reference's parse gives JSON),
``big.serialize`` / ``small.serialize`` from a ``Document`` and from a JSON
dict (validation included, as the reference's ``serialize`` validates),
``big.to_html`` / ``small.to_html`` from a ``Document`` and from a dict,
records rendered as one small element each (as ``bench.cjs`` does). The
reference has one figure per workload; each of ours is compared with it.
The small workloads loop over the 1,000 documents as ``bench.cjs``'s
``loop`` does: each result is dropped when the next is made, the last one
is kept. ``small.parse (all kept)`` keeps all 1,000 ``Document`` objects
(a list of them), which costs the collector's passes over them, and has no
counterpart; nor have the ``load`` rows (``json.loads``, ``load_document``).

``--profile DIR`` instead writes one cProfile file per workload into
``DIR`` and prints the top functions of each (``benchmarks/PROFILE.md``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dast.convert.items import ItemRef  # noqa: E402
from dast.convert.to_html import to_html  # noqa: E402
from dast.load import load_document  # noqa: E402
from dastdown.parser import parse, parse_json  # noqa: E402
from dastdown.serializer import serialize  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
ENV_VAR = "DASTDOWN_JS_REFERENCE"

# Our workload -> the reference's workload it is compared with.
WORKLOADS: dict[str, str] = {
    "big.parse": "big.parse",
    "big.parse (JSON)": "big.parse",
    "big.serialize (Document)": "big.serialize",
    "big.serialize (dict)": "big.serialize",
    "big.to_html (Document)": "big.to_html",
    "big.to_html (dict)": "big.to_html",
    "small.parse": "small.parse",
    "small.parse (JSON)": "small.parse",
    "small.parse (all kept)": "",
    "small.serialize (Document)": "small.serialize",
    "small.serialize (dict)": "small.serialize",
    "small.to_html (Document)": "small.to_html",
    "small.to_html (dict)": "small.to_html",
    "big.json.loads": "",
    "big.load_document (dict)": "",
    "small.json.loads + load_document": "",
}

WARM = 3


def _figure(item: ItemRef) -> str:
    return f'<figure data-id="{item.id}"></figure>'


def _span(item: ItemRef) -> str:
    return f'<span data-id="{item.id}"></span>'


def _inline_record(item: ItemRef) -> str:
    return f'<a href="/{item.id}">{item.id}</a>'


def _record_link(item: ItemRef) -> str:
    return f'<a href="/{item.id}">{item.inner}</a>'


def _html(doc: Any) -> str:
    """Our HTML with records rendered as one small element each (as ``bench.cjs``)."""
    return to_html(
        doc,
        render_block=_figure,
        render_inline_block=_span,
        render_inline_item=_inline_record,
        render_item_link=_record_link,
    ).result


def _loop(func: Callable[[Any], object], items: list[Any]) -> Callable[[], object]:
    """``func`` over ``items``, the last result kept (``bench.cjs``'s ``loop``)."""

    def run() -> object:
        last = None
        for item in items:
            last = func(item)
        return last

    return run


def _read_small() -> list[str]:
    return [line for line in (DATA / "small-1000.jsonl").read_text("utf-8").split("\n") if line]


def _prepare(name: str) -> Callable[[], object]:
    """The timed function of one workload, its inputs built beforehand."""
    side, _, rest = name.partition(".")
    as_dict = rest.endswith("(dict)")
    if side == "big":
        raw = (DATA / "article-1mb.json").read_text("utf-8")
        if rest == "json.loads":
            return lambda: json.loads(raw)
        data = json.loads(raw)
        if rest == "load_document (dict)":
            return lambda: load_document(data)
        doc = load_document(data)
        if rest.startswith("parse"):
            text = serialize(doc)
            reader = parse_json if rest == "parse (JSON)" else parse
            return lambda: reader(text)
        source: Any = data if as_dict else doc
        if rest.startswith("serialize"):
            return lambda: serialize(source)
        return lambda: _html(source)
    lines = _read_small()
    if rest == "json.loads + load_document":
        return lambda: [load_document(json.loads(line)) for line in lines]
    datas = [json.loads(line) for line in lines]
    docs = [load_document(d) for d in datas]
    if rest.startswith("parse"):
        texts = [serialize(d) for d in docs]
        del datas, docs
        if rest == "parse (all kept)":
            return lambda: [parse(t) for t in texts]
        return _loop(parse_json if rest == "parse (JSON)" else parse, texts)
    sources: list[Any] = datas if as_dict else docs
    return _loop(serialize if rest.startswith("serialize") else _html, sources)


def _time(func: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and best milliseconds of ``runs`` calls after ``WARM`` warm-ups (results kept)."""
    for _ in range(WARM):
        func()
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1e3)
        del result
    return statistics.median(times), min(times)


Timings = dict[str, tuple[float, float]]
"""Workload -> (median, best) milliseconds."""


def ours(runs: int, only: set[str] | None = None) -> Timings:
    """Our median milliseconds per workload, each timed with only its own inputs alive."""
    results: Timings = {}
    for name in WORKLOADS:
        if only is not None and name not in only:
            continue
        func = _prepare(name)
        gc.collect()
        results[name] = _time(func, runs)
        del func
        gc.collect()
    return results


def reference(folder: Path, runs: int, only: set[str] | None = None) -> Timings:
    """The reference's median milliseconds per workload (one ``node bench.cjs`` run).

    ``only``: our workloads; the reference then runs just their counterparts.
    """
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH: the reference cannot run")
    script = folder / "bench.cjs"
    if not script.is_file() or not (folder / "node_modules").is_dir():
        raise SystemExit(f"{folder}: no bench.cjs or node_modules (run npm install there)")
    env = {**os.environ, "WARM": str(WARM), "RUNS": str(runs)}
    if only is not None:
        env["ONLY"] = ",".join(sorted({WORKLOADS[name] for name in only if WORKLOADS.get(name)}))
    done = subprocess.run(
        [node, str(script), str(DATA)], capture_output=True, text=True, env=env, check=True
    )
    report = json.loads(done.stdout)
    return {
        name: (float(entry["median_ms"]), float(entry["min_ms"]))
        for name, entry in report["results"].items()
    }


def _profile(folder: Path, runs: int) -> None:
    """One cProfile file per workload in ``folder``, and the top functions of each."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in WORKLOADS:
        if not WORKLOADS[name]:
            continue
        func = _prepare(name)
        func()
        gc.collect()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            func()
        profiler.disable()
        slug = name.replace(" ", "").replace("(", "-").replace(")", "").lower()
        out = folder / f"{slug}.prof"
        profiler.dump_stats(out)
        print(f"=== {name} x{runs}  ({out})")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def main(argv: list[str] | None = None) -> int:
    """Print our figures, and the ratios to the reference when it is given; return 0."""
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument(
        "--reference",
        type=Path,
        default=os.environ.get(ENV_VAR) or None,
        help=f"folder where the JS reference was installed (default: ${ENV_VAR})",
    )
    options.add_argument("--runs", type=int, default=11, help="timed runs per side (median)")
    options.add_argument("--rounds", type=int, default=2, help="alternations of both sides")
    options.add_argument("--only", help="comma-separated workloads of ours")
    options.add_argument("--profile", type=Path, help="write cProfile files into this folder")
    args = options.parse_args(argv)
    if args.profile is not None:
        _profile(args.profile, max(1, args.runs // 3))
        return 0
    only = set(args.only.split(",")) if args.only else None
    rounds: list[tuple[Timings, Timings]] = []
    for index in range(args.rounds if args.reference else 1):
        theirs = reference(args.reference, args.runs, only) if args.reference else {}
        mine = ours(args.runs, only)
        rounds.append((mine, theirs))
        print(f"round {index + 1} done", file=sys.stderr)
    _print(rounds)
    return 0


def _builds() -> str:
    """Which of the modules setup.py may compile are compiled in this run."""
    names = ("dastdown.serializer", "dastdown.lexer", "dastdown.inline", "dast.convert.to_html")
    kinds = [
        f"{name} {'pure Python' if str(sys.modules[name].__file__).endswith('.py') else 'compiled'}"
        for name in names
    ]
    return ", ".join(kinds)


def _print(rounds: list[tuple[Timings, Timings]]) -> None:
    """One line per workload: medians over the rounds, and ratios (median / best runs)."""
    with_reference = bool(rounds[0][1])
    print(f"modules: {_builds()}")
    head = f"{'workload':<34} {'ours ms':>8} {'best':>7}"
    if with_reference:
        head += f" {'JS ms':>8} {'best':>7} {'JS/ours':>8} {'best':>6}  median ratio per round"
    print(head)
    for name in rounds[0][0]:
        mine = statistics.median(r[0][name][0] for r in rounds)
        mine_best = min(r[0][name][1] for r in rounds)
        line = f"{name:<34} {mine:8.1f} {mine_best:7.1f}"
        key = WORKLOADS[name]
        if with_reference and key and key in rounds[0][1]:
            theirs = statistics.median(r[1][key][0] for r in rounds)
            theirs_best = min(r[1][key][1] for r in rounds)
            per_round = [r[1][key][0] / r[0][name][0] for r in rounds]
            spread = ", ".join(f"{ratio:.2f}" for ratio in per_round)
            line += (
                f" {theirs:8.1f} {theirs_best:7.1f} {theirs / mine:8.2f}"
                f" {theirs_best / mine_best:6.2f}  ({spread})"
            )
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
