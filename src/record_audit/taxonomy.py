"""Every name TAXONOMY.md defines, defined once (taxonomy v1).

Other modules import these constants rather than spelling the names themselves.
"""
from __future__ import annotations

TAXONOMY_VERSION = "v1"

CONCERN_LABELS: tuple[str, ...] = (
    "failure_to_protect",
    "survivor_responsibilized",
    "survivor_pathologized",
    "mutualized",
    "perpetrator_invisible",
    "minimized",
    "father_absent",
)
STRENGTH_LABELS: tuple[str, ...] = (
    "perpetrator_pattern",
    "harm_to_children",
    "survivor_strengths",
    "perpetrator_engaged",
)
LABELS: tuple[str, ...] = CONCERN_LABELS + STRENGTH_LABELS

# what each label marks (TAXONOMY), for classifier flags, reports and handouts
DESCRIPTIONS: dict[str, str] = {
    "failure_to_protect": "The survivor is framed as responsible for the children's exposure to, or harm from, the perpetrator's behaviour.",
    "survivor_responsibilized": "The plan or the worker's expectation puts the job of stopping the perpetrator on the survivor.",
    "survivor_pathologized": "The survivor's character, choices, mental state or credibility is made the problem.",
    "mutualized": "Violence is framed as a shared relationship problem or an even fight, not one person's pattern.",
    "perpetrator_invisible": "Violence is described without naming who did it.",
    "minimized": "The perpetrator's behaviour is softened, excused, or reduced to anger, alcohol or an incident.",
    "father_absent": "The parent who uses violence is not contacted, assessed or engaged as a parent, and the note accepts that.",
    "perpetrator_pattern": "The perpetrator is named as the agent of specific harmful behaviours, including coercive control.",
    "harm_to_children": "The perpetrator's actions taken to harm the children, or their specific impact on the children, are described.",
    "survivor_strengths": "The survivor's protective efforts and strengths are documented.",
    "perpetrator_engaged": "The perpetrator is engaged, assessed or held accountable as a parent.",
}
REWRITES: dict[str, str] = {
    "failure_to_protect": "Name what he did and how it harmed the children; record what she did to protect them.",
    "survivor_responsibilized": "Say what the agency will do about his behaviour and what he must change; record her safety planning as a strength, not a condition.",
    "survivor_pathologized": "Describe his behaviour and its effects, and what she has done and fears, rather than her character or choices.",
    "mutualized": "Name who used violence and control and what he did; describe her resistance as self-defence where it was.",
    "perpetrator_invisible": "Name the person who used violence and exactly what he did.",
    "minimized": "Describe what he did, to whom, and the control it served, without softening or excuses.",
    "father_absent": "Record the efforts to find and engage him as a parent, and how he will be assessed and held accountable.",
    "perpetrator_pattern": "Keep naming his specific behaviours, their pattern over time and their effect on the children.",
    "harm_to_children": "Keep linking his behaviour to its specific effects on each child.",
    "survivor_strengths": "Keep describing her protective efforts and the obstacles his behaviour creates.",
    "perpetrator_engaged": "Record what was discussed about his violence and what he is expected to change.",
}

# a counted cue of one of these labels means the record describes DV (TAXONOMY, dv_present)
DV_ONLY_LABELS: frozenset[str] = frozenset(
    {"perpetrator_pattern", "perpetrator_invisible", "mutualized", "minimized", "failure_to_protect"}
)

SOURCES: tuple[str, ...] = ("lexicon", "syntax", "classifier")

CONTEXTS: tuple[str, ...] = ("negated", "reported", "hypothetical", "historical")
# a flag in one of these contexts is shown but not counted as the writer's framing
UNCOUNTED_CONTEXTS: frozenset[str] = frozenset({"negated", "reported", "hypothetical"})

ROLES: tuple[str, ...] = ("survivor", "perpetrator", "child", "worker", "other")

LEVELS: tuple[str, ...] = (
    "Destructiveness",
    "Incapacity",
    "Blindness",
    "Pre-Competence",
    "Competence",
    "Proficiency",
)
# Proficiency is a sample level only; records are placed on the first five
RECORD_LEVELS: tuple[str, ...] = LEVELS[:5]
NOT_APPLICABLE = "not_applicable"

INDICATORS: tuple[str, ...] = (
    "dv_present",
    "removal_threat",
    "father_absent_record",
    "perpetrator_invisible_record",
    "onus_ratio",
    "critical_components",
)
CRITICAL_COMPONENTS: tuple[str, ...] = (
    "pattern_of_coercive_control",
    "perpetrator_harm_to_children",
    "survivor_protective_efforts",
    "impact_on_children",
    "intersecting_factors",
)

REVIEW_DECISIONS: tuple[str, ...] = ("accept", "reject", "relabel", "add")
REJECT_REASONS: tuple[str, ...] = (
    "wrong_role", "negated", "reported", "hypothetical", "not_dv", "wrong_label", "other",
)


# Plain-language names shown to people (report, workbook, handout, dashboard, panels); the
# TAXONOMY names above stay the identifiers in data, files and the command line.
DISPLAY_NAMES: dict[str, str] = {
    # labels
    "failure_to_protect": "Failure to protect",
    "survivor_responsibilized": "Survivor made responsible",
    "survivor_pathologized": "Survivor pathologized",
    "mutualized": "Violence made mutual",
    "perpetrator_invisible": "Perpetrator invisible",
    "minimized": "Violence minimized",
    "father_absent": "Father not engaged",
    "perpetrator_pattern": "His pattern named",
    "harm_to_children": "Harm to children named",
    "survivor_strengths": "Survivor's protective efforts",
    "perpetrator_engaged": "Perpetrator engaged as a parent",
    # sources
    "lexicon": "Word pattern",
    "syntax": "Sentence structure rule",
    "classifier": "Trained model",
    # contexts
    "negated": "Negated",
    "reported": "Someone else's words",
    "hypothetical": "Hypothetical",
    "historical": "Historical",
    # levels (the continuum's own names) and the level a record without DV gets
    **{level: level for level in LEVELS},
    NOT_APPLICABLE: "No DV (not placed)",
    # indicators
    "dv_present": "Domestic violence present",
    "removal_threat": "Removal threatened if she does not act",
    "father_absent_record": "Father never engaged",
    "perpetrator_invisible_record": "His pattern never named",
    "onus_ratio": "Tasks on her for each task on him",
    "survivor_tasks": "Tasks on the survivor",
    "perpetrator_tasks": "Tasks on the perpetrator",
    "critical_components": "Safe & Together critical components",
    # critical components
    "pattern_of_coercive_control": "His pattern of coercive control",
    "perpetrator_harm_to_children": "His actions that harm the children",
    "survivor_protective_efforts": "Her protective efforts",
    "impact_on_children": "Impact on the children",
    "intersecting_factors": "Intersecting factors",
    # review decisions and reject reasons
    "accept": "Accept",
    "reject": "Reject",
    "relabel": "Relabel",
    "add": "Add a missed flag",
    "wrong_role": "Wrong person (role)",
    "not_dv": "Not domestic violence",
    "wrong_label": "Wrong label",
    "other": "Other (say why)",
    # evidence kinds that are not labels: DV terms (dv_terms.yaml families) and obligations (onus ratio)
    "dv_named": "DV named",
    "dv_coercive_control": "Coercive control named",
    "dv_legal_and_services": "DV order or service named",
    "survivor_task": "Task on the survivor",
    "perpetrator_task": "Task on the perpetrator",
}


def display_name(name: str | None) -> str:
    """Return the plain-language name of a TAXONOMY name (itself when it has none)."""
    if name is None:
        return ""
    return DISPLAY_NAMES.get(name, name)


def is_counted(context: str | None) -> bool:
    """Return whether a flag in this context counts as the writer's own framing."""
    return context not in UNCOUNTED_CONTEXTS
