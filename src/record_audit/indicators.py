"""Record-level indicators (TAXONOMY): pure functions over a record's flags and cues.

Some findings are absences no single sentence shows — the father never engaged, the
perpetrator never named. Each indicator keeps the evidence that decided it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import taxonomy
from .dv_scope import dv_evidence
from .results import RecordResult, Sentence


@dataclass(frozen=True)
class Evidence:
    """A piece of a note that decided an indicator or a placement (``str`` offsets)."""

    note_id: str
    sentence_index: int
    start: int
    end: int
    label: str
    rule_id: str | None = None

    def to_dict(self) -> dict:
        return {"note_id": self.note_id, "start": self.start, "end": self.end,
                "label": self.label, "rule_id": self.rule_id}


@dataclass(frozen=True)
class Indicators:
    dv_present: bool
    removal_threat: bool
    father_absent_record: bool
    perpetrator_invisible_record: bool
    survivor_tasks: int
    perpetrator_tasks: int
    critical_components: tuple[str, ...]
    label_counts: dict[str, int]
    evidence: dict[str, tuple[Evidence, ...]] = field(default_factory=dict)

    @property
    def onus_ratio(self) -> float:
        """Survivor-directed over perpetrator-directed tasks, smoothed: (s + 1) / (p + 1)."""
        return (self.survivor_tasks + 1) / (self.perpetrator_tasks + 1)

    def facts(self) -> dict[str, bool | float]:
        """What the rubric can test: counted labels, boolean indicators, onus_ratio."""
        facts: dict[str, bool | float] = {label: self.label_counts.get(label, 0) > 0
                                          for label in taxonomy.LABELS}
        facts.update(dv_present=self.dv_present, removal_threat=self.removal_threat,
                     father_absent_record=self.father_absent_record,
                     perpetrator_invisible_record=self.perpetrator_invisible_record,
                     concern_label=any(facts[l] for l in taxonomy.CONCERN_LABELS),
                     strength_label=any(facts[l] for l in taxonomy.STRENGTH_LABELS),
                     onus_ratio=self.onus_ratio)
        for component in taxonomy.CRITICAL_COMPONENTS:
            facts[component] = component in self.critical_components
        return facts

    def to_dict(self) -> dict:
        """The ``indicators`` object of CONTRACT section 5."""
        return {"dv_present": self.dv_present, "father_absent_record": self.father_absent_record,
                "perpetrator_invisible_record": self.perpetrator_invisible_record,
                "removal_threat": self.removal_threat, "onus_ratio": round(self.onus_ratio, 4),
                "survivor_tasks": self.survivor_tasks, "perpetrator_tasks": self.perpetrator_tasks,
                "critical_components": list(self.critical_components)}


def _flag_evidence(note_id: str, sent: Sentence, label: str) -> list[Evidence]:
    return [Evidence(note_id, sent.index, f.start, f.end, f.label, f.rule_id)
            for f in sent.flags if f.label == label and f.counted]


def compute_indicators(record: RecordResult) -> Indicators:
    """Compute every TAXONOMY record indicator from a record's counted flags and cues."""
    evidence: dict[str, list[Evidence]] = {name: [] for name in
                                           (*taxonomy.INDICATORS, *taxonomy.CRITICAL_COMPONENTS,
                                            *taxonomy.LABELS)}
    counts: Counter = Counter()
    survivor_tasks = perpetrator_tasks = 0
    for note in record.notes:
        nid = note.note.note_id
        for sent, kind, start, end in dv_evidence(note):
            evidence["dv_present"].append(Evidence(nid, sent.index, start, end, kind))
        for sent in note.sentences:
            labels = set(sent.labels)
            counts.update(labels)
            for label in labels:
                evidence[label].extend(_flag_evidence(nid, sent, label))
            for cue in sent.obligations:
                if cue.counted:
                    survivor_tasks += cue.kind == "survivor"
                    perpetrator_tasks += cue.kind == "perpetrator"
                    evidence["onus_ratio"].append(Evidence(nid, sent.index, cue.start, cue.end,
                                                           f"{cue.kind}_task"))
            if "survivor_responsibilized" in labels and sent.removal_terms:
                evidence["removal_threat"].extend(_flag_evidence(nid, sent, "survivor_responsibilized"))
            if "perpetrator_pattern" in labels:
                evidence["pattern_of_coercive_control"].extend(_flag_evidence(nid, sent, "perpetrator_pattern"))
            if "survivor_strengths" in labels:
                evidence["survivor_protective_efforts"].extend(_flag_evidence(nid, sent, "survivor_strengths"))
            if "harm_to_children" in labels:
                mentions = {r.role for r in sent.roles}
                subjects = set(sent.subject_roles)
                # one sentence may serve both harm components (TAXONOMY)
                if "perpetrator" in subjects or (not subjects and "perpetrator" in mentions):
                    evidence["perpetrator_harm_to_children"].extend(_flag_evidence(nid, sent, "harm_to_children"))
                if "child" in subjects or ("child" in mentions and "perpetrator" not in subjects):
                    evidence["impact_on_children"].extend(_flag_evidence(nid, sent, "harm_to_children"))
            factors = [c for c in sent.factors if c.counted]
            if factors and any(r.role == "perpetrator" for r in sent.roles) and "minimized" not in labels:
                evidence["intersecting_factors"].extend(
                    Evidence(nid, sent.index, c.start, c.end, c.kind) for c in factors)
    dv = record.dv_present
    if dv:
        evidence["father_absent_record"] = evidence["father_absent"] if not counts["perpetrator_engaged"] else []
        evidence["perpetrator_invisible_record"] = (evidence["perpetrator_invisible"]
                                                    if not counts["perpetrator_pattern"] else [])
    components = tuple(c for c in taxonomy.CRITICAL_COMPONENTS if dv and evidence[c])
    return Indicators(
        dv_present=dv,
        removal_threat=dv and bool(evidence["removal_threat"]),
        father_absent_record=dv and counts["perpetrator_engaged"] == 0,
        perpetrator_invisible_record=dv and counts["perpetrator_pattern"] == 0,
        survivor_tasks=survivor_tasks, perpetrator_tasks=perpetrator_tasks,
        critical_components=components,
        label_counts={label: counts[label] for label in taxonomy.LABELS if counts[label]},
        evidence={k: tuple(v) for k, v in evidence.items() if v},
    )
