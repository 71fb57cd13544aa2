"""The SQLite audit store: the only package that reads or writes SQL."""
from .db import SCHEMA_VERSION, AuditStore, StoredRecord, copy_store

__all__ = ["AuditStore", "StoredRecord", "SCHEMA_VERSION", "copy_store"]
