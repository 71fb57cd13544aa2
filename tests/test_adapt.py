"""Learning from review (issue 17): overlay rules folders, the possible-misses queue, rule suggestions,
accepting and rejecting them (library, command line, panels)."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from record_audit.errors import InputError
from record_audit.rules import load_rules
from record_audit.store.review import FlagKey, ReviewStore

# invented notes: a behaviour of his the rules do not know ("deflated her tyres"), and someone else's
# words ("texted that ...") the context rules do not know
ADAPT_NOTES = [
    ("A1", "Domestic abuse was reported to the police. FA deflated her car tyres again. "
           "Her sister texted that FA hit her. Paternal mother lacks insight into the abuse."),
    ("A2", "There is a history of domestic abuse. FA deflated the tyres on her car in March. "
           "The neighbour texted that FA hit her. Paternal mother lacks insight into the risks."),
    ("A3", "DV referral received. FA deflated her bicycle tyres. Worker visited the home."),
    ("A4", "Domestic abuse disclosed. FA deflated her car tyres last week. The cousin texted that FA hit her."),
    ("A5", "School attendance good. Kids fed and clean."),
]
LEXICON_ENTRY = {
    "id": "learned_deflate_test", "label": "perpetrator_pattern", "description": "Learned: he deflated her tyres.",
    "patterns": [[{"ROLE": "perpetrator"}, {"LEMMA": "deflate"}]],
    "explanation": "Names his behaviour.", "rewrite": "Keep naming it.",
    "examples": {"match": ["FA deflated her car tyres again."], "no_match": ["The tyres were deflated by the garage."]},
    "provenance": {"accepted_by": "ana", "decisions": [1, 2]},
}


_PIPELINES: dict = {}


def cached_load(rules):
    """``load_pipeline`` for rule sets, once per set of rules (the suggestion tests build the same ones)."""
    from record_audit.pipeline import load_pipeline
    key = rules.fingerprint()
    if key not in _PIPELINES:
        _PIPELINES[key] = load_pipeline(rules)
    return _PIPELINES[key]


def write_overlay(folder: Path, entries=(LEXICON_ENTRY,), marker="overlays: shipped\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overlay.yaml").write_text(marker, encoding="utf-8")
    if entries:
        (folder / "perpetrator_pattern.yaml").write_text(yaml.safe_dump(list(entries), sort_keys=False), encoding="utf-8")
    return folder


# -- overlay folders (rules.py) ---------------------------------------------------------------------
def test_an_overlay_folder_adds_its_rules_to_the_shipped_ones(tmp_path, rules):
    overlay = load_rules(write_overlay(tmp_path / "local"))
    assert [e.id for e in overlay.lexicon][:-1] == [e.id for e in rules.lexicon]
    assert overlay.lexicon[-1].id == "learned_deflate_test" and overlay.rubric == rules.rubric
    ids = lambda entries: [e.id for e in entries]  # noqa: E731
    assert ids(overlay.syntax) == ids(rules.syntax) and ids(overlay.roles) == ids(rules.roles)
    assert overlay.syntax[0].path == str(rules.root / rules.syntax[0].path)  # messages name the base's file
    assert overlay.fingerprint() != rules.fingerprint()


def test_provenance_does_not_change_the_rules_fingerprint(tmp_path):
    a = load_rules(write_overlay(tmp_path / "a"))
    b = load_rules(write_overlay(tmp_path / "b", [dict(LEXICON_ENTRY, provenance={"accepted_by": "bo"})]))
    assert a.fingerprint() == b.fingerprint()


def test_an_overlay_rule_reusing_a_shipped_id_is_refused(tmp_path, rules):
    taken = dict(LEXICON_ENTRY, id=rules.lexicon[0].id)
    with pytest.raises(InputError, match=r"\[E012\]"):
        load_rules(write_overlay(tmp_path / "local", [taken]))


def test_an_overlay_holds_only_rules_it_can_add(tmp_path):
    folder = write_overlay(tmp_path / "local")
    (folder / "rules").mkdir()
    (folder / "rules" / "rubric.yaml").write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\[E272\]"):
        load_rules(folder)


def test_a_bad_overlay_marker_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"\[E270\]"):
        load_rules(write_overlay(tmp_path / "local", marker="overlays: [a, b]\n"))


def test_the_pipeline_uses_an_overlay_rule(tmp_path, raw_matches):
    from record_audit.adapt.suggest import raw_rule_ids
    from record_audit.pipeline import load_pipeline
    assert "learned_deflate_test" not in raw_matches("FA deflated her car tyres again.")
    nlp = load_pipeline(write_overlay(tmp_path / "local"))
    assert "learned_deflate_test" in raw_rule_ids(nlp, "FA deflated her car tyres again.")


# -- a reviewed store of the invented notes ------------------------------------------------------------
@pytest.fixture(scope="module")
def adapt_db(tmp_path_factory, write_notes, audit_notes):
    folder = tmp_path_factory.mktemp("adapt")
    db = audit_notes(write_notes(folder / "notes.csv", ADAPT_NOTES), folder / "audit.sqlite")
    review = ReviewStore(db)
    for rid in ("A1", "A2", "A3"):  # the reviewer finds his behaviour in each, and rejects the reported hits
        review.add("ana", rid, f"{rid}-1", 1, "perpetrator_pattern")
        for item in review.queue("ana", record_id=rid, source=None):
            if item.key.source == "review":
                continue
            if "texted" in item.sentence:
                review.decide("ana", item.key, "reject", reason="reported")
            elif "Paternal" in item.sentence:  # his mother: not the survivor
                review.decide("ana", item.key, "reject", reason="wrong_role")
            else:
                review.decide("ana", item.key, "accept")
    review.close()
    return db


@pytest.fixture
def adapt_review(tmp_path, adapt_db, copy_store):
    review = ReviewStore(copy_store(adapt_db, tmp_path / "audit.sqlite"))
    yield review
    review.close()


@pytest.fixture(scope="module")
def suggestions(adapt_db, nlp_rules):
    from record_audit.adapt.suggest import suggest
    review = ReviewStore(adapt_db)
    try:
        return suggest(review, nlp=nlp_rules, load=cached_load)
    finally:
        review.close()


# -- the possible-misses queue -------------------------------------------------------------------------
def test_the_misses_queue_lists_unflagged_sentences_of_dv_records_only(adapt_review):
    queue = adapt_review.misses(include_read=True)
    flagged = {(f["record_id"], f["note_id"], f["sentence_index"]) for f in adapt_review.store.flags()}
    assert queue and not {i.key for i in queue} & flagged
    assert "A5" not in {i.record_id for i in queue}  # no DV: outside the audit
    assert [i.rank for i in queue] == list(range(1, len(queue) + 1))


def test_the_misses_queue_orders_by_expected_gain(adapt_review):
    keys = [i.key for i in adapt_review.misses(include_read=True)]
    probabilities = {keys[-1]: {"perpetrator_pattern": 0.6, "minimized": 0.1}}
    queue = adapt_review.misses(probabilities=probabilities, thresholds={"perpetrator_pattern": 0.8},
                                include_read=True)
    first = queue[0]
    assert first.key == keys[-1] and first.gain >= 0.7
    assert first.likely[0] == ("perpetrator_pattern", 0.6) and "near_threshold:perpetrator_pattern" in first.reasons
    assert [i.gain for i in queue] == sorted((i.gain for i in queue), reverse=True)


def test_a_sentence_read_from_the_queue_leaves_it_and_counts_in_the_yield(adapt_review):
    item = adapt_review.misses()[0]
    ids = adapt_review.review_miss("bo", item.key, ["minimized"], seconds=30.0, rank=item.rank, gain=item.gain)
    other = adapt_review.misses()[0]
    adapt_review.review_miss("bo", other.key, [], seconds=30.0)
    assert len(ids) == 1 and item.key not in {i.key for i in adapt_review.misses()}
    added = adapt_review.decisions().query("decision == 'add' and reviewer == 'bo'")
    assert list(added["flag_label"]) == ["minimized"]
    assert adapt_review.miss_yield("bo") == {"read": 2, "found": 1, "with_miss": 1, "per_sentence": 0.5,
                                             "seconds": 60.0, "per_hour": 60.0}


def test_a_miss_review_needs_a_reviewer_and_a_known_label(adapt_review):
    item = adapt_review.misses()[0]
    with pytest.raises(InputError, match=r"\[E273\]"):
        adapt_review.review_miss(" ", item.key, [])
    with pytest.raises(InputError, match=r"\[E108\]"):
        adapt_review.review_miss("bo", item.key, ["victim_blaming"])


def test_stored_sentences_read_as_the_pipeline_reads_them(nlp_rules, samples_dir):
    """The queue scores stored sentences from their role mentions, without parsing: same words."""
    from record_audit.pipeline.classifier import normalized_text
    from record_audit.pipeline.stored import normalized_from_roles
    text = "CW advised MO that she must obtain a protective order. FA (Mr. Lee) has anger issues; he's 34."
    doc = nlp_rules(text)
    for sent in doc.sents:
        roles = [[t.idx, t.idx + len(t), t.ent_id_] for t in sent if t.ent_id_]
        assert normalized_from_roles(sent.text, sent.start_char, roles) == normalized_text(sent)


def test_sentence_probabilities_cover_the_unflagged_sentences(adapt_review):
    from record_audit.adapt.scores import sentence_probabilities
    from record_audit.model.registry import choose_model
    from record_audit.model.sentence_model import SentenceModel
    model = SentenceModel.load(choose_model())
    probabilities = sentence_probabilities(adapt_review.store, model)
    assert set(probabilities) == {i.key for i in adapt_review.misses(include_read=True)}
    assert all(set(p) == set(model.labels) and all(0 <= v <= 1 for v in p.values()) for p in probabilities.values())


# -- suggestions ---------------------------------------------------------------------------------------
@pytest.mark.slow  # builds pipelines with the suggested rules
def test_added_flags_suggest_a_rule_anchored_on_the_shared_word(suggestions):
    found = [s for s in suggestions if s.label == "perpetrator_pattern"]
    assert found, [s.words for s in suggestions]
    s = found[0]
    assert s.kind in ("lexicon", "syntax") and "deflate" in s.words and s.support == 3
    assert len(s.decision_ids) == 3 and s.look_alikes == 0
    assert all("deflated" in t for t in s.entry["examples"]["match"])
    assert s.impact["perpetrator_pattern"]["gained"] >= 4  # A4, which no one reviewed, too


@pytest.mark.slow  # builds pipelines with the suggested rules
def test_rejections_for_context_suggest_a_context_cue(suggestions):
    cues = [s for s in suggestions if s.kind == "context"]
    assert [(s.label, s.entry["patterns"]) for s in cues] == [("reported", [[{"LEMMA": "texte"}]])]
    assert cues[0].impact["perpetrator_pattern"]["lost"] >= 1  # A4's reported hit stops counting
    assert all("[" in t for t in cues[0].entry["examples"]["match"])


@pytest.mark.slow  # builds pipelines with the suggested rules
def test_wrong_role_rejections_suggest_a_longer_party_term(suggestions):
    roles = [s for s in suggestions if s.kind == "roles"]
    assert [(s.entry["role"], s.entry["terms"]) for s in roles] == [("other", ["paternal mother"])]
    assert roles[0].file == "rules/roles.yaml" and roles[0].impact["survivor_pathologized"]["lost"] >= 2


def test_a_look_alike_blocks_a_suggestion(adapt_review, nlp_rules):
    """A reviewer read A4's sentence and found nothing: the pattern now matches a sentence without the label."""
    from record_audit.adapt.suggest import mine
    miss = next(i for i in adapt_review.misses(record_id="A4") if "deflated" in i.sentence)
    adapt_review.review_miss("bo", miss.key, [])
    assert not [s for s in mine(adapt_review, nlp_rules) if s.label == "perpetrator_pattern" and "deflate" in s.words]


# -- accepting and rejecting ------------------------------------------------------------------------------
@pytest.mark.slow  # builds pipelines with the suggested rules
def test_accepting_writes_the_rule_with_its_provenance_owner_only(tmp_path, adapt_review, suggestions):
    from record_audit.adapt.overlay import accept, decided_suggestions, rule_events
    s = next(x for x in suggestions if x.label == "perpetrator_pattern")
    path = accept(adapt_review, s, tmp_path / "local", "ana", comment="seen in three records", load=cached_load)
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written[-1]["id"] == s.entry["id"] and written[-1]["provenance"]["accepted_by"] == "ana"
    assert written[-1]["provenance"]["decisions"] == s.decision_ids
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE((tmp_path / "local").stat().st_mode) == 0o700
    rules = load_rules(tmp_path / "local")
    assert s.entry["id"] in {e.id for e in (*rules.lexicon, *rules.syntax)}
    assert decided_suggestions(adapt_review) == {s.id: "accept"}
    assert rule_events(adapt_review)[0]["decision_ids"] == json.dumps(s.decision_ids)


@pytest.mark.slow  # builds pipelines with the suggested rules
def test_an_edited_rule_whose_examples_fail_is_not_written(tmp_path, adapt_review, suggestions):
    from record_audit.adapt.overlay import accept
    s = next(x for x in suggestions if x.kind == "context")
    broken = dict(s.entry, patterns=[[{"LEMMA": "telephone"}]])
    with pytest.raises(InputError, match=r"\[E276\]") as err:
        accept(adapt_review, s, tmp_path / "local", "ana", entry=broken, load=cached_load)
    assert "texted" not in str(err.value)  # never note text in a message
    assert not (tmp_path / "local" / "rules" / "context.yaml").exists()


@pytest.mark.slow  # builds pipelines with the suggested rules
def test_an_accepted_rule_passes_its_examples_like_every_rule(tmp_path, adapt_review, suggestions):
    """What tests/test_rule_examples.py asks of every shipped rule, asked of the accepted ones."""
    from record_audit.adapt.overlay import accept
    from record_audit.adapt.suggest import context_cue_of, raw_rule_ids
    from record_audit.pipeline import load_pipeline
    for s in suggestions:
        accept(adapt_review, s, tmp_path / "local", "ana", load=cached_load)
    nlp = load_pipeline(tmp_path / "local")
    rules = load_rules(tmp_path / "local")
    learned = [e for e in (*rules.lexicon, *rules.syntax) if e.id.startswith("learned_")]
    assert learned
    for entry in learned:
        assert all(entry.id in raw_rule_ids(nlp, t) for t in entry.examples.match)
        assert not any(entry.id in raw_rule_ids(nlp, t) for t in entry.examples.no_match)
    for entry in [e for e in rules.context if e.id.startswith("learned_")]:
        assert all(context_cue_of(nlp, t) == (entry.category, entry.id) for t in entry.examples.match)
    tagger = nlp.get_pipe("record_audit_roles")
    for group in [g for g in rules.roles if g.id.startswith("learned_")]:
        for text in group.examples.match:
            doc = nlp(text)
            found = [(a, b, role) for a, b, role, source in tagger.mentions(doc) if source == group.id]
            assert found and all(role == "other" for *_, role in found), text
    flags = nlp("Paternal mother lacks insight into the abuse.").spans["audit_flags"]
    assert not [f for f in flags if f.label_ == "survivor_pathologized" and f.id_ == "path_lacks_insight"
                and "mother" in f.text]


@pytest.mark.slow  # builds pipelines with the suggested rules
def test_the_rules_commands_suggest_accept_and_reject(tmp_path, adapt_db, copy_store, run_cli, suggestions):
    db = copy_store(adapt_db, tmp_path / "audit.sqlite")
    local = tmp_path / "local"
    listed = run_cli("rules", "suggest", "--db", db, "--rules-dir", local, "--format", "json", "--no-impact")
    assert listed.exit_code == 0, listed.output
    ids = [s["id"] for s in json.loads(listed.output)]
    assert ids == [s.id for s in suggestions]
    accepted = run_cli("rules", "accept", ids[0], "--db", db, "--rules-dir", local, "--analyst", "ana")
    assert accepted.exit_code == 0 and "accepted" in accepted.output
    rejected = run_cli("rules", "reject", ids[1], "--db", db, "--rules-dir", local, "--analyst", "ana")
    assert rejected.exit_code == 0
    again = run_cli("rules", "suggest", "--db", db, "--rules-dir", local, "--no-impact")
    assert ids[0] not in again.output and ids[1] not in again.output
    unknown = run_cli("rules", "accept", "sug_00000000", "--db", db, "--rules-dir", local, "--analyst", "ana")
    assert unknown.exit_code == 2 and "[E278]" in unknown.output
    notes = tmp_path / "notes.csv"
    notes.write_text("record_id,text\nB1,Domestic abuse disclosed. FA deflated her car tyres again.\n", encoding="utf-8")
    flagged = run_cli("flag", notes, "--rules", local, "--rules-only")
    assert flagged.exit_code == 0 and '"rule_id": "learned_' in flagged.output


@pytest.mark.slow  # builds pipelines with the suggested rules
def test_accepting_needs_an_analyst_and_an_overlay_folder(tmp_path, adapt_review, suggestions):
    from record_audit.adapt.overlay import accept
    with pytest.raises(InputError, match=r"\[E277\]"):
        accept(adapt_review, suggestions[0], tmp_path / "local", "")
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.yaml").write_text("[]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\[E274\]"):
        accept(adapt_review, suggestions[0], full, "ana")


# -- panels ------------------------------------------------------------------------------------------------
def test_the_misses_panel_adds_a_likely_label_with_one_click(adapt_review):
    from record_audit.widgets import MissesPanel
    keys = [i.key for i in adapt_review.misses()]
    ticks = iter(range(0, 1000, 15))
    panel = MissesPanel(adapt_review, reviewer="bo", probabilities={keys[0]: {"minimized": 0.4}},
                        clock=lambda: next(ticks))
    assert panel.current.key == keys[0] and panel.add_buttons[0].description.startswith("Add")
    panel.add_buttons[0].click()
    assert panel.current.key != keys[0]
    panel.nothing_button.click()
    stats = adapt_review.miss_yield("bo")
    assert stats["read"] == 2 and stats["found"] == 1 and stats["per_hour"] == 120.0
    assert "1</b> miss(es) found in <b>2</b>" in panel.yield_text.value
    added = adapt_review.decisions().query("decision == 'add' and reviewer == 'bo'")
    assert list(added["flag_label"]) == ["minimized"]


def test_the_misses_panel_shows_an_error_without_a_reviewer(adapt_review):
    from record_audit.widgets import MissesPanel
    panel = MissesPanel(adapt_review, reviewer="")
    first = panel.current.key
    panel.nothing_button.click()
    assert "E273" in panel.message.value and panel.current.key == first


@pytest.mark.slow  # builds pipelines with the suggested rules
def test_the_rules_panel_accepts_an_edit_and_rejects(tmp_path, adapt_review, suggestions):
    import copy
    from record_audit.widgets import RulesPanel
    panel = RulesPanel(adapt_review, tmp_path / "local", analyst="ana", suggestions=copy.deepcopy(suggestions),
                       load=cached_load)
    assert "open suggestion" in panel.table.value and "deflated" in panel.detail.value
    context = next(s for s in panel.suggestions if s.kind == "context")
    panel.choice.value = context.id
    panel.editor.value = panel.editor.value.replace("direction: forward", "direction: forward\nmax_scope: 8")
    panel.accept_button.click()
    written = yaml.safe_load((tmp_path / "local" / "rules" / "context.yaml").read_text(encoding="utf-8"))
    assert written[0]["max_scope"] == 8 and written[0]["provenance"]["edited"] is True
    assert context.id not in {s.id for s in panel.suggestions}
    left = panel.current
    panel.reject_button.click()
    assert "Rejected" in panel.message.value and left.id not in {s.id for s in panel.suggestions}
    assert {r["action"] for r in adapt_review.conn.execute("SELECT action FROM rule_events")} == {"accept", "reject"}
