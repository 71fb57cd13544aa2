"""Span, token and doc extensions, registered once in one function."""
from __future__ import annotations

from spacy.tokens import Doc, Span, Token

# Rules match a mention's role ("ROLE: survivor" in the YAML) on ROLE_ATTR (ENT_ID), a native
# token attribute that record_audit_roles sets alongside ``Token._.role``. spaCy's Matcher reads
# a custom ``_`` attribute through Python for every token of every span it is run on; the role
# patterns made that the largest cost of the lexicon step. ENT_ID is free in the audit
# pipeline: no component sets it (the English model's ner is excluded, and without ner or an
# entity ruler ``doc.ents`` stays empty, so a token's entity id is never read as an entity's).
from ..rules import ROLE_ATTR

__all__ = ["ROLE_ATTR", "FLAGS_KEY", "ROLES_KEY", "DV_KEY", "FACTORS_KEY", "REMOVAL_KEY", "OBLIGATIONS_KEY",
           "CONTEXT_KEYS", "register_extensions"]

FLAGS_KEY = "audit_flags"
ROLES_KEY = "audit_roles"
DV_KEY = "audit_dv_terms"
FACTORS_KEY = "audit_factors"
REMOVAL_KEY = "audit_removal_terms"
OBLIGATIONS_KEY = "audit_obligations"
# spans ConText marks: flags, and the record-level evidence read by the indicators
CONTEXT_KEYS = [FLAGS_KEY, DV_KEY, FACTORS_KEY, REMOVAL_KEY, OBLIGATIONS_KEY]

_FLAG_ATTRS = {
    "rule_id": None, "source": None, "score": 1.0, "context": None, "counted": True,
    "explanation": None, "rewrite": None, "context_cue": None,
}


def register_extensions() -> None:
    """Register every extension the pipeline uses (idempotent)."""
    for name, default in _FLAG_ATTRS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Token.has_extension("role"):
        # "" not None: the Matcher hashes extension values and cannot hash None
        Token.set_extension("role", default="")
    if not Doc.has_extension("parties"):
        # {name or party word: role}, set by the caller per record before the pipeline runs
        Doc.set_extension("parties", default=None)
    if not Doc.has_extension("record_id"):
        Doc.set_extension("record_id", default=None)
