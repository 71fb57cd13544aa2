"""Every file the tool writes is owner-only, whatever the umask (issue 15, item 3; CONTRACT section 9).

Each kind of output is written under a permissive umask (0o000: nothing taken away, and
0o022, the usual default that gives 0644 files) and its mode is read back: 0600 for files,
0700 for folders the tool creates; 0640/0750 with ``RECORD_AUDIT_SHARED_GROUP`` (a team
folder), never anything for other users. A source scan keeps new writers going through
``record_audit.files``.
"""
from __future__ import annotations

import ast
import os
import sqlite3
import stat
import warnings
from pathlib import Path

import pytest

from record_audit import files
from record_audit.errors import AuditWarning

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "record_audit"
UMASKS = [0o000, 0o022]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def modes_under(folder: Path) -> dict[str, int]:
    """The mode of everything under ``folder`` (itself included), by relative path."""
    found = {".": mode(folder)}
    for path in sorted(folder.rglob("*")):
        found[path.relative_to(folder).as_posix()] = mode(path)
    return found


def assert_private(folder: Path, *, file_mode: int = 0o600, folder_mode: int = 0o700, skip_root: bool = False):
    wrong = {}
    for rel, found in modes_under(folder).items():
        if rel == "." and skip_root:
            continue
        want = folder_mode if (folder / rel).is_dir() else file_mode
        if found != want:
            wrong[rel] = f"{found:04o} (want {want:04o})"
    assert not wrong, wrong


@pytest.fixture(params=UMASKS, ids=lambda m: f"umask{m:03o}")
def permissive_umask(request, monkeypatch):
    monkeypatch.delenv(files.SHARED_GROUP_ENV, raising=False)
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


@pytest.fixture
def out(tmp_path, permissive_umask):
    """An output folder the tool creates (so its own mode is checked too)."""
    return files.make_folder(tmp_path / "out" / "nested")


# -- the primitives ------------------------------------------------------------------------------
def test_files_and_folders_are_created_owner_only(out):
    files.write_atomic(out / "a.txt", "x")
    with files.open_output(out / "b.jsonl", "a", encoding="utf-8") as fh:
        fh.write("{}\n")
    files.create_file(out / "c.sqlite")
    with files.replacing(out / "d.bin") as tmp:
        assert mode(tmp) == 0o600  # before anything is written into it
        tmp.write_bytes(b"1")  # a library writing the temporary by path truncates it: the mode stays
    files.make_folder(out / "e" / "f")
    with files.temporary_folder("record-audit-test-", out) as tmp:
        assert mode(tmp) == 0o700
    assert_private(out.parent)


def test_an_existing_output_is_given_the_mode_when_written_again(out):
    path = out / "report.html"
    path.write_text("old")
    os.chmod(path, 0o644)
    files.write_atomic(path, "new")  # replaced through a new owner-only file
    assert mode(path) == 0o600 and path.read_text() == "new"


def test_a_folder_that_exists_is_left_alone(tmp_path, permissive_umask):
    team = tmp_path / "team"
    team.mkdir(mode=0o775)
    os.chmod(team, 0o775)
    files.make_folder(team / "audit")
    assert mode(team) == 0o775 and mode(team / "audit") == 0o700


def test_a_shared_group_gives_the_group_read_access_and_others_none(tmp_path, monkeypatch):
    old = os.umask(0o077)  # a strict umask does not take the group's access away either
    try:
        files.set_shared_group(True)
        team = tmp_path / "team"
        team.mkdir()
        os.chmod(team, 0o2770)  # a set-group-ID team folder: new files take its group
        files.make_folder(team / "out" / "models")
        files.write_atomic(team / "out" / "report.html", "x")
        files.create_file(team / "out" / "audit.sqlite")
        assert mode(team / "out") & 0o777 == 0o750 and mode(team / "out" / "models") & 0o777 == 0o750
        assert mode(team / "out") & stat.S_ISGID  # kept, so files made later still get the team's group
        assert mode(team / "out" / "report.html") == 0o640 and mode(team / "out" / "audit.sqlite") == 0o640
    finally:
        files.set_shared_group(False)
        os.umask(old)


def test_the_shared_group_setting_reads_the_environment(monkeypatch):
    for value, shared in (("1", True), ("yes", True), ("0", False), ("false", False), ("", False)):
        monkeypatch.setenv(files.SHARED_GROUP_ENV, value)
        assert files.shared_group() is shared and files.file_mode() == (0o640 if shared else 0o600)


# -- the command line's outputs ------------------------------------------------------------------
def test_every_command_line_output_is_owner_only(out, write_notes, audit_notes, run_cli):
    notes = write_notes(out / "notes.csv", [("R1", "Mother failed to protect the children. FA hit her."),
                                            ("R2", "The couple argue a lot. Father was not contacted.")])
    os.chmod(notes, 0o600)  # the input is the user's own file, not an output
    db = audit_notes(notes, out / "audit.sqlite", "--report", out / "report.html")
    # the store's -wal and -shm files exist while a connection is open: check them then
    conn = sqlite3.connect(db)
    conn.execute("SELECT COUNT(*) FROM records").fetchone()
    try:
        assert Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
        assert mode(Path(f"{db}-wal")) == 0o600 and mode(Path(f"{db}-shm")) == 0o600
    finally:
        conn.close()
    for args in (["flag", notes, "--rules-only", "-o", out / "flags.jsonl"],
                 ["report", "--db", db, "-o", out / "again.html"],
                 ["summary", "--db", db, "--format", "csv", "-o", out / "summary.csv"],
                 ["summary", "--db", db, "--format", "xlsx", "-o", out / "summary.xlsx"],
                 ["summary", "--db", db, "--scope", "sample", "--format", "json", "-o", out / "sample.json"]):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"audit.sqlite", "report.html", "flags.jsonl", "again.html", "summary.csv", "summary_evidence.csv",
            "summary.xlsx", "sample.json"} <= names, names
    assert_private(out.parent)


def test_a_flag_output_is_owner_only_while_it_is_written(out, write_notes):
    from record_audit.engines import LocalEngine, write_flags
    from record_audit.io import open_notes
    from record_audit.pipeline import load_pipeline

    notes = write_notes(out / "notes.csv", [("R1", "Mother failed to protect the children.")])
    seen = []

    class Watch:
        def update(self, n=1):
            seen.append(mode(files.partial_path(out / "flags.jsonl")))

        def close(self):
            pass

    write_flags(LocalEngine(load_pipeline()), open_notes(notes), out / "flags.jsonl", progress_factory=lambda n: Watch())
    assert seen and set(seen) == {0o600}
    assert mode(out / "flags.jsonl") == 0o600


def test_a_store_that_others_can_read_is_named_in_a_warning(tmp_path):
    from record_audit.store import AuditStore

    db = tmp_path / "old.sqlite"
    AuditStore(db).close()
    os.chmod(db, 0o644)  # made by an older version
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        AuditStore(db).close()
    messages = [str(w.message) for w in caught if issubclass(w.category, AuditWarning)]
    assert len(messages) == 1 and "[W090]" in messages[0] and "0644" in messages[0] and str(db) in messages[0]
    os.chmod(db, 0o600)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        AuditStore(db).close()
    assert not [w for w in caught if issubclass(w.category, AuditWarning)]


def test_copies_of_stores_and_model_folders_are_owner_only(out, audit_notes, write_notes):
    from record_audit.resources import shipped
    from record_audit.store import copy_store

    notes = write_notes(out.parent / "notes.csv", [("R1", "Mother failed to protect the children.")])
    db = audit_notes(notes, out / "audit.sqlite")
    os.chmod(db, 0o644)
    copy = copy_store(db, out / "copy.sqlite")
    assert sqlite3.connect(copy).execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1
    os.chmod(db, 0o600)
    files.copy_folder(shipped("models"), out / "models")
    assert any((out / "models").glob("*.skops"))
    os.chmod(notes, 0o600)
    assert_private(out.parent)


def test_copying_a_missing_store_creates_nothing(tmp_path):
    from record_audit.errors import InputError
    from record_audit.store import copy_store

    with pytest.raises(InputError, match="E220"):
        copy_store(tmp_path / "missing.sqlite", tmp_path / "copy.sqlite")
    assert not list(tmp_path.iterdir())


# -- model folders, handouts, workbooks, Parquet ---------------------------------------------------
def test_model_files_adoption_and_card_log_are_owner_only(out):
    from record_audit import taxonomy
    from record_audit.model.registry import ModelRegistry
    from record_audit.model.sentence_model import SentenceModel, build_classifier

    models = files.make_folder(out / "models")
    path = SentenceModel(build_classifier("words"), (taxonomy.LABELS[0],), {taxonomy.LABELS[0]: 1.0}).save(
        models / "m-1.skops")
    files.write_atomic(path.with_suffix(".card.md"), "# card\n")
    ModelRegistry(models).adopt(path, note="test")
    assert {p.name for p in models.iterdir()} >= {"m-1.skops", "m-1.json", "m-1.card.md", "current.json"}
    assert_private(out.parent)


def test_handouts_and_dashboard_exports_are_owner_only(out):
    from record_audit.gallery import Example
    from record_audit.report.handout import write_handout
    from record_audit.report.summary import write_xlsx
    from record_audit.store.review import FlagKey

    key = FlagKey("R1", "R1-1", 0, "failure_to_protect", 0, 6, "lexicon")
    example = Example(key=key, label="failure_to_protect", source="lexicon", decision="accept", teaching=False,
                      note_type=None, before="", sentence="[Name A] failed to protect.", highlight=(9, 26),
                      after="", explanation="e", definition="d", guidance="g")
    paths = write_handout([example], out / "handouts", title="Failure to protect")
    assert len(paths) == 2
    write_xlsx(out / "workbook.xlsx", {"records": [{"record_id": "R1"}]})
    assert_private(out.parent)


def test_parquet_staging_results_and_regroup_folders_are_owner_only(out, monkeypatch):
    from record_audit.engines import partitions
    from record_audit.engines.parquet import write_manifest, write_partition
    from record_audit.io import Note

    notes = [Note(record_id=f"R{i % 3}", note_id=f"N{i}", text="Mother failed to protect.") for i in range(9)]
    partitions.stage_notes(notes, out / "stage", 2)
    write_partition(out / "results", 0, [], {})
    write_manifest(out / "results", {"status": "running"})
    assert list((out / "stage").glob("*.parquet")) and list((out / "results").rglob("*.parquet"))
    assert_private(out.parent)

    # the regroup folder: scattered records are staged in a temporary folder of the tool's own
    seen = []
    real = partitions.stage_notes

    def stage(notes, folder, n, **kw):
        staged = real(notes, folder, n, **kw)
        seen.append(modes_under(Path(folder)))
        return staged

    monkeypatch.setattr(partitions, "stage_notes", stage)
    monkeypatch.setattr(partitions, "REGROUP_PENDING_NOTES", 1)
    scattered = [Note(record_id=f"R{i % 4}", note_id=f"N{i}", text="x") for i in range(12)]
    counts = {f"R{r}": 3 for r in range(4)}
    assert len(list(partitions.regrouped(scattered, counts, set()))) == 12
    assert seen and set(seen[0].values()) <= {0o600, 0o700} and seen[0]["."] == 0o700


# -- no writer goes around files.py ------------------------------------------------------------------
# raw ways to create a file or folder; each must go through record_audit.files instead
RAW_CREATORS = {"mkdir", "makedirs", "write_text", "write_bytes", "mkdtemp", "mkstemp", "TemporaryDirectory",
                "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile", "copyfile", "copytree", "copy2"}
# calls allowed per module: files.py is the one place; the store connects to a file it created first;
# rules_doc writes the repository's rules catalogue (docs/rules.md: rule files, no case data), readable by all
ALLOWED = {"files.py": 99, "store/db.py": 3, "rules_doc.py": 1}


def raw_writers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name == "open":
                how = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "mode"), None)
                raw = isinstance(how, ast.Constant) and any(c in str(how.value) for c in "wax+")
            else:
                raw = (name in RAW_CREATORS or (owner == "shutil" and name == "copy")
                       or (owner == "sqlite3" and name == "connect"))
            if raw:
                found.setdefault(rel, []).append(f"line {node.lineno}: {name}")
    return found


def test_no_output_is_created_around_files_py():
    over = {rel: calls for rel, calls in raw_writers().items() if len(calls) > ALLOWED.get(rel, 0)}
    assert not over, ("files or folders created without record_audit.files (use write_atomic, replacing, "
                      f"open_output, create_file, make_folder, temporary_folder, copy_file): {over}")


def test_the_readme_documents_the_shared_group_option():
    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "--shared-group" in readme and files.SHARED_GROUP_ENV in readme and "0600" in readme


def test_the_shared_group_option_of_the_command_line(out, audit_notes, write_notes, run_cli, monkeypatch):
    notes = write_notes(out.parent / "notes.csv", [("R1", "Mother failed to protect the children.")])
    db = audit_notes(notes, out / "audit.sqlite")
    monkeypatch.setenv(files.SHARED_GROUP_ENV, "")  # restored after the test: the option sets it for workers
    result = run_cli("--shared-group", "report", "--db", db, "-o", out / "team.html")
    assert result.exit_code == 0, result.output
    assert mode(out / "team.html") == 0o640 and mode(db) == 0o600
