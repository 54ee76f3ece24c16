"""The folder-conversion progress bar: rendering, and terminal-only drawing."""

from __future__ import annotations

import io

import pytest

from dastdown.cli.progress import ProgressBar, render_progress


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("done", "total", "filled"),
    [(0, 10, 0), (1, 10, 2), (5, 10, 10), (10, 10, 20), (99, 100, 19), (1, 100, 0)],
)
def test_bar_fills_in_proportion(done: int, total: int, filled: int) -> None:
    tail = f" {total}/{total} 100%    0.0s"
    line = render_progress(done, total, width=20 + 2 + len(tail), elapsed=0)
    bar = line[1 : line.index("]")]
    assert bar.count("#") == filled
    assert bar == "#" * filled + "." * (20 - filled)


def test_line_fits_the_width_and_keeps_its_length() -> None:
    counts = [*range(0, 1234, 97), 1234]
    lines = [render_progress(d, 1234, width=72, elapsed=d / 10) for d in counts]
    assert {len(line) for line in lines} == {72}
    assert lines[0].endswith("]    0/1234   0%    0.0s")
    assert lines[-1].endswith("] 1234/1234 100%  123.4s")


def test_narrow_terminal_keeps_a_ten_cell_bar() -> None:
    line = render_progress(3, 6, width=5, elapsed=1.0)
    assert line.startswith("[#####.....]")
    assert "3/6" in line and "50%" in line


def test_counts_are_clamped() -> None:
    assert "0/4" in render_progress(-3, 4, 40, 0.0)
    assert "4/4 100%" in render_progress(9, 4, 40, 0.0)
    assert "100%" in render_progress(0, 0, 40, 0.0)


def test_rendering_snapshot(snapshot: object) -> None:
    lines = [render_progress(d, 40, width=60, elapsed=d * 0.25) for d in (0, 1, 13, 39, 40)]
    assert "\n".join(lines) == snapshot


def test_not_a_terminal_draws_nothing() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, total=3)
    bar.advance(1)
    bar.write("a.json: error: bad\n")
    bar.advance(2)
    bar.clear()
    assert stream.getvalue() == "a.json: error: bad\n"


def test_terminal_draws_with_carriage_returns_and_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    stream = FakeTerminal()
    bar = ProgressBar(stream, total=4, interval=0.0)
    bar.advance(2)
    first = stream.getvalue()
    assert first.startswith("\r[") and " 2/4  50%" in first and "\n" not in first
    assert len(first) == 1 + 49  # one column short of the terminal: no wrapping
    bar.write("x: warning: w\n")
    bar.advance(2)
    bar.clear()
    out = stream.getvalue()
    assert "x: warning: w\n" in out
    # the message starts on a cleared line, the bar is redrawn after it
    before, after = out.split("x: warning: w\n")
    assert before.endswith("\r" + " " * 49 + "\r")
    assert "4/4 100%" in after
    assert out.endswith("\r" + " " * 49 + "\r")


def test_redraws_are_throttled() -> None:
    stream = FakeTerminal()
    bar = ProgressBar(stream, total=1000, interval=3600)
    for _ in range(999):
        bar.advance()
    assert stream.getvalue().count("\r") == 1  # the first draw only
    bar.advance()  # the last one is always drawn
    assert stream.getvalue().count("\r") == 2
    assert "1000/1000 100%" in stream.getvalue()
