"""Cut a long note into pieces the pipeline can take, at paragraph or sentence boundaries.

spaCy refuses a text longer than ``nlp.max_length`` (a million characters), and the
audit pipeline's memory grows with a Doc's length. A note longer than ``PIECE_CHARS`` is
therefore annotated piece by piece, and the results are put back together with offsets into
the whole note. On the project machine (``bench/long_notes.py``, one note of 200,000
characters, rules only, 2 cores under load ~9) pieces of 10,000 and 25,000 characters ran at
the same speed (3,500 characters/s) with 41 and 92 MB of growth over the loaded pipeline, and
pieces of 50,000 grew by 176 MB. (Larger pieces once ran slower as well: turning a Doc into
results rebuilt its text for every sentence; it is built once per Doc now.)
Nothing here imports spaCy.
"""
from __future__ import annotations

import re

# Notes up to this many characters are annotated whole, as they always were (the longest
# note in the bundled and corpus data is under 2,000); longer ones in pieces of at most this.
PIECE_CHARS = 10_000

# A full stop that ends a title or an initial does not end a sentence ("Mr. Cole", "J. Smith",
# "No. 4"): a cut there would split a name and the sentence that holds it.
_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sr", "Jr", "St", "No", "Nos", "Det", "Sgt", "Insp",
                  "Supt", "Cllr", "Hon", "Rev", "Fr", "Ref", "vs", "approx", "e.g", "i.e", "cf", "etc")
_NOT_AN_ABBREVIATION = "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _ABBREVIATIONS) + r"(?<!\b[A-Z]\.)"

# Boundaries, best first. A cut falls just after the boundary's whitespace, so no piece
# starts or ends inside a word, and a piece is never longer than the limit.
_BOUNDARIES = (
    re.compile(r"\n[^\S\n]*\n\s*"),                     # a blank line: a paragraph ends
    re.compile(r"(?<=[.!?])" + _NOT_AN_ABBREVIATION + r"[\"'’”)\]]*\s+(?=[\"'‘“(\[]*[A-Z0-9])"),  # a sentence ends
    re.compile(r"\n\s*"),                               # a line ends (chronology entries)
    re.compile(r"\s+"),                                 # between two words
)


def piece_spans(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans (``str`` offsets) that cover ``text`` in order.

    Each span is at most ``limit`` characters. A cut goes at the last paragraph break
    of the second half of the span, else the last sentence end there, else the last line
    end, else the last space; only a single "word" longer than ``limit`` (no whitespace
    at all) is cut inside, at the limit.
    """
    spans: list[tuple[int, int]] = []
    start, length = 0, len(text)
    while length - start > limit:
        end = _cut(text, start, start + limit)
        spans.append((start, end))
        start = end
    spans.append((start, length))
    return spans


def _cut(text: str, start: int, stop: int) -> int:
    """Where to end the piece that starts at ``start`` and may run to ``stop``."""
    window = text[start:stop]
    half = len(window) // 2
    for pattern in _BOUNDARIES:
        last = None
        for last in pattern.finditer(window, half):
            pass
        if last is not None and last.end() > 0:
            return start + last.end()
    last = None
    for last in _BOUNDARIES[-1].finditer(window, 1):  # any space at all, however early
        pass
    if last is not None:
        return start + last.end()
    return stop  # one unbroken run of characters longer than the limit
