"""The pipeline in worker processes on this machine: workers send back results (flags), not Docs.

spaCy's own ``n_process`` pickles every Doc back to the parent and gains little here;
each worker below loads the pipeline once and returns the frozen ``NoteResult`` of each
note, a few hundred bytes. Chunks are submitted through a bounded window and collected
in order, so the output equals the single-process output and memory stays flat however
long the input is.

Loading the pipeline takes each worker seconds. ``ProcessEngine.prepare`` starts the
workers early, so they load it while the parent makes its first pass over the input.
"""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from ..io import Note, Parties
from ..results import NoteResult
from .base import EngineBase
from .local import LocalEngine

_NLP = None


def _init(rules_dir, model_path) -> None:
    global _NLP
    from ..pipeline import load_pipeline
    _NLP = load_pipeline(rules_dir, model=model_path)


def _work(chunk: list[tuple[Note, dict | None]]) -> list[NoteResult]:
    from ..pipeline.annotate import pipe_notes  # a note over the length limit goes in pieces
    return list(pipe_notes(_NLP, chunk))


def annotate_parallel(pool, notes: Iterable[Note], *, n_process: int, batch_size: int = 64,
                      parties: Parties | None = None, window: int = 2) -> Iterator[NoteResult]:
    """Annotate notes in ``pool``'s ``n_process`` workers, yielding results in input order; closes the pool."""
    notes = iter(notes)
    with pool:
        pending: deque = deque()
        while True:
            chunk = [(n, parties.for_record(n.record_id) or None if parties else None)
                     for n in islice(notes, batch_size)]
            if chunk:
                pending.append(pool.apply_async(_work, (chunk,)))
            if pending and (len(pending) >= n_process * window or not chunk):
                yield from pending.popleft().get()
            if not chunk and not pending:
                break


class ProcessEngine(LocalEngine):
    """The pipeline in ``n_process`` worker processes: the same records, in the same order, as one process."""

    def __init__(self, n_process: int = 2, *, rules_dir: str | Path | None = None,
                 model_path: str | Path | None = None, assume_dv: bool = False, batch_size: int = 64) -> None:
        super().__init__(None, rules_dir=rules_dir, model_path=model_path, assume_dv=assume_dv,
                         batch_size=batch_size)
        self.n_process = n_process
        self._pool = None

    def _start(self):
        return mp.get_context("spawn").Pool(self.n_process, initializer=_init,
                                            initargs=(self.rules_dir, self.model_path))

    def prepare(self) -> None:
        """Check the rules, then start the workers: they load the pipeline while the input is read."""
        EngineBase.prepare(self)
        if self._pool is None:
            self._pool = self._start()

    def _annotate(self, notes: Iterable[Note], parties: Parties) -> Iterator[NoteResult]:
        pool, self._pool = self._pool or self._start(), None  # a prepared pool is taken over, once
        return annotate_parallel(pool, notes, n_process=self.n_process, batch_size=self.batch_size,
                                 parties=parties)

    def _loaded_pipeline(self):
        return None  # the workers hold it
