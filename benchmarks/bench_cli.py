"""Benchmark of the ``dastdown`` command: folder conversion and start-up cost.

Run ``python benchmarks/bench_cli.py [--docs N] [--repeat R]``. It writes N
(default 10,000) small DAST JSON documents, cycled from
``benchmarks/data/small-1000.jsonl`` with varied record ids, into a temporary
folder tree, then:

* converts the folder to dastdown with ``-j 1`` and ``-j 2`` (``main()``
  in-process, as the console script would run it), R times each,
  alternating, into fresh output folders; reports the median wall times and
  the speed-up, twice: in memory (a copy of the folder on the ``/dev/shm``
  tmpfs, where fsync returns at once: the CPU-bound case) and on disk
  (every output fsynced: bound by the disk's fsync latency);
* times ``python -m dastdown convert one.json -o out.dastdown`` as a new
  process (interpreter start-up plus imports plus one conversion), beside a
  bare ``python -c pass``;
* times the in-process cost of converting one document (read, load,
  serialize, atomic write with fsync) over the first 1,000 documents, and
  the conversion alone (no file I/O).

Writing is atomic: each batch of outputs is written to temporary files,
made durable together (one ``syncfs`` per batch on Linux, not one ``fsync``
per file), then renamed into place.

``python benchmarks/bench_cli.py --small 5000 [--before CHECKOUT]`` runs only
the many-small-files case on disk: N tiny documents converted with ``-j 2``
by this checkout and, with ``--before``, by another checkout (e.g. the code
before batched syncing), each as a new ``python -m dastdown`` process,
alternating, R times; it prints the median wall times.

The machine may be shared: medians are reported with the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dastdown.cli import main  # noqa: E402
from dastdown.cli.batch import Task, convert_batch  # noqa: E402
from dastdown.cli.formats import convert_text  # noqa: E402

__all__ = ["generate", "main_benchmark", "small_files_benchmark"]

DATA = ROOT / "benchmarks" / "data" / "small-1000.jsonl"


def _vary_ids(node: Any, suffix: str) -> Any:
    """A copy of a JSON tree with every record id made unique by ``suffix``."""
    if isinstance(node, list):
        return [_vary_ids(child, suffix) for child in node]
    if isinstance(node, dict):
        out = {key: _vary_ids(value, suffix) for key, value in node.items()}
        if out.get("type") in ("block", "inlineBlock", "inlineItem", "itemLink"):
            item = out["item"]
            if isinstance(item, str):
                out["item"] = f"{item}-{suffix}"
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                out["item"] = {**item, "id": f"{item['id']}-{suffix}"}
        return out
    return node


def generate(folder: Path, count: int) -> list[Path]:
    """Write ``count`` documents as ``folder/NN/doc-NNNNN.json`` (500 per subfolder)."""
    base = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    paths = []
    for index in range(count):
        doc = _vary_ids(base[index % len(base)], str(index))
        sub = folder / f"{index // 500:02}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"doc-{index:05}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[io.StringIO]:
    saved = sys.stderr
    sys.stderr = io.StringIO()
    try:
        yield sys.stderr
    finally:
        sys.stderr = saved


def _time(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


class Run(NamedTuple):
    """One folder conversion: wall time, CPU time of this process and of its workers."""

    wall: float
    cpu_main: float
    cpu_workers: float


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _convert_folder(source: Path, target: Path, jobs: int) -> Run:
    if target.exists():
        shutil.rmtree(target)
    argv = ["convert", str(source), "-o", str(target), "--to", "dastdown", "-q", "-j", str(jobs)]
    main_before, workers_before = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    with _quiet_stderr() as err:
        elapsed = _time(lambda: _check(main(argv), err))
    return Run(
        elapsed,
        _cpu(resource.RUSAGE_SELF) - main_before,
        _cpu(resource.RUSAGE_CHILDREN) - workers_before,  # the pool's workers, once joined
    )


def _check(code: int, err: io.StringIO) -> None:
    if code != 0:
        raise SystemExit(f"conversion failed ({code}):\n{err.getvalue()[:2000]}")


def _process_times(command: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def _compare(work: Path, count: int, repeat: int, label: str) -> tuple[list[Run], list[Run]]:
    """Convert the folder with -j 1 and -j 2, alternating; return both timings."""
    serial: list[Run] = []
    parallel: list[Run] = []
    for round_ in range(repeat):
        order = (1, 2) if round_ % 2 == 0 else (2, 1)
        for jobs in order:
            run = _convert_folder(work / "in", work / f"{label}-j{jobs}", jobs)
            (serial if jobs == 1 else parallel).append(run)
            print(f"  {label} -j {jobs}: {run}", file=sys.stderr)
    return serial, parallel


def _identical(work: Path, paths: list[Path], label: str) -> bool:
    def out(jobs: int, path: Path) -> bytes:
        relative = path.relative_to(path.parents[1]).with_suffix(".dastdown")
        return (work / f"{label}-j{jobs}" / relative).read_bytes()

    return all(out(1, p) == out(2, p) for p in paths)


def _speed_rows(
    label: str, count: int, serial: list[Run], parallel: list[Run], same: bool
) -> list[tuple[str, str]]:
    s = statistics.median(r.wall for r in serial)
    p = statistics.median(r.wall for r in parallel)
    # On two free cores the -j 2 wall time would be about the main process's CPU
    # time plus half the workers' (the main process mostly waits meanwhile, so
    # this is a pessimistic estimate); the -j 1 wall time, its CPU time.
    one = statistics.median(r.cpu_main for r in serial)
    two = statistics.median(r.cpu_main + r.cpu_workers / 2 for r in parallel)
    walls = ", ".join(f"{r.wall:.2f}" for r in serial), ", ".join(f"{r.wall:.2f}" for r in parallel)
    best = min(r.wall for r in serial) / min(r.wall for r in parallel)
    return [
        (f"{label}: -j 1", f"{s:.2f} s  ({count / s:,.0f} docs/s)  runs: {walls[0]}"),
        (f"{label}: -j 2", f"{p:.2f} s  ({count / p:,.0f} docs/s)  runs: {walls[1]}"),
        (
            f"{label}: speed-up",
            f"{s / p:.2f}x median, {best:.2f}x best  (outputs of -j 1 and -j 2 identical: {same})",
        ),
        (
            f"{label}: CPU time",
            f"-j 1: {one:.2f} s; -j 2: main {statistics.median(r.cpu_main for r in parallel):.2f}"
            f" s + workers {statistics.median(r.cpu_workers for r in parallel):.2f} s",
        ),
        (
            f"{label}: projected",
            f"{one / two:.2f}x on 2 free cores (CPU -j 1 / (main + workers / 2))",
        ),
    ]


def _spin(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def _cpu_control() -> float:
    """How much faster two processes do two pure-CPU jobs than one process.

    On an idle 2-core machine this is about 2; other work on the machine
    (or a CPU quota) lowers it, and the folder speed-up with it.
    """
    from concurrent.futures import ProcessPoolExecutor

    n = 5_000_000
    serial = _time(lambda: (_spin(n), _spin(n)))
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [1, 1]))  # start the workers
        parallel = _time(lambda: list(pool.map(_spin, [n, n])))
    return serial / parallel


def main_benchmark(count: int, repeat: int) -> None:
    """Run the whole benchmark and print the table."""
    load_before = os.getloadavg()
    memory = Path("/dev/shm")
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-cli-")))
        started = time.perf_counter()
        paths = generate(work / "in", count)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in paths)
        rows = [
            (
                "documents",
                f"{count:,} ({size / 1e6:.1f} MB of JSON, generated in {generated:.1f} s)",
            )
        ]

        controls = [_cpu_control()]
        if memory.is_dir():  # tmpfs: no disk, fsync returns at once: the CPU-bound case
            ram = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=memory)))
            shutil.copytree(work / "in", ram / "in")
            _convert_folder(ram / "in", ram / "warm", 1)  # warm up, untimed
            cpu = _compare(ram, count, repeat, "tmpfs")
            rows += _speed_rows("in memory (tmpfs)", count, *cpu, _identical(ram, paths, "tmpfs"))
            controls.append(_cpu_control())
        _convert_folder(work / "in", work / "warm", 1)  # warm up, untimed
        disk = _compare(work, count, repeat, "disk")
        same = _identical(work, paths, "disk")
        rows += _speed_rows("on disk (synced per batch)", count, *disk, same)
        rows.append(
            (
                "control: CPU spin 2 procs",
                " / ".join(f"{c:.2f}x" for c in controls) + " (before / after the tmpfs runs; "
                "2.00x = both cores free)",
            )
        )

        one = paths[0]
        command = [sys.executable, "-m", "dastdown", "convert", str(one), "-o"]
        startup = _process_times([*command, str(work / "one.dastdown")], repeat=max(5, repeat * 3))
        bare = _process_times([sys.executable, "-c", "pass"], repeat=max(5, repeat * 3))

        sample = paths[:1000]
        (work / "single").mkdir()
        tasks = [
            Task(str(p), str(work / "single" / f"{i}.dastdown"), "json", "dastdown")
            for i, p in enumerate(sample)
        ]
        per_doc = []
        for _ in range(max(3, repeat)):
            per_doc.append(_time(lambda: convert_batch(tasks, quiet=True)) / len(tasks))
        texts = [p.read_text(encoding="utf-8") for p in sample]
        convert_only = []
        for _ in range(max(3, repeat)):
            elapsed = _time(lambda: [convert_text(t, "json", "dastdown", "x") for t in texts])
            convert_only.append(elapsed / len(texts))
    load_after = os.getloadavg()

    rows += [
        ("process: python -c pass", f"{statistics.median(bare) * 1000:.0f} ms (median)"),
        (
            "process: convert one.json",
            f"{statistics.median(startup) * 1000:.0f} ms (median of {len(startup)}; "
            "start-up + imports + 1 doc)",
        ),
        (
            "in-process per document",
            f"{statistics.median(per_doc) * 1e6:.0f} µs (read, load, serialize, synced write)",
        ),
        (
            "  of which conversion",
            f"{statistics.median(convert_only) * 1e6:.0f} µs (json.loads, validate, serialize)",
        ),
        ("cpus / load average", f"{os.cpu_count()} / {_load(load_before)} -> {_load(load_after)}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 60}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


_TINY = '{"schema": "dast", "document": {"type": "root", "children": [{"type": "paragraph", '
_TINY += '"children": [{"type": "span", "value": "note %d"}]}]}}'


def small_files_benchmark(count: int, repeat: int, before: Path | None) -> None:
    """Time converting ``count`` tiny files on disk, where syncing dominates."""
    checkouts = [("this checkout", ROOT)] + ([("before", before)] if before else [])
    times: dict[str, list[float]] = {label: [] for label, _ in checkouts}
    with tempfile.TemporaryDirectory(prefix="bench-small-", dir=ROOT) as tmp:
        work = Path(tmp)
        for index in range(count):
            sub = work / "in" / f"{index // 500:02}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"n{index:05}.json").write_text(_TINY % index, encoding="utf-8")
        for round_ in range(repeat):
            order = checkouts if round_ % 2 == 0 else checkouts[::-1]
            for label, checkout in order:
                out = work / "out"
                if out.exists():
                    shutil.rmtree(out)
                env = {**os.environ, "PYTHONPATH": str(checkout)}
                command = [sys.executable, "-m", "dastdown", "convert", str(work / "in")]
                command += ["-o", str(out), "--to", "dastdown", "-q", "-j", "2"]
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, cwd=checkout, env=env)
                times[label].append(time.perf_counter() - start)
                print(f"  {label}: {times[label][-1]:.2f} s", file=sys.stderr)
    print(f"{count:,} small files on disk, -j 2, median of {repeat}:")
    for label, checkout in checkouts:
        print(f"  {label:<14} {statistics.median(times[label]):6.2f} s  ({checkout})")


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each folder conversion")
    parser.add_argument(
        "--small", type=int, metavar="N", help="only the case of N tiny files on disk"
    )
    parser.add_argument(
        "--before", type=Path, metavar="CHECKOUT", help="with --small: compare with this checkout"
    )
    options = parser.parse_args()
    if options.small:
        small_files_benchmark(options.small, options.repeat, options.before)
    else:
        main_benchmark(options.docs, options.repeat)
