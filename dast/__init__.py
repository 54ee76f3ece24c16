"""dast: the DatoCMS Structured Text (DAST) node model, validation and walkers.

>>> from dast import load_document
>>> load_document({"schema": "dast", "document": {"type": "root",
...     "children": [{"type": "thematicBreak"}]}}).to_json()["document"]
{'type': 'root', 'children': [{'type': 'thematicBreak'}]}
"""

from .errors import DastError, DastValidationError, Path, Problem, format_path, json_pointer
from .load import dump_document, load_document, unwrap_document
from .nodes import (
    Block,
    BlockItem,
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
    NodeWithChildren,
    Paragraph,
    Root,
    RootChild,
    Span,
    ThematicBreak,
)

__all__ = [
    "Block",
    "BlockItem",
    "Blockquote",
    "Code",
    "DastError",
    "DastValidationError",
    "Document",
    "Heading",
    "InlineBlock",
    "InlineItem",
    "InlineNode",
    "ItemLink",
    "Link",
    "List",
    "ListItem",
    "ListItemChild",
    "MetaEntry",
    "Node",
    "NodeWithChildren",
    "Paragraph",
    "Path",
    "Problem",
    "Root",
    "RootChild",
    "Span",
    "ThematicBreak",
    "dump_document",
    "format_path",
    "json_pointer",
    "load_document",
    "unwrap_document",
]
