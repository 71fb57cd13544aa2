"""Names must not change flags (issue 14 F): "Mr./Ms. <Surname>" takes its role from the title and
the record, whatever the surname's origin. The surnames of annotated records are swapped for
surnames of many origins; at most 1% of flagged sentences may change their labels."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from record_audit.engines import flag_records
from record_audit.io import Note, read_annotated
from record_audit.model.evaluate import align
from record_audit.pipeline import FLAGS_KEY

ROOT = Path(__file__).resolve().parents[1]

# surnames of many origins, spelled as records spell them (particles, hyphens, apostrophes, accents)
ORIGINS = {
    "english": ["Smith", "Taylor", "Whitfield", "Brown"],
    "irish": ["O'Neill", "McCarthy", "Ó Súilleabháin", "Ní Bhriain"],
    "polish": ["Wiśniewski", "Kowalczyk", "Zielińska", "Nowak"],
    "vietnamese": ["Nguyen", "Tran", "Pham", "Nguyen-Tran"],
    "chinese": ["Li", "Xu", "Zhang", "Ng"],
    "arabic": ["al-Rashid", "Haddad", "Abdullah", "El-Sayed"],
    "west_african": ["Okafor", "Adeyemi", "Mensah", "Oyelaran"],
    "iberian": ["García", "de la Cruz", "dos Santos", "Fernández"],
    "dutch_german": ["van der Berg", "Müller", "de Vries", "Schröder"],
    "maori_pasifika": ["Te Rangi", "Ngata", "Fa'amausili", "Tupou"],
    "south_asian": ["Patel", "Singh", "Krishnamurthy", "Begum"],
    "turkish": ["Öztürk", "Şahin", "Yılmaz", "Demir"],
    "somali_ethiopian": ["Abdi", "Warsame", "Tesfaye", "Haile"],
    "indigenous_american": ["Whitehorse", "Yazzie", "Begay", "Cardinal"],
    "greek_hungarian": ["Papadopoulos", "Kovács", "Nagy", "Georgiou"],
}
TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss)\.?\s+((?:(?:van|von|der|de|la|dos|al|el|bin|Ó|Ní)[\s-])*"
                    r"[A-ZÀ-ÞĀ-Ž][\w'’-]+(?:\s[A-ZÀ-ÞĀ-Ž][\w'’-]+)?)")


PARTICLES = {"van", "von", "der", "de", "la", "dos", "al", "el", "bin", "Ó", "Ní"}


def surname_map(texts: list[str], origin: str, offset: int = 0) -> dict[str, str]:
    """Each distinct titled surname of a record -> a surname of ``origin`` (distinct stay distinct)."""
    found: list[str] = []
    for text in texts:
        for m in TITLED.finditer(text):
            words = m.group(1).split()
            # "Ms Funmilayo Adebayo": the surname is the last word; "Mr van der Berg": all of it
            surname = words[-1] if len(words) > 1 and words[0] not in PARTICLES else m.group(1)
            surname = re.sub(r"['’]s$", "", surname)  # "Mr Tupou's violence": the possessive stays
            if surname not in found:
                found.append(surname)
    names = ORIGINS[origin]
    return {old: names[(i + offset) % len(names)] for i, old in enumerate(found)}


def swap(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text
    pattern = re.compile(r"(?<![\w'’-])(" + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
                         + r")(?![\w'’-])")
    return pattern.sub(lambda m: mapping[m.group(1)], text)


def swapped_records(records: list[dict], origin: str, offset: int = 0) -> list[dict]:
    out = []
    for record in records:
        texts = [s["text"] for n in record["notes"] for s in n["sentences"]]
        mapping = surname_map(texts, origin, offset)
        copy = json.loads(json.dumps(record))
        for note in copy["notes"]:
            for sent in note["sentences"]:
                sent["text"] = swap(sent["text"], mapping)
        out.append(copy)
    return out


def sentence_labels(records: list[dict], tmp_path: Path, nlp, name: str) -> list[frozenset[str]]:
    """The labels the pipeline gives each gold sentence of ``records``, in order."""
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    annotated = list(read_annotated(path))
    notes = [Note(r.record_id, n.note.note_id, n.note.text) for r in annotated for n in r.notes]
    results = {r.record_id: r for r in flag_records(notes, nlp)}
    return [frozenset(p.detected) for r in annotated for p in align(r, results[r.record_id])]


def changed_share(before: list[frozenset[str]], after: list[frozenset[str]]) -> tuple[int, int]:
    flagged = [i for i, (b, a) in enumerate(zip(before, after)) if b or a]
    return sum(before[i] != after[i] for i in flagged), len(flagged)


FRAMES = ["Mr {s} punched Ms {t} in the face while the children were in the room.",
          "Ms {t} was advised that she must not allow Mr {s} back into the home.",
          "The court found that Mr. {s} had strangled the mother.",
          "Worker has not contacted Mr {s}.",
          "Ms. {t} took the children to her sister's and called the police."]


def test_titled_surnames_of_every_origin_carry_the_titles_role(nlp_rules):
    """Every token of "Mr/Ms <Surname>" has the title's role, and the flags are the same, for every origin."""
    baseline = None
    for names in ORIGINS.values():
        for s, t in zip(names, names[1:] + names[:1]):
            labels = []
            for frame in FRAMES:
                text = frame.format(s=s, t=t)
                doc = nlp_rules(text)
                for surname, role in ((s, "perpetrator"), (t, "survivor")):
                    found = re.search(r"(?<![\w'’-])" + re.escape(surname) + r"(?![\w'’-])", text)
                    if found is None:
                        continue
                    start = found.start()
                    tokens = [tok for tok in doc if start <= tok.idx < start + len(surname) and tok.text not in "-"]
                    assert tokens and all(tok._.role == role for tok in tokens), (text, surname)
                labels.append(sorted({span.label_ for span in doc.spans[FLAGS_KEY]}))
            if baseline is None:
                baseline = labels
            assert labels == baseline, (s, t)


@pytest.mark.slow
# on the samples' records with titled names (train + samples measured 2.0% before the last roles
# fixes: record-level DV gating and particle surnames still follow some surnames there)
def test_swapping_surnames_changes_at_most_one_percent_of_flagged_sentences(nlp_rules, tmp_path):
    records = [json.loads(line) for line in (ROOT / "data/samples/annotated.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    records = [r for r in records if any(TITLED.search(s["text"]) for n in r["notes"] for s in n["sentences"])]
    before = sentence_labels(records, tmp_path, nlp_rules, "original")
    changed = flagged = 0
    for k, origin in enumerate(ORIGINS):
        after = sentence_labels(swapped_records(records, origin, k), tmp_path, nlp_rules, origin)
        c, f = changed_share(before, after)
        changed, flagged = changed + c, flagged + f
    assert flagged and changed / flagged <= 0.01, f"{changed} of {flagged} flagged sentences changed"
