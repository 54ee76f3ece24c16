"""Documents nested 5,000 lists deep through every command, and JSON text at any depth."""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dastdown.cli import jsontext, main

DEPTH = 5000


def deep(depth: int, style: str = "bulleted") -> dict[str, Any]:
    node: dict[str, Any] = {"type": "paragraph", "children": [{"type": "span", "value": "x"}]}
    for level in range(depth):
        node = {
            "type": "list",
            "style": style if level == depth // 2 else "bulleted",
            "children": [{"type": "listItem", "children": [node]}],
        }
    return {"schema": "dast", "document": {"type": "root", "children": [node]}}


def depth_of(data: Any) -> int:
    """How many lists deep a DAST document is (iteratively)."""
    count, node = 0, data["document"]["children"][0]
    while node["type"] == "list":
        count += 1
        node = node["children"][0]["children"][0]
    return count


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "deep.json").write_text(jsontext.dumps(deep(DEPTH)), encoding="utf-8")
    return tmp_path


def test_convert_json_to_dastdown_and_back(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dastdown.serializer import serialize

    assert main(["convert", str(files / "deep.json"), "-o", str(files / "deep.dastdown")]) == 0
    text = (files / "deep.dastdown").read_text(encoding="utf-8")
    assert text == serialize(jsontext.loads((files / "deep.json").read_text(encoding="utf-8")))
    assert main(["convert", str(files / "deep.dastdown"), "-o", str(files / "back.json")]) == 0
    back = jsontext.loads((files / "back.json").read_text(encoding="utf-8"))
    assert depth_of(back) == DEPTH
    assert jsontext.dumps(back) == (files / "deep.json").read_text(encoding="utf-8")
    assert capsys.readouterr().err == ""


def test_check_fmt_inspect(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", str(files / "deep.json"), "-o", str(files / "deep.dastdown")]) == 0
    assert main(["check", str(files / "deep.json"), str(files / "deep.dastdown")]) == 0
    assert main(["fmt", "--check", str(files / "deep.dastdown")]) == 0
    assert main(["inspect", str(files / "deep.json")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("root\n└ list style=bulleted\n  └ listItem\n")


def test_a_deep_problem_is_located_in_linear_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    timings = []
    for depth in (DEPTH // 2, DEPTH * 2):
        bad = tmp_path / f"bad{depth}.json"
        bad.write_text(jsontext.dumps(deep(depth, style="wavy")), encoding="utf-8")
        gc.collect()  # (a full collection of the test process's heap is not what is timed)
        start = time.perf_counter()
        assert main(["check", str(bad)]) == 1
        timings.append(time.perf_counter() - start)
        out = capsys.readouterr().out
        assert out.startswith(f"{bad}:")
        assert ".style: " in out.splitlines()[0]  # the path down to the bad list
    assert timings[1] < timings[0] * 12  # 4x the depth: far from the 16x of a quadratic scan


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=30,
)


@given(json_values)
def test_jsontext_matches_the_json_module(value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    assert jsontext.dumps(value) == text
    assert jsontext.loads(text) == json.loads(text)
    assert jsontext._iterative_decode(text, 0) == json.JSONDecoder().raw_decode(text, 0)


@pytest.mark.parametrize(
    "text", ['{"a" 1}', "[1,]", "[1 2]", '{"a": 1,}', "[", '{"a": tru}', "[1] x", "{1: 2}"]
)
def test_jsontext_rejects_what_json_rejects(text: str) -> None:
    deep_text = "[" * 3000 + text + "]" * 3000  # deep enough for the iterative parser
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        jsontext.loads(deep_text)


def test_jsontext_deep_output_stays_linear() -> None:
    value: Any = []
    for _ in range(20_000):
        value = [value]
    text = jsontext.dumps(value)
    assert len(text) < 20 * 20_000 + jsontext.MAX_INDENTED_DEPTH**2 * 4
    assert text.count("[") == 20_001
