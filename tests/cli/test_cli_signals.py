"""SIGTERM and SIGINT: no temporary file left, every worker ended, complete outputs.

These run the real command in a subprocess on a folder big enough that the
signal lands in the middle of the conversion: the test waits for the first
output file (a readiness signal, not a sleep) before sending it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from dastdown.cli import fileio, signals
from dastdown.cli.fileio import BatchWriter, discard_temporaries

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "small-1000.jsonl"
COMMAND = [sys.executable, "-m", "dastdown"]


def as_from_a_terminal() -> None:
    """In the child: SIGINT handled by default, as a shell's foreground command has it.

    A command started in the background of a non-interactive shell inherits
    SIGINT ignored, and Python then keeps it ignored: the test would depend
    on how pytest itself was started.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _make_folder(root: Path, count: int) -> list[dict[str, object]]:
    docs = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    for index in range(count):
        sub = root / f"{index // 500:02}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc{index:05}.json").write_text(json.dumps(docs[index % len(docs)]))
    return docs


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie is not alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.005)
    return False


def _wait_line(stream: IO[bytes], wanted: bytes, timeout: float = 30.0) -> None:
    """Read ``stream`` until the line ``wanted``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    fd = stream.fileno()
    buffer = b""
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no {wanted!r} line within {timeout} s (got {buffer!r})"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        assert chunk, f"the command ended before printing {wanted!r} (got {buffer!r})"
        buffer += chunk
        if wanted in buffer.splitlines(keepends=True):
            return


@pytest.fixture
def reaper() -> Iterator[set[int]]:
    """Pids to kill at the end if a failing test left them alive."""
    pids: set[int] = set()
    yield pids
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_a_parallel_folder_conversion(
    tmp_path: Path, reaper: set[int], signum: int, status: int
) -> None:
    from dastdown.serializer import serialize

    source, out = tmp_path / "in", tmp_path / "out"
    docs = _make_folder(source, 3000)
    env = {**os.environ, "DASTDOWN_DEBUG": "1"}
    argv = [*COMMAND, "convert", str(source), "-o", str(out), "--to", "dastdown", "-j", "2"]
    with subprocess.Popen(
        argv, stderr=subprocess.PIPE, env=env, text=True, preexec_fn=as_from_a_terminal
    ) as process:
        assert _wait_for(lambda: any(out.rglob("*.dastdown")), 60), "no output appeared"
        workers = _children(process.pid)
        reaper.update(workers)
        assert workers, "no worker process found"
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
    assert process.returncode == status
    assert err.splitlines()[-1] == "dastdown: interrupted"
    assert "Traceback" not in err
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 2.0), [
        pid for pid in workers if _alive(pid)
    ]
    assert not [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
    written = sorted(out.rglob("*.dastdown"))
    assert 0 < len(written) < 3000  # interrupted in the middle
    for path in written:  # every file written is complete
        index = int(path.stem[3:])
        assert path.read_text(encoding="utf-8") == serialize(docs[index % len(docs)])


def test_sigint_while_reading_standard_input_is_deterministic() -> None:
    env = {**os.environ, "DASTDOWN_DEBUG": "1"}
    with subprocess.Popen(
        [*COMMAND, "convert", "-", "--from", "json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=as_from_a_terminal,
    ) as waiting:
        assert waiting.stderr is not None
        # the readiness signal: it is about to block on standard input
        _wait_line(waiting.stderr, b"dastdown: debug: reading standard input\n")
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 130
    assert err.decode() == "dastdown: interrupted\n"  # the debug lines were read above
    assert out == b""


def test_sigterm_single_file_conversion_exits_143_without_temporaries(tmp_path: Path) -> None:
    env = {**os.environ, "DASTDOWN_DEBUG": "1"}
    with subprocess.Popen(
        [*COMMAND, "convert", "-", "--to", "json", "-o", str(tmp_path / "x.json")],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=as_from_a_terminal,
    ) as waiting:
        assert waiting.stderr is not None
        _wait_line(waiting.stderr, b"dastdown: debug: reading standard input\n")
        waiting.send_signal(signal.SIGTERM)
        _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 143
    assert err.decode() == "dastdown: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_discard_temporaries_removes_what_a_batch_left(tmp_path: Path) -> None:
    writer = BatchWriter()
    writer.add(str(tmp_path / "a.txt"), b"a")
    writer.add(str(tmp_path / "b.txt"), b"b")
    assert len(list(tmp_path.iterdir())) == 2  # two temporary files, nothing renamed
    discard_temporaries()  # what a signal handler does
    assert list(tmp_path.iterdir()) == []
    errors = writer.commit()  # nothing left to rename: every file fails, none appears
    assert sorted(errors) == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert all(isinstance(error, FileNotFoundError) for error in errors.values())
    assert list(tmp_path.iterdir()) == []
    assert not fileio._TEMPORARIES


def test_main_restores_the_signal_handlers() -> None:
    from dastdown.cli import main

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert main(["--version"]) == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_terminated_is_an_interrupt_with_status_143() -> None:
    assert signals.interrupt_status(signals.Terminated()) == 143
    assert signals.interrupt_status(KeyboardInterrupt()) == 130
