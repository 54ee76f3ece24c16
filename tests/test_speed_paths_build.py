"""setup.py's optional compiled build: when it compiles, and that it falls back to pure Python.

The build itself (``pip install .`` with and without a C compiler) is too slow
for the suite and needs the network; benchmarks/PROFILE.md records it. These
tests cover the decisions: an editable install, ``DAST_TOOLKIT_PURE_PYTHON``
or a missing mypy build nothing, and a failing compile leaves the module out.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from setuptools import Distribution, Extension

ROOT = Path(__file__).resolve().parent.parent


def _setup_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_dast_toolkit_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # setup() itself only runs as __main__
    return module


def _command(module: ModuleType, tmp_path: Path, **options: Any) -> Any:
    command = module.OptionalCompiledBuildExt(Distribution({"name": "x"}))
    command.initialize_options()
    command.build_temp = str(tmp_path / "temp")
    command.build_lib = str(tmp_path / "lib")
    for name, value in options.items():
        setattr(command, name, value)
    return command


def test_the_compiled_modules_exist() -> None:
    module = _setup_module()
    assert all((ROOT / path).is_file() for path in module.COMPILED)


def _class_bases(path: Path) -> list[tuple[str, int, str]]:
    """``(class, line, base)`` for each base class named in the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, node.lineno, ast.unparse(base))
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for base in node.bases
    ]


def _derives_from_interpreted(bases: list[tuple[str, int, str]], own: set[str]) -> list[str]:
    """The bases that are neither a builtin class nor a class of the compiled modules."""
    return [
        f"{name} (line {line}) derives from {base}"
        for name, line, base in bases
        if base not in own and not isinstance(getattr(builtins, base, None), type)
    ]


def test_compiled_classes_derive_from_no_interpreted_class() -> None:
    """A mypyc class built on an interpreted class (lark's ``Lexer``...) crashes at run time.

    Its instances get mypyc's memory layout under a base whose instances hold
    a ``__dict__``: dict lookups on them raise ``SystemError`` and the garbage
    collector crashes. Builtin bases (``Exception``) are supported.
    """
    module = _setup_module()
    paths = [ROOT / path for path in module.COMPILED]
    bases = {path: _class_bases(path) for path in paths}
    own = {
        node.name
        for path in paths
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    problems = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path, found in bases.items()
        for problem in _derives_from_interpreted(found, own)
    ]
    assert problems == []


def test_the_check_finds_a_class_built_on_an_interpreted_one() -> None:
    bases = [("StructureLexer", 3, "Lexer"), ("_Malformed", 9, "Exception"), ("B", 12, "A")]
    assert _derives_from_interpreted(bases, {"A", "B"}) == [
        "StructureLexer (line 3) derives from Lexer"
    ]


def test_the_line_lexer_is_a_lark_lexer() -> None:
    """Registered as a virtual subclass: lark checks ``issubclass(lexer, Lexer)``."""
    from lark.lexer import Lexer

    from dastdown.lexer import StructureLexer

    assert issubclass(StructureLexer, Lexer)
    assert Lexer not in StructureLexer.__mro__


@pytest.mark.parametrize("case", ["editable", "inplace", "pure env"])
def test_no_compilation_where_the_source_must_run(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _setup_module()
    calls: list[str] = []
    monkeypatch.setattr(module, "_compiled_extensions", lambda temp: calls.append(temp) or [])
    options = {"editable": {"editable_mode": True}, "inplace": {"inplace": True}}.get(case, {})
    if case == "pure env":
        monkeypatch.setenv(module.PURE_ENV, "1")
    else:
        monkeypatch.delenv(module.PURE_ENV, raising=False)
    command = _command(module, tmp_path, **options)
    command.extensions = [Extension("dastdown.serializer", sources=[])]
    command.run()
    assert calls == [] and command.extensions == []


def test_without_mypy_nothing_is_compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _setup_module()
    monkeypatch.setitem(sys.modules, "mypyc.build", None)  # import fails
    assert module._compiled_extensions(str(tmp_path)) == []


def test_a_failed_compile_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = _setup_module()
    command = _command(module, tmp_path)
    command.ensure_finalized()
    broken = Extension("dast_toolkit_missing", sources=[str(tmp_path / "missing.c")])
    command.build_extension(broken)  # no exception: the pure module stays in use
    assert "dast_toolkit_missing not compiled" in capsys.readouterr().err
