"""XLIFF 1.2 out and in: segments for translation tools, and their translations back.

:func:`write_xliff` writes one ``<file>`` per document (a DAST file, or one
field of a record: its record id and field go in ``<header>`` notes), one
``<trans-unit>`` per :class:`~dast.translate.segments.Segment` with
``xml:space="preserve"``, inline codes as ``<g id="N">`` (marks, links) and
``<x id="N"/>`` (inline items, inline blocks, line breaks, characters XML
cannot carry), and a note with the heading path and what each code stands
for. :func:`read_xliff` reads such a file back, after any tool translated it,
into :class:`XliffUnit` sources and targets as segment tokens, ready for
:func:`~dast.translate.segments.apply_segments`.

Characters. XML 1.0 carries tab, line feed and carriage return only; a CR
is written as ``&#13;`` (a raw CR would come back as a line feed). Line
feeds, the other C0 controls, lone surrogates, U+FFFE and U+FFFF are codes
already (:mod:`~dast.translate.segments`), so every string survives.

Why lxml: it writes a CR in text as ``&#13;`` (``xml.etree`` writes it raw,
and a parser turns it into a line feed), it is fast (C), well kept, and it is
what translate-toolkit, the independent XLIFF reader of the tests, builds on.
Parsing is safe: ``resolve_entities=False`` (no entity is expanded, so no
"billion laughs"), ``no_network=True``, ``load_dtd=False``, no huge trees,
and a document with a DOCTYPE is refused outright (XLIFF needs none).
Only this module imports lxml.

>>> import dast.builders as b
>>> from dast.translate.segments import extract_segments
>>> segments = extract_segments(b.doc(b.p("Hello ", b.strong("world"))))
>>> data = write_xliff([XliffFile("post.json", segments)], "en", "it")
>>> b'<source>Hello <g id="1" ctype="bold">world</g></source>' in data
True
>>> read_xliff(data).files[0].units[0].source
('Hello ', Start(code='1'), 'world', End(code='1'))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field

from lxml import etree

from ..errors import DastError
from .segments import End, InlineCode, Segment, Standalone, Start, Token

__all__ = [
    "XLIFF_NAMESPACE",
    "XliffDocument",
    "XliffError",
    "XliffFile",
    "XliffFileContent",
    "XliffUnit",
    "ctype_of",
    "read_xliff",
    "write_xliff",
]

XLIFF_NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
"""The XLIFF 1.2 namespace."""

_NS = "{" + XLIFF_NAMESPACE + "}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RECORD_NOTE = "record: "
_FIELD_NOTE = "field: "
_DATATYPE = "x-dast"


class XliffError(DastError, ValueError):
    """An XLIFF file that cannot be read: what and where (``source:line: message``).

    >>> str(XliffError("no <xliff> root", "a.xlf", 1))
    'a.xlf:1: no <xliff> root'
    """

    def __init__(self, message: str, source: str = "<xliff>", line: int | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class XliffFile:
    """One ``<file>`` to write: a name, its segments, and the record field it comes from.

    ``targets`` pre-fills ``<target>`` for some segment ids (an existing translation).

    >>> XliffFile("post.json", []).record_id is None
    True
    """

    original: str
    segments: Sequence[Segment]
    record_id: str | None = None
    field: str | None = None
    targets: Mapping[str, Sequence[Token]] = _field(default_factory=dict)


@dataclass(frozen=True)
class XliffUnit:
    """One ``<trans-unit>`` read back: id, source and target tokens (``None``: no target)."""

    id: str
    source: tuple[Token, ...]
    target: tuple[Token, ...] | None
    line: int | None = None


@dataclass(frozen=True)
class XliffFileContent:
    """One ``<file>`` read back."""

    original: str
    source_locale: str
    target_locale: str | None
    record_id: str | None
    field: str | None
    units: tuple[XliffUnit, ...]

    def translations(self) -> dict[str, tuple[Token, ...]]:
        """Segment id to target tokens, for the units that have a target.

        >>> XliffFileContent("a", "en", "it", None, None,
        ...     (XliffUnit("p-1", ("a",), ("b",)), XliffUnit("p-2", ("c",), None))).translations()
        {'p-1': ('b',)}
        """
        return {unit.id: unit.target for unit in self.units if unit.target is not None}


@dataclass(frozen=True)
class XliffDocument:
    """A whole XLIFF file read back: its ``<file>`` elements in order."""

    files: tuple[XliffFileContent, ...]

    def find(self, original: str) -> XliffFileContent | None:
        """The ``<file>`` with this ``original`` attribute, or ``None``.

        >>> XliffDocument(()).find("a.json") is None
        True
        """
        return next((f for f in self.files if f.original == original), None)

    def find_field(self, record_id: str, field_name: str) -> XliffFileContent | None:
        """The ``<file>`` of a record's field, or ``None``.

        >>> XliffDocument(()).find_field("42", "body") is None
        True
        """
        return next(
            (f for f in self.files if f.record_id == record_id and f.field == field_name), None
        )


# --- writing ---------------------------------------------------------------------------------

_CTYPES: Mapping[str, str] = {
    "span": "x-dast-span",
    "link": "link",
    "itemLink": "x-dast-item-link",
    "inlineItem": "x-dast-inline-item",
    "inlineBlock": "x-dast-inline-block",
    "break": "lb",
    "char": "x-dast-char",
}
_MARK_CTYPES: Mapping[tuple[str, ...], str] = {
    ("strong",): "bold",
    ("emphasis",): "italic",
    ("underline",): "underlined",
}


def ctype_of(code: InlineCode) -> str:
    """The XLIFF ``ctype`` of an inline code (standard values where XLIFF has one).

    >>> ctype_of(InlineCode("1", "marks", marks=("strong",))), ctype_of(InlineCode("2", "break"))
    ('bold', 'lb')
    """
    if code.kind == "marks":
        return _MARK_CTYPES.get(code.marks or (), "x-dast-marks")
    return _CTYPES[code.kind]


def _fill(element: etree._Element, segment: Segment, tokens: Sequence[Token]) -> None:
    """Write tokens as the content of ``element`` (``<source>`` or ``<target>``)."""
    stack = [element]
    last: etree._Element | None = None  # the element whose tail text goes after

    def add_text(text: str) -> None:
        if last is None:
            stack[-1].text = (stack[-1].text or "") + text
        else:
            last.tail = (last.tail or "") + text

    for token in tokens:
        if isinstance(token, str):
            add_text(token)
            continue
        code = segment.code(token.code)
        ctype = ctype_of(code) if code is not None else None
        if isinstance(token, End):
            last = stack.pop()
            continue
        tag = "g" if isinstance(token, Start) else "x"
        child = etree.SubElement(stack[-1], _NS + tag, id=token.code)
        if ctype is not None:
            child.set("ctype", ctype)
        if isinstance(token, Start):
            stack.append(child)
            last = None
        else:
            last = child


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _readable(text: str) -> str:
    """Text for a note: characters XML cannot carry shown as ``\\uXXXX``."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _exact(text: str, what: str) -> str:
    """Text that must come back as it is (names, ids): refused if XML cannot carry it."""
    found = _NOT_XML.search(text)
    if found is not None:
        raise XliffError(f"{what} {_readable(text)!r} holds U+{ord(found.group()):04X}, "
                         "which XML 1.0 cannot carry")
    return text


def _code_note(segment: Segment) -> str:
    return "codes: " + "; ".join(f"{code.id} = {_readable(code.label)}" for code in segment.codes)


def _layout(element: etree._Element, depth: int) -> None:
    """Indent the structure (never the content of ``<source>``, ``<target>``, ``<note>``)."""
    kids = list(element)
    if not kids:
        return
    element.text = "\n" + "  " * (depth + 1)
    for i, kid in enumerate(kids):
        kid.tail = "\n" + "  " * (depth + 1 if i < len(kids) - 1 else depth)
        if _local(kid.tag) not in ("source", "target", "note"):
            _layout(kid, depth + 1)


def write_xliff(
    files: Sequence[XliffFile], source_locale: str, target_locale: str | None = None
) -> bytes:
    """An XLIFF 1.2 document (UTF-8 bytes) with one ``<file>`` per entry of ``files``.

    >>> data = write_xliff([XliffFile("rec.json#body", [], "42", "body")], "en", "it")
    >>> b'<note>record: 42</note>' in data and b'target-language="it"' in data
    True
    """
    root = etree.Element(_NS + "xliff", nsmap={None: XLIFF_NAMESPACE})  # type: ignore[dict-item]
    root.set("version", "1.2")
    for entry in files:
        attributes = {
            "original": _exact(entry.original, "the file name"),
            "source-language": _exact(source_locale, "the locale"),
        }
        if target_locale is not None:
            attributes["target-language"] = _exact(target_locale, "the locale")
        attributes["datatype"] = _DATATYPE
        file_el = etree.SubElement(root, _NS + "file", attributes)
        if entry.record_id is not None or entry.field is not None:
            header = etree.SubElement(file_el, _NS + "header")
            if entry.record_id is not None:
                etree.SubElement(header, _NS + "note").text = _RECORD_NOTE + _exact(
                    entry.record_id, "the record id"
                )
            if entry.field is not None:
                note = etree.SubElement(header, _NS + "note")
                note.text = _FIELD_NOTE + _exact(entry.field, "the field")
        body = etree.SubElement(file_el, _NS + "body")
        for segment in entry.segments:
            unit = etree.SubElement(
                body, _NS + "trans-unit", id=_exact(segment.id, "the segment id")
            )
            unit.set("resname", segment.kind)
            unit.set(_XML_SPACE, "preserve")
            _fill(etree.SubElement(unit, _NS + "source"), segment, segment.content)
            target = entry.targets.get(segment.id)
            if target is not None:
                _fill(etree.SubElement(unit, _NS + "target"), segment, target)
            if segment.context:
                where = "block model" if segment.kind == "block-field" else "under heading"
                etree.SubElement(unit, _NS + "note").text = _readable(
                    f"{where}: " + " > ".join(segment.context)
                )
            if segment.codes:
                etree.SubElement(unit, _NS + "note").text = _code_note(segment)
    _layout(root, 0)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data + b"\n"


# --- reading ---------------------------------------------------------------------------------


def _line(element: etree._Element) -> int | None:
    line: object = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _parse(data: bytes | str, source: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        tree = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise XliffError(f"not well-formed XML: {exc.msg}", source, line) from None
    docinfo = tree.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or getattr(docinfo, "internalDTD", None) is not None:
        raise XliffError("a DOCTYPE is not allowed in XLIFF", source, 1)
    if _local(tree.tag) != "xliff":
        raise XliffError(f"the root element is <{_local(tree.tag)}>, not <xliff>", source, 1)
    version = tree.get("version")
    if version not in ("1.2", "1.1", None):
        raise XliffError(f"XLIFF version {version} is not supported (1.2 is)", source, 1)
    return tree


def _content(element: etree._Element, source: str) -> tuple[Token, ...]:
    """The tokens of a ``<source>`` or ``<target>`` element (iterative, any nesting)."""
    out: list[Token] = []

    def text(value: str | None) -> None:
        if value:
            if out and isinstance(out[-1], str):
                out[-1] = out[-1] + value
            else:
                out.append(value)

    text(element.text)
    # frame: (element's children iterator, the code id to close, the element)
    stack: list[tuple[object, str | None, etree._Element]] = [(iter(element), None, element)]
    while stack:
        children, _, _ = stack[-1]
        child = next(children, None)  # type: ignore[call-overload]
        if child is None:
            _, closing, done = stack.pop()
            if closing is not None:
                out.append(End(closing))
            if stack:
                text(done.tail)
            continue
        if not isinstance(child.tag, str):  # an entity reference left unexpanded
            raise XliffError("entity references are not allowed", source, _line(child))
        name = _local(child.tag)
        code = child.get("id")
        if name in ("g", "x", "bx", "ex"):
            rid = child.get("rid")
            if name in ("bx", "ex") and rid:
                code = rid
            if not code:
                raise XliffError(f"<{name}> without an id", source, _line(child))
        if name == "g":
            out.append(Start(code))
            text(child.text)
            stack.append((iter(child), code, child))
            continue
        if name == "mrk":  # a marker (segmentation, protection): its text only
            text(child.text)
            stack.append((iter(child), None, child))
            continue
        if name == "x":
            out.append(Standalone(code))
        elif name == "bx":
            out.append(Start(code))
        elif name == "ex":
            out.append(End(code))
        else:
            raise XliffError(
                f"inline element <{name}> is not supported (use <g> and <x/>)",
                source,
                _line(child),
            )
        text(child.tail)
    return tuple(out)


def _notes(element: etree._Element | None) -> list[str]:
    if element is None:
        return []
    notes = (note for note in element if _local(note.tag) == "note")
    return ["".join(str(part) for part in note.itertext()) for note in notes]


def read_xliff(data: bytes | str, *, source: str = "<xliff>") -> XliffDocument:
    """Read an XLIFF 1.2 document (bytes or text) into its files and units.

    ``source`` names the input in errors (``source:line: message``).

    >>> read_xliff('<xliff version="1.2"><file original="a" source-language="en" '
    ...            'datatype="x-dast"><body><trans-unit id="p-1"><source>a</source>'
    ...            '<target>b</target></trans-unit></body></file></xliff>').files[0].translations()
    {'p-1': ('b',)}
    >>> read_xliff('<!DOCTYPE x [<!ENTITY a "b">]><xliff/>', source="in.xlf")
    Traceback (most recent call last):
    ...
    dast.translate.xliff.XliffError: in.xlf:1: a DOCTYPE is not allowed in XLIFF
    """
    root = _parse(data, source)
    files: list[XliffFileContent] = []
    for file_el in root:
        if _local(file_el.tag) != "file":
            continue
        original = file_el.get("original")
        source_locale = file_el.get("source-language")
        if original is None or source_locale is None:
            missing = "original" if original is None else "source-language"
            raise XliffError(f"<file> without {missing}", source, _line(file_el))
        record_id: str | None = None
        field_name: str | None = None
        header = next((el for el in file_el if _local(el.tag) == "header"), None)
        for note in _notes(header):
            if note.startswith(_RECORD_NOTE):
                record_id = note[len(_RECORD_NOTE) :]
            elif note.startswith(_FIELD_NOTE):
                field_name = note[len(_FIELD_NOTE) :]
        units: list[XliffUnit] = []
        seen: set[str] = set()
        for unit in file_el.iter(_NS + "trans-unit", "trans-unit"):
            uid = unit.get("id")
            if not uid:
                raise XliffError("<trans-unit> without an id", source, _line(unit))
            if uid in seen:
                raise XliffError(f"trans-unit id {uid} appears twice", source, _line(unit))
            seen.add(uid)
            src = next((el for el in unit if _local(el.tag) == "source"), None)
            if src is None:
                raise XliffError(f"trans-unit {uid} has no <source>", source, _line(unit))
            tgt = next((el for el in unit if _local(el.tag) == "target"), None)
            target = _content(tgt, source) if tgt is not None else None
            units.append(
                XliffUnit(uid, _content(src, source), target or None, _line(unit))
            )
        files.append(
            XliffFileContent(
                original,
                source_locale,
                file_el.get("target-language"),
                record_id,
                field_name,
                tuple(units),
            )
        )
    return XliffDocument(tuple(files))
