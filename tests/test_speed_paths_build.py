"""setup.py's optional compiled build: when it compiles, and that it falls back to pure Python.

The build itself (``pip install .`` with and without a C compiler) is too slow
for the suite and needs the network; benchmarks/PROFILE.md records it. These
tests cover the decisions: an editable install, ``DAST_TOOLKIT_PURE_PYTHON``
or a missing mypy build nothing, and a failing compile leaves the module out.
"""

from __future__ import annotations

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
