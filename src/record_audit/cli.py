"""The ``record-audit`` command line (CONTRACT sections 3-8): a thin layer over the library."""
from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from functools import wraps
from pathlib import Path

import click

from . import __version__
from .errors import InputError

log = logging.getLogger("record_audit")


class BadInput(click.ClickException):
    """Bad input or usage: one line on stderr, exit 2 (CONTRACT section 7)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"record-audit: error: {self.format_message()}", err=True)


def _handle_errors(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        debug = kwargs.pop("debug", False)
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                            format="record-audit: warning: %(message)s", force=True)
        try:
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
            click.echo(f"record-audit: internal error ({type(err).__name__}). Run again with --debug "
                       "for the traceback, and report it without case data.", err=True)
            sys.exit(1)
    return wrapper


def _remember_models_dir(ctx: click.Context, _param, value):
    ctx.meta["record_audit.models_dir"] = value
    return value


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
        # kept out of the commands' signatures: only _model_for reads it, from the click context
        click.option("--models-dir", type=click.Path(file_okay=False), default=None, expose_value=False,
                     callback=_remember_models_dir,
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
def main() -> None:
    """Audit child-welfare case records for survivor-blaming language in DV cases.

    Flags are an aid to an auditor's judgement, never a verdict on a family or a worker.
    """


def _progress(total: int, desc: str):
    """A bar with rate and ETA on a terminal; a line every 30 s into a log (stderr redirected)."""
    if not getattr(sys.stderr, "isatty", lambda: False)():
        return LogProgress(total, desc)
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="note", file=sys.stderr, leave=False)


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


def _check_engine(engine: str, scheduler: str | None) -> None:
    if scheduler and engine != "dask":
        raise InputError("--scheduler needs --engine dask.")


def _model_for(rules_only: bool, model_path: str | None):
    """The model a command runs with: none with --rules-only, else --model, else the adopted one
    (of --models-dir, else $RECORD_AUDIT_MODELS, else ./models, else the shipped models)."""
    from .resources import current_model
    if rules_only:
        return None
    if model_path:
        return model_path
    ctx = click.get_current_context(silent=True)
    found = current_model(ctx.meta.get("record_audit.models_dir") if ctx is not None else None)
    if found is None:
        log.warning("no classifier model found (models/current.json); running rules only")
    return found


def _prepare(input_path, columns, parties, encoding, rules_dir, rules_only=False, model_path=None, n_process=1,
             engine="processes"):
    from .io import open_notes, read_parties
    from .pipeline import load_pipeline
    from .pipeline.rules import load_rules
    # bad input is refused before anything slow is loaded
    source = open_notes(input_path, columns=columns, encoding=encoding)
    party_map = read_parties(parties, stats=source.stats) if parties else None
    model = _model_for(rules_only, model_path)
    if n_process > 1 or engine == "dask":
        load_rules(rules_dir)  # bad rule files are reported here, not in a worker
        if engine != "dask":
            from .parallel import prewarm
            prewarm(n_process, rules_dir=rules_dir, model_path=model)  # workers load while the input is read
        return source, party_map, None, model
    return source, party_map, load_pipeline(rules_dir, model=model), model


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
         assume_dv, batch_size, n_process, engine, scheduler):
    """Flag survivor-blaming language, one JSON line per flagged sentence.

    Example: record-audit flag notes.csv --columns record_id=CaseNo,text=NoteBody -o flags.jsonl

    On a Dask cluster, as Parquet results an audit store can load:
    record-audit flag notes.csv --engine dask --n-process 2 -o results/ ;
    record-audit audit --from-flags results/ --db audit.sqlite
    """
    from .flagging import default_harvester, flag_records, prescan
    from .output import PartialJsonl

    _check_engine(engine, scheduler)
    if engine == "dask" and scheduler and not output:
        raise InputError("--scheduler needs -o (a folder the workers share; the staged partitions go beside it).")
    source, party_map, nlp, model = _prepare(input_path, columns, parties, encoding, rules_dir, rules_only,
                                             model_path, n_process, engine)
    # Dask workers learn names from their partitions' notes; the driver only counts
    counts, party_map = prescan(source, None if engine == "dask" else default_harvester(rules_dir), party_map)
    if engine == "dask":
        from .engines.dask import DaskEngine
        work_dir = Path(output).resolve().parent if output else None
        dask_engine = DaskEngine(n_workers=n_process, scheduler=scheduler, work_dir=work_dir)
        if output and not output.lower().endswith(".jsonl"):
            _flag_to_parquet(dask_engine, source, output, party_map, counts, assume_dv, batch_size, rules_dir,
                             model)
            return
        flag_records = dask_engine  # noqa: F811 - the same arguments, the same records
    writer = PartialJsonl(output).open() if output else None
    done = set(writer.done) if writer else set()
    if done:
        log.warning("%s: continuing after %d complete record(s) already written", writer.partial, len(done))
    records = dv = lines = gated = 0
    total = sum(n for rid, n in counts.items() if rid not in done)
    try:
        with _progress(total, "flag") as bar:
            for record in flag_records(source, nlp, parties=party_map, assume_dv=assume_dv,
                                       batch_size=batch_size, counts=counts, skip_records=done,
                                       progress=bar, n_process=n_process, rules_dir=rules_dir, model_path=model):
                rows = list(record.sentence_rows(all_sentences=all_sentences))
                records += 1
                dv += record.dv_present
                gated += record.gated
                lines += len(rows)
                if writer:
                    writer.write_record(rows)
                else:
                    sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        if writer:
            writer.commit()
    finally:
        if writer:
            writer.close()
    skipped = len(source.stats.skipped)
    click.echo(f"record-audit flag: {records} record(s), {dv} with DV, {lines} line(s) written, "
               f"{gated} non-DV record(s) with cues withheld, {skipped} row(s) skipped"
               + (f"; output in {output}" if output else ""), err=True)


def _flag_to_parquet(dask_engine, source, output, party_map, counts, assume_dv, batch_size, rules_dir, model):
    """`flag --engine dask -o DIR`: Parquet results, resumable partition by partition."""
    from .engines.results import run_manifest
    manifest = run_manifest(source, rules_dir=rules_dir, model_version=Path(model).stem if model else None,
                            assume_dv=assume_dv)
    with _progress(sum(counts.values()), "flag") as bar:
        totals = dask_engine.write_results(source, output, manifest=manifest, parties=party_map, counts=counts,
                                           assume_dv=assume_dv, batch_size=batch_size, progress=bar,
                                           rules_dir=rules_dir, model_path=model)
    click.echo(f"record-audit flag: {totals['records']} record(s), {totals['dv']} with DV, "
               f"{totals['flagged_sentences']} flagged sentence(s), {totals['gated']} non-DV record(s) with cues "
               f"withheld, {len(source.stats.skipped)} row(s) skipped; Parquet results in {output} "
               f"(record-audit audit --from-flags {output} --db AUDIT.sqlite)", err=True)


@main.command()
@click.argument("annotated", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--by", "group_by", type=click.Choice(["register", "jurisdiction"]), default=None,
              help="Also score the records of each register (or jurisdiction) apart.")
@common_input_options
@_handle_errors
def evaluate(annotated, fmt, group_by, columns, parties, encoding, rules_dir, rules_only, model_path, assume_dv, batch_size,
             n_process):
    """Score the pipeline against an annotated-records file (CONTRACT section 6).

    Sentence labels (counted and detection), context accuracy, and record levels
    against gold_level.

    Example: record-audit evaluate data/corpus/dev.jsonl --by register
    """
    from .errors import Errors
    from .flagging import flag_records
    from .io import read_annotated
    from .model.evaluate import evaluate as run_evaluation
    from .model.evaluate import format_report

    from .io import is_annotated
    if not Path(annotated).exists():
        raise InputError(Errors.E003.format(path=annotated))
    if not (Path(annotated).is_file() and is_annotated(annotated)):
        raise InputError(Errors.E026.format(path=annotated))
    source, party_map, nlp, model = _prepare(annotated, columns, parties, encoding, rules_dir, rules_only,
                                             model_path, n_process)
    with _progress(sum(1 for _ in source), "evaluate") as bar:
        results = list(flag_records(source, nlp, parties=party_map, assume_dv=assume_dv,
                                    batch_size=batch_size, progress=bar, n_process=n_process,
                                    rules_dir=rules_dir, model_path=model))
    from .continuum import Rubric
    from .indicators import compute_indicators
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
          rules_dir, rules_only, model_path, assume_dv, batch_size, n_process, engine, scheduler):
    """Audit records into an SQLite store: flags, indicators and continuum placements.

    Running it again adds nothing twice; an interrupted run, started again, continues
    where it stopped. Review decisions already stored are never touched.

    Example: record-audit audit notes.csv --db audit.sqlite --sample 50 --seed 7 --stratify team --report report.html

    On a Dask cluster: record-audit audit notes.csv --db audit.sqlite --engine dask --n-process 2
    (the staged partitions go beside the store, which a remote cluster's workers must share).
    """
    from .audit import load_results, run_audit
    from .continuum import Rubric
    from .resources import rules_dir as resolve_rules
    from .store import AuditStore

    _check_engine(engine, scheduler)
    if (input_path is None) == (from_flags is None):
        raise InputError("give INPUT to audit, or --from-flags DIR to load the results of "
                         "`flag --engine dask -o DIR` (not both).")
    rubric = Rubric.load(rules_dir)
    if from_flags:
        if sample:
            raise InputError("--sample applies to INPUT; --from-flags loads every record of the results folder.")
        from .engines.results import ResultsFolder
        results = ResultsFolder(from_flags)
        with AuditStore(db_path) as store:
            outcome = load_results(results, store, rubric=rubric,
                                   progress_factory=lambda total: _progress(total, "audit"))
    else:
        source, party_map, nlp, model = _prepare(input_path, columns, parties, encoding, rules_dir, rules_only,
                                                 model_path, n_process, engine)
        dask_engine = None
        if engine == "dask":
            from .engines.dask import DaskEngine
            dask_engine = DaskEngine(n_workers=n_process, scheduler=scheduler,
                                     work_dir=Path(db_path).resolve().parent)
        with AuditStore(db_path) as store:
            outcome = run_audit(source, nlp, store, rubric=rubric, rules_root=resolve_rules(rules_dir),
                                parties=party_map, assume_dv=assume_dv, batch_size=batch_size, sample=sample,
                                seed=seed, stratify=stratify == "team",
                                model_version=Path(model).stem if model else None, n_process=n_process,
                                model_path=model, rules_dir=rules_dir, engine=dask_engine,
                                progress_factory=lambda total: _progress(total, "audit"))
    if report_path:
        with AuditStore(db_path) as store:
            from .report.html import write_report
            write_report(store, rubric, report_path)
    click.echo(f"record-audit audit: {outcome.records_audited} record(s) audited, {outcome.records_skipped} "
               f"already up to date, {outcome.flags} flag(s), {outcome.rows_skipped} row(s) skipped; "
               f"store {db_path}" + (f"; report {report_path}" if report_path else ""), err=True)


@main.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=False, dir_okay=False))
@click.option("--scope", type=click.Choice(["record", "sample"]), default="record", show_default=True)
@click.option("--by", type=click.Choice(["team", "worker"]), default=None, help="Aggregate by team or worker.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write here (default stdout).")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None)
@click.option("--debug", is_flag=True)
@_handle_errors
def summary(db_path, scope, by, fmt, output, rules_dir):
    """Summarize an audit: per record, for the sample, or by team or worker.

    CSV writes evidence to OUT_evidence.csv beside OUT; XLSX has one sheet per view
    (records, indicators, by_team, by_worker, evidence) and needs -o.

    Example: record-audit summary --db audit.sqlite --scope sample
    """
    from .continuum import Rubric
    from .report import summary as S
    from .store import AuditStore

    _require_store(db_path)
    rubric = Rubric.load(rules_dir)
    with AuditStore(db_path) as store:
        if fmt == "xlsx":
            if not output:
                raise InputError("--format xlsx needs -o FILE.xlsx (a workbook cannot go to stdout).")
            S.write_xlsx(Path(output), S.tables(store, rubric))
        else:
            data = S.summarize(store, rubric, scope=scope, by=by)
            text = S.render(data, fmt)
            if output:
                S.write_atomic(Path(output), text.encode("utf-8"))
                if fmt == "csv" and scope == "record" and not by:
                    evidence = S.to_csv(S.tables(store, rubric)["evidence"])
                    out = Path(output)
                    S.write_atomic(out.with_name(out.stem + "_evidence.csv"), evidence.encode("utf-8"))
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
    """The registry of --models-dir, else $RECORD_AUDIT_MODELS, else ./models; listing falls back
    to the shipped models, but nothing is ever adopted into them implicitly."""
    from .model.registry import ModelRegistry
    from .resources import explicit_models_dir, shipped
    explicit = explicit_models_dir(models_dir)
    folder = explicit or Path("models")
    if read_only and explicit is None and not folder.is_dir():
        folder = shipped("models")
    return ModelRegistry(folder)


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


def _require_store(db_path: str) -> None:
    if not Path(db_path).is_file():
        raise InputError(f"{db_path}: no such audit store. Run `record-audit audit INPUT --db {db_path}` first.")


if __name__ == "__main__":
    main()
