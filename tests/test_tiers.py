"""The fast tier stays fast: the command line reuses the session's pipelines (tests/conftest.py)."""
from __future__ import annotations

import record_audit.pipeline as pipeline


def test_the_command_line_reuses_the_sessions_pipeline(nlp_rules, write_notes, run_cli, tmp_path, monkeypatch):
    """A caller that binds load_pipeline at import time bypasses the cache, and every CLI test
    loads the English model again: look the function up in record_audit.pipeline when calling it."""
    loaded = []
    english = pipeline.load_english
    monkeypatch.setattr(pipeline, "load_english", lambda *a, **k: loaded.append(1) or english(*a, **k))
    notes = write_notes(tmp_path / "notes.csv", [("R1", "Mother failed to protect the children.")])
    result = run_cli("flag", notes, "--rules-only", "--assume-dv")
    assert result.exit_code == 0 and '"failure_to_protect"' in result.stdout
    assert loaded == []
