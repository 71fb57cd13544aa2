"""A case note, the unit every loader yields, and what a read skipped."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..errors import warn


@dataclass(frozen=True)
class Note:
    """One case note. ``position`` says where it came from, for messages (never text)."""

    record_id: str
    note_id: str
    text: str
    date: str | None = None
    note_type: str | None = None
    author: str | None = None
    team: str | None = None
    position: str = ""


@dataclass
class ReadStats:
    """What a read skipped, by position, for the run's summary line."""

    skipped: list[str] = field(default_factory=list)
    encoding: str | None = None
    # what was skipped, by kind (errors.SKIPPED_KINDS: row, line, file, document, page)
    skipped_as: Counter = field(default_factory=Counter)
    unit: str = "row"  # what the input is made of (a table's rows, a folder's files, a PDF's pages)
    _warned: set[str] = field(default_factory=set, repr=False)

    def skip(self, message: str, kind: str = "row") -> None:
        """Count a skipped ``kind`` (a row, a line, a file, a document, a page) and warn of it (``Warnings.W0xx``)."""
        self.skipped.append(message)
        self.skipped_as[kind] += 1
        self.warn(message)

    def skipped_counts(self) -> dict[str, int]:
        """What the last read skipped, by kind, for the summary line (``errors.skipped_summary``);
        nothing skipped is 0 of the input's ``unit``."""
        return dict(self.skipped_as) if self.skipped_as else {self.unit: 0}

    def reset(self) -> None:
        """Forget what was skipped (a source read again counts afresh); warnings already shown stay shown."""
        self.skipped.clear()
        self.skipped_as.clear()

    def warn(self, message: str) -> None:
        """Warn once per read source: a source is read twice (first pass, pipeline), its warnings shown once."""
        if message not in self._warned:
            self._warned.add(message)
            warn(message)
