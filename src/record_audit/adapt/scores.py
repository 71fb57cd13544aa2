"""Probabilities of the sentence classifier for a store's sentences (the possible-misses queue)."""
from __future__ import annotations

import json

from ..pipeline.stored import stored_rows


def sentence_probabilities(store, model, *, records=None, unflagged_only: bool = True) -> dict:
    """{(record_id, note_id, sentence_index): {label: probability}} for the sentences of DV records.

    ``store`` is an ``AuditStore`` (or a ``ReviewStore``'s ``.store``); ``model`` a
    ``SentenceModel``. Only sentences without flags are scored unless ``unflagged_only`` is False.
    """
    store = getattr(store, "store", store)
    wanted = set(records) if records is not None else None
    flagged = {(r["record_id"], r["note_id"], r["sentence_index"])
               for r in store.conn.execute("SELECT DISTINCT record_id, note_id, sentence_index FROM flags")}
    dv = {r["record_id"] for r in store.conn.execute("SELECT record_id FROM records WHERE dv_present = 1")}
    texts = {(r["record_id"], r["note_id"]): r["text"]
             for r in store.conn.execute("SELECT record_id, note_id, text FROM notes")}
    keys, inputs = [], []
    for s in store.conn.execute("SELECT record_id, note_id, sentence_index, start, \"end\", roles FROM sentences"
                                " ORDER BY record_id, note_id, sentence_index"):
        key = (s["record_id"], s["note_id"], s["sentence_index"])
        if key[0] not in dv or (wanted is not None and key[0] not in wanted) or (unflagged_only and key in flagged):
            continue
        text = texts[(key[0], key[1])][s["start"]:s["end"]]
        if not text.strip():
            continue
        keys.append(key)
        inputs.append((text, s["start"], json.loads(s["roles"])))
    if not keys:
        return {}
    probs = model.predict_proba_rows(stored_rows(inputs))
    return {key: {label: float(p) for label, p in zip(model.labels, row)} for key, row in zip(keys, probs)}
