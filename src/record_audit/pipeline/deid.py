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

# -- a capitalised word used as a person ---------------------------------------------------------
# Names of every origin: any capital (Ł, Ó, Ā, Nguyễn's Ễ), letters of any script, joined by
# hyphens or apostrophes ("Seo-yeon", "Ng'ang'a", "N'Diaye", "O'Brien"); a possessive "'s" is not part of it.
_UPPER = "".join(sorted(c for c in map(chr, range(0x2000)) if c.isupper()))
_LETTER = r"[^\W\d_]"
NAME_WORD = re.compile(rf"(?<![\w'’-])[{re.escape(_UPPER)}]{_LETTER}*(?:['’-]{_LETTER}+)*")
_JOINERS = "-'’"
# people a name is introduced with ("MO Chidi", "her partner, Will", "Eze (mother)")
FAMILY = set("""mother father mum mom mam mummy mommy daddy dad parent parents sister brother sibling siblings son
daughter baby child children kid grandmother grandfather grandma grandpa granddad gran nan nana nanna aunt auntie
uncle cousin niece nephew partner boyfriend girlfriend husband wife ex fiance fiancé fiancee fiancée friend
neighbour neighbor carer stepfather stepmother stepdad stepmum stepmom teacher worker caseworker keyworker officer
detective victim survivor perpetrator client resident pupil student youngster toddler infant twin twins""".split())
# what a person has: "Hope's father", "took Grace's phone"
PERSON_THINGS = FAMILY | set("""phone mobile room bedroom bed house home flat school nursery class friends behaviour
behavior bruise bruises injury injuries face arm arms leg legs hand hands head neck eye eyes back hair body clothes
toys bag car birthday name account messages needs safety wellbeing views wishes voice statement disclosure care
medication health development attendance progress plan appointment keyworker gp doctor therapist""".split())
# verbs whose subject is a person ("Will attended", "MO said Precious screamed")
PERSON_VERBS = set("""say tell disclose report state explain describe deny admit claim allege cry scream shout yell
laugh smile giggle hide run flee leave return attend miss refuse agree decline want wish feel sleep eat play hit push
punch kick slap grab threaten strike choke strangle bite hurt call phone ring text message email visit meet see
speak talk ask answer reply respond confirm promise sign move live stay arrive walk sit stand wake worry fear love
hate like know think believe remember forget understand engage cooperate comply participate consent request need
apologise apologize blame accuse insist minimise minimize protect cook clean take give bring send drive kiss hug touch
bathe feed dress write draw sing sob shake tremble flinch reveal mention complain argue fight swear drink smoke assault
attack follow stalk control isolate whisper nod shrug lie cuddle wet soil bang kick struggle cope manage admit
present share open hope wonder prefer enjoy choose decide try work study learn read sleepwalk vomit faint collapse
disappear abscond escape""".split())
# verbs whose object is a person ("phoned Precious", "FA hit Seán")
PERSON_OBJECT_VERBS = set("""hit push punch kick slap grab threaten strike choke strangle bite hurt injure call phone
ring text message email visit meet see tell ask help hug kiss touch take collect pick bring drive feed bathe dress
carry hold protect comfort reassure warn advise inform remind thank interview assess observe support contact chase
follow stalk assault attack abuse rape blame accuse shout scream swear lock leave hide punish smack shake throw
drag restrain isolate control monitor supervise wake settle put send introduce encourage praise reward""".split())
# words after a person: "Will was quiet", "Hope seemed upset"
PERSON_STATES = set("""quiet polite upset scared frightened afraid tearful angry happy sad withdrawn anxious distressed
calm settled shy nervous worried tired hungry unwell ill sick safe present absent asleep awake aggressive violent
drunk intoxicated hostile cooperative engaged chatty friendly pleased relieved shaken bruised injured hurt smiling
crying alone pregnant clingy subdued animated talkative polite rude defiant cheerful""".split())
# capitalised service and institution words that are not names ("Hospital appointment", "informed School")
INSTITUTIONS = set("""school nursery hospital council housing probation health visitor services service refuge
shelter aid clinic surgery practice centre center unit ward department team agency trust authority office board panel
programme program project charity support group church mosque temple gurdwara synagogue library pharmacy jobcentre
benefits college university academy prison court police family families children child social care early help
association partnership network forum conference meeting review hearing order tribunal magistrates crown county
district city state federal national local emergency ambulance fire""".split())
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"}
# prepositions before a place: "moved to Manchester", "born in Lagos"
PLACE_PREPOSITIONS = {"in", "from", "near", "at", "into", "to", "around", "outside", "towards", "toward", "across",
                      "via", "through", "within"}
# verbs after which "to"/"with" takes a person: "spoke to Grace", "lives with Will"
_TO_PERSON = {"speak", "talk", "say", "explain", "write", "reply", "lie", "listen", "apologise", "apologize",
              "complain", "disclose", "report", "go", "run", "turn", "give", "send", "introduce", "read", "sing",
              "whisper", "shout", "scream", "text", "message", "email", "chat", "reach", "tell"}
_TITLE_BEFORE = re.compile(r"\b(?i:ms|mrs|miss|mr|mx|dr|mister|judge|master)\.?\s+$")
_VOCATIVE_BEFORE = re.compile(r"(?:^|[\s(\"“'‘])(?i:dear|hi|hiya|hello|hey|thank\s+you|thanks|well\s+done|good\s+"
                              r"(?:morning|afternoon|evening|night)|sorry|bye|goodbye|cheers|congratulations|"
                              r"love|take\s+care|night)\s*,?\s+$")
_VOCATIVE_END = re.compile(rf"\s*(?:[,.!?:;\n)]|$|\s+[{re.escape(_UPPER)}])")
_VOCATIVE_AFTER = re.compile(r",\s+(?i:you|your|you're|we|we're|i|i'm|please|thank|thanks|well\s+done|can|could|"
                             r"would|will|do|did|don't|are|have|remember|listen|look|it's|that's|let's|come|tell|"
                             r"how|what|where|why|when|is|there|here|my|our|this|no|yes)\b")
_SENTENCE_OPEN = re.compile(r"(?:^|[.!?…]\s+|\n\s*|[\"“‘(]\s*)$")
_FIELD = re.compile(r"(?im)^[ \t>*-]*(?:to|attn|attention|from|cc|bcc|name|client|child|mother|father|parent|carer|"
                    r"young\s+person|service\s+user|patient|pupil|signed|signature)\s*:[ \t]*$")
_LANGUAGE_BEFORE = re.compile(r"(?i:\b(?:language|languages|tongue|dialect)\s+(?:is|was|are|were|of)\s+"
                              r"|\b(?:speaks?|spoke|speaking|speak|fluent\s+in|reads|writes|interpreted\s+into|"
                              r"translated\s+into)\s+(?:only\s+|mainly\s+|mostly\s+|some\s+|little\s+|fluent\s+|"
                              r"limited\s+|basic\s+|good\s+)?"
                              r"|\b(?:english|and|or)\s+(?:and|or)\s+)$")
_LANGUAGE_AFTER = re.compile(r"(?i:\s*-?\s*(?:interpreter|interpreting|speaker|speakers|speaking|translation|"
                             r"translator|language|dialect)\b)")
# "However, you ...", "Sadly, we ...", "Overall, ...": sentence openers that are no vocative
_NOT_VOCATIVE_POS = {"SCONJ", "CCONJ", "DET", "PRON", "ADP", "NUM", "INTJ", "PART"}
_OPENERS = set("""overall anyway afterwards instead later today tonight okay ok yes no sorry again also now well so then
still meanwhile though plus besides hence thus therefore regardless nevertheless nonetheless please remember look
listen honestly basically apparently hopefully actually first second third next last finally""".split())


def _may_be_called(token) -> bool:
    """Whether a sentence's first word before ", you ..." may be a person called by name ("Will, you did well")."""
    lower = token.lower_
    if token.pos_ in _NOT_VOCATIVE_POS or lower in _OPENERS or lower.endswith("ly"):
        return False
    return lower not in STOP_WORDS or token.pos_ == "AUX"  # a modal before a comma is a name


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
            # overlapping identifiers: redact the union; a person's sign outweighs NER's place or organisation
            weaker = merged[-1][2] in ("Organisation", "Place", "Name?") or (
                merged[-1][2] == "Address" and not any(c.isdigit() for c in text[merged[-1][0]:end]))
            joined = "Name" if kind == "Name" and weaker else merged[-1][2]
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), joined)
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
        # the words a name is introduced with: family words, and the rules' party acronyms ("MO", "FA")
        self.introducers = frozenset(FAMILY | {w for w in words if w.isalpha() and 2 <= len(w) <= 4
                                               and w not in STOP_WORDS})

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

    def _ordinary(self, tokens) -> bool:
        """Whether every word of a (possibly hyphenated) capitalised word is an English word."""
        words = [t for t in tokens if t.is_alpha]
        return bool(words) and all(t.lower_ in self.common or t.lower_ in STOP_WORDS or t.lemma_.lower() in self.common
                                   for t in words)

    def _introduced(self, text: str, start: int, end: int) -> bool:
        """A party or family word right before ("MO Chidi", "her partner, Will") or in brackets after ("(mother)")."""
        before = re.search(r"([^\W\d_]+)\s*[,:]?\s+$", text[max(0, start - 40):start])
        if before:
            word = before.group(1)
            if word.lower() in FAMILY or (word.isupper() and word.lower() in self.introducers):
                return True
        after = re.match(r"\s*\(\s*([^)]{1,40})\)", text[end:])
        if after:
            inside = re.findall(r"[^\W\d_]+", after.group(1))
            return bool(inside) and (inside[0].lower() in FAMILY or inside[0].isupper() and
                                     inside[0].lower() in self.introducers or inside[0].lower() in ("aged", "age"))
        return False

    def _person_role(self, span, opening: bool, ordinary: bool) -> bool:
        """The subject of what a person does or is, or the object of what is done to a person."""
        root = span.root
        head = root.head
        if root.dep_ in ("nsubj", "nsubjpass") and head is not root:
            if root.dep_ == "nsubj" and head.lemma_.lower() in PERSON_VERBS:
                return True
            states = [c for c in head.children if c.dep_ in ("acomp", "attr", "oprd") and c.lemma_.lower() in PERSON_STATES]
            if states and head.lemma_.lower() in ("be", "seem", "appear", "look", "become", "get", "feel", "remain"):
                return True
            return root.dep_ == "nsubjpass" and head.lemma_.lower() in PERSON_OBJECT_VERBS and not opening
        # "Will attended": a modal that is a name, misparsed as the auxiliary of a past-tense verb
        if root.dep_ in ("aux", "dep") and root.pos_ == "AUX" and head.tag_ in ("VBD", "VBZ", "VBN"):
            return True
        if opening and ordinary:
            return False  # a sentence's first word is an object only by a misparse
        if root.dep_ in ("dobj", "dative", "iobj", "obj") and head.lemma_.lower() in PERSON_OBJECT_VERBS:
            return True
        if root.dep_ == "pobj" and head.lower_ in ("with", "to", "at", "for") and head.head is not head:
            verb = head.head.lemma_.lower()
            if head.lower_ == "with" and verb in PERSON_VERBS | PERSON_OBJECT_VERBS:
                return True
            if head.lower_ == "to" and verb in _TO_PERSON:
                return True
            if head.lower_ in ("at", "for") and verb in ("shout", "scream", "swear", "yell", "look", "stare", "care",
                                                         "wait", "ask", "cry", "throw", "lunge", "spit", "laugh"):
                return True
        return False

    def _person_words(self, text: str, doc) -> list[tuple[int, int, str]]:
        """Capitalised words used as a person, whatever NER thought: "Name" with a person's sign, else
        "Name?" for a word that is no English word (unless used as a place), "Place" after "in", "from"...

        Signs: a title before; an age, a party word ("MO", "mother") before or in brackets after;
        a vocative or an addressee; the possessor of a family word or a person's things; the subject
        of a person's verb or state, the object of what is done to a person. A capitalised English
        word ("Hope", "Will", "Summer") is a name only with such a sign; a word that is no English
        word ("Tevita", "Seo-yeon", "Ng'ang'a") is a name unless it is a place, a language or a
        service. Days, months, the rules' party and practice words and services stay.
        """
        found = []
        names_at: set[int] = set()
        for m in NAME_WORD.finditer(text):
            start, end = m.span()
            word = m.group()
            if len(word) > 3 and word[-2] in "'’" and word[-1] in "sS":
                end -= 2
                word = word[:-2]
            lower = word.lower()
            parts = [p for p in re.split(r"['’-]", lower) if p]
            if (len(word) < 2 or word.isupper() or self._kept(word) or lower in TITLES
                    or all(p in INSTITUTIONS or p in self.keep for p in parts)):
                continue
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            root = span.root
            before = text[:start]
            opening = bool(_SENTENCE_OPEN.search(before)) or root.is_sent_start
            if _LANGUAGE_BEFORE.search(before[-60:]) or _LANGUAGE_AFTER.match(text, end):
                continue  # "first language is Urdu", "Tigrinya interpreter"
            ordinary = self._ordinary(span)
            strong = (_TITLE_BEFORE.search(before[-12:]) is not None
                      or _AGE_AFTER.match(text, end) is not None
                      or self._introduced(text, start, end)
                      or _FIELD.search(before[-40:]) is not None
                      or (_VOCATIVE_BEFORE.search(before[-30:]) is not None and _VOCATIVE_END.match(text, end))
                      or (opening and _VOCATIVE_AFTER.match(text, end) is not None and _may_be_called(root))
                      or (root.dep_ == "poss" and root.head.lemma_.lower() in PERSON_THINGS)
                      or any(t.ent_type_ == "PERSON" for t in span))
            if lower in MONTHS or lower in STOP_WORDS and root.pos_ != "AUX":
                # "Nobody said", "in May": a person only with a title, a party word or an age ("Mrs May", "June (4)")
                if not (_TITLE_BEFORE.search(before[-12:]) or self._introduced(text, start, end)
                        or _AGE_AFTER.match(text, end)):
                    continue
                strong = True
            if strong or self._person_role(span, opening, ordinary):
                # an English word ("Summer (4)") stays a guess, matched elsewhere only capitalised, unless
                # NER, a title or an introduction ("MO Summer Baker") says the record names a person so
                introduced = (_TITLE_BEFORE.search(before[-12:]) or self._introduced(text, start, end)
                              or any(t.ent_type_ == "PERSON" for t in span))
                found.append((start, end, "Name" if introduced or not ordinary else "Name?"))
                names_at.add(start)
                continue
            if ordinary or root.ent_type_ in ("NORP", "LANGUAGE", "DATE", "TIME", "EVENT", "ORG", "PRODUCT",
                                              "WORK_OF_ART", "LAW"):
                continue  # an English word with no person's sign; NER's organisations are its own spans
            if _DEMONYM.search(lower) and root.pos_ == "ADJ":
                continue  # "Eritrean", "Tamil" as adjectives
            if self._heading_word(root):
                continue
            previous = doc[span.start - 1] if span.start else None
            if root.ent_type_ in ("GPE", "LOC", "FAC") or (
                    previous is not None and previous.lower_ in PLACE_PREPOSITIONS and root.dep_ == "pobj"):
                found.append((start, end, "Place"))
                continue
            found.append((start, end, "Name?"))
        # a capitalised word beside a name is part of it ("To: Will Mills", "Seán Ní Bhriain")
        words = [(m.start(), m.end() - (2 if len(m.group()) > 3 and m.group()[-2] in "'’" and m.group()[-1] in "sS"
                                          else 0), m.group()) for m in NAME_WORD.finditer(text)]
        named = {(s, e) for s, e, k in found if k.startswith("Name")}
        changed = True
        while changed:
            changed = False
            for i, (s, e, w) in enumerate(words):
                if (s, e) in named:
                    continue
                lower = w.lower()
                if (self._kept(w) or lower in TITLES or lower in MONTHS or w.isupper() and len(w) > 2
                        or lower in INSTITUTIONS or lower in STOP_WORDS and len(w) > 2):
                    continue
                near = [(words[j][0], words[j][1]) for j in (i - 1, i + 1) if 0 <= j < len(words)]
                for ns, ne in near:
                    gap = text[min(e, ne):max(s, ns)]
                    if (ns, ne) in named and gap in (" ", "\u00a0"):
                        found.append((s, e, "Name"))
                        named.add((s, e))
                        changed = True
                        break
        return found

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
            if kind in ("Place", "Organisation") and all(t.lower_ in INSTITUTIONS or t.is_stop for t in words):
                continue  # "the Council", "Housing", "Children's Services": a service, not which one
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
                  and token.lower_ not in INSTITUTIONS and i not in not_names and not self._heading_word(token)):
                # first names NER misses; "to Manchester", "in Lagos": a place (still an identifier)
                place = prev in PLACE_PREPOSITIONS and token.dep_ == "pobj" and not token.ent_type_ == "PERSON"
                found.append((token.idx, token.idx + len(token), "Place" if place else "Name?"))
        found.extend(self._person_words(text, doc))
        found = [(*_whole_word(text, s, e), k) if k.startswith("Name") else (s, e, k) for s, e, k in found]
        found = [span for span in found if not _language_word(text, span)]
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

    def _english(self, name: str) -> bool:
        """Whether a learned name is (made of) English words, so its lower-case form may be a word."""
        parts = [p for p in re.split(r"[\s'’-]+", name) if p]
        return any(p in self.common or p in STOP_WORDS for p in parts)

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
                if not m.group()[:1].isupper() and (original in STOP_WORDS or original in pseudonyms.exact
                                                    and self._english(original)):
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


def _whole_word(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a name to the whole word it is part of ("Seo" in "Seo-yeon", "Brien" in "O'Brien"), not its "'s"."""
    while start > 1 and text[start - 1] in _JOINERS and text[start - 2].isalpha():
        start -= 1
        while start > 0 and text[start - 1].isalpha():
            start -= 1
    while end < len(text) - 1 and text[end] in _JOINERS and text[end + 1].isalpha():
        if text[end] in "'’" and text[end + 1] in "sS" and (end + 2 == len(text) or not text[end + 2].isalpha()):
            break
        end += 1
        while end < len(text) and text[end].isalpha():
            end += 1
    return start, end


def _language_word(text: str, span: tuple[int, int, str]) -> bool:
    """A language named as one ("first language is Urdu", "a Tigrinya interpreter"): no identifier."""
    start, end, kind = span
    if kind not in ("Name", "Name?", "Place", "Organisation") or " " in text[start:end].strip():
        return False
    return bool(_LANGUAGE_BEFORE.search(text[max(0, start - 60):start]) or _LANGUAGE_AFTER.match(text, end))
