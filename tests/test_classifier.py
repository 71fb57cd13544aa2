"""The sentence classifier: reproducible training, skops trust, fusion policy, context."""
from __future__ import annotations

import json
import pickle
import random

import numpy as np
import pytest

from record_audit import taxonomy
from record_audit.errors import InputError
from record_audit.model.sentence_model import SentenceModel, build_classifier
from record_audit.model.train import Examples, tune_thresholds
from record_audit.pipeline import FLAGS_KEY

# the slice has only three labels: the other columns are constant on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Label not .* is present in all training examples")

# a small invented slice: paraphrases the lexicons do not know, in varied records
PARAPHRASES = {
    "failure_to_protect": ["She put the relationship before the kids.", "Mum keeps picking him over the children.",
                           "MO prioritised her partner over her kids again.", "She sided with him rather than the kids."],
    "minimized": ["He got handsy when drunk.", "Dad can be a bit hot-headed.", "FA just gets wound up sometimes.",
                  "He was only messing about with her."],
    "perpetrator_pattern": ["He goes through her bank statements every night.", "FA decides who she may see.",
                            "He took her passport and keeps it locked away.", "He makes her account for every penny."],
}
NEUTRAL = ["Home visit completed.", "Kids were fed and clean.", "School bus pass arranged.", "Next visit Tuesday.",
           "GP appointment booked for Mia.", "Housing officer called back.", "Jayden enjoys football.",
           "The flat was tidy and warm."]


def slice_records(n_records=24, seed=0):
    rng = random.Random(seed)
    records = []
    for r in range(n_records):
        sentences = []
        for label, texts in PARAPHRASES.items():
            text = texts[(r + len(label)) % len(texts)]
            sentences.append({"text": text.replace("the", rng.choice(["the", "the"])), "labels": [label],
                              "context": None})
        for text in rng.sample(NEUTRAL, 3):
            sentences.append({"text": text, "labels": [], "context": None})
        rng.shuffle(sentences)
        records.append({"record_id": f"T{r:02d}", "gold_level": "Blindness",
                        "notes": [{"note_id": f"T{r:02d}-N1", "sentences": sentences}]})
    return records


@pytest.fixture(scope="module")
def slice_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("slice") / "slice.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in slice_records()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, slice_file):
    from record_audit.model.train import train_model
    runs = []
    for k in range(2):
        out = train_model([slice_file], dev_file=None, models_dir=tmp_path_factory.mktemp(f"m{k}"),
                          design="words", seed=0, log=lambda m: None)
        runs.append(out)
    return runs


@pytest.mark.slow  # trains two models
def test_training_is_reproducible(trained):
    a, b = trained
    assert a["path"].name == b["path"].name  # same data, rules, design and seed: same version
    assert a["model"].thresholds == b["model"].thresholds
    rows = [{"text": t, "norm_text": t.lower(), "feats": {}} for t in ["He goes through her phone.", "Bus pass."]]
    np.testing.assert_allclose(a["model"].predict_proba_rows(rows), b["model"].predict_proba_rows(rows))
    assert a["oof"] == b["oof"]


@pytest.mark.slow  # trains two models
def test_model_file_round_trips_and_has_a_card(trained):
    out = trained[0]
    loaded = SentenceModel.load(out["path"])
    rows = [{"text": "He makes her account for every penny.", "norm_text": "_perpetrator_ makes _survivor_ account",
             "feats": {}}]
    np.testing.assert_allclose(loaded.predict_proba_rows(rows), out["model"].predict_proba_rows(rows))
    card = out["card"].read_text(encoding="utf-8")
    assert "## Intended use" in card and "## Thresholds" in card and out["model"].meta["data_hash"] in card
    assert out["path"].stat().st_size < 2_000_000


def test_untrusted_or_pickled_model_files_are_refused(tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer
    bad = tmp_path / "bad.skops"
    sio.dump(FunctionTransformer(func=print), bad)
    (tmp_path / "bad.json").write_text(json.dumps({"labels": list(taxonomy.LABELS), "thresholds": {}}))
    with pytest.raises(InputError, match="refused, the file holds types record_audit does not trust"):
        SentenceModel.load(bad)
    pickled = tmp_path / "model.skops"
    pickled.write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(InputError, match="not a skops model file"):
        SentenceModel.load(pickled)


class FixedModel(SentenceModel):
    """A stand-in model giving fixed probabilities, to test the fusion policy alone."""

    def __init__(self, probs: dict[str, float], thresholds: dict[str, float] | None = None):
        super().__init__(pipeline=None, labels=taxonomy.LABELS,
                         thresholds=thresholds or {l: 0.5 for l in taxonomy.LABELS})
        self.probs = probs

    def predict_proba_rows(self, rows):
        return np.array([[self.probs.get(l, 0.0) for l in self.labels] for _ in rows])


def classifier_flags(nlp, model, text):
    nlp.get_pipe("record_audit_classifier").set_model(model)
    try:
        doc = nlp(text)
        return [(s.label_, s._.source, round(s._.score, 2), s._.context, s._.counted, s.text)
                for s in doc.spans[FLAGS_KEY]]
    finally:
        nlp.get_pipe("record_audit_classifier").set_model(None)


def test_fusion_adds_only_where_no_rule_flagged_the_label(nlp_rules):
    model = FixedModel({"failure_to_protect": 0.9, "minimized": 0.4, "mutualized": 0.7})
    flags = classifier_flags(nlp_rules, model, "Mother failed to protect the kids. She put him first.")
    by_source = {(label, source) for label, source, *_ in flags}
    assert ("failure_to_protect", "lexicon") in by_source  # the rule flag stays
    cls = [f for f in flags if f[1] == "classifier"]
    # failure_to_protect: added to the second sentence only (a rule covers the first)
    assert [(f[0], f[5]) for f in cls if f[0] == "failure_to_protect"] == [("failure_to_protect", "She put him first.")]
    assert not [f for f in cls if f[0] == "minimized"]  # 0.4 < threshold 0.5
    assert {f[2] for f in cls if f[0] == "mutualized"} == {0.7}  # the probability is the score


def test_context_applies_to_classifier_flags(nlp_rules):
    model = FixedModel({"failure_to_protect": 0.9})
    reported = classifier_flags(nlp_rules, model, "Father stated that she puts the relationship first.")
    negated = classifier_flags(nlp_rules, model, "There are no concerns that she puts the relationship first.")
    plain = classifier_flags(nlp_rules, model, "She puts the relationship first.")
    assert [(f[3], f[4]) for f in reported if f[1] == "classifier"] == [("reported", False)]
    assert [(f[3], f[4]) for f in negated if f[1] == "classifier"] == [("negated", False)]
    assert [(f[3], f[4]) for f in plain if f[1] == "classifier"] == [(None, True)]


def test_local_cues_do_not_frame_a_sentence_wide_flag(nlp_rules):
    """A plain "not", a modal or an inner "if" belongs to what the model read, not to a frame."""
    model = FixedModel({"harm_to_children": 0.9})  # a label no rule flags in these sentences
    for text in ("He checks her phone and calls her if she stops anywhere he did not approve.",
                 "He took the car keys so she could not leave the house."):
        flags = [f for f in classifier_flags(nlp_rules, model, text) if f[1] == "classifier"]
        assert [(f[0], f[3], f[4]) for f in flags] == [("harm_to_children", None, True)], text
    # a frame still governs the sentence: a question, a denial
    for text, context in (("Did he take the car keys so she could not leave?", "hypothetical"),
                          ("Father denied that he took her car keys.", "negated")):
        flags = [f for f in classifier_flags(nlp_rules, model, text) if f[1] == "classifier"]
        assert [(f[3], f[4]) for f in flags] == [(context, False)], text


@pytest.mark.slow  # trains two models
def test_the_words_design_reads_only_the_normalized_text(trained):
    assert trained[0]["model"].columns == {"norm_text"}


def test_parse_features_are_computed_only_for_a_model_that_reads_them(nlp_rules):
    assert FixedModel({}).columns == {"text", "norm_text", "feats"}  # a pipeline that does not say

    seen = []

    class Recording(FixedModel):
        def predict_proba_rows(self, rows):
            seen.extend(rows)
            return super().predict_proba_rows(rows)

    class WordsOnly(Recording):
        columns = frozenset({"norm_text"})

    text = "The father must attend a programme. He hit her."
    for model in (Recording({}), WordsOnly({})):
        seen.clear()
        classifier_flags(nlp_rules, model, text)
        assert [r["norm_text"] for r in seen] == ["_perpetrator_ must attend a programme .",
                                                  "_perpetrator_ hit _survivor_ ."]
        assert all(r["feats"] for r in seen) == (model.columns == {"text", "norm_text", "feats"})


def test_unknown_design_is_refused():
    with pytest.raises(ValueError, match="unknown design"):
        build_classifier("deep")


class WordModel(FixedModel):
    """A stand-in whose probability depends on the sentence, so a misaligned batch would show."""

    def predict_proba_rows(self, rows):
        return np.array([[0.9 if l == "survivor_strengths" and "passport" in r["text"] else
                          0.8 if l == "harm_to_children" and "handsy" in r["text"] else 0.1
                          for l in self.labels] for r in rows])


def test_batched_scoring_gives_the_same_flags_as_one_doc_at_a_time(nlp_rules):
    texts = ["Home visit completed.", "He got handsy when drunk. Kids fed.", "", "Next visit Tuesday.",
             "He took her passport and keeps it locked away.", "School bus pass arranged. He got handsy again."]
    nlp_rules.get_pipe("record_audit_classifier").set_model(WordModel({}))
    try:
        def flags(doc):
            return sorted((s.start, s.end, s.label_, s._.source, round(s._.score, 6)) for s in doc.spans[FLAGS_KEY]
                          if s._.source == "classifier")
        one_by_one = [flags(nlp_rules(t)) for t in texts]
        batched = [flags(d) for d in nlp_rules.pipe(texts, batch_size=4)]
    finally:
        nlp_rules.get_pipe("record_audit_classifier").set_model(None)
    assert batched == one_by_one
    assert [bool(f) for f in batched] == [False, True, False, False, True, True]


def test_the_shipped_model_matches_the_repository_data_and_its_card():
    """`make model` trains models/ from the repository's own data; retrain when the data changes."""
    from pathlib import Path

    from record_audit.model.train import data_hash
    from record_audit.model.registry import choose_model

    root = Path(__file__).resolve().parents[1]
    path = choose_model(models_dir=root / "models")
    assert path is not None and path.is_file(), "no adopted model: run `make model`"
    model = SentenceModel.load(path)
    train_files = [root / "data" / "samples" / "annotated.jsonl", root / "data" / "corpus" / "train.jsonl"]
    assert model.meta["train_files"] == [f.name for f in train_files]
    assert model.meta["data_hash"] == data_hash(train_files), "the data changed: run `make model`"
    from record_audit.model.train import rules_fingerprint
    assert model.meta["rules_fingerprint"] == rules_fingerprint(), "the rules changed: run `make model`"
    assert path.stem == f"record-audit-clf-{model.meta['version']}"
    card = path.with_suffix(".card.md").read_text(encoding="utf-8")
    assert model.meta["data_hash"] in card and f"| {taxonomy.LABELS[0]} |" in card
    assert all(f"| {label} | {model.thresholds[label]:.3f} |" in card for label in model.labels)


def test_thresholds_add_classifier_flags_only_as_precise_as_the_floor():
    """Rules find 4 of 20 positives; the model gives 8 more 0.9, and 6 more and 2 negatives 0.6."""
    n, j = 40, taxonomy.LABELS.index("harm_to_children")
    y, rules, probs = np.zeros((n, len(taxonomy.LABELS)), int), np.zeros((n, len(taxonomy.LABELS)), int), np.zeros((n, len(taxonomy.LABELS)))
    y[:20, j] = 1
    rules[:4, j] = 1
    probs[4:12, j] = 0.9   # 8 positives the rules missed
    probs[12:18, j] = 0.6  # 6 more positives...
    probs[30:32, j] = 0.6  # ...and 2 negatives
    ex = Examples(rows=[{}] * n, y=y, rules=rules, groups=np.arange(n), texts=[""] * n)
    strict = tune_thresholds(probs, ex, precision_margin=-1.0, precision_floor=0.9)
    loose = tune_thresholds(probs, ex, precision_margin=-1.0, precision_floor=0.8)
    # at t <= 0.6 the added flags are right 14 times in 16 (0.875) for F1 0.90, against 8 of 8 and
    # F1 0.75 above 0.6: the 0.8 floor takes the lower threshold, the 0.9 floor refuses it
    assert 0.6 < strict["harm_to_children"] <= 0.9
    assert loose["harm_to_children"] <= 0.6
    assert strict["minimized"] == loose["minimized"] == 1.0  # no gain: rules only


@pytest.mark.slow  # trains two models
def test_flagging_probabilities_compute_only_labels_that_can_flag(trained):
    model = trained[0]["model"]
    rows = [{"text": t, "norm_text": t.lower(), "feats": {}}
            for t in ["He goes through her phone.", "Mum keeps picking him over the children.", "Bus pass."]]
    full = model.predict_proba_rows(rows)
    for thresholds in ({**model.thresholds, "minimized": 1.0, "failure_to_protect": 0.5},
                       {label: 1.0 for label in model.labels}):
        gated = SentenceModel(model.pipeline, model.labels, thresholds, model.meta)
        got = gated.flagging_probabilities(rows)
        active = [j for j, label in enumerate(model.labels) if thresholds[label] < 1.0]
        np.testing.assert_array_equal(got[:, active], full[:, active])
        assert not got[:, [j for j in range(len(model.labels)) if j not in active]].any()
