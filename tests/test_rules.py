"""Reading the rule files (record_audit.rules): checks, named word lists, fingerprint, catalogue."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from record_audit.errors import AuditWarning, InputError
from record_audit.resources import shipped
from record_audit.rules import RULE_FILES, load_rules, party_words, rules_fingerprint

ROOT = Path(__file__).resolve().parents[1]
LEXICON = """\
words:
  failing: [failed, fails]
  {extra}
rules:
- id: test_failed_to_protect
  label: failure_to_protect
  description: Says the survivor failed to protect the children.
  patterns:
    - [{{LOWER: {{IN: {name}}}}}, {{LOWER: to}}, {{LEMMA: protect}}]
  explanation: Makes the survivor answerable for harm the perpetrator caused.
  rewrite: Name what he did.
  examples: {{match: ["Mother failed to protect the children."]}}
"""


@pytest.fixture
def folder(tmp_path):
    """A copy of the shipped rules folder to edit."""
    path = tmp_path / "lexicons"
    shutil.copytree(shipped("lexicons"), path)
    return path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- named word lists ------------------------------------------------------------------------------
def test_a_named_word_list_is_put_in_place_of_its_name(folder):
    (folder / "zz_test.yaml").write_text(LEXICON.format(name="failing", extra=""), encoding="utf-8")
    entry = next(e for e in load_rules(folder).lexicon if e.id == "test_failed_to_protect")
    assert entry.patterns == ([{"LOWER": {"IN": ["failed", "fails"]}}, {"LOWER": "to"}, {"LEMMA": "protect"}],)
    assert entry.path == "zz_test.yaml"


def test_a_name_no_list_has_is_an_error_naming_file_and_rule(folder):
    (folder / "zz_test.yaml").write_text(LEXICON.format(name="failng", extra=""), encoding="utf-8")
    with pytest.raises(InputError, match=r"\[E074\].*zz_test\.yaml: entry 'test_failed_to_protect' uses the word "
                                         r"list 'failng'.*Defined lists: failing"):
        load_rules(folder)


def test_a_list_no_pattern_uses_is_a_coded_warning(folder):
    (folder / "zz_test.yaml").write_text(LEXICON.format(name="failing", extra="spare: [x, y]"), encoding="utf-8")
    with pytest.warns(AuditWarning, match=r"\[W030\].*zz_test\.yaml: word list 'spare' is not used"):
        load_rules(folder)


@pytest.mark.parametrize("extra", ["Bad-Name: [x]", "empty: []", "nested: [[x]]"])
def test_a_malformed_word_list_is_refused(folder, extra):
    (folder / "zz_test.yaml").write_text(LEXICON.format(name="failing", extra=extra), encoding="utf-8")
    with pytest.raises(InputError, match=r"\[E075\].*zz_test\.yaml: word list"):
        load_rules(folder)


def test_the_shipped_rules_load_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", AuditWarning)
        load_rules()


def test_rule_files_use_no_anchors_and_no_line_over_160_characters():
    for path in sorted(shipped("lexicons").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        long = [n for n, line in enumerate(text.splitlines(), 1) if len(line) > 160]
        assert not long, f"{path.name}: lines over 160 characters: {long}"
        marked = [e for e in yaml.parse(text) if getattr(e, "anchor", None) or isinstance(e, yaml.AliasEvent)]
        assert not marked, f"{path.name}: YAML anchors or aliases (use a named word list): {marked[:3]}"


# -- every file, every check -----------------------------------------------------------------------
@pytest.mark.parametrize("name", RULE_FILES)
def test_a_missing_rule_file_is_an_error_not_an_empty_rule_set(folder, name):
    (folder / "rules" / name).unlink()
    with pytest.raises(InputError, match=rf"\[E070\].*rules/{re.escape(name)}: no such rule file"):
        load_rules(folder)


def test_the_command_line_reports_a_missing_rule_file_in_one_line(folder, samples_dir):
    from click.testing import CliRunner

    from record_audit.cli import main
    (folder / "rules" / "context.yaml").unlink()
    result = CliRunner().invoke(main, ["flag", str(samples_dir / "notes.csv"), "--rules-only", "--rules", str(folder)])
    assert result.exit_code == 2, result.output
    assert "[E070] " in result.stderr and "context.yaml: no such rule file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("file,old,new,code,message", [
    ("minimized.yaml", "  label: minimized\n", "  label: minimised\n", "E010", "uses label 'minimised'"),
    ("minimized.yaml", "  rewrite: ", "  rewrites: ", "E011", "has unknown key(s) ['rewrites']"),
    ("minimized.yaml", "- id: min_softened_violence\n", "- id: min_anger_temper\n", "E012",
     "rule id 'min_anger_temper' is used twice"),
    ("rules/syntax.yaml", "  span: [\"subject:subtree\", verb]\n", "  span: [\"subj:subtree\", verb]\n", "E014",
     "span names unknown node 'subj:subtree'"),
    ("rules/context.yaml", "direction: backward", "direction: backwards", "E015",
     "'backwards' is not a valid direction"),
    ("rules/rubric.yaml", "level: Blindness", "level: Blind", "E015", "'Blind' is not a valid record level"),
])
def test_each_rule_file_refuses_a_bad_entry_naming_file_and_rule(folder, file, old, new, code, message):
    _replace(folder / file, old, new)
    with pytest.raises(InputError) as caught:
        load_rules(folder)
    text = str(caught.value)
    assert text.startswith(f"[{code}] ") and Path(file).name in text and message in text, text


def test_a_folder_without_lexicons_is_an_error(folder):
    for path in folder.glob("*.yaml"):
        path.unlink()
    with pytest.raises(InputError, match=r"\[E071\]"):
        load_rules(folder)


def test_a_role_group_is_checked_like_every_rule(folder):
    roles = folder / "rules" / "roles.yaml"
    _replace(roles, "- id: worker\n  role: worker\n", "- id: worker\n  role: social_worker\n")
    with pytest.raises(InputError, match=r"\[E015\].*roles\.yaml \(entry 'worker'\): 'social_worker' is not a "
                                         r"valid role"):
        load_rules(folder)


def test_a_role_group_without_examples_is_refused(folder):
    roles = folder / "rules" / "roles.yaml"
    text = roles.read_text(encoding="utf-8")
    text = re.sub(r"(- id: female_pronoun\n(?:  .*\n)*?)  examples: .*\n", r"\1", text)
    roles.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"\[E013\].*roles\.yaml: entry 'female_pronoun' is missing required key\(s\) "
                                         r"\['examples'\]"):
        load_rules(folder)


def test_a_lexicon_rule_without_a_description_is_refused(folder):
    _replace(folder / "minimized.yaml", "  description: Explains the perpetrator's violence as anger, temper or losing "
             "control.\n", "")
    with pytest.raises(InputError, match=r"\[E013\].*minimized\.yaml: entry 'min_anger_temper' is missing required "
                                         r"key\(s\) \['description'\]"):
        load_rules(folder)


def test_a_bad_token_pattern_is_reported_with_file_and_rule_when_the_pipeline_is_built(folder):
    """Structure is checked without spaCy; spaCy's pattern schema when the components are built."""
    from record_audit.pipeline import check_patterns
    _replace(folder / "mutualized.yaml", "[{LOWER: {IN: [domestic]}}, ", "[{LOWR: {IN: [domestic]}}, ")
    rules = load_rules(folder)  # no spaCy here: the attribute is spaCy's to know
    with pytest.raises(InputError, match=r"\[E014\].*mutualized\.yaml: entry 'mutual_domestic_dispute' has an "
                                         r"invalid pattern"):
        check_patterns(rules)


@pytest.mark.slow
def test_rules_and_rubric_are_read_without_spacy_or_sklearn():
    code = ("import sys\n"
            "from record_audit.rules import load_rules\n"
            "from record_audit.continuum import Rubric\n"
            "load_rules(); Rubric.load()\n"
            "print(sorted(m for m in ('spacy', 'sklearn') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- fingerprint -----------------------------------------------------------------------------------
def test_the_fingerprint_follows_what_the_pipeline_uses_not_the_bytes(folder):
    shipped_fp = rules_fingerprint()
    assert rules_fingerprint(folder) == shipped_fp
    minimized = folder / "minimized.yaml"
    with open(minimized, "a", encoding="utf-8") as fh:
        fh.write("\n# a reviewer's note\n")
    _replace(minimized, "  description: Explains", "  description: Says it is")
    _replace(minimized, 'match: ["FA has anger issues.", ', 'match: ["FA has anger issues.", "He lost it.", ')
    syntax = folder / "rules" / "syntax.yaml"
    text = syntax.read_text(encoding="utf-8").replace("violence_verbs", "violent_acts")  # a list renamed
    syntax.write_text(text, encoding="utf-8")
    assert rules_fingerprint(folder) == shipped_fp
    _replace(folder / "rules" / "rubric.yaml", "min_share_competence: 0.9", "min_share_competence: 0.8")
    assert rules_fingerprint(folder) != shipped_fp


@pytest.mark.parametrize("file,old,new", [
    ("minimized.yaml", "{LOWER: {IN: [jealous, drunken, blind]}}", "{LOWER: {IN: [jealous, drunken]}}"),
    ("minimized.yaml", "  explanation: Explains his violence", "  explanation: Describes his violence"),
    ("rules/roles.yaml", "terms: [she, her, hers, herself]", "terms: [she, her, hers]"),
])
def test_the_fingerprint_changes_with_a_pattern_an_explanation_or_a_role(folder, file, old, new):
    _replace(folder / file, old, new)
    assert rules_fingerprint(folder) != rules_fingerprint()


# -- for trainers ----------------------------------------------------------------------------------
def test_every_description_is_one_plain_sentence():
    rules = load_rules()
    for entry in [*rules.lexicon, *rules.syntax]:
        text = entry.description
        assert text.endswith(".") and text[0].isupper(), entry.id
        assert not re.search(r"[{}\[\]]|\b(LOWER|LEMMA|ORTH|POS|TAG|DEP|OP|ROLE|IN|NOT_IN)\b", text), entry.id
        assert len(text) <= 200, entry.id


def test_the_rules_catalogue_is_up_to_date():
    from record_audit.rules_doc import render
    expected = render(load_rules())
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == expected, "run `make rules-doc`"


def test_the_catalogue_lists_every_labelled_rule_with_its_parts():
    from record_audit.rules_doc import render
    rules = load_rules()
    text = render(rules)
    for entry in [*rules.lexicon, *rules.syntax]:
        section = text.split(f"### `{entry.id}`\n", 1)[1].split("\n### ", 1)[0]
        for part in (entry.description, entry.explanation, entry.rewrite, *entry.examples.match,
                     *entry.examples.no_match):
            assert " ".join(part.split()) in section, (entry.id, part)


# -- de-identification reads the same rules --------------------------------------------------------
def test_deid_keeps_the_party_words_of_the_rules_it_is_given(folder):
    import spacy

    from record_audit.pipeline.deid import Deidentifier
    _replace(folder / "rules" / "roles.yaml", "terms: [wife,", "terms: [wife, consort,")
    blank = spacy.blank("en")
    assert "consort" in party_words(load_rules(folder)) and "consort" not in party_words(load_rules())
    assert Deidentifier(blank, rules=folder)._kept("consort")
    assert not Deidentifier(blank)._kept("consort")
    assert Deidentifier(blank, rules=load_rules(folder))._kept("consort")
