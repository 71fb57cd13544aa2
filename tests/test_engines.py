"""The engines: one protocol, one first pass over the input, the same records whichever engine runs."""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from record_audit.audit import run_audit
from record_audit.continuum import Rubric
from record_audit.engines import Engine, LocalEngine, ProcessEngine, base, engine_for, write_flags
from record_audit.engines.base import first_pass, name_harvester, update_notes_hash
from record_audit.errors import InputError
from record_audit.io import Note, Parties, open_notes, read_parties
from record_audit.pipeline.roles import LEARNED
from record_audit.store import AuditStore

NOTES = [
    ("R1", "HV completed. Marta Kowalska (mum) was pushed during a domestic dispute."),
    ("R2", "School attendance good. No DV concerns."),
    ("R1", "Marta said he monitors her phone. She called the police."),
]


class CountingSource:
    """A notes source that counts how often it is read from the start."""

    def __init__(self, source) -> None:
        self.source, self.passes = source, 0
        self.path, self.stats = source.path, source.stats

    def __iter__(self):
        self.passes += 1
        yield from self.source


@pytest.fixture
def first_passes(monkeypatch) -> list:
    """Every call of the first pass, whichever engine makes it."""
    calls: list = []
    real = base.first_pass

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(base, "first_pass", counted)
    return calls


def test_every_engine_follows_the_engine_protocol():
    from record_audit.engines.dask import DaskEngine
    for engine in (LocalEngine(), ProcessEngine(2), DaskEngine(n_workers=1)):
        assert isinstance(engine, Engine)
    assert DaskEngine.learns_names and not LocalEngine.learns_names


def test_engine_for_picks_the_engine_the_options_ask_for():
    from record_audit.engines.dask import DaskEngine
    assert type(engine_for()) is LocalEngine
    assert type(engine_for(n_process=3, assume_dv=True)) is ProcessEngine
    engine = engine_for("dask", n_process=3, scheduler="tcp://127.0.0.1:1", batch_size=7)
    assert type(engine) is DaskEngine and (engine.n_workers, engine.batch_size) == (3, 7)
    with pytest.raises(InputError, match=r"\[E030\] --scheduler needs --engine dask"):
        engine_for(scheduler="tcp://127.0.0.1:1")


def test_the_first_pass_learns_counts_teams_hashes_and_names_under_declared_parties():
    notes = [Note("R1", "R1-1", NOTES[0][1], team="North"), Note("R2", "R2-1", NOTES[1][1], team="East"),
             Note("R1", "R1-2", NOTES[2][1], team="South"), Note("R1", "R1-3", "Visit.", team="South")]
    declared = Parties({"R2": {"Ms. Okafor": "survivor"}, "R1": {"Marta": "other"}})
    first = first_pass(notes, harvester=name_harvester(), declared=declared)
    assert first.counts == Counter({"R1": 3, "R2": 1}) and list(first.counts) == ["R1", "R2"]
    assert first.teams == {"R1": "South", "R2": "East"}
    expected = hashlib.sha256()
    for note in (notes[0], notes[2], notes[3]):
        update_notes_hash(expected, note)
    assert first.hashes["R1"] == expected.hexdigest() and first.hashes["R1"] != first.hashes["R2"]
    learned = first.parties.for_record("R1")
    assert learned["Marta Kowalska"] == LEARNED + "group:female_parent"
    assert learned["Marta"] == "other"  # the declared role wins over the learned one
    assert first.parties.for_record("R2") == {"Ms. Okafor": "survivor"}
    assert first.notes() == 4 and first.notes(skip={"R1"}) == 1
    # an engine that learns names where notes are processed gets counts only
    assert first_pass(notes, declared=declared).parties.by_record == declared.by_record


def test_a_flag_run_makes_one_first_pass_and_reads_its_input_twice(tmp_path, nlp_rules, first_passes, write_notes):
    source = CountingSource(open_notes(write_notes(tmp_path / "notes.csv", NOTES)))
    out = tmp_path / "flags.jsonl"
    done = write_flags(LocalEngine(nlp_rules), source, out)
    assert (source.passes, len(first_passes)) == (2, 1)
    assert (done.records, done.dv, done.continued) == (2, 1, 0)
    assert done.lines == len(out.read_text(encoding="utf-8").splitlines()) > 0


def test_an_audit_makes_one_first_pass_and_reads_its_input_twice(tmp_path, nlp_rules, first_passes, write_notes):
    source = CountingSource(open_notes(write_notes(tmp_path / "notes.csv", NOTES)))
    with AuditStore(tmp_path / "audit.sqlite") as store:
        outcome = run_audit(source, LocalEngine(nlp_rules), store, rubric=Rubric.load())
    assert (source.passes, len(first_passes)) == (2, 1)
    assert (outcome.records_audited, outcome.notes) == (2, 3)


@pytest.mark.slow
def test_local_and_process_engines_write_byte_identical_rows(tmp_path, nlp_rules, samples_dir):
    parties = read_parties(samples_dir / "parties.csv")
    written = {}
    for name, engine in (("local", LocalEngine(nlp_rules, batch_size=16)), ("processes", ProcessEngine(2, batch_size=16))):
        engine.prepare()
        out = tmp_path / f"{name}.jsonl"
        write_flags(engine, open_notes(samples_dir / "notes.csv"), out, parties=parties, all_sentences=True)
        written[name] = out.read_bytes()
    assert len(written["local"].splitlines()) > 1000
    assert written["local"] == written["processes"]  # the same rows, in the same order
