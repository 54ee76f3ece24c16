"""Hypothesis strategies for valid DAST documents, shared by every test module.

Everything generated here is VALID by construction:

- ``documents()`` gives ``dast.nodes.Document`` instances, ``json_documents()``
  the same documents dumped to DAST JSON (plain dicts and lists).
- ``mutated_documents()`` gives generated JSON with random damage (mostly
  invalid), to check validators against the model.
- ``inline_nodes()`` gives one inline node (span, link, itemLink, inlineItem,
  inlineBlock); ``block_items()`` the ``item`` of a block / inlineBlock: a
  record id string, a full nested-response record dict, or a request-shape
  record without ``id`` (a new block).

Every node type and every optional attribute is covered, each optional
attribute absent, present and empty (empty ``style`` / ``language`` /
``attribution``, empty ``marks`` / ``meta`` / ``highlight`` tuples); marks mix
the six default ones with custom ones; span values may hold ``\\n``; lists
nest several levels deep (bounded by ``max_leaves``). ``block`` only appears
at the root, ``inlineBlock`` only inline, link children are spans only.

Override the leaves to suit a test: ``text`` (span values and other free
strings), ``items`` (block items), ``marks`` (mark names).

>>> from hypothesis import given, settings
>>> @settings(max_examples=20)
... @given(documents(max_leaves=5))
... def check(doc):
...     assert doc.document.children
>>> check()
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import find  # noqa: F401  (used by the doctests)
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from dast.nodes import (
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
    MetaEntry,
    Paragraph,
    Root,
    RootChild,
    Span,
    ThematicBreak,
)

__all__ = [
    "BAD_VALUES",
    "CUSTOM_MARKS",
    "DEFAULT_MARK_NAMES",
    "MODEL_IDS",
    "block_items",
    "deep_list_json",
    "documents",
    "inline_nodes",
    "json_documents",
    "mark_names",
    "meta_entries",
    "mutated_documents",
    "record_ids",
    "records",
    "texts",
]

DEFAULT_MARK_NAMES = ("strong", "code", "emphasis", "underline", "strikethrough", "highlight")
"""The six default marks."""

CUSTOM_MARKS = ("footnote-ref", "mention", "kbd", "small-caps", "x", "alpha", "zeta_2")
"""Custom marks a project might define."""

MODEL_IDS = ("810907", "cta_block", "image_gallery", "Xy4Yw1SzQ3K-0gSmhR9tDQ")
"""Item type (model) ids used in generated records."""

_WORDS = (
    "Hello",
    "world",
    "DatoCMS",
    "structured text",
    "é",
    "Σωκράτης",
    "🙂",
    "line\nbreak",
    "\n",
    "tab\there",
    " leading space",
    "trailing space ",
    "*stars*",
    "_under_",
    "`tick`",
    "# not a heading",
    "- not a list",
    "<b>html</b>",
    "[x](y)",
    "\\backslash",
    "",
)

_PHRASES = (
    "Structured text keeps *content* and layout apart.",
    "Line one\nline two\n",
    "A sentence with é, Σωκράτης and 🙂 in it.",
    "  indented   and   spaced  ",
    "1. not a list item",
    "> not a quote",
)

_NAMES = ("lead", "small", "callout", "pull-quote", "note", "")

_URLS = (
    "https://www.datocms.com/docs",
    "https://example.com/a?b=c&d=e#f",
    "mailto:hello@example.com",
    "tel:+123",
    "#anchor",
    "/relative/path",
    "",
)

_LANGUAGES = ("python", "javascript", "json", "html", "shell", "")

_FIELD_NAMES = ("title", "caption", "url", "alt", "count", "published", "gallery", "body")


def texts() -> SearchStrategy[str]:
    """Free text: realistic words, newlines, markup-like runs, arbitrary unicode.

    >>> find(texts(), lambda s: "\\n" in s).count("\\n") >= 1
    True
    """
    return st.one_of(
        st.sampled_from(_WORDS + _PHRASES),
        st.text(max_size=12),
    )


def mark_names() -> SearchStrategy[str]:
    """Mark names: mostly the six defaults, sometimes a custom mark.

    >>> find(mark_names(), lambda m: m not in DEFAULT_MARK_NAMES) in CUSTOM_MARKS
    True
    """
    return st.sampled_from(DEFAULT_MARK_NAMES * 2 + CUSTOM_MARKS)


def record_ids() -> SearchStrategy[str]:
    """DatoCMS-looking record ids (22-char url-safe base64, or numeric).

    >>> isinstance(find(record_ids(), lambda r: True), str)
    True
    """
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return st.one_of(
        st.text(alphabet=alphabet, min_size=22, max_size=22),
        st.integers(min_value=1, max_value=99_999_999).map(str),
        st.sampled_from(("rec1", "b1", "42")),
    )


def _scalars() -> SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        texts(),
    )


def _tiny_structured_text(nested: SearchStrategy[Any]) -> SearchStrategy[dict[str, Any]]:
    """A small DAST JSON value as a record attribute, blocks holding ``nested`` items."""
    para = st.builds(
        lambda value: {"type": "paragraph", "children": [{"type": "span", "value": value}]},
        texts(),
    )
    block = st.builds(lambda item: {"type": "block", "item": item}, nested)
    return st.builds(
        lambda children: {"schema": "dast", "document": {"type": "root", "children": children}},
        st.lists(st.one_of(para, block), min_size=1, max_size=3),
    )


def records(
    with_id: SearchStrategy[bool] | None = None, depth: int = 2
) -> SearchStrategy[dict[str, Any]]:
    """Full block records in the nested-response shape (attributes may hold nulls,
    lists of ids, nested records and structured text with nested blocks).

    >>> sorted(find(records(), lambda r: True))
    ['attributes', 'id', 'meta', 'relationships', 'type']
    """
    nested: SearchStrategy[Any] = record_ids()
    if depth > 0:
        nested = st.one_of(record_ids(), records(with_id, depth - 1))
    value = st.one_of(
        _scalars(),
        st.lists(record_ids(), max_size=3),
        st.dictionaries(st.sampled_from(("en", "it", "de")), texts(), max_size=2),
        _tiny_structured_text(nested),
        nested,
    )
    attributes = st.dictionaries(st.sampled_from(_FIELD_NAMES), value, max_size=4)
    meta = st.fixed_dictionaries(
        {},
        optional={
            "created_at": st.just("2024-05-02T10:00:00.000+02:00"),
            "updated_at": st.just("2024-05-03T11:30:00.000+02:00"),
            "published_at": st.none(),
            "publication_scheduled_at": st.none(),
            "status": st.sampled_from(("draft", "published", "updated")),
            "is_valid": st.booleans(),
            "current_version": record_ids(),
        },
    )

    def build(
        has_id: bool, rid: str, model_id: str, attrs: dict[str, Any], meta_: dict[str, Any]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {}
        if has_id:
            record["id"] = rid
        record["type"] = "item"
        record["attributes"] = attrs
        record["relationships"] = {"item_type": {"data": {"id": model_id, "type": "item_type"}}}
        if has_id:
            record["meta"] = meta_
        return record

    return st.builds(
        build,
        with_id if with_id is not None else st.just(True),
        record_ids(),
        st.sampled_from(MODEL_IDS),
        attributes,
        meta,
    )


def block_items() -> SearchStrategy[str | dict[str, Any]]:
    """The ``item`` of a block / inlineBlock: an id string, a full nested-response
    record, or (rarely) a request-shape record without ``id``.

    >>> record = find(block_items(), lambda i: isinstance(i, dict))
    >>> record["relationships"]["item_type"]["data"]["type"]
    'item_type'
    """
    ids = record_ids()
    return st.one_of(
        ids,
        ids,
        records(with_id=st.just(True), depth=1),
        records(with_id=st.just(False), depth=0),
    )


def meta_entries(text: SearchStrategy[str] | None = None) -> SearchStrategy[tuple[MetaEntry, ...]]:
    """A link ``meta`` tuple (possibly empty).

    >>> find(meta_entries(), lambda m: True)
    ()
    """
    t = text if text is not None else texts()
    entry = st.builds(
        MetaEntry, id=st.one_of(st.sampled_from(("rel", "target", "title", "data-x")), t), value=t
    )
    return st.lists(entry, max_size=3).map(tuple)


def _optional(strategy: SearchStrategy[Any]) -> SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _spans(text: SearchStrategy[str], marks: SearchStrategy[str]) -> SearchStrategy[Span]:
    mark_tuple = st.lists(marks, unique=True, max_size=3).map(tuple)
    return st.builds(Span, value=text, marks=_optional(mark_tuple))


def _names(text: SearchStrategy[str]) -> SearchStrategy[str]:
    return st.one_of(st.sampled_from(_NAMES), text)


def inline_nodes(
    text: SearchStrategy[str] | None = None,
    items: SearchStrategy[str | dict[str, Any]] | None = None,
    marks: SearchStrategy[str] | None = None,
) -> SearchStrategy[InlineNode]:
    """One inline node: span, link, itemLink, inlineItem or inlineBlock.

    >>> find(inline_nodes(), lambda n: n.type == "link").children[0].type
    'span'
    """
    t = text if text is not None else texts()
    i = items if items is not None else block_items()
    m = marks if marks is not None else mark_names()
    spans = _spans(t, m)
    span_children = st.lists(spans, min_size=1, max_size=2).map(tuple)
    meta = _optional(meta_entries(t))
    link = st.builds(
        Link, url=st.one_of(st.sampled_from(_URLS), t), children=span_children, meta=meta
    )
    item_link = st.builds(ItemLink, item=record_ids(), children=span_children, meta=meta)
    inline_item = st.builds(InlineItem, item=record_ids())
    inline_block = st.builds(InlineBlock, item=i)
    return st.one_of(spans, spans, link, item_link, inline_item, inline_block)


def documents(
    text: SearchStrategy[str] | None = None,
    items: SearchStrategy[str | dict[str, Any]] | None = None,
    marks: SearchStrategy[str] | None = None,
    max_leaves: int = 40,
) -> SearchStrategy[Document]:
    """Valid ``Document`` instances covering every node type and attribute.

    ``max_leaves`` bounds the size: at most ``min(5, max_leaves)`` root
    children; lists nest up to five levels deep (two when ``max_leaves < 8``).

    >>> find(documents(max_leaves=3), lambda d: True).schema_
    'dast'
    """
    t = text if text is not None else texts()
    i = items if items is not None else block_items()
    m = marks if marks is not None else mark_names()
    inline = inline_nodes(t, i, m)
    inlines = st.lists(inline, min_size=1, max_size=4).map(tuple)
    style = _optional(_names(t))
    paragraph = st.builds(Paragraph, children=inlines, style=style)
    heading = st.builds(
        Heading, level=st.integers(min_value=1, max_value=6), children=inlines, style=style
    )
    code = st.builds(
        Code,
        code=st.one_of(t, st.lists(t, max_size=4).map("\n".join)),
        language=_optional(st.one_of(st.sampled_from(_LANGUAGES), t)),
        highlight=_optional(
            st.lists(st.integers(min_value=0, max_value=40), unique=True, max_size=4).map(tuple)
        ),
    )
    blockquote = st.builds(
        Blockquote,
        children=st.lists(paragraph, min_size=1, max_size=2).map(tuple),
        attribution=_optional(t),
    )
    list_style = st.sampled_from(("bulleted", "numbered"))

    def list_of(child: SearchStrategy[Paragraph | List]) -> SearchStrategy[List]:
        item = st.builds(ListItem, children=st.lists(child, min_size=1, max_size=2).map(tuple))
        return st.builds(
            List, style=list_style, children=st.lists(item, min_size=1, max_size=2).map(tuple)
        )

    # Bounded depth without st.recursive (much faster to draw): up to 5 levels.
    simple_paragraph = st.builds(Paragraph, children=st.tuples(inline), style=style)
    lists = list_of(simple_paragraph)
    for _ in range(4 if max_leaves >= 8 else 1):
        lists = list_of(st.one_of(simple_paragraph, simple_paragraph, simple_paragraph, lists))
    root_child: SearchStrategy[RootChild] = st.one_of(
        paragraph,
        heading,
        lists,
        code,
        blockquote,
        st.builds(Block, item=i),
        st.just(ThematicBreak()),
    )
    children = st.lists(root_child, min_size=1, max_size=max(1, min(5, max_leaves))).map(tuple)
    return st.builds(Document, document=st.builds(Root, children=children))


def json_documents(
    text: SearchStrategy[str] | None = None,
    items: SearchStrategy[str | dict[str, Any]] | None = None,
    marks: SearchStrategy[str] | None = None,
    max_leaves: int = 40,
) -> SearchStrategy[dict[str, Any]]:
    """``documents(...)`` dumped to DAST JSON.

    >>> find(json_documents(max_leaves=3), lambda d: True)["schema"]
    'dast'
    """
    return documents(text, items, marks, max_leaves).map(lambda doc: doc.to_json())


# --- damaged documents -------------------------------------------------------

BAD_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    7,
    -1,
    1.5,
    2.0,
    "",
    "x",
    "2",
    "bulleted",
    [],
    ["x"],
    [1],
    [True],
    [-1],
    [{}],
    [{"id": "a", "value": "b"}],
    [{"id": "a"}],
    [{"id": "a", "value": 1}],
    [{"id": "a", "value": "b", "x": "c"}],
    {},
    {"id": "x"},
    [{"type": "span", "value": "x"}],
    [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
)

_KEYS = (
    "type",
    "children",
    "value",
    "marks",
    "url",
    "meta",
    "item",
    "level",
    "style",
    "code",
    "language",
    "highlight",
    "attribution",
    "foo",
    "schema",
    "document",
)

_SPAN = {"type": "span", "value": "x"}
_PARAGRAPH = {"type": "paragraph", "children": [_SPAN]}

_NODES: tuple[Any, ...] = (
    {"type": "block", "item": "b1"},
    {"type": "inlineBlock", "item": "b1"},
    {"type": "inlineItem", "item": "r1"},
    {"type": "span", "value": "x"},
    {"type": "link", "url": "u", "children": [{"type": "span", "value": "x"}]},
    {"type": "itemLink", "item": "r1", "children": [{"type": "span", "value": "x"}]},
    {"type": "paragraph", "children": [{"type": "span", "value": "x"}]},
    {"type": "heading", "level": 2, "children": [{"type": "span", "value": "x"}]},
    {"type": "thematicBreak"},
    {"type": "code", "code": "x"},
    {
        "type": "blockquote",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
    },
    {
        "type": "listItem",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
    },
    {"type": "root", "children": [{"type": "thematicBreak"}]},
    {"type": "mystery"},
    {"children": [{"type": "span", "value": "x"}]},
    "not a node",
    7,
    None,
)


def _objects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every JSON object of the tree (document, nodes, meta entries), not inside items."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.append(value)
            stack.extend(v for k, v in value.items() if k != "item")
        elif isinstance(value, list):
            stack.extend(value)
    return found


@st.composite
def _mutate(draw: DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        objects = _objects(doc)
        target = draw(st.sampled_from(objects))
        op = draw(
            st.sampled_from(
                ("delete", "add", "retype", "empty", "insert", "level", "type", "replace")
            )
        )
        if op == "delete" and target:
            del target[draw(st.sampled_from(sorted(target, key=str)))]
        elif op == "add":
            key = draw(st.sampled_from(_KEYS))
            # a copy: the shared value, mutated or added into itself later, would make a cycle
            target[key] = copy.deepcopy(draw(st.sampled_from(BAD_VALUES)))
        elif op == "retype" and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
            target[key] = copy.deepcopy(draw(st.sampled_from(BAD_VALUES)))
        elif op == "empty" and isinstance(target.get("children"), list):
            target["children"] = []
        elif op == "insert" and isinstance(target.get("children"), list):
            children = target["children"]
            at = draw(st.integers(min_value=0, max_value=len(children)))
            children.insert(at, copy.deepcopy(draw(st.sampled_from(_NODES))))
        elif op == "level":
            target["level"] = draw(st.sampled_from((0, 7, "2", True, 2.0, None, 3)))
        elif op == "type":
            target["type"] = draw(
                st.sampled_from(("span", "block", "list", "root", "listItem", "Span", "", 1))
            )
        elif op == "replace" and isinstance(target.get("children"), list) and target["children"]:
            children = target["children"]
            at = draw(st.integers(min_value=0, max_value=len(children) - 1))
            children[at] = copy.deepcopy(draw(st.sampled_from(_NODES)))
    return doc


def mutated_documents(max_leaves: int = 12) -> SearchStrategy[dict[str, Any]]:
    """Generated DAST JSON with one to three random mutations (usually invalid):
    delete a key, add a bad key, change a value's type, empty a children list,
    insert a foreign node (a block into a list item...), wrong heading level,
    change a node type, replace a node by a non-object.

    >>> isinstance(find(mutated_documents(), lambda d: True), dict)
    True
    """
    return json_documents(max_leaves=max_leaves).flatmap(_mutate)


def deep_list_json(depth: int, word: str = "Acme") -> dict[str, Any]:
    """DAST JSON: a paragraph of ``word`` at the bottom of ``depth`` nested bulleted lists."""
    node: dict[str, Any] = {"type": "paragraph", "children": [{"type": "span", "value": word}]}
    for _ in range(depth):
        node = {
            "type": "list",
            "style": "bulleted",
            "children": [{"type": "listItem", "children": [node]}],
        }
    return {"schema": "dast", "document": {"type": "root", "children": [node]}}
