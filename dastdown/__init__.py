"""dastdown: a lossless markdown-like text form of DAST documents.

``serialize`` writes a document as dastdown text, ``parse`` reads it back
(``parse(text, original)`` puts the original block records back), and
``canonicalize`` gives the canonical form both work in:
``parse(serialize(doc)) == canonicalize(doc)`` for every valid document.

>>> from dastdown import parse, serialize
>>> doc = parse("# Hello\\n\\nSome **bold** text.\\n")
>>> serialize(doc)
'# Hello\\n\\nSome **bold** text.\\n'
>>> parse(serialize(doc)) == doc
True
"""

from dast.canonical import canonicalize, is_canonical

from .errors import DastdownParseError, DastdownSerializeError, DastdownUnknownBlockError
from .parser import parse
from .serializer import serialize

__all__ = [
    "DastdownParseError",
    "DastdownSerializeError",
    "DastdownUnknownBlockError",
    "canonicalize",
    "is_canonical",
    "parse",
    "serialize",
]
