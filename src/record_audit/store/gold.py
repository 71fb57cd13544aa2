"""Review an audit from gold annotations: a simulated QA pass for demos, notebooks and tests.

A real QA team reviews flags by hand (``ReviewPanel``). When an audit store holds records that
are also annotated (CONTRACT §2: the bundled samples, the corpus), ``review_from_gold`` records
the decisions a reviewer who agreed with the annotation would make, through the same
``ReviewStore`` API and append-only log, under a reviewer name that says where they came from:

- a flag whose label the sentence's gold labels hold is accepted when the gold sentence counts;
  when it does not (reported, negated, hypothetical) the flag is rejected with that reason, which
  keeps it uncounted; a historical one is left as the pipeline tagged it, or rejected as
  ``other`` if the pipeline counted it;
- a flag whose label the gold sentence lacks is relabelled to a counted gold label no flag covers, or
  rejected (``not_dv`` in a record without DV, ``wrong_label`` otherwise);
- a counted gold label that no flag covers is added as a missed flag.

The first ``teaching_per_label`` accepted flags of each label that carry a rewrite are marked as
teaching examples, in record order, so the trainers' gallery has something to show.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from .. import taxonomy
from ..io.annotated import AnnotatedRecord, GoldSentence
from .review import FlagKey, ReviewStore

GOLD_REVIEWER = "gold_annotation"
_REASON_OF_CONTEXT = {"reported": "reported", "negated": "negated", "hypothetical": "hypothetical"}


def _gold_for(sentence: dict, gold: list[GoldSentence]) -> dict[str, str | None]:
    """Each gold label of the gold sentences overlapping a stored sentence, with its context.

    When a stored sentence spans two gold sentences and a label is in both, the counted
    occurrence wins.
    """
    labels: dict[str, str | None] = {}
    for g in gold:
        if g.start < sentence["end"] and sentence["start"] < g.end:
            for label in g.labels:
                if label not in labels or taxonomy.is_counted(g.context):
                    labels[label] = g.context
    return labels


def review_from_gold(review: ReviewStore, annotated: Iterable[AnnotatedRecord], *,
                     reviewer: str = GOLD_REVIEWER, records: Iterable[str] | None = None,
                     teaching_per_label: int = 3) -> Counter:
    """Record gold-derived decisions on every flag of the annotated records in the store.

    Returns the number of decisions by kind. Records not in the store are skipped; ``records``
    restricts the pass to some record ids. Run it on a copy of a real audit, never on one a
    QA team is reviewing: its decisions are real log entries.
    """
    wanted = set(records) if records is not None else None
    stored = {r.record_id for r in review.store.records()}
    counts: Counter = Counter()
    teaching: Counter = Counter()
    for rec in annotated:
        if rec.record_id not in stored or (wanted is not None and rec.record_id not in wanted):
            continue
        flags_at: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for flag in review.store.flags(rec.record_id):
            flags_at[(flag["note_id"], flag["sentence_index"])].append(flag)
        for note in rec.notes:
            gold = list(note.sentences)
            for sent in review.store.sentences(rec.record_id, note.note.note_id):
                gold_labels = _gold_for(sent, gold)
                counted_gold = {label for label, ctx in gold_labels.items() if taxonomy.is_counted(ctx)}
                here = flags_at[(note.note.note_id, sent["sentence_index"])]
                covered = {f["label"] for f in here}
                for flag in here:
                    key = FlagKey.of(flag)
                    if flag["label"] in gold_labels:
                        gold_context = gold_labels[flag["label"]]
                        if not taxonomy.is_counted(gold_context):
                            # the language is there but not the writer's own framing: a reject for
                            # its context keeps it uncounted; a context with no reject reason
                            # (historical) is left as the pipeline tagged it, or counted if it was not
                            if gold_context in _REASON_OF_CONTEXT:
                                review.decide(reviewer, key, "reject", reason=_REASON_OF_CONTEXT[gold_context])
                                counts["reject"] += 1
                            elif flag["counted"]:
                                review.decide(reviewer, key, "reject", reason="other",
                                              comment=f"{gold_context} in the gold annotation")
                                counts["reject"] += 1
                            continue
                        mark = bool(flag["rewrite"]) and teaching[flag["label"]] < teaching_per_label
                        teaching[flag["label"]] += mark
                        review.decide(reviewer, key, "accept", teaching_example=mark)
                        counts["accept"] += 1
                        counts["teaching"] += mark
                        continue
                    missing = sorted(counted_gold - covered)
                    if missing:
                        review.decide(reviewer, key, "relabel", new_label=missing[0])
                        covered.add(missing[0])
                        counts["relabel"] += 1
                    else:
                        reason = "not_dv" if rec.gold_level == "not_applicable" else "wrong_label"
                        review.decide(reviewer, key, "reject", reason=reason)
                        counts["reject"] += 1
                for label in sorted(counted_gold - covered):
                    review.add(reviewer, rec.record_id, note.note.note_id, sent["sentence_index"], label)
                    counts["add"] += 1
    return counts
