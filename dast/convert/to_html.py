"""DAST -> HTML, with safe escaping and callbacks for records.

Semantic tags (``p``, ``h1``..``h6``, ``ul``/``ol``/``li``, ``blockquote``
with a ``footer`` for the attribution, ``pre><code class="language-x">``,
``hr``, ``strong``, ``em``, ``code``, ``s``, ``mark``, ``u``), custom marks
as ``<span class="mark-NAME">``, ``\\n`` in spans as ``<br>``, paragraph and
heading styles as ``class``, code highlight lines as ``data-highlight``.
Text and attribute values are escaped (``html.escape(quote=True)``) and
link URLs with a ``javascript:``, ``vbscript:`` or non-image ``data:``
scheme are replaced by ``#`` (and reported).

Blocks, inline blocks, inline items and item links are rendered by the
callbacks given the ``ItemRef``; when one is missing, ``on_missing="error"``
raises ``ConversionError`` naming the path and record id, and
``on_missing="placeholder"`` writes a visible placeholder and reports it.
Traversal is iterative: any depth renders.

>>> html, report = to_html({"schema": "dast", "document": {"type": "root", "children": [
...     {"type": "paragraph", "children": [
...         {"type": "span", "value": "a < b", "marks": ["strong"]}]}]}})
>>> print(html, end="")
<p><strong>a &lt; b</strong></p>
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import ValidationError

from ..canonical import canonical_marks
from ..definitions import ALLOWED_ATTRIBUTES, CHILD_ATTRIBUTES, HEADING_LEVELS, LIST_STYLES, SCHEMA
from ..errors import Path
from ..load import unwrap_document
from ..nodes import (
    NODE_CLASS_BY_TYPE,
    Block,
    Document,
    InlineBlock,
    InlineItem,
    ItemLink,
    MetaEntry,
)
from .items import (
    CALLBACK_OPTIONS,
    MARK_HTML_TAGS,
    ItemRef,
    OnMissing,
    RecordRenderer,
    load_input,
)
from .report import Conversion, ConversionError, Reporter, excerpt

LINK_META_ATTRIBUTES: tuple[str, ...] = ("target", "rel", "title", "hreflang")
"""The link ``meta`` entries written as ``<a>`` attributes (``from_html`` reads the same)."""

__all__ = [
    "LINK_META_ATTRIBUTES",
    "CodeLanguage",
    "MarkRenderer",
    "NodeRenderer",
    "is_unsafe_url",
    "to_html",
]

NodeRenderer = Callable[[Any, str], "str | None"]
"""``(node, inner_html) -> html | None``: ``inner_html`` is the rendered
children (for a span: its default HTML, marks applied; ``""`` for other
leaves); returning ``None`` falls back to the default rendering."""

CodeLanguage = Literal["class", "data-language"]
"""Where ``to_html`` writes a code block's language: ``<code class="language-x">``, or
``<pre data-language="x">`` as DatoCMS's ``datocms-structured-text-to-html-string`` does."""

MarkRenderer = Callable[[str], str]
"""``(inner_html) -> html`` wrapping text that carries one mark."""

_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_.:-]*\Z")
_FORBIDDEN_ATTRIBUTES = frozenset({"href", "style", "src", "srcdoc", "formaction"})
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
_SAFE_DATA = re.compile(r"data:image/(?:png|gif|jpe?g|webp|avif|bmp);", re.IGNORECASE)


_HTML_SPECIAL = re.compile(r"[&<>\"']")
_TEXT_SPECIAL = re.compile(r"[&<>\"'\n]")


def _esc(text: str) -> str:
    """``html.escape(text, quote=True)``, skipped when nothing needs escaping."""
    return text if _HTML_SPECIAL.search(text) is None else html.escape(text, quote=True)


def _text(value: str) -> str:
    """Span text: escaped, newlines as ``<br>``."""
    return html.escape(value, quote=True).replace("\n", "<br>\n")


def is_unsafe_url(url: str) -> bool:
    """True for URLs a browser would run as script (``javascript:``, ``vbscript:``, ``data:``).

    Control characters and spaces are ignored, as browsers do; ``data:``
    URLs of common raster images are allowed.

    >>> is_unsafe_url(" java\\tscript:alert(1)"), is_unsafe_url("https://x.y")
    (True, False)
    """
    compact = _IGNORED_IN_SCHEME.sub("", url).lower()
    if compact.startswith(("javascript:", "vbscript:")):
        return True
    return compact.startswith("data:") and not _SAFE_DATA.match(compact)


class _Invalid(Exception):
    """Internal: the DAST JSON pass met something it does not accept (the model path decides)."""


# What each parent accepts (the schema table's CHILD_ATTRIBUTES, as plain dicts for
# the compiled build): child type -> the keys that child may have (``type`` included).
_CHILD_KEYS: dict[str, dict[str, frozenset[str]]] = {
    parent: dict(kinds) for parent, kinds in CHILD_ATTRIBUTES.items()
}
_ROOT_KEYS = ALLOWED_ATTRIBUTES["root"]
_DOCUMENT_KEYS = frozenset(field.alias or name for name, field in Document.model_fields.items())
_META_KEYS = frozenset(MetaEntry.model_fields)
_CONTAINERS = frozenset({"list", "listItem", "blockquote"})

_FALLBACK = (_Invalid, KeyError, TypeError, AttributeError, ValueError, ValidationError)
"""What sends DAST JSON from the checked pass to ``load_document`` (which reports it)."""

# Marks as found on a span -> the order they open in (canonical, de-duplicated).
_ORDERED: dict[tuple[Any, ...], tuple[str, ...]] = {}
# Mark name -> its default opening and closing tags.
_TAGS: dict[str, tuple[str, str]] = {}


def _ordered_marks(marks: tuple[Any, ...]) -> tuple[str, ...]:
    """A span's marks in the order they open (memoised).

    >>> _ordered_marks(("emphasis", "zeta", "strong", "emphasis"))
    ('strong', 'emphasis', 'zeta')
    """
    found = _ORDERED.get(marks)
    if found is None:
        for mark in marks:
            if type(mark) is not str:
                raise _Invalid
        found = canonical_marks(marks) or ()
        if len(_ORDERED) < 4096:
            _ORDERED[marks] = found
    return found


def _mark_tags(mark: str) -> tuple[str, str]:
    """The default opening and closing tags of a mark (memoised).

    >>> _mark_tags("strong"), _mark_tags("a&b")
    (('<strong>', '</strong>'), ('<span class="mark-a&amp;b">', '</span>'))
    """
    found = _TAGS.get(mark)
    if found is None:
        tag = MARK_HTML_TAGS.get(mark)
        if tag is not None:
            found = (f"<{tag}>", f"</{tag}>")
        else:
            found = (f'<span class="mark-{_esc(mark)}">', "</span>")
        if len(_TAGS) < 4096:
            _TAGS[mark] = found
    return found


# (marks open, marks wanted) -> (the tags that get there, the marks then open), for the
# default tags: a span whose marks differ from the previous span's costs one lookup.
_MOVES: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def _move(opened: tuple[str, ...], wanted: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """Close the open marks from the first one not wanted, then open the missing ones.

    >>> _move(("code", "strong"), ("strong",))
    ('</strong></code><strong>', ('strong',))
    >>> _move((), ("strong", "emphasis"))
    ('<strong><em>', ('strong', 'emphasis'))
    """
    keep = 0
    while keep < len(opened) and opened[keep] in wanted:
        keep += 1
    tags = [_mark_tags(mark)[1] for mark in reversed(opened[keep:])]
    now = opened[:keep]
    for mark in wanted:
        if mark not in now:
            now += (mark,)
            tags.append(_mark_tags(mark)[0])
    found = ("".join(tags), now)
    if len(_MOVES) < 4096:
        _MOVES[opened, wanted] = found
    return found


def _checked_str(value: Any, strict: bool) -> str:
    if strict and type(value) is not str:
        raise _Invalid
    return value  # type: ignore[no-any-return]


def _checked_optional_str(value: Any, strict: bool) -> str | None:
    if strict and value is not None and type(value) is not str:
        raise _Invalid
    return value  # type: ignore[no-any-return]


def _checked_children(fields: Mapping[str, Any], strict: bool) -> Sequence[Any]:
    children: Sequence[Any] = fields["children"]
    if strict and ((type(children) is not list and type(children) is not tuple) or not children):
        raise _Invalid
    return children


class _HtmlRenderer:
    """One rendering: the HTML is written as a flat list of pieces, ``out``.

    The same writer reads a ``Document`` (each node's ``__dict__``, valid by
    construction) and DAST JSON (``strict``: the dicts themselves, each
    checked against the schema table as it is written, exactly as strictly
    as the model loads it). In strict mode no user code runs while writing:
    record callbacks and report entries are kept in ``events``, in document
    order, and played by :meth:`finish` once the whole document has passed,
    so a refused document (which then takes the model path) calls nothing
    twice. Overrides (``render_node``, ``render_mark``) need node models:
    with them, DAST JSON takes the model path.
    """

    def __init__(
        self,
        render_node: Mapping[str, NodeRenderer],
        render_mark: Mapping[str, MarkRenderer],
        callbacks: Mapping[str, RecordRenderer | None],
        on_missing: OnMissing,
        reporter: Reporter,
        code_language: CodeLanguage = "class",
        strict: bool = False,
    ) -> None:
        self.code_language = code_language
        self.render_node = render_node
        self.render_mark = render_mark
        self.span_override = render_node.get("span")
        self.callbacks = callbacks
        self.on_missing = on_missing
        self.rep = reporter
        self.strict = strict
        self.out: list[str] = []
        # strict mode: (slot in out, record node, path, inner) or (-1, kind, action, detail, path)
        self.events: list[tuple[Any, ...]] | None = [] if strict else None
        # container frames: [type, children, next child index, fields, start in out, node]
        self.stack: list[list[Any]] = []

    # --- the document -------------------------------------------------------

    def write_json(self, data: dict[str, Any]) -> None:
        """Check and write DAST JSON (strict mode)."""
        if not data.keys() <= _DOCUMENT_KEYS or data.get("schema") != SCHEMA:
            raise _Invalid
        root = data["document"]
        if type(root) is not dict or root.get("type") != "root" or not root.keys() <= _ROOT_KEYS:
            raise _Invalid
        self.write(root, root)

    def finish(self) -> str:
        """Play the deferred events (strict mode) and return the HTML."""
        out = self.out
        for event in self.events or ():
            if event[0] < 0:
                _, kind, action, detail, path = event
                self.rep.add(kind, action, detail, path=path)
            else:
                slot, node, path, inner = event
                out[slot] = self._record_now(node, path, inner)
        return "".join(out)

    def write(self, root_fields: Mapping[str, Any], root: Any) -> None:
        """Write the root and its blocks, containers on an explicit stack (any depth).

        A frame is ``[type, enumerate(children), index of the child being
        written, fields, start in out, node]``; its ``for`` loop resumes where
        it left off when a nested container is done.
        """
        strict = self.strict
        overrides = self.render_node
        out = self.out
        inlines = self._inlines
        stack = self.stack
        kids = _checked_children(root_fields, True) if strict else root_fields["children"]
        stack.append(["root", enumerate(kids), 0, root_fields, 0, root])
        while stack:
            frame = stack[-1]
            allowed = _CHILD_KEYS[frame[0]]
            for index, node in frame[1]:
                frame[2] = index
                if index:
                    out.append("\n")
                if strict:
                    if type(node) is not dict:
                        raise _Invalid
                    fields = node
                    kind: Any = fields.get("type")
                    keys = allowed.get(kind)
                    if keys is None or not fields.keys() <= keys:
                        raise _Invalid
                else:
                    fields = node.__dict__
                    kind = fields["type"]
                if kind == "paragraph":
                    start = len(out)
                    style = fields.get("style")
                    out.append("<p>" if style is None else "<p" + self._class(style) + ">")
                    inlines(_checked_children(fields, True) if strict else fields["children"], kind)
                    out.append("</p>")
                    if overrides:
                        self._override(kind, node, start, 1)
                elif kind in _CONTAINERS:
                    kids = _checked_children(fields, True) if strict else fields["children"]
                    start = len(out)
                    if overrides.get(kind) is None:
                        out.append(self._open(kind, fields))
                    stack.append([kind, enumerate(kids), 0, fields, start, node])
                    break  # on to the new frame
                elif kind == "heading":
                    level = fields["level"]
                    if strict and (type(level) is not int or level not in HEADING_LEVELS):
                        raise _Invalid
                    start = len(out)
                    out.append(f"<h{level}{self._class(fields.get('style'))}>")
                    inlines(_checked_children(fields, True) if strict else fields["children"], kind)
                    out.append(f"</h{level}>")
                    if overrides:
                        self._override(kind, node, start, 1)
                elif kind == "code":
                    out.append(self._code(fields))
                    if overrides:
                        self._override(kind, node, len(out) - 1, None)
                elif kind == "thematicBreak":
                    out.append("<hr>")
                    if overrides:
                        self._override(kind, node, len(out) - 1, None)
                else:  # a block record
                    override = overrides.get("block")
                    custom = override(node, "") if override is not None else None
                    if custom is not None:
                        out.append(custom)
                    else:
                        self._record(kind, node, self._path(), "")
            else:  # every child written
                stack.pop()
                self._close_container(frame)

    def _override(self, kind: str, node: Any, start: int, inner_from: int | None) -> None:
        """Replace the default HTML written from ``start`` by the ``render_node`` override's.

        ``inner_from``: where the inner HTML starts after ``start`` (its last
        piece is the closing tag); ``None`` for a leaf without children.
        """
        override = self.render_node.get(kind)
        if override is None:
            return
        out = self.out
        inner = "" if inner_from is None else "".join(out[start + inner_from : -1])
        custom = override(node, inner)
        if custom is not None:
            del out[start:]
            out.append(custom)

    def _open(self, kind: str, fields: Mapping[str, Any]) -> str:
        if kind == "list":
            style = fields["style"]
            if self.strict and (type(style) is not str or style not in LIST_STYLES):
                raise _Invalid
            return "<ol>\n" if style == "numbered" else "<ul>\n"
        if kind == "listItem":
            return "<li>"
        if kind == "blockquote":
            return "<blockquote>\n"
        return ""  # the root

    def _close(self, kind: str, fields: Mapping[str, Any]) -> str:
        if kind == "list":
            return "\n</ol>" if fields["style"] == "numbered" else "\n</ul>"
        if kind == "listItem":
            return "</li>"
        if kind == "blockquote":
            attribution = _checked_optional_str(fields.get("attribution"), self.strict)
            footer = "" if attribution is None else f"\n<footer>{_esc(attribution)}</footer>"
            return footer + "\n</blockquote>"
        return "\n"  # the root

    def _close_container(self, frame: list[Any]) -> None:
        kind, _, _, fields, start, node = frame
        override = self.render_node.get(kind)
        if override is None:
            self.out.append(self._close(kind, fields))
            return
        out = self.out
        inner = "".join(out[start:])
        del out[start:]
        custom = override(node, inner)
        if custom is None:
            custom = self._open(kind, fields) + inner + self._close(kind, fields)
        out.append(custom)

    def _code(self, fields: Mapping[str, Any]) -> str:
        strict = self.strict
        code = _checked_str(fields["code"], strict)
        language = _checked_optional_str(fields.get("language"), strict)
        highlight = fields.get("highlight")
        lang = pre_lang = lines = ""
        if language and self.code_language == "data-language":
            pre_lang = f' data-language="{_esc(language)}"'
        elif language:
            lang = f' class="language-{_esc(language)}"'
        if highlight is not None:
            if strict:
                if type(highlight) is not list and type(highlight) is not tuple:
                    raise _Invalid
                for line in highlight:
                    if type(line) is not int or line < 0:
                        raise _Invalid
            lines = f' data-highlight="{",".join(str(n) for n in highlight)}"'
        return f"<pre{pre_lang}{lines}><code{lang}>{_esc(code)}</code></pre>"

    def _class(self, style: Any) -> str:
        if self.strict and style is not None and type(style) is not str:
            raise _Invalid
        return "" if style is None or style == "" else f' class="{_esc(style)}"'

    def _path(self, *tail: str | int) -> Path:
        """The path of the block being written (plus ``tail``), from the container frames."""
        path: list[str | int] = []
        for frame in self.stack:
            path += ("children", frame[2])
        return (*path, *tail)

    # --- inline ---------------------------------------------------------------

    def _inlines(self, children: Sequence[Any], parent: str) -> None:
        """Write inline nodes; a mark stays open across the adjacent spans that share it.

        (``children`` are checked by the caller.) Without ``render_mark``, the
        tags between two spans come from ``_MOVES``: one lookup per change of marks.
        """
        strict = self.strict
        out = self.out
        search = _TEXT_SPECIAL.search
        ordered = _ORDERED.get
        moves = None if self.render_mark else _MOVES.get
        span_override = self.span_override
        allowed = _CHILD_KEYS[parent]
        starts: list[int] = []  # with render_mark: where each open mark's inner HTML starts
        opened: tuple[str, ...] = ()  # the open marks, outermost first
        current: tuple[str, ...] = ()  # the marks of the last span: the same set as opened
        for index, child in enumerate(children):
            if strict:
                if type(child) is not dict:
                    raise _Invalid
                kind: Any = child.get("type")
                if kind == "span":  # allowed in every inline parent; its keys checked by count
                    value = child["value"]
                    if type(value) is not str:
                        raise _Invalid
                    size = len(child)
                    if size == 2:
                        marks = None
                    elif size == 3:
                        marks = child["marks"]
                        if (
                            marks is not None
                            and type(marks) is not list
                            and type(marks) is not tuple
                        ):
                            raise _Invalid
                    else:
                        raise _Invalid
                else:
                    keys = allowed.get(kind)
                    if keys is None or not child.keys() <= keys:
                        raise _Invalid
                fields = child
            else:
                fields = child.__dict__
                kind = fields["type"]
                if kind == "span":
                    value = fields["value"]
                    marks = fields["marks"]
            if kind == "span":
                if marks:
                    if type(marks) is not tuple:
                        marks = tuple(marks)
                    wanted = ordered(marks) or _ordered_marks(marks)
                else:
                    wanted = ()
                if span_override is not None:
                    self._overridden_span(child, value, wanted)
                    continue
                if wanted is not current and wanted != current:
                    if moves is not None:
                        move = moves((opened, wanted)) or _move(opened, wanted)
                        if move[0]:
                            out.append(move[0])
                        opened = move[1]
                    else:
                        opened = self._switch_marks(opened, starts, wanted)
                    current = wanted
                out.append(value if search(value) is None else _text(value))
                continue
            if opened:  # anything but a span ends the run
                if moves is not None:
                    out.append((moves((opened, ())) or _move(opened, ()))[0])
                else:
                    self._close_marks(opened, starts, 0)
                opened = current = ()
            if kind == "link" or kind == "itemLink":
                is_link = kind == "link"
                start = len(out)
                if is_link:
                    url = _checked_str(fields["url"], strict)
                    out.append("<a" + self._href(url, index))
                    out.append(self._meta(fields.get("meta"), index) + ">")
                else:
                    _checked_str(fields["item"], strict)
                    if strict and fields.get("meta") is not None:
                        self._meta_entries(fields["meta"])  # checked, not written
                label = _checked_children(fields, True) if strict else fields["children"]
                self._inlines(label, kind)
                if is_link:
                    out.append("</a>")
                    if self.render_node:
                        self._override(kind, child, start, 2)
                    continue
                inner = "".join(out[start:])
                del out[start:]
            else:  # an inline record
                if kind == "inlineItem":
                    _checked_str(fields["item"], strict)
                inner = ""
            override = self.render_node.get(kind)
            custom = override(child, inner) if override is not None else None
            if custom is not None:
                out.append(custom)
            else:
                self._record(kind, child, self._path("children", index), inner)
        if opened:
            if moves is not None:
                out.append((moves((opened, ())) or _move(opened, ()))[0])
            else:
                self._close_marks(opened, starts, 0)

    def _switch_marks(
        self, opened: tuple[str, ...], starts: list[int], wanted: tuple[str, ...]
    ) -> tuple[str, ...]:
        """With ``render_mark``: close the open marks from the first one not wanted, open the
        missing ones; return the marks now open."""
        keep = 0
        while keep < len(opened) and opened[keep] in wanted:
            keep += 1
        opened = self._close_marks(opened, starts, keep)
        out = self.out
        for mark in wanted:
            if mark not in opened:
                opened += (mark,)
                starts.append(len(out))
                if self.render_mark.get(mark) is None:
                    out.append(_mark_tags(mark)[0])
        return opened

    def _close_marks(
        self, opened: tuple[str, ...], starts: list[int], keep: int
    ) -> tuple[str, ...]:
        """With ``render_mark``: close the open marks after the first ``keep``; return those."""
        out = self.out
        for mark in reversed(opened[keep:]):
            start = starts.pop()
            wrap = self.render_mark.get(mark)
            if wrap is None:
                out.append(_mark_tags(mark)[1])
            else:
                inner = "".join(out[start:])
                del out[start:]
                out.append(wrap(inner))
        return opened[:keep]

    def _overridden_span(self, span: Any, value: str, marks: tuple[str, ...]) -> None:
        """A span under a ``span`` override: its own HTML, marks applied, no merging."""
        text = _text(value)
        for mark in reversed(marks):
            wrap = self.render_mark.get(mark)
            if wrap is not None:
                text = wrap(text)
            else:
                opening, closing = _mark_tags(mark)
                text = opening + text + closing
        assert self.span_override is not None
        custom = self.span_override(span, text)
        self.out.append(text if custom is None else custom)

    def _href(self, url: str, index: int) -> str:
        if is_unsafe_url(url):
            self._report("url", "replaced by #", excerpt(url), index)
            url = "#"
        return f' href="{_esc(url)}"'

    def _meta_entries(self, meta: Any) -> list[tuple[str, str]]:
        """A link's meta as ``(id, value)`` pairs (checked in strict mode)."""
        if not self.strict:
            return [(entry.id, entry.value) for entry in meta]
        if type(meta) is not list and type(meta) is not tuple:
            raise _Invalid
        pairs: list[tuple[str, str]] = []
        for entry in meta:
            if type(entry) is not dict or entry.keys() != _META_KEYS:
                raise _Invalid
            pairs.append((_checked_str(entry["id"], True), _checked_str(entry["value"], True)))
        return pairs

    def _meta(self, meta: Any, index: int) -> str:
        """Link meta as attributes: the allowlist only, each once, ``noopener`` with ``_blank``."""
        if meta is None:
            return ""
        values: dict[str, str] = {}
        for name, value in self._meta_entries(meta):
            lowered = name.lower()
            if lowered not in LINK_META_ATTRIBUTES:
                why = (
                    "is not a safe attribute name"
                    if not _ATTRIBUTE_NAME.match(name)
                    or lowered.startswith("on")
                    or lowered in _FORBIDDEN_ATTRIBUTES
                    else f"is not one of {', '.join(LINK_META_ATTRIBUTES)}"
                )
                self._report("meta", "dropped", f"{excerpt(name)} {why}", index)
                continue
            if lowered in values:
                self._report(
                    "meta", "dropped", f"{excerpt(name)} is given twice (the first wins)", index
                )
                continue
            values[lowered] = value
        if values.get("target") == "_blank":
            rel = values.get("rel")
            if rel is None:
                values["rel"] = "noopener"
            elif "noopener" not in rel.lower().split():
                values["rel"] = f"{rel} noopener" if rel.strip() else "noopener"
        return "".join(f' {name}="{_esc(value)}"' for name, value in values.items())

    def _report(self, kind: str, action: str, detail: str, index: int) -> None:
        """A report entry for the inline node at ``index`` (deferred in strict mode)."""
        path = self._path("children", index)
        if self.events is None:
            self.rep.add(kind, action, detail, path=path)
        else:
            self.events.append((-1, kind, action, detail, path))

    # --- records --------------------------------------------------------------

    def _record(self, kind: str, node: Any, path: Path, inner: str) -> None:
        """Write a record through its callback (in strict mode: a slot filled by ``finish``)."""
        if self.events is None:
            self.out.append(self._record_now(node, path, inner))
            return
        # the node handed to the callback (pydantic's validation, as load_document's)
        model = NODE_CLASS_BY_TYPE[kind].__pydantic_validator__.validate_python(node)
        self.events.append((len(self.out), model, path, inner))
        self.out.append("")

    def _record_now(
        self, node: Block | InlineBlock | InlineItem | ItemLink, path: Path, inner: str
    ) -> str:
        ref = ItemRef(node, path, inner)
        callback = self.callbacks.get(node.type)
        if callback is not None:
            return callback(ref)
        option = CALLBACK_OPTIONS[node.type]
        if self.on_missing == "error":
            raise ConversionError(
                f"cannot render {node.type} at {ref.where}: no {option} callback given "
                '(pass one, or on_missing="placeholder")'
            )
        shown = ref.id if ref.id is not None else "new"
        self.rep.add(node.type, "written as a placeholder", f"no {option} callback", path=path)
        attrs = f'data-dast-missing="{node.type}" data-item="{_esc(shown)}"'
        if isinstance(node, Block):
            return f"<div {attrs}>[block {_esc(shown)}]</div>"
        if isinstance(node, ItemLink):
            return f"<span {attrs}>{inner}</span>"
        return f"<span {attrs}>[{node.type} {_esc(shown)}]</span>"


def to_html(
    doc: Document | Mapping[str, object] | None,
    *,
    render_node: Mapping[str, NodeRenderer] | None = None,
    render_mark: Mapping[str, MarkRenderer] | None = None,
    render_block: RecordRenderer | None = None,
    render_inline_block: RecordRenderer | None = None,
    render_inline_item: RecordRenderer | None = None,
    render_item_link: RecordRenderer | None = None,
    on_missing: OnMissing = "error",
    code_language: CodeLanguage = "class",
    strict: bool = False,
) -> Conversion[str]:
    """Render a document (``Document``, DAST JSON, CDA wrapper or ``None``) as HTML.

    ``render_node`` maps node types to ``(node, inner_html) -> html | None``
    overrides, ``render_mark`` maps mark names to ``(inner_html) -> html``
    wrappers. Record callbacks receive an ``ItemRef``. Link ``meta`` is
    written through an allowlist (``LINK_META_ATTRIBUTES``), each attribute
    once, and ``target="_blank"`` gets ``rel="noopener"``. A code language
    is ``class="language-x"`` on ``code``, or with
    ``code_language="data-language"`` a ``data-language`` on ``pre``. The
    report lists neutralised URLs, dropped ``meta`` entries and placeholders; with
    ``strict=True`` any of them raises ``ConversionError``. ``None`` renders
    as ``""``.

    >>> doc = {"schema": "dast", "document": {"type": "root", "children": [
    ...     {"type": "block", "item": "b1"}]}}
    >>> to_html(doc, render_block=lambda ref: f"<figure>{ref.id}</figure>").result
    '<figure>b1</figure>\\n'
    >>> to_html(doc, on_missing="placeholder").report[0].action
    'written as a placeholder'
    """
    if code_language not in ("class", "data-language"):
        raise ConversionError(
            f'code_language must be "class" or "data-language", not {code_language!r}'
        )
    if on_missing not in ("error", "placeholder"):
        raise ConversionError(f'on_missing must be "error" or "placeholder", not {on_missing!r}')
    callbacks = {
        "block": render_block,
        "inlineBlock": render_inline_block,
        "inlineItem": render_inline_item,
        "itemLink": render_item_link,
    }
    what = "DAST to HTML"
    if type(doc) is dict and not render_node and not render_mark:
        data = unwrap_document(doc)
        if type(data) is dict:  # DAST JSON: checked and written in one pass
            reporter = Reporter()
            renderer = _HtmlRenderer({}, {}, callbacks, on_missing, reporter, code_language, True)
            try:
                renderer.write_json(data)
            except _FALLBACK:
                pass  # load_document reports the problems (or takes what it accepts)
            else:
                text = renderer.finish()
                return Conversion(text, reporter.finish(strict=strict, what=what))
    document = load_input(doc)
    reporter = Reporter()
    if document is None:
        return Conversion("", reporter.finish())
    renderer = _HtmlRenderer(
        render_node or {}, render_mark or {}, callbacks, on_missing, reporter, code_language
    )
    root = document.document
    renderer.write(root.__dict__, root)
    return Conversion(renderer.finish(), reporter.finish(strict=strict, what=what))
