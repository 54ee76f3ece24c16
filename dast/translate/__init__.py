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
    split_text,
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
    "apply_segments",
    "check_translation",
    "extract_segments",
    "split_text",
]
