"""Store what an engine yields: indicators, placement and fingerprint per record; idempotent, resumable.

Each record is stored with a fingerprint of its notes and of the pipeline (tool, model,
rules, options). Running again skips records whose fingerprint is unchanged, so a rerun
adds nothing twice and a killed run, started again, finishes where it stopped with the
same result as an uninterrupted one; ``sample`` audits a reproducible sample of records.
Review decisions are never touched. ``load_results`` stores a Dask run's Parquet results.
"""
from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import __version__
from .continuum import Rubric
from .engines.base import Engine
from .errors import Errors, InputError
from .files import fingerprint_path
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
    rows_skipped: int            # rows, lines, files, documents or pages of the input skipped
    sample: list[str] | None = None
    skipped_as: dict[str, int] = field(default_factory=dict)  # the same, by kind (errors.SKIPPED_KINDS)


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


def run_audit(source: NoteSource, engine: Engine, store, *, rubric: Rubric, parties: Parties | None = None,
              sample: int | None = None, seed: int = 0, stratify: bool = False,
              progress_factory=None) -> AuditOutcome:
    """Audit the records of ``source``, run through ``engine``, into ``store``.

    The engine's first pass gives each record's notes hash and team (for ``sample``);
    records whose fingerprint the store already holds are skipped, the others stored as
    the engine yields them.
    """
    first = engine.first_pass(source, parties)
    selected = draw_sample(first.teams, sample, seed=seed, stratify=stratify) if sample else sorted(first.counts)
    run = engine.describe()
    fingerprints = {rid: record_fingerprint(run.fingerprint, first.hashes[rid]) for rid in selected}
    stored = store.fingerprints()
    todo = {rid for rid in selected if stored.get(rid) != fingerprints[rid]}
    skip = set(first.counts) - todo
    run_id = store.start_run(
        tool_version=__version__, pipeline=run.pipeline, lexicon_version=run.lexicon_version,
        model_version=run.model_version, input_path=str(source.path), input_fingerprint=fingerprint_path(source.path),
        options={**run.options, "sample": sample, "seed": seed if sample else None, "stratify": stratify})
    ended = lambda stored_run: (len(selected) - stored_run.audited, len(source.stats.skipped))  # noqa: E731
    with _storing(store, run_id, rubric, lambda: first.notes(skip), progress_factory, ended) as (stored_run, bar):
        for record in engine.records(source, first, skip=skip, progress=bar):
            stored_run.save(record, fingerprints[record.record_id])
    return stored_run.outcome(selected if sample else None, skipped_as=source.stats.skipped_counts())


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

    def outcome(self, sample: list[str] | None = None, *, skipped_as: dict[str, int] | None = None) -> AuditOutcome:
        return AuditOutcome(self.run_id, self.audited, self.skipped, self.notes, self.flags, self.rows_skipped,
                            sample, skipped_as or {"row": self.rows_skipped})


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
    """Store the records of a results folder (``engines.parquet.ResultsFolder``) as ``run_audit`` would.

    Fingerprints come from the run that wrote the folder, so a record already stored from
    the same notes and pipeline is skipped, and the store ends as a single-process audit of
    the same input leaves it. The folder must be complete.
    """
    m = results.manifest
    if not results.complete:
        raise InputError(Errors.E037.format(path=results.path, status=m.get("status")))
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
    return run.outcome(skipped_as=m.get("skipped_as"))
