"""dastdown: a lossless markdown-like text form of DAST documents.

The parser and serializer land with their own issue; this package holds
nothing that pretends to work before then.
"""

__all__: list[str] = []
