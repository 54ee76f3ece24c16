"""Benchmark the locale round trip on a pulled folder: export, import into another locale, plan.

Run ``python benchmarks/bench_locale.py`` (``--records N``, default 1,000;
``--runs N`` timed runs of each step, the median CPU time is reported). The
site is the local CMA's example blog (``FakeCma.example``: articles whose
``en`` body holds headings, paragraphs, quote and call-to-action blocks with
a nested block, inline blocks), pulled once with ``--locale en``. Each run
starts from a fresh copy of the pulled folder and times, in CPU seconds
(``time.process_time``):

- ``sources``: read and parse every ``en`` file of the folder
  (``translation_sources``);
- ``export``: their segments (block text fields included) written as one
  XLIFF 1.2 file with upper-cased targets (``write_xliff``);
- ``import``: the XLIFF read back and every file written as ``it``
  (``read_xliff``, ``import_translations``: apply, new blocks, atomic writes,
  record manifests);
- ``plan``: what ``push --dry-run`` computes (every ``it`` file parsed,
  blocks made new, payloads built).

The push itself is network-bound (see ``bench_cma.py``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dast.cma.client import Client  # noqa: E402
from dast.cma.client.pacing import RateLimiter  # noqa: E402
from dast.cma.testing import FakeCma  # noqa: E402
from dast.translate import Token, extract_segments  # noqa: E402
from dast.translate.xliff import XliffFile, read_xliff, write_xliff  # noqa: E402
from dastdown.workspace import (  # noqa: E402
    import_translations,
    plan,
    pull,
    translation_sources,
)


def _shout(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    return tuple(t.upper() if isinstance(t, str) else t for t in tokens)


def _run(folder: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    start = time.process_time()
    sources = translation_sources(folder, "en")
    times["sources"] = time.process_time() - start
    start = time.process_time()
    files = []
    for source in sources.files:
        segments = extract_segments(source.document, schema=sources.schema)
        targets = {s.id: _shout(s.content) for s in segments}
        files.append(XliffFile(source.path, segments, source.record_id, source.field, targets))
    data = write_xliff(files, "en", "it")
    times["export"] = time.process_time() - start
    start, wall = time.process_time(), time.perf_counter()
    document = read_xliff(data)
    translations = {f.original: f.translations() for f in document.files}
    report = import_translations(folder, sources, translations, "it")
    times["import"] = time.process_time() - start
    times["import (wall)"] = time.perf_counter() - wall
    assert report.ok and len(report.written) == len(sources.files)
    start = time.process_time()
    found = plan(folder)
    times["plan"] = time.process_time() - start
    assert len(found.changes) == len(sources.files) and not found.problems
    return times


def main(argv: list[str] | None = None) -> int:
    """Pull the example site once, then time the steps; print one line per step."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pulled = Path(tmp, "pulled")
        with (
            FakeCma.example(articles=args.records) as cma,
            Client(cma.token, base_url=cma.base_url, limiter=RateLimiter(None)) as client,
        ):
            pull(client, pulled, model="article", fields=["body"], locales=["en"])
        runs: list[dict[str, float]] = []
        for n in range(args.runs):
            folder = Path(tmp, f"run-{n}")
            shutil.copytree(pulled, folder)
            runs.append(_run(folder))
    print(f"{args.records} records, median of {args.runs} runs, CPU seconds")
    for step in runs[0]:
        median = statistics.median(r[step] for r in runs)
        per = median / args.records * 1000
        print(f"  {step:<14} {median:7.3f} s   {per:6.2f} ms/record")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
