"""Planning a folder conversion a chunk at a time, and running it as it is planned."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from dastdown.cli import batch as cli_batch
from dastdown.cli import convert as cli_convert
from dastdown.cli import main
from dastdown.cli.batch import Task, run_batches
from dastdown.cli.convert import FolderPlan, plan_folder, prepare_folders
from dastdown.cli.diagnostics import Diagnostic
from dastdown.cli.files import Found, discover

DOC = json.dumps(
    {"schema": "dast", "document": {"type": "root", "children": [{"type": "thematicBreak"}]}}
)


def make_colliding_tree(root: Path) -> None:
    """A folder whose outputs, written into the folder itself, collide in every way."""
    for sub in ("", "a/", "a/b/", "c.d/"):
        (root / sub).mkdir(parents=True, exist_ok=True)
        for name in ("x.json", "x.md", "y.json", "y.dastdown", "z.JSON", "..json"):
            (root / (sub + name)).write_text(DOC, encoding="utf-8")


def rendered(diagnostics: Sequence[Diagnostic]) -> list[str]:
    return [d.render() for d in diagnostics]


@pytest.mark.parametrize("size", [1, 2, 5, 7, 1000], ids=lambda s: f"chunks-of-{s}")
@pytest.mark.parametrize("into", ["itself", "new-folder"])
def test_chunked_plan_equals_the_plan_in_one_go(tmp_path: Path, size: int, into: str) -> None:
    source = tmp_path / "in"
    make_colliding_tree(source)
    out = str(source if into == "itself" else tmp_path / "out")
    found, problems = discover([str(source)], (".json", ".dastdown", ".md"), skip=out)
    assert not problems and len(found) == 24
    whole, refused = plan_folder(found, out, None, "dastdown")
    assert refused  # the tree does collide
    plan = FolderPlan(found, out, None, "dastdown")
    chunks = list(plan.batches(size))
    assert all(0 < len(chunk) <= size for chunk in chunks)
    assert [t for chunk in chunks for t in chunk] == whole
    assert rendered(plan.refused) == rendered(refused)
    assert plan.unwritable == []
    assert all(os.path.isdir(os.path.dirname(t.target)) for t in whole)


def test_targets_follow_splitext(tmp_path: Path) -> None:
    found = [
        Found("in/a.b/c.json", "in", "a.b/c.json"),
        Found("in/..json", "in", "..json"),
        Found("in/.json", "in", ".json"),
        Found("in/UP.MD", "in", "UP.MD"),
    ]
    tasks = FolderPlan(found, "out", None, "html").plan(found, create=False)
    assert [(t.target, t.src) for t in tasks] == [
        (os.path.join("out", "a.b", "c.html"), "json"),
        (os.path.join("out", "..json.html"), "json"),
        (os.path.join("out", ".json.html"), "json"),
        (os.path.join("out", "UP.html"), "markdown"),
    ]


def test_a_file_of_unknown_format_is_refused_not_a_crash() -> None:
    found = [Found("notes", "", "notes")]
    plan = FolderPlan(found, "out", None, "json")
    assert plan.plan(found, create=False) == []
    assert rendered(plan.refused) == [
        "notes: error: not converted: cannot tell its format from its name"
    ]


def test_each_output_folder_is_created_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real = cli_convert._make_folder

    def counting(folder: str) -> str | None:
        made.append(folder)
        return real(folder)

    monkeypatch.setattr(cli_convert, "_make_folder", counting)
    found = [Found(f"in/{d}/{n}.json", "in", f"{d}/{n}.json") for d in "ab" for n in range(5)]
    plan = FolderPlan(found, str(tmp_path / "out"), None, "json")
    assert sum(len(chunk) for chunk in plan.batches(3)) == 10
    assert made == [str(tmp_path / "out" / "a"), str(tmp_path / "out" / "b")]


def test_folders_that_cannot_be_created_are_reported_per_file(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "b").write_text("a file where a folder should be")
    found = [Found(f"in/{d}/{n}.json", "in", f"{d}/{n}.json") for d in "ab" for n in range(2)]
    plan = FolderPlan(found, str(tmp_path / "out"), None, "json")
    tasks = [t for chunk in plan.batches(1) for t in chunk]
    assert [t.source for t in tasks] == ["in/a/0.json", "in/a/1.json"]
    folder = tmp_path / "out" / "b"
    assert [m.split(": File exists")[0] for m in rendered(plan.not_converted())] == [
        f"in/b/{n}.json: error: cannot create folder {folder}" for n in range(2)
    ]
    kept, refused = prepare_folders([Task("in/b/0.json", str(folder / "0.json"), "json", "json")])
    assert kept == [] and rendered(refused) == rendered(plan.unwritable[:1])


def _batches(tmp_path: Path, count: int, size: int) -> list[list[Task]]:
    (tmp_path / "in").mkdir()
    tasks = []
    for n in range(count):
        (tmp_path / "in" / f"{n}.json").write_text(DOC if n % 3 else "[]", encoding="utf-8")
        tasks.append(
            Task(str(tmp_path / "in" / f"{n}.json"), str(tmp_path / f"{n}.dd"), "json", "dastdown")
        )
    return [tasks[i : i + size] for i in range(0, count, size)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_planned_refusals_come_first_and_count(tmp_path: Path, jobs: int) -> None:
    batches = _batches(tmp_path, 9, 2)
    drawn: list[int] = []

    def lazily() -> Iterator[list[Task]]:
        for batch in batches:
            drawn.append(len(batch))
            yield batch

    def planned() -> list[Diagnostic]:
        assert sum(drawn) == 9  # asked once every batch is drawn
        return [Diagnostic("r.json", "refused")]

    err = io.StringIO()
    failed = run_batches(lazily(), 10, jobs, False, err, planned=planned)
    assert failed == 1 + 3  # the refused file and the three "[]" files
    lines = err.getvalue().splitlines()
    assert lines[0] == "r.json: error: refused"
    assert [line.split(":")[0] for line in lines[1:]] == [
        str(tmp_path / "in" / f"{n}.json") for n in (0, 3, 6)
    ]
    assert sorted(p.name for p in tmp_path.glob("*.dd")) == sorted(
        f"{n}.dd" for n in range(9) if n % 3
    )


def _die(batch: object, quiet: bool, strict: bool) -> object:
    os._exit(3)


def test_a_dead_worker_while_planning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_batch, "convert_batch", _die)
    batches = _batches(tmp_path, 8, 1)

    def slowly() -> Iterator[list[Task]]:
        import time

        for batch in batches:
            time.sleep(0.05)  # the pool breaks while batches are still being planned
            yield batch

    err = io.StringIO()
    failed = run_batches(slowly(), 9, 2, True, err, planned=lambda: [Diagnostic("r", "refused")])
    assert failed == 9
    assert err.getvalue() == (
        "r: error: refused\ndastdown: error: a worker process died; some files were not converted\n"
    )


def test_ctrl_c_while_planning_a_parallel_conversion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in").mkdir()
    for n in range(40):
        (tmp_path / "in" / f"{n:02}.json").write_text(DOC, encoding="utf-8")
    real = FolderPlan.plan
    calls = [0]

    def interrupted(self: FolderPlan, found: Sequence[Found], create: bool = True) -> list[Task]:
        calls[0] += 1
        if calls[0] == 4:
            raise KeyboardInterrupt
        return real(self, found, create)

    monkeypatch.setattr(FolderPlan, "plan", interrupted)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    argv = ["convert", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--to", "json", "-j", "2"]
    assert main(argv) == 130
    assert err.getvalue() == "dastdown: interrupted\n"
    for path in (tmp_path / "out").rglob("*"):  # whatever was written is complete
        assert json.loads(path.read_text(encoding="utf-8"))["schema"] == "dast"
