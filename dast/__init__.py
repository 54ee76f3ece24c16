"""dast: the DatoCMS Structured Text (DAST) node model, validation and walkers.

What users need, by task (everything else lives in its own module):

Documents and nodes (``dast.nodes``)
    ``Document`` and one frozen class per node type: ``Root``, ``Paragraph``,
    ``Heading``, ``List``, ``ListItem``, ``Blockquote``, ``Code``,
    ``ThematicBreak``, ``Block``, ``Span``, ``Link``, ``ItemLink``,
    ``InlineItem``, ``InlineBlock``, ``MetaEntry``; the unions ``Node``,
    ``InlineNode``, ``RootChild``, ``ListItemChild``. ``node.replace(...)``
    changes a node and validates the result.
Reading and checking (``dast.load``, ``dast.validate``, ``dast.canonical``)
    ``load_document``, ``dump_document``, ``validate`` (never raises; a
    ``ValidationReport`` of ``Problem`` entries), ``ensure_valid``,
    ``canonicalize``, ``is_canonical``.
Walking and rewriting (``dast.walk``)
    ``for_each_node``, ``collect_nodes``, ``find_first_node``, ``some_node``,
    ``every_node``, ``reduce_nodes``, ``map_nodes``, ``filter_nodes``, each
    with an ``_async`` twin; ``Match``.
Type guards (``dast.guards``)
    ``is_paragraph`` ... one per node type, ``is_inline_node``,
    ``has_children``, ``is_block_with_item_of_type``,
    ``is_inline_block_with_item_of_type``, ``item_type_id``,
    ``is_empty_document``.
Fields, repair, diff, review (``dast.fields``, ``dast.repair``, ``dast.diff``, ``dast.review``)
    ``FieldSettings`` (a structured text field's allowed nodes, marks,
    heading levels, block and link models, required, length; read from a
    CMA field resource), checked by ``validate(doc, field=settings)``. In
    their modules: ``repair`` (almost-valid trees to valid ones, with a
    ``RepairReport``), ``diff`` / ``apply_diff`` / ``format_diff`` (a
    structural diff as operations with paths), ``render_review`` /
    ``write_review`` / ``review_text`` (many before/after pairs as one HTML
    page or a text report).
Looking (``dast.inspector``)
    ``inspect``: an ASCII tree of a document.
Errors (``dast.errors``)
    ``DastError``, the base of every error raised on purpose;
    ``DastValidationError`` (``.problems``); ``WalkError``.

Elsewhere: the schema as data (``dast.definitions``), walker callback types
(``dast.walk``), paths (``dast.errors``), terse builders (``dast.builders``),
block records and update payloads (``dast.cma``), converters
(``dast.convert``).

>>> from dast import load_document, validate
>>> doc = load_document({"schema": "dast", "document": {"type": "root",
...     "children": [{"type": "thematicBreak"}]}})
>>> doc.to_json()["document"]
{'type': 'root', 'children': [{'type': 'thematicBreak'}]}
>>> validate({"schema": "dast", "document": {"type": "root", "children": []}}).valid
False
"""

from importlib import import_module

from .canonical import canonicalize, is_canonical
from .errors import DastError, DastValidationError, Problem
from .fields import FieldSettings
from .guards import (
    has_children,
    is_block,
    is_block_with_item_of_type,
    is_blockquote,
    is_code,
    is_empty_document,
    is_heading,
    is_inline_block,
    is_inline_block_with_item_of_type,
    is_inline_item,
    is_inline_node,
    is_item_link,
    is_link,
    is_list,
    is_list_item,
    is_paragraph,
    is_root,
    is_span,
    is_thematic_break,
    item_type_id,
)
from .inspector import inspect
from .load import dump_document, ensure_valid, load_document
from .nodes import (
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
    ListItemChild,
    MetaEntry,
    Node,
    Paragraph,
    Root,
    RootChild,
    Span,
    ThematicBreak,
)
from .validate import ValidationReport, validate
from .walk import (
    Match,
    WalkError,
    collect_nodes,
    collect_nodes_async,
    every_node,
    every_node_async,
    filter_nodes,
    filter_nodes_async,
    find_first_node,
    find_first_node_async,
    for_each_node,
    for_each_node_async,
    map_nodes,
    map_nodes_async,
    reduce_nodes,
    reduce_nodes_async,
    some_node,
    some_node_async,
)

__all__ = [  # grouped by task in the module docstring
    "Block",
    "Blockquote",
    "Code",
    "DastError",
    "DastValidationError",
    "Document",
    "FieldSettings",
    "Heading",
    "InlineBlock",
    "InlineItem",
    "InlineNode",
    "ItemLink",
    "Link",
    "List",
    "ListItem",
    "ListItemChild",
    "Match",
    "MetaEntry",
    "Node",
    "Paragraph",
    "Problem",
    "Root",
    "RootChild",
    "Span",
    "ThematicBreak",
    "ValidationReport",
    "WalkError",
    "canonicalize",
    "collect_nodes",
    "collect_nodes_async",
    "dump_document",
    "ensure_valid",
    "every_node",
    "every_node_async",
    "filter_nodes",
    "filter_nodes_async",
    "find_first_node",
    "find_first_node_async",
    "for_each_node",
    "for_each_node_async",
    "has_children",
    "inspect",
    "is_block",
    "is_block_with_item_of_type",
    "is_blockquote",
    "is_canonical",
    "is_code",
    "is_empty_document",
    "is_heading",
    "is_inline_block",
    "is_inline_block_with_item_of_type",
    "is_inline_item",
    "is_inline_node",
    "is_item_link",
    "is_link",
    "is_list",
    "is_list_item",
    "is_paragraph",
    "is_root",
    "is_span",
    "is_thematic_break",
    "item_type_id",
    "load_document",
    "map_nodes",
    "map_nodes_async",
    "reduce_nodes",
    "reduce_nodes_async",
    "some_node",
    "some_node_async",
    "validate",
]

# Names that earlier versions exported from the package root, and the module
# that owns each now. They still resolve (scripts written against those
# versions keep working) but are not part of the root's surface.
_MOVED: dict[str, str] = {
    **dict.fromkeys(
        (
            "ALLOWED_ATTRIBUTES",
            "ALLOWED_CHILDREN",
            "BLOCK_NODE_TYPES",
            "CANONICAL_MARK_ORDER",
            "DEFAULT_MARKS",
            "HEADING_LEVELS",
            "INLINE_NODE_TYPES",
            "LEAF_NODE_TYPES",
            "LIST_STYLES",
            "NODE_TYPES",
            "NODE_TYPES_WITH_CHILDREN",
            "OPTIONAL_ATTRIBUTES",
            "REQUIRED_ATTRIBUTES",
            "ROOT_CHILD_TYPES",
            "SCHEMA",
        ),
        "dast.definitions",
    ),
    **dict.fromkeys(("NODE_CLASS_BY_TYPE", "BlockItem", "NodeWithChildren"), "dast.nodes"),
    **dict.fromkeys(("Path", "format_path", "json_pointer"), "dast.errors"),
    **dict.fromkeys(("RULE_CODES", "unwrap_document"), "dast.validate"),
    **dict.fromkeys(
        (
            "AsyncMapper",
            "AsyncPredicate",
            "AsyncReducer",
            "AsyncVisitor",
            "MapResult",
            "Mapper",
            "Predicate",
            "Reducer",
            "Visitor",
        ),
        "dast.walk",
    ),
    "BlockFormatter": "dast.inspector",
}


def __getattr__(name: str) -> object:
    """Resolve a name that moved from the package root to the module that owns it.

    >>> import dast
    >>> dast.DEFAULT_MARKS[0]
    'strong'
    """
    owner = _MOVED.get(name)
    if owner is None:
        raise AttributeError(f"module 'dast' has no attribute {name!r}")
    return getattr(import_module(owner), name)
