"""``record_audit_syntax``: dependency rules for what word lists miss.

Agentless passives of violence verbs, the perpetrator as the agent of violence or control,
tasks put on the survivor or on the perpetrator, the worker's contact with the father (or
its absence), the survivor's protective acts. Rules are DependencyMatcher patterns in
``rules/syntax.yaml`` (read by ``record_audit.rules``); since the matcher cannot say "no
agent", a rule may carry ``unless`` conditions checked on its matched nodes, and ``span``
names the nodes (``node:subtree`` for a whole clause) the flag covers.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import srsly
from spacy import util
from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Span, Token

from ..rules import Examples, SyntaxEntry
from .extensions import FLAGS_KEY, register_extensions
from .lexicon import ConditionIndex, anchor_hashes, common_words, held, prefilter


def _related(token: Token, op: str) -> Iterable[Token]:
    if op == ">":
        return token.children
    if op == "<":
        return [token.head] if token.head is not token else []
    if op == ">>":
        return token.subtree
    if op == "$-":
        return [t for t in token.head.children if t.i < token.i and t is not token]
    if op == "$+":
        return [t for t in token.head.children if t.i > token.i and t is not token]
    if op == ";":
        return [token.doc[token.i - 1]] if token.i > 0 else []
    if op == ".":
        return [token.doc[token.i + 1]] if token.i + 1 < len(token.doc) else []
    raise ValueError(op)


class SentenceDependencyMatcher(DependencyMatcher):
    """A DependencyMatcher whose token pass can be limited to some sentences of a doc.

    ``DependencyMatcher.__call__`` first runs its token Matcher over the whole doc to find
    the candidates of every node (``_get_keys_to_position_maps``), and that pass is most of
    its cost. A dependency match never leaves its sentence, so ``find(doc, sents)`` makes the
    pass over ``sents`` only: the sentences that hold what the rules need. The rest is
    spaCy's own matching (3.8, pinned); tests check the matches equal the plain matcher's.
    """

    _sents = None

    def find(self, doc: Doc, sents: list[Span]) -> list[tuple[int, list[int]]]:
        self._sents = sents
        try:
            return self(doc)
        finally:
            self._sents = None

    def _get_keys_to_position_maps(self, doc):
        if self._sents is None:
            return super()._get_keys_to_position_maps(doc)
        maps = defaultdict(lambda: defaultdict(list))
        for sent in self._sents:
            for match_id, start, _ in self._matcher(sent):  # offsets within the sentence
                token = doc[sent.start + start]
                root = ([token] + list(token.ancestors))[-1]
                maps[root.i][match_id].append(token.i)
        return maps


class DependencyRules:
    """DependencyMatcher rules with ``unless`` conditions; yields (entry, {node: token}) matches.

    Like the lexicon, rules are filed under what a sentence must hold for them to match
    (``lexicon.prefilter``: a node's words, or failing that every node's choices). Each group
    has its own DependencyMatcher, run only over the sentences that hold what it needs, since
    spaCy's DependencyMatcher tests every node of every rule at every token. ``unless``
    conditions are looked up only for docs where a rule matched.
    """

    def __init__(self, vocab, common: frozenset[str] = frozenset()) -> None:
        self.vocab = vocab
        self.common = common
        self.entries: dict = {}
        self.groups: dict[tuple[frozenset[int], ...], SentenceDependencyMatcher] = {}
        self._indexed: tuple[list, ConditionIndex] | None = None  # self.groups' items and their index
        self.unless_matcher = Matcher(vocab, validate=True)

    def add(self, entry) -> None:
        self.entries[entry.id] = entry
        conditions = tuple(anchor_hashes(c, self.vocab.strings) for c in _prefilter(entry.pattern, self.common))
        if conditions not in self.groups:
            self.groups[conditions] = SentenceDependencyMatcher(self.vocab, validate=True)
            self._indexed = None
        self.groups[conditions].add(entry.id, [list(entry.pattern)])
        for k, cond in enumerate(entry.unless):
            self.unless_matcher.add(f"{entry.id}__unless_{k}", [[cond["RIGHT_ATTRS"]]])

    def clear(self) -> None:
        self.__init__(self.vocab, self.common)

    def matches(self, doc: Doc) -> Iterable[tuple[object, dict[str, Token]]]:
        if not self.entries:
            return
        if self._indexed is None:
            groups = list(self.groups.items())
            self._indexed = groups, ConditionIndex([conditions for conditions, _ in groups])
        groups, index = self._indexed
        sents = list(doc.sents)
        # group -> the sentences that hold what it needs (all of them for a group that needs nothing)
        where: dict[int, list[Span]] = {g: sents for g, (conditions, _) in enumerate(groups) if not conditions}
        for sent, values in zip(sents, held(doc, sents)):
            for g in index.holding(values):
                where.setdefault(g, []).append(sent)
        hits: dict[str, set[int]] = {}
        looked: set[int] = set()  # sentences whose unless tokens are in ``hits``
        for g in sorted(where):
            for match_id, token_ids in groups[g][1].find(doc, where[g]):
                entry = self.entries[self.vocab.strings[match_id]]
                nodes = {node["RIGHT_ID"]: doc[i] for node, i in zip(entry.pattern, token_ids)}
                if entry.unless:
                    sent = doc[token_ids[0]].sent
                    if sent.start not in looked:
                        looked.add(sent.start)
                        self._look_up_unless(doc, sent, hits)
                if not self._blocked(entry, nodes, hits):
                    yield entry, nodes

    def _look_up_unless(self, doc: Doc, sent: Span, hits: dict[str, set[int]]) -> None:
        """Add the tokens of ``sent`` (and the one each side: ``.``, ``;``) an unless condition names."""
        around = doc[max(sent.start - 1, 0):min(sent.end + 1, len(doc))]
        for unless_id, start, _ in self.unless_matcher(around):
            hits.setdefault(self.vocab.strings[unless_id], set()).add(around.start + start)

    @staticmethod
    def _blocked(entry, nodes: dict[str, Token], hits: dict[str, set[int]]) -> bool:
        for k, cond in enumerate(entry.unless):
            ok = hits.get(f"{entry.id}__unless_{k}", set())
            if any(t.i in ok for t in _related(nodes[cond["LEFT_ID"]], cond["REL_OP"])):
                return True
        return False


def _prefilter(pattern, common: frozenset[str]) -> tuple[frozenset, ...]:
    """What a doc must hold for a rule to match: every node is a required token."""
    return prefilter([dict(node.get("RIGHT_ATTRS", {})) for node in pattern], common)


class SyntaxFlagger:
    """Add a flag for every match of a dependency rule that no ``unless`` condition blocks."""

    def __init__(self, nlp: Language, name: str, *, spans_key: str = FLAGS_KEY) -> None:
        register_extensions()
        self.name, self.spans_key, self.vocab = name, spans_key, nlp.vocab
        self.rules = DependencyRules(nlp.vocab, common_words(nlp))

    @property
    def entries(self) -> dict[str, SyntaxEntry]:
        return self.rules.entries

    def add(self, entry: SyntaxEntry) -> None:
        self.rules.add(entry)

    def __call__(self, doc: Doc) -> Doc:
        found: list[Span] = []
        seen: set[tuple[str, int, int]] = set()
        for entry, nodes in self.rules.matches(doc):
            start, end = self._extent(entry, nodes)
            if (entry.id, start, end) in seen:
                continue
            seen.add((entry.id, start, end))
            found.append(Span(doc, start, end, label=entry.label, span_id=entry.id))
        if found:
            doc.spans[self.spans_key] = [*doc.spans.get(self.spans_key, []), *found]
        return doc

    @staticmethod
    def _extent(entry: SyntaxEntry, nodes: dict[str, Token]) -> tuple[int, int]:
        names = entry.span or tuple(nodes)
        starts, ends = [], []
        for name in names:
            node, _, mode = name.partition(":")
            token = nodes[node]
            if mode == "subtree":
                starts.append(token.left_edge.i)
                ends.append(token.right_edge.i + 1)
            else:
                starts.append(token.i)
                ends.append(token.i + 1)
        start, end = min(starts), max(ends)
        sent = nodes[names[0].partition(":")[0]].sent
        start, end = max(start, sent.start), min(end, sent.end)
        # a flag does not end on punctuation
        while end - start > 1 and nodes[names[0].partition(":")[0]].doc[end - 1].is_punct:
            end -= 1
        return start, end

    def to_disk(self, path, *, exclude=()) -> None:
        rows = [{"id": e.id, "label": e.label, "pattern": list(e.pattern), "unless": list(e.unless),
                 "span": list(e.span), "explanation": e.explanation, "rewrite": e.rewrite,
                 "continuum_link": e.continuum_link} for e in self.entries.values()]
        util.to_disk(path, {"entries": lambda p: srsly.write_jsonl(p.with_suffix(".jsonl"), rows)}, exclude)

    def from_disk(self, path, *, exclude=()) -> "SyntaxFlagger":
        self.rules.clear()

        def load(p):
            for r in srsly.read_jsonl(p.with_suffix(".jsonl")):
                self.add(SyntaxEntry(id=r["id"], label=r["label"], pattern=tuple(r["pattern"]),
                                     unless=tuple(r["unless"]), span=tuple(r["span"]),
                                     explanation=r["explanation"], rewrite=r["rewrite"],
                                     continuum_link=r["continuum_link"], examples=Examples()))

        util.from_disk(path, {"entries": load}, exclude)
        return self


@Language.factory("record_audit_syntax", assigns=["doc.spans"],
                  default_config={"spans_key": FLAGS_KEY})
def make_syntax_flagger(nlp: Language, name: str, spans_key: str) -> SyntaxFlagger:
    return SyntaxFlagger(nlp, name, spans_key=spans_key)
