"""The ``record-audit`` command line (CONTRACT sections 3-8): a thin layer over the library."""
from __future__ import annotations

import json
import shutil
import sys
import time
import traceback
import warnings
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

import click

from . import __version__
from .errors import AuditWarning, Errors, InputError, skipped_summary


class BadInput(click.ClickException):
    """Bad input or usage: one line on stderr, exit 2 (CONTRACT section 7)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"record-audit: error: {self.format_message()}", err=True)


def _warning_printer(other):
    """Show coded warnings (``AuditWarning``) as one stderr line each; hand the others to ``other``."""
    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, AuditWarning):
            click.echo(f"record-audit: warning: {message}", err=True)
        else:
            other(message, category, filename, lineno, file, line)
    return show


def _handle_errors(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        debug = kwargs.pop("debug", False)
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _warning_printer(warnings.showwarning)
                return func(*args, **kwargs)
        except InputError as err:
            if debug:
                traceback.print_exc()
            raise BadInput(str(err)) from None
        except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - never echo an internal message: it may hold note text
            if debug:
                traceback.print_exc()
            click.echo(f"record-audit: {Errors.E036.format(kind=type(err).__name__)}", err=True)
            sys.exit(1)
    return wrapper


def common_input_options(func):
    options = [
        click.option("--columns", default=None, metavar="FIELD=COLUMN,...",
                     help="Map fields to the export's column names, e.g. record_id=CaseNo,text=NoteBody."),
        click.option("--parties", type=click.Path(dir_okay=False), default=None,
                     help="CSV record_id,name,role declaring who is who where the defaults are wrong."),
        click.option("--encoding", default=None, help="Input encoding (default: UTF-8, else Windows-1252)."),
        click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
                     help="A rules folder laid out like the shipped lexicons/ (overrides them)."),
        click.option("--rules-only", is_flag=True, help="Run without the classifier."),
        click.option("--model", "model_path", type=click.Path(dir_okay=False), default=None,
                     help="A .skops model file (default: models/current.json here, else the shipped model)."),
        click.option("--models-dir", type=click.Path(file_okay=False), default=None,
                     help="A models folder: use the model its current.json names (default: "
                          "$RECORD_AUDIT_MODELS, else ./models, else the shipped models)."),
        click.option("--assume-dv", is_flag=True, help="Treat every record as a DV record (skip the DV gate)."),
        click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 10_000),
                     help="Notes per spaCy batch (and per worker chunk)."),
        click.option("--n-process", default=1, show_default=True, type=click.IntRange(1, 64),
                     help="Worker processes; each loads the pipeline once and sends back flags."),
        click.option("--debug", is_flag=True, help="Show tracebacks."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group()
@click.version_option(__version__, prog_name="record-audit")
@click.option("--shared-group", is_flag=True, envvar="RECORD_AUDIT_SHARED_GROUP",
              help="Make the files written readable by their group (0640, folders 0750) for a team "
                   "folder; by default they are owner-only (0600, folders 0700). "
                   "Also: RECORD_AUDIT_SHARED_GROUP=1.")
def main(shared_group: bool = False) -> None:
    """Audit child-welfare case records for survivor-blaming language in DV cases.

    Flags are an aid to an auditor's judgement, never a verdict on a family or a worker.
    Every file it writes holds case-note text and is owner-only unless --shared-group.
    """
    if shared_group:
        from .files import set_shared_group
        set_shared_group(True)  # in the environment, so worker processes write alike


def _progress(total: int, desc: str):
    """A bar with rate and ETA on a terminal; a line every 30 s into a log (stderr redirected)."""
    if not getattr(sys.stderr, "isatty", lambda: False)():
        return LogProgress(total, desc)
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="note", file=sys.stderr, leave=False)


@contextmanager
def _loading(runner, stream=None):
    """A status line while the pipeline loads (several seconds): on a terminal only, never in a log."""
    stream = stream if stream is not None else sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield
        return
    what = ("starting the worker processes (each loads the language model, rules and classifier)"
            if getattr(runner, "n_process", 1) > 1 else "loading the language model, rules and classifier")
    stream.write(f"record-audit: {what}…")
    stream.flush()
    try:
        yield
    finally:
        stream.write("\r\033[K")  # the line is cleared: the progress bar takes its place
        stream.flush()


def _hms(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class LogProgress:
    """Progress for long runs whose stderr goes to a log: notes done, rate and ETA.

    A line at most every ``interval`` seconds (none for a short run), never note text.
    """

    def __init__(self, total: int, desc: str, *, interval: float = 30.0, clock=time.monotonic, file=None) -> None:
        self.total, self.desc, self.interval, self.clock = total, desc, interval, clock
        self.file = file if file is not None else sys.stderr
        self.n = 0
        self.start = self.last = clock()

    def update(self, n: int = 1) -> None:
        self.n += n
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            self.file.write(self.line(now) + "\n")
            self.file.flush()

    def line(self, now: float) -> str:
        elapsed = now - self.start
        rate = self.n / elapsed if elapsed > 0 else 0.0
        eta = _hms((self.total - self.n) / rate) if rate > 0 else "unknown"
        share = f" ({100 * self.n / self.total:.0f}%)" if self.total else ""
        return (f"record-audit {self.desc}: {self.n:,} of {self.total:,} notes{share}, {rate:,.1f} notes/s, "
                f"elapsed {_hms(elapsed)}, ETA {eta}")

    def close(self) -> None:
        pass

    def __enter__(self) -> "LogProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def engine_options(func):
    options = [
        click.option("--engine", type=click.Choice(["processes", "dask"]), default="processes", show_default=True,
                     help="processes: this machine, --n-process worker processes. dask: a Dask cluster, local "
                          "(--n-process workers) or remote (--scheduler)."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="With --engine dask: a running scheduler (tcp://host:8786) instead of a local cluster. "
                          "Its workers must see the input's staged partitions and the output at the same paths."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _open(input_path, columns, parties, encoding, rules_only=False, model_path=None, models_dir=None):
    """The notes, the declared parties and the model of a run; bad input is refused before anything slow loads."""
    from .io import open_notes, read_parties
    from .model.registry import choose_model
    source = open_notes(input_path, columns=columns, encoding=encoding)
    party_map = read_parties(parties, stats=source.stats) if parties else None
    return source, party_map, choose_model(rules_only=rules_only, model=model_path, models_dir=models_dir)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path())
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Write JSON Lines here (via OUT.partial; a rerun continues it). Default: stdout. "
                   "With --engine dask, a name not ending in .jsonl is a folder of Parquet results "
                   "(for `audit --from-flags`).")
@click.option("--all-sentences", is_flag=True, help="Write every sentence, flagged or not.")
@common_input_options
@engine_options
@_handle_errors
def flag(input_path, output, all_sentences, columns, parties, encoding, rules_dir, rules_only, model_path,
         models_dir, assume_dv, batch_size, n_process, engine, scheduler):
    """Flag survivor-blaming language, one JSON line per flagged sentence.

    Example: record-audit flag notes.csv --columns record_id=CaseNo,text=NoteBody -o flags.jsonl

    On a Dask cluster, as Parquet results an audit store can load:
    record-audit flag notes.csv --engine dask --n-process 2 -o results/ ;
    record-audit audit --from-flags results/ --db audit.sqlite
    """
    from .engines import engine_for, write_flags

    if engine == "dask" and scheduler and not output:
        raise InputError(Errors.E031)
    source, party_map, model = _open(input_path, columns, parties, encoding, rules_only, model_path, models_dir)
    runner = engine_for(engine, n_process=n_process, scheduler=scheduler,
                        work_dir=Path(output).resolve().parent if output else None, rules_dir=rules_dir,
                        model_path=model, assume_dv=assume_dv, batch_size=batch_size)
    with _loading(runner):
        runner.prepare()
    if engine == "dask" and output and not output.lower().endswith(".jsonl"):
        totals = runner.write_results(source, output, parties=party_map,
                                      progress_factory=lambda total: _progress(total, "flag"))
        click.echo(f"record-audit flag: {totals['records']} record(s), {totals['dv']} with DV, "
                   f"{totals['flagged_sentences']} flagged sentence(s), {totals['gated']} non-DV record(s) with "
                   f"cues withheld, {skipped_summary(source.stats.skipped_counts())}; Parquet results in {output} "
                   f"(record-audit audit --from-flags {output} --db AUDIT.sqlite)", err=True)
        return
    done = write_flags(runner, source, output, parties=party_map, all_sentences=all_sentences,
                       progress_factory=lambda total: _progress(total, "flag"))
    click.echo(f"record-audit flag: {done.records} record(s), {done.dv} with DV, {done.lines} line(s) written, "
               f"{done.gated} non-DV record(s) with cues withheld, {skipped_summary(source.stats.skipped_counts())}"
               + (f"; output in {output}" if output else ""), err=True)


@main.command()
@click.argument("annotated", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--by", "group_by", type=click.Choice(["register", "jurisdiction"]), default=None,
              help="Also score the records of each register (or jurisdiction) apart.")
@common_input_options
@_handle_errors
def evaluate(annotated, fmt, group_by, columns, parties, encoding, rules_dir, rules_only, model_path, models_dir,
             assume_dv, batch_size, n_process):
    """Score the pipeline against an annotated-records file (CONTRACT section 6).

    Sentence labels (counted and detection), context accuracy, and record levels
    against gold_level.

    Example: record-audit evaluate data/corpus/dev.jsonl --by register
    """
    from .continuum import Rubric
    from .engines import engine_for, run
    from .indicators import compute_indicators
    from .io import is_annotated, read_annotated
    from .model.evaluate import evaluate as run_evaluation
    from .model.evaluate import format_report

    if not Path(annotated).exists():
        raise InputError(Errors.E003.format(path=annotated))
    if not (Path(annotated).is_file() and is_annotated(annotated)):
        raise InputError(Errors.E026.format(path=annotated))
    source, party_map, model = _open(annotated, columns, parties, encoding, rules_only, model_path, models_dir)
    runner = engine_for(n_process=n_process, rules_dir=rules_dir, model_path=model, assume_dv=assume_dv,
                        batch_size=batch_size)
    with _loading(runner):
        runner.prepare()
    results = list(run(runner, source, parties=party_map,
                       progress_factory=lambda total: _progress(total, "evaluate")))
    rubric = Rubric.load(rules_dir)
    report = run_evaluation(read_annotated(Path(annotated)), results,
                            place=lambda r: rubric.place(r.record_id, compute_indicators(r)).level, by=group_by)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(format_report(report))


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(), required=False)
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
              help="The audit store (SQLite), created if missing.")
@click.option("--from-flags", "from_flags", type=click.Path(file_okay=False), default=None,
              help="Instead of INPUT: load the Parquet results of `flag --engine dask -o DIR`.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the HTML QA report here.")
@click.option("--sample", type=click.IntRange(1), default=None, help="Audit a random sample of N records.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option("--stratify", type=click.Choice(["team"]), default=None, help="Draw the sample per team.")
@common_input_options
@engine_options
@_handle_errors
def audit(input_path, db_path, from_flags, report_path, sample, seed, stratify, columns, parties, encoding,
          rules_dir, rules_only, model_path, models_dir, assume_dv, batch_size, n_process, engine, scheduler):
    """Audit records into an SQLite store: flags, indicators and continuum placements.

    Running it again adds nothing twice; an interrupted run, started again, continues
    where it stopped. Review decisions already stored are never touched.

    Example: record-audit audit notes.csv --db audit.sqlite --sample 50 --seed 7 --stratify team --report report.html

    On a Dask cluster: record-audit audit notes.csv --db audit.sqlite --engine dask --n-process 2
    (the staged partitions go beside the store, which a remote cluster's workers must share).
    """
    from .audit import load_results, run_audit
    from .continuum import Rubric
    from .engines import engine_for
    from .store import AuditStore

    if scheduler and engine != "dask":
        raise InputError(Errors.E030)
    if (input_path is None) == (from_flags is None):
        raise InputError(Errors.E032)
    rubric = Rubric.load(rules_dir)
    if from_flags:
        if sample:
            raise InputError(Errors.E033)
        from .engines.parquet import ResultsFolder
        results = ResultsFolder(from_flags)
        with AuditStore(db_path) as store:
            outcome = load_results(results, store, rubric=rubric,
                                   progress_factory=lambda total: _progress(total, "audit"))
    else:
        source, party_map, model = _open(input_path, columns, parties, encoding, rules_only, model_path,
                                         models_dir)
        runner = engine_for(engine, n_process=n_process, scheduler=scheduler, work_dir=Path(db_path).resolve().parent,
                            rules_dir=rules_dir, model_path=model, assume_dv=assume_dv, batch_size=batch_size)
        with _loading(runner):
            runner.prepare()
        with AuditStore(db_path) as store:
            outcome = run_audit(source, runner, store, rubric=rubric, parties=party_map, sample=sample, seed=seed,
                                stratify=stratify == "team",
                                progress_factory=lambda total: _progress(total, "audit"))
    if report_path:
        with AuditStore(db_path) as store:
            from .report.html import write_report
            write_report(store, rubric, report_path)
    click.echo(f"record-audit audit: {outcome.records_audited} record(s) audited, {outcome.records_skipped} "
               f"already up to date, {outcome.flags} flag(s), {skipped_summary(outcome.skipped_as)}; "
               f"store {db_path}" + (f"; report {report_path}" if report_path else ""), err=True)


@main.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=False, dir_okay=False))
@click.option("--scope", type=click.Choice(["record", "sample"]), default="record", show_default=True)
@click.option("--by", type=click.Choice(["team", "worker"]), default=None, help="Aggregate by team or worker.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default=None,
              help="table (readable; the default on a terminal), json (the default otherwise), csv or xlsx.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write here (default stdout).")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None)
@click.option("--debug", is_flag=True)
@_handle_errors
def summary(db_path, scope, by, fmt, output, rules_dir):
    """Summarize an audit: per record, for the sample, or by team or worker.

    On a terminal it prints readable tables; piped or with -o it writes JSON unless
    --format says otherwise. CSV writes evidence to OUT_evidence.csv beside OUT; XLSX is the
    QA workbook (sheets records, indicators, by_team, by_worker, evidence) and needs -o.

    Example: record-audit summary --db audit.sqlite --scope sample
    """
    from .continuum import Rubric
    from .files import write_atomic
    from .report import summary as S
    from .store import AuditStore

    _require_store(db_path)
    rubric = Rubric.load(rules_dir)
    terminal = output is None and sys.stdout.isatty()
    fmt = fmt or ("table" if terminal else "json")  # CONTRACT §5: json unless a person reads it
    with AuditStore(db_path) as store:
        if fmt == "table":
            data = S.summarize(store, rubric, scope=scope, by=by)
            width = shutil.get_terminal_size().columns if terminal else 120
            text = S.render_table(data, by=by, width=width, color=terminal)
            if output:
                write_atomic(output, text)
            else:
                click.echo(text, nl=False)
        elif fmt == "xlsx":
            if not output:
                raise InputError(Errors.E034)
            S.write_workbook(Path(output), store, rubric)
        else:
            data = S.summarize(store, rubric, scope=scope, by=by)
            text = S.render(data, fmt)
            if output:
                write_atomic(output, text)
                if fmt == "csv" and scope == "record" and not by:
                    evidence = S.to_csv(S.tables(store, rubric)["evidence"])
                    out = Path(output)
                    write_atomic(out.with_name(out.stem + "_evidence.csv"), evidence)
            else:
                click.echo(text, nl=False)


@main.command()
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None)
@click.option("--debug", is_flag=True)
@_handle_errors
def report(db_path, output, rules_dir):
    """Write the self-contained HTML QA report of an audit store.

    Example: record-audit report --db audit.sqlite -o report.html
    """
    from .continuum import Rubric
    from .report.html import write_report
    from .store import AuditStore

    _require_store(db_path)
    with AuditStore(db_path) as store:
        write_report(store, Rubric.load(rules_dir), output)
    click.echo(f"record-audit report: {output}", err=True)


@main.command()
@click.argument("annotated", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--dev", "dev_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Annotated dev records: the designs are compared and scored on them.")
@click.option("--models-dir", type=click.Path(file_okay=False), default="models", show_default=True)
@click.option("--db", "--reviews", "review_dbs", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Audit store(s) whose standing review decisions are added to the training data "
                   "(CONTRACT §8 spells it --db; --reviews is the same).")
@click.option("--design", type=click.Choice(["auto", "words", "wordchars", "full", "dense", "wordchars_dense"]),
              default="auto", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--precision-margin", type=float, default=None,
              help="How far above the rules' out-of-fold precision a label's fused precision must stay "
                   "(default 0.015; lower adds more classifier flags).")
@click.option("--precision-floor", type=float, default=None,
              help="The out-of-fold precision the flags the classifier adds must reach for a label "
                   "(default 0.9; lower adds more classifier flags).")
@click.option("--adopt", is_flag=True, help="Point models-dir/current.json at the new model.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None)
@click.option("--debug", is_flag=True)
@_handle_errors
def train(annotated, dev_file, review_dbs, models_dir, design, seed, precision_margin, precision_floor, adopt,
          rules_dir):
    """Train the sentence classifier and write its .skops file and model card.

    Example: record-audit train data/samples/annotated.jsonl data/corpus/train.jsonl --dev data/corpus/dev.jsonl --reviews audit.sqlite --adopt
    """
    from .model.train import PRECISION_FLOOR, PRECISION_MARGIN, train_model
    from .model.train import adopt as adopt_model

    from .store.review import ReviewStore

    extra = []
    for db in review_dbs:
        reviews = ReviewStore(db)
        try:
            rows = reviews.training_rows()
        finally:
            reviews.close()
        click.echo(f"record-audit train: {len(rows)} reviewed sentences from {db}", err=True)
        extra.extend(rows)
    out = train_model([Path(a) for a in annotated], dev_file=Path(dev_file) if dev_file else None,
                      models_dir=Path(models_dir), design=design, seed=seed, rules_dir=rules_dir,
                      extra=extra, log=lambda m: click.echo(m, err=True),
                      precision_margin=PRECISION_MARGIN if precision_margin is None else precision_margin,
                      precision_floor=PRECISION_FLOOR if precision_floor is None else precision_floor)
    click.echo(f"record-audit train: design {out['design']}, model {out['path']}, card {out['card']}", err=True)
    if adopt:
        current = adopt_model(Path(models_dir), out["path"])
        click.echo(f"record-audit train: adopted ({current})", err=True)


@main.group()
def models() -> None:
    """List the models of a models folder, adopt one, or roll back to the one before.

    The folder is --models-dir, else $RECORD_AUDIT_MODELS, else ./models. `flag`, `audit` and
    `evaluate` use the model its current.json names (give them the same --models-dir).

    Example: record-audit models list --models-dir out/models
    """


def _registry(models_dir: str | None, *, read_only: bool = False):
    from .model.registry import ModelRegistry, models_folder
    return ModelRegistry(models_folder(models_dir, read_only=read_only))


_models_dir_option = click.option("--models-dir", type=click.Path(file_okay=False), default=None,
                                  help="The models folder (default: $RECORD_AUDIT_MODELS, else ./models).")


@models.command("list")
@_models_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--debug", is_flag=True)
@_handle_errors
def models_list(models_dir, fmt):
    """List the models with their key figures; the current one is marked with *.

    Example: record-audit models list --models-dir out/models
    """
    registry = _registry(models_dir, read_only=True)
    rows = registry.table()
    if fmt == "json":
        click.echo(json.dumps({"models_dir": str(registry.path), "history": registry.history(), "models": rows},
                              indent=2))
        return
    if not rows:
        click.echo(f"{registry.path}: no models")
    for row in rows:
        dev = f"{row['dev_macro_f1']:.3f}" if row["dev_macro_f1"] is not None else "-"
        mark = "*" if row["current"] else ("a" if row["adopted"] else " ")
        click.echo(f"{mark} {row['file']}  design {row['design'] or '-'}  sentences {row['n_train_sentences'] or '-'}"
                   f" (reviewed {row['n_reviewed']})  dev macro-F1 {dev}")


@models.command("adopt")
@click.argument("model")
@_models_dir_option
@click.option("--note", default=None, help="Why it is adopted; logged in the model card (no case data).")
@click.option("--debug", is_flag=True)
@_handle_errors
def models_adopt(model, models_dir, note):
    """Adopt MODEL (a .skops file of the folder, by name or path); the previous one is kept.

    Example: record-audit models adopt record-audit-clf-1a2b3c4d-r5e6f7a8b-words-s0.skops --models-dir out/models
    """
    registry = _registry(models_dir)
    path = registry.adopt(model, note=note)
    click.echo(f"record-audit models: adopted {path.name} in {registry.path}", err=True)


@models.command("rollback")
@_models_dir_option
@click.option("--note", default=None, help="Why; logged in the model card (no case data).")
@click.option("--debug", is_flag=True)
@_handle_errors
def models_rollback(models_dir, note):
    """Go back to the model adopted before the current one.

    Example: record-audit models rollback --models-dir out/models
    """
    registry = _registry(models_dir)
    path = registry.rollback(note=note)
    click.echo(f"record-audit models: rolled back to {path.name} in {registry.path}", err=True)


@main.group()
def review() -> None:
    """Review the flags of an audit store: serve the review app, export every decision.

    Example: record-audit review serve --db audit.sqlite
    """


@review.command("export")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="The audit store.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "jsonl"]), default="csv", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--debug", is_flag=True)
@_handle_errors
def review_export(db_path, fmt, output):
    """Write every review decision event to a CSV, XLSX or JSON Lines file.

    One row per event, undo events included: reviewer, time, record, note, the sentence's
    text, the flag (label and its plain name, source, rule), decision, reason, new label,
    comment and teaching mark. The file holds case-note text: keep it where case data may
    be kept.

    Example: record-audit review export --db audit.sqlite --format xlsx -o decisions.xlsx
    """
    from .exports import write_decisions
    from .store.review import ReviewStore

    _require_store(db_path)
    review_store = ReviewStore(db_path)
    try:
        path = write_decisions(review_store, output, fmt)
        events = len(review_store.events())
    finally:
        review_store.close()
    click.echo(f"record-audit review export: {events} decision event(s) written to {path}", err=True)


@review.command("serve")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="The audit store to review.")
@click.option("--port", default=8867, show_default=True, type=click.IntRange(1, 65535), help="Port on 127.0.0.1.")
@click.option("--reviewer", default=None, help="Fill in the reviewer's name (otherwise typed in the app).")
@click.option("--debug", is_flag=True)
@_handle_errors
def review_serve(db_path, port, reviewer):
    """Serve the review queue as an app on 127.0.0.1, behind a random token, until Ctrl-C.

    Open the URL it prints (it carries the token; a request without it is refused). One key
    per decision: a accept, r and a number reject, l relabel, m add a missed flag, s skip,
    left/right your own decisions, z undo, c comment, t teaching mark, ? the keys. Downloads
    (QA report, workbook, decisions) are saved by the browser, not on the server.

    Example: record-audit review serve --db audit.sqlite --port 8867
    """
    from .app import serve

    _require_store(db_path)
    click.echo(f"record-audit review: serving {db_path} on 127.0.0.1:{port}; open the URL with its token "
               "printed below (Ctrl-C stops it)", err=True)
    serve("review", db=db_path, port=port, reviewer=reviewer)


@main.group()
def rules() -> None:
    """Rule suggestions from QA review decisions: list them, accept (or edit) them, reject them.

    Accepted rules are written to an overlay rules folder (--rules-dir DIR, laid out like
    lexicons/, with each rule's provenance); `flag`, `audit` and `evaluate` use them with
    --rules DIR. Nothing is applied silently.

    Example: record-audit rules suggest --db out/audit.sqlite --rules-dir out/rules
    """


_db_option = click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
                          help="The audit store with the review decisions.")
_rules_dir_option = click.option("--rules-dir", "rules_dir", required=True, type=click.Path(file_okay=False),
                                 help="The overlay folder accepted rules are written to.")


def _suggestions(db_path: str, rules_dir: str, *, with_impact: bool):
    """(review store, suggestions not yet accepted or rejected)."""
    from .adapt.overlay import decided_suggestions, overlay_rules
    from .adapt.suggest import suggest
    from .store.review import ReviewStore

    _require_store(db_path)
    review = ReviewStore(db_path)
    found = suggest(review, rules=overlay_rules(rules_dir), with_impact=with_impact,
                    skip_ids=decided_suggestions(review))
    return review, found


def _pick(found, ids):
    by_id = {s.id: s for s in found}
    for sid in ids:
        if sid not in by_id:
            raise InputError(Errors.E278.format(suggestion_id=sid, known=", ".join(by_id) or "none"))
    return [by_id[sid] for sid in ids]


@rules.command("suggest")
@_db_option
@_rules_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-impact", is_flag=True, help="Skip counting what each would change on the store's records.")
@click.option("--debug", is_flag=True)
@_handle_errors
def rules_suggest(db_path, rules_dir, fmt, no_impact):
    """List rule suggestions from the store's review decisions, with what each would change.

    Example: record-audit rules suggest --db out/audit.sqlite --rules-dir out/rules --format json
    """
    review, found = _suggestions(db_path, rules_dir, with_impact=not no_impact)
    review.close()
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no suggestions: review more records, or every suggestion was accepted or rejected")
    for s in found:
        change = ", ".join(f"{label} +{c['gained']} -{c['lost']}" for label, c in (s.impact or {}).items()) or "none"
        click.echo(f"{s.id}  {s.kind:<8} {s.label:<26} {s.words}  (covers {s.support} reviewed sentence(s); "
                   f"would change: {change}; -> {s.file})")


@rules.command("accept")
@click.argument("suggestion_ids", nargs=-1, required=True)
@_db_option
@_rules_dir_option
@click.option("--analyst", required=True, help="Who accepts (kept in the rule's provenance).")
@click.option("--edit", "edit_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A YAML file with the edited entry (one suggestion only).")
@click.option("--comment", default=None, help="Why (kept in the provenance; no case data).")
@click.option("--debug", is_flag=True)
@_handle_errors
def rules_accept(suggestion_ids, db_path, rules_dir, analyst, edit_file, comment):
    """Accept suggestions: their examples must pass, then they are written to the overlay folder.

    Example: record-audit rules accept sug_1a2b3c4d --db out/audit.sqlite --rules-dir out/rules --analyst ana
    """
    from .adapt.overlay import accept, parse_entry

    if edit_file and len(suggestion_ids) != 1:
        raise InputError(Errors.E275.format(reason="--edit applies to one suggestion at a time"))
    review, found = _suggestions(db_path, rules_dir, with_impact=False)
    try:
        for s in _pick(found, suggestion_ids):
            entry = parse_entry(Path(edit_file).read_text(encoding="utf-8"), s.kind) if edit_file else None
            path = accept(review, s, rules_dir, analyst, entry=entry, comment=comment)
            click.echo(f"record-audit rules: accepted {s.id} into {path}; use it with --rules {rules_dir}", err=True)
    finally:
        review.close()


@rules.command("reject")
@click.argument("suggestion_ids", nargs=-1, required=True)
@_db_option
@_rules_dir_option
@click.option("--analyst", required=True, help="Who rejects.")
@click.option("--comment", default=None, help="Why (no case data).")
@click.option("--debug", is_flag=True)
@_handle_errors
def rules_reject(suggestion_ids, db_path, rules_dir, analyst, comment):
    """Reject suggestions: logged in the store, never suggested again.

    Example: record-audit rules reject sug_1a2b3c4d --db out/audit.sqlite --rules-dir out/rules --analyst ana
    """
    from .adapt.overlay import reject

    review, found = _suggestions(db_path, rules_dir, with_impact=False)
    try:
        for s in _pick(found, suggestion_ids):
            reject(review, s, analyst, comment=comment)
            click.echo(f"record-audit rules: rejected {s.id}", err=True)
    finally:
        review.close()


def _require_store(db_path: str) -> None:
    if not Path(db_path).is_file():
        raise InputError(Errors.E035.format(path=db_path))


if __name__ == "__main__":
    main()
