"""dast.translate: translate documents without losing marks, links or blocks.

- :mod:`~dast.translate.segments`: cut a document into segments with inline
  codes (:func:`extract_segments`) and rebuild it from checked translations
  (:func:`apply_segments`);
- :mod:`~dast.translate.xliff`: XLIFF 1.2 for translation tools;
- :mod:`~dast.translate.units`: compact JSON units for language models.

>>> import dast.builders as b
>>> [s.tagged() for s in extract_segments(b.doc(b.p("Hi ", b.strong("you"))))]
['Hi <1>you</1>']
"""

from .segments import (
    TEXT_FIELD_TYPES,
    CodeKind,
    End,
    InlineCode,
    Segment,
    SegmentKind,
    SegmentProblem,
    Standalone,
    Start,
    Token,
    Translation,
    TranslationError,
    TranslationReport,
    TranslationResult,
    apply_segments,
    check_translation,
    extract_segments,
    is_text_field,
    split_text,
)
from .units import UnitError, decode_tags, encode_tags, segment_unit, translations_from_units
from .xliff import (
    XliffDocument,
    XliffError,
    XliffFile,
    XliffFileContent,
    XliffUnit,
    read_xliff,
    write_xliff,
)

__all__ = [
    "TEXT_FIELD_TYPES",
    "CodeKind",
    "End",
    "InlineCode",
    "Segment",
    "SegmentKind",
    "SegmentProblem",
    "Standalone",
    "Start",
    "Token",
    "Translation",
    "TranslationError",
    "TranslationReport",
    "TranslationResult",
    "UnitError",
    "XliffDocument",
    "XliffError",
    "XliffFile",
    "XliffFileContent",
    "XliffUnit",
    "apply_segments",
    "check_translation",
    "decode_tags",
    "encode_tags",
    "extract_segments",
    "is_text_field",
    "read_xliff",
    "segment_unit",
    "split_text",
    "translations_from_units",
    "write_xliff",
]
