"""Notes of any length (issue 15): a note over the limit is annotated in pieces, offsets into the whole note."""
from __future__ import annotations

import json
import random
import sqlite3

import pytest
from click.testing import CliRunner

from record_audit.engines import processes
from record_audit.cli import main
from record_audit.io import Note
from record_audit.pipeline import annotate
from record_audit.pipeline.annotate import annotate_in_pieces, pipe_notes

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
    monkeypatch.setattr(annotate, "PIECE_CHARS", 2_000)
    text = chronology(12_000, seed=5)
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
    assert max(r["start"] for r in rows) > 10_000  # flags from the last pieces, placed in the whole note


@pytest.mark.slow
def test_a_two_million_character_note_is_audited_end_to_end(tmp_path):
    """The shipped limits: spaCy alone refuses anything over 1,000,000 characters (E088)."""
    text = chronology(2_000_000, seed=6)
    assert len(text) >= 2_000_000
    folder = tmp_path / "notes" / "R1"
    folder.mkdir(parents=True)
    (folder / "chronology.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "audit.sqlite"
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "notes"), "--db", str(db), "--rules-only"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 record(s) audited" in result.stderr
    with sqlite3.connect(db) as conn:
        [stored] = conn.execute("SELECT text FROM notes").fetchone()
        sentences = conn.execute('SELECT sentence_index, start, "end" FROM sentences ORDER BY sentence_index').fetchall()
        flags = conn.execute('SELECT start, "end", text FROM flags').fetchall()
    assert stored == text
    assert [s[0] for s in sentences] == list(range(len(sentences))) and len(sentences) > 20_000
    assert all(0 <= start < end <= len(text) for _, start, end in sentences)
    assert all(a[2] <= b[1] for a, b in zip(sentences, sentences[1:]))  # in order, not overlapping
    assert len(flags) > 1_000 and all(text[start:end] == flagged for start, end, flagged in flags)
    assert max(start for start, _, _ in flags) > 1_900_000
