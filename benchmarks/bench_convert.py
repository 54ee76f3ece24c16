"""Benchmark the importers: markdown against mistune's own parse, HTML in MB/s, visible text.

Run ``python benchmarks/bench_convert.py`` (``--runs N`` sets the number of
timed runs; the median is reported). The input is the benchmark article
``benchmarks/data/article-1mb.json`` rendered to markdown (``to_markdown``)
and to HTML (``to_html``, records rendered as one small element each).

* markdown: ``from_markdown`` time over the time of mistune's own parse of the
  same text (``mistune.create_markdown(renderer=None)`` with the same plugins);
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


def _median(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    markdown, html = _inputs()
    import mistune

    md = mistune.create_markdown(
        renderer=None, plugins=["strikethrough", "mark", "table", "footnotes"]
    )
    t_mistune = _median(lambda: md(markdown), runs)
    t_markdown = _median(lambda: from_markdown(markdown), runs)
    size = len(markdown.encode()) / 1e6
    print(f"markdown ({size:.2f} MB): mistune parse {t_mistune * 1000:.0f} ms, "
          f"from_markdown {t_markdown * 1000:.0f} ms = {t_markdown / t_mistune:.2f}x")  # fmt: skip

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
