"""Notes of any length (issue 15): time and peak memory of one long note, audited end to end.

A note longer than ``pipeline.pieces.PIECE_CHARS`` is annotated in pieces cut at paragraph
or sentence boundaries. This prints, for notes of the given sizes (one note, one record,
read from a .txt file through ``flag_records`` as the CLI does), the pieces, seconds,
characters per second and the process's peak RSS, each in its own process, and checks the
offsets (what the test suite checks on notes of a few pieces, here on the whole long note);
then the same for one note at several piece sizes, which is how ``PIECE_CHARS`` was chosen.

    python bench/long_notes.py [--sizes 200000,2000000] [--piece-sizes 10000,25000,100000] [--one-line]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import NAMES, SENTENCES, SURNAMES  # noqa: E402  (bench scripts are not a package)


def make_long_note(n_chars: int, *, seed: int = 0, one_line: bool = False) -> str:
    """A pasted chronology of about ``n_chars`` characters: dated paragraphs of case-note sentences.

    With ``one_line`` the paragraphs are joined by a space: a note without a single newline.
    """
    rng = random.Random(seed)
    paragraphs, size = [], 0
    while size < n_chars:
        sentences = [rng.choice(SENTENCES).format(
            time=f"{rng.randint(8, 18)}{rng.choice(['00', '30'])}", child=rng.choice(NAMES),
            age=rng.randint(1, 15), date=f"{rng.randint(1, 12)}/{rng.randint(1, 28)}",
            surname=rng.choice(SURNAMES), other=rng.choice(SURNAMES)) for _ in range(rng.randint(3, 9))]
        paragraph = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024: " + " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return (" " if one_line else "\n\n").join(paragraphs)[:n_chars].rstrip() + "."


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(n_chars: int, piece_chars: int | None, one_line: bool, queue) -> None:
    from record_audit.engines import flag_records
    from record_audit.io import open_notes
    from record_audit.pipeline import annotate, load_pipeline
    from record_audit.pipeline.pieces import piece_spans

    if piece_chars:
        annotate.PIECE_CHARS = piece_chars  # the bench's own sweep; the shipped value is pieces.PIECE_CHARS
    nlp = load_pipeline()
    nlp("Mother was pushed during a domestic dispute.")  # warm up
    loaded = _peak_mb()
    text = make_long_note(n_chars, one_line=one_line)
    pieces = len(piece_spans(text, annotate.piece_limit(nlp)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        (folder / "R1").mkdir(parents=True)
        (folder / "R1" / "chronology.txt").write_text(text, encoding="utf-8")
        start = time.perf_counter()
        results = [note for record in flag_records(open_notes(folder), nlp, assume_dv=True) for note in record.notes]
        elapsed = time.perf_counter() - start
    peak = _peak_mb()
    sents = [s for note in results for s in note.sentences]
    flags = [f for s in sents for f in s.flags]
    # what the test suite checked on this note before it moved here: offsets into the whole note
    offsets_hold = (len(results) == 1 and [s.index for s in sents] == list(range(len(sents)))
                    and all(text[s.start:s.end] == s.text for s in sents)
                    and all(a.end <= b.start for a, b in zip(sents, sents[1:]))
                    and all(text[f.start:f.end] == f.text for f in flags))
    queue.put((len(text), pieces, len(sents), len(flags), elapsed, loaded, peak, offsets_hold))


def measure(n_chars: int, piece_chars: int | None = None, one_line: bool = False):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(n_chars, piece_chars, one_line, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _row(label: str, result) -> str:
    chars, pieces, sentences, flags, secs, loaded, peak, offsets_hold = result
    return (f"{label:<22}{chars:>10,}{pieces:>8}{sentences:>10,}{flags:>8,}{secs:>9.1f}{chars / secs:>10,.0f}"
            f"{loaded:>11.0f}{peak:>10.0f}{peak - loaded:>9.0f}{'yes' if offsets_hold else 'NO':>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200000,2000000", help="note lengths in characters")
    parser.add_argument("--piece-sizes", default="10000,25000,100000",
                        help="piece sizes tried on one note of --sweep-chars (empty: no sweep)")
    parser.add_argument("--sweep-chars", type=int, default=200_000)
    parser.add_argument("--one-line", action="store_true", help="notes without a newline")
    args = parser.parse_args()
    from record_audit.pipeline.pieces import PIECE_CHARS
    print(f"machine: {platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}; "
          f"rules only, one process; PIECE_CHARS = {PIECE_CHARS:,}"
          + ("; notes without a newline" if args.one_line else ""))
    header = (f"{'run':<22}{'chars':>10}{'pieces':>8}{'sentences':>10}{'flags':>8}{'seconds':>9}{'chars/s':>10}"
              f"{'loaded MB':>11}{'peak MB':>10}{'growth':>9}{'offsets':>9}")
    print("\n" + header)
    for size in (int(s) for s in args.sizes.split(",") if s):
        print(_row(f"note of {size:,}", measure(size, one_line=args.one_line)), flush=True)
    if args.piece_sizes:
        print(f"\npiece size, one note of {args.sweep_chars:,} characters:\n{header}")
        for piece in (int(s) for s in args.piece_sizes.split(",") if s):
            print(_row(f"pieces of {piece:,}", measure(args.sweep_chars, piece, args.one_line)), flush=True)
    print("\nloaded MB: peak RSS once the pipeline is loaded; growth: peak minus that, the note's own cost;\n"
          "offsets: sentence indices run on, sentences in order and each sentence and flag is its text in the note.")


if __name__ == "__main__":
    main()
