"""Why a record sits at its level, in words naming this record's own deciding evidence.

The rubric's ``rationale`` says what a level means; this says what *this* record holds:
the facts of the rule that placed it (counted labels with how many sentences, indicators,
the onus ratio), what it lacks, and — for a level whose rule excludes a higher one — what
the higher level would still need. ``deciding_evidence`` picks the spans of the facts that
made the rule hold (not the ones it merely shows), in note order; the first of them is the
sentence that decided the level. Names are the plain-language ones (``taxonomy.display_name``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import taxonomy
from ..continuum import _OPS, Rubric, RubricRule
from ..indicators import Evidence, Indicators

# what a fact is, as a noun phrase ("Placed at Blindness: domestic violence described, …")
FACT_PRESENT = {
    "dv_present": "domestic violence described",
    "removal_threat": "removal of the children made a condition on her",
    "father_absent_record": "him never engaged as a parent",
    "perpetrator_invisible_record": "his pattern never named",
    "concern_label": "concern language counted",
    "strength_label": "good practice documented",
}
FACT_ABSENT = {
    "dv_present": "no domestic violence described",
    "removal_threat": "no removal made a condition on her",
    "concern_label": "no concern language counted",
    "strength_label": "no good practice documented",
    "perpetrator_engaged": "no sentence engaging him as a parent",
    "perpetrator_pattern": "no sentence naming his pattern",
}


@dataclass(frozen=True)
class Why:
    """This record's reasons, in words, and the spans that decided its level."""

    sentence: str                     # "Placed at X because …"
    lacking: str | None               # what the next level up would still need, if the rule says so
    deciding: tuple[Evidence, ...]    # spans of the facts that made the rule hold, in note order


def _sentences(n: int) -> str:
    return f"{n} sentence{'s' if n != 1 else ''}"


def _present(fact: str, ind: Indicators) -> str:
    if fact in taxonomy.LABELS:
        return f"“{taxonomy.display_name(fact)}” in {_sentences(ind.label_counts.get(fact, 0))}"
    if fact == "concern_label":
        found = [f"“{taxonomy.display_name(lb)}” ({ind.label_counts[lb]})"
                 for lb in taxonomy.CONCERN_LABELS if ind.label_counts.get(lb)]
        return "concern language: " + ", ".join(found)
    if fact in taxonomy.CRITICAL_COMPONENTS:
        return f"{taxonomy.display_name(fact).lower()} documented"
    return FACT_PRESENT.get(fact, taxonomy.display_name(fact))


def _absent(fact: str) -> str:
    if fact in FACT_ABSENT:
        return FACT_ABSENT[fact]
    if fact in taxonomy.LABELS:
        return f"no sentence with “{taxonomy.display_name(fact)}”"
    if fact in taxonomy.CRITICAL_COMPONENTS:
        return f"{taxonomy.display_name(fact).lower()} not documented"
    return f"not: {taxonomy.display_name(fact)}"


def onus_words(ind: Indicators) -> str:
    """The onus ratio explained: tasks on her, tasks on him, and the smoothed ratio."""
    return (f"{ind.survivor_tasks} task(s) on her and {ind.perpetrator_tasks} on him "
            f"({ind.onus_ratio:.1f} on her for each on him)")


def _need(fact: str, ind: Indicators) -> str:
    """What a rule needs of a fact the record lacks."""
    if fact in taxonomy.LABELS:
        return f"“{taxonomy.display_name(fact)}” (in no sentence yet)"
    if fact in taxonomy.CRITICAL_COMPONENTS:
        return f"{taxonomy.display_name(fact).lower()} documented"
    return FACT_PRESENT.get(fact, taxonomy.display_name(fact))


def _need_absent(fact: str, ind: Indicators) -> str:
    """What a rule needs of a fact the record has but must not."""
    if fact == "concern_label":
        return f"no concern language (the record has {_present(fact, ind).split(': ', 1)[1]})"
    return f"none of {_present(fact, ind)}"


def conditions(rule: RubricRule, facts: dict, ind: Indicators) -> tuple[list[str], list[str]]:
    """What of ``rule`` this record meets, and what it would still need, in words."""
    met, unmet = [], []
    for fact in rule.all:
        if facts[fact]:
            met.append(_present(fact, ind))
        else:
            unmet.append(_need(fact, ind))
    if rule.any:
        held = [f for f in rule.any if facts[f]]
        if held:
            met.extend(_present(f, ind) for f in held)
        else:
            unmet.append("one of " + ", ".join(f"“{taxonomy.display_name(f)}”" for f in rule.any))
    for fact in rule.none:
        if facts[fact]:
            unmet.append(_need_absent(fact, ind))
        else:
            met.append(_absent(fact))
    for fact, op, value in rule.compare:
        held = _OPS[op](facts[fact], value)
        if fact == "onus_ratio":
            text = (f"a plan with {onus_words(ind)}" if held else
                    f"no more of the plan on her than on him (it has {onus_words(ind)})")
        else:
            text = f"{taxonomy.display_name(fact)} {op} {value:g}"
        (met if held else unmet).append(text)
    return met, unmet


def _join(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def deciding_evidence(rule: RubricRule, ind: Indicators, seq: dict[str, int] | None = None) -> tuple[Evidence, ...]:
    """The spans of the facts that made ``rule`` hold (its ``all`` and ``any`` facts that are true)."""
    facts = ind.facts()
    names = [f for f in (*rule.all, *rule.any) if facts.get(f) is True]
    if "concern_label" in names:
        names += [lb for lb in taxonomy.CONCERN_LABELS if ind.label_counts.get(lb)]
    if names == ["dv_present"]:  # Blindness: the DV is there; show what the record says of it instead
        names = [f for f in rule.evidence if f != "dv_present" and ind.evidence.get(f)] or names
    spans = []
    for name in names:
        spans.extend(ind.evidence.get(name, ()))
    spans = list(dict.fromkeys(spans))
    order = seq or {}
    spans.sort(key=lambda e: (order.get(e.note_id, 0), e.sentence_index, e.start))
    return tuple(spans)


def explain(rubric: Rubric, level: str, rule_id: str | None, ind: Indicators, *,
            seq: dict[str, int] | None = None) -> Why:
    """Why a record with indicators ``ind`` was placed at ``level`` by the rule ``rule_id``."""
    if not ind.dv_present or level == taxonomy.NOT_APPLICABLE:
        return Why("Not placed: no domestic violence is described in the record (a DV term or a counted "
                   "DV-only cue would be needed).", None, ())
    rules = {r.id: r for r in rubric.rules}
    rule = rules.get(rule_id or "")
    if rule is None:
        return Why(f"Placed at {taxonomy.display_name(level)}.", None, ())
    facts = ind.facts()
    met, _ = conditions(rule, facts, ind)
    sentence = f"Placed at {taxonomy.display_name(level)}: {_join(met)}."
    lacking = []
    for other in rule.not_rules:
        higher = rules[other]
        _, unmet = conditions(higher, facts, ind)
        if unmet:
            lacking.append(f"{taxonomy.display_name(higher.level)} would also need: {'; '.join(unmet)}.")
    return Why(sentence, " ".join(lacking) or None, deciding_evidence(rule, ind, seq))
