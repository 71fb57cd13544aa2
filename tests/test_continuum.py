"""The rubric, rule by rule and at the edges between levels (TAXONOMY continuum rubric)."""
from __future__ import annotations

import pytest

from record_audit import taxonomy
from record_audit.continuum import Rubric, summarize_sample
from record_audit.errors import InputError
from record_audit.indicators import Evidence, Indicators

RUBRIC = Rubric.load()
COMPETENT = {"perpetrator_pattern", "harm_to_children", "survivor_strengths", "perpetrator_engaged"}


def make(labels=(), *, dv=True, removal=False, s_tasks=0, p_tasks=0, components=()):
    labels = set(labels)
    evidence = {label: (Evidence("N1", 0, 0, 5, label, f"rule_{label}"),) for label in labels}
    if removal:
        evidence["removal_threat"] = (Evidence("N1", 1, 0, 5, "survivor_responsibilized", "r"),)
    return Indicators(
        dv_present=dv, removal_threat=removal,
        father_absent_record=dv and "perpetrator_engaged" not in labels,
        perpetrator_invisible_record=dv and "perpetrator_pattern" not in labels,
        survivor_tasks=s_tasks, perpetrator_tasks=p_tasks, critical_components=tuple(components),
        label_counts={l: 1 for l in labels}, evidence=evidence)


def level(ind):
    return RUBRIC.place("R", ind).level


@pytest.mark.parametrize("labels,removal,expected", [
    # Destructiveness: failure_to_protect or removal_threat, and no perpetrator_engaged
    ({"failure_to_protect"}, False, "Destructiveness"),
    ({"survivor_responsibilized"}, True, "Destructiveness"),
    ({"failure_to_protect", "perpetrator_pattern", "mutualized"}, False, "Destructiveness"),
    # edge: engagement lifts it out of Destructiveness (and out of Incapacity)
    ({"failure_to_protect", "perpetrator_engaged"}, False, "Blindness"),
    ({"failure_to_protect", "perpetrator_engaged", "perpetrator_pattern"}, False, "Pre-Competence"),
    # Incapacity: pathologized or responsibilized, no engagement
    ({"survivor_pathologized"}, False, "Incapacity"),
    ({"survivor_responsibilized", "perpetrator_pattern"}, False, "Incapacity"),
    ({"survivor_responsibilized", "perpetrator_engaged"}, False, "Blindness"),
    # Blindness: DV and no perpetrator_pattern
    ({"mutualized", "minimized"}, False, "Blindness"),
    (set(), False, "Blindness"),
    ({"perpetrator_engaged", "survivor_strengths", "harm_to_children"}, False, "Blindness"),
    # Pre-Competence: some pattern, not all Competence needs
    ({"perpetrator_pattern"}, False, "Pre-Competence"),
    (COMPETENT - {"harm_to_children"}, False, "Pre-Competence"),
    (COMPETENT | {"minimized"}, False, "Pre-Competence"),
    # Competence: all four strengths, no concern label, onus <= 1
    (COMPETENT, False, "Competence"),
])
def test_rubric_rows_from_the_top_down(labels, removal, expected):
    assert level(make(labels, removal=removal)) == expected


def test_onus_ratio_edge_between_competence_and_pre_competence():
    assert level(make(COMPETENT, s_tasks=2, p_tasks=1)) == "Pre-Competence"  # (2+1)/(1+1) = 1.5
    assert level(make(COMPETENT, s_tasks=1, p_tasks=1)) == "Competence"  # 1.0
    assert level(make(COMPETENT, s_tasks=1, p_tasks=0)) == "Pre-Competence"  # 2.0


def test_removal_threat_with_engagement_is_not_destructiveness():
    assert level(make({"survivor_responsibilized", "perpetrator_engaged"}, removal=True)) == "Blindness"


def test_record_without_dv_is_not_applicable():
    placement = RUBRIC.place("R", make({"survivor_pathologized"}, dv=False))
    assert placement.level == taxonomy.NOT_APPLICABLE and placement.rule_id is None


def test_placement_carries_rule_rationale_and_evidence():
    placement = RUBRIC.place("R", make({"failure_to_protect", "mutualized"}))
    assert placement.rule_id == "destructiveness"
    assert "responsible" in placement.rationale
    assert [e.label for e in placement.evidence] == ["failure_to_protect"]


def test_every_dv_record_gets_a_level():
    import itertools
    for size in range(0, len(taxonomy.LABELS) + 1, 3):
        for labels in itertools.combinations(taxonomy.LABELS, size):
            assert level(make(labels)) in taxonomy.RECORD_LEVELS


def test_sample_proficiency_needs_90_percent_competence_and_no_absent_father():
    good = [make(COMPETENT)] * 9 + [make({"perpetrator_pattern", "perpetrator_engaged"})]
    places = [RUBRIC.place(str(i), ind) for i, ind in enumerate(good)]
    summary = summarize_sample(places, good, RUBRIC)
    assert summary["distribution"]["Competence"] == {"count": 9, "share": 0.9}
    assert summary["meets_proficiency"] is True
    worse = good[:-1] + [make({"perpetrator_pattern"})]  # father never engaged in one record
    places = [RUBRIC.place(str(i), ind) for i, ind in enumerate(worse)]
    summary = summarize_sample(places, worse, RUBRIC)
    assert summary["indicator_rates"]["father_absent_record"] == 0.1
    assert summary["meets_proficiency"] is False


def test_rubric_file_with_unknown_fact_is_refused(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "rubric.yaml").write_text(
        "rules:\n  - id: x\n    level: Blindness\n    all: [victim_blaming]\n", encoding="utf-8")
    with pytest.raises(InputError, match="'victim_blaming' is not a valid fact"):
        Rubric.load(tmp_path)


def test_dv_needs_a_term_or_cues_in_two_sentences(nlp_rules):
    """One stray cue does not pull a school case into the DV audit (record_shows_dv)."""
    from record_audit.engines import flag_records
    from record_audit.io import Note

    notes = [Note("R1", "R1-1", "Attendance 82%. Mother was pushed. Next visit Tuesday."),
             Note("R2", "R2-1", "Mother was pushed. Attendance 82%."),
             Note("R2", "R2-2", "She was strangled in the kitchen."),
             Note("R3", "R3-1", "Police attended a domestic abuse call. Attendance 82%.")]
    dv = {r.record_id: r.dv_present for r in flag_records(notes, nlp_rules)}
    assert dv == {"R1": False, "R2": True, "R3": True}


def test_every_taxonomy_name_has_a_display_name():
    from record_audit import taxonomy as t
    names = (*t.LABELS, *t.SOURCES, *t.CONTEXTS, *t.LEVELS, t.NOT_APPLICABLE, *t.INDICATORS,
             *t.CRITICAL_COMPONENTS, *t.REVIEW_DECISIONS, *t.REJECT_REASONS)
    assert [n for n in names if n not in t.DISPLAY_NAMES] == []
    shown = [t.display_name(n) for n in t.LABELS]
    assert len(set(shown)) == len(shown) and all("_" not in s for s in shown)
