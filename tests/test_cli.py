"""The ``dastdown`` command, called through ``main(argv)`` with real files.

Every test checks that no Python traceback reaches the user.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dastdown.cli import batch as cli_batch
from dastdown.cli import fileio as cli_io
from dastdown.cli import main

SAMPLE: dict[str, Any] = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [
            {"type": "heading", "level": 1, "children": [{"type": "span", "value": "Title"}]},
            {
                "type": "paragraph",
                "children": [
                    {"type": "span", "value": "Hello "},
                    {"type": "span", "value": "bold", "marks": ["strong"]},
                    {"type": "span", "value": " and "},
                    {
                        "type": "link",
                        "url": "https://example.com/a b",
                        "children": [{"type": "span", "value": "a link"}],
                    },
                    {"type": "span", "value": ", Привет 😀 *not emphasis*."},
                ],
            },
            {
                "type": "list",
                "style": "bulleted",
                "children": [
                    {
                        "type": "listItem",
                        "children": [
                            {"type": "paragraph", "children": [{"type": "span", "value": "one"}]}
                        ],
                    },
                    {
                        "type": "listItem",
                        "children": [
                            {"type": "paragraph", "children": [{"type": "span", "value": "two"}]}
                        ],
                    },
                ],
            },
            {
                "type": "blockquote",
                "children": [
                    {"type": "paragraph", "children": [{"type": "span", "value": "quoted"}]}
                ],
            },
            {"type": "code", "code": "x = 1\nprint(x)", "language": "python"},
            {"type": "thematicBreak"},
            {
                "type": "paragraph",
                "children": [
                    {"type": "span", "value": "under", "marks": ["underline"]},
                    {"type": "inlineItem", "item": "42"},
                ],
            },
            {"type": "block", "item": "block-1"},
        ],
    },
}

MARKDOWN = """\
# Title

Hello **bold** and [a link](https://example.com), *emphasis* and `code`.

- one
- two

> quoted

```python
x = 1
```

---
"""

# Invalid DAST JSON with known positions: children[2].level (line 8, column 36)
# and children[3].children, empty (line 10, column 40).
INVALID_JSON = """\
{
  "schema": "dast",
  "document": {
    "type": "root",
    "children": [
      {"type": "thematicBreak"},
      {"type": "paragraph", "children": [{"type": "span", "value": "ok"}]},
      {"type": "heading", "level": 7,
       "children": [{"type": "span", "value": "too deep"}]},
    {"type": "blockquote", "children": []}
    ]
  }
}
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Call ``main`` and return its status and outputs; no traceback allowed."""

    def call(*argv: str | Path) -> Result:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        assert "Traceback" not in captured.out
        return Result(code, captured.out, captured.err)

    return call


def sample_json() -> str:
    return json.dumps(SAMPLE, indent=2, ensure_ascii=False) + "\n"


def library_load(text: str, fmt: str) -> Any:
    """The document the libraries read from ``text`` (not through the CLI)."""
    if fmt == "json":
        from dast.load import load_document

        return load_document(json.loads(text))
    if fmt == "dastdown":
        from dastdown.parser import parse

        return parse(text)
    from dast.convert.from_markdown import from_markdown

    return from_markdown(text).result


def library_render(doc: Any, fmt: str) -> str:
    """The text the libraries write for ``doc`` (not through the CLI)."""
    if fmt == "json":
        return json.dumps(doc.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "dastdown":
        from dastdown.serializer import serialize

        return serialize(doc)
    if fmt == "html":
        from dast.convert.to_html import to_html

        return to_html(doc, on_missing="placeholder").result  # no record renderers in the CLI
    if fmt == "markdown":
        from dast.convert.to_markdown import to_markdown

        return to_markdown(doc).result
    from dast.convert.to_text import to_text

    return to_text(doc).result


def sample_in(fmt: str) -> str:
    """The sample document as text in an input format."""
    if fmt == "json":
        return sample_json()
    if fmt == "dastdown":
        from dastdown.serializer import serialize

        return serialize(SAMPLE)
    return MARKDOWN


EXT = {"json": ".json", "dastdown": ".dastdown", "markdown": ".md", "html": ".html", "text": ".txt"}
PAIRS = [(s, d) for s in ("json", "dastdown", "markdown") for d in EXT]


# --- help, version, usage ------------------------------------------------------------


@pytest.mark.parametrize("command", ["", "convert", "check", "fmt", "inspect"])
def test_help_snapshots(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, snapshot: Any, command: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run(*([command] if command else []), "--help")
    assert result.code == 0
    assert result.err == ""
    assert result.out == snapshot


def test_version(run: Callable[..., Result]) -> None:
    from importlib.metadata import version

    result = run("--version")
    assert (result.code, result.out) == (0, f"dastdown {version('dast-toolkit')}\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["convert"], "the following arguments are required: IN"),
        (["convert", "a.json", "--to", "pdf"], "invalid choice: 'pdf'"),
        (["convert", "a.json", "-j", "0"], "must be at least 1 (got 0)"),
        (["convert", "a.json", "-j", "two"], "not an integer: 'two'"),
        (["convert", "a.json", "--bogus"], "unrecognized arguments: --bogus"),
        (["convert", "-", "a.json", "-o", "out"], "'-' (standard input) cannot be mixed"),
        (["convert", "a.json", "b.json"], "several inputs: give an output folder with -o DIR"),
        (["convert", "a.json", "b.json", "-o", "out"], "several inputs: give the output format"),
        (["convert", "a.xml"], "cannot tell the format of 'a.xml' from its name; use --from"),
        (["convert", "a.json", "-o", "x.pdf"], "cannot tell the output format of 'x.pdf'"),
        (["check"], "the following arguments are required: PATH"),
        (["check", "notes.txt"], "cannot check 'notes.txt': not a .json or .dastdown file"),
        (["fmt", "a.json"], "cannot format 'a.json': not a .dastdown file"),
        (["fmt", "-", "a.dastdown"], "'-' (standard input) cannot be mixed with files"),
        (["inspect", "a.json", "--width", "5"], "must be at least 10 (got 5)"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_usage_errors_exit_2(run: Callable[..., Result], argv: list[str], message: str) -> None:
    result = run(*argv)
    assert result.code == 2
    assert message in result.err
    assert result.err.startswith("usage: dastdown")


# --- convert: single files -----------------------------------------------------------


@pytest.mark.parametrize(("src", "dst"), PAIRS, ids=[f"{s}-to-{d}" for s, d in PAIRS])
def test_convert_every_format_pair_to_a_file(
    run: Callable[..., Result], tmp_path: Path, src: str, dst: str
) -> None:
    text = sample_in(src)
    source = tmp_path / f"in{EXT[src]}"
    source.write_text(text, encoding="utf-8")
    target = tmp_path / f"out{EXT[dst]}"
    result = run("convert", source, "-o", target)
    assert result.code == 0, result.err
    expected = library_render(library_load(text, src), dst)
    assert target.read_text(encoding="utf-8") == expected
    assert expected.strip()


@pytest.mark.parametrize(("src", "dst"), PAIRS, ids=[f"{s}-to-{d}" for s, d in PAIRS])
def test_convert_every_format_pair_stdin_to_stdout(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, src: str, dst: str
) -> None:
    text = sample_in(src)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    result = run("convert", "-", "--from", src, "--to", dst, "--quiet")
    assert result.code == 0, result.err
    assert result.out == library_render(library_load(text, src), dst)
    assert result.err == ""


def test_json_output_is_indented_dast_json(run: Callable[..., Result], tmp_path: Path) -> None:
    from dastdown.serializer import serialize

    (tmp_path / "a.dastdown").write_text(serialize(SAMPLE), encoding="utf-8")
    result = run("convert", tmp_path / "a.dastdown")  # dastdown -> json by default
    assert result.code == 0
    assert result.out == sample_json()  # the sample is canonical
    assert "Привет 😀" in result.out  # ensure_ascii=False


def test_json_dastdown_json_round_trip(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    assert run("convert", tmp_path / "a.json", "-o", tmp_path / "a.dastdown").code == 0
    assert run("convert", tmp_path / "a.dastdown", "-o", tmp_path / "b.json").code == 0
    assert (tmp_path / "b.json").read_text(encoding="utf-8") == sample_json()


def test_default_output_format(run: Callable[..., Result], tmp_path: Path) -> None:
    from dastdown.serializer import serialize

    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    assert run("convert", tmp_path / "a.json").out == serialize(SAMPLE)
    assert run("convert", tmp_path / "a.json", "-o", "-").out == serialize(SAMPLE)
    html = run("convert", tmp_path / "a.json", "--to", "html").out
    assert html == library_render(library_load(sample_json(), "json"), "html")


def test_explicit_formats_override_extensions(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "doc.data").write_text(sample_json(), encoding="utf-8")
    result = run(
        "convert",
        tmp_path / "doc.data",
        "--from",
        "json",
        "-o",
        tmp_path / "o.txt",
        "--to",
        "dastdown",
    )
    assert result.code == 0
    assert (tmp_path / "o.txt").read_text(encoding="utf-8") == sample_in("dastdown")


def test_cda_wrapper_input(run: Callable[..., Result], tmp_path: Path) -> None:
    wrapper = {"value": SAMPLE, "blocks": [], "links": [], "inlineBlocks": []}
    (tmp_path / "cda.json").write_text(json.dumps(wrapper), encoding="utf-8")
    result = run("convert", tmp_path / "cda.json", "--to", "json")
    assert (result.code, result.out) == (0, sample_json())


def test_empty_field_null(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "null.json").write_text("null\n", encoding="utf-8")
    assert run("convert", tmp_path / "null.json").out == ""
    assert run("convert", tmp_path / "null.json", "--to", "json").out == "null\n"
    (tmp_path / "wrapped.json").write_text('{"value": null}', encoding="utf-8")
    assert run("convert", tmp_path / "wrapped.json", "--to", "json").out == "null\n"


def test_output_equal_to_input_is_refused(run: Callable[..., Result], tmp_path: Path) -> None:
    source = tmp_path / "a.json"
    source.write_text(sample_json(), encoding="utf-8")
    (tmp_path / "link.json").symlink_to(source)
    for output in (source, tmp_path / "link.json", tmp_path / "sub" / ".." / "a.json"):
        result = run("convert", source, "-o", output, "--to", "json")
        assert result.code == 2
        assert "is the input file; use 'dastdown fmt'" in result.err
    assert source.read_text(encoding="utf-8") == sample_json()


def test_overwrites_an_existing_output_keeping_its_mode(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    target = tmp_path / "a.dastdown"
    target.write_text("old\n")
    target.chmod(0o600)
    assert run("convert", tmp_path / "a.json", "-o", target).code == 0
    assert target.read_text(encoding="utf-8") == sample_in("dastdown")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dastdown", "a.json"]


# --- convert: user errors, exit 1, no traceback, outputs untouched -------------------


def test_missing_input(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run("convert", tmp_path / "nope.json", "-o", tmp_path / "out.dastdown")
    assert result.code == 2  # a missing input is a usage error
    assert result.err == f"{tmp_path / 'nope.json'}: error: No such file or directory\n"
    assert not (tmp_path / "out.dastdown").exists()


def test_unreadable_input(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "a.json"
    source.write_text(sample_json(), encoding="utf-8")
    real_open = open

    def deny(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path) == str(source):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    result = run("convert", source)
    assert (result.code, result.err) == (1, f"{source}: error: Permission denied\n")


def test_bad_json_syntax(run: Callable[..., Result], tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text('{"schema": "dast",\n  "document": {,}}', encoding="utf-8")
    result = run("convert", source)
    assert result.code == 1
    assert result.err == (
        f"{source}:2:16: error: invalid JSON: Expecting property name enclosed in double quotes\n"
    )


def test_bad_utf8(run: Callable[..., Result], tmp_path: Path) -> None:
    source = tmp_path / "bad.dastdown"
    source.write_bytes(b"# fine\n\nbad \xc3\x28 byte\n")
    result = run("convert", source)
    assert result.code == 1
    assert result.err == (
        f"{source}:3:5: error: not valid UTF-8 at byte offset 12: invalid continuation byte 0xc3\n"
    )


def test_invalid_dast_json_points_at_the_offending_values(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    source = tmp_path / "article.json"
    source.write_text(INVALID_JSON, encoding="utf-8")
    target = tmp_path / "article.dastdown"
    target.write_text("previous output\n")
    result = run("convert", source, "-o", target)
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith(f"{source}:8:36: error: children[2].level: ")
    assert lines[0].endswith("]")
    assert lines[1].startswith(f"{source}:10:40: error: children[3].children: ")
    assert target.read_text() == "previous output\n"  # never overwritten by a failure


def test_malformed_dastdown_shows_position_and_caret(
    run: Callable[..., Result], tmp_path: Path, snapshot: Any
) -> None:
    source = tmp_path / "bad.dastdown"
    source.write_text("# ok\n\n- item\n\n  > quote in a list\n", encoding="utf-8")
    result = run("convert", source, "-o", tmp_path / "out.json")
    assert result.code == 1
    first, *excerpt = result.err.splitlines()
    assert first.startswith(f"{source}:5:3: error: ")
    assert any(line.strip() == "^" for line in excerpt)
    assert "> quote in a list" in "\n".join(excerpt)
    assert result.err.replace(str(tmp_path), "TMP") == snapshot
    assert not (tmp_path / "out.json").exists()


def test_output_is_a_directory(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    (tmp_path / "out.dastdown").mkdir()
    result = run("convert", tmp_path / "a.json", "-o", tmp_path / "out.dastdown")
    assert result.code == 1
    assert result.err == f"{tmp_path / 'out.dastdown'}: error: cannot write: is a directory\n"
    assert list((tmp_path / "out.dastdown").iterdir()) == []


@pytest.mark.parametrize("where", ["under-a-file", "missing-folder"])
def test_unwritable_output(run: Callable[..., Result], tmp_path: Path, where: str) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    (tmp_path / "file").write_text("x")
    parent = tmp_path / ("file" if where == "under-a-file" else "missing")
    result = run("convert", tmp_path / "a.json", "-o", parent / "out.dastdown")
    assert result.code == 1
    assert result.err.startswith(f"{parent / 'out.dastdown'}: error: cannot write: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "file"]


def test_unwritable_output_permission(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")

    def deny(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    real_open = os.open

    def deny_create(path: Any, flags: int, *args: Any) -> int:
        if flags & os.O_CREAT:
            deny()
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny_create)
    result = run("convert", tmp_path / "a.json", "-o", tmp_path / "o.dastdown")
    assert (result.code, result.err) == (
        1,
        f"{tmp_path / 'o.dastdown'}: error: cannot write: Permission denied\n",
    )


def test_stdout_output_only_after_success(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(INVALID_JSON.encode())))
    result = run("convert", "-", "--from", "json")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("<stdin>:8:36: error: children[2].level: ")


def test_serializer_error_is_located_in_the_json(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    doc = {
        "schema": "dast",
        "document": {"type": "root", "children": [{"type": "block", "item": {"type": "item"}}]},
    }
    (tmp_path / "new-block.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    result = run("convert", tmp_path / "new-block.json", "--to", "dastdown")
    assert result.code == 1
    assert result.err.startswith(f"{tmp_path / 'new-block.json'}:8:13: error: children[0].item: ")
    assert result.out == ""


# --- convert: converter warnings -----------------------------------------------------


def test_converter_reports_are_warnings(run: Callable[..., Result], tmp_path: Path) -> None:
    from dast.convert.to_markdown import to_markdown

    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    report = to_markdown(library_load(sample_json(), "json")).report
    assert report, "the sample should hold something markdown cannot express"
    result = run("convert", tmp_path / "a.json", "-o", tmp_path / "a.md")
    assert result.code == 0
    warnings = result.err.splitlines()
    assert len(warnings) == len(report)
    assert all(w.startswith(f"{tmp_path / 'a.json'}") and ": warning: " in w for w in warnings)
    quiet = run("convert", tmp_path / "a.json", "-o", tmp_path / "b.md", "--quiet")
    assert (quiet.code, quiet.err) == (0, "")
    assert (tmp_path / "a.md").read_bytes() == (tmp_path / "b.md").read_bytes()


def test_strict_refuses_what_the_output_cannot_express(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    lenient = run("convert", tmp_path / "a.json", "--to", "markdown")
    result = run("convert", tmp_path / "a.json", "-o", tmp_path / "a.md", "--strict")
    assert result.code == 1
    assert not (tmp_path / "a.md").exists()
    assert result.err == lenient.err.replace(": warning: ", ": error: ")
    assert result.err.count(": error: ") == len(result.err.splitlines()) > 0
    assert run("convert", tmp_path / "a.json", "--to", "dastdown", "--strict").code == 0


def test_markdown_input_warnings_carry_the_source_line(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    from dast.convert.from_markdown import from_markdown

    text = "# Title\n\nSome text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![img](x.png)\n"
    report = from_markdown(text).report
    (tmp_path / "t.md").write_text(text, encoding="utf-8")
    result = run("convert", tmp_path / "t.md", "-o", tmp_path / "t.dastdown")
    assert result.code == 0
    lines = result.err.splitlines()
    assert len(lines) == len(report) > 0
    for line, entry in zip(lines, report, strict=True):
        where = f"{tmp_path / 't.md'}:{entry.line}:" if entry.line else f"{tmp_path / 't.md'}:"
        assert line.startswith(where)
        assert "warning" in line


# --- convert: folders ----------------------------------------------------------------


def make_tree(root: Path, count: int = 12) -> list[str]:
    """A folder of JSON files in subfolders (plus files to ignore)."""
    names = []
    for index in range(count):
        sub = root / ("a" if index % 3 == 0 else "b/c" if index % 3 == 1 else "")
        sub.mkdir(parents=True, exist_ok=True)
        doc = json.loads(json.dumps(SAMPLE))
        doc["document"]["children"][0]["children"][0]["value"] = f"Title {index}"
        path = sub / f"doc{index:02}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        names.append(path.relative_to(root).as_posix())
    (root / "README.txt").write_text("not a document")
    (root / "a" / "notes.html").write_text("<p>output format only</p>")
    return names


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_folder_conversion_keeps_the_tree(run: Callable[..., Result], tmp_path: Path) -> None:
    from dastdown.serializer import serialize

    names = make_tree(tmp_path / "in")
    result = run("convert", tmp_path / "in", "-o", tmp_path / "out", "--to", "dastdown", "-q")
    assert (result.code, result.err) == (0, "")
    outputs = tree_bytes(tmp_path / "out")
    assert sorted(outputs) == sorted(n.removesuffix(".json") + ".dastdown" for n in names)
    for name in names:
        doc = json.loads((tmp_path / "in" / name).read_text(encoding="utf-8"))
        assert outputs[name.removesuffix(".json") + ".dastdown"] == serialize(doc).encode()


def test_folder_parallel_and_serial_give_identical_results(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    make_tree(tmp_path / "in", count=40)
    (tmp_path / "in" / "b" / "broken.json").write_text("{nope", encoding="utf-8")
    (tmp_path / "in" / "a" / "invalid.json").write_text(INVALID_JSON, encoding="utf-8")
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        results[jobs] = run("convert", tmp_path / "in", "-o", out, "--to", "html", "-j", jobs)
    one, two = results["1"], results["2"]
    assert one.code == two.code == 1
    assert one.err.replace("out1", "outN") == two.err.replace("out2", "outN")
    assert tree_bytes(tmp_path / "out1") == tree_bytes(tmp_path / "out2")
    assert len(tree_bytes(tmp_path / "out1")) == 40
    assert "\r" not in one.err + two.err  # stderr is not a terminal: no progress bar
    assert f"{tmp_path / 'in' / 'b' / 'broken.json'}:1:2: error: invalid JSON" in one.err
    assert f"{tmp_path / 'in' / 'a' / 'invalid.json'}:8:36: error: children[2].level" in one.err
    assert one.err.endswith("dastdown: 2 of 42 files not converted\n")


def test_folder_failures_do_not_stop_the_others_nor_overwrite(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    source = tmp_path / "in"
    make_tree(source, count=3)
    (source / "bad.json").write_text("[]", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "bad.dastdown").write_text("keep me\n")
    result = run("convert", source, "-o", out, "--to", "dastdown", "-j", "2", "-q")
    assert result.code == 1
    assert result.err.startswith(f"{source / 'bad.json'}:1:1: error: ")
    assert (out / "bad.dastdown").read_text() == "keep me\n"
    assert len(tree_bytes(out)) == 4  # 3 converted + the untouched old file


def test_folder_from_filters_inputs(run: Callable[..., Result], tmp_path: Path) -> None:
    source = tmp_path / "in"
    make_tree(source, count=2)
    (source / "page.md").write_text(MARKDOWN, encoding="utf-8")
    result = run("convert", source, "-o", tmp_path / "out", "--from", "markdown", "--to", "json")
    assert result.code == 0
    assert sorted(tree_bytes(tmp_path / "out")) == ["page.json"]
    both = run("convert", source, "-o", tmp_path / "all", "--to", "text", "-q")
    assert sorted(tree_bytes(tmp_path / "all")) == ["a/doc00.txt", "b/c/doc01.txt", "page.txt"]
    assert both.code == 0


def test_folder_progress_bar_on_a_terminal(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "in", count=5)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["convert", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--to", "json"]) == 0
    drawn = terminal.getvalue()
    assert "\r[" in drawn and "5/5 100%" in drawn
    assert drawn.endswith("\r")  # the bar is erased at the end


def test_folder_collisions_and_inputs_are_never_overwritten(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.json").write_text(sample_json(), encoding="utf-8")
    (folder / "a.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "b.json").write_text(sample_json(), encoding="utf-8")
    (folder / "b.dastdown").write_text("hand written\n", encoding="utf-8")
    before = tree_bytes(folder)
    result = run("convert", folder, "-o", folder, "--to", "dastdown", "-q")
    assert result.code == 1
    assert (
        f"{folder / 'a.md'}: error: not converted: {folder / 'a.dastdown'} is also the "
        f"output of {folder / 'a.json'}" in result.err
    )
    assert (
        f"{folder / 'b.dastdown'}: error: not converted: {folder / 'b.dastdown'} would "
        "overwrite an input file" in result.err
    )
    assert f"{folder / 'b.json'}: error: not converted" in result.err
    after = tree_bytes(folder)
    assert {k: after[k] for k in before} == before  # every input untouched
    assert sorted(after) == ["a.dastdown", "a.json", "a.md", "b.dastdown", "b.json"]


def test_folder_links(run: Callable[..., Result], tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (tmp_path / "elsewhere.json").write_text(sample_json(), encoding="utf-8")
    (source / "linked.json").symlink_to(tmp_path / "elsewhere.json")  # a file link: followed
    (source / "loop").symlink_to(source)  # a folder link: not followed, no endless walk
    out = tmp_path / "out"
    out.mkdir()
    (out / "victim.dastdown").symlink_to(tmp_path / "elsewhere.json")
    (source / "victim.json").write_text(sample_json(), encoding="utf-8")
    result = run("convert", source, "-o", out, "--to", "dastdown", "-q")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"{source / 'loop'}: warning: symbolic link to a parent folder (a loop), not followed"
    )
    assert result.err.splitlines()[1] == (
        f"{source / 'victim.json'}: error: not converted: {out / 'victim.dastdown'} "
        "would overwrite an input file"
    )
    assert (out / "linked.dastdown").read_text(encoding="utf-8") == sample_in("dastdown")
    assert (tmp_path / "elsewhere.json").read_text(encoding="utf-8") == sample_json()
    assert sorted(p.name for p in out.iterdir()) == ["linked.dastdown", "victim.dastdown"]


def test_output_folder_inside_the_input_is_not_read_back(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    source = tmp_path / "in"
    make_tree(source, count=2)
    for _ in range(2):
        result = run("convert", source, "-o", source / "out", "--to", "json", "-q")
        assert result.code == 0, result.err
    assert sorted(tree_bytes(source / "out")) == ["a/doc00.json", "b/c/doc01.json"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "is a folder: give an output folder with -o DIR"),
        (["-o", "-", "--to", "json"], "is a folder: give an output folder with -o DIR"),
        (["-o", "OUT"], "is a folder: give the output format with --to"),
        (["-o", "FILE", "--to", "json"], "exists and is not a folder"),
    ],
)
def test_folder_usage_errors(
    run: Callable[..., Result], tmp_path: Path, extra: list[str], message: str
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "FILE").write_text("x")
    argv = [str(tmp_path / a) if a in ("OUT", "FILE") else a for a in extra]
    result = run("convert", tmp_path / "in", *argv)
    assert result.code == 2
    assert message in result.err


def test_empty_folder_warns(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = run("convert", tmp_path / "in", "-o", tmp_path / "out", "--to", "json")
    assert result.code == 0
    assert (
        result.err == f"{tmp_path / 'in'}: warning: no .json/.dastdown/.md/.markdown files found\n"
    )


def test_folder_output_that_cannot_be_created(run: Callable[..., Result], tmp_path: Path) -> None:
    make_tree(tmp_path / "in", count=3)
    (tmp_path / "out" / "b").mkdir(parents=True)
    (tmp_path / "out" / "b" / "c").write_text("a file where a folder should be")
    result = run("convert", tmp_path / "in", "-o", tmp_path / "out", "--to", "json", "-q")
    assert result.code == 1
    assert (
        f"{tmp_path / 'in' / 'b' / 'c' / 'doc01.json'}: error: cannot create folder " in result.err
    )
    assert (tmp_path / "out" / "a" / "doc00.json").exists()


def test_a_converter_crash_is_reported_per_file(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "in", count=3)
    from dastdown.cli.formats import convert_text as real

    def flaky(text: str, src: str, dst: str, display: str, strict: bool = False) -> Any:
        if "doc01" in display:
            raise RuntimeError("converter bug")
        return real(text, src, dst, display, strict)

    monkeypatch.setattr(cli_batch, "convert_text", flaky)
    result = run("convert", tmp_path / "in", "-o", tmp_path / "out", "--to", "json", "-j", "1")
    assert result.code == 1
    assert "doc01.json: error: internal error, please report it: RuntimeError: converter bug" in (
        result.err
    )
    assert len(tree_bytes(tmp_path / "out")) == 2


def _die(batch: Any, quiet: bool, strict: bool) -> Any:
    """A worker that dies (killed by the system, say) in the middle of a batch."""
    os._exit(3)


def test_a_dead_worker_is_reported(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "in", count=6)
    monkeypatch.setattr(cli_batch, "convert_batch", _die)
    result = run("convert", tmp_path / "in", "-o", tmp_path / "out", "--to", "json", "-j", "2")
    assert result.code == 1
    assert result.err == (
        "dastdown: error: a worker process died; some files were not converted\n"
        "dastdown: 6 of 6 files not converted\n"
    )
    assert not list((tmp_path / "out").rglob("*.json"))


# --- check ---------------------------------------------------------------------------


def test_check_valid_files_and_folders(run: Callable[..., Result], tmp_path: Path) -> None:
    make_tree(tmp_path / "docs", count=4)
    (tmp_path / "docs" / "x.dastdown").write_text(sample_in("dastdown"), encoding="utf-8")
    (tmp_path / "null.json").write_text("null", encoding="utf-8")
    (tmp_path / "cda.json").write_text(json.dumps({"value": SAMPLE}), encoding="utf-8")
    result = run("check", tmp_path / "docs", tmp_path / "null.json", tmp_path / "cda.json")
    assert (result.code, result.out, result.err) == (0, "", "")


def test_check_reports_every_json_problem_with_line_and_column(
    run: Callable[..., Result], tmp_path: Path, snapshot: Any
) -> None:
    (tmp_path / "article.json").write_text(INVALID_JSON, encoding="utf-8")
    result = run("check", tmp_path / "article.json")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{tmp_path / 'article.json'}:8:36: error: children[2].level: ")
    assert lines[1].startswith(f"{tmp_path / 'article.json'}:10:40: error: children[3].children: ")
    assert result.out.replace(str(tmp_path), "TMP") == snapshot
    assert result.err == "dastdown: 2 problems in 1 of 1 files checked\n"


def test_check_cda_wrapper_positions(run: Callable[..., Result], tmp_path: Path) -> None:
    text = (
        '{"value": {"schema": "dast",\n"document": {"type": "root", "children": [\n'
        '{"type": "heading", "level": 0, "children": [{"type": "span", "value": "x"}]}]}}}'
    )
    (tmp_path / "cda.json").write_text(text, encoding="utf-8")
    result = run("check", tmp_path / "cda.json")
    assert result.code == 1
    assert result.out.startswith(f"{tmp_path / 'cda.json'}:3:30: error: children[0].level: ")


def test_check_json_syntax_and_dastdown_errors(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "syntax.json").write_text('{\n  "schema": "dast"\n  "document": 1}')
    (tmp_path / "bad.dastdown").write_text("fine\n\n####### seven\n", encoding="utf-8")
    (tmp_path / "ok.dastdown").write_text("fine\n", encoding="utf-8")
    (tmp_path / "latin1.json").write_bytes(b'{"a": "\xe9"}')
    result = run("check", tmp_path)
    assert result.code == 1
    out = result.out
    assert f"{tmp_path / 'syntax.json'}:3:3: error: invalid JSON: Expecting ',' delimiter\n" in out
    assert f"{tmp_path / 'bad.dastdown'}:3:1: error: " in out
    assert f"{tmp_path / 'latin1.json'}:1:8: error: not valid UTF-8" in out
    assert "ok.dastdown" not in out
    assert result.err == "dastdown: 3 problems in 3 of 4 files checked\n"


def test_check_missing_path(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(sample_json(), encoding="utf-8")
    result = run("check", tmp_path / "gone.json", tmp_path / "ok.json")
    assert result.code == 2  # a missing input is a usage error: nothing is checked
    assert result.out == ""
    assert result.err == f"{tmp_path / 'gone.json'}: error: No such file or directory\n"


def test_check_reports_not_a_dast_document(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    result = run("check", tmp_path / "list.json")
    assert result.code == 1
    assert result.out.startswith(f"{tmp_path / 'list.json'}:1:1: error: ")


def test_a_crash_is_reported_per_file_in_check_and_fmt(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dastdown.parser

    real = dastdown.parser.parse

    def crashing(text: str, original: Any = None) -> Any:
        if "boom" in text:
            raise RuntimeError("parser bug\nwith a long second line")
        return real(text, original)

    real_with_report = dastdown.parser.parse_with_report

    def crashing_with_report(text: str, original: Any = None, **options: Any) -> Any:
        if "boom" in text:
            raise RuntimeError("parser bug\nwith a long second line")
        return real_with_report(text, original, **options)

    monkeypatch.setattr(dastdown.parser, "parse", crashing)
    monkeypatch.setattr(dastdown.parser, "parse_with_report", crashing_with_report)
    (tmp_path / "a.dastdown").write_text("boom\n", encoding="utf-8")
    (tmp_path / "b.dastdown").write_text("3. fine\n", encoding="utf-8")
    crash = f"{tmp_path / 'a.dastdown'}: error: internal error, please report it: "
    crash += "RuntimeError: parser bug\n"
    checked = run("check", tmp_path)
    assert (checked.code, checked.out) == (1, crash)
    formatted = run("fmt", tmp_path)
    assert formatted.code == 1
    assert formatted.err == crash + f"{tmp_path / 'b.dastdown'}: reformatted\n"
    assert (tmp_path / "a.dastdown").read_text(encoding="utf-8") == "boom\n"
    converted = run("inspect", tmp_path / "a.dastdown")
    assert (converted.code, converted.err) == (1, crash)


# --- fmt -----------------------------------------------------------------------------

UGLY = "3. one\n7. two\n"
PRETTY = "1. one\n2. two\n"


def test_fmt_rewrites_in_place_keeping_the_mode(run: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "a.dastdown"
    target.write_text(UGLY, encoding="utf-8")
    target.chmod(0o640)
    result = run("fmt", target)
    assert (result.code, result.err) == (0, f"{target}: reformatted\n")
    assert target.read_text(encoding="utf-8") == PRETTY
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dastdown"]


def test_fmt_leaves_canonical_files_alone(run: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "a.dastdown"
    target.write_text(sample_in("dastdown"), encoding="utf-8")
    os.utime(target, (1_000_000, 1_000_000))
    result = run("fmt", target)
    assert (result.code, result.out, result.err) == (0, "", "")
    assert target.stat().st_mtime == 1_000_000


def test_fmt_check_changes_nothing(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ugly.dastdown").write_text(UGLY, encoding="utf-8")
    (tmp_path / "ok.dastdown").write_text(PRETTY, encoding="utf-8")
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")
    before = tree_bytes(tmp_path)
    result = run("fmt", "--check", tmp_path)
    assert (result.code, result.out) == (
        1,
        f"{tmp_path / 'sub' / 'ugly.dastdown'}:1:1: would reformat\n",
    )
    assert tree_bytes(tmp_path) == before
    assert run("fmt", "--check", tmp_path / "ok.dastdown").code == 0


def test_fmt_leaves_a_file_that_does_not_parse_untouched(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.dastdown"
    bad.write_bytes(b"3. one\r\n\r\n####### seven\r\n")
    ugly = tmp_path / "ugly.dastdown"
    ugly.write_text(UGLY, encoding="utf-8")
    result = run("fmt", tmp_path)
    assert result.code == 1
    assert f"{bad}:3:1: error: " in result.err
    assert bad.read_bytes() == b"3. one\r\n\r\n####### seven\r\n"
    assert ugly.read_text(encoding="utf-8") == PRETTY  # the other file was formatted


def test_fmt_bad_utf8_untouched(run: Callable[..., Result], tmp_path: Path) -> None:
    bad = tmp_path / "bad.dastdown"
    bad.write_bytes(b"caf\xe9\n")
    result = run("fmt", bad)
    assert (result.code, result.err) == (
        1,
        f"{bad}:1:4: error: not valid UTF-8 at byte offset 3: invalid continuation byte 0xe9\n",
    )
    assert bad.read_bytes() == b"caf\xe9\n"


@pytest.mark.parametrize("failure", ["os.replace", "fsync", "serializer"])
def test_fmt_is_atomic(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    target = tmp_path / "a.dastdown"
    target.write_text(UGLY, encoding="utf-8")

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    if failure == "os.replace":
        monkeypatch.setattr(os, "replace", fail)
    elif failure == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    else:
        import dastdown.serializer

        def broken(doc: Any) -> str:
            raise KeyboardInterrupt  # Ctrl-C in the middle of formatting

        monkeypatch.setattr(dastdown.serializer, "serialize", broken)
    result = run("fmt", target)
    if failure == "serializer":
        assert (result.code, result.err) == (130, "dastdown: interrupted\n")
    else:
        assert result.code == 1
        assert result.err == f"{target}: error: cannot write: No space left on device\n"
    assert target.read_text(encoding="utf-8") == UGLY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dastdown"]


def test_fmt_stdin_to_stdout(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(UGLY.encode())))
    assert run("fmt", "-").out == PRETTY
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(UGLY.encode())))
    check = run("fmt", "--check", "-")
    assert (check.code, check.out) == (1, "<stdin>:1:1: would reformat\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"####### x")))
    bad = run("fmt", "-")
    assert bad.code == 1 and bad.out == "" and bad.err.startswith("<stdin>:1:1: error: ")


def test_fmt_missing_path(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run("fmt", tmp_path / "gone.dastdown")
    assert (result.code, result.err) == (
        2,
        f"{tmp_path / 'gone.dastdown'}: error: No such file or directory\n",
    )


def test_fmt_follows_symlinks(run: Callable[..., Result], tmp_path: Path) -> None:
    real = tmp_path / "real.dastdown"
    real.write_text(UGLY, encoding="utf-8")
    link = tmp_path / "link.dastdown"
    link.symlink_to(real)
    assert run("fmt", link).code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8") == PRETTY


# --- inspect -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "dastdown", "markdown"])
def test_inspect(run: Callable[..., Result], tmp_path: Path, fmt: str) -> None:
    from dast.inspector import inspect

    text = sample_in(fmt)
    (tmp_path / f"doc{EXT[fmt]}").write_text(text, encoding="utf-8")
    result = run("inspect", tmp_path / f"doc{EXT[fmt]}", "--width", "40", "-q")
    assert result.code == 0
    assert result.out == inspect(library_load(text, fmt), max_width=40) + "\n"
    assert max(len(line) for line in result.out.splitlines()) <= 40


def test_inspect_default_width_and_stdin(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dast.inspector import inspect

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(sample_json().encode())))
    result = run("inspect", "-", "--from", "json")
    assert result.out == inspect(library_load(sample_json(), "json")) + "\n"


def test_inspect_empty_field(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "null.json").write_text("null", encoding="utf-8")
    assert run("inspect", tmp_path / "null.json").out == "null (empty field)\n"


def test_inspect_errors(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(INVALID_JSON, encoding="utf-8")
    assert run("inspect", tmp_path / "bad.json").code == 1
    assert run("inspect", tmp_path / "gone.dastdown").code == 2
    assert run("inspect", tmp_path).code == 2  # a folder has no format
    (tmp_path / "folder.json").mkdir()
    folder = run("inspect", tmp_path / "folder.json")
    assert (folder.code, folder.err) == (1, f"{tmp_path / 'folder.json'}: error: is a directory\n")


# --- interruption and closed pipes ---------------------------------------------------


def test_ctrl_c_exits_130(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")

    def interrupt(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_io, "atomic_write", interrupt)
    monkeypatch.setattr(cli_batch, "atomic_write", interrupt)
    result = run("convert", tmp_path / "a.json", "-o", tmp_path / "a.dastdown")
    assert (result.code, result.err) == (130, "dastdown: interrupted\n")
    assert not (tmp_path / "a.dastdown").exists()


def test_ctrl_c_during_a_parallel_folder_conversion(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "in", count=40)
    real = cli_batch._consume

    def interrupted(results: Iterator[Any], bar: Any, failed: list[int]) -> int:
        next(iter(results))
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_batch, "_consume", interrupted)
    result = run("convert", tmp_path / "in", "-o", tmp_path / "out", "--to", "json", "-j", "2")
    assert (result.code, result.err) == (130, "dastdown: interrupted\n")
    monkeypatch.setattr(cli_batch, "_consume", real)
    for path in (tmp_path / "out").rglob("*"):  # whatever was written is complete
        assert path.is_dir() or json.loads(path.read_text(encoding="utf-8"))["schema"] == "dast"
        assert not path.name.endswith(".tmp")


def test_broken_pipe_on_stdout(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    code = main(["inspect", str(tmp_path / "a.json")])
    assert code == 141


# --- the installed command -----------------------------------------------------------


def _command() -> list[str]:
    """The installed console script (beside this Python first: a venv need not be on PATH)."""
    beside = Path(sys.executable).with_name("dastdown")
    if beside.is_file():
        return [str(beside)]
    script = shutil.which("dastdown")
    return [script] if script else [sys.executable, "-m", "dastdown"]


def test_installed_console_script(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(sample_json(), encoding="utf-8")
    done = subprocess.run(
        [*_command(), "convert", str(tmp_path / "a.json"), "-o", str(tmp_path / "a.dastdown")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (tmp_path / "a.dastdown").read_text(encoding="utf-8") == sample_in("dastdown")
    bad = subprocess.run(
        [*_command(), "check", str(tmp_path / "gone.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr


def test_real_pipe_closed_early(tmp_path: Path) -> None:
    big = json.loads(json.dumps(SAMPLE))
    big["document"]["children"] *= 400
    (tmp_path / "big.json").write_text(json.dumps(big), encoding="utf-8")
    command = [sys.executable, "-m", "dastdown"]
    with subprocess.Popen(
        [*command, "inspect", str(tmp_path / "big.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        assert reader.stdout.read(10)
        reader.stdout.close()  # like `| head -c 10`
        error = reader.stderr.read().decode()
        assert reader.wait(timeout=60) == 141
    assert error == ""
    # SIGINT on a real process: tests/cli/test_cli_signals.py (waits for a readiness line)
