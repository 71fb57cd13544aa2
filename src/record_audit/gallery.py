"""The trainers' gallery: reviewed flags that stand, as de-identified teaching examples.

Trainers want real-looking examples of poor documentation (concern labels) and of good
practice (strength labels), grouped by label, each with why it matters and a perpetrator
pattern-based rewrite. ``Gallery`` lists the flags whose review decision stands
(``ReviewStore.final()``: accepted, relabelled and reviewer-added flags) as ``Entry``
rows, teaching-example marks first, then by label and source; ``example()`` turns one into
an ``Example``: the flagged sentence with its neighbours, the rule's explanation, the
TAXONOMY definition, the rule's guidance and a trainer's own rewrite if one was saved.

Nothing leaves the store un-de-identified: every text of an ``Example`` went through
``pipeline.deid`` with one set of placeholders per example (the same person is "[Name A]"
in the sentence, its neighbours and the trainer's rewrite). Renderings and handouts take
``Example`` objects only, so the raw note text never reaches them. An example's ``key``
names its flag in the store (for saving a rewrite); renderings never show it.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import taxonomy
from .errors import Errors, InputError
from .store.review import REVIEW_SOURCE, FlagKey, ReviewStore, outcome
from .store.rewrites import latest_rewrites, save_rewrite

if TYPE_CHECKING:  # de-identification needs spaCy: imported where first used, not with the gallery
    from .pipeline.deid import Deidentifier, Pseudonyms

# where a flag came from: the three pipeline sources and a reviewer's added flag
SOURCES: tuple[str, ...] = (*taxonomy.SOURCES, REVIEW_SOURCE)
SOURCE_NAMES = {"lexicon": "lexicon", "syntax": "syntax", "classifier": "classifier",
                REVIEW_SOURCE: "reviewer-added"}
STANDING_DECISIONS = ("accept", "relabel", "add")
NEIGHBOURS = 1  # sentences shown on each side of the flagged one


@dataclass(frozen=True)
class Entry:
    """A reviewed flag that stands as an example; no text, so listing and filtering are cheap."""

    key: FlagKey
    label: str  # the reviewed label: a relabel's new label
    source: str  # lexicon, syntax, classifier or review (added by a reviewer)
    decision: str  # accept, relabel or add
    teaching: bool  # a reviewer marked it a teaching example
    note_seq: int

    @property
    def concern(self) -> bool:
        return self.label in taxonomy.CONCERN_LABELS


@dataclass(frozen=True)
class Example:
    """One example, every text de-identified; ``highlight`` is (start, end) in ``sentence``."""

    key: FlagKey
    label: str
    source: str
    decision: str
    teaching: bool
    note_type: str | None
    before: str
    sentence: str
    highlight: tuple[int, int]
    after: str
    explanation: str  # why the flag was raised: the rule's explanation (TAXONOMY's for relabels and adds)
    definition: str  # the label's TAXONOMY definition
    guidance: str  # the rule's generic rewrite guidance
    rewrite: str | None = None  # a trainer's rewrite of this example
    rewrite_by: str | None = None

    @property
    def concern(self) -> bool:
        return self.label in taxonomy.CONCERN_LABELS

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES.get(self.source, self.source)

    def pieces(self) -> tuple[str, str, str]:
        """The sentence split around its highlight: (before it, highlighted, after it)."""
        a, b = self.highlight
        return self.sentence[:a], self.sentence[a:b], self.sentence[b:]


class Gallery:
    """Reviewed examples of an audit store, de-identified on the way out."""

    def __init__(self, review: ReviewStore | str | Path, *, deidentifier: Deidentifier | None = None) -> None:
        self.review = review if isinstance(review, ReviewStore) else ReviewStore(review)
        self.store = self.review.store
        self._deid = deidentifier
        self._cache: dict[FlagKey, Example] = {}
        self._names: dict[str, Pseudonyms] = {}
        self._entries: list[Entry] | None = None

    @property
    def deidentifier(self) -> Deidentifier:
        if self._deid is None:
            from .pipeline.deid import Deidentifier
            self._deid = Deidentifier()  # the full English model with NER, loaded on first use
        return self._deid

    # -- listing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Forget what was read, after decisions or rewrites changed in the store."""
        self._entries = None
        self._cache.clear()

    def all_entries(self) -> list[Entry]:
        """Every standing example: teaching marks first, then by label, source and record order."""
        if self._entries is None:
            self._entries = self._read_entries()
        return list(self._entries)

    def _read_entries(self) -> list[Entry]:
        decided, _ = self.review.final()
        current = self.review.current()
        pipeline_flags = {FlagKey.of(f) for f in self.store.flags()}
        sentences = self.store.sentence_keys()
        seq = self.store.note_seqs()
        out = []
        for key, row in decided.items():
            if row["decision"] not in STANDING_DECISIONS or (key.record_id, key.note_id) not in seq:
                continue
            if key not in pipeline_flags and (key.source != REVIEW_SOURCE
                                              or (key.record_id, key.note_id, key.sentence_index) not in sentences):
                continue  # the record was audited again and this flag, or its sentence, is gone
            label = row["new_label"] if row["decision"] in ("relabel", "add") else key.label
            # a teaching mark by any reviewer whose decision agrees with the one that stands
            teaching = any(r["teaching_example"] and outcome(r) == outcome(row) for r in current[key].values())
            out.append(Entry(key, label, key.source, row["decision"], bool(teaching), seq[key.record_id, key.note_id]))
        label_order = {label: i for i, label in enumerate(taxonomy.LABELS)}
        source_order = {source: i for i, source in enumerate(SOURCES)}
        out.sort(key=lambda e: (not e.teaching, label_order[e.label], source_order.get(e.source, len(SOURCES)),
                                e.key.record_id, e.note_seq, e.key.start, e.key.end))
        return out

    def entries(self, *, label: str | None = None, source: str | None = None,
                teaching_only: bool = False) -> list[Entry]:
        """Standing examples filtered by reviewed label, source and teaching mark."""
        if label is not None and label not in taxonomy.LABELS:
            raise InputError(Errors.E108.format(label=label, known=", ".join(taxonomy.LABELS)))
        if source is not None and source not in SOURCES:
            raise InputError(Errors.E116.format(source=source, known=", ".join(SOURCES)))
        return [e for e in self.all_entries()
                if (label is None or e.label == label) and (source is None or e.source == source)
                and (not teaching_only or e.teaching)]

    def counts(self, *, source: str | None = None, teaching_only: bool = False) -> dict[str, int]:
        """Examples per label (taxonomy order, labels with none left out)."""
        listed = self.entries(source=source, teaching_only=teaching_only)
        counts = {label: sum(e.label == label for e in listed) for label in taxonomy.LABELS}
        return {label: n for label, n in counts.items() if n}

    # -- examples --------------------------------------------------------------------------
    def example(self, entry: Entry) -> Example:
        """The de-identified example of ``entry`` (made once, then kept)."""
        if entry.key not in self._cache:
            self._cache[entry.key] = self._make(entry, latest_rewrites(self.store).get(entry.key))
        return self._cache[entry.key]

    def examples(self, entries: list[Entry]) -> list[Example]:
        return [self.example(e) for e in entries]

    def _make(self, entry: Entry, rewrite: dict | None) -> Example:
        key = entry.key
        note = next(n for n in self.store.notes(key.record_id) if n["note_id"] == key.note_id)
        sentences = self.store.sentences(key.record_id, key.note_id)
        by_index = {s["sentence_index"]: s for s in sentences}
        this = by_index[key.sentence_index]
        text = note["text"]

        def around(indexes) -> str:
            return " ".join(text[by_index[i]["start"]:by_index[i]["end"]] for i in indexes if i in by_index)

        before = around(range(key.sentence_index - NEIGHBOURS, key.sentence_index))
        after = around(range(key.sentence_index + 1, key.sentence_index + 1 + NEIGHBOURS))
        sentence = text[this["start"]:this["end"]]
        pseudonyms = copy.deepcopy(self._record_names(key.record_id))
        parts = self.deidentifier.redact([before, sentence, after, note["note_type"] or ""], pseudonyms)
        start = max(0, key.start - this["start"])
        end = min(len(sentence), max(start, key.end - this["start"]))
        highlight = (parts[1].position(start), parts[1].position(end, end=True))
        if highlight[1] <= highlight[0]:
            highlight = (0, len(parts[1].text))
        flag = self._flag(key)
        if entry.decision == "accept" and flag is not None:
            explanation = flag["explanation"] or taxonomy.DESCRIPTIONS[entry.label]
            guidance = flag["rewrite"] or taxonomy.REWRITES[entry.label]
        else:  # a relabel's rule spoke of the old label; an added flag has no rule
            explanation, guidance = taxonomy.DESCRIPTIONS[entry.label], taxonomy.REWRITES[entry.label]
        own = None
        if rewrite is not None:
            # after the example's texts, so its people keep their placeholders
            own = self.deidentifier.redact([rewrite["text"]], pseudonyms)[0].text
        return Example(
            key=key, label=entry.label, source=entry.source, decision=entry.decision, teaching=entry.teaching,
            note_type=parts[3].text or None, before=parts[0].text, sentence=parts[1].text, highlight=highlight,
            after=parts[2].text, explanation=explanation, definition=taxonomy.DESCRIPTIONS[entry.label],
            guidance=guidance, rewrite=own, rewrite_by=rewrite["trainer"] if rewrite else None)

    def _record_names(self, record_id: str) -> Pseudonyms:
        """The names of a whole record, learned once: its notes and the people the audit tagged.

        An example is three sentences; its record says far more about who is a person (the
        small English model misses a name that opens a sentence, "Sofia is in 4th grade",
        but finds it elsewhere in the record).
        """
        if record_id not in self._names:
            notes = self.store.notes(record_id)
            people = []
            for note in notes:
                for sent in self.store.sentences(record_id, note["note_id"]):
                    for start, end, _role in json.loads(sent["roles"]):
                        name = self.deidentifier.name_in(note["text"][start:end])
                        if name:
                            people.append(name)  # "Jayden" of "Jayden (6", "Reyes" of "Ms Reyes"; not "MO"
            from .pipeline.deid import Pseudonyms
            pseudonyms = Pseudonyms()
            self.deidentifier.learn([n["text"] for n in notes], pseudonyms, guessed=tuple(people))
            self._names[record_id] = pseudonyms
        return self._names[record_id]

    def _flag(self, key: FlagKey) -> dict | None:
        for flag in self.store.flags(key.record_id):
            if FlagKey.of(flag) == key:
                return flag
        return None

    # -- trainers' rewrites ------------------------------------------------------------------
    def save_rewrite(self, trainer: str, entry: Entry, text: str) -> int:
        """Keep ``trainer``'s rewrite of this example in the store (append-only); '' withdraws it."""
        rewrite_id = save_rewrite(self.store, trainer, entry.key, text)
        self._cache.pop(entry.key, None)
        return rewrite_id
