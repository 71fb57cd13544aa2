"""Simulated review decisions on a copy of an audit store, for demos (issue 16: honest demo mode).

A notebook that wants to show what reviewed decisions look like before a QA team has made
any records them on a *copy*: ``simulated_copy`` copies the store consistently and owner-only
(``store.db.copy_store``: SQLite's backup API, whatever is still in its WAL file) and runs a simulation on the copy, by default
``gold_simulation``: the decisions a reviewer who agreed with the samples' gold annotation
would make (``store.gold.review_from_gold``, reviewer ``gold_annotation``). The original
store is never written. Whether simulated decisions are shown is the user's explicit choice
(``widgets.demo.DemoSwitch``), never a consequence of how many decisions a store holds.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import Errors, InputError
from ..resources import shipped
from . import db
from .review import ReviewStore

Simulation = Callable[[ReviewStore], Counter]


def samples_annotation() -> Path:
    """The bundled samples' annotated records (``data/samples/annotated.jsonl`` of the checkout)."""
    return shipped("data") / "samples" / "annotated.jsonl"


def gold_simulation(annotated: str | Path | None = None, *, records: Iterable[str] | None = None,
                    teaching_per_label: int = 3) -> Simulation:
    """A simulation recording the decisions the gold annotation implies (``review_from_gold``)."""
    from ..io.annotated import read_annotated
    from .gold import review_from_gold

    path = Path(annotated) if annotated else samples_annotation()
    wanted = list(records) if records is not None else None

    def simulate(review: ReviewStore) -> Counter:
        if not path.is_file():
            raise InputError(Errors.E201.format(path=path))
        return review_from_gold(review, read_annotated(path), records=wanted, teaching_per_label=teaching_per_label)
    return simulate


def copy_store(source: str | Path, target: str | Path) -> Path:
    """Copy an audit store to ``target`` (replaced, owner-only), consistently even while it is open
    in WAL mode (``store.db.copy_store``); never onto itself."""
    source, target = Path(source), Path(target)
    if source.resolve() == target.resolve():
        raise InputError(Errors.E202.format(path=target))
    return db.copy_store(source, target)


def simulated_copy(source: str | Path, target: str | Path, simulate: Simulation | None = None,
                   ) -> tuple[ReviewStore, Counter]:
    """Copy ``source`` to ``target`` and record simulated decisions there; the copy and what was recorded."""
    copy_store(source, target)
    review = ReviewStore(target)
    counts = (simulate or gold_simulation())(review)
    return review, Counter(counts)
