"""The pipeline in this process: notes in, one ``RecordResult`` per record out.

Rows of one record need not be adjacent, so the first pass counts each record's notes
(``engines.base``) and a record is gated and yielded as soon as its last note is done.
Memory holds only unfinished records' results; an export whose records are spread through
the file (sorted by date, say) would make that many, so such input is first regrouped on
disk by record (``engines.partitions.regrouped``).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from ..io import Note, Parties
from ..results import NoteResult, RecordResult
from .base import EngineBase, FirstPass, gather_records
from .partitions import regrouped


class LocalEngine(EngineBase):
    """The pipeline in this process: ``nlp`` when given, else loaded from the settings on first use."""

    def __init__(self, nlp=None, *, rules_dir: str | Path | None = None, model_path: str | Path | None = None,
                 assume_dv: bool = False, batch_size: int = 64) -> None:
        super().__init__(rules_dir=rules_dir, model_path=model_path, assume_dv=assume_dv, batch_size=batch_size)
        self.nlp = nlp

    def pipeline(self):
        """The spaCy pipeline, loaded once (rules of ``rules_dir``, classifier of ``model_path``)."""
        if self.nlp is None:
            from ..pipeline import load_pipeline
            self.nlp = load_pipeline(self.rules_dir, model=self.model_path)
        return self.nlp

    def prepare(self) -> None:
        self.pipeline()  # loading it checks the rules and the model

    def _harvester(self):
        """The name harvester of the loaded pipeline's own party words: the rules are not read again."""
        from ..io.names import harvester_from_groups
        roles = self.pipeline().get_pipe("record_audit_roles")
        if getattr(self, "_harvest_for", None) is not roles:
            self._harvest_for, self._harvest = roles, harvester_from_groups(list(roles.groups.values()))
        return self._harvest

    def records(self, source: Iterable[Note], first: FirstPass, *, skip: Collection[str] = frozenset(),
                progress=None) -> Iterator[RecordResult]:
        notes = regrouped(source, first.counts, set(skip))
        yield from gather_records(self._annotate(notes, first.parties), first.counts, assume_dv=self.assume_dv,
                                  progress=progress)

    def _annotate(self, notes: Iterable[Note], parties: Parties) -> Iterator[NoteResult]:
        from ..pipeline.annotate import annotate_notes
        return annotate_notes(self.pipeline(), notes, parties=parties, batch_size=self.batch_size)

    def _loaded_pipeline(self):
        return self.pipeline()
