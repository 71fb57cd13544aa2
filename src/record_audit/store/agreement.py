"""Agreement between two reviewers, and what it means, for adjudication (issue 16).

``measure_agreement`` pairs the two reviewers' outcomes per flag (as ``ReviewStore.agreement``
does: accept, reject, relabel:<label>, add; on a record both reviewed, a flag only one of
them added counts as ``absent`` for the other) and gives per label and overall:

- percent agreement and Cohen's kappa with its 95% confidence interval (the asymptotic
  standard error of Fleiss, Cohen & Everitt 1969, as ``statsmodels`` computes it);
- a confusion matrix between the two reviewers (rows: the first reviewer's outcome);
- the prevalence- and bias-adjusted kappa (PABAK, Byrt, Bishop & Carlin 1993) and, in words,
  when kappa is undefined or misleading: every answer the same (undefined), one reviewer
  always giving the same answer (kappa cannot exceed 0 whatever the other does), one answer
  making up most of the answers (prevalence: kappa is low despite high agreement), the
  reviewers using an answer at clearly different rates (bias), or too few flags for the
  interval to say much.

Reviewer names are the only text here: no note text.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .. import taxonomy

ABSENT = "absent"
MIN_FLAGS = 10       # fewer flags than this: the interval is too wide to read kappa alone
PREVALENCE = 0.85    # one answer this common: kappa is depressed by prevalence
BIAS = 0.2           # reviewers' rates of an answer this far apart: a systematic difference


@dataclass(frozen=True)
class LabelAgreement:
    """Agreement between two reviewers on the flags of one label (or all: ``overall``)."""

    label: str
    n: int
    percent_agreement: float | None
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None
    pabak: float | None
    categories: tuple[str, ...] = ()
    confusion: tuple[tuple[int, ...], ...] = ()   # rows: first reviewer, columns: second
    notes: tuple[str, ...] = field(default=())    # in words: when kappa is undefined or misleading

    def to_dict(self) -> dict:
        return {"n": self.n, "percent_agreement": self.percent_agreement, "kappa": self.kappa,
                "kappa_low": self.kappa_low, "kappa_high": self.kappa_high, "pabak": self.pabak,
                "categories": list(self.categories), "confusion": [list(r) for r in self.confusion],
                "notes": list(self.notes)}


def outcome_name(outcome: str) -> str:
    """A reviewer's outcome in plain words: 'Relabel → Violence minimized', 'Not added'."""
    if outcome.startswith("relabel:"):
        return f"Relabel → {taxonomy.display_name(outcome.split(':', 1)[1])}"
    if outcome == ABSENT:
        return "Not added"
    if outcome == "add":
        return "Added"
    return taxonomy.display_name(outcome)


def agreement_pairs(current: dict, a: str, b: str) -> dict[str, list[tuple[str, str]]]:
    """The two reviewers' outcomes per flag, by label (``current``: ``ReviewStore.current()``)."""
    from .review import REVIEW_SOURCE, outcome
    shared = {k.record_id for k, by in current.items() if a in by and b in by}
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, by in current.items():
        if a in by and b in by:
            by_label[key.label].append((outcome(by[a]), outcome(by[b])))
        elif key.source == REVIEW_SOURCE and (a in by) != (b in by) and key.record_id in shared:
            by_label[key.label].append((outcome(by.get(a)) or ABSENT, outcome(by.get(b)) or ABSENT))
    return by_label


def _order(categories) -> list[str]:
    rank = {"accept": 0, "reject": 1, "add": 3, ABSENT: 4}
    return sorted(categories, key=lambda c: (rank.get(c, 2), c))


def label_agreement(label: str, pairs: list[tuple[str, str]], names: tuple[str, str]) -> LabelAgreement:
    """Percent agreement, kappa with its interval, PABAK, confusion matrix and notes for one set of pairs."""
    n = len(pairs)
    if n == 0:
        return LabelAgreement(label, 0, None, None, None, None, None,
                              notes=("No flag of this label was decided by both reviewers.",))
    cats = _order({c for pair in pairs for c in pair})
    index = {c: i for i, c in enumerate(cats)}
    table = [[0] * len(cats) for _ in cats]
    for x, y in pairs:
        table[index[x]][index[y]] += 1
    observed = sum(table[i][i] for i in range(len(cats))) / n
    rows = [sum(r) / n for r in table]
    cols = [sum(table[i][j] for i in range(len(cats))) / n for j in range(len(cats))]
    expected = sum(r * c for r, c in zip(rows, cols))
    k = max(len(cats), 2)
    pabak = (k * observed - 1) / (k - 1)
    notes: list[str] = []
    a, b = names
    kappa = low = high = None
    if len(cats) == 1:
        notes.append(f"Kappa is undefined: both reviewers gave every one of the {n} flag(s) the same answer "
                     f"({outcome_name(cats[0])}), so there is no variation to measure agreement beyond chance. "
                     "Read the percent agreement.")
    elif expected >= 1 - 1e-12:
        notes.append("Kappa is undefined: chance alone would explain every agreement.")
    else:
        import numpy as np
        from statsmodels.stats.inter_rater import cohens_kappa
        with np.errstate(divide="ignore", invalid="ignore"):  # its test of kappa = 0, unused here
            result = cohens_kappa(np.array(table, dtype=float))
        kappa = float(result.kappa)
        low, high = max(-1.0, float(result.kappa_low)), min(1.0, float(result.kappa_upp))
        for who, margin in ((a, rows), (b, cols)):
            constant = [cats[i] for i, share in enumerate(margin) if share == 1.0]
            if constant:
                notes.append(f"{who} gave every flag the same answer ({outcome_name(constant[0])}): kappa cannot "
                             f"exceed 0 whatever the other reviewer does, so kappa {kappa:.2f} beside "
                             f"{100 * observed:.0f}% agreement says nothing about how well they agree. "
                             "Look at the confusion matrix: where they differ is what to talk about.")
        if not any(share == 1.0 for share in (*rows, *cols)):
            common = max(range(len(cats)), key=lambda i: rows[i] + cols[i])
            share = (rows[common] + cols[common]) / 2
            if share >= PREVALENCE:
                notes.append(f"{100 * share:.0f}% of the answers are {outcome_name(cats[common])}: with one answer "
                             f"this common, kappa ({kappa:.2f}) is low even where the reviewers mostly agree "
                             f"(the prevalence effect). The prevalence-adjusted kappa (PABAK) is {pabak:.2f}.")
            # the answer whose rates differ most (a tie goes to the answer other than accept)
            gap, _, i = max((round(abs(rows[i] - cols[i]), 9), cats[i] != "accept", i) for i in range(len(cats)))
            if gap >= BIAS:
                notes.append(f"The reviewers answer {outcome_name(cats[i])} at different rates ({a} "
                             f"{100 * rows[i]:.0f}%, {b} {100 * cols[i]:.0f}% of flags): a systematic "
                             "difference between them (bias), worth a word about the guidelines.")
        if n < MIN_FLAGS:
            notes.append(f"Only {n} flag(s): the 95% interval ({low:.2f} to {high:.2f}) is wide; "
                         "read kappa with care.")
    return LabelAgreement(label, n, round(observed, 4), None if kappa is None else round(kappa, 4),
                          None if low is None else round(low, 4), None if high is None else round(high, 4),
                          round(pabak, 4), tuple(cats), tuple(tuple(r) for r in table), tuple(notes))


def measure_agreement(review, a: str, b: str) -> dict[str, LabelAgreement]:
    """Agreement between reviewers ``a`` and ``b`` per label (taxonomy order) and ``overall``."""
    pairs = agreement_pairs(review.current(), a, b)
    out = {label: label_agreement(label, pairs.get(label, []), (a, b)) for label in taxonomy.LABELS}
    out["overall"] = label_agreement("overall", [p for ps in pairs.values() for p in ps], (a, b))
    return out

