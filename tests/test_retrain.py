"""Retraining: candidate naming, comparison, the models registry, flag using the adopted model, the panel.

Every test works on a copy of the shipped models folder in a tmp directory; nothing here writes
to the repository's models/.
"""
from __future__ import annotations

import json
import random
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from record_audit import taxonomy
from record_audit.cli import main
from record_audit.errors import InputError
from record_audit.model.sentence_model import SentenceModel
from record_audit.model.compare import ChangedSentence, Comparison, compare_models
from record_audit.model.registry import CURRENT_FILE, MODELS_ENV, ModelRegistry, choose_model, read_current
from record_audit.model.train import PRECISION_FLOOR, PRECISION_MARGIN, model_version, rules_fingerprint, train_model, write_card
from record_audit.resources import shipped

# only two labels occur in the slice: the other columns are constant on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Label not .* is present in all training examples")

# invented safety-planning sentences the rules do not flag, so only a trained model can add them
SAFETY = ["Mum has a bag packed by the door.", "She kept a spare key hidden at her sister's.",
          "MO keeps the kids' passports at work.", "She saved the bus fare to the refuge in a sock."]
PATTERN = ["He goes through her bank statements every night.", "FA decides who she may see.",
           "He makes her account for every penny."]
NEUTRAL = ["Home visit completed.", "Kids were fed and clean.", "School bus pass arranged.", "Next visit Tuesday.",
           "Housing officer called back.", "The flat was tidy and warm."]
# a reviewed audit: a missed safety-planning sentence added, a pattern flag accepted
REVIEWED_NOTES = [
    ("RV1", "FA hit MO last week. Mum has a bag packed by the door. Home visit completed."),
    ("RV2", "Police attended a domestic. She kept a spare key hidden at her sister's. He makes her account for "
            "every penny."),
    ("RV3", "DV disclosed at school. MO keeps the kids' passports at work <see photo>. Next visit Tuesday."),
]


def slice_records(n_records: int, *, seed: int, prefix: str) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for r in range(n_records):
        sentences = [{"text": SAFETY[(r + seed) % len(SAFETY)], "labels": ["survivor_strengths"], "context": None},
                     {"text": PATTERN[r % len(PATTERN)], "labels": ["perpetrator_pattern"], "context": None}]
        sentences += [{"text": t, "labels": [], "context": None} for t in rng.sample(NEUTRAL, 3)]
        rng.shuffle(sentences)
        rid = f"{prefix}{r:02d}"
        records.append({"record_id": rid, "gold_level": "Blindness",
                        "notes": [{"note_id": f"{rid}-N1", "sentences": sentences}]})
    return records


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory, write_notes, audit_notes):
    """The slice, a dev slice, a reviewed store and a notes table, made once for the module."""
    from record_audit.store.review import ReviewStore

    root = tmp_path_factory.mktemp("retrain")
    train = write_jsonl(root / "slice.jsonl", slice_records(12, seed=0, prefix="T"))
    dev = write_jsonl(root / "dev.jsonl", slice_records(8, seed=1, prefix="D"))
    notes = write_notes(root / "notes.csv", REVIEWED_NOTES)
    db = audit_notes(notes, root / "reviewed.sqlite")
    review = ReviewStore(db)
    for rid, note_id, index in (("RV1", "RV1-1", 1), ("RV2", "RV2-1", 1), ("RV3", "RV3-1", 1)):
        review.add("ana", rid, note_id, index, "survivor_strengths")
    for item in review.queue("ana", label="perpetrator_pattern"):
        review.decide("ana", item.key, "accept")
    rows = review.training_rows()
    review.close()
    return {"root": root, "train": train, "dev": dev, "notes": notes, "db": db, "rows": rows}


def models_copy(path):
    shutil.copytree(shipped("models"), path)
    return path


@pytest.fixture(scope="module")
def candidate(work, nlp_rules, tmp_path_factory):
    """A candidate trained (design words) on the slice plus the reviewed rows, and its comparison."""
    models = models_copy(tmp_path_factory.mktemp("api") / "models")
    out = train_model([work["train"]], dev_file=work["dev"], models_dir=models, design="words", seed=0,
                      extra=work["rows"], log=lambda m: None, nlp=nlp_rules)
    comparison = compare_models(choose_model(models_dir=models), out["path"], dev_file=work["dev"],
                                reviewed_rows=work["rows"], nlp=nlp_rules, candidate_dev_report=out["dev_report"])
    return {**out, "models": models, "comparison": comparison}


@pytest.fixture(scope="module")
def panel(work, nlp_rules, tmp_path_factory):
    """The retraining panel after a click on 'Train candidate' (same inputs as ``candidate``)."""
    from record_audit.widgets import RetrainPanel

    models = models_copy(tmp_path_factory.mktemp("panel") / "models")
    panel = RetrainPanel(models, train_files=[work["train"]], dev_file=work["dev"], stores=[work["db"]],
                         design="words", seed=0, nlp=nlp_rules)
    assert panel.adopt_button.disabled  # nothing to adopt yet
    panel.train_button.click()
    return panel


# -- naming ---------------------------------------------------------------------------------------
def test_the_reviewed_store_gives_training_rows(work):
    labelled = {text: labels for _, text, labels in work["rows"]}
    assert labelled["Mum has a bag packed by the door."] == {"survivor_strengths"}
    assert "perpetrator_pattern" in labelled["He makes her account for every penny."]


@pytest.mark.slow  # trains a candidate
def test_candidate_is_reproducible_through_the_api_and_the_panel(candidate, panel):
    assert panel.candidate is not None and panel.candidate.name == candidate["path"].name
    again = SentenceModel.load(panel.candidate)
    assert again.thresholds == candidate["model"].thresholds
    rows = [{"text": t, "norm_text": t.lower(), "feats": {}} for t in SAFETY + NEUTRAL]
    np.testing.assert_allclose(again.predict_proba_rows(rows), candidate["model"].predict_proba_rows(rows))
    assert panel.comparison.label_table() == candidate["comparison"].label_table()
    assert panel.comparison.changed_table() == candidate["comparison"].changed_table()


@pytest.mark.slow  # trains a candidate
def test_version_names_data_rules_design_and_seed(candidate, work):
    meta = candidate["model"].meta
    fingerprint = rules_fingerprint()
    assert meta["rules_fingerprint"] == fingerprint and meta["n_reviewed"] == len(work["rows"])
    assert candidate["path"].name == f"record-audit-clf-{meta['data_hash'][:8]}-r{fingerprint[:8]}-words-s0.skops"
    assert f"rules fingerprint: `{fingerprint}`" in candidate["card"].read_text(encoding="utf-8")
    base = model_version("a" * 16, "b" * 16, "words", 0)
    assert base == model_version("a" * 16, "b" * 16, "words", 0, precision_margin=PRECISION_MARGIN)
    others = {model_version("c" * 16, "b" * 16, "words", 0), model_version("a" * 16, "d" * 16, "words", 0),
              model_version("a" * 16, "b" * 16, "full", 0), model_version("a" * 16, "b" * 16, "words", 1),
              model_version("a" * 16, "b" * 16, "words", 0, precision_margin=PRECISION_MARGIN + 0.015),
              model_version("a" * 16, "b" * 16, "words", 0, precision_floor=PRECISION_FLOOR + 0.1)}
    assert len(others) == 6 and base not in others


def test_rules_fingerprint_follows_the_loaded_rules(tmp_path):
    rules = tmp_path / "lexicons"
    shutil.copytree(shipped("lexicons"), rules)
    assert rules_fingerprint(rules) == rules_fingerprint()
    with open(rules / "minimized.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# a reviewer's note\n")
    assert rules_fingerprint(rules) == rules_fingerprint()  # a comment changes no rule
    text = (rules / "minimized.yaml").read_text(encoding="utf-8")
    (rules / "minimized.yaml").write_text(text.replace("[jealous, drunken, blind]", "[jealous, drunken]"), encoding="utf-8")
    assert rules_fingerprint(rules) != rules_fingerprint()


# -- comparison -----------------------------------------------------------------------------------
@pytest.mark.slow  # trains a candidate
def test_comparison_has_per_label_deltas_levels_and_changed_reviewed_sentences(candidate, work):
    comparison = candidate["comparison"]
    table = comparison.label_table()
    assert [r["label"] for r in table] == list(taxonomy.LABELS)
    for row in table:
        assert row["ΔF1"] == pytest.approx(row["F1 candidate"] - row["F1 current"], abs=1e-4)
    metrics = {r["metric"]: r for r in comparison.summary_table()}
    assert {"macro-F1 counted", "macro-F1 detection", "record level exact", "record level within one"} <= set(metrics)
    assert comparison.current == choose_model(models_dir=candidate["models"]).stem
    assert comparison.n_reviewed == len(work["rows"])
    assert comparison.changed, "the candidate learned safety planning: some reviewed predictions must change"
    for changed in comparison.changed:
        assert changed.current != changed.candidate and changed.added + changed.removed
    learned = [c for c in comparison.changed if "survivor_strengths" in c.added]
    assert learned and all("survivor_strengths" in c.reviewed and c.agreeing for c in learned)
    summary = comparison.reviewed_summary()
    assert summary["changed_sentences"] == len(comparison.changed)
    assert "reviewed sentences changed" in comparison.headline()


def test_comparison_html_escapes_sentences():
    report = {"sentences": {kind: {**{l: {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 5}
                                      for l in taxonomy.LABELS}, "macro_f1": 0.5, "micro_f1": 0.5}
                            for kind in ("counted", "detection")}, "records": {"exact": 0.5, "within_one": 0.9}}
    changed = ChangedSentence("R1", "He said <script>alert(1)</script> & left.", ("minimized",), (), ("minimized",))
    html = Comparison("old <b>", "new", dev={"current": report, "candidate": report}, changed=[changed],
                      n_reviewed=1).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "old &lt;b&gt;" in html
    assert changed.verdict == "agrees with review" and changed.added == ("minimized",)


# -- registry, adopt, flag, rollback ---------------------------------------------------------------
def classifier_flags(lines):
    return sorted((row["record_id"], row["sentence_index"], flag["label"], round(flag["score"], 4))
                  for row in lines for flag in row["flags"] if flag["source"] == "classifier")


def expected_flags(nlp, notes, model_path):
    """The classifier flags the pipeline gives the notes with ``model_path``, computed in this process."""
    from record_audit.engines import flag_records
    from record_audit.io import open_notes
    from record_audit.pipeline import set_model

    set_model(nlp, model_path)
    try:
        lines = [row for record in flag_records(open_notes(notes), nlp, assume_dv=True)
                 for row in record.sentence_rows()]
    finally:
        nlp.get_pipe("record_audit_classifier").set_model(None)
    return classifier_flags(lines)


def run_flag(notes, out, *args, env=None):
    result = CliRunner().invoke(main, ["flag", str(notes), "--assume-dv", "-o", str(out), *args], env=env)
    assert result.exit_code == 0, result.output
    return classifier_flags(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())


@pytest.mark.slow  # trains a candidate
def test_adopt_then_flag_uses_it_and_rollback_restores_the_previous(candidate, work, nlp_rules, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(candidate["models"], models)
    registry = ModelRegistry(models)
    shipped_model = registry.current()
    new = registry.adopt(candidate["path"].name, note="dev macro-F1 up")
    assert new.name == candidate["path"].name and registry.current() == new
    assert read_current(models) == {"model": new.name, "previous": shipped_model.name,
                                    "history": [shipped_model.name, new.name]}
    card = new.with_suffix(".card.md").read_text(encoding="utf-8")
    assert "## Adoption log" in card and f"adopted, replacing {shipped_model.name}" in card
    assert "dev macro-F1 up" in card
    assert registry.adopt(new) == new and registry.history() == [shipped_model.name, new.name]  # no-op
    write_card(new.with_suffix(".card.md"), candidate["model"], {})  # the same model trained again
    assert "dev macro-F1 up" in new.with_suffix(".card.md").read_text(encoding="utf-8")

    with_candidate = expected_flags(nlp_rules, work["notes"], new)
    with_shipped = expected_flags(nlp_rules, work["notes"], shipped_model)
    assert with_candidate and with_candidate != with_shipped
    assert run_flag(work["notes"], tmp_path / "a.jsonl", "--models-dir", str(models)) == with_candidate

    assert registry.rollback(note="back") == shipped_model and registry.current() == shipped_model
    assert read_current(models)["history"] == [shipped_model.name]
    assert "adopted again, rolling back" in shipped_model.with_suffix(".card.md").read_text(encoding="utf-8")
    # the environment variable points flag at the folder as --models-dir does
    assert run_flag(work["notes"], tmp_path / "b.jsonl", env={MODELS_ENV: str(models)}) == with_shipped
    assert new.is_file()  # rolled back, not deleted


@pytest.mark.slow  # trains a candidate
def test_registry_lists_models_with_their_key_figures(candidate):
    rows = {r["file"]: r for r in ModelRegistry(candidate["models"]).table()}
    new = rows[candidate["path"].name]
    assert new["design"] == "words" and not new["current"] and new["has_card"]
    assert new["dev_macro_f1"] == candidate["dev"]["words fused (counted)"]["macro_f1"]
    assert new["rules_fingerprint"] == rules_fingerprint() and new["n_reviewed"] > 0
    assert sum(r["current"] for r in rows.values()) == 1


@pytest.mark.slow  # trains a candidate
def test_registry_errors_are_clear_input_errors(tmp_path, candidate):
    with pytest.raises(InputError, match="no such models folder"):
        ModelRegistry(tmp_path / "missing")
    with pytest.raises(InputError, match="no such models folder"):
        choose_model(models_dir=tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no current.json"):
        choose_model(models_dir=empty)
    models = models_copy(tmp_path / "models")
    registry = ModelRegistry(models)
    with pytest.raises(InputError, match="no earlier adoption to roll back to"):
        registry.rollback()
    with pytest.raises(InputError, match="not in the models folder"):
        registry.adopt(candidate["path"])  # trained into another folder
    with pytest.raises(InputError, match="no such model file"):
        registry.adopt("record-audit-clf-nope.skops")
    (models / CURRENT_FILE).write_text(json.dumps({"model": "gone.skops"}), encoding="utf-8")
    for call in (registry.current, lambda: choose_model(models_dir=models)):
        with pytest.raises(InputError, match="names the model 'gone.skops', which is not"):
            call()
    (models / CURRENT_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        registry.current()


def test_the_first_current_json_format_does_not_list_itself_as_previous(tmp_path):
    models = models_copy(tmp_path / "models")
    name = read_current(models)["model"]
    (models / CURRENT_FILE).write_text(json.dumps({"model": name, "previous": name}), encoding="utf-8")
    assert read_current(models) == {"model": name, "previous": None, "history": [name]}


@pytest.mark.slow  # trains a candidate
def test_a_failed_write_leaves_current_json_as_it_was(tmp_path, candidate, monkeypatch):
    import os
    models = tmp_path / "models"
    shutil.copytree(candidate["models"], models)
    before = (models / CURRENT_FILE).read_text(encoding="utf-8")

    def fail(*_):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        ModelRegistry(models).adopt(candidate["path"].name)
    assert (models / CURRENT_FILE).read_text(encoding="utf-8") == before
    assert not list(models.glob("*.partial")) and not list(models.glob(".*.partial"))


@pytest.mark.slow  # trains a candidate
def test_models_commands_list_adopt_rollback_and_refuse_bad_input(tmp_path, candidate, work):
    models = tmp_path / "models"
    shutil.copytree(candidate["models"], models)
    runner = CliRunner()
    adopted = runner.invoke(main, ["models", "adopt", candidate["path"].stem, "--models-dir", str(models)])
    assert adopted.exit_code == 0 and candidate["path"].name in adopted.output
    listed = json.loads(runner.invoke(main, ["models", "list", "--models-dir", str(models), "--format", "json"]).output)
    assert [m["file"] for m in listed["models"] if m["current"]] == [candidate["path"].name]
    text = runner.invoke(main, ["models", "list", "--models-dir", str(models)]).output
    assert f"* {candidate['path'].name}" in text
    assert runner.invoke(main, ["models", "rollback", "--models-dir", str(models)]).exit_code == 0
    again = runner.invoke(main, ["models", "rollback", "--models-dir", str(models)])
    assert again.exit_code == 2 and "no earlier adoption" in again.output and "Traceback" not in again.output
    missing = runner.invoke(main, ["flag", str(work["notes"]), "--models-dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such models folder" in missing.output
    for line in work["notes"].read_text(encoding="utf-8").splitlines()[1:]:
        assert line.split(",", 1)[1][:20] not in missing.output  # no note text in the error


# -- the panel -------------------------------------------------------------------------------------
@pytest.mark.slow  # trains a candidate
def test_panel_shows_the_comparison_escaped_then_adopts_and_rolls_back(panel):
    assert "Candidate" in panel.status.value and "macro-F1" in panel.status.value
    assert "survivor_strengths" in panel.result_view.value and "<see photo>" not in panel.result_view.value
    assert not panel.adopt_button.disabled and panel.rollback_button.disabled
    shipped_model = panel.registry.current()
    panel.adopt_button.click()
    assert panel.registry.current() == panel.candidate and "Adopted" in panel.message.value
    assert panel.adopt_button.disabled and not panel.rollback_button.disabled
    assert "current" in panel.models_view.value
    card = panel.candidate.with_suffix(".card.md").read_text(encoding="utf-8")
    assert "dev counted macro-F1" in card.split("## Adoption log")[1]
    panel.rollback_button.click()
    assert panel.registry.current() == shipped_model and "Rolled back" in panel.message.value
    panel.rollback_button.click()  # nothing left to roll back to: the error is on the panel
    assert "no earlier adoption" in panel.message.value and panel.registry.current() == shipped_model


def test_panel_shows_a_failed_training_and_trains_nothing(tmp_path, nlp_rules, work):
    from record_audit.widgets import RetrainPanel

    models = models_copy(tmp_path / "models")
    gone = tmp_path / "moved.sqlite"
    panel = RetrainPanel(models, train_files=[work["train"]], dev_file=work["dev"], stores=[gone], nlp=nlp_rules)
    before = sorted(p.name for p in models.iterdir())
    panel.train_button.click()
    assert "no such review store" in panel.message.value and "failed" in panel.status.value
    assert panel.candidate is None and panel.adopt_button.disabled and not panel.train_button.disabled
    assert sorted(p.name for p in models.iterdir()) == before


@pytest.mark.slow  # trains a candidate
def test_cli_train_takes_reviewed_decisions_from_db_as_the_contract_spells_it(candidate, work, tmp_path):
    """CONTRACT §8: `train ANNOTATED.jsonl --db AUDIT.sqlite` adds the store's reviewed decisions."""
    import json

    from click.testing import CliRunner

    from record_audit.cli import main

    result = CliRunner().invoke(main, ["train", str(work["train"]), "--db", str(work["db"]),
                                       "--models-dir", str(tmp_path), "--design", "words", "--seed", "0"])
    assert result.exit_code == 0, result.output
    (model,) = tmp_path.glob("*.skops")
    # the same files, reviewed rows, rules, design and seed as the API's candidate: the same version
    assert model.name == candidate["path"].name
    meta = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))["meta"]
    assert meta["n_reviewed"] == len(work["rows"]) > 0
