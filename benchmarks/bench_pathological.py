"""Benchmark pathological inputs: every one linear, and 1 MB in under 2 s of CPU.

Run ``python benchmarks/bench_pathological.py``. Each named input is made
at 0.25 MB and at 1 MB (``--size`` changes the large size, in bytes); for
each it prints the CPU seconds (``time.process_time``, best of ``--runs``)
of ``parse`` of the text, ``serialize`` of the parsed ``Document``,
``load_document`` and ``validate`` of its DAST JSON (``to_json()``), and the
1 MB / 0.25 MB ratio of the parse (about 4 when linear, 16 when
quadratic). Inputs the grammar refuses (nested blockquotes...) time the
parse up to its error, and have no other column.

The JSON side also runs on its own: ``deep-json`` is a list nested 500,000
levels deep (1 MB as dastdown), given as DAST JSON to ``load_document``,
``validate`` and ``to_json``; its ratio is against 125,000 levels.

Each input runs in a process of its own, its memory capped (``--memory``,
5 GB; running out shows as ``memory``) and its time limited (``--timeout``).
``--only NAME`` (repeatable; a prefix matches) picks inputs; ``--list``
names them; ``--src DIR`` imports ``dast`` and ``dastdown`` from another
checkout; ``--compare OLD_DIR`` runs both checkouts (``OLD_DIR`` and
``--src``) input by input, ``--rounds`` times each, alternating which goes
first, and prints the best of each side and their ratio (same run, same
machine load). ``--json`` prints one JSON line per input.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

MB = 1_000_000


def _repeat(unit: str, size: int, end: str = "\n") -> str:
    """``unit`` repeated up to ``size`` characters (whole units), then ``end``."""
    return unit * max(1, (size - len(end)) // len(unit)) + end


def _lines(unit: str, width: int = 78) -> Callable[[int], str]:
    """Lines of ``width`` characters of ``unit`` soup, as one paragraph per line pair."""

    def make(size: int) -> str:
        line = (unit * (width // len(unit) + 1))[:width]
        return _repeat(line + "\n\n", size, "")

    return make


def _one_line(unit: str) -> Callable[[int], str]:
    return lambda size: _repeat(unit, size)


def _crlf(make: Callable[[int], str], ending: str = "\r\n") -> Callable[[int], str]:
    return lambda size: make(size * 2 // 3 if ending == "\r\n" else size).replace("\n", ending)


def _indented_lists(size: int) -> str:
    """Lists nested by indentation (``- a``, ``  - a``, ...): depth grows as sqrt(size)."""
    out: list[str] = []
    total = depth = 0
    while True:
        line = "  " * depth + "- a\n"
        if total + len(line) > size:
            break
        out.append(line)
        total += len(line)
        depth += 1
    return "".join(out)


def _deep_marks(size: int) -> str:
    """Custom marks nested in each other, each with its own key, then closed."""
    count = size // 20
    opens = "".join(f'<m k="k{i}">' for i in range(count))
    return opens + "x" + "</m>" * count + "\n"


INPUTS: dict[str, Callable[[int], str]] = {
    # Delimiter soups, each one line of 1 MB (one paragraph).
    "star soup": _one_line("*"),
    "underscore soup": _one_line("_"),
    "open bracket soup": _one_line("["),
    "close bracket soup": _one_line("]"),
    "less-than soup": _one_line("<"),
    "backtick soup": _one_line("`"),
    "tilde soup": _one_line("~"),
    "equals soup": _one_line("="),
    "plus soup": _one_line("+"),
    "backslash soup": _one_line("\\"),
    "mixed soup": _one_line("*_[]<`~=+(){}>\\"),
    "unclosed links [x](": _one_line("[x]("),
    "unclosed marks **a": _one_line("**a ~~b ==c ++d `e <m k=\"x\">f "),
    "star soup lines": _lines("*"),
    "mixed soup lines": _lines("*_[]<`~=+"),
    # Structure.
    "nested lists '- '": _one_line("- "),
    "nested lists '1. '": _one_line("1. "),
    "indented nested lists": _indented_lists,
    "flat list": lambda size: _repeat("- a\n", size, ""),
    "one-letter paragraphs": lambda size: _repeat("a\n\n", size, ""),
    "headings": lambda size: _repeat("# a\n\n", size, ""),
    "code blocks": lambda size: _repeat("```\nx\n```\n\n", size, ""),
    "thematic breaks": lambda size: _repeat("---\n\n", size, ""),
    "blocks": lambda size: _repeat('<block id="b"/>\n\n', size, ""),
    "blockquote lines": lambda size: _repeat("> a\n", size, ""),
    "blockquote paragraphs": lambda size: "> a\n" + _repeat(">\n> a\n", size, ""),
    "one 1 MB line": _one_line("a"),
    "one 1 MB line of words": _one_line("lorem ipsum "),
    "continuation lines": lambda size: _repeat("a\n", size, ""),
    "alternating marks": _one_line("**a***b*~~c~~"),
    "links": _one_line("[a](u) "),
    "links with meta": _one_line('[a](u){rel="x"} '),
    "item links": _one_line("[a](dato:item/1) "),
    "inline items": _one_line('<inlineItem id="1"/>'),
    "deep custom marks": _deep_marks,
    "line breaks <br/>": _one_line("a<br/>"),
    # Line endings.
    "one-letter paragraphs CRLF": _crlf(lambda size: _repeat("a\n\n", size, "")),
    "flat list CRLF": _crlf(lambda size: _repeat("- a\n", size, "")),
    "continuation lines CR": _crlf(lambda size: _repeat("a\n", size, ""), "\r"),
    # Refused: the time to the error.
    "nested quotes (error)": _one_line("> "),
    "list in quote (error)": lambda size: _repeat("> a\n", size - 8, "") + "> - a\n",
    "heading in list (error)": lambda size: _repeat("- ", size - 6, "") + "# a\n",
}


def _deep_json(depth: int) -> dict[str, Any]:
    """A DAST document holding a list nested ``depth`` lists deep (as ``- `` * depth)."""
    node: dict[str, Any] = {
        "type": "list",
        "style": "bulleted",
        "children": [
            {
                "type": "listItem",
                "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
            }
        ],
    }
    for _ in range(depth - 1):
        node = {
            "type": "list",
            "style": "bulleted",
            "children": [{"type": "listItem", "children": [node]}],
        }
    return {"schema": "dast", "document": {"type": "root", "children": [node]}}


def _cpu(work: Callable[[], object], runs: int) -> tuple[float | str, object]:
    """Best CPU seconds of ``runs`` calls (the collector as the library leaves it).

    ``"memory"`` instead of seconds when the work ran out of the memory the
    child process is allowed (``--memory``).
    """
    best = float("inf")
    result: object = None
    for _ in range(runs):
        result = None  # the previous run's tree is freed before the next one
        gc.collect()
        start = time.process_time()
        try:
            result = work()
        except MemoryError:
            result = None
            gc.collect()
            return "memory", None
        best = min(best, time.process_time() - start)
    return best, result


_SKIP_AFTER = 4.0
"""A stage that took this long at 1/4 size is not run at full size (it would take minutes)."""


def _measure(name: str, size: int, runs: int) -> dict[str, Any]:
    """The row of one input: seconds per stage at 1/4 size and at full size."""
    from dast.load import load_document
    from dast.validate import validate
    from dastdown import parse, serialize

    warm = parse("# a\n\n- b\n\n*c* [d](e) <m k=\"x\">f</m>\n")  # lark's grammar, compiled once
    load_document(warm.to_json())
    validate(warm.to_json())
    serialize(warm)
    row: dict[str, Any] = {"name": name, "bytes": 0}
    if name == "deep-json":
        for label, depth in (("small", size // 8), ("large", size // 2)):
            data = _deep_json(depth)
            load_s, doc = _cpu(lambda data=data: load_document(data), runs)
            validate_s, report = _cpu(lambda data=data: validate(data), runs)
            assert report is not None and report.valid  # type: ignore[attr-defined]
            json_s, _ = _cpu(lambda doc=doc: doc.to_json(), runs)  # type: ignore[attr-defined]
            row[label] = {"load": load_s, "validate": validate_s, "to_json": json_s}
            row["bytes"] = depth * 2
            del data, doc
        return row
    make = INPUTS[name]
    for label, length in (("small", size // 4), ("large", size)):
        text = make(length)
        row["bytes"] = len(text.encode("utf-8"))
        error = None

        def parse_it(text: str = text) -> object:
            nonlocal error
            try:
                return parse(text)
            except Exception as exc:  # the refused inputs: time to the error
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                return None

        parse_s, doc = _cpu(parse_it, runs)
        stages: dict[str, Any] = {"parse": parse_s}
        if doc is not None:
            before = row.get("small", {}).get("serialize", 0.0)
            if isinstance(before, float) and before < _SKIP_AFTER:
                stages["serialize"], out = _cpu(lambda doc=doc: serialize(doc), runs)
                if out is not None:
                    assert parse(out) == doc  # type: ignore[arg-type]  # the text round-trips
            else:
                stages["serialize"], out = "skipped", None
            data = doc.to_json()  # type: ignore[attr-defined]
            del doc, out
            stages["load"], _ = _cpu(lambda data=data: load_document(data), runs)
            stages["validate"], _ = _cpu(lambda data=data: validate(data), runs)
            del data
        else:
            stages["error"] = error
        row[label] = stages
    return row


def _scaling(row: dict[str, Any]) -> float | None:
    """The largest full size / quarter size ratio over the stages long enough to tell."""
    ratios = [
        large / small
        for stage, large in row["large"].items()
        if isinstance(large, float)
        and isinstance(small := row["small"].get(stage), float)
        and small >= 0.02
    ]
    return max(ratios, default=None)


_STAGES = ("parse", "serialize", "load", "validate", "to_json")


def _print_rows(rows: list[dict[str, Any]]) -> None:
    print(f"{'input':30} {'MB':>5} " + " ".join(f"{s:>9}" for s in _STAGES) + "   x4?  verdict")
    for row in rows:
        large = row["large"]
        cells = [
            f"{large[s]:9.3f}"
            if isinstance(large.get(s), float)
            else f"{large[s]:>9}"
            if isinstance(large.get(s), str) and s != "error"
            else f"{'':9}"
            for s in _STAGES
        ]
        ratio = _scaling(row)
        verdict = "SLOW" if _slow(row) else "ok"
        if "error" in large:
            verdict += " (error)"
        shown = f"{ratio:5.1f}" if ratio is not None else "    -"
        print(f"{row['name']:30} {row['bytes'] / MB:5.2f} {' '.join(cells)} {shown}  {verdict}")


def _slow(row: dict[str, Any]) -> bool:
    """Over 2 s at full size, not linear, or a stage that could not finish."""
    large = row["large"]
    if any(isinstance(v, str) for k, v in large.items() if k != "error"):
        return True
    worst = max(v for v in large.values() if isinstance(v, float))
    ratio = _scaling(row)
    return worst >= 2.0 or (ratio is not None and ratio >= 6)


def _child(name: str, src: str, args: argparse.Namespace) -> dict[str, Any]:
    """One input measured in a process of its own (memory capped, time limited)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--src", src]
    command += ["--runs", str(args.runs), "--size", str(args.size), "--memory", str(args.memory)]
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=args.timeout
        )
    except subprocess.TimeoutExpired:
        stages = {"parse": "timeout"}
        return {"name": name, "bytes": 0, "small": stages, "large": stages}
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        stages = {"parse": f"exit {exc.returncode}"}
        return {"name": name, "bytes": 0, "small": stages, "large": stages}
    row: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return row


def _cell(value: object, width: int) -> str:
    return f"{value:{width}.3f}" if isinstance(value, float) else f"{value!s:>{width}}"


def _compare(old: str, names: list[str], args: argparse.Namespace) -> None:
    """Both checkouts, input by input, alternating which goes first; best of each."""
    print(f"{'input':30} {'stage':9} {'before':>8} {'after':>8} {'speed-up':>8}")
    for name in names:
        best: dict[str, dict[str, Any]] = {"old": {}, "new": {}}
        for round_ in range(args.rounds):
            sides = [("old", old), ("new", os.path.abspath(args.src))]
            for side, src in sides if round_ % 2 == 0 else reversed(sides):
                row = _child(name, src, args)
                for stage, seconds in row["large"].items():
                    known = best[side].get(stage)
                    if isinstance(seconds, float) and isinstance(known, float):
                        best[side][stage] = min(known, seconds)
                    elif known is None or isinstance(seconds, float):
                        best[side][stage] = seconds
        for stage in _STAGES:
            if stage in best["new"] or stage in best["old"]:
                before, after = best["old"].get(stage, "-"), best["new"].get(stage, "-")
                shown = [_cell(v, 8) for v in (before, after)]
                speed = (
                    f"{before / max(after, 1e-6):7.1f}x"
                    if isinstance(before, float) and isinstance(after, float)
                    else ""
                )
                print(f"{name:30} {stage:9} {shown[0]} {shown[1]} {speed}", flush=True)


def main() -> None:
    """Time every input (or those named) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="best of N runs in each process")
    parser.add_argument("--rounds", type=int, default=2, help="--compare: rounds per side")
    parser.add_argument("--size", type=int, default=MB)
    parser.add_argument("--memory", type=float, default=5.0, help="GB allowed per input")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per input")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--src", default=str(ROOT), help="import the code from this checkout")
    parser.add_argument("--compare", metavar="OLD_DIR", help="before (OLD_DIR) and after")
    parser.add_argument("--json", action="store_true", help="one JSON line per input")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        limit = int(args.memory * 1e9)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        sys.path.insert(0, os.path.abspath(args.src))
        print(json.dumps(_measure(args.child, args.size, args.runs)), flush=True)
        return
    names = [*INPUTS, "deep-json"]
    if args.only:
        names = [n for n in names if any(n == o or n.startswith(o) for o in args.only)]
    if args.list:
        print("\n".join(names))
        return
    if args.compare:
        _compare(args.compare, names, args)
        return
    rows = []
    for name in names:
        row = _child(name, os.path.abspath(args.src), args)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(f"... {name}", file=sys.stderr, flush=True)
        rows.append(row)
    if not args.json:
        _print_rows(rows)
        slow = [r["name"] for r in rows if _slow(r)]
        print(f"\n{len(rows) - len(slow)}/{len(rows)} inputs under 2 s and linear")


if __name__ == "__main__":
    main()
