"""Flag records: notes in, one ``RecordResult`` per record out, with the DV gate.

The pipeline decides ``dv_present`` per record (all its notes) before any flag is
emitted (TAXONOMY, DV scope). Rows of one record need not be adjacent, so a first
cheap pass over the input counts each record's notes; the second pass emits a record
as soon as its last note is processed. Memory holds only unfinished records' results;
an export whose records are spread through the file (sorted by date, say) would make
that many, so such input is first regrouped on disk by record (``engines.partitions``).
"""
from __future__ import annotations

import functools
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

from .flags import NoteResult, RecordResult, Sentence, majority, record_shows_dv
from .io import Note, NoteSource, Parties

# More notes than this held at once, waiting for their records' last notes, and the input
# is regrouped by record first, in partitions of about REGROUP_PARTITION_NOTES notes.
REGROUP_PENDING_NOTES = 2_000
REGROUP_PARTITION_NOTES = 1_000


def count_notes(source: Iterable) -> Counter:
    """Count notes per record_id (the first pass)."""
    return Counter(note.record_id for note in source)


def prescan(source: Iterable, harvester=None, declared: Parties | None = None) -> tuple[Counter, Parties | None]:
    """The first pass: notes per record, and the names each record's notes introduce.

    Learned names sit under the parties declared with --parties (those win). Memory
    holds counts and names only, never note text.
    """
    from .pipeline.roles import LEARNED

    counts: Counter = Counter()
    found: dict[str, dict[str, set[str]]] = {}
    for note in source:
        counts[note.record_id] += 1
        if harvester is not None:
            harvester.collect(note.text, found.setdefault(note.record_id, defaultdict(set)))
    if harvester is None:
        return counts, declared
    merged = {rid: {name: LEARNED + value for name, value in harvester.resolve(names).items()}
              for rid, names in found.items() if names}
    if declared:
        for rid, names in declared.by_record.items():
            merged.setdefault(rid, {}).update(names)
    return counts, Parties(merged)


@functools.lru_cache(maxsize=8)
def _harvester(rules_dir: str | None):
    from .io.names import harvester_from_groups
    from .rules import load_rules
    return harvester_from_groups(load_rules(rules_dir).roles)


def default_harvester(rules_dir=None):
    """The name harvester for a rules folder's party words (read once per folder)."""
    return _harvester(str(rules_dir) if rules_dir is not None else None)


def assemble_record(record_id: str, results: list[NoteResult], *, assume_dv: bool) -> RecordResult:
    """Apply the DV gate to one record's note results."""
    dv_present = record_shows_dv(results)
    notes = tuple(results)
    gated = False
    if not dv_present and not assume_dv:
        gated = any(s.flags for r in results for s in r.sentences)
        notes = tuple(replace(r, sentences=tuple(replace(s, flags=()) for s in r.sentences))
                      for r in results)
    return RecordResult(
        record_id=record_id, notes=notes, dv_present=dv_present or assume_dv,
        team=majority([r.note.team for r in results]),
        worker=majority([r.note.author for r in results]), gated=gated)


def max_pending(notes: Iterable[Note], counts: Counter) -> int:
    """The most notes a single pass over ``notes`` holds at once before their records complete."""
    seen: dict[str, int] = {}
    held = peak = 0
    for note in notes:
        n = seen.get(note.record_id, 0) + 1
        if n >= counts[note.record_id]:
            seen.pop(note.record_id, None)
            held -= n - 1
        else:
            seen[note.record_id] = n
            held += 1
            peak = max(peak, held)
    return peak


def regrouped(source: Iterable[Note], counts: Counter, skip: set[str], folder: Path | None = None) -> Iterator[Note]:
    """Yield the notes of ``source`` (but ``skip``'s), regrouped when a single pass would hold too many.

    Regrouping stages the notes as partitions by record, in ``folder`` or a temporary
    folder removed at the end, and reads them back one after the other: a record's notes
    stay in input order, and no more than a partition's records are ever unfinished.
    Input already grouped is passed through as it is.
    """
    todo = sum(n for rid, n in counts.items() if rid not in skip)

    def notes() -> Iterator[Note]:
        return (n for n in source if n.record_id not in skip)

    if todo <= REGROUP_PENDING_NOTES or max_pending(notes(), counts) <= REGROUP_PENDING_NOTES:
        yield from notes()
        return
    from .engines.partitions import iter_staged, part_name, stage_notes
    with nullcontext(folder) if folder else tempfile.TemporaryDirectory(prefix="record-audit-regroup-") as where:
        staged = stage_notes(notes(), Path(where), -(-todo // REGROUP_PARTITION_NOTES))
        for k in sorted(staged):
            yield from iter_staged(Path(where) / part_name(k))


def flag_records(source: NoteSource, nlp, *, parties: Parties | None = None, assume_dv: bool = False,
                 batch_size: int = 64, counts: Counter | None = None,
                 skip_records: set[str] | None = None, progress=None, n_process: int = 1,
                 rules_dir=None, model_path=None) -> Iterator[RecordResult]:
    """Yield a ``RecordResult`` per record, in the order records complete in the input.

    With ``n_process`` > 1, worker processes load the pipeline from ``rules_dir`` and
    ``model_path`` themselves (``nlp`` may then be None) and the output is the same.
    """
    if counts is None:
        counts, parties = prescan(source, default_harvester(rules_dir), parties)
    notes = regrouped(source, counts, skip_records or set())
    yield from _flag_notes(notes, nlp, counts=counts, parties=parties, assume_dv=assume_dv, batch_size=batch_size,
                           progress=progress, n_process=n_process, rules_dir=rules_dir, model_path=model_path)


def _flag_notes(notes: Iterable[Note], nlp, *, counts: Counter, parties, assume_dv: bool, batch_size: int,
                progress, n_process: int, rules_dir, model_path) -> Iterator[RecordResult]:
    pending: dict[str, list[NoteResult]] = {}
    if n_process > 1:
        from .parallel import annotate_parallel
        results = annotate_parallel(notes, n_process=n_process, batch_size=batch_size, rules_dir=rules_dir,
                                    model_path=model_path, parties=parties)
    else:
        from .pipeline.annotate import annotate_notes
        results = annotate_notes(nlp, notes, parties=parties, batch_size=batch_size)
    for result in results:
        if progress is not None:
            progress.update(1)
        rid = result.note.record_id
        bucket = pending.setdefault(rid, [])
        bucket.append(result)
        if len(bucket) == counts[rid]:
            del pending[rid]
            yield assemble_record(rid, bucket, assume_dv=assume_dv)
    for rid, bucket in pending.items():  # only if the input changed between the passes
        yield assemble_record(rid, bucket, assume_dv=assume_dv)


__all__ = ["flag_records", "count_notes", "assemble_record", "Sentence"]
