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
_WORD = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_NAME = rf"{_TITLE}{_WORD}(?:\s{_WORD})?"
NOT_NAMES = {w.lower() for w in """The This That These Those He She They His Her Their It We I You On In At For And But Or
If When While After Before Since Until Today Tomorrow Yesterday Monday Tuesday Wednesday Thursday Friday Saturday
Sunday January February March April May June July August September October November December Police Court School
Nursery Plan Safety Home Visit Case Worker Team Risk Referral Reason Analysis Decision Plan Note Notes Call Phone
Met Spoke Discussed Explained Advised Agreed Said Stated Reported Mum Dad Mother Father Mom Also Both All No Not""".split()}


class NameHarvester:
    """Find introduced names in notes, given the party words of the roles file."""

    def __init__(self, party_words: dict[str, str]) -> None:
        # party word (lower case) -> roles group id; longest words first in the alternation
        self.party_words = party_words
        words = sorted(party_words, key=len, reverse=True)
        forms = [f"(?i:{re.escape(w)})" for w in words]
        role = "(?P<word>" + "|".join(forms) + ")"
        self.patterns = [
            # "Marta Kowalska (mum)", "Mr Ashby (father)", "Ryan (FA, 31)"
            re.compile(rf"\b(?P<name>{_NAME})\s*\(\s*{role}\b"),
            # "mum Marta", "mother, Dana Okafor,", "FA: Ryan Lloyd", "her partner Jordan"
            re.compile(rf"\b{role}\s*[,:\-–]?\s+(?P<name>{_NAME})\b"),
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
        for pattern in self.patterns:
            for m in pattern.finditer(text):
                name = m.group("name")
                if name.split()[-1].lower() in NOT_NAMES or name.split()[0].lower() in NOT_NAMES:
                    continue
                found[name].add("group:" + self.party_words[m.group("word").lower()])
        for m in self.child.finditer(text):
            name = m.group("name")
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
