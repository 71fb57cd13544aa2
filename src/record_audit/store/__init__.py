"""The SQLite audit store (only this package writes SQL)."""
from .db import SCHEMA_VERSION, AuditStore, StoredRecord

__all__ = ["AuditStore", "StoredRecord", "SCHEMA_VERSION"]
