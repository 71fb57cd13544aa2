"""Run the audit pipeline on a Dask cluster, for record sets that outgrow one machine.

The driver reads the input once with the usual reader and stages it as Parquet files cut
by record (``engines.partitions``: a record's notes always land in one partition, however
far apart they are in the export). A ``dask.dataframe`` is built from those files with
``from_map``, so each worker reads its own partitions; nothing of the notes travels in
the task graph (ECOSYSTEM: texts inside the graph made Dask warn and gain little). Each
worker loads the pipeline once (``PipelinePlugin``) and runs, per partition, exactly the
single-process engine (``LocalEngine``: its first pass learns the names of the partition's
records, all of whose notes are there), then writes the partition's results as Parquet
(``engines.parquet``) and sends back one summary row. The driver reads finished partitions
back as they complete: into JSON lines, or into an audit store in one transaction per
record, like a single-process audit.

A local cluster (``distributed.LocalCluster``: worker processes, one thread each, on
127.0.0.1, no dashboard) is started unless a scheduler address is given. With a remote
scheduler, the workers need record_audit installed and must see the staged partitions,
the results folder, the rules folder and the model file at the same paths (shared storage).
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from .. import __version__
from ..errors import Errors, InputError, Warnings, warn
from ..files import make_folder, partial_path, temporary_folder
from ..io import Note, NoteSource, Parties
from ..results import RecordResult
from .base import EngineBase, FirstPass
from .local import LocalEngine
from .parquet import (read_manifest, read_partition, run_manifest, write_manifest, write_partition,
                      written_partitions)
from .partitions import (PARTITION_NOTES, choose_partitions, notes_from_frame, part_name, read_staged,
                         stage_notes, staged_meta)

SUMMARY_COLUMNS = ("part", "records", "notes", "dv", "gated", "sentences", "flagged_sentences", "flags")

# -- on the workers ------------------------------------------------------------------------
_PIPELINES: dict = {}
_LOAD_LOCK = threading.Lock()
# a spaCy pipeline is used by one thread at a time; workers run one thread each by default
_RUN_LOCK = threading.Lock()


def worker_pipeline(rules_dir: str | None, model_path: str | None):
    """The pipeline of this worker process, loaded on first use and kept (one per process)."""
    key = (rules_dir, model_path)
    with _LOAD_LOCK:
        if key not in _PIPELINES:
            from ..pipeline import load_pipeline
            _PIPELINES.clear()  # another run's rules or model: keep only one pipeline in memory
            _PIPELINES[key] = load_pipeline(rules_dir, model=model_path)
        return _PIPELINES[key]


class PipelinePlugin(WorkerPlugin):
    """Load the pipeline on every worker when it joins, before any partition arrives."""

    name = "record_audit_pipeline"

    def __init__(self, rules_dir: str | None, model_path: str | None) -> None:
        self.rules_dir, self.model_path = rules_dir, model_path

    async def setup(self, worker) -> None:
        # off the event loop: loading takes seconds and the worker must keep answering
        await asyncio.get_running_loop().run_in_executor(None, worker_pipeline, self.rules_dir, self.model_path)


def summary_meta():
    import pandas as pd
    return pd.DataFrame({name: pd.Series(dtype="int64") for name in SUMMARY_COLUMNS})


def annotate_partition(frame, *, out_dir: str, rules_dir: str | None, model_path: str | None, assume_dv: bool,
                       batch_size: int, tool_version: str | None = None):
    """Flag one staged partition (whole records), write its results, return one summary row.

    Names are learned here, from each record's notes, all of which are in the partition
    (a record's parties staged with it win, as ``--parties`` does). ``tool_version`` is the
    driver's: a worker with another record_audit refuses, as its flags could differ.
    """
    import pandas as pd

    if tool_version is not None and tool_version != __version__:
        raise InputError(Errors.E038.format(worker=__version__, driver=tool_version))
    if frame.empty:
        return summary_meta()
    k = int(frame["part"].iloc[0])
    notes, parties = notes_from_frame(frame)
    engine = LocalEngine(worker_pipeline(rules_dir, model_path), rules_dir=rules_dir, model_path=model_path,
                         assume_dv=assume_dv, batch_size=batch_size)
    first = engine.first_pass(notes, parties)
    with _RUN_LOCK:
        records = list(engine.records(notes, first))
    written = write_partition(Path(out_dir), k, records, first.hashes)
    sentences = [s for r in records for n in r.notes for s in n.sentences]
    return pd.DataFrame([{
        "part": k, "records": len(records), "notes": len(notes), "dv": sum(r.dv_present for r in records),
        "gated": sum(r.gated for r in records), "sentences": len(sentences),
        "flagged_sentences": sum(bool(s.flags) for s in sentences), "flags": written["flags"]}])


# -- on the driver -------------------------------------------------------------------------
@contextmanager
def dask_client(*, n_workers: int = 2, scheduler: str | None = None):
    """A client of the scheduler at ``scheduler``, else of a new local cluster of ``n_workers``."""
    from distributed import Client, LocalCluster
    quiet = logging.getLogger("distributed")
    level = quiet.level
    # the cluster's start and stop are not the user's business, and a failed task's log
    # would carry its exception's text: errors reach the user as the command's own
    quiet.setLevel(logging.CRITICAL)
    try:
        with _client(Client, LocalCluster, n_workers, scheduler) as client:
            yield client
    finally:
        quiet.setLevel(level)


@contextmanager
def _client(Client, LocalCluster, n_workers: int, scheduler: str | None):
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise InputError(Errors.E039.format(address=scheduler, reason=type(err).__name__)) from None
        with client:
            yield client
        return
    # everything on 127.0.0.1; no dashboard (its HTTP endpoint takes any free loopback port);
    # the workers' scratch space (spilled partitions hold note text) in a folder of our own
    with temporary_folder("record-audit-dask-scratch-") as scratch, \
            LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                         silence_logs=logging.CRITICAL, local_directory=str(scratch)) as cluster, \
            Client(cluster) as client:
        yield client


def _abs(path) -> str | None:
    return str(Path(path).resolve()) if path is not None else None


class DaskEngine(EngineBase):
    """The pipeline on a Dask cluster: records as the other engines yield them, or a Parquet results folder.

    ``n_workers`` sizes the local cluster; ``scheduler`` names a running one instead.
    Staged partitions and per-run results go under ``work_dir`` (default: the system's
    temporary folder), in a folder removed at the end. The workers learn names from the
    notes themselves (``learns_names``), so the driver's first pass only counts.
    """

    learns_names = True

    def __init__(self, *, n_workers: int = 2, scheduler: str | None = None, work_dir: str | Path | None = None,
                 partition_notes: int = PARTITION_NOTES, rules_dir: str | Path | None = None,
                 model_path: str | Path | None = None, assume_dv: bool = False, batch_size: int = 64) -> None:
        super().__init__(rules_dir=rules_dir, model_path=model_path, assume_dv=assume_dv, batch_size=batch_size)
        self.n_workers, self.scheduler = n_workers, scheduler
        self.work_dir = Path(work_dir) if work_dir is not None else None
        self.partition_notes = partition_notes

    def _compute(self, parts: list[tuple[int, Path]], out: Path) -> Iterator[dict]:
        """Run the staged partitions on the cluster; yield each one's summary as it completes."""
        import dask.dataframe as dd
        from distributed import as_completed

        if not parts:
            return
        rules_dir, model_path = _abs(self.rules_dir), _abs(self.model_path)
        with dask_client(n_workers=self.n_workers, scheduler=self.scheduler) as client:
            client.register_plugin(PipelinePlugin(rules_dir, model_path))
            notes = dd.from_map(read_staged, [(k, str(path)) for k, path in parts], meta=staged_meta(),
                                label="record-audit-notes")
            summaries = notes.map_partitions(
                annotate_partition, out_dir=str(out.resolve()), rules_dir=rules_dir, model_path=model_path,
                assume_dv=self.assume_dv, batch_size=self.batch_size, tool_version=__version__,
                meta=summary_meta())
            futures = client.compute(summaries.to_delayed())
            for future in as_completed(futures):
                frame = future.result()
                future.release()
                if not frame.empty:
                    yield {name: int(frame[name].iloc[0]) for name in SUMMARY_COLUMNS}

    def _stage(self, source, folder: Path, counts: Counter, parties: Parties | None,
               skip: Collection[str]) -> list[tuple[int, Path]]:
        n_notes = sum(n for rid, n in counts.items() if rid not in skip)
        if not n_notes:
            return []
        n_parts = choose_partitions(n_notes, self.n_workers, per_partition=self.partition_notes)
        staged = stage_notes(source, folder, n_parts, parties=parties, skip=set(skip))
        return [(k, folder / part_name(k)) for k in sorted(staged)]

    def records(self, source: Iterable[Note], first: FirstPass, *, skip: Collection[str] = frozenset(),
                progress=None) -> Iterator[RecordResult]:
        """Yield a ``RecordResult`` per record, partition by partition as they complete."""
        if self.work_dir is not None:
            make_folder(self.work_dir)
        with temporary_folder("record-audit-dask-", self.work_dir) as folder:
            parts = self._stage(source, folder / "stage", first.counts, first.parties, skip)
            for summary in self._compute(parts, folder / "results"):
                for record, _ in read_partition(folder / "results", summary["part"]):
                    yield record
                if progress is not None:
                    progress.update(summary["notes"])

    def write_results(self, source: NoteSource, out_dir: str | Path, *, parties: Parties | None = None,
                      progress_factory: Callable[[int], object] | None = None) -> dict:
        """Write every record's results as a Parquet results folder ``out_dir``; return the totals.

        The folder is built as ``out_dir.partial`` and renamed when complete. Started again
        on the same input with the same pipeline, it keeps the staged partitions and every
        partition already written, and runs only the rest (W013). Its manifest describes the
        run (tool, pipeline fingerprint, options, input fingerprint; ``parquet.run_manifest``).
        """
        out = Path(out_dir)
        partial = partial_path(out)
        for folder in (out, partial):
            if folder.exists() and read_manifest(folder) is None:
                raise InputError(Errors.E040.format(path=folder))
        if not out.parent.exists():
            raise InputError(Errors.E041.format(path=out))
        counts = self.first_pass(source, parties).counts
        manifest = run_manifest(self, source)
        n_parts = choose_partitions(sum(counts.values()), self.n_workers, per_partition=self.partition_notes)
        wanted = {**manifest, "partitions": n_parts, "records": len(counts), "notes": sum(counts.values())}
        keys = ("tool_version", "pipeline_fingerprint", "input_fingerprint", "partitions")
        found = read_manifest(partial) if partial.exists() else None
        if found is not None and not all(found.get(k) == wanted[k] for k in keys):
            warn(Warnings.W012.format(path=partial))
            shutil.rmtree(partial)
            found = None
        make_folder(partial)
        if found is None or not found.get("staged"):
            write_manifest(partial, {**wanted, "status": "running", "staged": False})
            staged = stage_notes(source, partial / "stage", n_parts, parties=parties)
            write_manifest(partial, {**wanted, "status": "running", "staged": True,
                                     "staged_partitions": sorted(staged)})
            found = read_manifest(partial)
        staged_parts = found["staged_partitions"]
        done = written_partitions(partial)
        progress = progress_factory(sum(counts.values())) if progress_factory else None
        try:
            if done:
                warn(Warnings.W013.format(path=partial, done=len(done), total=len(staged_parts)))
                if progress is not None:
                    progress.update(sum(s["notes"] for s in _summaries(partial, done)))
            todo = [(k, partial / "stage" / part_name(k)) for k in staged_parts if k not in done]
            for summary in self._compute(todo, partial):
                if progress is not None:
                    progress.update(summary["notes"])
        finally:
            if progress is not None:
                progress.close()
        totals = _totals(_summaries(partial, written_partitions(partial)))
        shutil.rmtree(partial / "stage")
        write_manifest(partial, {**wanted, "status": "complete", "staged": False, "staged_partitions": staged_parts,
                                 "rows_skipped": len(source.stats.skipped), "skipped_as": source.stats.skipped_counts(),
                                 **totals,
                                 "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        if out.exists():
            shutil.rmtree(out)  # an earlier results folder (checked above): replaced, as flag -o replaces a file
        partial.rename(out)
        return totals


def _summaries(folder: Path, parts) -> list[dict]:
    """Summary rows of written partitions, read back from their files (for a resumed run)."""
    import pyarrow.parquet as pq
    rows = []
    for k in parts:
        records = pq.read_table(folder / "records" / part_name(k), columns=["dv_present", "gated", "notes"])
        sentences = pq.read_metadata(folder / "sentences" / part_name(k)).num_rows
        flags = pq.read_table(folder / "flags" / part_name(k), columns=["record_id", "note_id", "sentence_index"])
        data = records.to_pydict()
        rows.append({"part": k, "records": records.num_rows, "notes": sum(data["notes"]),
                     "dv": sum(data["dv_present"]), "gated": sum(data["gated"]), "sentences": sentences,
                     "flagged_sentences": len(set(zip(*flags.to_pydict().values()))) if flags.num_rows else 0,
                     "flags": flags.num_rows})
    return rows


def _totals(summaries: list[dict]) -> dict:
    return {name: sum(s[name] for s in summaries) for name in SUMMARY_COLUMNS if name != "part"}


__all__ = ["DaskEngine", "PipelinePlugin", "annotate_partition", "dask_client", "worker_pipeline"]
