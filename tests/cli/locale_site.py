"""A small multilingual site for the locale round-trip tests, and what its translation must be.

Articles have a localized ``title`` (string) and ``body`` (structured text
with marks, links, item links, inline records, a list, a code block, quote
and call-to-action blocks, a call to action holding a structured text with
a nested quote, and inline badge blocks), a ``views`` integer and a
``summary`` (structured text, not localized). Locales
en, de and it: ``art-1`` and ``art-3`` have all three, ``art-2`` has no
``it`` yet.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from dast.cma.testing import FakeCma, _block, _doc, _para  # the example site's record builders
from dast.cma.testing import _field as _cma_field
from dast.cma.testing import _model as _cma_model

__all__ = [
    "EN_WORDS",
    "SECRET",
    "expected_translation",
    "make_site",
    "shout_tagged",
    "strip_block_ids",
]

SECRET = "tok-locale-7c1e5a-secret"

EN_WORDS = "Acme"


def _model(model_id: str, block: bool, field_ids: list[str]) -> dict[str, Any]:
    return _cma_model(model_id, model_id, block, field_ids)


_field = functools.partial(_cma_field, position=1)  # FakeCma's field builder, every field first


def _schema() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    body_rules = {
        "structured_text_blocks": {"item_types": ["quote", "cta"]},
        "structured_text_inline_blocks": {"item_types": ["badge"]},
        "structured_text_links": {"item_types": ["article"]},
    }
    fields = [
        _field("f-title", "article", "title", "string", True),
        _field("f-body", "article", "body", "structured_text", True, body_rules),
        _field("f-views", "article", "views", "integer"),
        _field("f-summary", "article", "summary", "structured_text"),
        _field("f-quote-text", "quote", "text", "text"),
        _field("f-cta-label", "cta", "label", "string"),
        _field(
            "f-cta-body",
            "cta",
            "body",
            "structured_text",
            False,
            {"structured_text_blocks": {"item_types": ["quote"]}},
        ),
        _field("f-badge-label", "badge", "label", "string"),
    ]
    types = [
        _model("article", False, ["f-title", "f-body", "f-views", "f-summary"]),
        _model("quote", True, ["f-quote-text"]),
        _model("cta", True, ["f-cta-label", "f-cta-body"]),
        _model("badge", True, ["f-badge-label"]),
    ]
    return types, fields


def _span(text: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": text, **({"marks": list(marks)} if marks else {})}


def _en_body(n: int) -> dict[str, Any]:
    quote = _block(f"q{n}", "quote", {"text": "Acme is great."})
    inner = _block(f"q{n}b", "quote", {"text": "Nested inside a call to action."})
    cta_body = _doc(_para(_span("Go "), _span("now", "strong")), {"type": "block", "item": inner})
    cta = _block(f"c{n}", "cta", {"label": "Try Acme", "body": cta_body})
    badge = _block(f"b{n}", "badge", {"label": "new"})
    return _doc(
        {"type": "heading", "level": 2, "children": [_span(f"Post {n}")]},
        _para(
            _span("Acme makes "),
            _span("fast", "strong", "emphasis"),
            _span(" tools: read "),
            {"type": "link", "url": "https://acme.example/docs",
             "meta": [{"id": "rel", "value": "noopener"}],
             "children": [_span("the "), _span("docs", "code")]},
            _span(", see "),
            {"type": "itemLink", "item": "art-9", "children": [_span("the launch")]},
            _span(" and meet "),
            {"type": "inlineItem", "item": "art-8"},
            _span("."),
        ),
        {"type": "list", "style": "bulleted", "children": [
            {"type": "listItem", "children": [_para(_span("first point"))]},
            {"type": "listItem", "children": [
                _para(_span("second "), {"type": "inlineBlock", "item": badge}, _span(" point")),
            ]},
        ]},
        {"type": "blockquote", "attribution": "A. Customer",
         "children": [_para(_span("Acme saved my day."))]},
        {"type": "code", "language": "python", "code": "print('Acme')"},
        {"type": "block", "item": quote},
        _para(_span("More about Acme.")),
        {"type": "block", "item": cta},
    )


def _de_body(n: int) -> dict[str, Any]:
    quote = _block(f"dq{n}", "quote", {"text": "Acme ist toll."})
    return _doc(_para(_span(f"Acme macht Beitrag {n}.")), {"type": "block", "item": quote})


def _it_body(n: int) -> dict[str, Any]:
    quote = _block(f"iq{n}", "quote", {"text": "Acme è fantastica."})
    return _doc(_para(_span(f"Vecchia traduzione {n}.")), {"type": "block", "item": quote})


def _article(n: int, with_it: bool) -> dict[str, Any]:
    title = {"en": f"Post {n}", "de": f"Beitrag {n}"}
    body = {"en": _en_body(n), "de": _de_body(n)}
    if with_it:
        title["it"] = f"Articolo {n}"
        body["it"] = _it_body(n)
    return {
        "type": "item",
        "id": f"art-{n}",
        "attributes": {"title": title, "body": body, "views": n,
                       "summary": _doc(_para(_span(f"Summary {n}")))},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": "article"}}},
        "meta": {"current_version": "1"},
    }


def make_site() -> FakeCma:
    """The fake CMA of the site (not started): art-1, art-3 in en/de/it, art-2 in en/de."""
    records = [_article(1, True), _article(2, False), _article(3, True)]
    return FakeCma(*_schema(), records, locales=("en", "de", "it"), token=SECRET)


_TEXT_FIELDS = {"quote": ("text",), "cta": ("label",), "badge": ("label",)}


def _shout_document(value: Any) -> Any:
    """The DAST JSON with every translated text upper-cased (code blocks are not translated)."""
    out = copy.deepcopy(value)
    stack = [out["document"]]
    while stack:
        node = stack.pop()
        if node["type"] == "span":
            node["value"] = node["value"].upper()
        if node["type"] == "blockquote" and "attribution" in node:
            node["attribution"] = node["attribution"].upper()
        if node["type"] in ("block", "inlineBlock"):
            item = node["item"]
            model = item["relationships"]["item_type"]["data"]["id"]
            attributes = item["attributes"]
            for key in _TEXT_FIELDS[model]:
                attributes[key] = attributes[key].upper()
            if model == "cta":
                attributes["body"] = _shout_document(attributes["body"])
        stack.extend(node.get("children", ()))
    return out


def strip_block_ids(value: Any) -> Any:
    """A copy of a DAST JSON value without the ids and meta of its block records."""
    if isinstance(value, list):
        return [strip_block_ids(v) for v in value]
    if isinstance(value, dict):
        is_record = value.get("type") == "item"
        return {
            k: strip_block_ids(v)
            for k, v in value.items()
            if not (is_record and k in ("id", "meta"))
        }
    return value


def expected_translation(en_value: Any) -> Any:
    """What the ``it`` locale must hold after the upper-casing translation (block ids aside)."""
    return strip_block_ids(_shout_document(en_value))


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")


def shout_tagged(text: str) -> str:
    """A JSON unit's text translated: upper-cased outside its tags."""
    return _TAG_OR_TEXT.sub(lambda m: m.group(1) or m.group(2).upper(), text)


def shout_rich(elem: Any) -> Any:
    """An XLIFF rich string (translate-toolkit's) translated: text upper-cased, every code kept."""
    for i, part in enumerate(elem.sub):
        if isinstance(part, str):
            elem.sub[i] = part.upper()
        else:
            shout_rich(part)
    return elem
