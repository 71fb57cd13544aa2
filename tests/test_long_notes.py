"""Notes of any length (issue 15): a note over the limit is annotated in pieces, offsets into the whole note.

Long input runs through a light pipeline (spacy.blank with a sentencizer and a regular
expression flagger), which is what cutting and stitching need; the audit pipeline runs on
notes of a few pieces. Time and memory on a note of 2,000,000 characters through the audit
pipeline: ``bench/long_notes.py`` (about 8 minutes on 2 cores, so not a test).
"""
from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner
from spacy.language import Language

from record_audit.engines import processes
from record_audit.cli import main
from record_audit.io import Note
from record_audit.pipeline import annotate
from record_audit.pipeline.annotate import annotate_in_pieces, pipe_notes
from record_audit.pipeline.extensions import FLAGS_KEY, ROLES_KEY, register_extensions
from record_audit.pipeline.pieces import PIECE_CHARS, piece_spans

ROOT = Path(__file__).resolve().parents[1]

PARAGRAPHS = [
    "Ms. Rivera said Mr. Cole pushed her against the wall in front of the children. She called the police.",
    "Mother failed to protect the children from the domestic dispute. Father was not contacted.",
    "HV completed with MO and the children present. The home was clean and the children appeared well.",
    "FA has anger issues and was referred to anger management. Mother must obtain a protective order.",
]


def chronology(n_chars: int, *, seed: int = 0, sep: str = "\n\n") -> str:
    rng = random.Random(seed)
    parts, size = [], 0
    while size < n_chars:
        parts.append(f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024: " + rng.choice(PARAGRAPHS))
        size += len(parts[-1]) + len(sep)
    return sep.join(parts)


def _keys(result):
    return [(s.index, s.start, s.end, s.text, tuple((f.label, f.start, f.end, f.rule_id, f.context) for f in s.flags),
             tuple(s.roles), s.subject_roles, s.dv_terms, s.obligations) for s in result.sentences]


def _assert_offsets_hold(text, result):
    assert [s.index for s in result.sentences] == list(range(len(result.sentences)))
    for sent in result.sentences:
        assert text[sent.start:sent.end] == sent.text
        for flag in sent.flags:
            assert sent.start <= flag.start < flag.end <= sent.end and text[flag.start:flag.end] == flag.text
        for mention in sent.roles:
            assert sent.start <= mention.start < mention.end <= sent.end
        for cue in (*sent.dv_terms, *sent.obligations, *sent.factors, *sent.removal_terms):
            assert sent.start <= cue.start < cue.end <= sent.end


def test_a_note_cut_at_paragraphs_gives_what_the_whole_note_gives(nlp_rules):
    text = chronology(3_000)
    note = Note("R1", "R1/chronology.txt", text)
    whole = next(pipe_notes(nlp_rules, [(note, None)]))
    pieced = annotate_in_pieces(nlp_rules, note, limit=600)
    assert len(pieced.sentences) > 20 and any(s.flags for s in pieced.sentences)
    _assert_offsets_hold(text, pieced)

    # the same flags and role mentions at the same offsets; sentences may differ only where the
    # whole-note parse ran one sentence on across a blank line, which a cut there cannot do
    def flags(result):
        return sorted((f.label, f.start, f.end, f.rule_id, f.context) for s in result.sentences for f in s.flags)

    def roles(result):
        return sorted((m.start, m.end, m.role) for s in result.sentences for m in s.roles)

    assert flags(pieced) == flags(whole) and roles(pieced) == roles(whole)
    whole_bounds = {(s.start, s.end) for s in whole.sentences}
    for sent in pieced.sentences:
        if (sent.start, sent.end) not in whole_bounds:
            assert any(w.start <= sent.start and sent.end <= w.end and "\n\n" in w.text for w in whole.sentences)


def test_a_note_without_a_newline_is_cut_after_sentences_and_offsets_hold(nlp_rules):
    text = chronology(3_000, sep=" ")
    assert "\n" not in text
    result = annotate_in_pieces(nlp_rules, Note("R1", "n", text), limit=500)
    _assert_offsets_hold(text, result)
    assert any(s.flags for s in result.sentences)


def test_long_notes_between_short_ones_keep_input_order_and_their_offsets(nlp_rules, monkeypatch):
    monkeypatch.setattr(annotate, "PIECE_CHARS", 800)
    notes = [Note("R1", "a", PARAGRAPHS[0]), Note("R1", "long1", chronology(2_500, seed=1)),
             Note("R1", "b", PARAGRAPHS[1]), Note("R2", "c", PARAGRAPHS[2]),
             Note("R2", "long2", chronology(4_000, seed=2, sep=" ")), Note("R2", "d", PARAGRAPHS[3])]
    results = list(pipe_notes(nlp_rules, [(n, None) for n in notes], batch_size=2))
    assert [r.note.note_id for r in results] == [n.note_id for n in notes]
    for note, result in zip(notes, results):
        _assert_offsets_hold(note.text, result)


def test_worker_processes_cut_long_notes_too(nlp_rules, monkeypatch):
    monkeypatch.setattr(annotate, "PIECE_CHARS", 800)
    monkeypatch.setattr(processes, "_NLP", nlp_rules)  # the worker's function, run in this process
    note = Note("R1", "long", chronology(3_000, seed=3))
    [result] = processes._work([(note, None)])
    _assert_offsets_hold(note.text, result)
    assert _keys(result) == _keys(annotate_in_pieces(nlp_rules, note, limit=800))


def test_the_piece_limit_never_exceeds_the_models_max_length(nlp_rules, monkeypatch):
    monkeypatch.setattr(nlp_rules, "max_length", 300)
    text = chronology(2_000, seed=4)
    result = next(pipe_notes(nlp_rules, [(Note("R1", "n", text), None)]))  # spaCy would refuse it whole
    _assert_offsets_hold(text, result)


def test_flag_cli_reports_offsets_into_the_whole_long_note(tmp_path, monkeypatch):
    monkeypatch.setattr(annotate, "PIECE_CHARS", 1_500)
    text = chronology(6_000, seed=5)
    (tmp_path / "notes" / "R1").mkdir(parents=True)
    (tmp_path / "notes" / "R1" / "chronology.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["flag", str(tmp_path / "notes"), "--rules-only"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and len({r["sentence_index"] for r in rows}) == len(rows)
    for row in rows:
        assert text[row["start"]:row["end"]] == row["sentence"]
        for flag in row["flags"]:
            assert text[flag["start"]:flag["end"]] == flag["text"]
    assert max(r["start"] for r in rows) > 4_500  # flags from the last pieces, placed in the whole note


# -- long input, light pipeline -------------------------------------------------------------
LIGHT_FLAGS = re.compile(r"failed to protect|pushed her|anger issues|protective order")
LIGHT_ROLES = re.compile(r"\b(?:Mother|Ms\. Rivera|Father|Mr\. Cole|FA|MO)\b")


@Language.component("test_regex_flags")
def _regex_flags(doc):
    """Flags and role mentions where a regular expression matches: what doc_to_result reads, no model."""
    flags = []
    for match in LIGHT_FLAGS.finditer(doc.text):
        span = doc.char_span(match.start(), match.end(), label="test_flag")
        span._.source, span._.rule_id, span._.context = "lexicon", "test.regex", None
        flags.append(span)
    doc.spans[FLAGS_KEY] = flags
    doc.spans[ROLES_KEY] = [doc.char_span(m.start(), m.end(), label="survivor") for m in LIGHT_ROLES.finditer(doc.text)]
    return doc


@pytest.fixture(scope="module")
def nlp_light():
    register_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("test_regex_flags")
    return nlp


@pytest.mark.parametrize(("n_chars", "sep"), [(1_200_000, "\n\n"), (300_000, " ")], ids=["paragraphs", "one-line"])
def test_a_long_note_is_annotated_with_offsets_into_the_whole_note(nlp_light, n_chars, sep):
    """1,200,000 characters (spaCy refuses a Doc over 1,000,000), and a note without a newline:
    every flag and role mention, at its place in the note."""
    text = chronology(n_chars, seed=7, sep=sep)
    note = Note("R1", "R1/chronology.txt", text)
    [result] = list(pipe_notes(nlp_light, [(note, None)]))
    _assert_offsets_hold(text, result)
    assert len(text) > nlp_light.max_length or "\n" not in text
    assert len(piece_spans(text)) > 25
    flags = [(f.start, f.end) for s in result.sentences for f in s.flags]
    assert flags == [m.span() for m in LIGHT_FLAGS.finditer(text)]  # none lost or doubled at a cut
    roles = [(m.start, m.end) for s in result.sentences for m in s.roles]
    assert roles == [m.span() for m in LIGHT_ROLES.finditer(text)]
    ends = [(s.start, s.end) for s in result.sentences]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(ends, ends[1:]))  # in order, no overlap
    assert ends[-1][1] == len(text.rstrip())


def test_long_and_short_notes_through_the_local_engine_keep_order_and_offsets(nlp_light):
    """The engine's path, as the CLI takes it: long notes between short ones, records as they complete.
    (The first pass is made without the name harvester, which reads the audit pipeline's roles.)"""
    from record_audit.engines import LocalEngine, first_pass

    notes = [Note("R1", "a", PARAGRAPHS[0]), Note("R1", "long", chronology(60_000, seed=8)),
             Note("R2", "b", PARAGRAPHS[3]), Note("R2", "long", chronology(45_000, seed=9, sep=" "))]
    records = list(LocalEngine(nlp_light, assume_dv=True).records(notes, first_pass(notes)))
    assert [r.record_id for r in records] == ["R1", "R2"]
    results = [n for r in records for n in r.notes]
    assert [(n.note.record_id, n.note.note_id) for n in results] == [(n.record_id, n.note_id) for n in notes]
    for note, result in zip(notes, results):
        _assert_offsets_hold(note.text, result)
        assert sum(len(s.flags) for s in result.sentences) == len(LIGHT_FLAGS.findall(note.text))


# -- a note of a few pieces, the audit pipeline with the shipped classifier -------------------
def _sample_chronology(n_chars: int) -> str:
    """Sample notes pasted as one chronology: paragraphs, then a stretch without a newline, then paragraphs."""
    with open(ROOT / "data" / "samples" / "notes.csv", encoding="utf-8", newline="") as fh:
        entries = [f"{row['date']}: {' '.join(row['text'].split())}" for row in csv.DictReader(fh)]
    text, k = "", 0
    while len(text) < n_chars:
        sep = " " if n_chars * 0.4 < len(text) < n_chars * 0.8 else "\n\n"
        text += (sep if text else "") + entries[k % len(entries)]
        k += 1
    return text


@pytest.fixture()
def nlp_full(nlp_rules):
    """The rules pipeline with the shipped, adopted classifier: what `record-audit flag` runs."""
    from record_audit.model.registry import choose_model
    from record_audit.model.sentence_model import SentenceModel

    classifier = nlp_rules.get_pipe("record_audit_classifier")
    classifier.set_model(SentenceModel.load(choose_model(models_dir=ROOT / "models")))
    yield nlp_rules
    classifier.set_model(None)


def test_a_note_of_three_pieces_flags_what_its_pieces_flag_at_the_same_offsets(nlp_full):
    """About 25,000 characters: each flag, role, cue and sentence is the one its piece gives alone, shifted."""
    from record_audit.engines import flag_records

    text = _sample_chronology(25_000)
    spans = piece_spans(text, PIECE_CHARS)
    assert len(spans) >= 3 and "\n" not in text[spans[1][0]:spans[1][1]]  # a cut after a sentence too
    [whole] = list(flag_records([Note("R1", "chronology", text)], nlp_full))
    [pieces] = list(flag_records([Note("R1", f"p{start}", text[start:end]) for start, end in spans], nlp_full))
    [result] = whole.notes
    _assert_offsets_hold(text, result)

    def shifted(results):
        for res in results:
            at = int(res.note.note_id[1:]) if res.note.note_id != "chronology" else 0
            for s in res.sentences:
                yield (s.start + at, s.end + at, s.text, s.subject_roles,
                       tuple((f.label, f.start + at, f.end + at, f.text, f.source, f.rule_id, round(f.score, 6),
                              f.context, f.counted) for f in s.flags),
                       tuple((m.start + at, m.end + at, m.role) for m in s.roles),
                       tuple((c.kind, c.start + at, c.end + at, c.context)
                             for c in (*s.dv_terms, *s.obligations, *s.factors, *s.removal_terms)))

    assert list(shifted(whole.notes)) == list(shifted(pieces.notes))
    found = [f for s in result.sentences for f in s.flags]
    assert {f.source for f in found} >= {"classifier"} and max(f.start for f in found) > spans[-1][0]
