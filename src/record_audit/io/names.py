"""Learn who is who in a record from how its notes introduce people.

Case notes name people by first name ("Ryan checks her phone") after introducing them
once: "Marta Kowalska (mum)", "FA Ryan Lloyd", "mother, Dana Okafor,", "Harvey (6)".
This cheap pass (regular expressions, no spaCy) runs over a record's notes before the
pipeline does, and maps each introduced name to the *party word* it was introduced
with (``group:female_parent``), so the roles component resolves it with the record's
own roles: declared parties still decide who the mother is. A name introduced with two
different party words in one record is left out rather than guessed.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

_TITLE = r"(?:(?:Ms|Mrs|Miss|Mr|Mx)\.?\s+)?"
# a capital and small letters, whatever the alphabet's accents: Okafor, Öztürk, O'Neill, Fa'amausili, Nguyen-Tran
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LOW = "a-zß-öø-ÿā-ž"
_WORD = rf"[{_UP}](?:[{_LOW}]+|['’][{_UP}][{_LOW}]+)(?:['’-][{_UP}]?[{_LOW}]+)?"
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|dos|das|du|la|le|al|el|bin|binti|ibn|ter|ten)[\s-]"
# "Rosa M." (a first name and an initial), "P.B." / "A.T." (initials), "Mr X" / "Ms S." (a titled letter)
_NAME = (rf"(?:{_TITLE}(?:{_PARTICLE}){{0,2}}{_WORD}(?:\s(?:{_PARTICLE}){{0,2}}{_WORD})?(?:\s[A-Z]\.)?"
         rf"|(?:[A-Z]\.){{2,3}}|(?:Ms|Mrs|Miss|Mr|Mx)\.?\s+[A-Z]\b\.?)")
# court and review parties, named by their part in the proceedings: which parent each is, the record says
# ("the respondent father", "A.T., Mother, Appellant", "the appellant (the mother)", "The respondent is the father")
# the parties an apposition may name ("Ms Adebayo, the mother,"); other people and children come in lists
APPOSITION_GROUPS = {"female_parent", "male_parent", "female_partner", "male_partner", "neutral_perpetrator", "neutral_survivor"}
_TITLED_BEFORE = re.compile(r"\b(?:Ms|Mrs|Miss|Mr|Mx)\.?\s+(?:[\w'’]+[\s-]){0,2}$")
TITLE_FORMS = {t: forms for forms in (("Mr", "Mr."), ("Ms", "Ms.", "Mrs", "Mrs.", "Miss")) for t in forms}
COURT_PARTIES = ("respondent", "appellant", "applicant", "petitioner", "claimant", "plaintiff", "complainant",
                 "defendant", "intervenor")
_COURT = "(?P<alias>(?i:" + "|".join(COURT_PARTIES) + "))"
NOT_NAMES = {w.lower() for w in """The This That These Those He She They His Her Their It We I You On In At For And But Or
If When While After Before Since Until Today Tomorrow Yesterday Monday Tuesday Wednesday Thursday Friday Saturday
Sunday January February March April May June July August September October November December Police Court School
Nursery Plan Safety Home Visit Case Worker Team Risk Referral Reason Analysis Decision Plan Note Notes Call Phone
Met Spoke Discussed Explained Advised Agreed Said Stated Reported Mum Dad Mother Father Mom Also Both All No Not
Respondent Appellant Applicant Petitioner Claimant Plaintiff Complainant Defendant Intervenor Minor Children
Family Harm Domestic Abuse Violence Table Report Unit Act Order""".split()}


class NameHarvester:
    """Find introduced names in notes, given the party words of the roles file."""

    def __init__(self, party_words: dict[str, str]) -> None:
        # party word (lower case) -> roles group id; longest words first in the alternation
        self.party_words = party_words
        words = sorted(party_words, key=len, reverse=True)
        forms = [f"(?i:{re.escape(w)})" for w in words]
        role = "(?P<word>" + "|".join(forms) + ")"
        any_role = "(?:" + "|".join(forms) + ")"
        end = r"\b(?!['’]s\b)"  # "Jane, the mother's friend" is not the mother
        of_children = r"(?:\s+of\s+(?:the|all|both|all\s+\w+|her|his|their)?\s*(?:\w+\s+)?(?:children|child|boys|girls))?"
        self.patterns = [
            # "Marta Kowalska (mum)", "Mr Ashby (father)", "Ryan (FA, 31)", "P.B. (the mother)"
            re.compile(rf"(?<![\w.])(?P<name>{_NAME})\s*\(\s*(?:the\s+|her\s+|his\s+)?{role}{end}"),
            # "mum Marta", "mother, Dana Okafor,", "FA: Ryan Lloyd", "her partner Jordan", "the mother, P.B.,"
            # (unless the name's own party word follows: "Minor Children, A.T., Mother")
            re.compile(rf"\b{role}\s*[,\-–]?\s+(?P<name>{_NAME})(?![\w'’])(?!,\s+{any_role}\b)"),
            # "Ms Adebayo, the mother, ...", "A.T., Mother, Appellant", "Mr X, her former partner,"
            re.compile(rf"(?<![\w.])(?P<name>{_NAME}),\s+(?:the\s+|her\s+|his\s+|their\s+|(?:her|his|the)\s+former\s+)?{role}{end}"
                       r"(?=\s*(?:[,;.)]|of\b|$))"),
            # "The mother is Ms Funmilayo Adebayo", "The father of all three children is Mr Reece Holloway"
            re.compile(rf"\b{role}{of_children}\s+(?:is|was)\s+(?P<name>{_NAME})(?![\w'’])"),
            # "FA: Ryan Lloyd" as a header; not minutes' "IDVA: Ms Eze has had two contacts" (a speaker's label)
            re.compile(rf"\b{role}\s*:\s*(?P<name>{_NAME})(?=\s*(?:[,;(\n]|$))"),
        ]
        # the parties' parts in the proceedings, tied to a party word in either order
        self.aliases = [
            re.compile(rf"\b{_COURT}\s+{role}{end}"),                        # "the respondent father"
            re.compile(rf"\b{role}\s*(?:\(|,)\s*(?:the\s+)?{_COURT}\b"),    # "Mother, Appellant", "the mother (the applicant)"
            re.compile(rf"\b{_COURT}\s*(?:\(|,)\s*(?:the\s+)?{role}{end}"),  # "the appellant, the mother,"
            re.compile(rf"\b{_COURT}\s+(?:is|was)\s+(?:the\s+|her\s+|his\s+)?{role}{end}"),  # "The respondent is the father"
        ]
        # a name with an age under 18: "Jayden (6)", "Mia, 4,", "Leo aged 3" ("Dale, 34," is no child)
        age = r"(?:1[0-7]|0?\d)"
        self.child = re.compile(rf"\b(?P<name>{_WORD}(?:\s{_WORD})?)\s*(?:\(\s*(?:aged?\s*)?{age}\s*(?:yo|y/o|yrs?)?\s*[),]"
                                rf"|,\s*(?:aged?\s*)?{age}\s*(?:yo|y/o|yrs?)?,|\s+aged?\s+{age}\b)")

    def harvest(self, texts: Iterable[str]) -> dict[str, str]:
        """Return {name: "group:<id>" or "child"} for one record's notes."""
        found: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            self.collect(text, found)
        return self.resolve(found)

    def collect(self, text: str, found: dict[str, set[str]]) -> None:
        """Add the names one note introduces to ``found`` ({name: party words})."""
        introduced: set[tuple[int, int]] = set()  # names a party word stands before ("his mother Kiri, his father Shane")
        for i, pattern in enumerate(self.patterns):
            for m in pattern.finditer(text):
                name = m.group("name")
                if i == 1:
                    introduced.add(m.span("name"))
                elif i == 2 and (m.span("name") in introduced
                                 or self.party_words[" ".join(m.group("word").lower().split())] not in APPOSITION_GROUPS):
                    continue  # a list ("Ms Rahman, the children and police", "Ms H, her advocate, ...") is no apposition
                if name.split()[-1].lower() in NOT_NAMES or name.split()[0].lower() in NOT_NAMES:
                    continue
                found[name].add("group:" + self.party_words[" ".join(m.group("word").lower().split())])
        for pattern in self.aliases:
            for m in pattern.finditer(text):
                # "respondent" is a learned name for this record; a word both parents share is dropped in resolve
                found[m.group("alias").lower()].add("group:" + self.party_words[" ".join(m.group("word").lower().split())])
        for m in self.child.finditer(text):
            name = m.group("name")
            before = text[:m.start("name")]
            # "Ms al-Rashid (31)", "Ms McBride (31)": an adult's titled name with her age is no child
            if _TITLED_BEFORE.search(before) or before[-1:] in ("-", "'", "’"):
                continue
            if name.split()[0].lower() not in NOT_NAMES:
                found[name].add("child")

    @staticmethod
    def resolve(found: dict[str, set[str]]) -> dict[str, str]:
        """Keep names introduced one way only; a bare first name or surname follows its full name.

        A name given with a child's age is a child, whatever party word it also stood beside:
        "MO, Jayden and Mia (3)" lists the people present, it does not name the mother.
        """
        out = {}
        for name, roles in found.items():
            if "child" in roles:
                out[name] = "child"
            elif len(roles) == 1:
                out[name] = next(iter(roles))
        # a bare first name or surname inherits its full name's role, unless two people share it
        parts: dict[str, set[str]] = defaultdict(set)
        for name, roles in found.items():
            for part in re.sub(r"^(?:Ms|Mrs|Miss|Mr|Mx)\.?\s+", "", name).split():
                parts[part] |= {out[name]} if name in out else roles
        for part, roles in parts.items():
            if len(roles) == 1 and part not in out and len(part) > 2:
                out[part] = next(iter(roles))
        # "Mr Gavin Lowe" is learned as "Mr Lowe" too, with every title of his gender: a bare "Lowe" after
        # another title ("Ms Lowe") is left to that title (pipeline/roles.py)
        for name, role in list(out.items()):
            words = name.replace(".", "").split()
            if len(words) > 2 and words[0] in TITLE_FORMS:
                for title in TITLE_FORMS[words[0]]:
                    out.setdefault(f"{title} {words[-1]}", role)
        return out


def harvester_from_groups(groups) -> NameHarvester:
    """Build the harvester from the roles file's party words (pronouns and titles excluded)."""
    words: dict[str, str] = {}
    for group in groups:
        if group.id in ("female_pronoun", "male_pronoun") or not group.terms:
            continue
        for term in group.terms:
            if term.lower() in ("i", "we", "la", "le", "cm", "pd", "sw", "hv", "gp", "yp", "cw"):
                continue  # too common, or too often followed by a place or a date, to introduce a name
            words.setdefault(term.lower(), group.id)
    return NameHarvester(words)
