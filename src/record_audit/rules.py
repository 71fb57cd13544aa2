"""Read and validate every rule file of a rules folder, without spaCy.

A rules folder (the shipped ``lexicons/``, or ``--rules DIR``) holds the lexicons
(``*.yaml``, one per label) and ``rules/``: ``syntax.yaml``, ``context.yaml``,
``roles.yaml``, ``dv_terms.yaml``, ``intersecting_factors.yaml``, ``removal_terms.yaml``,
``obligations.yaml`` and ``rubric.yaml``. Every one must be there. Unknown keys, unknown
labels, roles, categories or directions, duplicate ids and missing examples are refused
with the file and the entry id, as medspaCy's ``ConTextRule.from_dict`` does. Token
patterns are checked against spaCy's schema when the pipeline is built (``pipeline``), with
the same coded message.

Named word lists. A rule file is a list of entries, or a mapping with ``rules:`` (that
list) and ``words:``, named word lists that the file's patterns use by name wherever a
token attribute takes a list (``IN`` / ``NOT_IN``)::

    words:
      protect_verbs: [protect, safeguard, shield]
    rules:
      - id: ftp_failed_to_protect
        patterns:
          - [{LOWER: failed}, {LOWER: to}, {LEMMA: {IN: protect_verbs}}]

The loader puts the list in place of its name, so the pipeline sees the same patterns as if
the words were written out. A name is known only in its own file; an unknown name is an
error, a list no pattern uses a warning.

``rules_fingerprint`` hashes what the pipeline and the rubric use (canonical JSON), so
comments, descriptions, examples, word-list names and layout do not change it.

Overlay folders. A folder with an ``overlay.yaml`` (``overlays: shipped``, or the path of a
full rules folder) holds only rules *added* to that base: lexicon files (``*.yaml``) and, in
``rules/``, ``syntax.yaml``, ``context.yaml`` and ``roles.yaml``, each optional and laid out like
the base's. ``load_rules(DIR)`` reads the base and then the overlay's entries (ids must stay
unique across both); the rubric and word lists are the base's. Accepted rule suggestions are
written to such a folder (``record_audit.adapt``); their entries carry ``provenance`` (who
accepted them, when, from which review decisions), which the pipeline ignores.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import taxonomy
from .errors import Errors, InputError, Warnings, warn
from .resources import rules_dir

# Rules match a mention's role ("ROLE: survivor" in the YAML) on this native token attribute,
# which record_audit_roles sets (see pipeline/extensions.py).
ROLE_ATTR = "ENT_ID"

RULE_FILES = ("syntax.yaml", "context.yaml", "roles.yaml", "dv_terms.yaml", "intersecting_factors.yaml",
              "removal_terms.yaml", "obligations.yaml", "rubric.yaml")

LEXICON_KEYS = {"id", "label", "description", "patterns", "explanation", "rewrite", "continuum_link",
                "examples", "comment", "provenance"}
SYNTAX_KEYS = {"id", "label", "description", "pattern", "unless", "span", "explanation", "rewrite",
               "continuum_link", "examples", "comment", "provenance"}
CONTEXT_KEYS = {"id", "category", "direction", "patterns", "max_scope", "exclude_subject_roles",
                "sentence_wide", "examples", "comment", "provenance"}
ROLE_KEYS = {"id", "role", "gender", "terms", "patterns", "examples", "comment", "provenance"}
# an overlay folder (rules added to a base folder) is marked by this file; what it may hold
OVERLAY_FILE = "overlay.yaml"
OVERLAY_RULE_FILES = ("syntax.yaml", "context.yaml", "roles.yaml")
TERM_KEYS = {"id", "patterns", "examples", "comment"}
OBLIGATION_KEYS = {"id", "pattern", "unless", "terms", "examples", "comment"}
RUBRIC_KEYS = {"id", "level", "all", "any", "none", "compare", "not_rules", "evidence", "rationale", "comment"}

CONTEXT_CATEGORIES = (*taxonomy.CONTEXTS, "terminate", "pseudo")
DIRECTIONS = ("forward", "backward", "bidirectional", "none")
GENDERS = ("female", "male", "neutral")
REL_OPS = (">", "<", ">>", "$-", "$+", ";", ".")
COMPARE_OPS = ("<", "<=", ">", ">=", "==")
# what a rubric condition may test: labels, indicators and critical components of a record
RUBRIC_FACTS = (*taxonomy.LABELS, "dv_present", "removal_threat", "father_absent_record",
                "perpetrator_invisible_record", "concern_label", "strength_label", "onus_ratio",
                *taxonomy.CRITICAL_COMPONENTS)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Examples:
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class LexiconEntry:
    id: str
    label: str
    patterns: tuple[Any, ...]
    explanation: str
    rewrite: str
    continuum_link: str
    examples: Examples
    description: str = ""
    path: str = ""  # the rule file, relative to the rules folder


@dataclass(frozen=True)
class SyntaxEntry:
    id: str
    label: str
    pattern: tuple[dict, ...]
    explanation: str
    rewrite: str
    continuum_link: str
    examples: Examples
    unless: tuple[dict, ...] = ()
    span: tuple[str, ...] = ()
    description: str = ""
    path: str = ""


@dataclass(frozen=True)
class ContextEntry:
    id: str
    category: str
    direction: str
    patterns: tuple[Any, ...]
    examples: Examples
    max_scope: int | None = None
    exclude_subject_roles: tuple[str, ...] = ()
    # False: the cue is too local to frame a whole sentence ("could not leave", "may"), so it
    # gives no context to a sentence-wide (classifier) flag, whose model read it already
    sentence_wide: bool = True
    path: str = ""


@dataclass(frozen=True)
class RoleGroup:
    id: str
    role: str | None
    gender: str
    terms: tuple[str, ...]
    patterns: tuple[Any, ...]
    examples: Examples = Examples()
    path: str = ""


@dataclass(frozen=True)
class TermEntry:
    """A word list (DV terms, intersecting factors, removal terms)."""

    id: str
    patterns: tuple[Any, ...]
    examples: Examples
    path: str = ""


@dataclass(frozen=True)
class ObligationEntry:
    id: str
    pattern: tuple[dict, ...]
    examples: Examples
    unless: tuple[dict, ...] = ()
    path: str = ""


@dataclass(frozen=True)
class RubricRule:
    id: str
    level: str
    rationale: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    compare: tuple[tuple[str, str, float], ...] = ()
    not_rules: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class RubricSpec:
    """The rubric as read from ``rules/rubric.yaml``: rules in order and the sample thresholds."""

    rules: tuple[RubricRule, ...]
    proficiency: dict[str, float]
    path: str


@dataclass(frozen=True)
class RuleSet:
    """Everything the pipeline's rule components and the rubric need, read from one rules folder."""

    lexicon: tuple[LexiconEntry, ...]
    syntax: tuple[SyntaxEntry, ...]
    context: tuple[ContextEntry, ...]
    roles: tuple[RoleGroup, ...]
    dv_terms: tuple[TermEntry, ...]
    factors: tuple[TermEntry, ...]
    removal_terms: tuple[TermEntry, ...]
    obligations: tuple[ObligationEntry, ...]
    shared_subjects: tuple[str, ...]
    rubric: RubricSpec
    root: Path

    def fingerprint(self) -> str:
        """16 hex digits of what the pipeline and the rubric use: patterns, labels, explanations,
        rewrites, roles, context settings, word lists, rubric conditions (not descriptions,
        examples, comments, continuum links or file layout)."""
        def used(entry, *drop: str) -> dict:
            return {k: v for k, v in asdict(entry).items()
                    if k not in {"examples", "description", "continuum_link", "path", *drop}}
        content = {
            "lexicon": [used(e) for e in self.lexicon], "syntax": [used(e) for e in self.syntax],
            "context": [used(e) for e in self.context], "roles": [used(e) for e in self.roles],
            "dv_terms": [used(e) for e in self.dv_terms], "factors": [used(e) for e in self.factors],
            "removal_terms": [used(e) for e in self.removal_terms],
            "obligations": [used(e) for e in self.obligations], "shared_subjects": list(self.shared_subjects),
            "rubric": {"rules": [asdict(r) for r in self.rubric.rules], "proficiency": self.rubric.proficiency},
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# -- YAML ------------------------------------------------------------------------------------------
class RuleLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML 1.2 booleans only: cue words such as `no`, `yes`, `on` and `off` stay strings.

    Built on libyaml's parser when PyYAML has it (about ten times faster on the rule files).
    """


RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


# parsed rule files by the SHA-256 of their bytes: building Python objects from YAML is most of a
# load (about 1.5 s for the shipped rules), and a process often loads the same files again (the
# pipeline, the fingerprint, the first pass). Callers get a deep copy, never the cached object.
_PARSED: dict[str, Any] = {}
_PARSED_MAX = 64


def read_yaml(path: Path) -> Any:
    """Read a rule file with ``RuleLoader``; a missing file or bad YAML is a coded error."""
    if not path.is_file():
        raise InputError(Errors.E070.format(path=path, files=", ".join(RULE_FILES)))
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = _parse_yaml(path, data)
    return copy.deepcopy(_PARSED[key])


def _parse_yaml(path: Path, data: bytes) -> Any:
    try:
        return yaml.load(data.decode("utf-8"), Loader=RuleLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(Errors.E072.format(path=path, where=where,
                                            reason=getattr(err, "problem", None) or err)) from None


class _WordLists:
    """A file's named word lists: put in place of their names, and which were used."""

    def __init__(self, path: Path, raw: Any) -> None:
        self.path = path
        if not isinstance(raw, dict):
            raise InputError(Errors.E075.format(path=path, name="words", reason="words: must map names to lists"))
        for name, words in raw.items():
            if not isinstance(name, str) or not _NAME.match(name):
                raise InputError(Errors.E075.format(path=path, name=name, reason="a name is snake_case"))
            if (not isinstance(words, list) or not words
                    or not all(isinstance(w, (str, int, float)) and not isinstance(w, bool) for w in words)):
                raise InputError(Errors.E075.format(path=path, name=name,
                                                    reason="a word list is a non-empty list of words"))
        self.lists: dict[str, list] = raw
        self.used: set[str] = set()

    def expand(self, value: Any, rule_id: str) -> Any:
        """``value`` with every ``IN``/``NOT_IN`` that names a list replaced by (a copy of) it."""
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key in ("IN", "NOT_IN") and isinstance(item, str):
                    if item not in self.lists:
                        raise InputError(Errors.E074.format(path=self.path, rule_id=rule_id, name=item,
                                                            known=", ".join(self.lists) or "none"))
                    self.used.add(item)
                    out[key] = list(self.lists[item])
                else:
                    out[key] = self.expand(item, rule_id)
            return out
        if isinstance(value, list):
            return [self.expand(item, rule_id) for item in value]
        return value

    def warn_unused(self) -> None:
        for name in self.lists:
            if name not in self.used:
                warn(Warnings.W030.format(path=self.path, name=name))


def _read_entries(path: Path, root: Path) -> tuple[list[tuple[dict, str]], str]:
    """A rule file's entries with their ids, word lists put in place; and its path in the folder."""
    data = read_yaml(path)
    words = None
    if isinstance(data, dict) and "rules" in data and set(data) <= {"rules", "words"}:
        words = _WordLists(path, data.get("words") or {})
        data = data["rules"]
    if data is None:
        data = []
    if not isinstance(data, list):
        raise InputError(Errors.E073.format(path=path))
    entries = []
    for index, raw in enumerate(data, 1):
        if not isinstance(raw, dict):
            raise InputError(Errors.E078.format(path=path, index=index))
        rule_id = str(raw.get("id", "?"))
        if words is not None:
            raw = {k: words.expand(v, rule_id) if k in ("patterns", "pattern", "unless") else v
                   for k, v in raw.items()}
        entries.append((raw, rule_id))
    if words is not None:
        words.warn_unused()
    return entries, path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


# -- checks ----------------------------------------------------------------------------------------
def _check_keys(path: Path, raw: dict, allowed: set[str], required: set[str]) -> str:
    rule_id = str(raw.get("id", "?"))
    unknown = set(raw) - allowed
    if unknown:
        raise InputError(Errors.E011.format(path=path, rule_id=rule_id, keys=sorted(unknown),
                                            allowed=", ".join(sorted(allowed))))
    missing = required - set(raw)
    if missing:
        raise InputError(Errors.E013.format(path=path, rule_id=rule_id, keys=sorted(missing)))
    return rule_id


def _examples(path: Path, rule_id: str, raw: Any, *, required: bool = False) -> Examples:
    raw = raw or {}
    if (not isinstance(raw, dict) or set(raw) - {"match", "no_match"}
            or not all(isinstance(v, list) and all(isinstance(t, str) for t in v) for v in raw.values())):
        raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                            reason="examples must be {match: [...], no_match: [...]}"))
    examples = Examples(tuple(raw.get("match") or ()), tuple(raw.get("no_match") or ()))
    if required and not examples.match:
        raise InputError(Errors.E079.format(path=path, rule_id=rule_id))
    return examples


_STRING_ATTRS = {"ORTH", "TEXT", "LOWER", "NORM", "LEMMA"}


def _as_strings(value: Any) -> Any:
    """Let authors write 911 or 999 unquoted: string attributes compare strings."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return {k: [_as_strings(v) for v in vs] if isinstance(vs, list) else vs for k, vs in value.items()}
    return value


def expand_token_pattern(pattern: list[dict], *, multi_token: bool = True) -> list[dict]:
    """Translate the ``ROLE`` shorthand (or ``{"_": {"role": ...}}``) into a match on ``ROLE_ATTR``.

    In Matcher patterns a ROLE token also gets ``OP: "+"`` unless it has an operator,
    since a mention can be several tokens; DependencyMatcher nodes are single tokens.
    Written as ``_: {role: ...}`` the constraint keeps its operator as written.
    """
    out = []
    for token in pattern:
        token = {k: _as_strings(v) if k in _STRING_ATTRS else v for k, v in dict(token).items()}
        extension = token.get("_")
        if isinstance(extension, dict) and "role" in extension:
            rest = {k: v for k, v in extension.items() if k != "role"}
            token[ROLE_ATTR] = _as_strings(extension["role"])
            if rest:
                token["_"] = rest
            else:
                del token["_"]
        if "ROLE" in token:
            token[ROLE_ATTR] = _as_strings(token.pop("ROLE"))
            # a mention can be several tokens ("Mr. Lee", "the father"): match them all
            if multi_token:
                token.setdefault("OP", "+")
        out.append(token)
    return out


def _token_pattern(path: Path, rule_id: str, raw: Any) -> list[dict]:
    if not (isinstance(raw, list) and raw and all(isinstance(t, dict) and t for t in raw)):
        raise InputError(Errors.E014.format(
            path=path, rule_id=rule_id, reason="a token pattern is a list of token objects ({ATTR: value})"))
    return expand_token_pattern(raw)


def _patterns(path: Path, rule_id: str, raw: Any) -> tuple[Any, ...]:
    """Phrase strings and token patterns; token attributes are checked by ``pipeline``."""
    if not isinstance(raw, list) or not raw:
        raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                            reason="patterns must be a non-empty list"))
    out = []
    for p in raw:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, list):
            out.append(_token_pattern(path, rule_id, p))
        else:
            raise InputError(Errors.E014.format(
                path=path, rule_id=rule_id, reason="each pattern is a phrase string or a list of token objects"))
    return tuple(out)


def _label(path: Path, rule_id: str, label: Any) -> str:
    if label not in taxonomy.LABELS:
        raise InputError(Errors.E010.format(path=path, rule_id=rule_id, label=label,
                                            known=", ".join(taxonomy.LABELS)))
    return label


def _choice(path: Path, rule_id: str, value: Any, known: tuple, what: str) -> Any:
    if value not in known:
        raise InputError(Errors.E015.format(path=f"{path} (entry '{rule_id}')", value=value,
                                            what=what, known=", ".join(map(str, known))))
    return value


def _text(raw: dict, key: str) -> str:
    return " ".join(str(raw.get(key) or "").split())


class _Ids:
    def __init__(self) -> None:
        self.seen: dict[str, Path] = {}

    def add(self, path: Path, rule_id: str) -> None:
        if not rule_id.replace("_", "").isalnum() or rule_id != rule_id.lower():
            raise InputError(Errors.E014.format(path=path, rule_id=rule_id, reason="ids are snake_case"))
        if rule_id in self.seen:
            raise InputError(Errors.E012.format(path=path, rule_id=rule_id, other=self.seen[rule_id]))
        self.seen[rule_id] = path


# -- the files -------------------------------------------------------------------------------------
def load_lexicon(root: Path, ids: _Ids, *, required: bool = True) -> list[LexiconEntry]:
    paths = sorted(p for p in root.glob("*.yaml") if p.name != OVERLAY_FILE)
    if not paths and required:
        raise InputError(Errors.E071.format(path=root))
    entries = []
    for path in paths:
        raws, where = _read_entries(path, root)
        for raw, rule_id in raws:
            _check_keys(path, raw, LEXICON_KEYS,
                        {"id", "label", "description", "patterns", "explanation", "rewrite", "examples"})
            ids.add(path, rule_id)
            entries.append(LexiconEntry(
                id=rule_id, label=_label(path, rule_id, raw["label"]),
                patterns=_patterns(path, rule_id, raw["patterns"]),
                explanation=str(raw["explanation"]).strip(), rewrite=str(raw["rewrite"]).strip(),
                continuum_link=str(raw.get("continuum_link", "")).strip(),
                examples=_examples(path, rule_id, raw["examples"], required=True),
                description=_text(raw, "description"), path=where))
    return entries


def _dependency_pattern(path: Path, rule_id: str, raw: dict) -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    """Check a DependencyMatcher pattern's structure and its ``unless`` conditions."""
    pattern = raw["pattern"]
    if (not isinstance(pattern, list) or not pattern or not all(isinstance(n, dict) for n in pattern)
            or "RIGHT_ID" not in pattern[0]):
        raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                            reason="pattern must be a DependencyMatcher list"))
    nodes = []
    for node in pattern:
        node = dict(node)
        node["RIGHT_ATTRS"] = expand_token_pattern([node.get("RIGHT_ATTRS", {})], multi_token=False)[0]
        nodes.append(node)
    names = {n.get("RIGHT_ID") for n in nodes}
    unless = []
    for cond in raw.get("unless") or ():
        cond = dict(cond) if isinstance(cond, dict) else {}
        if cond.get("LEFT_ID") not in names or cond.get("REL_OP") not in REL_OPS:
            raise InputError(Errors.E014.format(
                path=path, rule_id=rule_id,
                reason="each unless condition needs LEFT_ID of a pattern node and a REL_OP"))
        cond["RIGHT_ATTRS"] = expand_token_pattern([cond.get("RIGHT_ATTRS", {})], multi_token=False)[0]
        unless.append(cond)
    return tuple(nodes), tuple(unless)


def load_syntax(path: Path, root: Path, ids: _Ids) -> list[SyntaxEntry]:
    entries = []
    raws, where = _read_entries(path, root)
    for raw, rule_id in raws:
        _check_keys(path, raw, SYNTAX_KEYS,
                    {"id", "label", "description", "pattern", "explanation", "rewrite", "examples"})
        ids.add(path, rule_id)
        nodes, unless = _dependency_pattern(path, rule_id, raw)
        names = {n["RIGHT_ID"] for n in nodes}
        span = tuple(raw.get("span") or ())
        for name in span:
            if name.split(":")[0] not in names:
                raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                                    reason=f"span names unknown node '{name}'"))
        entries.append(SyntaxEntry(
            id=rule_id, label=_label(path, rule_id, raw["label"]), pattern=nodes,
            unless=unless, span=span,
            explanation=str(raw["explanation"]).strip(), rewrite=str(raw["rewrite"]).strip(),
            continuum_link=str(raw.get("continuum_link", "")).strip(),
            examples=_examples(path, rule_id, raw["examples"], required=True),
            description=_text(raw, "description"), path=where))
    return entries


def load_context(path: Path, root: Path, ids: _Ids) -> list[ContextEntry]:
    entries = []
    raws, where = _read_entries(path, root)
    for raw, rule_id in raws:
        _check_keys(path, raw, CONTEXT_KEYS, {"id", "category", "patterns"})
        ids.add(path, rule_id)
        category = _choice(path, rule_id, raw["category"], CONTEXT_CATEGORIES, "context category")
        default_dir = "none" if category in ("terminate", "pseudo") else "forward"
        direction = _choice(path, rule_id, raw.get("direction", default_dir), DIRECTIONS, "direction")
        roles = tuple(raw.get("exclude_subject_roles") or ())
        for role in roles:
            _choice(path, rule_id, role, taxonomy.ROLES, "role")
        max_scope = raw.get("max_scope")
        if max_scope is not None and (not isinstance(max_scope, int) or isinstance(max_scope, bool) or max_scope < 1):
            _choice(path, rule_id, max_scope, ("a whole number of tokens, 1 or more",), "max_scope")
        entries.append(ContextEntry(
            id=rule_id, category=category, direction=direction,
            patterns=_patterns(path, rule_id, raw["patterns"]),
            examples=_examples(path, rule_id, raw.get("examples")),
            max_scope=max_scope, exclude_subject_roles=roles,
            sentence_wide=_choice(path, rule_id, raw.get("sentence_wide", True), (True, False), "sentence_wide value"),
            path=where))
    return entries


def load_roles(path: Path, root: Path, ids: _Ids) -> list[RoleGroup]:
    """Read the party words and name patterns; every group shows, by examples, what it tags."""
    groups = []
    raws, where = _read_entries(path, root)
    for raw, rule_id in raws:
        _check_keys(path, raw, ROLE_KEYS, {"id", "role", "gender", "examples"})
        ids.add(path, rule_id)
        role = raw["role"]
        if role is not None:
            _choice(path, rule_id, role, taxonomy.ROLES, "role")
        terms = raw.get("terms") or []
        if not isinstance(terms, list) or not all(isinstance(t, (str, int)) for t in terms):
            raise InputError(Errors.E014.format(path=path, rule_id=rule_id, reason="terms must be a list of words"))
        patterns = raw.get("patterns") or []
        if not terms and not patterns:
            raise InputError(Errors.E013.format(path=path, rule_id=rule_id, keys=["terms or patterns"]))
        if not isinstance(patterns, list):
            raise InputError(Errors.E014.format(path=path, rule_id=rule_id, reason="patterns must be a list"))
        groups.append(RoleGroup(
            id=rule_id, role=role, gender=_choice(path, rule_id, raw["gender"], GENDERS, "gender"),
            terms=tuple(str(t) for t in terms),
            patterns=tuple(_token_pattern(path, rule_id, p) for p in patterns),
            examples=_examples(path, rule_id, raw["examples"], required=True), path=where))
    return groups


def load_terms(path: Path, root: Path, ids: _Ids) -> list[TermEntry]:
    """Read a word-list file (DV terms, intersecting factors, removal terms)."""
    entries = []
    raws, where = _read_entries(path, root)
    for raw, rule_id in raws:
        _check_keys(path, raw, TERM_KEYS, {"id", "patterns"})
        ids.add(path, rule_id)
        entries.append(TermEntry(id=rule_id, patterns=_patterns(path, rule_id, raw["patterns"]),
                                 examples=_examples(path, rule_id, raw.get("examples")), path=where))
    return entries


def load_obligations(path: Path, root: Path, ids: _Ids) -> tuple[list[ObligationEntry], tuple[str, ...]]:
    """Read obligation patterns and the shared-subject words ("the parents")."""
    entries, shared = [], ()
    raws, where = _read_entries(path, root)
    for raw, rule_id in raws:
        _check_keys(path, raw, OBLIGATION_KEYS, {"id"})
        ids.add(path, rule_id)
        if "terms" in raw:
            shared = tuple(str(t).lower() for t in raw["terms"])
            continue
        if "pattern" not in raw:
            raise InputError(Errors.E013.format(path=path, rule_id=rule_id, keys=["pattern"]))
        nodes, unless = _dependency_pattern(path, rule_id, raw)
        if "subject" not in {n["RIGHT_ID"] for n in nodes}:
            raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                                reason="an obligation pattern needs a node named 'subject'"))
        entries.append(ObligationEntry(id=rule_id, pattern=nodes, unless=unless,
                                       examples=_examples(path, rule_id, raw.get("examples")), path=where))
    return entries, shared


def load_rubric(directory: str | Path | None = None) -> RubricSpec:
    """Read and check ``rules/rubric.yaml`` of a rules folder (default: the shipped one; an overlay's base's)."""
    base = overlay_base(rules_dir(directory))
    path = rules_dir(base if base is not None else directory) / "rules" / "rubric.yaml"
    data = read_yaml(path) or {}
    if not isinstance(data, dict) or set(data) - {"rules", "sample"}:
        raise InputError(Errors.E077.format(path=path))
    rules = []
    for raw in data.get("rules") or []:
        if not isinstance(raw, dict):
            raise InputError(Errors.E077.format(path=path))
        rule_id = _check_keys(path, raw, RUBRIC_KEYS, {"id", "level"})
        _choice(path, rule_id, raw["level"], taxonomy.RECORD_LEVELS, "record level")
        for key in ("all", "any", "none", "evidence"):
            for fact in raw.get(key) or ():
                _choice(path, rule_id, fact, RUBRIC_FACTS, "fact")
        compare = []
        for c in raw.get("compare") or ():
            if not isinstance(c, dict) or c.get("fact") not in RUBRIC_FACTS or c.get("op") not in COMPARE_OPS \
                    or not isinstance(c.get("value"), (int, float)):
                raise InputError(Errors.E014.format(
                    path=path, rule_id=rule_id, reason="compare needs a fact, an op (<, <=, >, >=, ==) and a value"))
            compare.append((c["fact"], c["op"], float(c["value"])))
        rules.append(RubricRule(
            id=rule_id, level=raw["level"], rationale=_text(raw, "rationale"),
            all=tuple(raw.get("all") or ()), any=tuple(raw.get("any") or ()),
            none=tuple(raw.get("none") or ()), compare=tuple(compare),
            not_rules=tuple(raw.get("not_rules") or ()), evidence=tuple(raw.get("evidence") or ())))
    known = {r.id for r in rules}
    for rule in rules:
        for other in rule.not_rules:
            if other not in known:
                raise InputError(Errors.E014.format(path=path, rule_id=rule.id,
                                                    reason=f"not_rules names unknown rule '{other}'"))
    proficiency = dict((data.get("sample") or {}).get("proficiency") or {})
    return RubricSpec(rules=tuple(rules), proficiency=proficiency, path=str(path))


def overlay_base(root: Path) -> Path | None:
    """The base folder of an overlay folder (one with ``overlay.yaml``); None for a full rules folder."""
    marker = root / OVERLAY_FILE
    if not marker.is_file():
        return None
    data = read_yaml(marker) or {}
    base = data.get("overlays", "shipped") if isinstance(data, dict) else None
    if not isinstance(data, dict) or set(data) - {"overlays", "comment"} or not isinstance(base, str):
        raise InputError(Errors.E270.format(path=marker))
    path = rules_dir(None) if base == "shipped" else (root / base if not Path(base).is_absolute() else Path(base))
    if (path / OVERLAY_FILE).is_file():
        raise InputError(Errors.E271.format(path=marker, base=path))
    return path


def _load_overlay(root: Path, base: Path) -> RuleSet:
    """The base folder's rules with the overlay's entries added after them."""
    from dataclasses import replace
    rules = load_rules(base)
    ids = _Ids()
    for entry in (*rules.lexicon, *rules.syntax, *rules.context, *rules.roles, *rules.dv_terms, *rules.factors,
                  *rules.removal_terms, *rules.obligations):
        ids.seen[entry.id] = base / entry.path
    sub = root / "rules"
    for path in sorted(sub.glob("*")) if sub.is_dir() else ():
        if path.name not in OVERLAY_RULE_FILES:
            raise InputError(Errors.E272.format(path=path, files=", ".join(OVERLAY_RULE_FILES)))
    rebased = lambda entries: tuple(replace(e, path=str(base / e.path)) for e in entries)  # noqa: E731
    extra = lambda name, load: load(sub / name, root, ids) if (sub / name).is_file() else []  # noqa: E731
    return replace(
        rules, root=root,
        lexicon=(*rebased(rules.lexicon), *load_lexicon(root, ids, required=False)),
        syntax=(*rebased(rules.syntax), *extra("syntax.yaml", load_syntax)),
        context=(*rebased(rules.context), *extra("context.yaml", load_context)),
        roles=(*rebased(rules.roles), *extra("roles.yaml", load_roles)))


def load_rules(directory: str | Path | None = None) -> RuleSet:
    """Read and check every rule file of a rules folder (default: the shipped ``lexicons/``).

    An overlay folder (``overlay.yaml``) gives its base's rules with its own entries added.
    """
    root = rules_dir(directory)
    if not root.is_dir():
        raise InputError(Errors.E003.format(path=root))
    base = overlay_base(root)
    if base is not None:
        return _load_overlay(root, base)
    ids = _Ids()
    sub = root / "rules"
    obligations, shared = load_obligations(sub / "obligations.yaml", root, ids)
    return RuleSet(
        lexicon=tuple(load_lexicon(root, ids)),
        syntax=tuple(load_syntax(sub / "syntax.yaml", root, ids)),
        context=tuple(load_context(sub / "context.yaml", root, ids)),
        roles=tuple(load_roles(sub / "roles.yaml", root, ids)),
        dv_terms=tuple(load_terms(sub / "dv_terms.yaml", root, ids)),
        factors=tuple(load_terms(sub / "intersecting_factors.yaml", root, ids)),
        removal_terms=tuple(load_terms(sub / "removal_terms.yaml", root, ids)),
        obligations=tuple(obligations), shared_subjects=shared,
        rubric=load_rubric(root),
        root=root,
    )


def rules_fingerprint(directory: str | Path | None = None) -> str:
    """The fingerprint of a rules folder's loaded rules (an audit run's ``lexicon_version``)."""
    return load_rules(directory).fingerprint()


def party_words(rules: RuleSet) -> frozenset[str]:
    """Every word of the party terms of ``rules`` (mother, fa, partner, ...), lower case."""
    words: set[str] = set()
    for group in rules.roles:
        for term in group.terms:
            words.update(term.lower().replace("'s", " ").split())
    return frozenset(words)
