"""De-identify example text for handouts: names, addresses, phones, e-mails, dates, case numbers.

spaCy's NER (the full English model, ``ner`` included) plus patterns, because NER alone
misses first names in fragments, titled surnames and case-note identifiers. Replacements
are consistent within one example ("Ms. Okafor" and "Okafor" become "[Name A]" both
times) and differ between examples. When in doubt it redacts: a handout with one extra
placeholder is fine, one leaked name is not.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from spacy.language import Language

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("Email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("Phone", re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?|\b\d{2,5}[\s.-])\d{3,4}[\s.-]?\d{3,4}\b")),
    ("Case no.", re.compile(r"\b(?:case|ref|reference|file|docket|claim|incident|crime|cr|dob)\s*(?:no\.?|number|#|:)?\s*"
                            r"[A-Z0-9][A-Z0-9/-]*\d[A-Z0-9/-]*\b", re.I)),
    ("Case no.", re.compile(r"\b[A-Z]{1,5}[-/]?\d{2,4}[-/]\d{2,8}\b|\b[A-Z]{2,4}\d{5,}\b|#\s?\d{4,}\b")),
    ("Date", re.compile(r"\b\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b")),
    ("Date", re.compile(r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
                        r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?(?:\s+\d{4})?\b")),
    ("Address", re.compile(r"\b(?:flat|apt|apartment|unit|suite)\s*\w+", re.I)),
    ("Address", re.compile(r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|"
                           r"Close|Court|Ct|Way|Place|Pl|Crescent|Terrace|Boulevard|Blvd|Circle|Gardens|Grove|Hill|"
                           r"Square|Parkway|Pkwy)\b\.?")),
    ("Address", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")),  # UK postcode
    ("Address", re.compile(r"\b[A-Z]{2}\s\d{5}(?:-\d{4})?\b")),  # US state + ZIP
]
NER_KINDS = {"PERSON": "Name", "GPE": "Place", "LOC": "Place", "FAC": "Address", "ORG": "Organisation",
             "DATE": "Date"}
TITLES = {"ms", "mrs", "miss", "mr", "mx", "dr", "mister"}
# capitalised words that are not identifiers in case notes
KEEP = {w.lower() for w in """MO FA BM BF MOC FOC AP NOP CW SW SSW HV DV DA DVA IPV CPS DCS DCFS MARAC IDVA DVPP BIP PLO CIN
CP LA GP PO LE PD TPR CAFCASS CASA GAL DOB ER A&E ICPC CAMHS ADHD PTSD ASAP OK TV NA N/A I Mother Father Mum Dad Mom
Worker Police Court Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Tomorrow Yesterday Christmas
Safe Together Freedom Programme Program Team North South East West Metro Assessment Safeguarding Children Services
English Spanish""".split()}


@dataclass
class Pseudonyms:
    """Consistent placeholders within one example."""

    by_text: dict[tuple[str, str], str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def get(self, kind: str, text: str) -> str:
        key = (kind, text.lower().strip(string.punctuation + " "))
        if key not in self.by_text:
            n = self.counters.get(kind, 0)
            self.counters[kind] = n + 1
            tag = string.ascii_uppercase[n] if kind == "Name" and n < 26 else str(n + 1)
            self.by_text[key] = f"[{kind} {tag}]"
        return self.by_text[key]


class Deidentifier:
    """Replace identifiers in texts; ``deidentify(texts)`` keeps one mapping across them."""

    def __init__(self, nlp: Language | None = None) -> None:
        if nlp is None:
            from . import load_english
            nlp = load_english()  # the full model: NER is what finds most names
        self.nlp = nlp

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of every identifier, longest first where they overlap."""
        found = []
        for kind, pattern in PATTERNS:
            found.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
        doc = self.nlp(text)
        for ent in doc.ents:
            if ent.label_ not in NER_KINDS or ent.text.lower() in KEEP:
                continue
            if ent.label_ == "PERSON":
                words = [t for t in ent if t.is_alpha and t.lower_ not in KEEP]
                if not words:
                    continue
                # "Jayden DOB 04/05/2016": keep the name, the patterns take the rest
                found.append((words[0].idx, words[-1].idx + len(words[-1]), "Name"))
            else:
                found.append((ent.start_char, ent.end_char, NER_KINDS[ent.label_]))
        for i, token in enumerate(doc):
            prev = doc[i - 1].lower_.rstrip(".") if i else ""
            if prev in TITLES and token.is_title:
                found.append((token.idx, token.idx + len(token), "Name"))  # Ms. Okafor
            elif (token.pos_ == "PROPN" and token.is_title and token.is_alpha and token.lower_ not in KEEP
                  and not (token.is_sent_start and token.lower_ in KEEP)):
                found.append((token.idx, token.idx + len(token), "Name"))  # first names NER misses
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        merged: list[tuple[int, int, str]] = []
        for start, end, kind in found:
            if merged and start < merged[-1][1]:
                continue
            if merged and kind == merged[-1][2] == "Name" and not text[merged[-1][1]:start].strip():
                merged[-1] = (merged[-1][0], end, "Name")  # "Tomasz" + "Kowalski": one person
                continue
            merged.append((start, end, kind))
        return merged

    def deidentify(self, texts: list[str], pseudonyms: Pseudonyms | None = None) -> list[str]:
        """De-identify texts that belong to one example, with consistent placeholders."""
        pseudonyms = pseudonyms or Pseudonyms()
        # learn every name first, so a surname alone gets the full name's placeholder
        spans_by_text = [self.spans(t) for t in texts]
        for text, spans in zip(texts, spans_by_text):
            for start, end, kind in spans:
                if kind != "Name":
                    continue
                full = text[start:end]
                parts = [("Name", p.lower().strip(string.punctuation)) for p in full.split()
                         if len(p) > 2 and p.lower().strip(".") not in TITLES]
                known = [pseudonyms.by_text[k] for k in [("Name", full.lower()), *parts] if k in pseudonyms.by_text]
                tag = known[0] if known else pseudonyms.get("Name", full)
                for key in [("Name", full.lower().strip(string.punctuation + " ")), *parts]:
                    pseudonyms.by_text.setdefault(key, tag)
        out = []
        for text, spans in zip(texts, spans_by_text):
            pieces, pos = [], 0
            for start, end, kind in spans:
                pieces.append(text[pos:start])
                pieces.append(pseudonyms.get(kind, text[start:end]))
                pos = end
            pieces.append(text[pos:])
            result = "".join(pieces)
            # a known name left where NER and patterns did not look (e.g. lower-case use)
            for (kind, original), tag in sorted(pseudonyms.by_text.items(), key=lambda kv: -len(kv[0][1])):
                if kind == "Name" and len(original) > 2:
                    result = re.sub(rf"\b{re.escape(original)}\b", tag, result, flags=re.I)
            out.append(result)
        return out
