"""Standard output that fails: a full device gives one line and exit 1, a closed pipe is quiet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = [sys.executable, "-m", "dastdown"]
DOC = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x" * 50}]}],
    },
}


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    return path


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    "argv",
    [["convert", "{doc}", "--to", "dastdown"], ["inspect", "{doc}"], ["convert", "{doc}"]],
    ids=["convert-dastdown", "inspect", "convert-default"],
)
def test_a_full_device_is_one_line_and_exit_1(document: Path, argv: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*COMMAND, *(a.format(doc=document) for a in argv)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr == (
        "dastdown: error: cannot write to standard output: No space left on device\n"
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_check_reporting_to_a_full_device(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("[", encoding="utf-8")
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*COMMAND, "check", str(tmp_path / "bad.json")],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        "dastdown: error: cannot write to standard output: No space left on device"
    )
    assert "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    big = json.loads(json.dumps(DOC))
    big["document"]["children"] *= 5000
    (tmp_path / "big.json").write_text(json.dumps(big), encoding="utf-8")
    for argv in (["inspect", str(tmp_path / "big.json")], ["convert", str(tmp_path / "big.json")]):
        with subprocess.Popen(
            [*COMMAND, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as reader:
            assert reader.stdout is not None and reader.stderr is not None
            assert reader.stdout.read(1)
            reader.stdout.close()  # like `| head -c 1`
            error = reader.stderr.read().decode()
            assert reader.wait(timeout=60) == 141
        assert error == ""
