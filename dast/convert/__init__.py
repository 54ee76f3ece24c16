"""Converters: markdown and HTML -> DAST, and DAST -> markdown, HTML and plain text.

Every converter returns a ``Conversion(result, report)``: the converted
value and a ``ConversionReport`` of what the target could not express
(each ``ReportEntry`` says what, where and what was done). ``strict=True``
turns a non-empty report into a ``ConversionError``.

>>> from dast.convert import from_markdown, to_html
>>> doc, report = from_markdown("Hello *world*")
>>> to_html(doc).result
'<p>Hello <em>world</em></p>\\n'
"""

from .from_html import Allowed, AllowedRules, HtmlElement, HtmlHandler, from_html
from .from_markdown import BLOCK_TYPES, MAX_NESTING, Handler, MarkdownContext, from_markdown
from .items import ItemRef, RecordRenderer
from .report import Conversion, ConversionError, ConversionReport, ReportEntry
from .to_html import CodeLanguage, MarkRenderer, NodeRenderer, is_unsafe_url, to_html
from .to_markdown import to_markdown
from .to_text import to_text

__all__ = [
    "BLOCK_TYPES",
    "MAX_NESTING",
    "Allowed",
    "AllowedRules",
    "CodeLanguage",
    "Conversion",
    "ConversionError",
    "ConversionReport",
    "Handler",
    "HtmlElement",
    "HtmlHandler",
    "ItemRef",
    "MarkRenderer",
    "MarkdownContext",
    "NodeRenderer",
    "RecordRenderer",
    "ReportEntry",
    "from_html",
    "from_markdown",
    "is_unsafe_url",
    "to_html",
    "to_markdown",
    "to_text",
]
