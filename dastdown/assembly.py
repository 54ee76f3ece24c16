"""The block rules of ``dastdown.lark`` as code: DAST JSON from the line lexer's tokens.

:class:`NodeBuilder` holds one function per grammar rule, each turning the
rule's tokens (and the nodes already built for its sub-rules) into the DAST
JSON dict of its node: lark's transformer (:mod:`dastdown.transformer`)
calls them while its LALR parser runs, and :func:`assemble`, the parse's
fast path, calls them while it reads the same tokens in one loop, without
lark's parser. Attribute trailers are checked here (which keys a node
takes, and their types) and inline text goes through
:class:`~dastdown.inline.InlineScanner`.

This module is compiled with mypyc in the wheel (setup.py ``COMPILED``):
it imports no lark and its classes derive from nothing interpreted (lark's
``Token`` values are read through their ``type``, ``line`` and ``column``
attributes only, typed ``Any`` here), so it compiles the same with or
without lark in the build environment.

>>> from dastdown.parser import _fast_tools
>>> lexer, rules = _fast_tools()
>>> assemble(lexer.tokens("# Hi {style=\\"lead\\"}\\n"), rules)
[{'type': 'heading', 'level': 1, 'children': [{'type': 'span', 'value': 'Hi'}], 'style': 'lead'}]
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any, Final

from dast._build import children_run, new_model
from dast.nodes import ADOPTION_PLANS

from .errors import DastdownParseError
from .inline import InlineScanner
from .lexer import AttributeSyntax, AttributeValue, StructureLexer, decode_string
from .syntax import ATTRIBUTION_KEY, HIGHLIGHT_KEY, LANGUAGE_KEY, STYLE_KEY

__all__ = [
    "BLOCKS",
    "TRAILER_KEYS",
    "BlockRecord",
    "Fallback",
    "NodeBuilder",
    "adopt",
    "assemble",
    "fast_children_of",
]

BlockRecord = tuple[dict[str, Any], int, int]
"""A ``block`` / ``inlineBlock`` node built by a parse, with its line and column."""

BLOCKS: ContextVar[list[BlockRecord] | None] = ContextVar("dastdown_blocks", default=None)
"""Where the running parse collects its block nodes (``None``: it does not)."""

_STRING: Final = "a quoted string"
_NUMBERS: Final = "a list of line numbers such as [0,2]"

TRAILER_KEYS: dict[str, dict[str, str]] = {
    "paragraph": {STYLE_KEY: _STRING},
    "heading": {STYLE_KEY: _STRING},
    "code": {LANGUAGE_KEY: _STRING, HIGHLIGHT_KEY: _NUMBERS},
    "blockquote": {ATTRIBUTION_KEY: _STRING},
}
"""What the trailer of each node type takes: key -> what its value must be.
The keys are the node's optional attributes (a test holds them to the schema
table), in the order the serializer writes them."""


class Fallback(Exception):
    """The tokens are not one of the shapes :func:`assemble` builds: lark parses the text.

    >>> isinstance(Fallback(), Exception)
    True
    """


class NodeBuilder:
    """One method per block rule: the rule's tokens and sub-nodes -> its DAST JSON node.

    ``inline`` scans the text of paragraphs and headings, ``attributes``
    decodes trailers and ``string`` finds the quoted id of a ``BLOCK`` token
    (all three compiled from the loaded grammar, see
    :meth:`dastdown.transformer.DastTransformer.bind`).

    >>> from dastdown.parser import _fast_tools
    >>> _fast_tools()[1].thematic_break([])
    {'type': 'thematicBreak'}
    """

    def __init__(
        self, inline: InlineScanner, attributes: AttributeSyntax, string: re.Pattern[str]
    ) -> None:
        self.inline = inline
        self.attributes = attributes
        self.string = string

    # -- helpers ---------------------------------------------------------------

    def text(self, lines: list[Any]) -> list[dict[str, Any]]:
        """Inline nodes of text lines joined by one space (one empty span if none).

        >>> from dastdown.parser import _fast_tools
        >>> lexer, rules = _fast_tools()
        >>> rules.text(lexer.tokens("a *b*\\n"))[1]
        {'type': 'span', 'value': 'b', 'marks': ['emphasis']}
        """
        text = str(lines[0]) if len(lines) == 1 else " ".join(lines)  # a str, not the token
        children = self.inline.scan(text, lines, BLOCKS.get())
        return children or [{"type": "span", "value": ""}]

    def trailer(self, token: Any, what: str, node_type: str) -> dict[str, AttributeValue]:
        """The entries of a trailer token, checked against what ``node_type`` takes.

        >>> from dastdown.parser import _fast_tools
        >>> _fast_tools()[1].trailer('{style="x"}', "a heading", "heading")
        {'style': 'x'}
        """
        allowed = TRAILER_KEYS[node_type]
        found: dict[str, AttributeValue] = {}
        for key, value, offset in self.attributes.decode(token):
            line: int = getattr(token, "line", None) or 1
            column: int = (getattr(token, "column", None) or 1) + offset
            expected = allowed.get(key)
            if expected is None:
                keys = " and ".join(allowed)
                raise DastdownParseError(
                    f"{what} does not take {key!r} (its trailer takes {keys})", line, column
                )
            if key in found:
                raise DastdownParseError(f"{key!r} is given twice", line, column)
            if (expected == _STRING) != isinstance(value, str):
                raise DastdownParseError(
                    f"{key!r} takes {expected}", line, column + len(key) + 1
                )
            found[key] = value
        return found

    # -- rules -------------------------------------------------------------------

    def paragraph(self, tokens: list[Any]) -> dict[str, Any]:
        """``TEXT CONT* STYLE_LINE?`` or a lone ``LINE_TRAILER``.

        >>> from dastdown.parser import _fast_tools
        >>> lexer, rules = _fast_tools()
        >>> rules.paragraph(lexer.tokens("a\\nb\\n"))["children"]
        [{'type': 'span', 'value': 'a b'}]
        """
        last = tokens[-1]
        node: dict[str, Any] = {"type": "paragraph"}
        kind = last.type
        if kind == "STYLE_LINE" or kind == "LINE_TRAILER":
            node["children"] = (
                self.text(tokens[:-1]) if len(tokens) > 1 else [{"type": "span", "value": ""}]
            )
            style = self.trailer(last, "a paragraph", "paragraph").get(STYLE_KEY)
            if style is not None:
                node["style"] = style
        else:
            node["children"] = self.text(tokens)
        return node

    def heading(self, tokens: list[Any]) -> dict[str, Any]:
        """``HASHES TEXT TRAILER?``.

        >>> from dastdown.parser import _fast_tools
        >>> lexer, rules = _fast_tools()
        >>> rules.heading(lexer.tokens("## T\\n"))["level"]
        2
        """
        node: dict[str, Any] = {
            "type": "heading",
            "level": len(tokens[0]),
            "children": self.text([tokens[1]]),
        }
        if len(tokens) > 2:
            style = self.trailer(tokens[2], "a heading", "heading").get(STYLE_KEY)
            if style is not None:
                node["style"] = style
        return node

    def code(self, tokens: list[Any]) -> dict[str, Any]:
        """``FENCE INFO? TRAILER? CODE_BODY``.

        >>> from dastdown.parser import _fast_tools
        >>> lexer, rules = _fast_tools()
        >>> rules.code(lexer.tokens("```py\\nx\\n```\\n")[:-1])
        {'type': 'code', 'code': 'x', 'language': 'py'}
        """
        node: dict[str, Any] = {"type": "code", "code": str(tokens[-1])}
        language: str | None = None
        for token in tokens[1:-1]:
            if token.type == "INFO":
                language = str(token)
                continue
            entries = self.trailer(token, "a code block", "code")
            if LANGUAGE_KEY in entries:
                if language is not None:
                    raise DastdownParseError(
                        "the language is given twice (after the fence and in the trailer)",
                        token.line or 1,
                        token.column or 1,
                    )
                language = str(entries[LANGUAGE_KEY])
            if HIGHLIGHT_KEY in entries:
                node["highlight"] = list(entries[HIGHLIGHT_KEY])
        if language is not None:
            node["language"] = language
        return node

    def thematic_break(self, tokens: list[Any]) -> dict[str, Any]:
        """``RULE``.

        >>> from dastdown.parser import _fast_tools
        >>> _fast_tools()[1].thematic_break([])["type"]
        'thematicBreak'
        """
        return {"type": "thematicBreak"}

    def block(self, tokens: list[Any]) -> dict[str, Any]:
        """``BLOCK``: ``<block id="..."/>``.

        >>> from dastdown.parser import _fast_tools
        >>> lexer, rules = _fast_tools()
        >>> rules.block(lexer.tokens('<block id="b1"/>\\n'))
        {'type': 'block', 'item': 'b1'}
        """
        token = tokens[0]
        found = self.string.search(token)
        assert found is not None  # (the BLOCK terminal holds one)
        node: dict[str, Any] = {"type": "block", "item": decode_string(found.group())}
        blocks = BLOCKS.get()
        if blocks is not None:
            blocks.append((node, token.line or 1, token.column or 1))
        return node

    def blockquote(self, children: list[Any]) -> dict[str, Any]:
        """Paragraphs, then maybe an ``ATTRIBUTION`` line (a token, the one non-dict).

        >>> from dastdown.parser import _fast_tools
        >>> lexer, rules = _fast_tools()
        >>> rules.blockquote([rules.paragraph(lexer.tokens("q\\n"))])["children"][0]["type"]
        'paragraph'
        """
        node: dict[str, Any] = {"type": "blockquote"}
        last = children[-1]
        if not isinstance(last, dict):
            children = children[:-1]
            entries = self.trailer(last, "a blockquote", "blockquote")
            node["attribution"] = entries[ATTRIBUTION_KEY]
        node["children"] = children
        return node

    def list_item(self, children: list[Any]) -> dict[str, Any]:
        """A list item's paragraphs and lists.

        >>> from dastdown.parser import _fast_tools
        >>> _fast_tools()[1].list_item([])
        {'type': 'listItem', 'children': []}
        """
        return {"type": "listItem", "children": children}

    def list_node(self, children: list[Any]) -> dict[str, Any]:
        """Markers and items: ``(BULLET list_item)+`` or ``(ORDINAL list_item)+``.

        >>> from dastdown.parser import _fast_tools
        >>> lexer, rules = _fast_tools()
        >>> rules.list_node(lexer.tokens("1. a\\n")[:1])
        {'type': 'list', 'style': 'numbered', 'children': []}
        """
        style = "bulleted" if children[0].type == "BULLET" else "numbered"
        return {"type": "list", "style": style, "children": children[1::2]}


# -- the fast path: the grammar's block rules without lark's LALR driver ------------


def fast_children_of(text: str, lexer: StructureLexer, rules: NodeBuilder) -> list[Any] | None:
    """The root children of non-blank ``text`` by :func:`assemble`, or ``None`` (lark decides).

    ``None`` when the tokens are not a shape :func:`assemble` builds or a
    node builder raised :class:`~dastdown.errors.DastdownParseError`: lark's
    parser then reads the text and gives the error of record.

    >>> from dastdown.parser import _fast_tools
    >>> lexer, rules = _fast_tools()
    >>> fast_children_of("---\\n", lexer, rules), fast_children_of("- # h\\n", lexer, rules)
    ([{'type': 'thematicBreak'}], None)
    """
    try:
        return assemble(lexer.tokens(text), rules)
    except (Fallback, DastdownParseError):
        return None



def assemble(tokens: list[Any], rules: NodeBuilder) -> list[Any]:
    """Lark's reductions of ``tokens``, in the same order (:class:`Fallback` when not a document).

    Lists are built in place: the ``list`` rule of the first marker gives
    the node, each item (``list_item`` of no children) is appended to it and
    takes the blocks up to its ``_DEDENT``. A marker of the same kind right
    after an item's ``_DEDENT`` continues the list, as the grammar's
    ``(BULLET list_item _DEDENT)+`` does; anything else in between ends it.

    >>> from dastdown.parser import _fast_tools
    >>> lexer, rules = _fast_tools()
    >>> [node["type"] for node in assemble(lexer.tokens("# T\\n\\n- a\\n"), rules)]
    ['heading', 'list']
    """
    children: list[Any] = []
    root = children
    # The enclosing children, their open list and its marker kind, per open item.
    frames: list[tuple[list[Any], dict[str, Any] | None, str]] = []
    open_list: dict[str, Any] | None = None
    marker = ""
    count = len(tokens)
    i = 0
    while i < count:
        token = tokens[i]
        kind: str = token.type
        if kind == "TEXT":
            j = _paragraph_end(tokens, i + 1, count)
            children.append(rules.paragraph(tokens[i:j]))
            open_list = None
            i = j
        elif kind == "BULLET" or kind == "ORDINAL":
            if open_list is None or marker != kind:
                open_list = rules.list_node([token])
                marker = kind
                children.append(open_list)
            item = rules.list_item([])
            open_list["children"].append(item)
            frames.append((children, open_list, marker))
            children = item["children"]
            open_list = None
            i += 1
        elif kind == "_DEDENT":
            if not frames or not children:
                raise Fallback
            children, open_list, marker = frames.pop()
            i += 1
        elif kind == "LINE_TRAILER":
            children.append(rules.paragraph([token]))
            open_list = None
            i += 1
        elif kind == "_LIST_BREAK":
            open_list = None
            i += 1
        elif frames:
            raise Fallback  # list items hold paragraphs and lists only
        else:
            open_list = None
            i = _root_block(tokens, i, count, rules, root)
    if frames or not root:
        raise Fallback
    return root


def _paragraph_end(tokens: list[Any], j: int, count: int) -> int:
    """Where ``TEXT CONT* STYLE_LINE?`` ends, its ``TEXT`` just before ``j``."""
    while j < count and tokens[j].type == "CONT":
        j += 1
    if j < count and tokens[j].type == "STYLE_LINE":
        j += 1
    return j


def _root_block(tokens: list[Any], i: int, count: int, rules: NodeBuilder, root: list[Any]) -> int:
    """Build the root-only block at ``tokens[i]`` into ``root``; where the next one starts."""
    token = tokens[i]
    kind: str = token.type
    if kind == "HASHES":
        j = i + 2
        if j > count or tokens[i + 1].type != "TEXT":
            raise Fallback
        if j < count and tokens[j].type == "TRAILER":
            j += 1
        root.append(rules.heading(tokens[i:j]))
        return j
    if kind == "FENCE":
        j = i + 1
        if j < count and tokens[j].type == "INFO":
            j += 1
        if j < count and tokens[j].type == "TRAILER":
            j += 1
        if j + 1 >= count or tokens[j].type != "CODE_BODY" or tokens[j + 1].type != "_FENCE_END":
            raise Fallback
        root.append(rules.code(tokens[i : j + 1]))
        return j + 2
    if kind == "RULE":
        root.append(rules.thematic_break([token]))
        return i + 1
    if kind == "BLOCK":
        root.append(rules.block([token]))
        return i + 1
    if kind == "_QUOTE":
        return _blockquote(tokens, i + 1, count, rules, root)
    raise Fallback


def _blockquote(tokens: list[Any], i: int, count: int, rules: NodeBuilder, root: list[Any]) -> int:
    """``_QUOTE _QUOTE_BREAK* paragraph (paragraph | _QUOTE_BREAK)* _UNQUOTE ATTRIBUTION?``."""
    parts: list[Any] = []
    while True:
        if i >= count:
            raise Fallback
        token = tokens[i]
        kind: str = token.type
        if kind == "TEXT":
            j = _paragraph_end(tokens, i + 1, count)
            parts.append(rules.paragraph(tokens[i:j]))
            i = j
        elif kind == "LINE_TRAILER":
            parts.append(rules.paragraph([token]))
            i += 1
        elif kind == "_QUOTE_BREAK":
            i += 1
        elif kind == "_UNQUOTE" and parts:
            i += 1
            break
        else:
            raise Fallback
    if i < count and tokens[i].type == "ATTRIBUTION":
        parts.append(tokens[i])
        i += 1
    root.append(rules.blockquote(parts))
    return i


# -- the models of the parse's own JSON ---------------------------------------------


def adopt(data: dict[str, Any]) -> Any:
    """The node model of the parse's DAST JSON ``data``, built in place, at any depth.

    What ``load_document`` builds from the same JSON (the same classes,
    values and ``model_fields_set``), for JSON the parse made (valid by
    construction, as the tests of the parse check against
    ``load_document``) and gives up: nothing is checked again, each node
    dict whose keys come in field order becomes its model's ``__dict__``
    (:data:`dast.nodes.ADOPTION_PLANS`), and ``data`` must not be read
    afterwards. Two passes: the nodes breadth first, then the models from
    the end of that list, where each node's children come in one run (last
    child first). Compiled, a node costs a third less than
    :func:`dast.nodes.build_deep_node`'s checked copy.

    >>> from dastdown.parser import fast_children
    >>> item = adopt({"type": "root", "children": fast_children("- a\\n")}).children[0].children[0]
    >>> item.children[0].children, item.model_fields_set == {"type", "children"}
    ((Span(type='span', value='a', marks=None),), True)
    """
    order: list[dict[str, Any]] = [data]  # grows as it is read
    index = 0
    while index < len(order):
        kids = order[index].get("children")
        if kids is not None:
            order.extend(kids)
        index += 1
    plans = ADOPTION_PLANS
    built: list[Any] = []  # the models made: each parent's children in a run
    taken = 0  # the models taken by their parents so far
    index = len(order)
    while index:  # children before their parents
        index -= 1
        fields = order[index]
        cls, fills, conversions, template = plans[fields["type"]]
        fields_set = set(fields)
        fill = fills.get(tuple(fields))
        if fill is None:  # keys in another order: a copy in field order
            node = fields
            fields = template.copy()
            fields.update(node)
        elif fill:
            for key, default in fill:
                fields[key] = default
        if conversions:
            for key, convert in conversions:
                value = fields[key]
                if value is not None:
                    fields[key] = convert(value)
        kids = fields.get("children")
        if kids is not None:
            count = len(kids)
            fields["children"] = children_run(built, taken, count)
            taken += count
        built.append(new_model(cls, fields, fields_set))
    return built[-1]
