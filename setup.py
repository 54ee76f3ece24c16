"""Build script: the project's metadata is in pyproject.toml; this file only adds compiled modules.

``dastdown/serializer.py``, ``dast/convert/to_html.py``,
``dast/convert/markdown_tokens.py`` and dastdown's line lexer, inline
scanner and block assembly (``dastdown/lexer.py``, ``dastdown/inline.py``,
``dastdown/assembly.py``: the parse's fast path) and the node builder of
``load_document`` (``dast/_build.py``) are compiled with
mypyc (mypy's compiler for type-annotated Python; mypy is already the
project's type checker, so the modules compile unchanged) when a wheel is
built: about 1.3x faster (benchmarks/PROFILE.md); markdown's tokens to nodes
95 -> 74 ms. A class of a compiled module must not derive from a class of an
interpreted one (lark's, pydantic's): mypyc gives it a memory layout that
clashes with its base's and it crashes at run time
(tests/test_speed_paths_build.py checks it). Each compiled module is
optional. No C compiler, a failed compile, mypy missing, an editable install
(``pip install -e .``: the source you edit is the code that runs) or
``DAST_TOOLKIT_PURE_PYTHON=1`` leave the pure-Python modules in use, which
are always installed; the package behaves the same either way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

COMPILED = (
    "dastdown/serializer.py",
    "dast/convert/to_html.py",
    "dast/convert/markdown_tokens.py",
    "dastdown/lexer.py",
    "dastdown/inline.py",
    "dastdown/assembly.py",
    "dast/_build.py",
)
PURE_ENV = "DAST_TOOLKIT_PURE_PYTHON"

# mypy's settings for compiling: the pydantic plugin (the modules read the
# models' fields), and other dependencies may be missing from the build
# environment (only what [build-system] requires is there).
_MYPY_CONFIG = "[mypy]\nplugins = pydantic.mypy\nignore_missing_imports = True\n"


def _note(message: str) -> None:
    print(f"dast-toolkit: {message}", file=sys.stderr)


def _compiled_extensions(build_temp: str) -> list[Any]:
    """mypyc's extensions for COMPILED, each optional; [] when they cannot be made."""
    try:
        from mypyc.build import mypycify
    except ImportError:
        _note("mypy is not installed: pure-Python modules only")
        return []
    config = Path(build_temp) / "mypyc.ini"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(_MYPY_CONFIG, encoding="utf-8")
    try:
        extensions = mypycify(
            ["--config-file", str(config), *COMPILED], group_name="dast_toolkit"
        )
    except (Exception, SystemExit) as exc:  # mypy exits on errors
        _note(f"mypyc could not compile ({exc!r}): pure-Python modules only")
        return []
    for extension in extensions:
        extension.optional = True  # a failed compile is a warning, not an error
    return list(extensions)


class OptionalCompiledBuildExt(build_ext):
    """build_ext that compiles the mypyc modules when it can, and otherwise builds nothing."""

    def run(self) -> None:
        if os.environ.get(PURE_ENV) or getattr(self, "editable_mode", False) or self.inplace:
            self.extensions = []
        else:
            self.extensions = _compiled_extensions(self.build_temp)
        if self.extensions:
            super().run()

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # optional extensions: keep the pure module
            _note(f"{ext.name} not compiled ({exc}): its pure-Python module is used")


if __name__ == "__main__":  # (how setuptools' build backend runs this file; tests import it)
    setup(
        # a placeholder, replaced when build_ext runs: it marks the wheel as platform-specific
        ext_modules=[Extension("dastdown.serializer", sources=[])],
        cmdclass={"build_ext": OptionalCompiledBuildExt},
    )
