"""The ``record-audit`` command line (CONTRACT sections 3-8): a thin layer over the library."""
from __future__ import annotations

import json
import logging
import sys
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
        click.option("--assume-dv", is_flag=True, help="Treat every record as a DV record (skip the DV gate)."),
        click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 10_000),
                     help="Notes per spaCy batch."),
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
    from tqdm import tqdm
    # disable=None: silent when stderr is not a terminal
    return tqdm(total=total, desc=desc, unit="note", file=sys.stderr, disable=None, leave=False)


def _prepare(input_path, columns, parties, encoding, rules_dir):
    from .io import open_notes, read_parties
    from .pipeline import load_pipeline
    source = open_notes(input_path, columns=columns, encoding=encoding)
    party_map = read_parties(parties, stats=source.stats) if parties else None
    nlp = load_pipeline(rules_dir)
    return source, party_map, nlp


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write JSON Lines here (via OUT.partial; a rerun continues it). Default: stdout.")
@click.option("--all-sentences", is_flag=True, help="Write every sentence, flagged or not.")
@common_input_options
@_handle_errors
def flag(input_path, output, all_sentences, columns, parties, encoding, rules_dir, rules_only,
         assume_dv, batch_size):
    """Flag survivor-blaming language, one JSON line per flagged sentence.

    Example: record-audit flag notes.csv --columns record_id=CaseNo,text=NoteBody -o flags.jsonl
    """
    from .flagging import count_notes, flag_records
    from .output import PartialJsonl

    source, party_map, nlp = _prepare(input_path, columns, parties, encoding, rules_dir)
    counts = count_notes(source)
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
                                       progress=bar):
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


@main.command()
@click.argument("annotated", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@common_input_options
@_handle_errors
def evaluate(annotated, fmt, columns, parties, encoding, rules_dir, rules_only, assume_dv, batch_size):
    """Score the pipeline against an annotated-records file (CONTRACT section 6).

    Sentence labels (counted and detection), context accuracy, and record levels
    against gold_level.

    Example: record-audit evaluate data/samples/annotated.jsonl --format json
    """
    from .errors import Errors
    from .flagging import flag_records
    from .io import read_annotated
    from .model.evaluate import evaluate as run_evaluation
    from .model.evaluate import format_report

    source, party_map, nlp = _prepare(annotated, columns, parties, encoding, rules_dir)
    if source.kind != "annotated":
        raise InputError(Errors.E026.format(path=annotated))
    with _progress(sum(1 for _ in source), "evaluate") as bar:
        results = list(flag_records(source, nlp, parties=party_map, assume_dv=assume_dv,
                                    batch_size=batch_size, progress=bar))
    from .continuum import Rubric
    from .indicators import compute_indicators
    rubric = Rubric.load(rules_dir)
    report = run_evaluation(read_annotated(Path(annotated)), results,
                            place=lambda r: rubric.place(r.record_id, compute_indicators(r)).level)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(format_report(report))


if __name__ == "__main__":
    main()
