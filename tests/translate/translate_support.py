"""Shared helpers for the translation tests: hard text, expected transforms, token edits."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from dast.nodes import Blockquote, Document, Node, Span
from dast.translate import Segment, Token
from dast.walk import map_nodes
from tests.strategies import documents, texts

__all__ = ["hard_documents", "hard_texts", "identity", "shout", "shouted"]

_HARD = "ab \t\r\n\x00\x07\x0b\x1f\ud800\udfff\ufffe\uffff<>&\"'é\U0001d11e]]>"


def hard_texts() -> SearchStrategy[str]:
    """Text with what XML 1.0 cannot carry: C0 controls, CR, lone surrogates, U+FFFE."""
    return st.one_of(texts(), st.text(alphabet=st.sampled_from(_HARD), max_size=8))


def hard_documents(max_leaves: int = 20) -> SearchStrategy[Document]:
    """Generated documents whose text holds hard characters."""
    return documents(text=hard_texts(), max_leaves=max_leaves)


def identity(segments: Sequence[Segment]) -> dict[str, tuple[Token, ...]]:
    """Every segment translated as itself."""
    return {segment.id: segment.content for segment in segments}


def shout(tokens: Sequence[Token]) -> tuple[Token, ...]:
    """A translation: the text upper-cased, every code in place."""
    return tuple(t.upper() if isinstance(t, str) else t for t in tokens)


def shouted(doc: Document) -> Document:
    """What a document looks like with every translated text upper-cased."""

    def mapper(node: Node) -> Node:
        if isinstance(node, Span):
            return node.model_copy(update={"value": node.value.upper()})
        if isinstance(node, Blockquote) and node.attribution is not None:
            return node.model_copy(update={"attribution": node.attribution.upper()})
        return node

    return map_nodes(doc, mapper)

