"""``from_html(..., allowed=FieldSettings)``: the output obeys the field it is meant for."""

from __future__ import annotations

from dast.convert.from_html import from_html
from dast.fields import FieldSettings
from dast.validate import validate

PAGE = """
<h1>Title</h1><h3>Sub</h3>
<p>Some <strong>bold</strong>, <em>em</em> and <code>code</code>.</p>
<ul><li>one</li><li>two</li></ul>
<blockquote><p>quoted</p></blockquote>
<pre><code class="language-py">x = 1</code></pre>
<hr>
"""


def test_html_converted_for_a_field_passes_the_field_check() -> None:
    field = FieldSettings(
        nodes=frozenset({"heading"}),
        marks=frozenset({"strong"}),
        heading_levels=frozenset({2}),
    )
    doc, report = from_html(PAGE, allowed=field)
    assert validate(doc, field=field).valid, validate(doc, field=field)
    assert report.entries  # every degradation is listed
    text = doc.to_json()
    for word in ("Title", "Sub", "bold", "em", "one", "two", "quoted", "x = 1"):
        assert word in str(text)


def test_without_settings_everything_stays() -> None:
    doc, _ = from_html(PAGE, allowed=FieldSettings())
    kinds = [c.type for c in doc.document.children]
    assert {"heading", "list", "blockquote", "code", "thematicBreak"} <= set(kinds)
