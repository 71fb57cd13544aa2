"""The ``Engine`` protocol, the single first pass over the input, and the run drivers.

An engine runs the audit pipeline over a notes source and yields one ``RecordResult`` per
record, with the DV gate applied (``dv_scope``). Every run reads its input twice: a cheap
first pass (``first_pass``: counting, hashing, regular expressions) learns what the pipeline
pass needs before any note is processed: each record's note count (a record is complete, and can be gated, when its
last note is done), team (for samples), notes hash (for store fingerprints) and the names
its notes introduce (``io.names``), under the parties declared with ``--parties``. Memory
holds a few values per record, never note text. Then ``Engine.records`` runs the pipeline.

The engines: ``LocalEngine`` (this process, ``engines.local``), ``ProcessEngine`` (worker
processes, ``engines.processes``) and ``DaskEngine`` (a Dask cluster, ``engines.dask``);
``engines.engine_for`` picks one from the command line's options. ``run`` and
``write_flags`` drive any of them, so the library works without the command line.
"""
from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol, TextIO, runtime_checkable

from .. import __version__
from ..dv_scope import gate_record
from ..errors import Warnings, warn
from ..files import PartialJsonl
from ..io import Note, Parties
from ..results import NoteResult, RecordResult
from ..rules import rules_fingerprint


@dataclass(frozen=True)
class FirstPass:
    """What the first pass learns, per record, in input order of first appearance."""

    counts: Counter              # notes per record
    teams: dict[str, str | None]  # the team of most of its notes (ties: the earliest note's)
    hashes: dict[str, str]       # SHA-256 of its notes (the record part of its store fingerprint)
    parties: Parties             # declared parties over the names its notes introduce

    def notes(self, skip: Collection[str] = ()) -> int:
        """How many notes the records not in ``skip`` hold."""
        return sum(n for rid, n in self.counts.items() if rid not in skip)


def update_notes_hash(digest, note: Note) -> None:
    """Add one note to its record's hash (the record part of the audit fingerprint)."""
    for value in (note.note_id, note.text, note.date, note.note_type, note.author, note.team):
        digest.update((value or "").encode("utf-8") + b"\0")


def first_pass(source: Iterable[Note], *, harvester=None, declared: Parties | None = None) -> FirstPass:
    """Read ``source`` once: notes per record, teams, notes hashes, and learned names.

    ``harvester`` (``io.names.NameHarvester``) learns the names each record's notes
    introduce; the parties ``declared`` with --parties win over them. Teams are counted in
    the order first seen, which is what ``results.majority`` needs for its ties.
    """
    counts: Counter = Counter()
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
    merged: dict[str, dict[str, str]] = {}
    if harvester is not None:
        from ..pipeline.roles import LEARNED
        merged = {rid: {name: LEARNED + value for name, value in harvester.resolve(names).items()}
                  for rid, names in found.items() if names}
    for rid, names in (declared.by_record.items() if declared else ()):
        merged.setdefault(rid, {}).update(names)
    return FirstPass(counts=counts, teams={r: _most_common_first(teams.get(r)) for r in counts},
                     hashes={r: h.hexdigest() for r, h in hashes.items()}, parties=Parties(merged))


def _most_common_first(counter: Counter | None) -> str | None:
    """``majority`` over counts kept in first-seen order: the most frequent, ties to the earliest."""
    if not counter:
        return None
    best = max(counter.values())
    return next(v for v, n in counter.items() if n == best)


@functools.lru_cache(maxsize=8)
def _harvester(rules_dir: str | None):
    from ..io.names import harvester_from_groups
    from ..rules import load_rules
    return harvester_from_groups(load_rules(rules_dir).roles)


def name_harvester(rules_dir=None):
    """The name harvester for a rules folder's party words (read once per folder)."""
    return _harvester(str(rules_dir) if rules_dir is not None else None)


class RunDescription(NamedTuple):
    """What a run records about its pipeline, and the fingerprint its records' fingerprints are made from."""

    pipeline: str               # English model and spaCy versions
    lexicon_version: str        # the rules folder's fingerprint (16 hex digits)
    model_version: str | None   # the model file's stem; None: rules only
    options: dict               # the settings that change flags: assume_dv, model
    fingerprint: str            # tool, pipeline, rules and options together


@runtime_checkable
class Engine(Protocol):
    """A way to run the audit pipeline over notes; every engine yields the same records.

    ``rules_dir`` (None: the shipped rules), ``model_path`` (None: rules only),
    ``assume_dv`` and ``batch_size`` are the pipeline's settings. An engine whose
    ``learns_names`` is true learns names where the notes are processed, so its first
    pass does not.
    """

    rules_dir: str | Path | None
    model_path: str | Path | None
    assume_dv: bool
    batch_size: int
    learns_names: bool

    def prepare(self) -> None:
        """Check the rules (and start loading the pipeline) before the input is read."""

    def first_pass(self, source: Iterable[Note], parties: Parties | None = None) -> FirstPass:
        """Make the first pass over ``source`` that ``records`` needs."""

    def records(self, source: Iterable[Note], first: FirstPass, *, skip: Collection[str] = frozenset(),
                progress=None) -> Iterator[RecordResult]:
        """Yield a ``RecordResult`` per record of ``source`` not in ``skip``.

        ``progress`` (a tqdm-like ``update(n)``) is told the notes done. Records come in
        the order they complete (the Dask engine: partition by partition).
        """

    def describe(self) -> RunDescription:
        """Describe the pipeline for the runs it makes (store and results-folder fingerprints)."""


class EngineBase:
    """The settings every engine shares, its first pass and its description."""

    learns_names = False

    def __init__(self, *, rules_dir: str | Path | None = None, model_path: str | Path | None = None,
                 assume_dv: bool = False, batch_size: int = 64) -> None:
        self.rules_dir, self.model_path = rules_dir, model_path
        self.assume_dv, self.batch_size = assume_dv, batch_size

    def prepare(self) -> None:
        from ..io.names import harvester_from_groups
        from ..pipeline import check_patterns
        from ..rules import load_rules
        rules = load_rules(self.rules_dir)
        check_patterns(rules)  # bad rule files are reported now, not in a worker
        self._harvest = harvester_from_groups(rules.roles)  # the first pass's, from the same reading

    def first_pass(self, source: Iterable[Note], parties: Parties | None = None) -> FirstPass:
        harvester = None if self.learns_names else self._harvester()
        return first_pass(source, harvester=harvester, declared=parties)

    def _harvester(self):
        return getattr(self, "_harvest", None) or name_harvester(self.rules_dir)

    def describe(self) -> RunDescription:
        from ..pipeline import describe_pipeline
        model_version = Path(self.model_path).stem if self.model_path else None
        options = {"assume_dv": self.assume_dv, "model": model_version}
        pipeline = describe_pipeline(self._loaded_pipeline())
        lexicon = rules_fingerprint(self.rules_dir)
        combined = hashlib.sha256(f"{__version__}|{pipeline}|{lexicon}|{sorted(options.items())}".encode())
        return RunDescription(pipeline, lexicon, model_version, options, combined.hexdigest())

    def _loaded_pipeline(self):
        """The pipeline this process holds, if any (for its description)."""
        return None


def gather_records(results: Iterable[NoteResult], counts: Counter, *, assume_dv: bool,
                   progress=None) -> Iterator[RecordResult]:
    """Collect note results by record and yield each record, gated, as soon as its last note is done."""
    pending: dict[str, list[NoteResult]] = {}
    for result in results:
        if progress is not None:
            progress.update(1)
        rid = result.note.record_id
        bucket = pending.setdefault(rid, [])
        bucket.append(result)
        if len(bucket) == counts[rid]:
            del pending[rid]
            yield gate_record(rid, bucket, assume_dv=assume_dv)
    for rid, bucket in pending.items():  # only if the input changed between the passes
        yield gate_record(rid, bucket, assume_dv=assume_dv)


def run(engine: Engine, source: Iterable[Note], *, parties: Parties | None = None, first: FirstPass | None = None,
        skip: Collection[str] = frozenset(), progress_factory: Callable[[int], object] | None = None,
        ) -> Iterator[RecordResult]:
    """Yield the records of ``source`` through ``engine``, making the first pass unless given.

    ``progress_factory(total_notes)`` makes a progress bar (``update``, ``close``).
    """
    if first is None:
        first = engine.first_pass(source, parties)
    bar = progress_factory(first.notes(skip)) if progress_factory else None
    try:
        yield from engine.records(source, first, skip=skip, progress=bar)
    finally:
        if bar is not None:
            bar.close()


@dataclass
class FlagCounts:
    """What ``write_flags`` wrote, for the run's summary line."""

    records: int = 0
    dv: int = 0        # records with DV
    lines: int = 0
    gated: int = 0     # non-DV records whose cues were withheld
    continued: int = 0  # records a partial output already held


def write_flags(engine: Engine, source: Iterable[Note], output: str | Path | None = None, *,
                parties: Parties | None = None, all_sentences: bool = False, stream: TextIO | None = None,
                progress_factory: Callable[[int], object] | None = None) -> FlagCounts:
    """Write the CONTRACT section 3 JSON lines of ``source``: to ``output``, else to ``stream`` (stdout).

    ``output`` is written as ``OUT.partial`` and renamed when complete; started again on the
    same path, the run continues after the partial file's last complete record (W011).
    """
    first = engine.first_pass(source, parties)
    writer = PartialJsonl(output).open() if output else None
    done = set(writer.done) if writer else set()
    if done:
        warn(Warnings.W011.format(path=writer.partial, done=len(done)))
    counts = FlagCounts(continued=len(done))
    try:
        for record in run(engine, source, first=first, skip=done, progress_factory=progress_factory):
            rows = list(record.sentence_rows(all_sentences=all_sentences))
            counts.records += 1
            counts.dv += record.dv_present
            counts.gated += record.gated
            counts.lines += len(rows)
            if writer:
                writer.write_record(rows)
            else:
                (stream or sys.stdout).write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        if writer:
            writer.commit()
    finally:
        if writer:
            writer.close()
    return counts
