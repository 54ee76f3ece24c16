"""``dastdown xliff export`` / ``import``: translate documents and record fields with XLIFF 1.2.

Inputs are JSON files: a DAST document (or the CDA ``{"value": ...}``
wrapper), or a CMA record (``{"data": record}``, a bare JSON:API record, or
the flat shape ``{"id": ..., "body": {"en": <dast>, "it": <dast>}}``) whose
localized structured-text fields are translated from ``--source-locale``
into ``--target-locale``. ``export`` writes one ``<file>`` per document or
record field (named by the document's path as given, or ``<record
id>#<field>``); ``import`` reads the translated XLIFF, checks every code of
every unit and writes the translated document, or the record with its
target locale filled in and every other locale kept.

A folder written by ``dastdown pull`` (recognised by its
``.dastdown-manifest.json``) is an input too, given alone: ``export`` takes
every pulled file of the source locale (one ``<file>`` each, its path in the
folder as ``original``, the record id and field in notes), and ``import``
writes ``<model>/<record-id>.<field>.<target>.dastdown`` next to each
translated file and records it in the folder's manifests, so that ``dastdown
push`` sends it as the target locale of the field (see
:func:`dastdown.workspace.import_translations`).

The shared input and output handling (:func:`load_inputs`,
:func:`apply_translations`, :func:`pulled_folder`, :func:`folder_sources`,
:func:`import_into_folder`) also serves ``dastdown units``.

>>> from dastdown.cli import build_parser
>>> args = build_parser().parse_args(["xliff", "export", "a.json", "--source-locale", "en"])
>>> args.inputs, args.source_locale
(['a.json'], 'en')
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dast.errors import DastError
from dast.translate.records import FieldSource, is_dast_value, record_sources, translate_record
from dast.translate.segments import (
    SegmentProblem,
    Token,
    TranslationError,
    TranslationReport,
    apply_segments,
)

from .common import add_command, check_inputs_exist, print_diagnostics, read_input, usage_error
from .diagnostics import CliFailure, Diagnostic

__all__ = [
    "InputFile",
    "Lookup",
    "add_translation_options",
    "apply_translations",
    "dump_json",
    "folder_sources",
    "import_into_folder",
    "load_inputs",
    "pulled_folder",
    "register",
    "run_export",
    "run_import",
    "write_outputs",
]

_EPILOG = """\
Inputs are DAST JSON documents, or CMA records with localized structured-text
fields ({"data": record}, a JSON:API record, or {"id": ..., "body": {"en": ...}}).
Blocks copied into the target locale become new blocks: give --schema (a
folder with item_types.json and fields/) and records fetched with ?nested=true.
A folder made by 'dastdown pull' is translated in place: export takes its files
of the source locale, import writes the target-locale files that 'dastdown push'
sends (a target file edited since it was pulled or imported is kept unless
--force).

examples:
  dastdown xliff export article.json --source-locale en --target-locale it -o article.xlf
  dastdown xliff import article.it.xlf article.json -o article.it.json
  dastdown xliff export record.json --source-locale en --target-locale it -o record.xlf
  dastdown xliff import record.it.xlf record.json --schema schema/ -o record.it.json
  dastdown xliff import done.xlf a.json b.json -o translated/   # several inputs: a folder
  dastdown xliff export site/ --source-locale en --target-locale it -o site.xlf
  dastdown xliff import site.it.xlf site/ && dastdown push site/

exit status: 0 ok, 1 problems found (a rejected translation, an unreadable
file), 2 usage error or missing input.
"""

Lookup = Callable[["InputFile", FieldSource], tuple[Mapping[str, Sequence[Token]], str, Any]]
"""Finds the translations of one source: ``(translations, where, lines by segment id)``."""


@dataclass
class InputFile:
    """One input: its path, its parsed JSON, whether it is a record, its sources."""

    path: str
    data: Any
    is_record: bool
    sources: list[FieldSource]


def add_translation_options(parser: argparse.ArgumentParser, *, export: bool) -> None:
    """The options ``xliff`` and ``units`` share.

    >>> p = argparse.ArgumentParser()
    >>> add_translation_options(p, export=True)
    >>> p.parse_args(["--source-locale", "en", "--include-code"]).include_code
    True
    """
    parser.add_argument(
        "--source-locale",
        metavar="LOCALE",
        required=export,
        help="the locale to translate from (for records: the field locale read)",
    )
    parser.add_argument(
        "--target-locale",
        metavar="LOCALE",
        help="the locale to translate into (for records: the field locale written)",
    )
    parser.add_argument(
        "--include-code", action="store_true", help="translate code blocks too"
    )
    parser.add_argument(
        "--schema",
        metavar="DIR",
        help="saved CMA schema (item_types.json, fields/): translate the text fields of "
        "blocks and records, and copy blocks into the target locale",
    )
    if not export:
        parser.add_argument(
            "--force",
            action="store_true",
            help="into a pulled folder: overwrite target-locale files edited since they were "
            "pulled or imported",
        )
        parser.add_argument(
            "--allow-dropped-marks",
            action="store_true",
            help="accept translations that leave out mark codes (never links or records)",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="apply the good translations, keep the source of rejected ones (exit 1)",
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="PATH",
            help="output file (one input) or folder (several); default: standard output",
        )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``xliff`` (with ``export`` and ``import``) to the subcommands.

    >>> from dastdown.cli import build_parser
    >>> build_parser().parse_args(["xliff", "import", "t.xlf", "a.json"]).translated
    't.xlf'
    """
    parser = add_command(
        commands,
        "xliff",
        _missing_action,
        help="export XLIFF 1.2 for translation tools, import the translations",
        description="Export documents and localized record fields to XLIFF 1.2, and import\n"
        "the translated XLIFF back, checking every inline code.",
        epilog=_EPILOG,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write the segments of the inputs as XLIFF 1.2",
        description="Write the translatable segments of the inputs as one XLIFF 1.2 file.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.set_defaults(run=run_export, parser=export)
    export.add_argument("inputs", nargs="+", metavar="FILE", help="DAST JSON or record JSON")
    add_translation_options(export, export=True)
    export.add_argument("-o", "--output", metavar="FILE", help="XLIFF file (default: stdout)")
    imports = actions.add_parser(
        "import",
        help="apply a translated XLIFF file to the inputs",
        description="Apply the targets of a translated XLIFF file to the inputs it was\n"
        "exported from, and write the translated documents or records.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imports.set_defaults(run=run_import, parser=imports)
    imports.add_argument("translated", metavar="XLIFF", help="the translated XLIFF file")
    imports.add_argument("inputs", nargs="+", metavar="FILE", help="the exported inputs")
    add_translation_options(imports, export=False)


def _missing_action(args: argparse.Namespace) -> int:  # argparse requires the action first
    usage_error(args, "choose export or import")


# --- inputs ----------------------------------------------------------------------------------


def _schema(args: argparse.Namespace) -> Any:
    if not args.schema:
        return None
    from dast.cma.errors import CmaError
    from dast.cma.schema import SchemaRepository

    if not os.path.isdir(args.schema):
        usage_error(args, f"--schema {args.schema!r} is not a folder")
    try:
        return SchemaRepository.from_directory(args.schema)
    except (CmaError, OSError, ValueError) as exc:
        raise CliFailure([Diagnostic(args.schema, f"cannot read the schema: {exc}")]) from None


def _parse_json(text: str, path: str) -> Any:
    from .jsonpos import line_column
    from .jsontext import loads

    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        line, column = line_column(text, exc.pos)
        raise CliFailure([Diagnostic(path, f"invalid JSON: {exc.msg}", line, column)]) from None


def load_inputs(args: argparse.Namespace, source_locale: str | None) -> list[InputFile]:
    """Read and classify the inputs (``CliFailure`` naming the file on bad input).

    >>> import argparse
    >>> load_inputs(argparse.Namespace(inputs=["/nonexistent.json"], schema=None), "en")
    Traceback (most recent call last):
    ...
    dastdown.cli.common.MissingInputs: /nonexistent.json
    """
    from dast.load import load_document

    check_inputs_exist(args.inputs)
    schema = _schema(args)
    include_code = bool(getattr(args, "include_code", False))
    out: list[InputFile] = []
    keys: dict[str, str] = {}
    failures: list[Diagnostic] = []
    for path in args.inputs:
        display = "<stdin>" if path == "-" else path
        try:
            data = _parse_json(read_input(path), display)
        except CliFailure as exc:
            failures.extend(exc.diagnostics)
            continue
        try:
            if not isinstance(data, dict):
                raise DastError("expected a JSON object: a DAST document or a CMA record")
            value = data.get("value") if "value" in data and "schema" not in data else data
            if is_dast_value(value):
                doc = load_document(data)
                if doc is None:
                    raise DastError("the document is null: nothing to translate")
                sources = [FieldSource(display, None, "", doc, None, include_code, schema)]
                item = InputFile(path, data, False, sources)
            else:
                if source_locale is None:
                    raise DastError("a record needs --source-locale")
                sources = record_sources(
                    data, source_locale, schema=schema, include_code=include_code
                )
                if not sources:
                    raise DastError(f"no localized structured text in {source_locale!r}")
                item = InputFile(path, data, True, sources)
        except DastError as exc:
            failures.append(Diagnostic(display, str(exc)))
            continue
        for source in item.sources:
            if source.key in keys:
                failures.append(
                    Diagnostic(display, f"{source.key} is also in {keys[source.key]}")
                )
            keys[source.key] = display
        out.append(item)
    if failures:
        raise CliFailure(failures)
    return out


# --- outputs ---------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def dump_json(data: object) -> str:
    """JSON text (indented, non-ASCII kept) that any UTF-8 writer can write.

    Lone surrogates (valid in JSON strings, not in UTF-8) are written as ``\\uXXXX``.

    >>> dump_json({"a": "\\ud800é"})
    '{\\n  "a": "\\\\ud800é"\\n}\\n'
    """
    from .jsontext import dumps

    text = dumps(data)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def write_outputs(args: argparse.Namespace, outputs: list[tuple[str, str]]) -> None:
    """Write ``(input path, text)`` outputs to ``-o`` (a file, or a folder), or to stdout.

    >>> write_outputs(argparse.Namespace(output=None), [("a.json", "{}\\n")])
    {}
    """
    from .fileio import atomic_write, write_stdout

    target = args.output
    if target is None or target == "-":
        if len(outputs) > 1:
            usage_error(args, "several inputs: give -o FOLDER")
        for _, text in outputs:
            write_stdout(text)
        return
    if len(outputs) > 1 or os.path.isdir(target):
        os.makedirs(target, exist_ok=True)
        names = [os.path.basename(path) for path, _ in outputs]
        if len(set(names)) != len(names):
            usage_error(args, "two inputs have the same file name: they would overwrite")
        files = [
            (os.path.join(target, name), text)
            for name, (_, text) in zip(names, outputs, strict=True)
        ]
    else:
        files = [(target, outputs[0][1])]
    for path, text in files:
        try:
            atomic_write(path, text.encode("utf-8"))
        except OSError as exc:
            from .diagnostics import os_error_message

            raise CliFailure([Diagnostic(path, os_error_message(exc))]) from None


def _problem_diagnostic(where: str, lines: Any, problem: SegmentProblem) -> Diagnostic:
    line = lines.get(problem.segment) if isinstance(lines, Mapping) else None
    return Diagnostic(where, str(problem), line if isinstance(line, int) else None)


def _report_diagnostics(
    where: str, lines: Any, report: TranslationReport, name: str, path: str
) -> list[Diagnostic]:
    out = [_problem_diagnostic(where, lines, p) for p in report.rejected]
    if report.untranslated:
        count = len(report.untranslated)
        what = "segment has" if count == 1 else "segments have"
        out.append(
            Diagnostic(
                path,
                f"{count} {what} no translation in {name}: the source text is kept "
                f"(first: {report.untranslated[0]})",
                severity="warning",
            )
        )
    for segment, code, label in report.dropped:
        line = lines.get(segment) if isinstance(lines, Mapping) else None
        out.append(
            Diagnostic(
                where,
                f"segment {segment}: code {code} ({label}) was dropped",
                line if isinstance(line, int) else None,
                severity="warning",
            )
        )
    return out


def apply_translations(
    args: argparse.Namespace, inputs: list[InputFile], lookup: Lookup, target_locale: str | None
) -> int:
    """Apply what ``lookup`` finds for every source, write the outputs; return the exit status.

    >>> import argparse
    >>> apply_translations(argparse.Namespace(output=None), [], lambda i, s: ({}, "", {}), None)
    0
    """
    schema = _schema(args) if getattr(args, "schema", None) else None
    strict = not args.partial if hasattr(args, "partial") else True
    allow = bool(getattr(args, "allow_dropped_marks", False))
    include_code = bool(getattr(args, "include_code", False))
    outputs: list[tuple[str, str]] = []
    problems: list[Diagnostic] = []
    for item in inputs:
        found = {source.key: lookup(item, source) for source in item.sources}
        try:
            if not item.is_record:
                (source,) = item.sources
                translations, where, lines = found[source.key]
                assert source.document is not None
                result = apply_segments(
                    source.document,
                    translations,
                    allow_dropped_marks=allow,
                    include_code=include_code,
                    schema=schema,
                    strict=strict,
                )
                problems.extend(
                    _report_diagnostics(
                        where, lines, result.report, source.field or "the document", item.path
                    )
                )
                data = result.document.to_json()
                if "value" in item.data and "schema" not in item.data:  # the CDA wrapper
                    data = {**item.data, "value": data}
                outputs.append((item.path, dump_json(data)))
                continue
            if target_locale is None:
                raise DastError("a record needs --target-locale (or an XLIFF target-language)")
            by_field = {s.field: found[s.key][0] for s in item.sources if found[s.key][0]}
            translated = translate_record(
                item.data,
                by_field,
                args.source_locale,
                target_locale,
                schema=schema,
                include_code=include_code,
                allow_dropped_marks=allow,
                strict=strict,
            )
            for source in item.sources:
                report = translated.reports.get(source.field)
                if report is not None:
                    _, where, lines = found[source.key]
                    problems.extend(
                        _report_diagnostics(where, lines, report, source.field, item.path)
                    )
            outputs.append((item.path, dump_json(translated.record)))
        except TranslationError as exc:
            where_lines = [found[s.key] for s in item.sources]
            for problem in exc.problems:
                place = next(
                    ((w, ln) for _, w, ln in where_lines if isinstance(ln, Mapping)
                     and problem.segment in ln),
                    (where_lines[0][1], None),
                )
                problems.append(_problem_diagnostic(place[0], place[1], problem))
        except DastError as exc:
            problems.append(Diagnostic(item.path, str(exc)))
    errors = [d for d in problems if d.severity == "error"]
    if errors and strict:
        print_diagnostics(problems)
        return 1
    write_outputs(args, outputs)
    print_diagnostics(problems)
    return 1 if errors else 0


# --- a pulled folder -------------------------------------------------------------------------


def pulled_folder(args: argparse.Namespace, *, in_place: bool = False) -> str | None:
    """The folder made by ``dastdown pull`` given as the only input, or ``None``.

    A folder without a manifest, or a folder among other inputs, is a usage
    error; so is ``-o`` when the folder is written ``in_place`` (an import).

    >>> pulled_folder(argparse.Namespace(inputs=["a.json"])) is None
    True
    """
    folders = [path for path in args.inputs if path != "-" and os.path.isdir(path)]
    if not folders:
        return None
    from ..workspace import MANIFEST

    if len(args.inputs) != 1:
        usage_error(args, "a folder made by 'dastdown pull' is translated alone: give only it")
    folder: str = folders[0]
    if not os.path.isfile(os.path.join(folder, MANIFEST)):
        usage_error(args, f"{folder} is a folder without {MANIFEST}: run 'dastdown pull' first")
    if in_place and getattr(args, "output", None) is not None:
        usage_error(args, "a pulled folder is written in place: leave out -o")
    return folder


def _in_folder(folder: str, path: str) -> str:
    return os.path.join(folder, path)


def folder_sources(args: argparse.Namespace, folder: str, source_locale: str) -> Any:
    """The files of ``source_locale`` in a pulled folder (notes on stderr; ``CliFailure``
    naming each file that cannot be read), as a ``TranslationSources``.

    >>> folder_sources.__name__
    'folder_sources'
    """
    import sys

    from ..workspace import WorkspaceError, translation_sources

    try:
        found = translation_sources(folder, source_locale)
    except WorkspaceError as exc:
        usage_error(args, str(exc))
    for note in found.notes:
        sys.stderr.write(f"{folder}: note: {note}\n")
    if found.problems:
        raise CliFailure(
            Diagnostic(_in_folder(folder, p.path), p.message, p.line, p.column)
            for p in found.problems
        )
    if not found.files:
        raise CliFailure([Diagnostic(folder, f"no pulled file of locale {source_locale!r}")])
    return found


def _unmatched(where: str, path: str, unknown: Sequence[str], outcome: str) -> Diagnostic:
    count = len(unknown)
    return Diagnostic(
        where,
        f"{count} translation{'s' if count > 1 else ''} for {path} match no segment of it "
        f"(was it edited since the export?): {outcome} (first: {unknown[0]})",
        severity="warning",
    )


def import_into_folder(
    args: argparse.Namespace,
    folder: str,
    sources: Any,
    found: Mapping[str, tuple[Mapping[str, Sequence[Token]], str, Any]],
    target_locale: str | None,
) -> int:
    """Write the translations ``found`` (by source path) into a pulled folder; exit status.

    Each source file with translations becomes its target-locale file; a file
    with a rejected segment is not written (unless ``--partial``), and each
    rejected segment is reported with its id and the file.

    >>> import_into_folder.__name__
    'import_into_folder'
    """
    from ..workspace import WorkspaceError, import_translations
    from .fileio import write_stdout

    if target_locale is None:
        usage_error(args, "give --target-locale (the translations do not name one)")
    partial = bool(getattr(args, "partial", False))
    try:
        report = import_translations(
            folder,
            sources,
            {path: translations for path, (translations, _, _) in found.items()},
            target_locale,
            allow_dropped_marks=bool(getattr(args, "allow_dropped_marks", False)),
            include_code=bool(getattr(args, "include_code", False)),
            strict=not partial,
            force=bool(getattr(args, "force", False)),
        )
    except WorkspaceError as exc:
        usage_error(args, str(exc))
    diagnostics: list[Diagnostic] = []
    not_written: set[str] = set()
    for source, problem in report.rejected:
        _, where, lines = found[source.path]
        diagnostic = _problem_diagnostic(where, lines, problem)
        diagnostics.append(
            Diagnostic(
                diagnostic.path,
                f"{diagnostic.message} (in {source.path})",
                diagnostic.line,
            )
        )
        not_written.add(source.path)
    for path in sorted(not_written):
        diagnostics.append(
            Diagnostic(_in_folder(folder, path), "a translation was rejected: its "
                       f"{target_locale} file is not written")
        )
    by_path = {source.path: source for source in sources.files}
    for path, translated in report.reports.items():
        _, where, lines = found[path]
        diagnostics.extend(
            _report_diagnostics(
                where, lines, translated, by_path[path].field, _in_folder(folder, path)
            )
        )
        diagnostics.extend(_problem_diagnostic(where, lines, p) for p in translated.rejected)
        if translated.unknown:
            diagnostics.append(_unmatched(where, path, translated.unknown, "ignored"))
    for path, unknown in report.unmatched.items():
        _, where, _ = found[path]
        diagnostics.append(_unmatched(where, path, unknown, "nothing written for it"))
    for trouble in [*report.refused, *report.failed]:
        diagnostics.append(Diagnostic(_in_folder(folder, trouble.path), trouble.message))
    print_diagnostics(diagnostics)
    write_stdout(
        f"imported {len(report.written)} {target_locale} files into {folder}"
        + (f"; not written {len(not_written)}" if not_written else "")
        + (f"; kept {len(report.refused)} edited" if report.refused else "")
        + "\n"
    )
    errors = any(d.severity == "error" for d in diagnostics)
    return 1 if errors else 0


# --- the commands ----------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    """Run ``dastdown xliff export``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["xliff", "export", "/nonexistent.json", "--source-locale", "en"])
    2
    """
    from dast.translate.segments import extract_segments
    from dast.translate.xliff import XliffError, XliffFile, write_xliff

    folder = pulled_folder(args)
    if folder is not None:
        found = folder_sources(args, folder, args.source_locale)
        files = [
            XliffFile(source.path, segments, source.record_id, source.field)
            for source in found.files
            if (
                segments := extract_segments(
                    source.document, include_code=args.include_code, schema=found.schema
                )
            )
        ]
    else:
        inputs = load_inputs(args, args.source_locale)
        files = [
            XliffFile(source.key, source.segments(), source.record_id, source.field or None)
            for item in inputs
            for source in item.sources
        ]
    try:
        data = write_xliff(files, args.source_locale, args.target_locale)
    except XliffError as exc:
        print_diagnostics([Diagnostic(args.output or "<stdout>", exc.message)])
        return 1
    text = data.decode("utf-8")
    args.partial = False
    write_outputs(args, [("export.xlf", text)])
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Run ``dastdown xliff import``; return the exit status.

    >>> from dastdown.cli import main
    >>> main(["xliff", "import", "/nonexistent.xlf", "/nonexistent.json"])
    2
    """
    from dast.translate.xliff import XliffError, read_xliff

    check_inputs_exist([args.translated, *args.inputs])
    folder = pulled_folder(args, in_place=True)
    display = "<stdin>" if args.translated == "-" else args.translated
    try:
        if args.translated == "-":
            import sys

            raw = sys.stdin.buffer.read()
        else:
            with open(args.translated, "rb") as handle:
                raw = handle.read()
        document = read_xliff(raw, source=display)
    except XliffError as exc:
        print_diagnostics([Diagnostic(display, exc.message, exc.line)])
        return 1
    except OSError as exc:
        from .diagnostics import os_error_message

        print_diagnostics([Diagnostic(display, os_error_message(exc))])
        return 1
    source_locale = args.source_locale or (
        document.files[0].source_locale if document.files else None
    )
    args.source_locale = source_locale
    target_locale = args.target_locale or next(
        (f.target_locale for f in document.files if f.target_locale), None
    )
    if folder is not None:
        if source_locale is None:
            usage_error(args, "give --source-locale (the XLIFF file has no <file>)")
        return _import_xliff_into_folder(args, folder, document, display, source_locale,
                                         target_locale)
    inputs = load_inputs(args, source_locale)
    single = len(document.files) == 1 and sum(len(i.sources) for i in inputs) == 1
    found: dict[str, tuple[Mapping[str, Sequence[Token]], str, Any]] = {}
    missing: list[Diagnostic] = []
    for item in inputs:
        for source in item.sources:
            match = document.find(source.key)
            if match is None and source.record_id is not None:
                match = document.find_field(source.record_id, source.field)
            if match is None and single:
                match = document.files[0]
            if match is None:
                missing.append(Diagnostic(display, f"no <file> for {source.key}"))
                continue
            lines = {unit.id: unit.line for unit in match.units}
            found[source.key] = (match.translations(), display, lines)
    if missing:
        print_diagnostics(missing)
        return 1
    return apply_translations(args, inputs, lambda item, source: found[source.key], target_locale)


def _import_xliff_into_folder(
    args: argparse.Namespace,
    folder: str,
    document: Any,
    display: str,
    source_locale: str,
    target_locale: str | None,
) -> int:
    """``xliff import`` into a pulled folder: each ``<file>`` finds its pulled file."""
    sources = folder_sources(args, folder, source_locale)
    by_path = {source.path: source for source in sources.files}
    by_field = {(source.record_id, source.field): source for source in sources.files}
    found: dict[str, tuple[Mapping[str, Sequence[Token]], str, Any]] = {}
    missing: list[Diagnostic] = []
    for entry in document.files:
        source = by_path.get(entry.original) or by_field.get((entry.record_id, entry.field))
        if source is None:
            missing.append(
                Diagnostic(
                    display,
                    f"<file original={entry.original!r}>: no pulled file of locale "
                    f"{source_locale} in {folder} for it",
                )
            )
            continue
        lines = {unit.id: unit.line for unit in entry.units}
        found[source.path] = (entry.translations(), display, lines)
    status = import_into_folder(args, folder, sources, found, target_locale)
    print_diagnostics(missing)
    return 1 if missing else status
