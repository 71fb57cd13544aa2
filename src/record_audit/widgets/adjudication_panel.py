"""``AdjudicationPanel``: a lead settles the flags two reviewers decided differently, and sees why they differ.

Agreement comes first: per label and overall, percent agreement and Cohen's kappa with its
95% interval, in words where kappa is undefined or misleading (``store.agreement``), and a
confusion matrix between the two reviewers. Then one disagreement at a time: the sentence,
both reviewers' decisions, and the lead's own decision — accept, reject with a reason, or
relabel, whatever the reviewers chose — with the reason for it, which is required and logged.
Every piece of note text goes through ``html.escape``.
"""
from __future__ import annotations

from html import escape

import ipywidgets as w

from .. import taxonomy
from ..errors import InputError
from ..store.agreement import LabelAgreement, measure_agreement, outcome_name
from ..store.review import ReviewStore
from .render import shown

DECISIONS = (("Accept", "accept"), ("Reject", "reject"), ("Relabel", "relabel"))
NO_CHOICE = None


def _pct(value) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _kappa(stat: LabelAgreement) -> str:
    if stat.kappa is None:
        return "undefined"
    return f"{stat.kappa:.2f} ({stat.kappa_low:.2f} to {stat.kappa_high:.2f})"


def confusion_html(stat: LabelAgreement, a: str, b: str) -> str:
    """The two reviewers' answers against each other: rows ``a``, columns ``b``; the diagonal agrees."""
    head = "".join(f'<th style="padding:2px 8px">{escape(outcome_name(c))}</th>' for c in stat.categories)
    rows = []
    for i, cat in enumerate(stat.categories):
        cells = "".join(
            f'<td style="padding:2px 8px;text-align:right;{"background:#e8f5e9;" if i == j else ""}'
            f'{"font-weight:600;" if n and i != j else ""}">{n}</td>' for j, n in enumerate(stat.confusion[i]))
        rows.append(f'<tr><th style="padding:2px 8px;text-align:left">{escape(outcome_name(cat))}</th>{cells}</tr>')
    return (f'<table class="ra-confusion" style="border-collapse:collapse;font-size:13px">'
            f'<tr><th style="text-align:left;padding:2px 8px">{escape(a)} ↓ · {escape(b)} →</th>{head}</tr>'
            f'{"".join(rows)}</table>')


def agreement_html(a: str, b: str, stats: dict[str, LabelAgreement]) -> str:
    """Overall agreement in words, a table per label, and each label's confusion matrix."""
    overall = stats["overall"]
    if not overall.n:
        return (f'<div class="ra-agreement"><b>Agreement between {escape(a)} and {escape(b)}</b>: no flag decided '
                f'by both yet.</div>')
    notes = "".join(f"<li>{escape(n)}</li>" for n in overall.notes)
    head = (f'<div><b>Agreement between {escape(a)} and {escape(b)}</b> on {overall.n} flag(s) both decided: '
            f'{_pct(overall.percent_agreement)} agreement, Cohen\'s kappa {_kappa(overall)}'
            f'{"" if overall.kappa is None else " (95% interval)"}.</div>'
            + (f'<ul style="margin:2px 0 6px 0">{notes}</ul>' if notes else ""))
    rows = []
    for label, stat in stats.items():
        if label == "overall" or not stat.n:
            continue
        why = "<br>".join(escape(n) for n in stat.notes) or "—"
        rows.append(f'<tr><td>{escape(taxonomy.display_name(label))}</td><td style="text-align:right">{stat.n}</td>'
                    f'<td style="text-align:right">{_pct(stat.percent_agreement)}</td>'
                    f'<td style="white-space:nowrap">{_kappa(stat)}</td>'
                    f'<td style="text-align:right">{"—" if stat.pabak is None else f"{stat.pabak:.2f}"}</td>'
                    f'<td style="font-size:12px;color:#37474f">{why}</td></tr>')
    table = ('<table class="ra-agreement-table" style="border-collapse:collapse;margin:4px 0">'
             '<tr><th style="text-align:left">label</th><th>flags</th><th>agreement</th>'
             '<th>Cohen\'s kappa (95% interval)</th><th title="prevalence- and bias-adjusted kappa">PABAK</th>'
             f'<th style="text-align:left">what it means</th></tr>{"".join(rows)}</table>')
    matrices = "".join(
        f'<details style="margin:2px 0"><summary>{escape(taxonomy.display_name(label))}: how the answers '
        f'compare ({stat.n} flag(s))</summary>{confusion_html(stat, a, b)}</details>'
        for label, stat in stats.items() if label != "overall" and stat.n)
    return f'<div class="ra-agreement">{head}{table}<div><b>Confusion matrices</b></div>{matrices}</div>'


def decision_text(row: dict) -> str:
    """A reviewer's decision in words, with its reason, new label and comment."""
    what = taxonomy.display_name(row["decision"])
    if row["decision"] == "reject" and row.get("reason"):
        what += f" ({taxonomy.display_name(row['reason'])})"
    if row["decision"] == "relabel" and row.get("new_label"):
        what += f" → {taxonomy.display_name(row['new_label'])}"
    if row.get("comment"):
        what += f' — “{row["comment"]}”'
    return what


def dispute_card(item, a: str, ra: dict, b: str, rb: dict, left: int) -> str:
    """The disputed flag in its sentence, and both reviewers' decisions (all text escaped)."""
    f = item.flag
    s0 = item.sentence_start
    x, y = f["start"] - s0, f["end"] - s0
    text = item.sentence
    colour = "#fbd3cf" if f["label"] in taxonomy.CONCERN_LABELS else "#cdebd3"
    sentence = (f'{escape(text[:x])}<mark style="background:{colour};padding:0 2px">{escape(text[x:y])}</mark>'
                f'{escape(text[y:])}')
    return (f'<div class="ra-dispute"><div style="font-size:13px;color:#5f6b73">{left} disagreement(s) left · '
            f'record {escape(item.key.record_id)} · note {escape(item.key.note_id)}</div>'
            f'<div style="line-height:1.6;font-size:15px"><span style="color:#78909c">{escape(item.before)}</span> '
            f'<span style="border-bottom:2px solid #90a4ae">{sentence}</span> '
            f'<span style="color:#78909c">{escape(item.after)}</span></div>'
            f'<div><b>{escape(taxonomy.display_name(f["label"]))}</b> <span style="color:#5f6b73">'
            f'({escape(taxonomy.display_name(f["source"]))})</span> — '
            f'{escape(f.get("explanation") or taxonomy.DESCRIPTIONS[f["label"]])}</div>'
            f'<div style="margin-top:4px">{escape(a)}: <b>{escape(decision_text(ra))}</b></div>'
            f'<div>{escape(b)}: <b>{escape(decision_text(rb))}</b></div></div>')


class AdjudicationPanel(w.VBox):
    """A lead settles disagreements between two reviewers; the adjudication is final and logged with its reason.

    Tests drive it like a lead: ``use(0)`` / ``use(1)`` fill in a reviewer's decision (the
    *Start from …* buttons), ``decision``, ``reason``, ``new_label`` and ``why`` are the
    controls, ``save()`` (*Save adjudication*) writes it, ``skip()`` moves on.
    """

    def __init__(self, store: ReviewStore | str, lead: str, reviewers: tuple[str, str]) -> None:
        self.store = store if isinstance(store, ReviewStore) else ReviewStore(store)
        self.lead, self.reviewers = lead, tuple(reviewers)
        a, b = self.reviewers
        auto = w.Layout(width="auto")
        self.table = w.HTML()
        self.card = w.HTML()
        self.message = w.HTML()
        self.decision = w.ToggleButtons(options=DECISIONS, value=None, description="Decision",
                                        style={"button_width": "auto"})
        self.reason = w.Dropdown(options=[("— choose a reason —", NO_CHOICE),
                                          *[(taxonomy.display_name(r), r) for r in taxonomy.REJECT_REASONS]],
                                 value=NO_CHOICE, description="Reason", layout=w.Layout(width="320px"))
        self.new_label = w.Dropdown(options=[("— choose a label —", NO_CHOICE),
                                             *[(taxonomy.display_name(lb), lb) for lb in taxonomy.LABELS]],
                                    value=NO_CHOICE, description="New label", layout=w.Layout(width="360px"))
        self.why = w.Textarea(placeholder="Why this decision (required; logged with the adjudication)",
                              layout=w.Layout(width="70%", height="52px"))
        self.use_a = w.Button(description=f"Start from {a}'s decision", layout=auto,
                              tooltip=f"Fill in {a}'s decision; change it if you decide otherwise")
        self.use_b = w.Button(description=f"Start from {b}'s decision", layout=auto,
                              tooltip=f"Fill in {b}'s decision; change it if you decide otherwise")
        self.save_button = w.Button(description="Save adjudication", button_style="primary", layout=auto)
        self.skip_button = w.Button(description="Skip for now", layout=auto)
        for control in (self.decision, self.reason, self.new_label):
            control.observe(lambda _=None: self._enable(), names="value")
        self.why.observe(lambda _=None: self._enable(), names="value")
        self.use_a.on_click(shown(self, lambda: self.use(0)))
        self.use_b.on_click(shown(self, lambda: self.use(1)))
        self.save_button.on_click(shown(self, self.save))
        self.skip_button.on_click(shown(self, self.skip))
        self.pending: list = []
        self.position = 0
        super().__init__([
            self.table, w.HTML('<h4 style="margin:10px 0 4px 0">Disagreements</h4>'), self.card,
            w.HBox([self.use_a, self.use_b], layout=w.Layout(flex_flow="row wrap")),
            self.decision, w.HBox([self.reason, self.new_label], layout=w.Layout(flex_flow="row wrap")),
            self.why, w.HBox([self.save_button, self.skip_button]), self.message,
        ])
        self.add_class("ra-adjudication")
        self.refresh()

    # -- state ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the store again: agreement, and the disagreements still without an adjudication."""
        a, b = self.reviewers
        self.stats = measure_agreement(self.store, a, b)
        self.table.value = agreement_html(a, b, self.stats)
        self.pending = self.store.disagreements(a, b)
        self.position = min(self.position, max(len(self.pending) - 1, 0))
        self._show()

    def _show(self) -> None:
        a, b = self.reviewers
        if not self.pending:
            self.card.value = "<p><b>No disagreements left to adjudicate.</b></p>"
        else:
            key, ra, rb = self.pending[self.position]
            item = next(i for i in self.store.queue(None, record_id=key.record_id) if i.key == key)
            self.card.value = dispute_card(item, a, ra, b, rb, len(self.pending))
        for control in (self.use_a, self.use_b, self.skip_button, self.decision, self.reason, self.new_label,
                        self.why):
            control.disabled = not self.pending
        self.skip_button.disabled = len(self.pending) < 2
        self._enable()

    def _enable(self) -> None:
        """Reason only for a reject, new label only for a relabel; save once the choice is complete."""
        choice = self.decision.value
        self.reason.layout.display = None if choice == "reject" else "none"
        self.new_label.layout.display = None if choice == "relabel" else "none"
        complete = (bool(self.pending) and choice is not None and bool(self.why.value.strip())
                    and (choice != "reject" or self.reason.value is not None)
                    and (choice != "relabel" or self.new_label.value is not None))
        self.save_button.disabled = not complete

    def _reset(self) -> None:
        self.decision.value = None
        self.reason.value = NO_CHOICE
        self.new_label.value = NO_CHOICE
        self.why.value = ""

    # -- actions (also the API the tests drive) ----------------------------------------------
    def use(self, index: int) -> None:
        """Fill the controls with reviewer ``index``'s decision (0 or 1); nothing is saved yet."""
        if not self.pending:
            return
        row = self.pending[self.position][1 + index]
        self.decision.value = row["decision"] if row["decision"] in dict(DECISIONS).values() else None
        self.reason.value = row.get("reason") if row["decision"] == "reject" else NO_CHOICE
        self.new_label.value = row.get("new_label") if row["decision"] == "relabel" else NO_CHOICE
        self.message.value = (f"<i>{escape(self.reviewers[index])}'s decision filled in: change anything, say why, "
                              f"then save.</i>")

    def save(self) -> int | None:
        """Save the lead's decision on the shown disagreement, with the reason for it."""
        if not self.pending:
            return None
        key = self.pending[self.position][0]
        choice = self.decision.value
        try:
            decision_id = self.store.adjudicate(
                self.lead, key, choice or "", reason=self.reason.value if choice == "reject" else None,
                new_label=self.new_label.value if choice == "relabel" else None,
                comment=self.why.value.strip() or None)
        except InputError as err:
            self.message.value = f'<span style="color:#b71c1c">{escape(str(err))}</span>'
            return None
        self.message.value = (f'<span style="color:#1a6b3a">Adjudicated: {escape(taxonomy.display_name(choice))} · '
                              f'{escape(taxonomy.display_name(key.label))} in {escape(key.note_id)} '
                              f'(decision #{decision_id})</span>')
        self._reset()
        self.refresh()
        return decision_id

    def skip(self) -> None:
        """Leave the shown disagreement for later and show the next."""
        if self.pending:
            self.position = (self.position + 1) % len(self.pending)
        self._reset()
        self.message.value = ""
        self._show()
