"""The review page: its structure (parsed with html.parser), its escaping, the text report."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import dast.builders as b
from dast.errors import DastValidationError
from dast.review import ReviewEntry, render_review, review_text, write_review

EVIL = '<script>alert("x")</script> & "quotes" \'single\' <img src=x onerror=alert(1)>'

VOID = {"meta", "hr", "br", "img", "input", "link"}


class _Page(HTMLParser):
    """Collects every element (tag, attributes, text inside) and checks nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = (tag, dict(attrs), [])
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        opened = self.stack.pop()
        assert opened[0] == tag, f"<{opened[0]}> closed by </{tag}>"

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for element in self.stack:
            element[2].append(data)

    def find(self, tag: str, css: str | None = None) -> list[tuple[str, dict[str, Any], str]]:
        found = []
        for name, attrs, texts in self.elements:
            if name == tag and (css is None or css in (attrs.get("class") or "").split()):
                found.append((name, attrs, "".join(texts)))
        return found


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert not parser.stack, f"unclosed: {[e[0] for e in parser.stack]}"
    return parser


@pytest.fixture(scope="module")
def entries() -> list[Any]:
    before = b.doc(
        b.h(1, EVIL),
        b.p("The quick brown fox", b.link("javascript:alert(1)", "bad link")),
        b.ul(b.li("one"), b.li("two")),
        b.block({"id": EVIL, "item_type": {"id": "cta"}, "label": EVIL}),
        b.hr(),
    )
    after = b.doc(
        b.h(2, EVIL),
        b.p("The quick red fox", b.link("https://ok.example/?a=1&b=2", "bad link")),
        b.ul(b.li("two"), b.li("one"), b.li(EVIL)),
        b.block({"id": EVIL, "item_type": {"id": "cta"}, "label": "calm"}),
    )
    return [
        ReviewEntry(f"record {EVIL}", "content (en)", before, after),
        ("same record", "title", before, before),
        ("new record", "content (it)", None, after),
    ]


def test_page_structure(entries: list[Any]) -> None:
    page = _parse(render_review(entries, title=f"Review {EVIL}"))
    assert page.find("title")[0][2] == f"Review {EVIL}"
    rows = page.find("tr", "diff") + page.find("tr", "same")
    assert len(rows) == 3
    hrefs = [attrs.get("href") or "" for _, attrs, _ in page.find("a")]
    links = [href for href in hrefs if href.startswith("#")]
    sections = [attrs["id"] for _, attrs, _ in page.find("section", "entry")]
    assert links == ["#" + s for s in sections] and len(sections) == 3
    assert [text for _, _, text in page.find("h3")] == ["Before", "After"] * 3
    assert page.find("del")[0][2] == "brown" and page.find("ins")[0][2] == "red"
    labels = {text for _, _, text in page.find("span", "badge")}
    assert {"moved", "inserted", "removed", "level: 1 → 2"} <= labels
    assert any("changed: label" in label for label in labels)
    assert page.find("tr", "same")[0][2].endswith("no change")
    assert "2 of 3 fields changed" in page.find("p", "total")[0][2]


def test_everything_is_escaped(entries: list[Any]) -> None:
    text = render_review(entries, title=EVIL)
    page = _parse(text)
    assert "<script" not in text and "<img" not in text
    assert not page.find("script") and not page.find("img")
    assert not any(name.startswith("on") for _, attrs, _ in page.elements for name in attrs)
    hrefs = [attrs.get("href") for _, attrs, _ in page.find("a")]
    assert "javascript:alert(1)" not in hrefs  # kept as a title only, not a live link
    assert "https://ok.example/?a=1&b=2" in hrefs
    assert sum(EVIL in t for t in page.texts) >= 5  # the text itself survives, as text


def test_text_report(entries: list[Any]) -> None:
    report = review_text(entries)
    lines = report.splitlines()
    assert lines[0].startswith(f"== record {EVIL} · content (en): ")
    assert "== same record · title: no change" in lines
    assert "== new record · content (it): 4 changes" in lines  # one insert per root child
    assert any('text "The quick [-brown-]{+red+} fox"' in line for line in lines)
    assert "\x1b[" in review_text(entries, color=True)


def test_write_review(tmp_path: Path, entries: list[Any]) -> None:
    target = tmp_path / "review.html"
    write_review(target, entries)
    assert target.read_text(encoding="utf-8") == render_review(entries)
    assert [p.name for p in tmp_path.iterdir()] == ["review.html"]


def test_invalid_documents_name_the_entry() -> None:
    bad = {"schema": "dast", "document": {"type": "root", "children": []}}
    with pytest.raises(DastValidationError) as caught:
        render_review([("post 7", "body", bad, None)])
    assert caught.value.source == "post 7 body (before)"


def test_deep_documents_render() -> None:
    inner: Any = b.li("deep")
    for _ in range(3000):
        inner = b.li(b.p("x"), b.ul(inner))
    page = render_review([("deep", "body", b.doc(b.ul(inner)), b.doc(b.p("flat")))])
    assert page.count("<ul") >= 3000
