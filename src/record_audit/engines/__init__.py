"""Engines that run the pipeline beyond one process.

- ``engines.partitions``: stage a notes stream as Parquet partitions that never split a record.
- ``engines.results``: pipeline results as Parquet (records, notes, sentences, flags) and back.
- ``engines.dask``: the pipeline on a Dask cluster, local or remote (imports ``distributed``).

The process pool on one machine is ``record_audit.parallel``.
"""
from .results import ResultsFolder

__all__ = ["ResultsFolder"]
