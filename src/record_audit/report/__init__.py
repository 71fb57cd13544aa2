"""Summaries (JSON, CSV, XLSX), the self-contained HTML QA report, and trainers' handouts."""
