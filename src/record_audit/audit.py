"""Run an audit into the store: idempotent, resumable, optionally on a reproducible sample.

Each record is stored with a fingerprint of its notes and of the pipeline (tool, model,
rules, options). Running again skips records whose fingerprint is unchanged, so a rerun
adds nothing twice and a killed run, started again, finishes where it stopped with the
same result as an uninterrupted one. Review decisions are never touched.
"""
from __future__ import annotations

import hashlib
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .continuum import Rubric
from .flagging import flag_records
from .indicators import compute_indicators
from .io import NoteSource, Parties
from .rules import rules_fingerprint


@dataclass
class AuditOutcome:
    run_id: int
    records_audited: int
    records_skipped: int
    notes: int
    flags: int
    rows_skipped: int
    sample: list[str] | None = None


def fingerprint_path(path: Path) -> str:
    """SHA-256 of a file, or of a folder's relative paths and contents, streamed."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def update_notes_hash(digest, note) -> None:
    """Add one note to its record's hash (the record part of the audit fingerprint)."""
    for value in (note.note_id, note.text, note.date, note.note_type, note.author, note.team):
        digest.update((value or "").encode("utf-8") + b"\0")


def notes_hashes(notes) -> dict[str, str]:
    """The notes hash of every record in ``notes`` (notes in input order), as ``scan`` gives it."""
    hashes: dict[str, hashlib._Hash] = {}
    for note in notes:
        update_notes_hash(hashes.setdefault(note.record_id, hashlib.sha256()), note)
    return {r: h.hexdigest() for r, h in hashes.items()}


def scan(source: NoteSource, harvester=None) -> tuple[dict[str, int], dict[str, str | None], dict[str, str], dict]:
    """First pass: notes per record, each record's team, a hash of its notes, learned names.

    Memory holds a few values per record, never per note: teams are counted in the
    order first seen, which is what ``majority`` needs for its ties.
    """
    counts: dict[str, int] = defaultdict(int)
    teams: dict[str, Counter] = defaultdict(Counter)
    hashes: dict[str, hashlib._Hash] = {}
    found: dict[str, dict[str, set[str]]] = {}
    for note in source:
        if harvester is not None:
            harvester.collect(note.text, found.setdefault(note.record_id, defaultdict(set)))
        counts[note.record_id] += 1
        if note.team:
            teams[note.record_id][note.team] += 1
        update_notes_hash(hashes.setdefault(note.record_id, hashlib.sha256()), note)
    learned = {rid: harvester.resolve(names) for rid, names in found.items()} if harvester is not None else {}
    return (dict(counts), {r: _most_common_first(teams.get(r)) for r in counts},
            {r: h.hexdigest() for r, h in hashes.items()}, learned)


def _most_common_first(counter: Counter | None) -> str | None:
    """``majority`` over counts kept in first-seen order: the most frequent, ties to the earliest."""
    if not counter:
        return None
    best = max(counter.values())
    return next(v for v, n in counter.items() if n == best)


def draw_sample(teams: dict[str, str | None], n: int, *, seed: int, stratify: bool) -> list[str]:
    """Draw ``n`` records reproducibly; with ``stratify``, proportionally per team.

    Allocation per team is proportional with largest remainders (ties by team name);
    within a team, records are drawn from the sorted ids with ``random.Random(seed)``.
    """
    ids = sorted(teams)
    if n >= len(ids):
        return ids
    rng = random.Random(seed)
    if not stratify:
        return sorted(rng.sample(ids, n))
    groups: dict[str, list[str]] = defaultdict(list)
    for rid in ids:
        groups[teams[rid] or ""].append(rid)
    quotas = {team: n * len(members) / len(ids) for team, members in groups.items()}
    alloc = {team: math.floor(q) for team, q in quotas.items()}
    rest = n - sum(alloc.values())
    for team in sorted(quotas, key=lambda t: (-(quotas[t] - alloc[t]), t))[:rest]:
        alloc[team] += 1
    chosen: list[str] = []
    for team in sorted(groups):
        chosen.extend(rng.sample(groups[team], alloc[team]))
    return sorted(chosen)


def pipeline_fingerprint(nlp, rules_root: Path, options: dict) -> tuple[str, str, str]:
    """Return (pipeline description, lexicon version, combined fingerprint).

    ``nlp`` None (worker processes or a cluster hold the pipeline) describes the English
    model from a light copy of it.
    """
    import spacy
    if nlp is None:
        from .pipeline import load_english
        nlp = load_english(exclude=("ner", "parser", "tagger", "lemmatizer", "attribute_ruler", "tok2vec"))
    meta = nlp.meta
    pipeline = f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}, spaCy {spacy.__version__}"
    lexicon = rules_fingerprint(rules_root)
    combined = hashlib.sha256(f"{__version__}|{pipeline}|{lexicon}|{sorted(options.items())}".encode()).hexdigest()
    return pipeline, lexicon, combined


def run_audit(source: NoteSource, nlp, store, *, rubric: Rubric, rules_root: Path,
              parties: Parties | None = None, assume_dv: bool = False, batch_size: int = 64,
              sample: int | None = None, seed: int = 0, stratify: bool = False,
              model_version: str | None = None, progress_factory=None, n_process: int = 1,
              model_path=None, rules_dir=None, engine=None) -> AuditOutcome:
    """Audit the records of ``source`` into ``store``; ``model_version`` None means rules only.

    ``engine`` runs the pipeline: ``flag_records`` (one process, or ``n_process`` workers)
    by default, or another callable with its arguments, such as
    ``record_audit.engines.dask.DaskEngine``. Records are stored as it yields them.
    """
    from .flagging import default_harvester
    from .pipeline.roles import LEARNED

    options = {"assume_dv": assume_dv, "model": model_version}
    # an engine that learns names where the notes are processed spares this pass the work
    harvester = None if getattr(engine, "harvests_names", False) else default_harvester(rules_dir)
    counts, teams, hashes, learned = scan(source, harvester)
    merged = {rid: {n: LEARNED + v for n, v in names.items()} for rid, names in learned.items() if names}
    for rid, names in (parties.by_record.items() if parties else ()):
        merged.setdefault(rid, {}).update(names)
    parties = Parties(merged)
    selected = draw_sample(teams, sample, seed=seed, stratify=stratify) if sample else sorted(counts)
    pipeline, lexicon, pipe_fp = pipeline_fingerprint(nlp, rules_root, options)
    fingerprints = {rid: record_fingerprint(pipe_fp, hashes[rid]) for rid in selected}
    stored = store.fingerprints()
    todo = {rid for rid in selected if stored.get(rid) != fingerprints[rid]}
    skip = set(counts) - todo
    run_id = store.start_run(
        tool_version=__version__, pipeline=pipeline, lexicon_version=lexicon, model_version=model_version,
        input_path=str(source.path), input_fingerprint=fingerprint_path(source.path),
        options={**options, "sample": sample, "seed": seed if sample else None, "stratify": stratify})
    total = lambda: sum(counts[r] for r in todo)  # noqa: E731
    ended = lambda run: (len(selected) - run.audited, len(source.stats.skipped))  # noqa: E731
    with _storing(store, run_id, rubric, total, progress_factory, ended) as (run, bar):
        for record in (engine or flag_records)(
                source, nlp, parties=parties, assume_dv=assume_dv, batch_size=batch_size, counts=counts,
                skip_records=skip, progress=bar, n_process=n_process, rules_dir=rules_dir,
                model_path=model_path):
            run.save(record, fingerprints[record.record_id])
    return run.outcome(selected if sample else None)


class _StoredRun:
    """The records an audit run stores, counted as they are saved."""

    def __init__(self, store, run_id: int, rubric: Rubric) -> None:
        self.store, self.run_id, self.rubric = store, run_id, rubric
        self.audited = self.skipped = self.notes = self.flags = self.rows_skipped = 0

    def save(self, record, fingerprint: str) -> None:
        """Roll a record up to indicators and a placement and store it."""
        indicators = compute_indicators(record)
        self.flags += self.store.save_record(self.run_id, record, indicators,
                                             self.rubric.place(record.record_id, indicators), fingerprint)
        self.audited += 1
        self.notes += len(record.notes)

    def outcome(self, sample: list[str] | None = None) -> AuditOutcome:
        return AuditOutcome(self.run_id, self.audited, self.skipped, self.notes, self.flags, self.rows_skipped,
                            sample)


@contextmanager
def _storing(store, run_id: int, rubric: Rubric, total: Callable[[], int], progress_factory,
             ended: Callable[[_StoredRun], tuple[int, int]]):
    """Yield a ``_StoredRun`` and its progress bar (or None); close both however the block ends.

    The run is finished in the store as complete, interrupted (Ctrl-C) or failed, with the
    records skipped and input rows skipped that ``ended(run)`` gives once the input is read.
    """
    run = _StoredRun(store, run_id, rubric)
    status = "failed"
    try:
        bar = progress_factory(total()) if progress_factory else None
        try:
            yield run, bar
        finally:
            if bar is not None:
                bar.close()
        status = "complete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        run.skipped, run.rows_skipped = ended(run)
        store.finish_run(run_id, status=status, records_audited=run.audited, records_skipped=run.skipped,
                         notes=run.notes, flags=run.flags, rows_skipped=run.rows_skipped)


def record_fingerprint(pipeline_fp: str, notes_hash: str) -> str:
    """A record's fingerprint in the store: the pipeline's and its notes' together."""
    return hashlib.sha256(f"{pipeline_fp}|{notes_hash}".encode()).hexdigest()


def load_results(results, store, *, rubric: Rubric, progress_factory=None) -> AuditOutcome:
    """Store the records of a results folder (``engines.results.ResultsFolder``) as ``run_audit`` would.

    Fingerprints come from the run that wrote the folder, so a record already stored from
    the same notes and pipeline is skipped, and the store ends as a single-process audit of
    the same input leaves it. The folder must be complete.
    """
    from .errors import InputError

    m = results.manifest
    if not results.complete:
        raise InputError(f"{results.path}: the results are incomplete (status {m.get('status')}). Run "
                         "`record-audit flag --engine dask -o DIR` on the same input again to finish them.")
    stored = store.fingerprints()
    run_id = store.start_run(
        tool_version=m["tool_version"], pipeline=m["pipeline"], lexicon_version=m["lexicon_version"],
        model_version=m["model_version"], input_path=m["input_path"], input_fingerprint=m["input_fingerprint"],
        options={**m["options"], "sample": None, "seed": None, "stratify": False, "from_flags": str(results.path)})
    ended = lambda run: (run.skipped, m.get("rows_skipped", 0))  # noqa: E731
    with _storing(store, run_id, rubric, lambda: m["notes"], progress_factory, ended) as (run, bar):
        for record, notes_hash in results.records():
            fingerprint = record_fingerprint(m["pipeline_fingerprint"], notes_hash)
            if stored.get(record.record_id) == fingerprint:
                run.skipped += 1
            else:
                run.save(record, fingerprint)
            if bar is not None:
                bar.update(len(record.notes))
    return run.outcome()
