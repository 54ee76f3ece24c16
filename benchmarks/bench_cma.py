"""Benchmark of talking to DatoCMS: pull, push throughput against the rate limit, faults.

Run ``python benchmarks/bench_cma.py [--pull N] [--push60 N] [--push600 N] [--faults N]``.
The local CMA of ``dast.cma.testing`` (a real HTTP server on 127.0.0.1, in a
thread of this process) holds generated articles (a localized structured
text ``body`` with quote, call-to-action and inline blocks); ``dastdown pull``
and ``dastdown push`` run as new processes, as a user would run them.

* pull: N records (default 10,000) with ``--field body``; wall time and the
  pull process's peak memory (its ``VmHWM``), also for N/5 records: a flat memory
  profile means pages are streamed, not held;
* push throughput: every pulled ``en`` file edited (sed-like), then pushed
  with ``--jobs J`` (default 16) against a server limited to 60 requests per 3 s (and to
  600 per 3 s), the client pacing at the same rate: requests per second over
  the push, as a share of the limit, and the share of requests answered 429;
* faults: 10% of requests failing (5% ``5xx``, 5% reset connections), 2% of
  writes applied with their answer lost, and a server limit below the
  client's pace (so 429s come): every changed record must end with exactly
  the intended content, written once, and no unchanged record written.

The machine may be shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dast.cma.testing import FakeCma  # noqa: E402
from dastdown import parse  # noqa: E402

# The child reports its own peak memory (VmHWM): the rusage of a forked child counts the
# parent's pages (the server's records) from before its exec.
_CHILD = """\
import sys
from dastdown.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status") as f:
    peak = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
print(f"VmHWM {peak}")
sys.exit(status)
"""


def _run(args: list[str], cma: FakeCma) -> tuple[float, int, str]:
    """Run the ``dastdown`` command in a new process; return (seconds, peak RSS MiB, output)."""
    env = {**os.environ, "DATOCMS_API_TOKEN": cma.token, "DATOCMS_BASE_URL": cma.base_url}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    child.wait()
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"dastdown {' '.join(args)} failed ({child.returncode}):\n{output}")
    peak = int(output.rsplit("VmHWM ", 1)[1].split()[0]) // 1024
    return seconds, peak, output.rsplit("VmHWM ", 1)[0]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _edit_all(folder: Path, locale: str = "en", every: int = 1) -> list[str]:
    edited = []
    for path in sorted((folder / "article").glob(f"*.body.{locale}.dastdown")):
        record = path.name.split(".")[0]
        if int(record.rsplit("-", 1)[1]) % every:
            continue
        path.write_text(path.read_text().replace("Acme", "Apex"))
        edited.append(record)
    return edited


def bench_pull(count: int) -> None:
    for n in (count // 5, count):
        with FakeCma.example(articles=n) as cma, tempfile.TemporaryDirectory() as tmp:
            seconds, rss, _ = _run(["pull", tmp, "--model", "article", "--field", "body"], cma)
            files = sum(1 for _ in Path(tmp, "article").iterdir())
            print(
                f"pull {n:>6} records ({files} files): {seconds:6.2f} s, "
                f"{n / seconds:7.0f} records/s, peak memory {rss} MiB   [load {_load()}]"
            )


def bench_push(count: int, limit: int, period: float = 3.0, jobs: int = 8) -> None:
    with FakeCma.example(articles=count) as cma, tempfile.TemporaryDirectory() as tmp:
        _run(["pull", tmp, "--model", "article", "--field", "body", "--locale", "en"], cma)
        edited = _edit_all(Path(tmp))
        cma.faults.rate_limit = (limit, period)
        time.sleep(period)  # a fresh window
        first = len(cma.log)
        seconds, _, output = _run(
            ["push", tmp, "--jobs", str(jobs), "--rate", f"{limit}/{period:g}"], cma
        )
        log = cma.log[first:]
        span = log[-1].at - log[0].at
        # the rate over whole windows from the first request (the tail of the last, partial
        # window, and its lone requests, would skew a short run either way)
        windows = max(int(span // period), 1)
        steady = sum(1 for e in log if e.at - log[0].at < windows * period) / (windows * period)
        busiest = max(
            sum(1 for e in log[i:] if e.at - log[i].at < period) for i in range(0, len(log), 7)
        )
        limited = sum(1 for e in log if e.status == 429)
        allowed = limit / period
        print(
            f"push {len(edited)} records (--jobs {jobs}) at {limit}/{period:g} s: "
            f"{len(log)} requests in "
            f"{span:.2f} s; {steady:.1f} req/s over {windows} whole windows = "
            f"{100 * steady / allowed:.1f}% of the limit; "
            f"most in one {period:g} s window {busiest}; 429: {limited} "
            f"({100 * limited / len(log):.2f}%); wall {seconds:.2f} s   [load {_load()}]"
        )
        assert output.strip().endswith("conflicts 0, failed 0"), output


def bench_faults(count: int) -> None:
    with FakeCma.example(articles=count) as cma, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _run(["pull", tmp, "--model", "article", "--field", "body", "--locale", "en"], cma)
        originals = {rid: cma.record(rid) for rid in cma.record_ids()}
        edited = set(_edit_all(folder, every=2))
        intended: dict[str, Any] = {}
        for rid in edited:
            text = (folder / "article" / f"{rid}.body.en.dastdown").read_text()
            original = originals[rid]["attributes"]["body"]["en"]
            intended[rid] = parse(text, original).to_json()
        cma.faults.rate_limit = (50, 3.0)  # below the client's 60/3: 429s come
        cma.faults.error_rate = 0.05
        cma.faults.reset_rate = 0.05
        cma.faults.lost_reply_rate = 0.02
        cma.faults.seed = 11
        first = len(cma.log)
        failures = 0
        for _ in range(5):  # run again what failed after its retries, as a user would
            env = {**os.environ, "DATOCMS_API_TOKEN": cma.token, "DATOCMS_BASE_URL": cma.base_url}
            done = subprocess.run(
                [sys.executable, "-m", "dastdown", "push", tmp, "--jobs", "8"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode == 0:
                break
            failures += 1
        log = cma.log[first:]
        writes = [e for e in log if e.is_write]
        written = [e.path.rsplit("/", 1)[1] for e in writes]
        wrong = [
            rid
            for rid in edited
            if json.dumps(cma.record(rid)["attributes"]["body"]["en"], sort_keys=True)
            != json.dumps(intended[rid], sort_keys=True)
        ]
        untouched = [rid for rid in cma.record_ids() if rid not in edited]
        touched = [rid for rid in untouched if cma.record(rid) != originals[rid]]
        twice = len(written) - len(set(written))
        statuses: dict[int, int] = {}
        for e in log:
            statuses[e.status] = statuses.get(e.status, 0) + 1
        print(
            f"faults: {len(edited)} of {count} records edited, {len(log)} requests "
            f"(by status {dict(sorted(statuses.items()))}), push runs needed {failures + 1}; "
            f"wrong content {len(wrong)}, unchanged records written "
            f"{sum(1 for w in written if w in untouched)} (changed: {len(touched)}), "
            f"records written twice {twice}   [load {_load()}]"
        )
        assert not wrong and not touched and twice == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pull", type=int, default=10_000, help="records to pull (0: skip)")
    parser.add_argument("--push60", type=int, default=300, help="records pushed at 60/3 s")
    parser.add_argument("--push600", type=int, default=2_000, help="records pushed at 600/3 s")
    parser.add_argument("--faults", type=int, default=400, help="records in the faults run")
    parser.add_argument("--jobs", type=int, default=16, help="push --jobs (records at once)")
    args = parser.parse_args()
    if args.pull:
        bench_pull(args.pull)
    if args.push60:
        bench_push(args.push60, 60, jobs=args.jobs)
    if args.push600:
        bench_push(args.push600, 600, jobs=args.jobs)
    if args.faults:
        bench_faults(args.faults)


if __name__ == "__main__":
    main()
