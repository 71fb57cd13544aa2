"""Continuum placement: the rubric YAML applied to a record's indicators, with evidence.

Levels are an aid to an auditor's judgement, never a verdict on a family or a worker.
"""
from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import taxonomy
from .errors import Errors, InputError
from .indicators import Evidence, Indicators
from .rules import RubricRule, load_rubric

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}


@dataclass(frozen=True)
class Placement:
    """Where a record sits on the continuum, which rule put it there, and why."""

    record_id: str
    level: str
    rule_id: str | None
    rationale: str | None
    evidence: tuple[Evidence, ...] = ()
    level_source: str = "rubric"


@dataclass
class Rubric:
    """The rubric's rules, tried from the top down, and the sample's Proficiency thresholds."""

    rules: list[RubricRule]
    proficiency: dict[str, float] = field(default_factory=dict)
    path: str = ""

    @classmethod
    def load(cls, directory: str | Path | None = None) -> "Rubric":
        """Read ``rules/rubric.yaml`` of a rules folder (default: the shipped one), through ``rules``."""
        spec = load_rubric(directory)
        return cls(rules=list(spec.rules), proficiency=dict(spec.proficiency), path=spec.path)

    def holds(self, rule: RubricRule, facts: dict[str, Any]) -> bool:
        if not all(facts[f] for f in rule.all):
            return False
        if rule.any and not any(facts[f] for f in rule.any):
            return False
        if any(facts[f] for f in rule.none):
            return False
        if not all(_OPS[op](facts[f], value) for f, op, value in rule.compare):
            return False
        by_id = {r.id: r for r in self.rules}
        return not any(self.holds(by_id[other], facts) for other in rule.not_rules)

    def place(self, record_id: str, indicators: Indicators) -> Placement:
        """Place one record: the first rule that holds, with the evidence it names."""
        if not indicators.dv_present:
            return Placement(record_id, taxonomy.NOT_APPLICABLE, None,
                             "No domestic violence found in the record.")
        facts = indicators.facts()
        for rule in self.rules:
            if self.holds(rule, facts):
                evidence = []
                for name in rule.evidence:
                    evidence.extend(indicators.evidence.get(name, ()))
                return Placement(record_id, rule.level, rule.id, rule.rationale,
                                 tuple(dict.fromkeys(evidence)))
        raise InputError(Errors.E076.format(path=self.path, record_id=record_id))


def summarize_sample(placements: list[Placement], indicators: list[Indicators],
                     rubric: Rubric, *, levels_of=lambda p: p.level) -> dict:
    """Distribution over levels, indicator rates and the Proficiency check for a sample."""
    dv = [(p, i) for p, i in zip(placements, indicators) if i.dv_present]
    n_dv = len(dv)
    counts = Counter(levels_of(p) for p, _ in dv)
    distribution = {level: {"count": counts.get(level, 0),
                            "share": round(counts.get(level, 0) / n_dv, 4) if n_dv else 0.0}
                    for level in taxonomy.RECORD_LEVELS}

    def rate(flag) -> float:
        return round(sum(1 for _, i in dv if flag(i)) / n_dv, 4) if n_dv else 0.0

    rates = {
        "father_absent_record": rate(lambda i: i.father_absent_record),
        "perpetrator_invisible_record": rate(lambda i: i.perpetrator_invisible_record),
        "removal_threat": rate(lambda i: i.removal_threat),
        "onus_ratio_above_1": rate(lambda i: i.onus_ratio > 1),
        **{f"component_{c}": rate(lambda i, c=c: c in i.critical_components)
           for c in taxonomy.CRITICAL_COMPONENTS},
    }
    prof = rubric.proficiency
    meets = bool(n_dv) and (
        distribution["Competence"]["share"] >= prof.get("min_share_competence", 0.9)
        and counts.get("Destructiveness", 0) <= prof.get("max_destructiveness", 0)
        and sum(1 for _, i in dv if i.father_absent_record) <= prof.get("max_father_absent_record", 0))
    return {"records": len(placements), "dv_records": n_dv, "distribution": distribution,
            "indicator_rates": rates, "meets_proficiency": meets}
