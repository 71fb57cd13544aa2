"""``record_audit_roles``: who each mention is — survivor, perpetrator, child, worker, other.

Party words and titled names come from ``rules/roles.yaml``. Roles are not tied to
gender: each group has a default role, and a record's declared parties (``doc._.parties``,
from ``--parties``) override a group, a gender or a named person. Untitled names next to
a party word ("mother, Dana Okafor," / "BM Dana") take that word's role for the note.
"""
from __future__ import annotations

from collections.abc import Iterable

import srsly
from spacy import util
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from ..rules import RoleGroup
from .extensions import ROLES_KEY, register_extensions

TITLES = {"ms", "ms.", "mrs", "mrs.", "miss", "mr", "mr.", "mister", "mx", "mx."}
FEMALE_TITLES = {"ms", "ms.", "mrs", "mrs.", "miss"}
MALE_TITLES = {"mr", "mr.", "mister"}
_OPPOSITE = {"survivor": "perpetrator", "perpetrator": "survivor"}
_LINKERS = {",", "(", ")", "-", "the", "a", ":"}
# "MO, Jayden and Mia (3) present" lists people: a name followed by these is not the party word's
_LIST_WORDS = {"and", "&", "or", "+"}
# "on Harlan St, MO, ...": a capitalised run after these is a place, not the party's name
_PLACE_WORDS = {"at", "on", "in", "near", "off"}
_HYPHENS = {"-", "‐", "–"}
TITLED_GROUPS = {"female_titled", "male_titled"}
# party values learned from the notes (io/names.py), as opposed to declared with --parties
LEARNED = "learned:"


def _open_bracket(span) -> bool:
    """Whether ``span`` opens more round brackets than it closes ("Jayden ( 6", not "Mia ( 8)")."""
    return sum(t.text.count("(") for t in span) > sum(t.text.count(")") for t in span)


class RoleTagger:
    """Tag tokens with ``Token._.role`` and keep mentions in ``doc.spans['audit_roles']``."""

    def __init__(self, nlp: Language, name: str, *, spans_key: str = ROLES_KEY) -> None:
        register_extensions()
        self.name, self.spans_key, self.vocab = name, spans_key, nlp.vocab
        self.groups: dict[str, RoleGroup] = {}
        self.term_group: dict[str, str] = {}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab, validate=True)
        self._tokenizer = nlp.tokenizer
        self._party_cache: dict[tuple, tuple[PhraseMatcher, dict[str, str]]] = {}

    def add_groups(self, groups: Iterable[RoleGroup]) -> None:
        for group in groups:
            self.groups[group.id] = group
            if group.terms:
                self.phrases.add(group.id, [self._tokenizer(t) for t in group.terms])
                for term in group.terms:
                    self.term_group[term.lower()] = group.id
            if group.patterns:
                self.matcher.add(group.id, [list(p) for p in group.patterns])
        self._party_cache.clear()

    # -- who is who in this record ---------------------------------------------
    def _group_roles(self, parties: dict[str, str]) -> dict[str, str | None]:
        """Resolve each group's role for a record from its declared parties."""
        roles: dict[str, str | None] = {g.id: g.role for g in self.groups.values()}
        declared: dict[str, set[str]] = {"female": set(), "male": set(), "neutral": set()}
        explicit: set[str] = set()
        for name, role in parties.items():
            if role.startswith(LEARNED):
                continue  # names learned from the notes never redefine the party words
            key = name.strip().lower()
            group_id = key if key in self.groups else self.term_group.get(key)
            if group_id is not None:
                roles[group_id] = role
                explicit.add(group_id)
                declared[self.groups[group_id].gender].add(role)
                continue
            first = key.split()[0] if key.split() else ""
            if first in FEMALE_TITLES:
                declared["female"].add(role)
            elif first in MALE_TITLES:
                declared["male"].add(role)
        for gender in ("female", "male"):
            other = "male" if gender == "female" else "female"
            own = declared[gender] & {"survivor", "perpetrator"}
            if len(own) > 1:
                # e.g. a same-sex couple: this gender's pronouns and titles say nothing
                new: str | None = None
            elif len(own) == 1:
                new = own.pop()
            elif len(declared[other] & {"survivor", "perpetrator"}) == 1:
                # a declared perpetrator of one gender makes the other the survivor by default
                new = _OPPOSITE[next(iter(declared[other] & {"survivor", "perpetrator"}))]
            else:
                continue
            for group in self.groups.values():
                if (group.gender == gender and group.id not in explicit
                        and group.role in ("survivor", "perpetrator")):
                    roles[group.id] = new
        return roles

    def _party_matcher(self, parties: dict[str, str]) -> tuple[PhraseMatcher | None, dict[str, str]]:
        names = {n: r for n, r in parties.items()
                 if n.strip().lower() not in self.groups and n.strip().lower() not in self.term_group}
        if not names:
            return None, {}
        key = tuple(sorted(names.items()))
        if key not in self._party_cache:
            matcher = PhraseMatcher(self.vocab, attr="LOWER")
            by_key: dict[str, str] = {}
            for i, (name, role) in enumerate(sorted(names.items())):
                forms = {name}
                if not role.startswith(LEARNED):  # learned names come with their safe parts already
                    words = [w for w in name.split() if w.lower().strip(".") not in {t.strip(".") for t in TITLES}]
                    forms.update(w for w in words if len(w) > 2)
                match_key = f"party_{i}"
                matcher.add(match_key, [self._tokenizer(f) for f in forms])
                by_key[match_key] = role
            if len(self._party_cache) > 256:
                self._party_cache.clear()
            self._party_cache[key] = (matcher, by_key)
        return self._party_cache[key]

    # -- tagging ---------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        mentions = self.mentions(doc)
        if self._merge_hyphenated_names(doc, mentions):
            mentions = self.mentions(doc)
        spans = []
        for start, end, role, _ in mentions:
            if role is None:
                continue
            for token in doc[start:end]:
                token._.role = role
                token.ent_id_ = role  # what the rules match on (extensions.ROLE_ATTR)
            spans.append(Span(doc, start, end, label=role))
        doc.spans[self.spans_key] = spans
        return doc

    @staticmethod
    def _merge_hyphenated_names(doc: Doc, mentions) -> bool:
        """Make "Nguyen-Tran" / "al-Rashid" in a titled name one token, as "Nguyen" is.

        The tokenizer splits a hyphenated surname, and a rule's gap that refuses punctuation would
        stop at its hyphen: the flags of "Ms Nguyen-Tran" must be those of "Ms Nguyen" (issue 14 F).
        """
        merges = []
        for start, end, _, source in mentions:
            if source not in TITLED_GROUPS and doc[start].lower_ not in TITLES:
                continue
            for i in range(start + 1, end - 1):
                if (doc[i].text in _HYPHENS and not doc[i - 1].whitespace_ and not doc[i].whitespace_
                        and doc[i - 1].is_alpha and doc[i + 1].is_alpha):
                    merges.append((i - 1, i + 2))
        if not merges:
            return False
        with doc.retokenize() as retokenizer:
            for start, end in merges:
                retokenizer.merge(doc[start:end])
        return True

    def mentions(self, doc: Doc) -> list[tuple[int, int, str | None, str]]:
        """Every mention kept, in order: (start, end, role, source), role None for "not a party".

        ``source`` is the id of the role group that found it, ``party`` for a name declared
        with --parties or learned from the notes, ``beside`` for a name next to a party word.
        """
        parties = doc._.parties or {}
        group_roles = self._group_roles(parties) if parties else {g.id: g.role for g in self.groups.values()}
        found: list[tuple[int, int, str | None, int, str]] = []  # start, end, role, priority, source
        party_matcher, by_key = self._party_matcher(parties) if parties else (None, {})
        if party_matcher is not None:
            for match_id, start, end in party_matcher(doc):
                value = by_key[self.vocab.strings[match_id]]
                declared = not value.startswith(LEARNED)
                if not declared and _after_title(doc, start):
                    continue  # a learned bare name after a title ("Ms Lowe", not her ex "Mr Gavin Lowe"): the title decides
                value = value.removeprefix(LEARNED)
                role = group_roles.get(value[len("group:"):]) if value.startswith("group:") else value
                found.append((start, end, role, 3 if declared else 2, "party"))
        for match_id, start, end in [*self.phrases(doc), *self.matcher(doc)]:
            group_id = self.vocab.strings[match_id]
            # a titled name outranks a party word inside it ("Ms de la Cruz", "Mr Mo"): the longer wins
            priority = 1 if self.groups[group_id].terms or group_id in TITLED_GROUPS else 0
            found.append((start, end, group_roles.get(group_id), priority, group_id))
        # a mention that opens a bracket it does not close takes the closing one: "Jayden (6)", not
        # "Jayden (6" (the age patterns end at the number; a bracket left open reads as a lost one)
        found = [(start, end + 1 if end < len(doc) and doc[end].text == ")" and _open_bracket(doc[start:end]) else end,
                  role, rank, source) for start, end, role, rank, source in found]
        # a mention holding a shorter one of the same role takes its rank: "Jayden (6)" (child, from
        # the age pattern) over "Jayden" (child, learned from the record), so the age stays with the name
        by_start: dict[int, list[tuple[int, str | None, int]]] = {}
        for start, end, role, rank, _ in found:
            by_start.setdefault(start, []).append((end, role, rank))
        found = [(start, end, role, max([rank, *(r2 for i in range(start, end) for e2, role2, r2 in by_start.get(i, ())
                                              if role2 == role and e2 <= end)]), source)
                 for start, end, role, rank, source in found]
        # declared names first, then party words, then title patterns; longest wins
        found.sort(key=lambda m: (-m[3], -(m[1] - m[0]), m[0]))
        taken = [False] * len(doc)
        kept: list[tuple[int, int, str | None, str]] = []
        for start, end, role, _, source in found:
            if any(taken[start:end]):
                continue
            for i in range(start, end):
                taken[i] = True
            kept.append((start, end, role, source))
        kept.extend((start, end, role, "beside")
                    for start, end, role in self._names_beside_party_words(doc, kept, taken))
        return sorted(kept)

    def _names_beside_party_words(self, doc: Doc, kept, taken) -> list[tuple[int, int, str | None]]:
        """Give an untitled name the role of the party word it stands beside, in this note.

        Not a name in a list ("MO, Jayden and Mia"), not a place ("on Harlan St, MO"), and never
        the name of a child this note gives an age ("Jayden (6)"): a child is never a parent.
        """
        children = {tok.lower_ for start, end, role, _ in kept if role == "child" for tok in doc[start:end]
                    if tok.pos_ == "PROPN"}
        learned: dict[str, str] = {}
        for start, end, role, _ in kept:
            if role is None:
                continue
            for step in (1, -1):
                i = end if step == 1 else start - 1
                linked = False
                while 0 <= i < len(doc) and doc[i].lower_ in _LINKERS and not taken[i]:
                    i += step
                    linked = True
                if step == -1 and not linked:
                    continue  # "Met Mr Blake": a word just before a mention is not its name
                name = []
                while (0 <= i < len(doc) and doc[i].pos_ == "PROPN" and not taken[i] and doc[i].is_title
                       and doc[i].is_alpha and len(doc[i]) > 1):
                    name.append(doc[i])
                    i += step
                if step == 1 and i < len(doc) and doc[i].lower_ in _LIST_WORDS:
                    continue
                if step == -1 and i >= 0 and doc[i].lower_ in _PLACE_WORDS:
                    continue
                for tok in name:
                    if tok.lower_ in children:
                        continue
                    if tok.lower_ not in self.term_group:
                        learned.setdefault(tok.lower_, role)
        out = []
        if learned:
            for tok in doc:
                if not taken[tok.i] and tok.lower_ in learned and tok.pos_ == "PROPN":
                    taken[tok.i] = True
                    out.append((tok.i, tok.i + 1, learned[tok.lower_]))
        return out

    # -- serialization -------------------------------------------------------------
    def to_disk(self, path, *, exclude=()) -> None:
        rows = [{"id": g.id, "role": g.role, "gender": g.gender, "terms": list(g.terms),
                 "patterns": list(g.patterns)} for g in self.groups.values()]
        util.to_disk(path, {"groups": lambda p: srsly.write_jsonl(p.with_suffix(".jsonl"), rows)}, exclude)

    def from_disk(self, path, *, exclude=()) -> "RoleTagger":
        self.groups.clear()
        self.term_group.clear()
        self.phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self.matcher = Matcher(self.vocab, validate=True)

        def load(p):
            self.add_groups(RoleGroup(id=r["id"], role=r["role"], gender=r["gender"],
                                      terms=tuple(r["terms"]), patterns=tuple(r["patterns"]))
                            for r in srsly.read_jsonl(p.with_suffix(".jsonl")))

        util.from_disk(path, {"groups": load}, exclude)
        return self


# surname particles (as in rules/roles.yaml's surname_particles) and the marks a name can hold
_NAME_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "degli", "di", "da", "dos", "das", "do", "du", "la", "le",
                   "al", "el", "bin", "binti", "ibn", "bint", "ter", "ten", "st", "st.", "mac", "ó", "ní", "nic", "ua", "y",
                   "zu", "af", "ap", "abu", "ould"}


def _after_title(doc: Doc, i: int) -> bool:
    """Is token ``i`` part of a titled name: "Ms Lowe", "Ms al-Rashid", "Mr van der Berg"?"""
    for j in range(i - 1, max(i - 4, -1), -1):
        if doc[j].lower_ in TITLES:
            return True
        if not (doc[j].lower_ in _NAME_PARTICLES or doc[j].text in _HYPHENS):
            return False
    return False


@Language.component("record_audit_name_boundaries")
def keep_titled_names_whole(doc: Doc) -> Doc:
    """Before the parser: no sentence starts inside "Mr. <Name>" / "Ms dos Santos" / "Mrs J. Akhtar".

    The parser otherwise ends a sentence at "Mr." or a particle for some surnames and not for
    others, and the name's role, and every rule, follows the split (issue 14 F).
    """
    for i, token in enumerate(doc[:-1]):
        if token.lower_ not in TITLES:
            continue
        for nxt in doc[i + 1:i + 5]:
            text = nxt.text
            if not (nxt.lower_ in _NAME_PARTICLES or text in _HYPHENS or (text[:1].isupper() and text[:1].isalpha())):
                break
            nxt.is_sent_start = False
    return doc


@Language.factory("record_audit_roles", assigns=["token._.role", "doc.spans"],
                  default_config={"spans_key": ROLES_KEY})
def make_role_tagger(nlp: Language, name: str, spans_key: str) -> RoleTagger:
    return RoleTagger(nlp, name, spans_key=spans_key)
