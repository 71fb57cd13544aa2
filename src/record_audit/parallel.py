"""Multi-process annotation: workers send back results (flags), not Docs.

spaCy's own ``n_process`` pickles every Doc back to the parent and gains little here;
each worker below loads the pipeline once and returns the frozen ``NoteResult`` of each
note, a few hundred bytes. Chunks are submitted through a bounded window and collected
in order, so the output equals the single-process output and memory stays flat however
long the input is.
"""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from .flags import NoteResult
from .io import Note, Parties

_NLP = None


def _init(rules_dir, model_path) -> None:
    global _NLP
    from .pipeline import load_pipeline
    _NLP = load_pipeline(rules_dir, model=model_path)


def _work(chunk: list[tuple[Note, dict | None]]) -> list[NoteResult]:
    from .pipeline.annotate import doc_to_result

    docs = []
    for note, parties in chunk:
        doc = _NLP.make_doc(note.text)
        doc._.record_id = note.record_id
        doc._.parties = parties
        docs.append(doc)
    return [doc_to_result(doc, note) for doc, (note, _) in zip(_NLP.pipe(docs), chunk)]


def annotate_parallel(notes: Iterable[Note], *, n_process: int, batch_size: int = 64, rules_dir=None,
                      model_path=None, parties: Parties | None = None, window: int = 2) -> Iterator[NoteResult]:
    """Annotate notes in ``n_process`` worker processes, yielding results in input order."""
    ctx = mp.get_context("spawn")
    notes = iter(notes)
    with ctx.Pool(n_process, initializer=_init, initargs=(rules_dir, model_path)) as pool:
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
