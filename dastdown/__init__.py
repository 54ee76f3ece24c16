"""dastdown: a lossless markdown-like text form of DAST documents.

``serialize`` writes a document as dastdown text, ``parse`` reads it back
(``parse_json`` reads it as DAST JSON, without the models;
``parse(text, original)`` puts the original block records back;
``parse_with_report`` also accounts for every record of the original, and
``strict=True`` makes a lost or duplicated record an error), and
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

from .errors import (
    DastdownIntegrityError,
    DastdownParseError,
    DastdownPlaceholderError,
    DastdownSerializeError,
    DastdownUnknownBlockError,
)
from .integrity import IntegrityProblem, IntegrityReport
from .parser import parse, parse_json, parse_with_report
from .serializer import serialize

__all__ = [
    "DastdownIntegrityError",
    "DastdownParseError",
    "DastdownPlaceholderError",
    "DastdownSerializeError",
    "DastdownUnknownBlockError",
    "IntegrityProblem",
    "IntegrityReport",
    "canonicalize",
    "is_canonical",
    "parse",
    "parse_json",
    "parse_with_report",
    "serialize",
]
