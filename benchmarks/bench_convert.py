"""Benchmark the importers: markdown against mistune's own parse, HTML in MB/s, visible text.

Run ``python benchmarks/bench_convert.py`` (``--runs N`` sets the number of
timed runs; ``--stages`` adds where the markdown import's time goes). Times
are CPU time (``time.process_time``), the two sides of a comparison run
alternately in one process; the median is reported, and the best run. The
input is the benchmark article ``benchmarks/data/article-1mb.json`` rendered
to markdown (``to_markdown``) and to HTML (``to_html``, records rendered as
one small element each).

* markdown: ``from_markdown`` time over the time of mistune's own parse of the
  same text (``mistune.create_markdown(renderer=None)`` with the same plugins);
  with ``--stages``: mistune's parse (also with the collector paused, as ours
  runs), our parse (mistune plus the source line of every token), the
  conversion of the tokens to nodes, and the rest (report, document, checks,
  and the collector's pass over the new tree when ``from_markdown`` ends,
  timed on its own);
* HTML: ``from_html`` throughput in MB of HTML per second, and lexbor's parse
  alone for comparison (and justhtml's, when it is installed);
* visible text: for every page of ``fixtures/html``, the share of the
  characters of its text content (whitespace aside, minus the elements the
  report lists as dropped) found, in order, in ``to_text`` of the result.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dast.convert import from_markdown, to_html, to_markdown, to_text  # noqa: E402
from dast.convert.from_html import from_html  # noqa: E402


def _alternated(work: dict[str, Callable[[], Any]], runs: int) -> dict[str, list[float]]:
    """CPU times of each piece of work, run in turn (the order flipped every round)."""
    for fn in work.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in work}
    names = list(work)
    for round_ in range(runs):
        for name in names if round_ % 2 == 0 else reversed(names):
            gc.collect()
            start = time.process_time()
            work[name]()
            times[name].append(time.process_time() - start)
    return times


def _median(fn: Callable[[], Any], runs: int) -> float:
    return statistics.median(_alternated({"work": fn}, runs)["work"])


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms (best {min(times) * 1000:.0f})"


def _inputs() -> tuple[str, str]:
    doc = json.loads((ROOT / "benchmarks" / "data" / "article-1mb.json").read_text("utf-8"))
    small = "<span>record</span>"
    markdown = to_markdown(doc, render_block=lambda r: "RECORD",
                           render_inline_block=lambda r: "record",
                           render_inline_item=lambda r: "record").result  # fmt: skip
    html = to_html(
        doc,
        render_block=lambda r: "<div>record</div>",
        render_inline_block=lambda r: small,
        render_inline_item=lambda r: small,
        render_item_link=lambda r: f'<a href="/records/{r.id}">{r.inner}</a>',
    ).result
    return markdown, html


def _visible_share() -> float:
    from selectolax.lexbor import LexborHTMLParser

    found = total = 0
    for path in sorted((ROOT / "fixtures" / "html").glob("*.html")):
        html = path.read_text("utf-8")
        doc, report = from_html(html)
        dropped = {e.kind for e in report if e.action == "dropped"}
        body = LexborHTMLParser(html).body
        assert body is not None
        for tag in {"script", "style", "template", *dropped}:
            for node in body.css(tag):
                node.decompose()
        visible = "".join(body.text(deep=True).split())
        kept = iter("".join(to_text(doc).result.split()))
        found += sum(1 for char in visible if char in kept)
        total += len(visible)
    return found / total if total else 1.0


def _stages(markdown: str, runs: int) -> None:
    """Where ``from_markdown``'s time goes (internal entry points, for this benchmark only)."""
    import mistune

    from dast._gc import gc_paused
    from dast.convert.from_markdown import _parse
    from dast.convert.markdown_tokens import TokenConverter

    def mistune_paused() -> None:
        with gc_paused():  # as our parse runs
            md(markdown)

    def parse() -> None:
        with gc_paused():  # as in from_markdown
            _parse(markdown)

    def convert() -> None:
        with gc_paused():
            TokenConverter(markdown, None, None, None, {}).root(tokens.pop())

    collected: list[float] = []  # CPU time of the collections during one from_markdown

    def on_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected.append(-time.process_time())
        elif collected:
            collected[-1] += time.process_time()

    def total() -> None:
        collected.clear()
        gc.callbacks.append(on_collection)
        try:
            from_markdown(markdown)
        finally:
            gc.callbacks.remove(on_collection)
        collections.append(sum(collected))

    md = mistune.create_markdown(
        renderer=None, plugins=["strikethrough", "mark", "table", "footnotes"]
    )
    tokens = [_parse(markdown)[0] for _ in range(runs + 1)]  # conversion consumes its tokens
    collections: list[float] = []
    times = _alternated(
        {
            "mistune": lambda: md(markdown),
            "mistune_paused": mistune_paused,
            "parse": parse,
            "convert": convert,
            "total": total,
        },
        runs,
    )
    med = {name: statistics.median(values) * 1000 for name, values in times.items()}
    med["collector"] = statistics.median(collections) * 1000
    rest = med["total"] - med["parse"] - med["convert"]
    print(f"  stages (medians): mistune's parse {med['mistune']:.0f} ms "
          f"({med['mistune_paused']:.0f} with the collector paused); our parse "
          f"{med['parse']:.0f} ms (source lines: +{med['parse'] - med['mistune_paused']:.0f}, "
          f"both paused); tokens to nodes {med['convert']:.0f} ms; the rest {rest:.0f} ms, "
          f"in which the collector's pass over the new tree when from_markdown ends "
          f"{med['collector']:.0f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stages", action="store_true", help="time the markdown stages too")
    options = parser.parse_args()
    runs = options.runs
    markdown, html = _inputs()
    import mistune

    md = mistune.create_markdown(
        renderer=None, plugins=["strikethrough", "mark", "table", "footnotes"]
    )
    times = _alternated({"mistune": lambda: md(markdown), "ours": lambda: from_markdown(markdown)},
                        runs)  # fmt: skip
    ratios = [ours / theirs for ours, theirs in zip(times["ours"], times["mistune"], strict=True)]
    size = len(markdown.encode()) / 1e6
    best = min(times["ours"]) / min(times["mistune"])
    print(f"markdown ({size:.2f} MB): mistune parse {_ms(times['mistune'])}, "
          f"from_markdown {_ms(times['ours'])} = {statistics.median(ratios):.2f}x "
          f"(median of run ratios; best runs {best:.2f}x)")  # fmt: skip
    if options.stages:
        _stages(markdown, runs)

    from selectolax.lexbor import LexborHTMLParser

    mb = len(html.encode()) / 1e6
    t_html = _median(lambda: from_html(html), runs)
    t_lexbor = _median(lambda: LexborHTMLParser(html), runs)
    print(f"html ({mb:.2f} MB): from_html {t_html * 1000:.0f} ms = {mb / t_html:.1f} MB/s; "
          f"lexbor parse alone {t_lexbor * 1000:.0f} ms = {mb / t_lexbor:.0f} MB/s")  # fmt: skip
    try:
        import justhtml
    except ImportError:
        pass
    else:
        t_just = _median(lambda: justhtml.JustHTML(html), max(1, runs // 2))
        print(f"  justhtml parse alone {t_just * 1000:.0f} ms = {mb / t_just:.1f} MB/s")
    print(f"visible text kept (fixtures/html): {_visible_share():.2%}")


if __name__ == "__main__":
    main()
