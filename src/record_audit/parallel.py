"""Multi-process annotation: workers send back results (flags), not Docs.

spaCy's own ``n_process`` pickles every Doc back to the parent and gains little here;
each worker below loads the pipeline once and returns the frozen ``NoteResult`` of each
note, a few hundred bytes. Chunks are submitted through a bounded window and collected
in order, so the output equals the single-process output and memory stays flat however
long the input is.

Loading the pipeline takes each worker seconds. ``prewarm`` starts the workers early, so
they load it while the parent makes its first pass over the input (counting notes and
learning names), and ``annotate_parallel`` takes them over.
"""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from .flags import NoteResult
from .io import Note, Parties

_NLP = None
_WARM: dict = {}  # (n_process, rules_dir, model_path) -> a started pool not yet taken over


def _init(rules_dir, model_path) -> None:
    global _NLP
    from .pipeline import load_pipeline
    _NLP = load_pipeline(rules_dir, model=model_path)


def _work(chunk: list[tuple[Note, dict | None]]) -> list[NoteResult]:
    from .pipeline.annotate import pipe_notes  # a note over the length limit goes in pieces
    return list(pipe_notes(_NLP, chunk))


def _key(n_process: int, rules_dir, model_path) -> tuple:
    return (n_process, str(rules_dir) if rules_dir is not None else None,
            str(model_path) if model_path is not None else None)


def _start(n_process: int, rules_dir, model_path):
    return mp.get_context("spawn").Pool(n_process, initializer=_init, initargs=(rules_dir, model_path))


def prewarm(n_process: int, *, rules_dir=None, model_path=None) -> None:
    """Start the workers of a coming ``annotate_parallel`` call now; they load the pipeline meanwhile."""
    key = _key(n_process, rules_dir, model_path)
    if key not in _WARM:
        _WARM[key] = _start(n_process, rules_dir, model_path)


def annotate_parallel(notes: Iterable[Note], *, n_process: int, batch_size: int = 64, rules_dir=None,
                      model_path=None, parties: Parties | None = None, window: int = 2) -> Iterator[NoteResult]:
    """Annotate notes in ``n_process`` worker processes, yielding results in input order."""
    notes = iter(notes)
    pool = _WARM.pop(_key(n_process, rules_dir, model_path), None) or _start(n_process, rules_dir, model_path)
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
