"""Every command reads CRLF, CR and BOM files as the LF file, and names the bad byte of bad UTF-8.

``fmt`` also writes a file back in its own line endings, BOM included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dastdown import parse, serialize
from dastdown.cli import main
from dastdown.cli.fmt import canonical_text

LF = """\
# Title

A paragraph with **bold** and <inlineItem id="r1"/>,
continued.

- one
  - nested
- two

> quoted
{attribution="Someone"}

```python
print("x")
```

<block id="b1"/>
"""
CANONICAL = serialize(parse(LF))

BOM = b"\xef\xbb\xbf"
VARIANTS: dict[str, bytes] = {
    "crlf": LF.replace("\n", "\r\n").encode(),
    "cr": LF.replace("\n", "\r").encode(),
    "bom": BOM + LF.encode(),
    "bom-crlf": BOM + LF.replace("\n", "\r\n").encode(),
    "bom-cr": BOM + LF.replace("\n", "\r").encode(),
}


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def call(*argv: str | Path) -> Result:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
        return Result(code, captured.out, captured.err)

    return call


def _pair(tmp_path: Path, variant: str) -> tuple[Path, Path]:
    reference = tmp_path / "lf.dastdown"
    reference.write_bytes(LF.encode())
    other = tmp_path / f"{variant}.dastdown"
    other.write_bytes(VARIANTS[variant])
    return reference, other


@pytest.mark.parametrize("variant", VARIANTS)
def test_convert_reads_the_variant_as_lf(
    run: Callable[..., Result], tmp_path: Path, variant: str
) -> None:
    reference, other = _pair(tmp_path, variant)
    for to in ("json", "dastdown", "html", "text", "markdown"):
        expected = run("convert", reference, "--to", to)
        got = run("convert", other, "--to", to)
        assert (got.code, got.out) == (0, expected.out), to
        assert got.err == expected.err.replace(str(reference), str(other)), to
    assert json.loads(run("convert", other, "--to", "json").out)["document"]["children"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_convert_reads_the_variant_from_stdin(
    run: Callable[..., Result],
    tmp_path: Path,
    variant: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io
    import sys

    reference, _ = _pair(tmp_path, variant)
    expected = run("convert", reference, "--to", "json")
    stdin = io.TextIOWrapper(io.BytesIO(VARIANTS[variant]))
    monkeypatch.setattr(sys, "stdin", stdin)
    got = run("convert", "-", "--to", "json")
    assert (got.code, got.out) == (0, expected.out)


@pytest.mark.parametrize("variant", VARIANTS)
def test_check_and_inspect_read_the_variant_as_lf(
    run: Callable[..., Result], tmp_path: Path, variant: str
) -> None:
    reference, other = _pair(tmp_path, variant)
    assert run("check", other) == Result(0, "", "")
    assert run("inspect", other).out == run("inspect", reference).out
    assert run("inspect", other).code == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_check_reports_errors_at_the_same_place(
    run: Callable[..., Result], tmp_path: Path, variant: str
) -> None:
    bad = LF.replace("- two", "- two\n  ####### seven")
    reference = tmp_path / "lf.dastdown"
    reference.write_bytes(bad.encode())
    other = tmp_path / "other.dastdown"
    ending = "\r\n" if "crlf" in variant else "\r" if "cr" in variant else "\n"
    other.write_bytes((BOM if "bom" in variant else b"") + bad.replace("\n", ending).encode())
    expected = run("check", reference)
    got = run("check", other)
    assert got.code == expected.code == 1
    assert got.out == expected.out.replace(str(reference), str(other))
    assert ":9:3: error: " in got.out


@pytest.mark.parametrize("variant", VARIANTS)
def test_fmt_keeps_the_line_endings_and_the_bom(
    run: Callable[..., Result], tmp_path: Path, variant: str
) -> None:
    _, other = _pair(tmp_path, variant)
    ending = "\r\n" if "crlf" in variant else "\r" if "cr" in variant else "\n"
    bom = BOM if "bom" in variant else b""
    expected = bom + CANONICAL.replace("\n", ending).encode()
    check = run("fmt", "--check", other)
    assert (check.code, check.out) == (1, f"{other}:3:53: would reformat\n")
    assert run("fmt", other).code == 0
    assert other.read_bytes() == expected
    assert run("fmt", "--check", other) == Result(0, "", "")  # stable
    assert run("fmt", other).err == ""


def test_fmt_of_a_canonical_crlf_file_changes_nothing(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "a.dastdown"
    data = CANONICAL.replace("\n", "\r\n").encode()
    path.write_bytes(data)
    assert run("fmt", path) == Result(0, "", "")
    assert path.read_bytes() == data
    diff = run("fmt", "--diff", path)
    assert (diff.code, diff.out) == (0, "")


def test_fmt_guards_a_text_that_would_read_as_crlf() -> None:
    # A paragraph ending in a carriage return of content: its canonical text
    # gets a blank last line so that it does not read as a CRLF file.
    text = "x\r\n\n"
    assert canonical_text(text, "a.dastdown") == "x\r\n\n"
    assert canonical_text(canonical_text(text, "a.dastdown"), "a.dastdown") == "x\r\n\n"
    assert canonical_text("x\r\r\n", "a.dastdown") == "x\r\r\n"  # CRLF with a \r of content


@pytest.mark.parametrize(
    ("data", "offset", "where"),
    [
        (b"# fine\n\nbad \xc3\x28 byte\n", 12, "3:5"),
        (b"caf\xe9\n", 3, "1:4"),
        (BOM + b"caf\xe9\n", 6, "1:4"),
        (b"ok\r\n\xff\r\n", 4, "2:1"),
    ],
)
@pytest.mark.parametrize("command", ["convert", "check", "fmt", "inspect"])
def test_bad_utf8_names_the_byte_offset_in_every_command(
    run: Callable[..., Result],
    tmp_path: Path,
    command: str,
    data: bytes,
    offset: int,
    where: str,
) -> None:
    path = tmp_path / "bad.dastdown"
    path.write_bytes(data)
    result = run(command, path)
    assert result.code == 1
    assert f"{path}:{where}: error: not valid UTF-8 at byte offset {offset}: " in (
        result.out + result.err
    )
    assert path.read_bytes() == data  # fmt left it alone


def test_bad_utf8_in_json(run: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"schema": "dast",\r\n "x": "\xff"}')
    result = run("check", path)
    assert result.code == 1
    assert f"{path}:2:8: error: not valid UTF-8 at byte offset 27: invalid start byte 0xff" in (
        result.out
    )


def test_json_with_bom_and_crlf(run: Callable[..., Result], tmp_path: Path) -> None:
    reference = tmp_path / "a.dastdown"
    reference.write_bytes(LF.encode())
    as_json = run("convert", reference, "--to", "json").out
    path = tmp_path / "a.json"
    path.write_bytes(BOM + as_json.replace("\n", "\r\n").encode())
    assert run("check", path) == Result(0, "", "")
    assert run("convert", path, "--to", "dastdown").out == CANONICAL
    assert run("inspect", path).out == run("inspect", reference).out
