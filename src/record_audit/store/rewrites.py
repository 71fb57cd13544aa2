"""Trainers' rewrites of reviewed flags: an append-only log in the audit store (schema 3).

A rule's rewrite is generic guidance for every flag it raises; a trainer writes one for a
particular example, in its own words, for the gallery's handouts. Each save is a new row
and the latest per flag stands (an empty text withdraws it), so two trainers saving at
once lose nothing and the history stays. Rewrites are stored as typed; the gallery
de-identifies them, like every other text, before showing or exporting them.
"""
from __future__ import annotations

from ..errors import Errors, InputError
from .db import AuditStore, now
from .review import FlagKey

MAX_REWRITE_CHARS = 4000


def save_rewrite(store: AuditStore, trainer: str, key: FlagKey, text: str) -> int:
    """Record ``trainer``'s rewrite of the flag ``key``; an empty ``text`` withdraws it."""
    if not (trainer or "").strip():
        raise InputError(Errors.E114.format(where=key.where()))
    text = (text or "").strip()
    if len(text) > MAX_REWRITE_CHARS:
        raise InputError(Errors.E115.format(where=key.where(), limit=MAX_REWRITE_CHARS, length=len(text)))
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO rewrites (created_at, trainer, record_id, note_id, sentence_index, flag_label,"
            " flag_start, flag_end, flag_source, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), trainer.strip(), key.record_id, key.note_id, key.sentence_index, key.label, key.start,
             key.end, key.source, text))
        return int(cur.lastrowid)


def latest_rewrites(store: AuditStore) -> dict[FlagKey, dict]:
    """The rewrite that stands per flag (withdrawn ones left out), with its trainer and time."""
    latest: dict[FlagKey, dict] = {}
    for row in store.conn.execute("SELECT * FROM rewrites ORDER BY rewrite_id"):
        latest[FlagKey.of_logged(row)] = dict(row)
    return {key: row for key, row in latest.items() if row["text"]}
