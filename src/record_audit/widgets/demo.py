"""``DemoSwitch``: simulated review decisions as an explicit, visible choice (issue 16: honest demo mode).

A notebook shows either the audit store's own review decisions or simulated ones recorded on
a copy of it (``store.simulated``), and says which, in words, right where the panel is. The
choice is the user's — a toggle, set in the notebook's code and changed with a click — and is
never switched by how many decisions the store holds. ``attach(make_panel)`` rebuilds the panel
when the choice changes; ``review`` is the ``ReviewStore`` the choice names, for code cells.

The simulation is made when first chosen (a fresh copy each time the switch is built), with
``store.simulated.gold_simulation()`` unless another ``simulate`` is given (notebook 02 passes its
own two-reviewer simulation for double review).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html import escape
from pathlib import Path

import ipywidgets as w

from ..store.review import ReviewStore
from ..store.simulated import Simulation, gold_simulation, simulated_copy
from .render import shown

OWN, SIMULATED = False, True
GOLD_WHAT = ("reviewed as the bundled samples' gold annotation says (reviewer “gold_annotation”); "
             "records that are not in the samples get no decision")


def _counts_text(counts: Counter) -> str:
    order = ("accept", "reject", "relabel", "add", "teaching")
    names = {"accept": "accepted", "reject": "rejected", "relabel": "relabelled", "add": "added",
             "teaching": "teaching marks"}
    parts = [f"{counts[k]} {names[k]}" for k in order if counts.get(k)]
    parts += [f"{n} {k}" for k, n in counts.items() if k not in names and n]
    return ", ".join(parts) or "no decision (none of the store's records is annotated)"


class DemoSwitch(w.VBox):
    """A toggle between a store's own review decisions and simulated ones on a copy, saying which is shown.

    ``DemoSwitch(db, copy, simulated=True)``: ``db`` is the audit store, ``copy`` where the
    simulated copy goes (replaced), ``simulated`` the initial choice, written in the notebook.
    ``simulate(review) -> Counter`` records the simulated decisions (default: from the samples'
    gold annotation), ``what`` says in words what it does.
    """

    def __init__(self, db: str | Path, copy: str | Path, *, simulated: bool = False,
                 simulate: Simulation | None = None, what: str | None = None) -> None:
        self.db, self.copy = Path(db), Path(copy)
        self.simulate = simulate or gold_simulation()
        self.what = what or GOLD_WHAT
        self._own: ReviewStore | None = None
        self._simulated: ReviewStore | None = None
        self.counts: Counter = Counter()
        self.panel: w.Widget | None = None  # the panel ``attach`` made for the current choice
        self._listeners: list[Callable[[ReviewStore], None]] = []
        self.toggle = w.ToggleButtons(
            options=[("Simulated decisions (demo)", SIMULATED), ("This store's own decisions", OWN)],
            value=bool(simulated), style={"button_width": "auto"},
            tooltips=[f"Show decisions simulated on a copy ({self.copy.name}); {self.db.name} is not changed",
                      f"Show {self.db.name} as its reviewers left it"])
        self.toggle.add_class("ra-demo-switch")
        self.banner = w.HTML()
        self.message = w.HTML()
        self.toggle.observe(shown(self, self._changed), names="value")
        super().__init__([self.toggle, self.banner, self.message])
        self._show()

    # -- the choice --------------------------------------------------------------------------------
    @property
    def simulated(self) -> bool:
        """Whether simulated decisions are shown."""
        return bool(self.toggle.value)

    @property
    def path(self) -> Path:
        """The store file the choice names (the simulated copy or the store itself)."""
        return self.copy if self.simulated else self.db

    @property
    def review(self) -> ReviewStore:
        """The ``ReviewStore`` the choice names; the simulated copy is made when first needed."""
        if self.simulated:
            if self._simulated is None:
                self._simulated, self.counts = simulated_copy(self.db, self.copy, self.simulate)
            return self._simulated
        if self._own is None:
            self._own = ReviewStore(self.db)
        return self._own

    def on_change(self, callback: Callable[[ReviewStore], None]) -> None:
        """Call ``callback(review)`` whenever the choice changes."""
        self._listeners.append(callback)

    def attach(self, make_panel: Callable[[ReviewStore], w.Widget]) -> w.VBox:
        """The switch above a panel made by ``make_panel(review)``, made again when the choice changes."""
        self.panel = make_panel(self.review)
        holder = w.VBox([self.panel])

        def rebuild(review: ReviewStore) -> None:
            self.panel = make_panel(review)
            old, holder.children = holder.children, (self.panel,)
            for widget in old:
                widget.close()
        self.on_change(rebuild)
        return w.VBox([self, holder])

    # -- display -----------------------------------------------------------------------------------
    def _changed(self, _=None) -> None:
        review = self.review
        self._show()
        for callback in self._listeners:
            callback(review)

    def _show(self) -> None:
        review = self.review
        if self.simulated:
            self.banner.value = (
                '<div class="ra-demo-banner" style="border:2px solid #e66101;background:#fff3e0;border-radius:6px;'
                'padding:6px 12px;margin:4px 0"><b style="color:#b34700">Simulated decisions are shown.</b> '
                f'A copy of {escape(self.db.name)} (<code>{escape(self.copy.name)}</code>) {escape(self.what)}: '
                f'{escape(_counts_text(self.counts))}. <b>No QA team made these decisions</b>; '
                f'{escape(self.db.name)} itself is not changed. Choose “This store\'s own decisions” for a real '
                'audit.</div>')
        else:
            n = int(review.decisions()["decision"].ne("undo").sum())
            reviewers = review.decisions()["reviewer"].nunique()
            what = (f"{n} decision(s) by {reviewers} reviewer(s)" if n else
                    "no review decisions yet: review flags in 02_review_flags.ipynb, or choose “Simulated "
                    "decisions (demo)” to see what reviewed decisions look like")
            self.banner.value = (
                '<div class="ra-demo-banner" style="border:1px solid #90a4ae;border-radius:6px;padding:6px 12px;'
                f'margin:4px 0">Showing <b>{escape(self.db.name)}</b> as its reviewers left it: {escape(what)}.</div>')
