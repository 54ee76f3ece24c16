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

from typing_extensions import assert_never

from ..errors import Path
from ..nodes import (
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    InlineNode,
    ItemLink,
    Link,
    List,
    ListItem,
    Node,
    Paragraph,
    Root,
    Span,
    ThematicBreak,
)
from .items import (
    CALLBACK_OPTIONS,
    MARK_HTML_TAGS,
    ItemRef,
    OnMissing,
    RecordRenderer,
    load_input,
    mark_key,
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


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


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


class _HtmlRenderer:
    def __init__(
        self,
        render_node: Mapping[str, NodeRenderer],
        render_mark: Mapping[str, MarkRenderer],
        callbacks: Mapping[str, RecordRenderer | None],
        on_missing: OnMissing,
        reporter: Reporter,
        code_language: CodeLanguage = "class",
    ) -> None:
        self.code_language = code_language
        self.render_node = render_node
        self.render_mark = render_mark
        self.callbacks = callbacks
        self.on_missing = on_missing
        self.rep = reporter

    # --- blocks (iterative) -------------------------------------------------

    def render(self, root: Root) -> str:
        bufs: list[list[str]] = [[]]
        # Work items: a string to output, a (node, path) to expand, or a
        # ("finish", node, path) closing a node whose override needs its inner HTML.
        stack: list[Any] = [(root, ())]
        while stack:
            work = stack.pop()
            if isinstance(work, str):
                bufs[-1].append(work)
                continue
            if work[0] == "finish":
                _, node, path = work
                inner = "".join(bufs.pop())
                bufs[-1].append(self._finish(node, path, inner))
                continue
            node, path = work
            children: Sequence[Node] | None = None
            if isinstance(node, Root | List | ListItem | Blockquote):
                children = node.children
            if children is None:
                bufs[-1].append(self._leaf_block(node, path))
                continue
            sep = "\n"
            overridden = node.type in self.render_node
            if overridden:
                stack.append(("finish", node, path))
            else:
                stack.append(self._close(node))
            for index in range(len(children) - 1, -1, -1):
                stack.append((children[index], (*path, "children", index)))
                if index:
                    stack.append(sep)
            if overridden:
                bufs.append([])
            else:
                stack.append(self._open(node))
        return "".join(bufs[0])

    def _open(self, node: Root | List | ListItem | Blockquote) -> str:
        if isinstance(node, Root):
            return ""
        if isinstance(node, List):
            return "<ol>\n" if node.style == "numbered" else "<ul>\n"
        if isinstance(node, ListItem):
            return "<li>"
        return "<blockquote>\n"

    def _close(self, node: Root | List | ListItem | Blockquote) -> str:
        if isinstance(node, Root):
            return "\n"
        if isinstance(node, List):
            return "\n</ol>" if node.style == "numbered" else "\n</ul>"
        if isinstance(node, ListItem):
            return "</li>"
        footer = ""
        if node.attribution is not None:
            footer = f"\n<footer>{_esc(node.attribution)}</footer>"
        return footer + "\n</blockquote>"

    def _finish(self, node: Any, path: Path, inner: str) -> str:
        custom = self.render_node[node.type](node, inner)
        if custom is not None:
            return custom
        return self._open(node) + inner + self._close(node)

    def _leaf_block(self, node: Node, path: Path) -> str:
        default: str
        inner = ""
        if isinstance(node, Paragraph):
            inner = self._inlines(node.children, path)
            default = f"<p{self._class(node.style)}>{inner}</p>"
        elif isinstance(node, Heading):
            inner = self._inlines(node.children, path)
            tag = f"h{node.level}"
            default = f"<{tag}{self._class(node.style)}>{inner}</{tag}>"
        elif isinstance(node, Code):
            lang = pre_lang = ""
            if node.language and self.code_language == "data-language":
                pre_lang = f' data-language="{_esc(node.language)}"'
            elif node.language:
                lang = f' class="language-{_esc(node.language)}"'
            lines = ""
            if node.highlight is not None:
                lines = f' data-highlight="{",".join(str(n) for n in node.highlight)}"'
            default = f"<pre{pre_lang}{lines}><code{lang}>{_esc(node.code)}</code></pre>"
        elif isinstance(node, ThematicBreak):
            default = "<hr>"
        elif isinstance(node, Block):
            override = self.render_node.get("block")
            if override is not None:
                custom = override(node, "")
                if custom is not None:
                    return custom
            return self._record(node, path, "")
        else:  # pragma: no cover - containers never reach here
            raise AssertionError(node.type)
        override = self.render_node.get(node.type)
        if override is not None:
            custom = override(node, inner)
            if custom is not None:
                return custom
        return default

    @staticmethod
    def _class(style: str | None) -> str:
        return "" if style is None or style == "" else f' class="{_esc(style)}"'

    # --- inline ---------------------------------------------------------------

    def _inlines(self, children: Sequence[InlineNode], parent: Path) -> str:
        out: list[str] = []
        run: list[Span] = []
        for index, child in enumerate(children):
            if isinstance(child, Span):
                run.append(child)
                continue
            if run:
                out.append(self._spans(run))
                run = []
            out.append(self._inline(child, (*parent, "children", index)))
        if run:
            out.append(self._spans(run))
        return "".join(out)

    def _inline(self, node: InlineNode, path: Path) -> str:
        inner = ""
        default: str | None = None
        if isinstance(node, Link):
            inner = self._spans(node.children)
            default = f"<a{self._href(node.url, path)}{self._meta(node, path)}>{inner}</a>"
        elif isinstance(node, ItemLink):
            inner = self._spans(node.children)
        elif isinstance(node, Span):  # pragma: no cover - spans are rendered in runs
            default = inner = self._spans([node])
        elif isinstance(node, InlineItem | InlineBlock):
            pass
        else:  # pragma: no cover
            assert_never(node)
        override = self.render_node.get(node.type)
        if override is not None:
            custom = override(node, inner)
            if custom is not None:
                return custom
        if default is not None:
            return default
        assert isinstance(node, ItemLink | InlineItem | InlineBlock)
        return self._record(node, path, inner)

    def _spans(self, spans: Sequence[Span]) -> str:
        """Render consecutive spans, keeping a mark open across the spans that share it."""
        override = self.render_node.get("span")
        if override is not None:
            out = []
            for span in spans:
                text = self._span(span)
                custom = override(span, text)
                out.append(text if custom is None else custom)
            return "".join(out)
        # a stack of open marks, each with the HTML gathered inside it
        stack: list[tuple[str, list[str]]] = [("", [])]
        for span in spans:
            marks = sorted(set(span.marks or ()), key=mark_key)
            keep = 1
            while keep < len(stack) and stack[keep][0] in marks:
                keep += 1
            while len(stack) > keep:
                mark, parts = stack.pop()
                stack[-1][1].append(self._mark(mark, "".join(parts)))
            open_marks = {mark for mark, _ in stack}
            for mark in marks:
                if mark not in open_marks:
                    stack.append((mark, []))
            stack[-1][1].append(_esc(span.value).replace("\n", "<br>\n"))
        while len(stack) > 1:
            mark, parts = stack.pop()
            stack[-1][1].append(self._mark(mark, "".join(parts)))
        return "".join(stack[0][1])

    def _span(self, span: Span) -> str:
        text = _esc(span.value).replace("\n", "<br>\n")
        marks = sorted(set(span.marks or ()), key=mark_key)
        for mark in reversed(marks):
            text = self._mark(mark, text)
        return text

    def _mark(self, mark: str, inner: str) -> str:
        custom = self.render_mark.get(mark)
        if custom is not None:
            return custom(inner)
        tag = MARK_HTML_TAGS.get(mark)
        if tag is not None:
            return f"<{tag}>{inner}</{tag}>"
        return f'<span class="mark-{_esc(mark)}">{inner}</span>'

    def _href(self, url: str, path: Path) -> str:
        if is_unsafe_url(url):
            self.rep.add("url", "replaced by #", excerpt(url), path=path)
            url = "#"
        return f' href="{_esc(url)}"'

    def _meta(self, node: Link, path: Path) -> str:
        """Link meta as attributes: the allowlist only, each once, ``noopener`` with ``_blank``."""
        values: dict[str, str] = {}
        for entry in node.meta or ():
            name = entry.id
            lowered = name.lower()
            if lowered not in LINK_META_ATTRIBUTES:
                why = (
                    "is not a safe attribute name"
                    if not _ATTRIBUTE_NAME.match(name)
                    or lowered.startswith("on")
                    or lowered in _FORBIDDEN_ATTRIBUTES
                    else f"is not one of {', '.join(LINK_META_ATTRIBUTES)}"
                )
                self.rep.add("meta", "dropped", f"{excerpt(name)} {why}", path=path)
                continue
            if lowered in values:
                self.rep.add(
                    "meta", "dropped", f"{excerpt(name)} is given twice (the first wins)", path=path
                )
                continue
            values[lowered] = entry.value
        if values.get("target") == "_blank":
            rel = values.get("rel")
            if rel is None:
                values["rel"] = "noopener"
            elif "noopener" not in rel.lower().split():
                values["rel"] = f"{rel} noopener" if rel.strip() else "noopener"
        return "".join(f' {name}="{_esc(value)}"' for name, value in values.items())

    # --- records --------------------------------------------------------------

    def _record(
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
    document = load_input(doc)
    reporter = Reporter()
    if document is None:
        return Conversion("", reporter.finish())
    renderer = _HtmlRenderer(
        render_node or {},
        render_mark or {},
        {
            "block": render_block,
            "inlineBlock": render_inline_block,
            "inlineItem": render_inline_item,
            "itemLink": render_item_link,
        },
        on_missing,
        reporter,
        code_language,
    )
    text = renderer.render(document.document)
    return Conversion(text, reporter.finish(strict=strict, what="DAST to HTML"))
