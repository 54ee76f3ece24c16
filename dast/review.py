"""Review many rewrites at once: a text report, or one self-contained HTML page.

Each ``ReviewEntry`` is one field of one record before and after a change
(a label for the record, a label for the field, two documents).
``review_text(entries)`` gives the structural diff of each, as
``dastdown diff`` prints it; ``render_review(entries)`` gives a static HTML
page (no scripts, no network: styles inline) with a summary table linking
to each entry, then per entry the list of changes and the two documents
rendered side by side, deleted text struck through on the left, inserted
text underlined on the right, removed / inserted / moved / replaced nodes
and changed marks and attributes labelled. ``write_review(path, entries)``
writes it. Everything taken from the documents (text, urls, ids, records)
is escaped; links keep their ``href`` only for http(s) and mailto urls.

``dastdown diff A B --html review.html`` and ``dastdown push --dry-run
--html review.html`` use these functions.

>>> import dast.builders as b
>>> entry = ReviewEntry("article 42", "content (en)", b.doc(b.p("Hi <there>")), b.doc(b.p("Hi")))
>>> print(review_text([entry]))
== article 42 · content (en): 1 change
children[0].children[0]: text "Hi[- <there>-]"
>>> page = render_review([entry])
>>> "&lt;there&gt;" in page and "<there>" not in page
True
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from .diff import (
    AttributeChange,
    DocumentDiff,
    DocumentLike,
    Insert,
    MarksChange,
    Move,
    Notes,
    Operation,
    Remove,
    Replace,
    TextEdit,
    describe,
    diff_roots,
    format_diff,
    json_root,
    record_change,
)
from .guards import item_type_id

__all__ = ["ReviewEntry", "render_review", "review_text", "write_review"]

JsonNode = dict[str, Any]


@dataclass(frozen=True)
class ReviewEntry:
    """One field of one record, before and after (documents in any accepted shape).

    >>> ReviewEntry("post 1", "body", None, None).label
    'post 1'
    """

    label: str
    field: str
    before: DocumentLike
    after: DocumentLike


EntryLike = ReviewEntry | tuple[str, str, DocumentLike, DocumentLike]
"""A ``ReviewEntry`` or a ``(label, field, before, after)`` tuple."""


def _entries(entries: Iterable[EntryLike]) -> list[ReviewEntry]:
    return [e if isinstance(e, ReviewEntry) else ReviewEntry(*e) for e in entries]


def _summary(changes: DocumentDiff) -> str:
    if changes.equal:
        return "no change"
    n = len(changes)
    return f"{n} change" + ("" if n == 1 else "s")


def review_text(entries: Iterable[EntryLike], color: bool = False) -> str:
    """The structural diff of every entry: a header line, then one line per change.

    >>> import dast.builders as b
    >>> print(review_text([("a", "f", b.doc(b.p("x")), b.doc(b.p("x")))]))
    == a · f: no change
    """
    blocks: list[str] = []
    for entry in _entries(entries):
        changes = diff_roots(
            json_root(entry.before, f"{entry.label} {entry.field} (before)"),
            json_root(entry.after, f"{entry.label} {entry.field} (after)"),
        )
        head = f"== {entry.label} · {entry.field}: {_summary(changes)}"
        blocks.append(head if changes.equal else f"{head}\n{format_diff(changes, color)}")
    return "\n".join(blocks)


# --- the page -----------------------------------------------------------------------------

_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;
  padding:1rem 2rem;color:#1d1d1f;background:#fafafa}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin:0 0 .5rem}
table.summary{border-collapse:collapse;margin-bottom:2rem;width:100%;background:#fff}
.summary th,.summary td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}
.summary tr.same td{color:#777}
section.entry{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0 0 2rem;padding:1rem}
ul.ops{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f4f4f4;
  padding:.5rem .5rem .5rem 1.5rem;white-space:pre-wrap;word-break:break-word}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.side{border:1px solid #e3e3e3;border-radius:4px;padding:0 1rem;overflow-wrap:anywhere}
.side h3{font-size:.8rem;text-transform:uppercase;color:#666;letter-spacing:.05em}
del{background:#fdd;color:#900;text-decoration:line-through}
ins{background:#dfd;color:#060;text-decoration:underline}
.removed{outline:2px solid #e66;background:#fff0f0}
.inserted{outline:2px solid #5b5;background:#f0fff0}
.moved{outline:2px dashed #58c}.replaced{outline:2px solid #c80}
.changed{outline:2px dotted #c80}
.badge{display:inline-block;font:11px/1.6 ui-monospace,monospace;background:#444;color:#fff;
  border-radius:3px;padding:0 .35rem;margin:0 .3rem;vertical-align:middle}
.block{border:1px solid #bbb;border-radius:4px;padding:.3rem .6rem;margin:.5rem 0;
  background:#f7f7ff;font-size:13px}
.inline-item,.inline-block,.item-link{background:#eef;border-radius:3px;padding:0 .2rem}
pre{background:#f6f6f6;padding:.5rem;overflow:auto}
blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1rem}
.empty{color:#999;font-style:italic}
"""

_MARK_TAGS: Mapping[str, str] = {
    "strong": "strong",
    "emphasis": "em",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "highlight": "mark",
}

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_review(entries: Iterable[EntryLike], title: str = "Review of changes") -> str:
    """A self-contained HTML page reviewing every entry (see the module docstring).

    >>> import dast.builders as b
    >>> page = render_review([("post <1>", "body", b.doc(b.h(1, "T")), b.doc(b.h(2, "T")))])
    >>> page.startswith("<!DOCTYPE html>"), "post &lt;1&gt;" in page, "<script" in page
    (True, True, False)
    """
    items = _entries(entries)
    sections: list[str] = []
    rows: list[str] = []
    total = 0
    for n, entry in enumerate(items, 1):
        anchor = f"entry-{n}"
        notes: Notes = {}
        before = json_root(entry.before, f"{entry.label} {entry.field} (before)")
        after = json_root(entry.after, f"{entry.label} {entry.field} (after)")
        changes = diff_roots(before, after, notes)
        total += not changes.equal
        counts = ", ".join(f"{v} {k}" for k, v in sorted(changes.counts().items()))
        rows.append(
            f'<tr class="{"same" if changes.equal else "diff"}">'
            f'<td><a href="#{anchor}">{_e(entry.label)}</a></td><td>{_e(entry.field)}</td>'
            f"<td>{_e(_summary(changes))}{f' ({_e(counts)})' if counts else ''}</td></tr>"
        )
        ops = "".join(
            f"<li>{_e(describe(op))}</li>" for op in sorted(changes, key=lambda op: op.path)
        )
        sections.append(
            f'<section class="entry" id="{anchor}">'
            f"<h2>{_e(entry.label)} · {_e(entry.field)}</h2>"
            + (f'<ul class="ops">{ops}</ul>' if ops else '<p class="empty">no change</p>')
            + '<div class="sides">'
            + f'<div class="side before"><h3>Before</h3>{_render(before, notes, "before")}</div>'
            + f'<div class="side after"><h3>After</h3>{_render(after, notes, "after")}</div>'
            + "</div></section>"
        )
    head = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f'<p class="total">{total} of {len(items)} fields changed</p>'
        '<table class="summary"><thead><tr><th>Record</th><th>Field</th><th>Changes</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return head + "".join(sections) + "</body></html>\n"


def write_review(
    path: str | os.PathLike[str], entries: Iterable[EntryLike], title: str = "Review of changes"
) -> None:
    """Write ``render_review(entries, title)`` to ``path`` (UTF-8, replaced atomically).

    >>> import dast.builders as b, pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_review(pathlib.Path(d) / "r.html", [("a", "f", b.doc(b.p("x")), None)])
    ...     "removed" in (pathlib.Path(d) / "r.html").read_text(encoding="utf-8")
    True
    """
    target = FsPath(path)
    data = render_review(entries, title).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".review-", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- one document, with the changes marked ------------------------------------------------


def _labels(entries: Sequence[tuple[str, Operation]], side: str) -> tuple[str, list[str], Any]:
    """The CSS class, the badges and the text edit of a node on one side."""
    css = ""
    badges: list[str] = []
    text: Any = None
    for where, op in entries:
        if where != side:
            continue
        if isinstance(op, Remove):
            css, badge = "removed", "removed"
        elif isinstance(op, Insert):
            css, badge = "inserted", "inserted"
        elif isinstance(op, Move):
            css, badge = "moved", "moved"
        elif isinstance(op, Replace):
            css, badge = "replaced", "replaced" if side == "before" else "replacement"
        elif isinstance(op, TextEdit):
            text = op
            if op.attribute == "value":
                continue
            css, badge = css or "changed", "code changed"
        elif isinstance(op, MarksChange):
            old = ", ".join(op.old or ()) or "none"
            new = ", ".join(op.new or ()) or "none"
            css, badge = css or "changed", f"marks: {old} → {new}"
        else:
            assert isinstance(op, AttributeChange)
            if isinstance(op.old, Mapping) and isinstance(op.new, Mapping):
                badge = record_change(op.old, op.new)
            else:
                badge = f"{op.attribute}: {_short(op.old)} → {_short(op.new)}"
            css = css or "changed"
        badges.append(badge)
    return css, badges, text


def _short(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, Mapping):
        return f"record {value.get('id', '(new)')}"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _badges(badges: list[str]) -> str:
    return "".join(f'<span class="badge">{_e(b)}</span>' for b in badges)


def _edited_text(value: str, op: TextEdit | None, side: str) -> str:
    """A text with the edit's deletions (before) or insertions (after) marked."""
    if op is None:
        return _e(value)
    parts: list[str] = []
    if side == "before":
        at = 0
        for start, end, _new in op.edits:
            parts.append(_e(op.old[at:start]))
            if end > start:
                parts.append(f"<del>{_e(op.old[start:end])}</del>")
            at = end
        parts.append(_e(op.old[at:]))
    else:
        at = 0  # position in old
        for start, end, new in op.edits:
            parts.append(_e(op.old[at:start]))
            if new:
                parts.append(f"<ins>{_e(new)}</ins>")
            at = end
        parts.append(_e(op.old[at:]))
    return "".join(parts)


def _open(node: JsonNode, css: str, badges: list[str]) -> tuple[str, str]:
    """The opening and closing HTML of one node (children go between)."""
    t = node.get("type")
    cls = f' class="{css}"' if css else ""
    tag = {"paragraph": "p", "listItem": "li", "blockquote": "blockquote"}.get(str(t))
    if t == "root":
        return "", ""
    if tag is not None:
        return f"<{tag}{cls}>{_badges(badges)}", _attribution(node) + f"</{tag}>"
    if t == "heading":
        level = node.get("level", 1)
        return f"<h{level}{cls}>{_badges(badges)}", f"</h{level}>"
    if t == "list":
        tag = "ol" if node.get("style") == "numbered" else "ul"
        return f"<{tag}{cls}>{_badges(badges)}", f"</{tag}>"
    if t == "link":
        url = str(node.get("url", ""))
        href = f' href="{_e(url)}"' if url.lower().startswith(_SAFE_SCHEMES) else ""
        return (
            f'<a{cls}{href} title="{_e(url)}" rel="noopener noreferrer">{_badges(badges)}',
            "</a>",
        )
    if t == "itemLink":
        rid = node.get("item")
        return (
            f'<span class="item-link {css}" title="link to record {_e(rid)}">{_badges(badges)}',
            "</span>",
        )
    return f"<span{cls}>", "</span>"


def _attribution(node: JsonNode) -> str:
    attribution = node.get("attribution") if node.get("type") == "blockquote" else None
    return f"<footer>— {_e(attribution)}</footer>" if attribution else ""


def _leaf(node: JsonNode, css: str, badges: list[str], text: TextEdit | None, side: str) -> str:
    t = node.get("type")
    cls = f' class="{css}"' if css else ""
    if t == "span":
        inner = _edited_text(str(node.get("value", "")), text, side)
        for mark in reversed(node.get("marks") or ()):
            tag = _MARK_TAGS.get(mark)
            if tag is None:
                inner = f'<span class="mark" data-mark="{_e(mark)}">{inner}</span>'
            else:
                inner = f"<{tag}>{inner}</{tag}>"
        if css or badges:
            return f"<span{cls}>{inner}{_badges(badges)}</span>"
        return inner
    if t == "code":
        code = _edited_text(str(node.get("code", "")), text, side)
        lang = node.get("language")
        label = f' data-language="{_e(lang)}"' if lang else ""
        return f"<pre{cls}>{_badges(badges)}<code{label}>{code}</code></pre>"
    if t == "thematicBreak":
        return f"<hr{cls}>{_badges(badges)}" if badges else f"<hr{cls}>"
    item = node.get("item")
    rid = item.get("id", "(new)") if isinstance(item, Mapping) else item
    model = item_type_id(item)
    described = f"record {rid}" + (f" · model {model}" if model else "")
    if t == "block":
        details = ""
        if isinstance(item, Mapping):
            shown = json.dumps(item, ensure_ascii=False, indent=1, default=str)
            details = f"<details><summary>fields</summary><pre>{_e(shown)}</pre></details>"
        return (
            f'<div class="block {css}">{_badges(badges)}Block: {_e(described)}{details}</div>'
        )
    kind = "inline-block" if t == "inlineBlock" else "inline-item"
    what = "inline block" if t == "inlineBlock" else "inline record"
    return f'<span class="{kind} {css}">[{what}: {_e(described)}]{_badges(badges)}</span>'


def _render(root: JsonNode, notes: Notes, side: str) -> str:
    """One document as HTML, the notes of ``side`` marked; iterative (any depth)."""
    if not root.get("children"):
        return '<p class="empty">(empty)</p>'
    out: list[str] = []
    stack: list[JsonNode | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        css, badges, text = _labels(notes.get(id(item), ()), side)
        kids = item.get("children")
        if kids:
            opening, closing = _open(item, css, badges)
            out.append(opening)
            stack.append(closing)
            stack.extend(reversed(kids))
        else:
            out.append(_leaf(item, css, badges, text, side))
    return "".join(out)
