"""Honest demo mode: simulated decisions are an explicit, visible choice, never switched by the store's
contents; 05's panel offers every design, reads changes the right way round, and rolls back only to
something (issue 16)."""
from __future__ import annotations

import shutil

import pytest

from record_audit.resources import shipped
from record_audit.store.review import ReviewStore


def test_switch_shows_simulated_decisions_only_when_chosen(review_db, tmp_path):
    from record_audit.widgets import DemoSwitch

    calls = []

    def simulate(review):
        item = review.queue(None)[0]
        review.decide("sim", item.key, "accept")
        calls.append(review.store.path)
        from collections import Counter
        return Counter(accept=1)

    copy = tmp_path / "demo.sqlite"
    switch = DemoSwitch(review_db, copy, simulated=False, simulate=simulate, what="one flag accepted by 'sim'")
    assert not copy.exists() and calls == []  # not chosen: nothing simulated
    assert "as its reviewers left it" in switch.banner.value and "no review decisions yet" in switch.banner.value
    panels = []
    box = switch.attach(lambda review: panels.append(review) or __import__("ipywidgets").HTML(str(review.store.path)))
    assert panels[-1].store.path == review_db and box.children[0] is switch
    switch.toggle.value = True  # the user's click
    assert calls == [copy] and panels[-1].store.path == copy
    assert "Simulated decisions are shown" in switch.banner.value and "1 accepted" in switch.banner.value
    assert "No QA team made these decisions" in switch.banner.value
    assert switch.path == copy and switch.review.decisions().shape[0] == 1
    assert ReviewStore(review_db).decisions().shape[0] == 0  # the store itself is never written
    switch.toggle.value = False
    assert panels[-1].store.path == review_db and switch.panel is not None


def test_switch_is_not_turned_by_the_number_of_decisions(review_db, tmp_path):
    """Three real decisions in the store: the choice written in the notebook still holds, both ways."""
    from record_audit.widgets import DemoSwitch

    review = ReviewStore(review_db)
    for item in review.queue("ana")[:3]:
        review.decide("ana", item.key, "accept")
    review.close()
    own = DemoSwitch(review_db, tmp_path / "a.sqlite", simulated=False)
    assert own.review.store.path == review_db and "3 decision(s) by 1 reviewer(s)" in own.banner.value
    simulated = DemoSwitch(review_db, tmp_path / "b.sqlite", simulated=True, simulate=lambda r: {})
    assert simulated.review.store.path == tmp_path / "b.sqlite" and "Simulated" in simulated.banner.value


def test_simulated_copy_refuses_to_overwrite_its_source(review_db):
    from record_audit.errors import InputError
    from record_audit.store.simulated import copy_store

    with pytest.raises(InputError, match=r"\[E202\]"):
        copy_store(review_db, review_db)


def test_changes_read_the_right_way_round():
    from record_audit.widgets.retrain_panel import change_text

    assert change_text(-0.143) == "loss 0.143"
    assert change_text(0.02) == "gain 0.020"
    assert change_text(0.0001) == "no change" and change_text(None) == "—"


def test_retrain_panel_offers_every_design_and_no_rollback_without_history(tmp_path):
    from record_audit.model.sentence_model import DESIGNS
    from record_audit.widgets import RetrainPanel

    models = tmp_path / "models"
    shutil.copytree(shipped("models"), models)
    panel = RetrainPanel(models, train_files=[], dev_file=tmp_path / "dev.jsonl")
    offered = [value for _, value in panel.design.options]
    assert offered == [*DESIGNS, "auto"] and "wordchars" in offered  # the shipped model's design too
    current = next(label for label, value in panel.design.options if "current model's design" in label)
    assert current.startswith(panel.registry.table()[0]["design"])
    assert panel.rollback_button.disabled and "nothing to roll back to" in panel.rollback_button.tooltip
