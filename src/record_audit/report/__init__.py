"""Summaries (JSON, CSV, XLSX) and the self-contained HTML QA report."""
