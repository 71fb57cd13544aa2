"""The trainers' gallery: reviewed examples, de-identified, with rewrites and handouts.

Every identifier below is fictional and planted here; the handouts must contain none of them.
"""
from __future__ import annotations

from record_audit.taxonomy import display_name

import re
import sqlite3

import pytest

from record_audit.errors import InputError
from record_audit.gallery import Example, Gallery
from record_audit.report.handout import md_escape, render_handout, write_handout
from record_audit.store.review import ReviewStore
from record_audit.store.rewrites import latest_rewrites
from record_audit.widgets import TrainerGallery

PLANTED = {
    "names": ["Rowena Castellano", "Castellano", "Rowena", "Desmond Achterberg", "Achterberg", "Desmond",
              "Kezia", "Tobiah", "Sofia"],
    "phones": ["(937) 555-0148", "555-0148", "07700 900461", "+44 161 496 0732", "937-555-0199"],
    "emails": ["rowena.castellano@example.net", "d.achterberg@example.org"],
    "addresses": ["48 Thistlewood Crescent", "Thistlewood", "Flat 7C", "LS11 5QP", "1182 Juniper Ridge Road",
                  "Juniper Ridge", "OH 45402", "45402"],
    "dates": ["14/02/2024", "2024-03-09", "9 March 2024", "March 14, 2024"],
    "case numbers": ["2023-004512", "CP/22/1187", "ZC23P00412"],
}
NOTES = [
    ("R1", "HV 14/02/2024 at 48 Thistlewood Crescent, Flat 7C, LS11 5QP. Case No. 2023-004512, ref CP/22/1187. "
           "Mother Rowena Castellano (MO) said Desmond Achterberg (FA) pushed her against the fridge. "
           "Castellano failed to protect Kezia (7), Tobiah (4) and Sofia (9) from the violence. "
           "MO must obtain a protective order by 9 March 2024 or the children will be removed. "
           "Call MO on (937) 555-0148 or e-mail rowena.castellano@example.net."),
    ("R1", "On 2024-03-09 Mr. Achterberg, d.achterberg@example.org, 07700 900461, moved to 1182 Juniper Ridge "
           "Road, Dayton, OH 45402. FA has anger issues. Father was not contacted. Sofia is in 4th grade. "
           "Court file ZC23P00412. "
           "Achterberg monitors her phone and controls the money; on March 14, 2024 he rang her from "
           "+44 161 496 0732 and 937-555-0199. Kezia told the teacher that Desmond shouts at Mummy."),
    ("R2", "Mother was pushed during a domestic dispute. <script>alert('x')</script> FA has anger issues *again* "
           "[see](http://example.com/x). Father was not contacted."),
]


@pytest.fixture(scope="module")
def audited(tmp_path_factory, write_notes, audit_notes):
    """The planted notes audited (rules only) once; tests review copies of it."""
    tmp = tmp_path_factory.mktemp("gallery")
    return audit_notes(write_notes(tmp / "notes.csv", NOTES), tmp / "audit.sqlite")


@pytest.fixture(scope="module")
def reviewed_db(tmp_path_factory, audited, copy_store):
    """A reviewed copy: every flag accepted (the first two marked teaching), one relabel, one add."""
    review = ReviewStore(copy_store(audited, tmp_path_factory.mktemp("gallery") / "reviewed.sqlite"))
    items = review.queue()
    assert len(items) >= 6, "the planted notes should raise several flags"
    for i, item in enumerate(items[1:], start=1):
        review.decide("ana", item.key, "accept", teaching_example=i in (3, 4))
    first = items[0]
    review.decide("ana", first.key, "relabel",
                  new_label="minimized" if first.key.label != "minimized" else "mutualized")
    # a missed flag on the sentence with the phone number and the e-mail
    phone = next(s for s in review.store.sentences("R1", "R1-1")
                 if "(937)" in review.store.notes("R1")[0]["text"][s["start"]:s["end"]])
    review.add("ana", "R1", "R1-1", phone["sentence_index"], "survivor_responsibilized", teaching_example=True)
    review.close()
    return review.store.path


@pytest.fixture(scope="module")
def gallery(tmp_path_factory, reviewed_db, copy_store, deid):
    """The reviewed examples, shared by the tests that only read them (examples are made once)."""
    review = ReviewStore(copy_store(reviewed_db, tmp_path_factory.mktemp("gallery") / "shared.sqlite"))
    yield Gallery(review, deidentifier=deid)
    review.close()


@pytest.fixture
def review(tmp_path, reviewed_db, copy_store):
    """A private copy of the reviewed store, for a test that decides or saves rewrites."""
    review = ReviewStore(copy_store(reviewed_db, tmp_path / "reviewed.sqlite"))
    yield review
    review.close()


@pytest.fixture
def own_gallery(review, deid):
    """The gallery of a private copy (``review``)."""
    return Gallery(review, deidentifier=deid)


def leaks(text: str) -> list[str]:
    return [v for values in PLANTED.values() for v in values if v.lower() in text.lower()]


def example_texts(example: Example) -> str:
    return " ".join(filter(None, (example.before, example.sentence, example.after, example.note_type,
                                  example.rewrite)))


# -- de-identification of examples --------------------------------------------------------------

def test_every_example_is_de_identified(gallery):
    examples = gallery.examples(gallery.all_entries())
    assert len(examples) >= 7
    for example in examples:
        assert leaks(example_texts(example)) == [], example.label
    joined = " ".join(example_texts(e) for e in examples)
    for kind in ("Name", "Phone", "Email", "Address", "Date", "Case no."):
        assert f"[{kind} " in joined, kind


def test_role_words_and_the_flagged_language_stay(gallery):
    joined = " ".join(example_texts(e) for e in gallery.examples(gallery.all_entries()))
    for kept in ("Mother", "(MO)", "(FA)", "Father was not contacted", "anger issues", "failed to protect",
                 "monitors her phone"):
        assert kept in joined, kept


def test_placeholders_are_consistent_within_an_example(gallery):
    example = next(e for e in gallery.examples(gallery.all_entries()) if "failed to protect" in e.sentence)
    mother = re.search(r"Mother (\[Name [A-Z]\]) \(MO\)", example.before).group(1)
    father = re.search(r"(\[Name [A-Z]\]) \(FA\)", example.before).group(1)
    assert mother != father
    assert example.sentence.startswith(f"{mother} failed to protect")  # "Castellano" alone: the same person
    children = re.findall(r"(\[Name [A-Z]\]) \(\d\)", example.sentence)
    assert len(set(children)) == 3 and not {mother, father} & set(children)


def test_a_name_the_model_misses_is_caught_from_the_rest_of_the_record(gallery, deid):
    # the small English model reads a sentence-opening "Sofia" as a common noun
    assert deid.deidentify(["Sofia is in 4th grade."]) == ["Sofia is in 4th grade."]
    example = next(e for e in gallery.examples(gallery.all_entries()) if e.sentence == "Father was not contacted.")
    assert re.fullmatch(r"\[Name [A-Z]\] is in 4th grade\.", example.after), example.after


def test_highlight_marks_the_flagged_words_in_the_de_identified_sentence(gallery):
    for example in gallery.examples(gallery.all_entries()):
        pre, marked, post = example.pieces()
        assert marked.strip() and pre + marked + post == example.sentence
        assert not re.search(r"\[[A-Z][a-z. ]+ [A-Z0-9]{1,3}$", marked)  # never half a placeholder
    anger = next(e for e in gallery.examples(gallery.all_entries()) if e.sentence == "FA has anger issues.")
    assert "anger issues" in anger.pieces()[1]


# -- which examples, in which order ---------------------------------------------------------------

def test_examples_are_the_decisions_that_stand_teaching_first(own_gallery, review):
    entries = own_gallery.all_entries()
    assert {e.decision for e in entries} == {"accept", "relabel", "add"}
    teaching = [e.teaching for e in entries]
    assert teaching == sorted(teaching, reverse=True) and sum(teaching) == 3
    # a rejected flag and an undone decision are not examples
    gone = entries[-1]
    review.decide("ana", gone.key, "reject", reason="wrong_label")
    own_gallery.refresh()
    assert gone.key not in [e.key for e in own_gallery.all_entries()]
    review.undo("ana")
    own_gallery.refresh()
    assert gone.key in [e.key for e in own_gallery.all_entries()]


def test_filters_use_the_reviewed_label_and_the_source(gallery):
    relabelled = next(e for e in gallery.all_entries() if e.decision == "relabel")
    assert relabelled.key in [e.key for e in gallery.entries(label=relabelled.label)]
    assert relabelled.key not in [e.key for e in gallery.entries(label=relabelled.key.label)]
    example = gallery.example(relabelled)
    assert example.explanation and example.definition and example.guidance
    added = gallery.entries(source="review")
    assert [e.decision for e in added] == ["add"] and added[0].label == "survivor_responsibilized"
    assert all(e.source == "lexicon" for e in gallery.entries(source="lexicon"))
    assert sum(gallery.counts().values()) == len(gallery.all_entries())
    with pytest.raises(InputError, match="not a source"):
        gallery.entries(source="reviewer")


# -- trainers' rewrites ------------------------------------------------------------------------------

def test_a_trainers_rewrite_is_kept_append_only_and_de_identified(own_gallery, review):
    entry = next(e for e in own_gallery.all_entries() if "failed to protect" in own_gallery.example(e).sentence)
    example = own_gallery.example(entry)
    mother = re.search(r"Mother (\[Name [A-Z]\])", example.before).group(1)
    own_gallery.save_rewrite("tess", entry, "Desmond Achterberg pushed Ms. Castellano; she took Kezia to her "
                                        "sister's on 9 March 2024 to keep them safe.")
    rewritten = own_gallery.example(entry)
    assert rewritten.rewrite_by == "tess" and leaks(rewritten.rewrite) == []
    assert mother in rewritten.rewrite and "pushed Ms." in rewritten.rewrite
    # the stored text is as typed; the log is append-only; an empty rewrite withdraws it
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        review.conn.execute("UPDATE rewrites SET text = 'x'")
    own_gallery.save_rewrite("tess", entry, "")
    assert own_gallery.example(entry).rewrite is None and latest_rewrites(review.store) == {}
    assert review.conn.execute("SELECT COUNT(*) FROM rewrites").fetchone()[0] == 2
    with pytest.raises(InputError, match="trainer's name"):
        own_gallery.save_rewrite(" ", entry, "text")


def test_a_rewrite_that_uses_the_placeholders_keeps_them(own_gallery):
    entry = next(e for e in own_gallery.all_entries() if "failed to protect" in own_gallery.example(e).sentence)
    own_gallery.save_rewrite("tess", entry, "[Name B] pushed [Name A] against the fridge in front of the children.")
    assert own_gallery.example(entry).rewrite == "[Name B] pushed [Name A] against the fridge in front of the children."


# -- handouts -------------------------------------------------------------------------------------

def test_exported_handouts_contain_no_planted_identifier(own_gallery, tmp_path):
    entries = own_gallery.all_entries()
    own_gallery.save_rewrite("tess", entries[0], "Mr. Achterberg (FA) hit Rowena; call 07700 900461.")
    paths = write_handout(own_gallery.examples(entries), tmp_path / "handouts", title="DV module: week 2")
    assert [p.name for p in paths] == ["handout-dv-module-week-2.html", "handout-dv-module-week-2.md"]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert leaks(text) == [], path.name
        assert "DV module: week 2" in text and "Why it matters" in text and "How to write it instead" in text
        assert "(MO)" in text and "Father was not contacted" in text
    assert not list((tmp_path / "handouts").glob("*.partial"))


def test_handout_groups_by_label_concerns_first(gallery):
    html = render_handout(gallery.examples(gallery.all_entries()), title="T")
    assert html.index("Language to move away from") < html.index("Good practice to keep")
    positions = [html.index(f'id="label-{label}"') for label in ("failure_to_protect", "father_absent",
                                                                   "perpetrator_pattern")]
    assert positions == sorted(positions)


def test_note_markup_is_escaped_in_html_and_markdown(gallery):
    examples = gallery.examples(gallery.entries())
    html = render_handout(examples, title="<b>T</b>")
    assert "<script" not in html and "&lt;script&gt;" in html and "<b>T</b>" not in html
    for fragment in ("http://", "https://", "<link", "@import", "url("):
        assert fragment not in html.replace("http://example.com/x", ""), fragment
    assert "Content-Security-Policy" in html
    md = render_handout(examples, title="T", fmt="md")
    assert "<script" not in md and "&lt;script&gt;" in md
    assert "[see](http" not in md and r"\[see\]" in md and r"\*again\*" in md
    assert md_escape("- a\nb") == r"\- a b" and md_escape("1. x") == r"1\. x"


def test_handout_refuses_raw_rows_and_empty_picks(gallery, tmp_path):
    with pytest.raises(InputError, match="at least one example"):
        write_handout([], tmp_path, title="T")
    with pytest.raises(TypeError, match="de-identified"):
        render_handout([{"sentence": "Rowena Castellano"}], title="T")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        write_handout(gallery.examples(gallery.all_entries()[:1]), tmp_path / "file", title="T")


@pytest.mark.browser
def test_handout_renders_in_headless_chromium(gallery, tmp_path, offline_page):
    examples = gallery.examples(gallery.all_entries())
    (path,) = write_handout(examples, tmp_path, title="Gallery", formats=("html",))
    with offline_page(path) as page:
        assert page.locator("article.example").count() == len(examples)
        assert page.locator("article.example mark").count() == len(examples)
        assert page.locator("article.example").first.is_visible()
        pdf = page.pdf(format="A4")  # printable
    assert pdf[:4] == b"%PDF"


# -- the widget, driven in Python ----------------------------------------------------------------------

def test_widget_filters_browses_and_shows_de_identified_examples(gallery):
    panel = TrainerGallery(gallery, "tess")
    assert panel.position_text.value == f"1 of {len(gallery.all_entries())}"
    assert "teaching example" in panel.card.value  # teaching marks first
    seen = []
    for _ in range(len(panel.entries)):
        seen.append(panel.card.value)
        panel.next_button.click()
    assert panel.position == 0 and leaks(" ".join(seen)) == []
    assert "<script" not in " ".join(seen)
    panel.source.value = "review"
    assert len(panel.entries) == 1 and "Added by a reviewer" in panel.card.value
    panel.source.value = "(all)"
    panel.label.value = "father_absent"
    assert panel.entries and all(e.label == "father_absent" for e in panel.entries)
    panel.label.value = "(all)"
    panel.teaching_only.value = True
    teaching = [e.key for e in gallery.all_entries() if e.teaching]
    assert len(teaching) == 3 and [e.key for e in panel.entries] == teaching


def test_widget_picks_and_exports_a_handout(gallery, tmp_path):
    panel = TrainerGallery(gallery, "tess", folder=tmp_path / "out")
    panel.export_html_button.click()
    assert "Pick at least one example" in panel.message.value and not (tmp_path / "out").exists()
    assert panel.pick.description == "Add to handout" and panel.pick.icon == "plus"
    panel.pick.value = True
    assert panel.pick.description == "In handout" and panel.pick.icon == "check"  # a check mark only when in
    panel.next_button.click()
    assert panel.pick.value is False and panel.pick.description == "Add to handout"  # follows the example
    panel.pick.value = True
    assert panel.picked_text.value.startswith("2 example(s)")
    panel.title.value = "Week 3"
    panel.export_html_button.click()
    panel.export_md_button.click()
    html = (tmp_path / "out" / "handout-week-3.html").read_text(encoding="utf-8")
    md = (tmp_path / "out" / "handout-week-3.md").read_text(encoding="utf-8")
    assert html.count("<article") == 2 and md.count("#### Example") == 2
    assert "Handout written" in panel.message.value and leaks(html + md) == []
    panel.pick_all_button.click()
    assert panel.picked_text.value.startswith(f"{len(panel.entries)} example(s)")
    panel.clear_button.click()
    assert panel.picked == [] and panel.pick.value is False


def test_widget_saves_a_rewrite_and_shows_errors_on_the_panel(own_gallery):
    panel = TrainerGallery(own_gallery, "")
    panel.rewrite.value = "Mr. Achterberg chose to push her."
    panel.save_button.click()
    assert "needs the trainer" in panel.message.value and latest_rewrites(own_gallery.store) == {}
    panel.trainer.value = "tess"
    panel.save_button.click()
    assert "Rewrite saved" in panel.message.value
    assert "Achterberg" not in panel.card.value and "chose to push her" in panel.card.value
    assert "Achterberg" not in panel.rewrite.value  # the box shows the de-identified rewrite
    (row,) = latest_rewrites(own_gallery.store).values()
    assert row["trainer"] == "tess" and row["text"] == "Mr. Achterberg chose to push her."


def test_widget_starts_on_all_labels_with_counts(gallery):
    panel = TrainerGallery(gallery, "tess")
    assert panel.label.value == "(all)" and panel.source.value == "(all)"
    counts = gallery.counts()
    assert [label for label, value in panel.label.options[1:]] == [f"{display_name(k)} ({n})"
                                                                   for k, n in counts.items()]


def test_a_version_2_store_gains_the_rewrites_log(tmp_path):
    from record_audit.store import AuditStore
    from record_audit.store.db import _migrations, _statements

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for version, _name, sql in _migrations():
        if version <= 2:
            for statement in _statements(sql):
                conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.commit()
    conn.close()
    with AuditStore(path) as store:
        assert store.schema_version() >= 3
        assert latest_rewrites(store) == {}
