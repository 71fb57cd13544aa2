"""De-identify example text for handouts: names, addresses, phones, e-mails, dates, case numbers.

spaCy's NER (the full English model, ``ner`` included) plus patterns, because NER alone
misses first names in fragments, titled surnames and case-note identifiers. Replacements
are consistent within one example ("Ms. Okafor" and "Okafor" become "[Name A]" both
times) and differ between examples. When in doubt it redacts: a handout with one extra
placeholder is fine, one leaked name is not. Party words ("mother", "FA", "partner",
"maternal grandmother": the terms of the rules' role groups, read by ``record_audit.rules``)
always stay: they carry the meaning a trainer teaches with. Placeholders already in a text
(a trainer's rewrite that uses them) are left as they are.

``redact()`` also maps offsets from the original texts into the de-identified ones, so a
flag's highlight can be drawn on the de-identified sentence.
"""
from __future__ import annotations

import bisect
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from ..rules import RuleSet, load_rules, party_words

KINDS = ("Name", "Place", "Address", "Organisation", "Phone", "Email", "Date", "Case no.", "ID no.")
PLACEHOLDER = re.compile(r"\[(?:%s) [A-Z0-9]{1,3}\]" % "|".join(re.escape(k) for k in KINDS))

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?),?\s+(?:the\s+)?"
_STREET_TYPES = (r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Court|Ct|Way|Place|Pl|Crescent|Terrace"
                 r"|Boulevard|Blvd|Circle|Cir|Gardens|Grove|Hill|Square|Parkway|Pkwy|Highway|Hwy|Row|Mews|Walk")
# without a house number, only the street types that are rarely anything else
_STREET_TYPES_BARE = r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Crescent|Terrace|Boulevard|Blvd|Parkway|Pkwy|Mews"
_US_STATES = ("Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|"
              "Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|"
              "Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|"
              "New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|"
              "South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|"
              "Wisconsin|Wyoming|District of Columbia")
# words that introduce a reference number in case notes and court papers
_REF_WORDS = (r"case|ref|reference|file|docket|claim|incident|crime|cr|log|cad|referral|matter|petition|"
              r"order|report|court|police|urn|crn|cin|ticket|warrant|protective order|po|dvpo|ipo|emo")

# (kind, pattern), tried in this order; the longest match wins where they overlap
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("Email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # a capitalised word with an age after it is a person, whatever the tagger thinks: "Summer (4)"
    ("Name?", re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?=\s*\(\s*\d{1,2}\b|,\s*\d{1,2}\s*,|\s+aged?\s+\d)")),
    ("ID no.", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),  # US SSN
    ("ID no.", re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")),  # UK NI number
    ("ID no.", re.compile(r"\b(?i:nhs|ssn|ss#|ni|medicaid|medicare|mrn|nhi|chi|upn)\s*(?i:no\.?|number|#)?\s*:?\s*"
                          r"\d[\d\s-]{5,14}\d\b")),
    ("Phone", re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?|\b\d{2,5}[\s.-])\d{3,4}[\s.-]?\d{3,4}\b")),
    ("Phone", re.compile(r"(?:\+\d{1,3}|\b0)\d{9,11}\b")),
    ("Case no.", re.compile(rf"\b(?i:{_REF_WORDS})(?:\s*(?i:no\.?|num\.?|number|#|:))*\s*"
                            r"[A-Za-z0-9][A-Za-z0-9/-]*\d[A-Za-z0-9/-]*\b")),
    ("Case no.", re.compile(r"\b[A-Z]{1,5}[-/]?\d{2,4}[-/]\d{2,8}(?:[-/][A-Z0-9]+)*\b"  # CP-2023-004512, CP/22/1187
                            r"|\b\d{2,4}[-/]\d{4,}(?:[-/]\d+)*\b"  # 2023-004512, 14/55321/24
                            r"|\b[A-Z]{1,4}\d{2}[A-Z]{1,2}\d{3,6}\b"  # court numbers: ZC23P00412
                            r"|\b[A-Z]{2,4}\d{5,}\b|#\s?\d{4,}\b")),
    ("Date", re.compile(r"\b\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b")),
    ("Date", re.compile(rf"\b(?:{_WEEKDAY})?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}}|\s+'?\d{{2}}\b)?"
                        rf"|\b(?:{_WEEKDAY})?{_MONTH}\s+{_DAY}\b(?:,?\s+\d{{4}})?"
                        rf"|\b{_MONTH},?\s+\d{{4}}\b")),
    ("Address", re.compile(r"\b(?i:flat|apt|apartment|unit|suite|room|rm)\.?\s*#?\s*(?:\d+[A-Za-z]?|[A-Z]\d*)\b")),
    ("Address", re.compile(rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s){{1,3}}(?:{_STREET_TYPES})\b\.?")),
    ("Address", re.compile(rf"\b(?:[A-Z][a-z]+\s){{1,2}}(?:{_STREET_TYPES_BARE})\b\.?")),
    ("Address", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")),  # UK postcode
    ("Address", re.compile(rf"\b(?:[A-Z]{{2}}|{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b")),  # US state + ZIP
    ("Address", re.compile(r"\b(?i:zip|zip code|zipcode|postcode|post code)\s*(?:is\s+|:\s*)?(?:\d{5}(?:-\d{4})?"
                           r"|[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})\b")),
]
NER_KINDS = {"PERSON": "Name", "GPE": "Place", "LOC": "Place", "FAC": "Address", "ORG": "Organisation",
             "DATE": "Date", "NORP": None}
TITLES = {"ms", "mrs", "miss", "mr", "mx", "dr", "mister", "judge"}
# capitalised words that are not identifiers in case notes (party words come from roles.yaml):
# practice acronyms, titles, days, and programme or service names that carry the meaning
KEEP = {w.lower() for w in """MO FA BM BF MOC FOC AP NOP CW SW SSW FSW HV DV DA DVA IPV CPS DCS DCFS MARAC IDVA ISVA DVPP
BIP PLO CIN CP LAC CLA LA GP PO LE PD PC DC DS Sgt PCSO TPR CAFCASS CASA GAL DOB ER ED A&E ICPC RCPC CAMHS CMHT CSC
MASH EDT IRO DSL SENCO EWO TA TM SM RP PPN PNC NFA UA NICU IEP IOP SALT ELSA PE ADHD PTSD EUPD ASAP OK TV NA N/A I
Mr Mrs Ms Miss Mx Dr Mister Judge Mother Father Mum Dad Mom Worker Police Court Hotline Interpreter
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mondays Tuesdays Wednesdays Thursdays Fridays Saturdays
Sundays Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun Today Tomorrow Yesterday Christmas Easter Year Teams Zoom
Safe Together Freedom Programme Program Caring Dads Building Better Relationships BBR Respect Relate Duluth
Universal Credit Medicaid Medicare Jobcentre WhatsApp Facebook Instagram Snapchat Xbox Lego Narcan Team North South
East West Metro Assessment Safeguarding Children Services English Spanish""".split()}
# short words kept even when capitalised ("Mum"); any other capitalised word of three letters
# or fewer may be a first name ("Gal", "Ed", "Sun") even if it is a party or practice word
_SHORT_CAPITALISED = {"mum", "mom", "dad", "nan", "mr", "mrs", "ms", "mx", "dr", "i", "cw", "sw", "ssw", "fsw",
                      "dc", "pc", "ds", "sgt", "mon", "tue", "wed", "thu", "fri"}
# party words that are also given names: redacted, losing the role rather than risking the name
NAME_LIKE = {"nana", "mama", "casa"}
# ties between spans of the same extent: patterns, then NER's person, place and organisation,
# then "Name?" (a capitalised proper noun NER did not tag: a name unless NER saw a place)
_RANK = {"Name": 1, "Place": 2, "Organisation": 2, "Name?": 3}
_CALENDAR = re.compile(rf"{_MONTH}|\b(?:19|20)\d\d\b|\d[/.-]\d")
_DEMONYM = re.compile(r"(?:ish|ese|ian|an|ic|i|ch)$")  # Polish, Vietnamese, Romanian, Arabic, Somali, French
# "Jayden (6)", "Mia, 4,", "Leo aged 3": a person, whatever NER thought
_AGE_AFTER = re.compile(r"\s*(?:\(\s*\d|,\s*\d{1,2}\s*[,)]|\s+(?i:age|aged)\s+\d)")


@lru_cache(maxsize=8)
def _party_words(directory: str | None) -> frozenset[str]:
    return party_words(load_rules(directory))


@dataclass
class Pseudonyms:
    """Consistent placeholders within one example."""

    by_text: dict[tuple[str, str], str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    reserved: set[str] = field(default_factory=set)  # placeholders the texts already hold
    exact: set[str] = field(default_factory=set)  # names only ever seen capitalised (guessed, not NER's)

    def get(self, kind: str, text: str) -> str:
        key = (kind, _norm(text))
        while key not in self.by_text:
            n = self.counters.get(kind, 0)
            self.counters[kind] = n + 1
            tag = f"[{kind} {string.ascii_uppercase[n] if kind == 'Name' and n < 26 else n + 1}]"
            if tag not in self.reserved:
                self.by_text[key] = tag
        return self.by_text[key]


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).strip(string.punctuation + " ")


@dataclass(frozen=True)
class Redaction:
    """One de-identified text and where its replacements sit.

    ``replaced`` holds (original start, original end, new start, new end) per replacement,
    in order; offsets are ``str`` indices.
    """

    text: str
    replaced: tuple[tuple[int, int, int, int], ...] = ()

    def position(self, offset: int, *, end: bool = False) -> int:
        """Map an offset in the original text to the de-identified one.

        An offset inside a replaced identifier moves to the placeholder's start, or its end
        when ``end`` is true, so a highlight never shows part of a placeholder.
        """
        shift = 0
        for start, stop, new_start, new_stop in self.replaced:
            if offset <= start:
                break
            if offset < stop:
                return new_stop if end else new_start
            shift = new_stop - stop
        return offset + shift


def _subtract(span: tuple[int, int, str], protected: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The parts of ``span`` outside the protected ranges (placeholders already in the text)."""
    pieces = [span]
    for p_start, p_end in protected:
        out = []
        for start, end, kind in pieces:
            if end <= p_start or start >= p_end:
                out.append((start, end, kind))
                continue
            if start < p_start:
                out.append((start, p_start, kind))
            if end > p_end:
                out.append((p_end, end, kind))
        pieces = out
    return pieces


def _merge(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sort spans and join overlapping ones (never drop a part of an identifier)."""
    found = [(s, e, k) for s, e, k in found if any(c.isalnum() for c in text[s:e])]
    found.sort(key=lambda s: (s[0], -(s[1] - s[0]), _RANK.get(s[2], 0)))
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:  # overlapping identifiers: redact the union
                merged[-1] = (merged[-1][0], end, merged[-1][2])
            continue
        if (merged and kind.startswith("Name") and merged[-1][2].startswith("Name")
                and not text[merged[-1][1]:start].strip()):
            # "Tomasz" + "Kowalski": one person (a name NER found outranks a guessed one)
            merged[-1] = (merged[-1][0], end, min(kind, merged[-1][2], key=len))
            continue
        merged.append((start, end, kind))
    return merged


class Deidentifier:
    """Replace identifiers in texts; ``deidentify(texts)`` keeps one mapping across them."""

    def __init__(self, nlp: Language | None = None, *, rules: RuleSet | str | Path | None = None) -> None:
        """``rules``: the rules (or rules folder, ``--rules``) whose party words stay; default the shipped ones."""
        if nlp is None:
            from . import load_english
            nlp = load_english()  # the full model: NER is what finds most names
        self.nlp = nlp
        words = party_words(rules) if isinstance(rules, RuleSet) else _party_words(
            None if rules is None else str(rules))
        self.keep = frozenset((KEEP | words) - NAME_LIKE)
        self.common = _common_words(nlp)

    def _kept(self, word: str) -> bool:
        """Whether a party or practice word stays (see ``_SHORT_CAPITALISED`` and ``NAME_LIKE``)."""
        lower = word.lower().rstrip(".")
        if lower not in self.keep:
            return False
        return len(lower) > 3 or not word[:1].isupper() or word.isupper() or lower in _SHORT_CAPITALISED

    def _heading_word(self, token) -> bool:
        """A common word as a heading ("Outcome:", "Plan -"): no name.

        Only a heading: a sentence-initial "Destiny said" or "Jordan has" is a name even
        though the lemmatizer's word list knows "destiny" and "jordan".
        """
        doc = token.doc
        follows = doc[token.i + 1].text if token.i + 1 < len(doc) else ""
        return token.is_sent_start and follows in (":", "-", "–", "") and token.lower_ in self.common

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of every identifier in ``text``, overlaps joined, in order.

        Kind ``Name?`` is a capitalised proper noun no stronger sign calls a name; ``redact``
        treats it as a name but matches it elsewhere only where it is capitalised again.
        """
        protected = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
        found = []
        for kind, pattern in PATTERNS:
            found.extend((m.start(), m.end(), kind) for m in pattern.finditer(text)
                         if kind != "Name?" or not self._kept(m.group()))  # "Mother (32)" stays
        doc = self.nlp(text)
        not_names: set[int] = set()
        for ent in doc.ents:
            if ent.label_ == "LANGUAGE" or ent.label_ == "NORP" and _DEMONYM.search(ent.text):
                not_names.update(range(ent.start, ent.end))  # "Polish", "Urdu": not a person (but "Hollis" is no NORP)
            kind = NER_KINDS.get(ent.label_)
            if kind is None or self._kept(ent.text):
                continue
            if kind == "Date" and not _CALENDAR.search(ent.text):
                continue  # "daily", "two years", "6 years old": not a calendar date, and they carry meaning
            if kind != "Date" and not any(c.isupper() or c.isdigit() for c in ent.text):
                continue  # "threw a mug", "the house": NER's guess with no capital and no number
            # "Partner Kyle Brennan", "Jayden DOB": the party and case words stay
            words = [t for t in ent if not t.is_punct and not self._kept(t.text)]
            if not words or not any(t.is_alpha or t.like_num for t in words):
                continue
            if kind == "Name":
                words = [t for t in words if t.is_alpha or "-" in t.text or "'" in t.text]
                if not words:
                    continue
            elif kind in ("Place", "Organisation") and len(words) == 1 and words[0].is_title and words[0].is_alpha:
                # one capitalised word NER calls a place or organisation is, in case notes, more
                # often a first name ("Jayden and Mia (3)", "Marta said") unless it follows "in", "to"...
                word = words[0]
                if _AGE_AFTER.match(text, word.idx + len(word)):
                    kind = "Name"
                elif self._heading_word(word):
                    continue
                elif word.i == 0 or doc[word.i - 1].pos_ != "ADP":
                    kind = "Name?"
            found.append((words[0].idx, words[-1].idx + len(words[-1]), kind))
        for i, token in enumerate(doc):
            prev = doc[i - 1].lower_.rstrip(".") if i else ""
            if prev in TITLES and token.is_title and token.lower_ not in TITLES:
                found.append((token.idx, token.idx + len(token), "Name"))  # Ms. Okafor
            elif (token.pos_ == "PROPN" and token.is_title and token.is_alpha and not self._kept(token.text)
                  and i not in not_names and not self._heading_word(token)):
                found.append((token.idx, token.idx + len(token), "Name?"))  # first names NER misses
        found = [piece for span in found for piece in _subtract(span, protected)]
        return _merge(text, found)

    def _unify(self, texts: list[str], spans_by_text: list, pseudonyms: Pseudonyms) -> list:
        """One kind per string: what NER calls a person anywhere (or was learned as a name) is
        a person everywhere; a place or organisation that is a guessed name elsewhere is one too."""
        kinds: dict[str, set[str]] = {}
        for text, spans in zip(texts, spans_by_text):
            for s, e, k in spans:
                kinds.setdefault(_norm(text[s:e]), set()).add(k)
        for kind, original in pseudonyms.by_text:
            if kind == "Name":
                kinds.setdefault(original, set()).add("Name?" if original in pseudonyms.exact else "Name")

        def unified(text: str, s: int, e: int, k: str) -> str:
            seen = kinds[_norm(text[s:e])]
            if k in _RANK and "Name" in seen:
                return "Name"
            return "Name?" if k in _RANK and "Name?" in seen else k

        return [[(s, e, unified(t, s, e, k)) for s, e, k in spans] for t, spans in zip(texts, spans_by_text)]

    def _learn_names(self, texts: list[str], spans_by_text: list, pseudonyms: Pseudonyms) -> None:
        """Learn every name (NER's before guessed ones), so a surname alone gets the full name's placeholder."""
        for strength in ("Name", "Name?"):
            for text, spans in zip(texts, spans_by_text):
                for start, end, kind in spans:
                    if kind == strength:
                        self._learn(pseudonyms, text[start:end], exact=kind == "Name?")

    def learn(self, texts: list[str], pseudonyms: Pseudonyms, *, guessed: tuple[str, ...] = ()) -> None:
        """Learn the names in ``texts``, and the ``guessed`` ones, replacing nothing.

        Give it the rest of an example's record: a name the small model misses where it opens
        a sentence ("Sofia is in 4th grade") is then caught because it was found elsewhere.
        ``guessed`` names (such as the audit's role mentions) are matched only where capitalised.
        """
        spans_by_text = self._unify(texts, [self.spans(t) for t in texts], pseudonyms)
        self._learn_names(texts, spans_by_text, pseudonyms)
        for name in guessed:
            self._learn(pseudonyms, name, exact=True)

    def name_in(self, mention: str) -> str:
        """The capitalised words of a mention that may name a person ("Ms. Loretta Greer" -> "Loretta Greer").

        Titles, party words and function words go ("The children", "Sibling Brooke" -> "Brooke");
        an empty string when nothing is left.
        """
        words = [w.strip("().,;:") for w in mention.split()]
        return " ".join(w for w in words if w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha()
                        and not self._kept(w) and w.lower() not in STOP_WORDS and w.lower() not in TITLES)

    def redact(self, texts: list[str], pseudonyms: Pseudonyms | None = None) -> list[Redaction]:
        """De-identify texts that belong to one example, with consistent placeholders.

        Pass the ``pseudonyms`` of an earlier call (or of ``learn``) to continue its
        placeholders: a trainer's rewrite of an example gets the example's "[Name A]" for
        the same person.
        """
        pseudonyms = pseudonyms if pseudonyms is not None else Pseudonyms()
        pseudonyms.reserved.update(m.group() for t in texts for m in PLACEHOLDER.finditer(t))
        spans_by_text = self._unify(texts, [self.spans(t) for t in texts], pseudonyms)
        self._learn_names(texts, spans_by_text, pseudonyms)
        out = []
        for text, spans in zip(texts, spans_by_text):
            spans = _merge(text, [*spans, *self._known_names(text, spans, pseudonyms)])
            pieces, replaced, pos, new_pos = [], [], 0, 0
            for start, end, kind in spans:
                pieces.append(text[pos:start])
                new_pos += start - pos
                tag = pseudonyms.get(kind.rstrip("?"), text[start:end])
                pieces.append(tag)
                replaced.append((start, end, new_pos, new_pos + len(tag)))
                new_pos += len(tag)
                pos = end
            pieces.append(text[pos:])
            out.append(Redaction("".join(pieces), tuple(replaced)))
        return out

    def deidentify(self, texts: list[str], pseudonyms: Pseudonyms | None = None) -> list[str]:
        """De-identify texts that belong to one example; return the de-identified texts."""
        return [r.text for r in self.redact(texts, pseudonyms)]

    def _learn(self, pseudonyms: Pseudonyms, full: str, *, exact: bool) -> None:
        """Give a name and each of its parts (not titles or party words) one placeholder."""
        parts = [("Name", _norm(p)) for p in full.split()
                 if len(_norm(p)) > 2 and not self._kept(p.strip(string.punctuation))]
        keys = [("Name", _norm(full)), *parts]
        new = {k for k in keys if k not in pseudonyms.by_text}
        known = [pseudonyms.by_text[k] for k in keys if k not in new]
        tag = known[0] if known else pseudonyms.get("Name", full)
        for key in keys:
            pseudonyms.by_text.setdefault(key, tag)
            if exact and key in new:
                pseudonyms.exact.add(key[1])
            elif not exact:
                pseudonyms.exact.discard(key[1])

    def _known_names(self, text: str, spans: list[tuple[int, int, str]], pseudonyms: Pseudonyms):
        """A learned name where NER and patterns did not look ("told priya"), outside other spans.

        A lower-case occurrence is left alone when the name is an English function word
        ("will", "may") or was only ever a guess from capitalisation ("Summer", "Review").
        """
        starts = [s for s, _, _ in spans]
        protected = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
        names = sorted({original for (kind, original) in pseudonyms.by_text if kind == "Name" and len(original) > 2},
                       key=len, reverse=True)
        for original in names:
            for m in re.finditer(rf"(?<![\w\[]){re.escape(original)}(?!\w)", text, flags=re.I):
                if not m.group()[:1].isupper() and (original in STOP_WORDS or original in pseudonyms.exact):
                    continue
                i = bisect.bisect_right(starts, m.start()) - 1
                inside = i >= 0 and spans[i][1] > m.start()
                if not inside and not any(ps < m.end() and m.start() < pe for ps, pe in protected):
                    yield (m.start(), m.end(), "Name")


def _common_words(nlp: Language) -> frozenset[str]:
    """English words the model's lemmatizer knows (its WordNet index), to tell headings from names."""
    try:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, AttributeError, ValueError):
        return frozenset()
    return frozenset(word for words in index.values() for word in words)
