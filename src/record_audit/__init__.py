"""record_audit: audit child-welfare case records for survivor-blaming language in DV cases.

The library works without the command line::

    from record_audit import load_pipeline, open_notes, flag_records
    nlp = load_pipeline()
    for record in flag_records(open_notes("notes.csv"), nlp):
        ...
"""
from __future__ import annotations

__version__ = "0.1.0"


def __getattr__(name):
    # keep `import record_audit` light: spaCy loads only when the pipeline is asked for
    if name == "load_pipeline":
        from .pipeline import load_pipeline
        return load_pipeline
    if name == "flag_records":
        from .flagging import flag_records
        return flag_records
    if name == "open_notes":
        from .io import open_notes
        return open_notes
    raise AttributeError(name)


__all__ = ["__version__", "load_pipeline", "flag_records", "open_notes"]
