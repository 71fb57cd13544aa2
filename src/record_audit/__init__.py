"""record_audit: audit child-welfare case records for survivor-blaming language in DV cases.

The library works without the command line::

    from record_audit.engines import flag_records
    from record_audit.io import open_notes
    for record in flag_records(open_notes("notes.csv")):
        ...

``record_audit.engines`` runs the pipeline (``pipeline.load_pipeline``) over records;
``audit.run_audit`` stores what an engine yields; ``record_audit.cli`` is the command line.
Importing ``record_audit`` loads nothing else: spaCy loads only when a pipeline is asked for.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
