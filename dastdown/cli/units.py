"""``dastdown units export`` / ``import``: compact JSON units for language models.

``export`` writes JSON lines, one unit per line: ``{"file", "id", "text",
"context", "tags"}`` where ``text`` carries the inline codes as ``<1>``...
``</1>`` and ``<2/>`` tags (see :mod:`dast.translate.units`). Send the units
to a model, one by one or in batches, asking it to translate ``text`` and
keep every tag. ``import`` reads the answers (JSON lines, or one JSON array,
of ``{"file"?, "id", "text"}`` objects), checks every tag and writes the
translated documents or records. With ``--partial`` the good units are
applied and each rejected one is reported with its segment and tag.

A folder made by ``dastdown pull`` works as for ``dastdown xliff``: each
unit's ``file`` is the path of its pulled file, and the import writes the
``--target-locale`` files that ``dastdown push`` sends.

>>> from dastdown.cli import build_parser
>>> build_parser().parse_args(["units", "import", "a.jsonl", "doc.json"]).answers
'a.jsonl'
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from typing import Any

from dast.translate.records import FieldSource
from dast.translate.segments import Token

from .common import add_command, check_inputs_exist, print_diagnostics, read_input, usage_error
from .diagnostics import CliFailure, Diagnostic
from .xliff import (
    InputFile,
    add_translation_options,
    apply_translations,
    folder_sources,
    import_into_folder,
    load_inputs,
    pulled_folder,
    write_outputs,
)

_Found = Mapping[str, Sequence[Token]]

__all__ = ["dump_json_line", "read_answers", "register", "run_export", "run_import"]

_EPILOG = """\
Inputs are DAST JSON documents or CMA records, as for 'dastdown xliff', or a
folder made by 'dastdown pull' (translated in place, as for 'dastdown xliff').

examples:
  dastdown units export article.json --source-locale en -o units.jsonl
  dastdown units import answers.jsonl article.json -o article.it.json --partial
  dastdown units export record.json --source-locale en -o units.jsonl
  dastdown units import answers.jsonl record.json --source-locale en --target-locale it \\
      --schema schema/ -o record.it.json
  dastdown units export site/ --source-locale en -o units.jsonl
  dastdown units import answers.jsonl site/ --target-locale it && dastdown push site/

exit status: 0 ok, 1 problems found (a rejected unit, an unreadable file),
2 usage error or missing input.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``units`` (with ``export`` and ``import``) to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["units", "export", "a.json", "--source-locale", "en"]).inputs
    ['a.json']
    """
    parser = add_command(
        commands,
        "units",
        _missing_action,
        help="export JSON units for language models, import their answers",
        description="Export documents and localized record fields as compact JSON units\n"
        "for language models, and import the answers, checking every tag.",
        epilog=_EPILOG,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write the segments of the inputs as JSON lines",
        description="Write the translatable segments of the inputs as JSON lines.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.set_defaults(run=run_export, parser=export)
    export.add_argument("inputs", nargs="+", metavar="FILE", help="DAST JSON or record JSON")
    add_translation_options(export, export=True)
    export.add_argument("-o", "--output", metavar="FILE", help="JSON lines (default: stdout)")
    imports = actions.add_parser(
        "import",
        help="apply a model's answers to the inputs",
        description="Apply translated units (JSON lines or a JSON array) to the inputs.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imports.set_defaults(run=run_import, parser=imports)
    imports.add_argument("answers", metavar="ANSWERS", help="the translated units")
    imports.add_argument("inputs", nargs="+", metavar="FILE", help="the exported inputs")
    add_translation_options(imports, export=False)


def _missing_action(args: argparse.Namespace) -> int:  # argparse requires the action first
    usage_error(args, "choose export or import")


def run_export(args: argparse.Namespace) -> int:
    """Run ``dastdown units export``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["units", "export", "/nonexistent.json", "--source-locale", "en"])
    2
    """
    from dast.translate.segments import extract_segments
    from dast.translate.units import segment_unit

    lines: list[str] = []
    folder = pulled_folder(args)
    if folder is not None:
        found = folder_sources(args, folder, args.source_locale)
        for pulled in found.files:
            segments = extract_segments(
                pulled.document, include_code=args.include_code, schema=found.schema
            )
            lines.extend(
                dump_json_line({"file": pulled.path, **segment_unit(segment)})
                for segment in segments
            )
        write_outputs(args, [("units.jsonl", "".join(lines))])
        return 0
    inputs = load_inputs(args, args.source_locale)
    for item in inputs:
        for source in item.sources:
            for segment in source.segments():
                unit = {"file": source.key, **segment_unit(segment)}
                lines.append(dump_json_line(unit))
    write_outputs(args, [("units.jsonl", "".join(lines))])
    return 0


def dump_json_line(unit: Mapping[str, object]) -> str:
    """One unit as a JSON line (non-ASCII kept, lone surrogates escaped).

    >>> dump_json_line({"id": "p-1", "text": "é"})
    '{"id": "p-1", "text": "é"}\\n'
    """
    text = json.dumps(unit, ensure_ascii=False)
    return "".join(
        f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in text
    ) + "\n"


def read_answers(text: str, display: str) -> list[tuple[Any, int]]:
    """The answer objects of a JSON array or JSON lines text, each with its line number.

    >>> read_answers('{"id": "a", "text": "x"}\\n\\n{"id": "b", "text": "y"}\\n', "a.jsonl")
    [({'id': 'a', 'text': 'x'}, 1), ({'id': 'b', 'text': 'y'}, 3)]
    """
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CliFailure(
                [Diagnostic(display, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]
            ) from None
        return [(entry, 1) for entry in data]
    out: list[tuple[Any, int]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((json.loads(line), number))
        except json.JSONDecodeError as exc:
            raise CliFailure(
                [Diagnostic(display, f"invalid JSON: {exc.msg}", number, exc.colno)]
            ) from None
    return out


def run_import(args: argparse.Namespace) -> int:
    """Run ``dastdown units import``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["units", "import", "/nonexistent.jsonl", "/nonexistent.json"])
    2
    """
    check_inputs_exist([args.answers, *args.inputs])
    folder = pulled_folder(args, in_place=True)
    display = "<stdin>" if args.answers == "-" else args.answers
    try:
        answers = read_answers(read_input(args.answers), display)
    except CliFailure as exc:
        print_diagnostics(exc.diagnostics)
        return 1
    if folder is not None:
        return _import_into_folder(args, folder, answers, display)
    inputs = load_inputs(args, args.source_locale)
    keys = [source.key for item in inputs for source in item.sources]
    try:
        found = _group(answers, keys, display)
    except CliFailure as exc:
        print_diagnostics(exc.diagnostics)
        return 1

    def lookup(item: InputFile, source: FieldSource) -> tuple[_Found, str, Any]:
        return found[source.key]

    return apply_translations(args, inputs, lookup, args.target_locale)


def _group(
    answers: Sequence[tuple[Any, int]], keys: Sequence[str], display: str
) -> dict[str, tuple[_Found, str, Any]]:
    """The answers' translations by file key (``CliFailure`` for unknown files, bad units)."""
    from dast.translate.units import UnitError, translations_from_units

    grouped: dict[str, list[Any]] = {key: [] for key in keys}
    lines: dict[str, dict[str, int]] = {key: {} for key in keys}
    problems: list[Diagnostic] = []
    for entry, line in answers:
        key = entry.get("file") if isinstance(entry, Mapping) else None
        if key is None and len(keys) == 1:
            key = keys[0]
        if key not in grouped:
            problems.append(Diagnostic(display, f"unit for an unknown file: {key!r}", line))
            continue
        grouped[key].append(entry)
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            lines[key][entry["id"]] = line
    found: dict[str, tuple[_Found, str, Any]] = {}
    for key, entries in grouped.items():
        try:
            found[key] = (translations_from_units(entries, key), display, lines[key])
        except UnitError as exc:
            problems.append(Diagnostic(display, str(exc)))
    if problems:
        raise CliFailure(problems)
    return found


def _source_locale(args: argparse.Namespace, answers: Sequence[tuple[Any, int]]) -> str | None:
    """``--source-locale``, or the locale in the name of the first unit's pulled file."""
    if args.source_locale:
        return str(args.source_locale)
    for entry, _ in answers:
        name = entry.get("file") if isinstance(entry, Mapping) else None
        if isinstance(name, str) and name.endswith(".dastdown") and name.count(".") >= 3:
            return name.rsplit(".", 2)[-2]
    return None


def _import_into_folder(
    args: argparse.Namespace, folder: str, answers: Sequence[tuple[Any, int]], display: str
) -> int:
    """``units import`` into a pulled folder: each unit's ``file`` is a pulled file's path."""
    source_locale = _source_locale(args, answers)
    if source_locale is None:
        usage_error(args, "give --source-locale (the units do not name their pulled files)")
    sources = folder_sources(args, folder, source_locale)
    try:
        found = _group(answers, [source.path for source in sources.files], display)
    except CliFailure as exc:
        print_diagnostics(exc.diagnostics)
        return 1
    return import_into_folder(args, folder, sources, found, args.target_locale)

