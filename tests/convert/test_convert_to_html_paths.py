"""to_html's two paths (a ``Document``, DAST JSON checked in one pass) write today's HTML.

``_PreviousRenderer`` below is the renderer as it was before the speed work
(commit 450ef2a), frozen here as the oracle: for every generated document,
fixture and option, the new renderer's output, report and the sequence of
callback calls equal the oracle's, from a ``Document`` and from DAST JSON.
DAST JSON the checked pass refuses takes the model path, so the errors are
those of ``load_document`` and no callback is called before them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path as FilePath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typing_extensions import assert_never

from dast.convert.items import (
    CALLBACK_OPTIONS,
    MARK_HTML_TAGS,
    ItemRef,
    OnMissing,
    RecordRenderer,
    load_input,
    mark_key,
)
from dast.convert.report import ConversionError, Reporter, excerpt
from dast.convert.to_html import (
    LINK_META_ATTRIBUTES,
    CodeLanguage,
    MarkRenderer,
    NodeRenderer,
    is_unsafe_url,
    to_html,
)
from dast.errors import DastError, Path
from dast.load import load_document
from dast.nodes import (
    Block,
    Blockquote,
    Code,
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
from tests.strategies import CUSTOM_MARKS, DEFAULT_MARK_NAMES, json_documents, mutated_documents

FIXTURES = FilePath(__file__).resolve().parents[2] / "fixtures" / "dast" / "valid"
BENCH_DATA = FilePath(__file__).resolve().parents[2] / "benchmarks" / "data"

_ATTRIBUTE_NAME = __import__("re").compile(r"[A-Za-z_:][A-Za-z0-9_.:-]*\Z")
_FORBIDDEN_ATTRIBUTES = frozenset({"href", "style", "src", "srcdoc", "formaction"})


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# --- the oracle: the renderer before the speed work ---------------------------------------


class _PreviousRenderer:
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


def _previous_to_html(doc: Any, **options: Any) -> tuple[str, list[Any]]:
    """The previous ``to_html`` (its options as keywords): HTML and report entries."""
    document = load_input(doc)
    reporter = Reporter()
    if document is None:
        return "", []
    renderer = _PreviousRenderer(
        options.get("render_node") or {},
        options.get("render_mark") or {},
        {
            "block": options.get("render_block"),
            "inlineBlock": options.get("render_inline_block"),
            "inlineItem": options.get("render_inline_item"),
            "itemLink": options.get("render_item_link"),
        },
        options.get("on_missing", "error"),
        reporter,
        options.get("code_language", "class"),
    )
    text = renderer.render(document.document)
    return text, reporter.finish().to_list()


# --- what both renderers are run with ------------------------------------------------------

Calls = list[tuple[str, Path, str | None, str]]


def _callbacks(calls: Calls) -> dict[str, Any]:
    """Record callbacks that log each call (type, path, id, inner) and write a small element."""

    def make(option: str) -> Any:
        def render(ref: ItemRef) -> str:
            calls.append((ref.node.type, ref.path, ref.id, ref.inner))
            return f"<{option} id={ref.id!r}>{ref.inner}</{option}>"

        return render

    return {option: make(option) for option in CALLBACK_OPTIONS.values()}


def _run(render: Any, doc: Any, **options: Any) -> tuple[str, Any, Calls]:
    """Output (HTML and report, or the error raised) and the callback calls of one rendering."""
    calls: Calls = []
    if options.pop("with_callbacks", True):
        options = {**_callbacks(calls), **options}
    try:
        if render is to_html:
            text, report = to_html(doc, **options)
            return text, report.to_list(), calls
        return (*render(doc, **options), calls)
    except (DastError, ConversionError) as exc:
        return "error", (type(exc).__name__, str(exc)), calls


def _same_everywhere(data: dict[str, Any], **options: Any) -> None:
    """DAST JSON, its Document and the previous renderer give the same result."""
    expected = _run(_previous_to_html, data, **options)
    assert _run(to_html, data, **options) == expected
    try:
        document = load_document(data)
    except DastError:
        return
    assert _run(to_html, document, **options) == expected


OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "on_missing": st.sampled_from(["error", "placeholder"]),
        "code_language": st.sampled_from(["class", "data-language"]),
        "with_callbacks": st.booleans(),
    },
)


# --- generated documents -------------------------------------------------------------------


@given(json_documents(max_leaves=12), OPTIONS)
def test_generated_documents_render_as_before(
    data: dict[str, Any], options: dict[str, Any]
) -> None:
    _same_everywhere(data, **options)


_MARKS = st.lists(st.sampled_from(DEFAULT_MARK_NAMES[:3] + CUSTOM_MARKS[:1]), max_size=3)
_SPAN = st.builds(
    lambda value, marks: {
        "type": "span",
        "value": value,
        **({} if marks is None else {"marks": marks}),
    },
    st.sampled_from(["", "a", "b c", "<&>", "\n", "'\"", "x\ny"]),
    st.one_of(st.none(), _MARKS),
)
_INLINE = st.one_of(
    _SPAN,
    _SPAN,
    _SPAN,
    st.builds(
        lambda url, kids: {"type": "link", "url": url, "children": kids},
        st.sampled_from(["https://x.y/?a=1&b=2", "javascript:alert(1)", "/p"]),
        st.lists(_SPAN, min_size=1, max_size=3),
    ),
    st.just({"type": "inlineItem", "item": "r1"}),
)


@given(st.lists(st.lists(_INLINE, min_size=1, max_size=8), min_size=1, max_size=3), OPTIONS)
def test_runs_of_marked_spans_render_as_before(
    paragraphs: list[list[dict[str, Any]]], options: dict[str, Any]
) -> None:
    """Dense runs of spans whose marks open, close, repeat and reorder (empty spans too)."""
    data = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [{"type": "paragraph", "children": kids} for kids in paragraphs],
        },
    }
    _same_everywhere(data, **options)


@given(mutated_documents(max_leaves=8), OPTIONS)
def test_damaged_documents_fail_as_before_and_call_nothing(
    data: dict[str, Any], options: dict[str, Any]
) -> None:
    """Refused JSON takes the model path: the same error, and no callback called before it."""
    _same_everywhere(data, **options)


# --- overrides (DAST JSON takes the model path) --------------------------------------------


def _overrides() -> dict[str, Any]:
    def node(prefix: str) -> Any:
        def render(node: Any, inner: str) -> str | None:
            if getattr(node, "type", "") == "paragraph" and not inner:
                return None  # the default
            return f"[{prefix}:{node.type}|{inner}]"

        return render

    return {
        "render_node": {
            kind: node(kind[:2])
            for kind in (
                "root",
                "paragraph",
                "heading",
                "list",
                "listItem",
                "blockquote",
                "code",
                "thematicBreak",
                "link",
                "itemLink",
                "inlineItem",
                "span",
            )
        },
        "render_mark": {
            "strong": lambda inner: f"**{inner}**",
            "zeta_2": lambda inner: f"~{inner}~",
        },
    }


@given(json_documents(max_leaves=12), st.sampled_from(["nodes", "marks", "both"]))
def test_overrides_render_as_before(data: dict[str, Any], which: str) -> None:
    options = _overrides()
    if which == "nodes":
        del options["render_mark"]
    elif which == "marks":
        del options["render_node"]
    _same_everywhere(data, on_missing="placeholder", **options)


def test_marks_overridden_without_a_span_override_keep_runs_merged() -> None:
    data = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {
                    "type": "paragraph",
                    "children": [
                        {"type": "span", "value": "a", "marks": ["strong"]},
                        {"type": "span", "value": "b", "marks": ["strong", "emphasis"]},
                        {"type": "span", "value": "c", "marks": ["emphasis"]},
                    ],
                }
            ],
        },
    }
    options = {"render_mark": {"strong": lambda inner: f"**{inner}**"}}
    assert to_html(data, **options).result == "<p>**a<em>b</em>**<em>c</em></p>\n"
    _same_everywhere(data, **options)


# --- fixtures and the benchmark inputs -----------------------------------------------------

_FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))


@pytest.mark.parametrize("path", _FIXTURE_FILES, ids=[p.stem for p in _FIXTURE_FILES])
@pytest.mark.parametrize("on_missing", ["error", "placeholder"])
def test_fixtures_render_as_before(path: FilePath, on_missing: str) -> None:
    _same_everywhere(json.loads(path.read_text("utf-8")), on_missing=on_missing)
    _same_everywhere(
        json.loads(path.read_text("utf-8")), on_missing=on_missing, with_callbacks=False
    )


def test_benchmark_inputs_render_as_before() -> None:
    article = json.loads((BENCH_DATA / "article-1mb.json").read_text("utf-8"))
    _same_everywhere(article)
    lines = (BENCH_DATA / "small-1000.jsonl").read_text("utf-8").splitlines()
    for line in lines[::10]:
        _same_everywhere(json.loads(line))


# --- the checked pass refuses what the model refuses ---------------------------------------

_BAD_NODES = [
    {"type": "code", "code": "x", "highlight": [-1]},
    {"type": "code", "code": "x", "highlight": [True]},
    {"type": "code", "code": "x", "language": 3},
    {"type": "heading", "level": True, "children": [{"type": "span", "value": "x"}]},
    {"type": "heading", "level": 7, "children": [{"type": "span", "value": "x"}]},
    {
        "type": "list",
        "style": "dotted",
        "children": [
            {
                "type": "listItem",
                "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
            }
        ],
    },
    {
        "type": "blockquote",
        "attribution": 1,
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
    },
    {"type": "paragraph", "style": 2, "children": [{"type": "span", "value": "x"}]},
    {"type": "paragraph", "children": [{"type": "span", "value": "x", "marks": [1]}]},
    {"type": "paragraph", "children": [{"type": "span", "value": "x", "marks": "strong"}]},
    {"type": "paragraph", "children": [{"type": "span", "value": "x", "mark": ["strong"]}]},
    {"type": "paragraph", "children": [{"type": "span", "value": "x", "marks": [["a"]]}]},
    {
        "type": "paragraph",
        "children": [
            {
                "type": "link",
                "url": "u",
                "meta": [{"id": "a"}],
                "children": [{"type": "span", "value": "x"}],
            }
        ],
    },
    {
        "type": "paragraph",
        "children": [
            {
                "type": "itemLink",
                "item": "r",
                "meta": [{"id": 1, "value": "v"}],
                "children": [{"type": "span", "value": "x"}],
            }
        ],
    },
    {"type": "paragraph", "children": [{"type": "inlineBlock", "item": 3}]},
    {"type": "paragraph", "children": [{"type": "inlineItem", "item": {"id": "r"}}]},
    {"type": "block", "item": None},
    {"type": "block", "item": "b", "extra": 1},
]


@pytest.mark.parametrize("node", _BAD_NODES, ids=[json.dumps(n)[:60] for n in _BAD_NODES])
def test_refused_nodes_are_refused_as_the_model_refuses_them(node: dict[str, Any]) -> None:
    data = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {"type": "paragraph", "children": [{"type": "inlineItem", "item": "first"}]},
                node,
            ],
        },
    }
    html_out, detail, calls = _run(to_html, data)
    assert html_out == "error" and detail[0] == "DastValidationError"
    assert calls == []  # the record before the broken node was not rendered
    assert _run(to_html, data) == _run(_previous_to_html, data)


def test_report_entries_keep_document_order_on_both_paths() -> None:
    data = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {
                    "type": "paragraph",
                    "children": [
                        {
                            "type": "link",
                            "url": "javascript:x()",
                            "children": [{"type": "span", "value": "a"}],
                        },
                        {"type": "inlineItem", "item": "r1"},
                        {
                            "type": "link",
                            "url": "/b",
                            "meta": [{"id": "onclick", "value": "x"}],
                            "children": [{"type": "span", "value": "b"}],
                        },
                    ],
                },
                {"type": "block", "item": {"type": "item"}},
            ],
        },
    }
    result = to_html(data, on_missing="placeholder")
    assert [(e.kind, e.path) for e in result.report] == [
        ("url", ("children", 0, "children", 0)),
        ("inlineItem", ("children", 0, "children", 1)),
        ("meta", ("children", 0, "children", 2)),
        ("block", ("children", 1)),
    ]
    _same_everywhere(data, on_missing="placeholder", with_callbacks=False)
