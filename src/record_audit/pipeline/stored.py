"""Classifier input rows for sentences already in an audit store, without parsing them again.

The store keeps each sentence's offsets and its role mentions, which is all the ``words`` and
``wordchars`` designs read (role-normalized words): the English tokenizer alone (no tagger, no
parser) gives the same tokens as the full pipeline, and the stored mentions give their roles.
So the possible-misses queue scores a whole store in seconds. Designs that read parse
features (``full``) get an empty ``feats`` here, so their probabilities are approximate.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from .classifier import role_normalized


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy
    return spacy.blank("en").tokenizer


def normalized_from_roles(text: str, offset: int, roles: Iterable) -> str:
    """``classifier.normalized_text`` of a stored sentence: ``text`` starts at ``offset`` in its note,
    ``roles`` are its [start, end, role] mentions in note offsets."""
    spans = [(int(s) - offset, int(e) - offset, r) for s, e, r in roles]
    return role_normalized((token.lower_, next((r for s, e, r in spans if s <= token.idx < e), None))
                           for token in _tokenizer()(text) if not token.is_space)


def stored_rows(sentences: Iterable[tuple[str, int, Iterable]]) -> list[dict]:
    """Classifier rows (text, norm_text, feats) for (text, offset, roles) of stored sentences."""
    return [{"text": text, "norm_text": normalized_from_roles(text, offset, roles), "feats": {}}
            for text, offset, roles in sentences]
