"""``MissesPanel``: the possible-misses queue, one sentence at a time; adding a flag is one click.

Unflagged sentences of DV records, the likeliest to hold a flag first (``ReviewStore.misses``):
the classifier's probability just under a label's threshold, a DV term with nothing flagged, a
party named beside a flagged sentence. Each *Add* button adds that label as a counted flag on the
sentence (an 'add' decision, like the review panel's *Add missed flag*) and moves on; *Nothing
missed* moves on. Every sentence read is logged with the seconds spent on it, so the panel shows
how many misses review found per sentence and per hour.
"""
from __future__ import annotations

import time
from html import escape

import ipywidgets as w

from .. import taxonomy
from ..errors import InputError
from ..store.review import ReviewStore
from .render import shown

REASONS = {"dv_term": "names DV, nothing flagged", "near_flag_party": "names a party beside a flagged sentence"}
N_BUTTONS = 3


def _reason(code: str) -> str:
    if code.startswith("near_threshold:"):
        return f"the model's probability is just under its threshold for {taxonomy.display_name(code.split(':', 1)[1])}"
    return REASONS.get(code, code)


class MissesPanel(w.VBox):
    """Review the possible-misses queue: add the labels a sentence holds, or say nothing was missed."""

    def __init__(self, store: ReviewStore | str, reviewer: str = "", *, model=None, probabilities: dict | None = None,
                 records=None, clock=time.monotonic) -> None:
        self.store = store if isinstance(store, ReviewStore) else ReviewStore(store)
        self.model = model
        if probabilities is None and model is not None:
            from ..adapt.scores import sentence_probabilities
            probabilities = sentence_probabilities(self.store.store, model, records=records)
        self.probabilities = probabilities or {}
        self.thresholds = dict(model.thresholds) if model is not None else {}
        self.records = records
        self.clock = clock
        self.reviewer = w.Text(value=reviewer, description="Reviewer", placeholder="your name")
        self.card = w.HTML()
        self.message = w.HTML()
        self.yield_text = w.HTML()
        self.add_buttons = [w.Button(layout=w.Layout(width="auto")) for _ in range(N_BUTTONS)]
        for i, button in enumerate(self.add_buttons):
            button.on_click(shown(self, lambda i=i: self.add_likely(i)))
        self.other_label = w.Dropdown(options=[(taxonomy.display_name(l), l) for l in taxonomy.LABELS],
                                      description="Other label")
        self.other_button = w.Button(description="Add this label")
        self.nothing_button = w.Button(description="Nothing missed", button_style="info")
        self.skip_button = w.Button(description="Skip", tooltip="Leave it in the queue for later")
        self.other_button.on_click(shown(self, lambda: self.add([self.other_label.value])))
        self.nothing_button.on_click(shown(self, lambda: self.add([])))
        self.skip_button.on_click(shown(self, self.skip))
        self.items: list = []
        self.position = 0
        self._shown_at = None
        super().__init__([
            self.reviewer, self.yield_text, self.card,
            w.HBox(self.add_buttons), w.HBox([self.other_label, self.other_button]),
            w.HBox([self.nothing_button, self.skip_button]), self.message,
        ])
        self.refresh()

    # -- state -------------------------------------------------------------------------------------
    @property
    def current(self):
        return self.items[self.position] if self.position < len(self.items) else None

    def refresh(self) -> None:
        """Reload the queue (sentences read by anyone drop out) and show its first sentence."""
        self.items = self.store.misses(self.reviewer.value or None, probabilities=self.probabilities,
                                       thresholds=self.thresholds, records=self.records)
        self.position = 0
        self._show()

    # -- actions -----------------------------------------------------------------------------------
    def add_likely(self, i: int) -> None:
        """Add the i-th likeliest label of the current sentence (its button's label)."""
        item = self.current
        if item is not None and i < len(item.likely):
            self.add([item.likely[i][0]])

    def add(self, labels) -> None:
        """Log the current sentence as read, adding a counted flag for each label (none: nothing missed)."""
        item = self.current
        if item is None:
            return
        seconds = round(self.clock() - self._shown_at, 1) if self._shown_at is not None else None
        try:
            self.store.review_miss(self.reviewer.value, item.key, labels, seconds=seconds, rank=item.rank,
                                   gain=item.gain)
        except InputError as err:
            self.message.value = f"<span style='color:#b00'>{escape(str(err))}</span>"
            return
        added = ", ".join(taxonomy.display_name(l) for l in labels)
        self.message.value = escape(f"Added {added}." if labels else "Marked: nothing missed.")
        self.position += 1
        self._show()

    def skip(self) -> None:
        self.position += 1
        self._show()

    # -- display -----------------------------------------------------------------------------------
    def _show(self) -> None:
        stats = self.store.miss_yield(self.reviewer.value or None)
        per_hour = f", {stats['per_hour']} per hour" if stats["per_hour"] is not None else ""
        per_sentence = f" ({stats['per_sentence']:.2f} per sentence read{per_hour})" if stats["read"] else ""
        self.yield_text.value = (f"<b>{stats['found']}</b> miss(es) found in <b>{stats['read']}</b> sentence(s) read"
                                 f"{per_sentence}; {max(len(self.items) - self.position, 0)} left in the queue")
        item = self.current
        for i, button in enumerate(self.add_buttons):
            if item is not None and i < len(item.likely):
                label, p = item.likely[i]
                button.description = f"Add {taxonomy.display_name(label)} ({p:.2f})"
                button.layout.display = None
            else:
                button.layout.display = "none"
        if item is None:
            self.card.value = "<p>The possible-misses queue is empty.</p>"
            self._shown_at = None
            return
        reasons = "; ".join(_reason(r) for r in item.reasons) or "record order"
        self.card.value = (
            f"<div><small>#{item.rank} · record {escape(item.record_id)} · note {escape(item.note_id)} · "
            f"expected gain {item.gain:.2f} · why: {escape(reasons)}</small>"
            f"<p style='color:#666'>{escape(item.before)}</p>"
            f"<p style='background:#fff7d6;padding:4px'>{escape(item.sentence)}</p>"
            f"<p style='color:#666'>{escape(item.after)}</p></div>")
        self._shown_at = self.clock()
