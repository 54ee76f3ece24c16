"""A corpus of markdown shapes for ``from_markdown``, and its expected results.

The inputs are random concatenations of markdown pieces (marks, links,
raw HTML, placeholders, lists, quotes, tables, footnotes, entities,
breaks...) drawn with a fixed seed, so the corpus is the same on every
machine. ``markdown_corpus.json`` holds what ``from_markdown`` returned for
each input and option set when the conversion still built every span and
then canonicalized and validated the whole tree (commit ``450ef2a``); the
test ``test_convert_markdown_corpus.py`` checks the fast path builds
exactly that. To write the file again (only for a deliberate change)::

    python -m tests.convert.markdown_corpus > tests/convert/markdown_corpus.json

(a list of expected results in the order of ``cases_of(inputs())``).

>>> len(inputs()), len(cases_of(inputs()))
(160, 280)
"""

from __future__ import annotations

import json
import random
from typing import Any

__all__ = ["OPTIONS", "PIECES", "cases_of", "convert", "inputs"]

PIECES = (
    "*", "_", "**", "__", "`", "``", "[", "]", "](", ")", "](dato:item/12)", "<u>", "</u>",
    "<mark>", "</mark>", "<b>", "</b>", "<em>", "<br>", "<br/>", "\n", "\n\n", "  \n", "\\\n",
    "- ", "* ", "> ", "# ", "## ", "####### ", "==", "~~", "++", "&amp;", "&copy;", "&#65;",
    "1. ", "3) ", "|", " | ", "---", "\n|---|---|\n", '<a href="x">', "<a href='javascript:x'>",
    "</a>", "![", "![a](b.png)", "[^1]", "[^1]: note\n", '[x]: /url "t"\n', "[x]",
    "<!-- block 42 -->", "<!-- c -->", '<span data-dast="inlineItem" data-item="7"></span>',
    "<sup>", "</sup>", "<img src=a>", "<div>", "</div>", "<p align=center>", "</p>", "```",
    "```py title=x\n", "~~~\n", "    ", "\t", "word", "a", "b c", "é", "😀", "\r\n",
    "<details>", "<iframe src=x></iframe>", "\\*", "\\", "!", "http://x.y", "<http://a.b>",
    "<x@y.z>", "  ", "\n- a\n  - b\n    - c\n", "\n> > q\n", "1. a\n2. b\n", "\n***\n",
    "<table><tr><td>x</td></tr></table>", "<ins>", "</ins>", "<s>", "</s>", "<code>",
    "</code>", "`a`", "<", ">", '"', "'", "(", ")", ":", "===\n", "---\n", "    code\n",
    "<script>x</script>", "<strong>", "</strong>",
)  # fmt: skip
"""What the inputs are made of: markdown syntax, raw HTML and plain text."""

OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"allowed_blocks": ["paragraph"]},
    {"allowed_blocks": ["paragraph", "list", "heading"], "allowed_marks": ["strong", "code"]},
    {"allowed_heading_levels": [2, 3], "allowed_marks": []},
)
"""Option sets (JSON-friendly): every input is read with the first, the first 40 with all."""


def inputs(count: int = 160, seed: int = 1234) -> list[str]:
    """The corpus: ``count`` markdown texts of 1 to 40 pieces, drawn with ``seed``.

    >>> inputs(3, seed=1) == inputs(3, seed=1)
    True
    """
    rnd = random.Random(seed)
    return ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 40))) for _ in range(count)]


def convert(text: str, options: dict[str, Any]) -> dict[str, Any]:
    """``from_markdown`` of ``text`` as JSON: the document and the report (or the error).

    >>> convert("*x*", {})["dast"]["document"]["children"][0]["children"]
    [{'type': 'span', 'value': 'x', 'marks': ['emphasis']}]
    """
    from dast.convert import ConversionError, from_markdown

    try:
        doc, report = from_markdown(text, **options)
    except ConversionError as exc:
        return {"error": str(exc)}
    return {"dast": doc.to_json(), "report": report.to_list()}


def cases_of(texts: list[str]) -> list[tuple[int, int]]:
    """The (input index, option set index) pairs the corpus is read with.

    >>> cases_of(["a"])
    [(0, 0), (0, 1), (0, 2), (0, 3)]
    """
    return [
        (index, number)
        for index in range(len(texts))
        for number in range(len(OPTIONS) if index < 40 else 1)
    ]


if __name__ == "__main__":
    texts = inputs()
    expected = [convert(texts[index], OPTIONS[number]) for index, number in cases_of(texts)]
    print(json.dumps(expected, ensure_ascii=False, separators=(",", ":")))
