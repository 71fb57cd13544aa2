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


def is_counted(context: str | None) -> bool:
    """Return whether a flag in this context counts as the writer's own framing."""
    return context not in UNCOUNTED_CONTEXTS
