"""Rule suggestions from QA review decisions, each with its examples and what it would change.

What review teaches the rules:

- **lexicon** and **syntax** rules: reviewed sentences that carry a label the rules did not flag
  (flags a reviewer added, relabelled flags, accepted classifier flags) are clustered by label
  and shared wording. Each sentence is read as units - a role mention (``ROLE: survivor``), a
  content word's lemma (``LEMMA: threaten``), a function word (``LOWER: to``) - and the
  candidates are the runs of one to four units that hold a content word (a lexicon pattern,
  anchored on it), and dependency pairs (a role as the subject of a verb; a verb and its
  object) for syntax rules. A candidate is kept when it covers at least ``MIN_SUPPORT``
  such sentences and no reviewed sentence without the label (a *look-alike*); clusters are
  chosen greedily, most sentences covered first. The covered sentences are its
  ``examples.match``, look-alikes that share its anchor (rejected flags first) its
  ``examples.no_match``.
- **context** cues: flags rejected as negated, reported or hypothetical that the pipeline
  counted; a word before the flag shared by ``MIN_SUPPORT`` of them, and before no accepted
  counted flag, is proposed as a cue of that context (direction forward).
- **role words**: flags rejected as ``wrong_role``: a party word with the word before it ("his
  mother", "paternal grandmother") shared by ``MIN_SUPPORT`` of the flags is proposed as a
  longer party term of role ``other`` (the longer term wins over the party word).

Every example is checked on its own sentence through a pipeline with the suggestion added, as
the test suite checks every rule; an example that fails is dropped, a suggestion left without
examples is dropped. ``impact`` runs that pipeline over the store's DV records and counts,
per label, the counted flags each suggestion would add and those it would stop counting.
Nothing is applied: ``record_audit.adapt.overlay`` writes a suggestion an analyst accepts.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from .. import taxonomy

MIN_SUPPORT = 2          # reviewed sentences a suggestion must cover
MAX_PER_LABEL = 6        # suggestions per label, most sentences covered first
MAX_UNITS = 4            # the longest word pattern
MAX_EXAMPLES = 4         # match examples kept per suggestion (no_match: 2)
CONTENT_POS = {"NOUN", "VERB", "ADJ", "ADV"}
RULE_SOURCES = ("lexicon", "syntax")
CONTEXT_REASONS = ("negated", "reported", "hypothetical")
FILES = {"lexicon": "{label}.yaml", "syntax": "rules/syntax.yaml", "context": "rules/context.yaml",
         "roles": "rules/roles.yaml"}


@dataclass
class Suggestion:
    """A proposed rule: its YAML entry, where it came from, and (after ``impact``) what it changes."""

    id: str
    kind: str                    # lexicon, syntax, context
    label: str                   # a TAXONOMY label, or a context category
    entry: dict                  # the rule file entry, as it would be written
    words: str                   # the pattern in words, for people
    decision_ids: list = field(default_factory=list)
    support: int = 0             # reviewed sentences it covers
    look_alikes: int = 0         # reviewed sentences without the label it matches (0 when suggested)
    impact: dict | None = None   # {label: {"gained": n, "lost": n}} on the store's DV records

    @property
    def file(self) -> str:
        """Where an accepted suggestion goes in the overlay folder (relative path)."""
        return FILES[self.kind].format(label=self.label)

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "words": self.words, "file": self.file,
                "support": self.support, "look_alikes": self.look_alikes, "decision_ids": self.decision_ids,
                "impact": self.impact, "entry": self.entry}


# -- what review says about each sentence ------------------------------------------------------------
@dataclass
class _Reviewed:
    key: tuple                   # (record_id, note_id, sentence_index)
    labels: set                  # reviewed labels (context aside)
    rule_labels: set             # labels the rules flagged there
    decisions: dict              # label -> decision ids that put it there (adds, relabels, accepts)


def reviewed_sentences(review) -> dict[tuple, _Reviewed]:
    """Every sentence a standing decision or a misses-queue read is about, with its reviewed labels."""
    decided, _ = review.final()
    keys_by_record: dict[str, set] = defaultdict(set)
    for key in decided:
        keys_by_record[key.record_id].add((key.record_id, key.note_id, key.sentence_index))
    from ..store.adapt import miss_review_keys
    for key in miss_review_keys(review):
        keys_by_record[key[0]].add(key)
    out = {}
    for rid, keys in keys_by_record.items():
        labels: dict[tuple, set] = defaultdict(set)
        for flag in review.reviewed_flags(rid, decided):
            labels[(rid, flag["note_id"], flag["sentence_index"])].add(flag["label"])
        rules: dict[tuple, set] = defaultdict(set)
        for flag in review.store.flags(rid):
            if flag["source"] in RULE_SOURCES:
                rules[(rid, flag["note_id"], flag["sentence_index"])].add(flag["label"])
        for key in keys:
            out[key] = _Reviewed(key, labels[key], rules[key], defaultdict(list))
    for key, row in decided.items():
        skey = (key.record_id, key.note_id, key.sentence_index)
        if skey not in out:
            continue
        if row["decision"] == "add":
            out[skey].decisions[key.label].append(row["decision_id"])
        elif row["decision"] == "relabel":
            out[skey].decisions[row["new_label"]].append(row["decision_id"])
        elif row["decision"] == "accept" and key.source == "classifier":
            out[skey].decisions[key.label].append(row["decision_id"])
    return out


# -- reading a sentence as units ----------------------------------------------------------------------
def _units(span) -> list[list[tuple]]:
    """The sentence as runs of units, split at punctuation, numbers and names without a role."""
    runs, run, last_role = [], [], None
    for token in span:
        if token.is_space:
            continue
        role = token.ent_id_
        if role:
            if role != last_role:
                run.append(("ROLE", role))
            last_role = role
            continue
        last_role = None
        if token.is_punct or token.like_num or token.pos_ in ("PROPN", "NUM", "SYM", "X") or not token.is_alpha:
            if run:
                runs.append(run)
            run = []
        elif token.pos_ in CONTENT_POS and not token.is_stop and len(token.lemma_) > 2:
            run.append(("LEMMA", token.lemma_.lower()))
        else:
            run.append(("LOWER", token.lower_))
    if run:
        runs.append(run)
    return runs


def features(span) -> set[tuple]:
    """Candidate patterns in a sentence: word runs (``("seq", units)``) and dependency pairs."""
    found: set[tuple] = set()
    for run in _units(span):
        for n in range(1, MAX_UNITS + 1):
            for i in range(len(run) - n + 1):
                gram = tuple(run[i:i + n])
                lemmas = [u for u in gram if u[0] == "LEMMA"]
                if not lemmas or (n == 1 and len(gram[0][1]) < 4):
                    continue
                if gram[0][0] == "LOWER" and n > 1 and gram[-1][0] == "LOWER":
                    continue  # a run starting and ending on function words adds nothing to its core
                found.add(("seq", gram))
    for token in span:
        head = token.head
        if head.pos_ != "VERB" or head.is_stop or head == token:
            continue
        if token.dep_ in ("nsubj", "nsubjpass") and token.ent_id_:
            found.add(("subj", token.ent_id_, token.dep_, head.lemma_.lower()))
        if token.dep_ == "dobj" and token.pos_ in ("NOUN",) and not token.is_stop:
            found.add(("dobj", head.lemma_.lower(), token.lemma_.lower()))
    return found


def pattern_of(feature: tuple) -> tuple[str, object, str]:
    """(kind, pattern, words) of a candidate feature."""
    if feature[0] == "seq":
        pattern = [{"ROLE": v} if k == "ROLE" else {k: v} for k, v in feature[1]]
        words = " ".join(f"<{v}>" if k == "ROLE" else v for k, v in feature[1])
        return "lexicon", pattern, words
    if feature[0] == "subj":
        _, role, dep, verb = feature
        pattern = [{"RIGHT_ID": "anchor", "RIGHT_ATTRS": {"LEMMA": verb, "POS": "VERB"}},
                   {"LEFT_ID": "anchor", "REL_OP": ">", "RIGHT_ID": "subject",
                    "RIGHT_ATTRS": {"DEP": dep, "ROLE": role}}]
        return "syntax", pattern, f"<{role}> as the {'passive ' if dep == 'nsubjpass' else ''}subject of '{verb}'"
    _, verb, obj = feature
    pattern = [{"RIGHT_ID": "anchor", "RIGHT_ATTRS": {"LEMMA": verb, "POS": "VERB"}},
               {"LEFT_ID": "anchor", "REL_OP": ">", "RIGHT_ID": "object", "RIGHT_ATTRS": {"DEP": "dobj", "LEMMA": obj}}]
    return "syntax", pattern, f"'{verb}' with the object '{obj}'"


def _anchor(feature: tuple) -> str:
    if feature[0] == "seq":
        return next(v for k, v in feature[1] if k == "LEMMA")
    return feature[3] if feature[0] == "subj" else feature[1]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:24] or "rule"


def _suggestion_id(kind: str, label: str, pattern) -> str:
    digest = hashlib.sha256(json.dumps([kind, label, pattern], sort_keys=True).encode()).hexdigest()[:8]
    return f"sug_{digest}"


# -- mining ----------------------------------------------------------------------------------------------
def parse_store(review, nlp, record_ids=None) -> dict[tuple, object]:
    """Every stored sentence of ``record_ids`` (default: all records) as a span parsed by ``nlp``."""
    return _parse_notes(review, nlp, record_ids if record_ids is not None else review.store.record_ids())


def _parse_notes(review, nlp, record_ids) -> dict[tuple, object]:
    """Span of each stored sentence of ``record_ids``, from the notes parsed by ``nlp`` (rules only)."""
    notes = [(rid, n["note_id"], n["text"]) for rid in sorted(record_ids) for n in review.store.notes(rid)]
    classifier = nlp.get_pipe("record_audit_classifier") if "record_audit_classifier" in nlp.pipe_names else None
    model = classifier.model if classifier is not None else None
    if classifier is not None:
        classifier.set_model(None)
    try:
        spans = {}
        for doc, (rid, nid) in nlp.pipe(((text, (rid, nid)) for rid, nid, text in notes), as_tuples=True,
                                        batch_size=32):
            for s in review.store.sentences(rid, nid):
                span = doc.char_span(s["start"], s["end"], alignment_mode="expand")
                if span is not None and len(span):
                    spans[(rid, nid, s["sentence_index"])] = span
        return spans
    finally:
        if classifier is not None:
            classifier.set_model(model)


def mine(review, nlp, *, min_support: int = MIN_SUPPORT, max_per_label: int = MAX_PER_LABEL,
         spans: dict | None = None) -> list[Suggestion]:
    """Candidate lexicon, syntax and context suggestions from the store's standing decisions.

    ``nlp`` is the rules pipeline the store was audited with. Examples are not checked yet
    (``check_suggestions``).
    """
    reviewed = reviewed_sentences(review)
    if not reviewed:
        return []
    spans = spans if spans is not None else _parse_notes(review, nlp, {k[0] for k in reviewed})
    feats = {key: features(spans[key]) for key in reviewed if key in spans}
    index: dict[tuple, set] = defaultdict(set)
    for key, fs in feats.items():
        for f in fs:
            index[f].add(key)
    rejected = _rejected_look_alikes(review)
    out: list[Suggestion] = []
    for label in taxonomy.LABELS:
        positives = {k for k, r in reviewed.items() if k in feats and label in r.labels and label not in r.rule_labels}
        if len(positives) < min_support:
            continue
        negatives = {k for k, r in reviewed.items() if k in feats and label not in r.labels}
        candidates = {}
        for key in positives:
            for f in feats[key]:
                if f in candidates:
                    continue
                matched = index[f]
                if matched & negatives:
                    continue
                covered = matched & positives
                if len(covered) >= min_support:
                    candidates[f] = covered
        left = set(positives)
        for _ in range(max_per_label):
            best = max(candidates.items(), default=None,
                       key=lambda kv: (len(kv[1] & left), _specificity(kv[0]), repr(kv[0])))
            if best is None or len(best[1] & left) < min_support:
                break
            feature, covered = best
            del candidates[feature]
            left -= covered
            out.append(_lexical_suggestion(label, feature, covered, reviewed, spans, negatives, rejected))
    out.extend(_context_suggestions(review, spans, reviewed, min_support))
    out.extend(_role_suggestions(review, spans, min_support))
    return out


def _role_suggestions(review, spans, min_support) -> list[Suggestion]:
    """Longer party terms of role ``other`` from flags rejected for the wrong role."""
    decided, _ = review.final()
    found: dict[str, list] = defaultdict(list)
    for key, row in decided.items():
        if row["decision"] != "reject" or row["reason"] != "wrong_role":
            continue
        span = spans.get((key.record_id, key.note_id, key.sentence_index))
        if span is None:
            continue
        phrases = set()
        for token in span:
            prev = token.nbor(-1) if token.i > span.start else None
            if (token.ent_id_ in ("survivor", "perpetrator") and prev is not None and prev.is_alpha
                    and (not prev.ent_id_ or prev.pos_ == "PRON") and prev.dep_ in ("poss", "amod", "compound")
                    and token.pos_ == "NOUN"):
                phrases.add(f"{prev.lower_} {token.lower_}")
        for phrase in phrases:
            found[phrase].append((row["decision_id"], span.text.strip()))
    out = []
    for phrase, rows in sorted(found.items()):
        if len({t for _, t in rows}) < min_support:
            continue
        sid = _suggestion_id("roles", "other", phrase)
        entry = {"id": f"learned_role_{_slug(phrase)}_{sid[4:8]}", "role": "other", "gender": "neutral",
                 "terms": [phrase], "examples": {"match": list(dict.fromkeys(t for _, t in rows))[:MAX_EXAMPLES]}}
        out.append(Suggestion(sid, "roles", "other", entry, f"'{phrase}' is another person, not a party",
                              sorted(d for d, _ in rows), support=len(rows)))
    return out


def _specificity(feature: tuple) -> int:
    """Longer word runs and dependency pairs first among equals: they match fewer look-alikes."""
    return len(feature[1]) if feature[0] == "seq" else 3


def _rejected_look_alikes(review) -> dict[str, list[tuple]]:
    """Sentences whose flag of a label was rejected as wrong (not for its context), by label."""
    decided, _ = review.final()
    out: dict[str, list[tuple]] = defaultdict(list)
    for key, row in decided.items():
        if row["decision"] == "reject" and row["reason"] not in CONTEXT_REASONS:
            out[key.label].append((key.record_id, key.note_id, key.sentence_index))
    return out


def _lexical_suggestion(label, feature, covered, reviewed, spans, negatives, rejected) -> Suggestion:
    kind, pattern, words = pattern_of(feature)
    anchor = _anchor(feature)
    match = [spans[k].text.strip() for k in sorted(covered)]
    alike = [k for k in rejected.get(label, []) if k in spans] + sorted(negatives)
    no_match = []
    for key in alike:
        span = spans.get(key)
        if span is not None and any(t.lemma_.lower() == anchor for t in span) and span.text.strip() not in no_match:
            no_match.append(span.text.strip())
    if kind == "syntax" and not no_match:  # a syntax rule shows a sentence it leaves alone
        no_match = [spans[k].text.strip() for k in alike[:1]]
    sid = _suggestion_id(kind, label, pattern)
    entry = {"id": f"learned_{_slug(anchor)}_{sid[4:]}", "label": label,
             "description": f"Learned from QA review: {words}.",
             "explanation": taxonomy.DESCRIPTIONS[label], "rewrite": taxonomy.REWRITES[label],
             "examples": {"match": match, "no_match": no_match}}
    if kind == "lexicon":
        entry["patterns"] = [pattern]
    else:
        entry["pattern"] = pattern
    decisions = sorted({d for k in covered for d in reviewed[k].decisions.get(label, [])})
    return Suggestion(sid, kind, label, entry, words, decisions, support=len(covered))


def _context_suggestions(review, spans, reviewed, min_support) -> list[Suggestion]:
    """Context cues from flags the pipeline counted that reviewers rejected for their context."""
    decided, _ = review.final()
    stored = {}
    for rid in {k.record_id for k in decided}:
        for flag in review.store.flags(rid):
            stored[(rid, flag["note_id"], flag["sentence_index"], flag["label"], flag["start"], flag["end"],
                    flag["source"])] = flag
    before: dict[tuple, list] = {}
    for key, row in decided.items():
        flag = stored.get((key.record_id, key.note_id, key.sentence_index, key.label, key.start, key.end, key.source))
        span = spans.get((key.record_id, key.note_id, key.sentence_index))
        if flag is None or span is None or not flag["counted"]:
            continue
        lemmas = {t.lemma_.lower() for t in span if t.idx < key.start and t.is_alpha and not t.is_stop
                  and t.pos_ in ("VERB", "NOUN") and not t.ent_id_}
        target = span.doc.char_span(key.start, key.end, alignment_mode="expand")
        if target is None:
            continue
        if row["decision"] == "reject" and row["reason"] in CONTEXT_REASONS:
            before[(row["decision_id"], row["reason"])] = (lemmas, span, target)
        elif row["decision"] == "accept":
            before[(row["decision_id"], "counted")] = (lemmas, span, target)
    counts: dict[tuple, list] = defaultdict(list)
    blocked: set = set()
    for (decision_id, reason), (lemmas, span, target) in before.items():
        for lemma in lemmas:
            if reason == "counted":
                blocked.add(lemma)
            else:
                counts[(reason, lemma)].append((decision_id, span, target))
    out = []
    for (reason, lemma), found in sorted(counts.items()):
        if lemma in blocked or len({f[1].text for f in found}) < min_support:
            continue
        pattern = [{"LEMMA": lemma}]
        sid = _suggestion_id("context", reason, pattern)
        match = []
        for _, span, target in found:
            s, e = target.start_char - span.start_char, target.end_char - span.start_char
            example = f"{span.text[:s]}[{span.text[s:e]}]{span.text[e:]}".strip()
            if example not in match:
                match.append(example)
        entry = {"id": f"learned_{reason}_{_slug(lemma)}_{sid[4:8]}", "category": reason, "direction": "forward",
                 "patterns": [pattern], "examples": {"match": match[:MAX_EXAMPLES]}}
        out.append(Suggestion(sid, "context", reason, entry, f"'{lemma}' before a flag makes it {reason}",
                              sorted(f[0] for f in found), support=len(found)))
    return out


# -- checking examples, as the tests do ------------------------------------------------------------------
def ruleset_with(rules, suggestions) -> object:
    """``rules`` (a RuleSet) with the suggestions' entries added, read as the overlay loader reads them."""
    from ..rules import ContextEntry, Examples, LexiconEntry, RoleGroup, SyntaxEntry, expand_token_pattern
    lexicon, syntax, context, roles = list(rules.lexicon), list(rules.syntax), list(rules.context), list(rules.roles)
    for s in suggestions:
        e = s.entry
        examples = Examples(tuple(e["examples"].get("match", ())), tuple(e["examples"].get("no_match", ())))
        if s.kind == "lexicon":
            lexicon.append(LexiconEntry(e["id"], e["label"], tuple(expand_token_pattern(p) for p in e["patterns"]),
                                        e["explanation"], e["rewrite"], "", examples, e.get("description", ""),
                                        s.file))
        elif s.kind == "syntax":
            nodes = tuple(dict(n, RIGHT_ATTRS=expand_token_pattern([n["RIGHT_ATTRS"]], multi_token=False)[0])
                          for n in e["pattern"])
            syntax.append(SyntaxEntry(e["id"], e["label"], nodes, e["explanation"], e["rewrite"], "", examples,
                                      description=e.get("description", ""), path=s.file))
        elif s.kind == "context":
            context.append(ContextEntry(e["id"], e["category"], e.get("direction", "forward"),
                                        tuple(expand_token_pattern(p) for p in e["patterns"]), examples, path=s.file))
        elif s.kind == "roles":
            roles.append(RoleGroup(e["id"], e["role"], e["gender"], tuple(e.get("terms", ())), (), examples, s.file))
    return replace(rules, lexicon=tuple(lexicon), syntax=tuple(syntax), context=tuple(context), roles=tuple(roles))


def raw_rule_ids(nlp, text: str) -> set[str]:
    """Rule ids every lexicon and syntax pattern matched in ``text``, before overlaps are resolved
    (what the tests' ``raw_matches`` checks)."""
    with nlp.select_pipes(disable=[p for p in ("record_audit_flags", "record_audit_classifier",
                                               "record_audit_context") if p in nlp.pipe_names]):
        doc = nlp(text)
    return {span.id_ for span in doc.spans.get("audit_flags", [])}


_TARGET = re.compile(r"\[([^\]]+)\]")


def context_cue_of(nlp, example: str) -> tuple[str | None, str | None] | None:
    """(context, cue id) the pipeline's ConText gives the [marked] flag of a context example."""
    found = _TARGET.search(example)
    if not found:
        return None
    text = example[: found.start()] + found.group(1) + example[found.end():]
    with nlp.select_pipes(disable=["record_audit_context"]):
        doc = nlp(text)
    span = doc.char_span(found.start(), found.start() + len(found.group(1)), alignment_mode="expand")
    if span is None:
        return None
    tagger = nlp.get_pipe("record_audit_context")
    cues = [c for c in tagger.find_cues(doc) if doc[c.start].sent.start == span.sent.start]
    return tagger.context_of(span, cues)


def failing_examples(nlp, kind: str, entry: dict) -> tuple[list[str], list[str]]:
    """The examples of ``entry`` that ``nlp`` (a pipeline holding it) gets wrong: (match, no_match)."""
    ex = entry.get("examples") or {}
    if kind in ("lexicon", "syntax"):
        bad_match = [t for t in ex.get("match", ()) if entry["id"] not in raw_rule_ids(nlp, t)]
        bad_no = [t for t in ex.get("no_match", ()) if entry["id"] in raw_rule_ids(nlp, t)]
        return bad_match, bad_no
    if kind == "context":
        bad_match = [t for t in ex.get("match", ()) if context_cue_of(nlp, t) != (entry["category"], entry["id"])]
        bad_no = [t for t in ex.get("no_match", ()) if (context_cue_of(nlp, t) or (None, None))[1] == entry["id"]]
        return bad_match, bad_no
    if kind == "roles":
        return ([t for t in ex.get("match", ()) if not _role_found(nlp, t, entry)],
                [t for t in ex.get("no_match", ()) if _role_found(nlp, t, entry, any_role=True)])
    return [], []


def _role_found(nlp, text: str, entry: dict, *, any_role: bool = False) -> bool:
    """Whether the role group ``entry`` finds a mention in ``text`` (with its role on every token),
    as tests/test_rule_examples.py checks role groups."""
    tagger = nlp.get_pipe("record_audit_roles")
    doc = nlp(text)
    found = [(start, end, role) for start, end, role, source in tagger.mentions(doc) if source == entry["id"]]
    if any_role:
        return bool(found)
    return bool(found) and all(role == entry["role"] and all(t._.role == (entry["role"] or "") for t in doc[start:end])
                               for start, end, role in found)


def check_suggestions(suggestions: list[Suggestion], rules, *, load=None) -> list[Suggestion]:
    """Keep the examples each suggestion passes on its own sentence; drop suggestions left without.

    One pipeline holds ``rules`` and every suggestion (``load`` builds it from a RuleSet; default
    ``pipeline.load_pipeline``). A lexicon suggestion needs a passing match example, a syntax one a
    match and a no_match example (as ``tests/test_rule_examples.py`` asks).
    """
    if not suggestions:
        return []
    if load is None:
        from ..pipeline import load_pipeline as load
    nlp = load(ruleset_with(rules, suggestions))
    kept = []
    for s in suggestions:
        bad_match, bad_no = failing_examples(nlp, s.kind, s.entry)
        ex = s.entry["examples"]
        ex["match"] = [t for t in ex.get("match", ()) if t not in bad_match][:MAX_EXAMPLES]
        ex["no_match"] = [t for t in ex.get("no_match", ()) if t not in bad_no][:2]
        if not ex["no_match"]:
            del ex["no_match"]
        if ex["match"] and (s.kind != "syntax" or ex.get("no_match")):
            kept.append(s)
    return kept


# -- what a suggestion would change ---------------------------------------------------------------------
def impact(review, suggestions: list[Suggestion], rules, *, load=None) -> list[Suggestion]:
    """Fill each suggestion's ``impact``: counted flags gained and lost per label on the store's DV records.

    The DV records' notes go through a rules pipeline holding every suggestion. A lexicon or
    syntax suggestion *gains* a flag where its rule's flag is counted and the store holds no
    counted flag of that label in the sentence; a context cue *loses* the counted stored flags
    it now marks. (Suggestions are counted one by one; two that meet in a sentence each count it.)
    """
    if not suggestions:
        return suggestions
    if load is None:
        from ..pipeline import load_pipeline as load
    nlp = load(ruleset_with(rules, suggestions))
    from ..store.adapt import dv_record_ids
    dv = dv_record_ids(review.store)
    counted: dict[tuple, set] = defaultdict(set)
    stored_counted = set()
    for flag in review.store.flags():
        if flag["counted"]:
            counted[(flag["record_id"], flag["note_id"], flag["sentence_index"])].add(flag["label"])
            stored_counted.add((flag["record_id"], flag["note_id"], flag["label"], flag["start"], flag["end"]))
    by_rule = {s.entry["id"]: s for s in suggestions}
    tallies = {s.id: defaultdict(Counter) for s in suggestions}
    role_terms = [(s, t.lower()) for s in suggestions if s.kind == "roles" for t in s.entry.get("terms", ())]
    stored_rules: dict[tuple, set] = defaultdict(set)
    for flag in review.store.flags():
        if flag["counted"] and flag["source"] in RULE_SOURCES:
            stored_rules[(flag["record_id"], flag["note_id"], flag["sentence_index"])].add(flag["label"])
    notes = [(rid, n["note_id"], n["text"]) for rid in dv for n in review.store.notes(rid)]
    for doc, (rid, nid) in nlp.pipe(((t, (rid, nid)) for rid, nid, t in notes), as_tuples=True, batch_size=32):
        sentence_of = {}
        for s in review.store.sentences(rid, nid):
            sentence_of.update({c: s["sentence_index"] for c in range(s["start"], max(s["end"], s["start"] + 1))})
        for span in doc.spans.get("audit_flags", []):
            index = sentence_of.get(span.start_char)
            rule = by_rule.get(span.id_)
            if rule is not None and span._.counted and span.label_ not in counted[(rid, nid, index)]:
                tallies[rule.id][span.label_]["gained"] += 1
                counted[(rid, nid, index)].add(span.label_)  # one gain per sentence and label
            cue = by_rule.get(getattr(span._, "context_cue", None) or "")
            if (cue is not None and not span._.counted
                    and (rid, nid, span.label_, span.start_char, span.end_char) in stored_counted):
                tallies[cue.id][span.label_]["lost"] += 1
        if role_terms:  # a party word read as another person: the rule flags that needed its role go
            after: dict[int, set] = defaultdict(set)
            for span in doc.spans.get("audit_flags", []):
                if span._.counted:
                    after[sentence_of.get(span.start_char)].add(span.label_)
            for s in review.store.sentences(rid, nid):
                text = doc.text[s["start"]:s["end"]].lower()
                for suggestion, term in role_terms:
                    if term in text:
                        for label in stored_rules[(rid, nid, s["sentence_index"])] - after[s["sentence_index"]]:
                            tallies[suggestion.id][label]["lost"] += 1
    for s in suggestions:
        s.impact = {label: {"gained": c["gained"], "lost": c["lost"]} for label, c in sorted(tallies[s.id].items())}
    return suggestions


def suggest(review, *, rules=None, nlp=None, load=None, with_impact: bool = True,
            skip_ids=(), spans: dict | None = None) -> list[Suggestion]:
    """Suggestions from the store's decisions: mined, examples checked, impact counted.

    ``rules`` is the RuleSet the store was audited with (default: the shipped rules; an overlay
    folder's already accepted rules included when given). ``skip_ids``: suggestions already
    accepted or rejected (``overlay.decided_suggestions``) are left out. ``spans``: the stored
    sentences already parsed (``parse_store``), to parse them once for several calls.
    """
    from ..rules import load_rules
    if load is None:
        from ..pipeline import load_pipeline as load
    rules = rules if rules is not None else load_rules()
    nlp = nlp if nlp is not None else load(rules)
    found = [s for s in mine(review, nlp, spans=spans) if s.id not in set(skip_ids)]
    found = check_suggestions(found, rules, load=load)
    if with_impact:
        impact(review, found, rules, load=load)
    return found
