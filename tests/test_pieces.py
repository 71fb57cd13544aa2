"""Cutting a long note into pieces the pipeline can take (pipeline/pieces.py): no spaCy needed."""
from __future__ import annotations

import random
import re

import pytest

from record_audit.pipeline.pieces import piece_spans


def _check_cover(text, spans, limit):
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end == start  # contiguous: nothing lost, nothing twice
    assert all(0 < end - start <= limit for start, end in spans)


def _cut_inside_a_word(text, spans):
    return [end for _, end in spans[:-1] if not text[end - 1].isspace() and not text[end].isspace()]


def test_a_short_note_is_one_piece():
    assert piece_spans("Mother was pushed.", 100) == [(0, 18)]


def test_cuts_fall_at_paragraph_breaks_when_there_are_some():
    paragraphs = [f"Entry {i}. " + "Worker visited the home and spoke with mother. " * 5 for i in range(40)]
    text = "\n\n".join(paragraphs)
    spans = piece_spans(text, 1_000)
    _check_cover(text, spans, 1_000)
    assert len(spans) > 5
    for start, _ in spans[1:]:
        assert text[start - 2:start] == "\n\n" and text.startswith("Entry", start)


def test_without_newlines_cuts_fall_after_a_sentence():
    text = " ".join(f"Mother said he hit her on day {i}." for i in range(2_000))
    assert "\n" not in text
    spans = piece_spans(text, 5_000)
    _check_cover(text, spans, 5_000)
    for start, _ in spans[1:]:
        assert text[start - 2:start] == ". " and text.startswith("Mother", start)


def test_without_sentence_ends_cuts_fall_between_words():
    text = " ".join(["word"] * 30_000)
    spans = piece_spans(text, 7_000)
    _check_cover(text, spans, 7_000)
    assert not _cut_inside_a_word(text, spans)


def test_one_unbroken_run_longer_than_the_limit_is_still_cut_under_it():
    text = "x" * 25_001 + " end."
    spans = piece_spans(text, 10_000)
    _check_cover(text, spans, 10_000)


@pytest.mark.parametrize("seed", range(20))
def test_random_texts_are_covered_under_the_limit_and_never_cut_mid_word(seed):
    rng = random.Random(seed)
    pieces = ["Mother", "was", "pushed.", "FA", "hit", "her", "\n", "\n\n", "  ", "Dr.", "(3/4)", "“He", "left.”",
              "é", "—", "\t"]
    text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6_000)))
    limit = rng.randint(20, 3_000)
    spans = piece_spans(text, limit)
    _check_cover(text, spans, limit)
    assert not _cut_inside_a_word(text, spans)


def test_a_piece_ends_with_its_whitespace_so_the_next_starts_on_a_word():
    text = "One sentence here.   \n\n  Another sentence there. " * 200
    for start, _ in piece_spans(text, 500)[1:]:
        assert re.match(r"\S", text[start])


def test_a_title_or_an_initial_is_not_taken_for_a_sentence_end():
    """A cut after "Mr." would split "Mr. Cole" and his sentence in two (found on a one-line note)."""
    text = " ".join(f"On day {i} Ms. Rivera said Mr. J. Cole of No. 4 Elm St. hit her again." for i in range(400))
    assert "\n" not in text
    spans = piece_spans(text, 1_000)
    _check_cover(text, spans, 1_000)
    for start, _ in spans[1:]:
        assert text[start - 2:start] == ". " and text.startswith("On day", start)
