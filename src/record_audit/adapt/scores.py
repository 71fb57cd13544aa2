"""Probabilities of the sentence classifier for a store's sentences (the possible-misses queue)."""
from __future__ import annotations

from ..pipeline.stored import stored_rows


def sentence_probabilities(store, model, *, records=None, unflagged_only: bool = True) -> dict:
    """{(record_id, note_id, sentence_index): {label: probability}} for the sentences of DV records.

    ``store`` is an ``AuditStore`` (or a ``ReviewStore``'s ``.store``); ``model`` a
    ``SentenceModel``. Only sentences without flags are scored unless ``unflagged_only`` is False.
    """
    from ..store.adapt import dv_record_ids, flagged_sentence_keys, stored_sentences
    store = getattr(store, "store", store)
    wanted = set(records) if records is not None else None
    flagged = flagged_sentence_keys(store)
    dv = set(dv_record_ids(store))
    keys, inputs = [], []
    for key, text, start, roles in stored_sentences(store):
        if key[0] not in dv or (wanted is not None and key[0] not in wanted) or (unflagged_only and key in flagged):
            continue
        if not text.strip():
            continue
        keys.append(key)
        inputs.append((text, start, roles))
    if not keys:
        return {}
    probs = model.predict_proba_rows(stored_rows(inputs))
    return {key: {label: float(p) for label, p in zip(model.labels, row)} for key, row in zip(keys, probs)}
