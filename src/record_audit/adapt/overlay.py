"""Accept (possibly edited) or reject a rule suggestion; accepted rules go to an overlay rules folder.

The overlay folder (``--rules-dir DIR``) is laid out like ``lexicons/`` but holds only the
accepted rules, with ``overlay.yaml`` saying what it overlays (``record_audit.rules``). An accepted
rule is written only after it loads with the rule loader's checks and its examples pass through a
pipeline of the base rules plus the folder's rules plus it, as the test suite checks every rule.
It carries its provenance (who accepted it, when, from which suggestion and review decisions, and
whether it was edited). Every accept and reject is one event in the audit store's append-only
``rule_events`` log; a decided suggestion is not suggested again. Nothing is applied silently:
``--rules DIR`` (or a pipeline loaded from DIR) is what uses the accepted rules.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import Errors, InputError
from ..files import copy_folder, make_folder, temporary_folder, write_atomic
from ..rules import OVERLAY_FILE, RuleLoader, load_rules
from ..store import adapt as sql
from ..store.db import now

ENTRY_KEYS = {"lexicon": "label", "syntax": "label", "context": "category", "roles": "role"}


def init_overlay(rules_dir: str | Path) -> Path:
    """Create the overlay folder (owner-only) with its ``overlay.yaml``, or check an existing one."""
    root = Path(rules_dir)
    if root.exists() and not (root / OVERLAY_FILE).is_file():
        if any(root.iterdir()):
            raise InputError(Errors.E274.format(path=root))
    make_folder(root)
    marker = root / OVERLAY_FILE
    if not marker.is_file():
        _write(marker, "# rules accepted from QA review (record-audit rules accept); they add to the shipped rules\n"
                       "overlays: shipped\n")
    return root


def _write(path: Path, text: str) -> None:
    make_folder(path.parent)
    write_atomic(path, text)  # owner-only


def decided_suggestions(review) -> dict[str, str]:
    """Suggestion id -> its latest action (accept or reject) in the store's ``rule_events``."""
    return {r["suggestion_id"]: r["action"] for r in sql.rule_events(review)}


def rule_events(review) -> list[dict]:
    """Every accept and reject, oldest first."""
    return sql.rule_events(review)


def parse_entry(text: str, kind: str) -> dict:
    """An edited entry (YAML of one mapping, as the panel and ``--edit FILE`` give it)."""
    try:
        data = yaml.load(text, Loader=RuleLoader)
    except yaml.YAMLError:
        raise InputError(Errors.E275.format(reason="it is not valid YAML")) from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or "id" not in data:
        raise InputError(Errors.E275.format(reason=f"give one {kind} entry: a mapping with an id"))
    return data


def entry_yaml(entry: dict) -> str:
    """The entry as YAML, for editing."""
    return yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=100)


def _append(path: Path, entry: dict) -> None:
    entries = yaml.load(path.read_text(encoding="utf-8"), Loader=RuleLoader) if path.is_file() else []
    entries = (entries or []) if isinstance(entries, list) else (entries or {}).get("rules", [])
    _write(path, "# accepted from QA review suggestions (record_audit.adapt); provenance on each entry\n"
           + yaml.safe_dump([*entries, entry], sort_keys=False, allow_unicode=True, width=100))


def check_entry(rules_dir: Path, relpath: str, kind: str, entry: dict, *, load=None) -> None:
    """Refuse an entry the loader refuses or whose examples fail, naming its id (never its text)."""
    from .suggest import failing_examples
    if load is None:
        from ..pipeline import load_pipeline as load
    with temporary_folder("record-audit-rules-") as tmp:
        trial = copy_folder(rules_dir, tmp / "rules")
        _append(trial / relpath, entry)
        rules = load_rules(trial)  # E0xx: unknown keys, labels, duplicate ids, bad patterns...
        nlp = load(rules)
        bad_match, bad_no = failing_examples(nlp, kind, entry)
    if bad_match or bad_no or not (entry.get("examples") or {}).get("match"):
        raise InputError(Errors.E276.format(rule_id=entry.get("id"), match=len(bad_match), no_match=len(bad_no)))


def accept(review, suggestion, rules_dir: str | Path, analyst: str, *, entry: dict | None = None,
           comment: str | None = None, load=None) -> Path:
    """Write ``suggestion`` (or the analyst's edit of its ``entry``) to the overlay folder; log the event.

    Returns the file written. Its examples must pass first (E276).
    """
    if not (analyst or "").strip():
        raise InputError(Errors.E277.format(action="accept"))
    root = init_overlay(rules_dir)
    edited = entry is not None and entry != suggestion.entry
    entry = dict(entry if entry is not None else suggestion.entry)
    key = ENTRY_KEYS[suggestion.kind]
    if entry.get(key) != suggestion.entry.get(key) and suggestion.kind != "lexicon":
        raise InputError(Errors.E275.format(reason=f"keep its {key} '{suggestion.entry.get(key)}'"))
    relpath = suggestion.file if suggestion.kind != "lexicon" else f"{entry.get('label')}.yaml"
    entry.pop("provenance", None)
    entry["provenance"] = {"accepted_by": analyst.strip(), "accepted_at": now(), "suggestion": suggestion.id,
                           "store": Path(review.store.path).name, "decisions": list(suggestion.decision_ids),
                           "edited": bool(edited), **({"comment": comment} if comment else {})}
    check_entry(root, relpath, suggestion.kind, entry, load=load)
    _append(root / relpath, entry)
    _log(review, analyst, suggestion, "accept", rule_id=entry["id"], path=relpath, comment=comment)
    return root / relpath


def reject(review, suggestion, analyst: str, *, comment: str | None = None) -> int:
    """Log that an analyst rejected ``suggestion`` (it is not suggested again)."""
    if not (analyst or "").strip():
        raise InputError(Errors.E277.format(action="reject"))
    return _log(review, analyst, suggestion, "reject", comment=comment)


def _log(review, analyst, suggestion, action, *, rule_id=None, path=None, comment=None) -> int:
    return sql.log_rule_event(review, analyst, suggestion, action, rule_id=rule_id, path=path, comment=comment)


def overlay_rules(rules_dir: str | Path | None):
    """The rules a store's suggestions are mined against: the overlay folder's (base + accepted) when it
    is one, else the shipped rules."""
    if rules_dir is not None and (Path(rules_dir) / OVERLAY_FILE).is_file():
        return load_rules(rules_dir)
    return load_rules()
