"""Write the rules catalogue (``docs/rules.md``): every labelled rule, for trainers.

``python -m record_audit.rules_doc docs/rules.md [--rules DIR]`` (``make rules-doc``). Rules
are grouped by label, in TAXONOMY order; each shows its id, what it matches (its
``description``), why it matters (``explanation``), a rewrite, its continuum link and the
examples the tests run. ``tests/test_rules.py`` fails when the shipped catalogue is out of date.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from . import taxonomy
from .rules import LexiconEntry, RuleSet, SyntaxEntry, load_rules

HEADER = """\
# Rules catalogue

Every rule the audit's pipeline uses to flag a sentence, grouped by label: what it matches,
why it matters, how the sentence could be written instead, where the practice sits on the
Safe & Together continuum, and the example sentences the tests run (the rule must find the
first and must not find the second). Flags are an aid to an auditor's judgement, never a
verdict on a family or a worker.

Generated from the rule files by `make rules-doc`; do not edit it by hand (a test fails when
it is out of date). Lexicon rules (word patterns) live in `lexicons/<label>.yaml`,
dependency rules (sentence structure) in `lexicons/rules/syntax.yaml`; how the files are
written is in `lexicons/README.md`. A rule's flag is not counted when the sentence negates
it, reports someone else's words or raises it as a question (`lexicons/rules/context.yaml`).
"""


def _quote(texts: tuple[str, ...]) -> list[str]:
    return [f"  - “{' '.join(t.split())}”" for t in texts]


def _rule(entry: LexiconEntry | SyntaxEntry) -> list[str]:
    kind = "dependency rule" if isinstance(entry, SyntaxEntry) else "lexicon rule"
    lines = [f"### `{entry.id}`", "", f"*{kind}, `{entry.path}`*", "",
             f"- **Matches:** {entry.description}",
             f"- **Why it matters:** {entry.explanation}",
             f"- **Rewrite:** {entry.rewrite}"]
    if entry.continuum_link:
        lines.append(f"- **Continuum link:** {entry.continuum_link}")
    if entry.examples.match:
        lines += ["- **Finds:**", *_quote(entry.examples.match)]
    if entry.examples.no_match:
        lines += ["- **Does not find:**", *_quote(entry.examples.no_match)]
    return [*lines, ""]


def render(rules: RuleSet) -> str:
    """The catalogue of ``rules`` as Markdown."""
    by_label: dict[str, list] = {label: [] for label in taxonomy.LABELS}
    for entry in [*rules.lexicon, *rules.syntax]:
        by_label[entry.label].append(entry)
    lines = [HEADER, "## Labels", ""]
    for label, entries in by_label.items():
        kind = "concern" if label in taxonomy.CONCERN_LABELS else "strength"
        lines.append(f"- [`{label}`](#{label}) ({kind}, {len(entries)} rules)")
    lines.append("")
    for label, entries in by_label.items():
        kind = "Concern label" if label in taxonomy.CONCERN_LABELS else "Strength label"
        lines += [f"## {label}", "", f"{kind}. {taxonomy.DESCRIPTIONS[label]}", ""]
        for entry in entries:
            lines += _rule(entry)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write the catalogue of the shipped rules (or of ``--rules DIR``) to a file."""
    parser = argparse.ArgumentParser(prog="python -m record_audit.rules_doc", description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the Markdown file to write (docs/rules.md)")
    parser.add_argument("--rules", help="a rules folder laid out like lexicons/ (default: the shipped rules)")
    args = parser.parse_args(argv)
    args.output.write_text(render(load_rules(args.rules)), encoding="utf-8")


if __name__ == "__main__":
    main()
