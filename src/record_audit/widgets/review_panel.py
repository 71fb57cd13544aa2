"""``ReviewPanel``: review every flag of an audit, one at a time, without losing a decision.

Each click writes one event to the store's append-only log and shows its effect at once;
the panel resumes at the reviewer's first undecided flag. ``AdjudicationPanel`` lets a
lead settle the flags two reviewers decided differently.
"""
from __future__ import annotations

from html import escape

import ipywidgets as w

from .. import taxonomy
from ..errors import InputError
from ..store.review import FlagKey, ReviewStore
from .render import flag_card, shown

ALL = "(all)"


class ReviewPanel(w.VBox):
    """Review queue with filters, decision buttons, add-missed-flag, comment, skip, undo, progress."""

    def __init__(self, store: ReviewStore | str, reviewer: str = "", *, thresholds: dict | None = None) -> None:
        self.store = store if isinstance(store, ReviewStore) else ReviewStore(store)
        self.thresholds = thresholds
        records = self.store.store.record_ids()
        teams = self.store.store.teams()
        self.reviewer = w.Text(value=reviewer, description="Reviewer", placeholder="your name")
        self.label = w.Dropdown(options=[ALL, *taxonomy.LABELS], description="Label")
        self.source = w.Dropdown(options=[ALL, "lexicon", "syntax", "classifier", "review"], description="Source")
        self.team = w.Dropdown(options=[ALL, *teams], description="Team")
        self.record = w.Dropdown(options=[ALL, *records], description="Record")
        self.status = w.Dropdown(options=["unreviewed", "all", "reviewed", "disputed"], description="Show")
        self.order = w.Dropdown(options=[("by record", "record"), ("most uncertain first", "uncertainty")],
                                description="Order")
        self.card = w.HTML()
        self.message = w.HTML()
        self.progress = w.IntProgress(min=0, max=1, description="Reviewed")
        self.progress_text = w.Label()
        self.accept_button = w.Button(description="Accept", button_style="success", tooltip="Confirm the flag")
        self.reject_button = w.Button(description="Reject", button_style="danger", tooltip="Reject with a reason")
        self.reason = w.Dropdown(options=list(taxonomy.REJECT_REASONS), description="Reason")
        self.relabel_button = w.Button(description="Relabel", button_style="warning")
        self.new_label = w.Dropdown(options=list(taxonomy.LABELS), description="New label")
        self.add_button = w.Button(description="Add missed flag", tooltip="Add a counted flag on the chosen sentence")
        self.add_label = w.Dropdown(options=list(taxonomy.LABELS), description="Label")
        self.add_sentence = w.Dropdown(options=[], description="Sentence", layout=w.Layout(width="60%"))
        self.comment = w.Textarea(placeholder="comment (optional; required for reason 'other')",
                                  layout=w.Layout(width="60%", height="48px"))
        self.teaching = w.Checkbox(description="teaching example")
        self.skip_button = w.Button(description="Skip")
        self.back_button = w.Button(description="Back")
        self.undo_button = w.Button(description="Undo my last")
        self.accept_button.on_click(shown(self, self.accept))
        self.reject_button.on_click(shown(self, self.reject))
        self.relabel_button.on_click(shown(self, self.relabel))
        self.add_button.on_click(shown(self, self.add_missed))
        self.skip_button.on_click(shown(self, self.skip))
        self.back_button.on_click(shown(self, self.back))
        self.undo_button.on_click(shown(self, self.undo))
        for control in (self.label, self.source, self.team, self.record, self.status, self.order, self.reviewer):
            control.observe(shown(self, self.refresh), names="value")
        self.items: list = []
        self.position = 0
        super().__init__([
            w.HBox([self.reviewer, self.status, self.order]),
            w.HBox([self.label, self.source, self.team, self.record]),
            w.HBox([self.progress, self.progress_text]),
            self.card,
            w.HBox([self.accept_button, self.reject_button, self.reason]),
            w.HBox([self.relabel_button, self.new_label]),
            w.HBox([self.comment, self.teaching]),
            w.HBox([self.skip_button, self.back_button, self.undo_button]),
            w.HBox([self.add_button, self.add_label, self.add_sentence]),
            self.message,
        ])
        self.refresh()

    # -- state ---------------------------------------------------------------------------------
    def _value(self, control):
        return None if control.value == ALL else control.value

    @property
    def current(self):
        return self.items[self.position] if 0 <= self.position < len(self.items) else None

    def refresh(self, keep=None) -> None:
        """Reload the queue from the store; stay on ``keep`` (a flag key) when it is still listed."""
        self.items = self.store.queue(
            self.reviewer.value.strip() or None, label=self._value(self.label), source=self._value(self.source),
            team=self._value(self.team), record_id=self._value(self.record), status=self.status.value,
            order=self.order.value, thresholds=self.thresholds)
        keys = [i.key for i in self.items]
        self.position = keys.index(keep) if keep in keys else min(self.position, max(len(self.items) - 1, 0))
        self._show()

    def _show(self) -> None:
        reviewer = self.reviewer.value.strip()
        total = len(self.store.queue(None, label=self._value(self.label), source=self._value(self.source),
                                     team=self._value(self.team), record_id=self._value(self.record)))
        done = total - len(self.store.queue(reviewer or None, label=self._value(self.label),
                                            source=self._value(self.source), team=self._value(self.team),
                                            record_id=self._value(self.record), status="unreviewed")) if reviewer else 0
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.progress_text.value = f"{done} / {total} flags reviewed by {reviewer or '—'}"
        item = self.current
        enabled = item is not None and bool(reviewer)
        for button in (self.accept_button, self.reject_button, self.relabel_button, self.add_button):
            button.disabled = not enabled
        if item is None:
            self.card.value = "<p><b>Nothing left in this queue.</b> Change the filters or 'Show' to see more.</p>"
            self.add_sentence.options = []
            return
        self.card.value = flag_card(item, f"{self.position + 1} of {len(self.items)}")
        sentences = self.store.store.sentences(item.key.record_id, item.key.note_id)
        note = self.store.store.note_text(item.key.record_id, item.key.note_id)
        self.add_sentence.options = [(f"{s['sentence_index']}: {note[s['start']:s['end']][:70]}", s["sentence_index"])
                                     for s in sentences]
        self.add_sentence.value = item.key.sentence_index
        if not reviewer:
            self.message.value = "<i>Enter your name as reviewer to start.</i>"

    def _done(self, text: str) -> None:
        self.comment.value = ""
        self.teaching.value = False
        self.message.value = f'<span style="color:#1a6b3a">{escape(text)}</span>'

    def _fail(self, err: Exception) -> None:
        self.message.value = f'<span style="color:#b71c1c">{escape(str(err))}</span>'

    def _decide(self, decision: str, **kwargs) -> int | None:
        item = self.current
        if item is None:
            return None
        try:
            decision_id = self.store.decide(self.reviewer.value, item.key, decision,
                                            comment=self.comment.value.strip() or None,
                                            teaching_example=self.teaching.value, **kwargs)
        except InputError as err:
            self._fail(err)
            return None
        self._done(f"{decision} · {item.key.label} in {item.key.note_id} (decision #{decision_id})")
        self._advance(item.key)
        return decision_id

    def _advance(self, key) -> None:
        """Move past the decided flag: reload and land on the next one in the queue."""
        old = self.position
        self.refresh(keep=key)
        keys = [i.key for i in self.items]
        if key in keys:
            self.position = min(keys.index(key) + 1, len(self.items) - 1)
        else:
            self.position = min(old, max(len(self.items) - 1, 0))
        self._show()

    # -- actions (also the API the tests drive) ----------------------------------------------
    def accept(self):
        return self._decide("accept")

    def reject(self):
        return self._decide("reject", reason=self.reason.value)

    def relabel(self):
        return self._decide("relabel", new_label=self.new_label.value)

    def add_missed(self):
        item = self.current
        if item is None or self.add_sentence.value is None:
            return None
        try:
            decision_id = self.store.add(self.reviewer.value, item.key.record_id, item.key.note_id,
                                         self.add_sentence.value, self.add_label.value,
                                         comment=self.comment.value.strip() or None,
                                         teaching_example=self.teaching.value)
        except InputError as err:
            self._fail(err)
            return None
        self._done(f"added {self.add_label.value} on sentence {self.add_sentence.value} of {item.key.note_id} "
                   f"(decision #{decision_id})")
        self.refresh(keep=item.key)
        return decision_id

    def skip(self) -> None:
        if self.items:
            self.position = (self.position + 1) % len(self.items)
        self.message.value = ""
        self._show()

    def back(self) -> None:
        if self.items:
            self.position = (self.position - 1) % len(self.items)
        self.message.value = ""
        self._show()

    def undo(self):
        reviewer = self.reviewer.value.strip()
        decision_id = self.store.undo(reviewer) if reviewer else None
        if decision_id is None:
            self.message.value = "<i>Nothing to undo.</i>"
            return None
        undone = self.store.undone_by(decision_id)
        self._done(f"undid {undone['decision']} on {undone['flag_label']} in {undone['note_id']}")
        self.refresh(keep=FlagKey.of_logged(undone))
        return decision_id

