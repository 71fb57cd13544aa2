"""The one place that runs the pipeline over records.

- ``engines.base``: the ``Engine`` protocol, the single first pass, ``run`` and ``write_flags``.
- ``engines.local``: ``LocalEngine``, the pipeline in this process.
- ``engines.processes``: ``ProcessEngine``, worker processes on this machine.
- ``engines.dask``: ``DaskEngine``, a Dask cluster, local or remote (imports ``distributed``).
- ``engines.partitions``: a notes stream staged as Parquet partitions that never split a record.
- ``engines.parquet``: pipeline results as Parquet (records, notes, sentences, flags) and back.

``engine_for`` picks an engine from the command line's options; ``flag_records`` is the
library's one call::

    from record_audit.engines import flag_records
    from record_audit.io import open_notes
    for record in flag_records(open_notes("notes.csv")):
        ...
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import Errors, InputError
from ..io import Note, Parties
from ..results import RecordResult
from .base import Engine, FirstPass, first_pass, run, write_flags
from .local import LocalEngine
from .processes import ProcessEngine


def engine_for(kind: str = "processes", *, n_process: int = 1, scheduler: str | None = None,
               work_dir: str | Path | None = None, nlp=None, rules_dir: str | Path | None = None,
               model_path: str | Path | None = None, assume_dv: bool = False, batch_size: int = 64) -> Engine:
    """The engine ``--engine`` and ``--n-process`` ask for.

    ``processes``: this process when ``n_process`` is 1 (with ``nlp`` when given), else that
    many worker processes. ``dask``: a local cluster of ``n_process`` workers, or the one at
    ``scheduler``, staging its partitions under ``work_dir``.
    """
    settings = dict(rules_dir=rules_dir, model_path=model_path, assume_dv=assume_dv, batch_size=batch_size)
    if kind == "dask":
        from .dask import DaskEngine
        return DaskEngine(n_workers=n_process, scheduler=scheduler, work_dir=work_dir, **settings)
    if scheduler:
        raise InputError(Errors.E030)
    if n_process > 1:
        return ProcessEngine(n_process, **settings)
    return LocalEngine(nlp, **settings)


def flag_records(source: Iterable[Note], nlp=None, *, parties: Parties | None = None, n_process: int = 1,
                 rules_dir: str | Path | None = None, model_path: str | Path | None = None,
                 assume_dv: bool = False, batch_size: int = 64) -> Iterator[RecordResult]:
    """Yield a ``RecordResult`` per record of ``source``, in the order records complete in the input.

    ``nlp`` is the pipeline to use (else it is loaded from ``rules_dir`` and ``model_path``);
    with ``n_process`` > 1, worker processes load their own and the records are the same.
    """
    engine = engine_for(n_process=n_process, nlp=nlp, rules_dir=rules_dir, model_path=model_path,
                        assume_dv=assume_dv, batch_size=batch_size)
    yield from run(engine, source, parties=parties)


__all__ = ["Engine", "FirstPass", "LocalEngine", "ProcessEngine", "engine_for", "first_pass", "flag_records",
           "run", "write_flags"]
