"""Load and validate the YAML rule files: lexicons, syntax, context, roles, DV terms.

Unknown keys, unknown labels, malformed patterns and duplicate ids are refused with
the file and the entry id, as medspaCy's ``ConTextRule.from_dict`` does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from spacy.schemas import validate_token_pattern

from .. import taxonomy
from ..errors import Errors, InputError
from ..resources import rules_dir
from .extensions import ROLE_ATTR

LEXICON_KEYS = {"id", "label", "patterns", "explanation", "rewrite", "continuum_link",
                "examples", "comment"}
SYNTAX_KEYS = {"id", "label", "pattern", "unless", "span", "explanation", "rewrite",
               "continuum_link", "examples", "comment"}
CONTEXT_KEYS = {"id", "category", "direction", "patterns", "max_scope", "exclude_subject_roles",
                "sentence_wide", "examples", "comment"}
ROLE_KEYS = {"id", "role", "gender", "terms", "patterns", "examples", "comment"}
TERM_KEYS = {"id", "patterns", "examples", "comment"}
OBLIGATION_KEYS = {"id", "pattern", "unless", "terms", "examples", "comment"}

CONTEXT_CATEGORIES = (*taxonomy.CONTEXTS, "terminate", "pseudo")
DIRECTIONS = ("forward", "backward", "bidirectional", "none")
GENDERS = ("female", "male", "neutral")


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
    path: str = ""


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
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
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


@dataclass
class RuleSet:
    """Everything the pipeline's rule components need, read from one rules folder."""

    lexicon: list[LexiconEntry]
    syntax: list[SyntaxEntry]
    context: list[ContextEntry]
    roles: list[RoleGroup]
    dv_terms: list[TermEntry]
    root: Path
    factors: list[TermEntry] = field(default_factory=list)
    removal_terms: list[TermEntry] = field(default_factory=list)
    obligations: list[ObligationEntry] = field(default_factory=list)
    shared_subjects: tuple[str, ...] = ()

    def catalog(self) -> dict[str, LexiconEntry | SyntaxEntry]:
        return {e.id: e for e in [*self.lexicon, *self.syntax]}


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


def read_yaml(path: Path) -> Any:
    """Read a rule file with ``RuleLoader``; YAML errors name the file, line and column."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=RuleLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"{path}{where}: not valid YAML ({getattr(err, 'problem', err)}).") from None


def _read_yaml(path: Path) -> list[dict]:
    data = read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of entries at the top level.")
    return data


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


def _examples(path: Path, rule_id: str, raw: Any) -> Examples:
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - {"match", "no_match"}:
        raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                            reason="examples must be {match: [...], no_match: [...]}"))
    return Examples(tuple(raw.get("match") or ()), tuple(raw.get("no_match") or ()))


def _patterns(path: Path, rule_id: str, raw: Any) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not raw:
        raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                            reason="patterns must be a non-empty list"))
    out = []
    for p in raw:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, list) and p and all(isinstance(t, dict) for t in p):
            pattern = expand_token_pattern(p)
            problems = validate_token_pattern(pattern)
            if problems:
                raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                                    reason="; ".join(map(str, problems[:3]))))
            out.append(pattern)
        else:
            raise InputError(Errors.E014.format(
                path=path, rule_id=rule_id,
                reason="each pattern is a phrase string or a list of token objects"))
    return tuple(out)


def _label(path: Path, rule_id: str, label: str) -> str:
    if label not in taxonomy.LABELS:
        raise InputError(Errors.E010.format(path=path, rule_id=rule_id, label=label,
                                            known=", ".join(taxonomy.LABELS)))
    return label


def _choice(path: Path, rule_id: str, value: Any, known: tuple, what: str) -> Any:
    if value not in known:
        raise InputError(Errors.E015.format(path=f"{path} (entry '{rule_id}')", value=value,
                                            what=what, known=", ".join(map(str, known))))
    return value


class _Ids:
    def __init__(self) -> None:
        self.seen: dict[str, Path] = {}

    def add(self, path: Path, rule_id: str) -> None:
        if not rule_id.replace("_", "").isalnum() or rule_id != rule_id.lower():
            raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                                reason="ids are snake_case"))
        if rule_id in self.seen:
            raise InputError(Errors.E012.format(path=path, rule_id=rule_id, other=self.seen[rule_id]))
        self.seen[rule_id] = path


def load_lexicon(root: Path, ids: _Ids) -> list[LexiconEntry]:
    entries = []
    for path in sorted(root.glob("*.yaml")):
        for raw in _read_yaml(path):
            rule_id = _check_keys(path, raw, LEXICON_KEYS,
                                  {"id", "label", "patterns", "explanation", "rewrite", "examples"})
            ids.add(path, rule_id)
            entries.append(LexiconEntry(
                id=rule_id, label=_label(path, rule_id, raw["label"]),
                patterns=_patterns(path, rule_id, raw["patterns"]),
                explanation=str(raw["explanation"]).strip(), rewrite=str(raw["rewrite"]).strip(),
                continuum_link=str(raw.get("continuum_link", "")).strip(),
                examples=_examples(path, rule_id, raw["examples"]), path=path.name))
    return entries


def _dependency_pattern(path: Path, rule_id: str, raw: dict) -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    """Validate a DependencyMatcher pattern and its ``unless`` conditions."""
    pattern = raw["pattern"]
    if not isinstance(pattern, list) or not pattern or "RIGHT_ID" not in pattern[0]:
        raise InputError(Errors.E014.format(path=path, rule_id=rule_id,
                                            reason="pattern must be a DependencyMatcher list"))
    nodes = []
    for node in pattern:
        node = dict(node)
        node["RIGHT_ATTRS"] = expand_token_pattern([node.get("RIGHT_ATTRS", {})], multi_token=False)[0]
        nodes.append(node)
    names = {n["RIGHT_ID"] for n in nodes}
    unless = []
    for cond in raw.get("unless") or ():
        cond = dict(cond)
        if cond.get("LEFT_ID") not in names or cond.get("REL_OP") not in (">", "<", ">>", "$-", "$+", ";", "."):
            raise InputError(Errors.E014.format(
                path=path, rule_id=rule_id,
                reason="each unless condition needs LEFT_ID of a pattern node and a REL_OP"))
        cond["RIGHT_ATTRS"] = expand_token_pattern([cond.get("RIGHT_ATTRS", {})], multi_token=False)[0]
        unless.append(cond)
    return tuple(nodes), tuple(unless)


def load_syntax(path: Path, ids: _Ids) -> list[SyntaxEntry]:
    entries = []
    for raw in _read_yaml(path):
        rule_id = _check_keys(path, raw, SYNTAX_KEYS,
                              {"id", "label", "pattern", "explanation", "rewrite", "examples"})
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
            examples=_examples(path, rule_id, raw["examples"]), path=path.name))
    return entries


def load_context(path: Path, ids: _Ids) -> list[ContextEntry]:
    entries = []
    for raw in _read_yaml(path):
        rule_id = _check_keys(path, raw, CONTEXT_KEYS, {"id", "category", "patterns"})
        ids.add(path, rule_id)
        category = _choice(path, rule_id, raw["category"], CONTEXT_CATEGORIES, "context category")
        default_dir = "none" if category in ("terminate", "pseudo") else "forward"
        direction = _choice(path, rule_id, raw.get("direction", default_dir), DIRECTIONS, "direction")
        roles = tuple(raw.get("exclude_subject_roles") or ())
        for role in roles:
            _choice(path, rule_id, role, taxonomy.ROLES, "role")
        entries.append(ContextEntry(
            id=rule_id, category=category, direction=direction,
            patterns=_patterns(path, rule_id, raw["patterns"]),
            examples=_examples(path, rule_id, raw.get("examples")),
            max_scope=raw.get("max_scope"), exclude_subject_roles=roles,
            sentence_wide=_choice(path, rule_id, raw.get("sentence_wide", True), (True, False), "sentence_wide value"),
            path=path.name))
    return entries


def load_roles(path: Path, ids: _Ids) -> list[RoleGroup]:
    groups = []
    for raw in _read_yaml(path):
        rule_id = _check_keys(path, raw, ROLE_KEYS, {"id", "role", "gender"})
        ids.add(path, rule_id)
        role = raw["role"]
        if role is not None:
            _choice(path, rule_id, role, taxonomy.ROLES, "role")
        examples = {k: tuple(v) for k, v in (raw.get("examples") or {}).items()}
        groups.append(RoleGroup(
            id=rule_id, role=role, gender=_choice(path, rule_id, raw["gender"], GENDERS, "gender"),
            terms=tuple(str(t) for t in raw.get("terms") or ()),
            patterns=tuple(expand_token_pattern(p) for p in raw.get("patterns") or ()),
            examples=examples, path=path.name))
    return groups


def load_terms(path: Path, ids: _Ids) -> list[TermEntry]:
    """Read a word-list file (DV terms, intersecting factors, removal terms)."""
    if not path.exists():
        return []
    entries = []
    for raw in _read_yaml(path):
        rule_id = _check_keys(path, raw, TERM_KEYS, {"id", "patterns"})
        ids.add(path, rule_id)
        entries.append(TermEntry(id=rule_id, patterns=_patterns(path, rule_id, raw["patterns"]),
                                 examples=_examples(path, rule_id, raw.get("examples")),
                                 path=path.name))
    return entries


def load_obligations(path: Path, ids: _Ids) -> tuple[list[ObligationEntry], tuple[str, ...]]:
    """Read obligation patterns and the shared-subject words ("the parents")."""
    if not path.exists():
        return [], ()
    entries, shared = [], ()
    for raw in _read_yaml(path):
        rule_id = _check_keys(path, raw, OBLIGATION_KEYS, {"id"})
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
                                       examples=_examples(path, rule_id, raw.get("examples")),
                                       path=path.name))
    return entries, shared


def load_rules(directory: str | Path | None = None) -> RuleSet:
    """Read every rule file of a rules folder (default: the shipped ``lexicons/``)."""
    root = rules_dir(directory)
    if not root.is_dir():
        raise InputError(Errors.E003.format(path=root))
    ids = _Ids()
    sub = root / "rules"
    obligations, shared = load_obligations(sub / "obligations.yaml", ids)
    return RuleSet(
        lexicon=load_lexicon(root, ids),
        syntax=load_syntax(sub / "syntax.yaml", ids) if (sub / "syntax.yaml").exists() else [],
        context=load_context(sub / "context.yaml", ids) if (sub / "context.yaml").exists() else [],
        roles=load_roles(sub / "roles.yaml", ids) if (sub / "roles.yaml").exists() else [],
        dv_terms=load_terms(sub / "dv_terms.yaml", ids),
        factors=load_terms(sub / "intersecting_factors.yaml", ids),
        removal_terms=load_terms(sub / "removal_terms.yaml", ids),
        obligations=obligations, shared_subjects=shared,
        root=root,
    )
