"""Loaders: case-note tables, .txt folders and annotated records into ``Note`` objects."""
from .note import Note, ReadStats
from .notes import NoteSource, parse_columns, open_notes
from .annotated import AnnotatedRecord, GoldSentence, read_annotated, is_annotated
from .parties import Parties, read_parties

__all__ = [
    "Note", "NoteSource", "ReadStats", "parse_columns", "open_notes",
    "AnnotatedRecord", "GoldSentence", "read_annotated", "is_annotated",
    "Parties", "read_parties",
]
