"""Cut a notes stream into partitions that never split a record, staged as Parquet files.

A record's notes are processed together (names learned per record, the DV gate, record
rollups), and its rows need not be adjacent in an export. Cutting the file by byte ranges
would split records (and a quoted newline inside a note breaks byte-range CSV reading),
so the input is read once, with the same reader as every other command (columns,
encodings, skipped rows, default note ids), and each note goes to the partition a stable
hash of its ``record_id`` picks. A partition file keeps its notes in input order, so a
record's notes keep theirs. Memory holds a bounded buffer per partition, never the input.

The Dask engine stages every input so; the local and process engines regroup only an input
whose records are spread so far through it that a single pass would hold too many notes at
once (``regrouped``).
"""
from __future__ import annotations

import json
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path

from ..files import create_file, make_folder, temporary_folder
from ..io import Note, Parties

NOTE_FIELDS = ("record_id", "note_id", "text", "date", "note_type", "author", "team", "position")
# notes per partition by default: about 50k words of case notes, 10 s of one core
PARTITION_NOTES = 500
# one open Parquet writer per partition while staging: keep well under the usual 1,024 open files
MAX_PARTITIONS = 512
FLUSH_ROWS = 256
FLUSH_BYTES = 32 << 20
# More notes than this held at once, waiting for their records' last notes, and the input
# is regrouped by record first, in partitions of about REGROUP_PARTITION_NOTES notes.
REGROUP_PENDING_NOTES = 2_000
REGROUP_PARTITION_NOTES = 1_000


def stage_schema():
    import pyarrow as pa
    return pa.schema([(name, pa.string()) for name in (*NOTE_FIELDS, "parties")])


def partition_of(record_id: str, n_partitions: int) -> int:
    """The partition of a record: CRC-32 of its id, the same on every machine and run."""
    return zlib.crc32(record_id.encode("utf-8")) % n_partitions


def choose_partitions(n_notes: int, n_workers: int, *, per_partition: int = PARTITION_NOTES) -> int:
    """Enough partitions to keep every worker busy and each one small enough to redo cheaply."""
    wanted = max(2 * max(n_workers, 1), math.ceil(n_notes / max(per_partition, 1)))
    return max(1, min(wanted, MAX_PARTITIONS, max(n_notes, 1)))


def part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


def stage_notes(notes: Iterable[Note], folder: Path, n_partitions: int, *,
                parties: Parties | None = None, skip: set[str] | None = None) -> dict[int, int]:
    """Write ``notes`` into ``folder/part-NNNNN.parquet`` by record; return notes per partition.

    Records in ``skip`` are left out. Each note carries its record's parties
    (declared and learned, as JSON) so a worker needs no other file. Only partitions that
    received notes get a file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    make_folder(folder)
    schema = stage_schema()
    writers: dict[int, pq.ParquetWriter] = {}
    buffers: dict[int, list[Note]] = {}
    counts: dict[int, int] = {}
    party_json: dict[str, str | None] = {}
    buffered_bytes = 0

    def flush(k: int) -> None:
        rows = buffers.pop(k, [])
        if not rows:
            return
        if k not in writers:
            writers[k] = pq.ParquetWriter(create_file(folder / part_name(k)), schema)
        columns = {name: [getattr(n, name) or None for n in rows] for name in NOTE_FIELDS}
        columns["parties"] = [party_json[n.record_id] for n in rows]
        writers[k].write_table(pa.table(columns, schema=schema))

    try:
        for note in notes:
            if skip and note.record_id in skip:
                continue
            if note.record_id not in party_json:
                declared = parties.for_record(note.record_id) if parties else None
                party_json[note.record_id] = json.dumps(declared, sort_keys=True) if declared else None
            k = partition_of(note.record_id, n_partitions)
            buffers.setdefault(k, []).append(note)
            counts[k] = counts.get(k, 0) + 1
            buffered_bytes += len(note.text)
            if len(buffers[k]) >= FLUSH_ROWS:
                buffered_bytes -= sum(len(n.text) for n in buffers[k])
                flush(k)
            elif buffered_bytes > FLUSH_BYTES:
                for k in list(buffers):
                    flush(k)
                buffered_bytes = 0
        for k in list(buffers):
            flush(k)
    finally:
        for writer in writers.values():
            writer.close()
    return counts


def read_staged(item: tuple[int, str]):
    """Read one staged partition as a pandas DataFrame with its number in column ``part``."""
    import pyarrow.parquet as pq
    k, path = item
    frame = pq.read_table(path, schema=stage_schema()).to_pandas()
    frame.insert(0, "part", k)
    return frame


def staged_meta():
    """An empty frame with the columns and dtypes ``read_staged`` returns (Dask's ``meta``)."""
    frame = stage_schema().empty_table().to_pandas()
    frame.insert(0, "part", 0)
    return frame.iloc[:0]


def notes_from_frame(frame) -> tuple[list[Note], Parties]:
    """The notes of a staged partition in input order, and their records' parties."""
    import pyarrow as pa
    rows = pa.Table.from_pandas(frame[list((*NOTE_FIELDS, "parties"))], preserve_index=False).to_pylist()
    return notes_from_rows(rows)


def notes_from_rows(rows: Iterable[dict]) -> tuple[list[Note], Parties]:
    notes, by_record = [], {}
    for row in rows:
        notes.append(Note(**{name: row[name] for name in NOTE_FIELDS if name != "position"},
                          position=row["position"] or ""))
        if row["parties"] and row["record_id"] not in by_record:
            by_record[row["record_id"]] = json.loads(row["parties"])
    return notes, Parties(by_record)


def iter_staged(path: Path) -> Iterator[Note]:
    """Stream one staged partition's notes (row group by row group)."""
    import pyarrow.parquet as pq
    pfile = pq.ParquetFile(path)
    for batch in pfile.iter_batches(batch_size=FLUSH_ROWS):
        yield from notes_from_rows(batch.to_pylist())[0]


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
    Input already grouped is passed through as it is; checking that reads an input of more
    than ``REGROUP_PENDING_NOTES`` notes once more.
    """
    todo = sum(n for rid, n in counts.items() if rid not in skip)

    def notes() -> Iterator[Note]:
        return (n for n in source if n.record_id not in skip)

    if todo <= REGROUP_PENDING_NOTES or max_pending(notes(), counts) <= REGROUP_PENDING_NOTES:
        yield from notes()
        return
    with nullcontext(folder) if folder else temporary_folder("record-audit-regroup-") as where:
        staged = stage_notes(notes(), Path(where), -(-todo // REGROUP_PARTITION_NOTES))
        for k in sorted(staged):
            yield from iter_staged(Path(where) / part_name(k))
