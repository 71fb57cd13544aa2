"""The HTML QA report: escaped note text, self-contained, rendered in headless Chromium."""
from __future__ import annotations

import re

import pytest

HOSTILE = [
    ('R1', 'Mother was pushed during a domestic dispute. <script>alert("x")</script> '
           'Father was not contacted. FA has anger issues.'),
    ('R1', 'CW advised MO that she must obtain a protective order or the children will be removed. '
           '<img src=x onerror=alert(1)> Mother failed to protect the kids.'),
    ('R2', 'Worker met with FA to discuss his violence. He monitors her phone and controls the money. '
           'She called the police and took the children to her sister\'s. Jayden (6) hides when FA shouts.'),
    ('R3', 'School attendance good. No DV concerns. Kids fed & clean.'),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, write_notes, run_cli):
    tmp = tmp_path_factory.mktemp("report")
    notes = write_notes(tmp / "notes.csv", HOSTILE)
    out = tmp / "report.html"
    result = run_cli("audit", notes, "--db", tmp / "a.sqlite", "--report", out)
    assert result.exit_code == 0, result.output
    return out


def section(html: str, record_id: str) -> str:
    """One record's section of the report."""
    start = html.index(f'<section class="record" id="record-{record_id}"')
    end = html.find('<section class="record"', start + 1)
    return html[start:end if end != -1 else len(html)]


def test_note_markup_comes_out_escaped(report_file):
    html = report_file.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    # the flagged sentence after the script tag is shown, the tag as text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script" in section(html, "R1")


def test_report_is_self_contained(report_file):
    html = report_file.read_text(encoding="utf-8")
    for fragment in ("http://", "https://", "<link", "@import", "url("):
        assert fragment not in html, fragment
    assert "Content-Security-Policy" in html


def test_report_shows_levels_evidence_explanations_and_rewrites(report_file):
    html = report_file.read_text(encoding="utf-8")
    r1 = section(html, "R1")
    assert ">Destructiveness</span>" in r1 and "Why this level:" in r1
    assert "The sentences that decided it" in r1
    assert 'title="Failure to protect">failed to protect the kids</mark>' in r1
    assert "Better:" in r1  # a rule's rewrite beside its flag
    assert ">No DV (not placed)</span>" in section(html, "R3")  # R3 has no DV


@pytest.mark.browser
def test_report_renders_in_headless_chromium(report_file, tmp_path, offline_page):
    with offline_page(report_file) as page:
        bars = page.locator("#continuum-chart rect.bar")
        assert bars.count() == 5
        assert page.locator("#continuum-chart svg").is_visible()
        widths = [float(bars.nth(i).get_attribute("width")) for i in range(5)]
        assert max(widths) > 100  # at least one level has records
        assert page.locator("section.record").count() == 3
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    # no alert fired from note text either: it would have been a page error above


def test_flags_on_the_same_span_are_highlighted_once():
    """Two sentence-wide classifier flags share a span (found by the notebook with a model)."""
    from record_audit.report.html import segments

    text = "She puts him first."
    flags = [{"start": 10, "end": 29, "label": "survivor_pathologized", "counted": 1},
             {"start": 10, "end": 29, "label": "failure_to_protect", "counted": 1}]
    out = segments(text, 10, flags)
    assert [(s.text, s.label) for s in out] == [("She puts him first.", "failure_to_protect")]


def test_why_this_level_names_this_records_own_evidence(report_file):
    html = report_file.read_text(encoding="utf-8")
    r1, r2 = section(html, "R1"), section(html, "R2")
    assert ("Placed at Destructiveness: “Failure to protect” in 1 sentence, removal of the children made a "
            "condition on her and no sentence engaging him as a parent.") in r1.replace("&#8220;", "“").replace(
        "&#8221;", "”")
    # R2 names his pattern and engages him, so its reasons are its own, not R1's sentence again
    assert "Placed at " in r2 and "Failure to protect" not in r2.split("The rubric")[0]


def test_plain_language_names_replace_internal_ones(report_file):
    html = report_file.read_text(encoding="utf-8")
    visible = re.sub(r"<[^>]+>", " ", re.sub(r'(title|data-label|id|href|class)="[^"]*"', "", html))
    for internal in ("failure_to_protect", "perpetrator_pattern", "not_applicable", "survivor_responsibilized",
                     "lexicon", "min_anger"):
        assert internal not in visible, internal
    assert "Word pattern" in visible and "Tasks on her for each task on him" in visible


def test_look_at_these_first_and_contents_link_to_the_records(report_file):
    html = report_file.read_text(encoding="utf-8")
    first = html[html.index('id="look-first"'):html.index('id="continuum"')]
    assert 'href="#record-R1"' in first and 'href="#record-R2"' not in first  # only the two lowest levels
    assert "Mother failed to protect the kids." in re.sub(r"<[^>]+>", "", first) or "removed" in first
    toc = html[html.index('<nav class="toc"'):html.index("</nav>")]
    for target in re.findall(r'href="#([^"]+)"', toc):
        assert f'id="{target}"' in html, target
    # a team row links to its list of records, which links to each record
    assert '<a href="#team-North">North</a>' in html
    team = html[html.index('<div id="team-North">'):]
    team = team[:team.index("</div>")]
    assert all(f'href="#record-{rid}"' in team for rid in ("R1", "R2", "R3"))


def test_a_team_without_dv_records_has_no_rate(report_file, tmp_path):
    """'father never engaged' is undefined for a team without DV records: a dash, not 0%."""
    import shutil
    import sqlite3

    from record_audit.continuum import Rubric
    from record_audit.report.html import render_report
    from record_audit.store import AuditStore

    db = tmp_path / "a.sqlite"
    shutil.copy(report_file.parent / "a.sqlite", db)
    with sqlite3.connect(db) as conn:  # R3 (no DV) moves to a team of its own
        conn.execute("UPDATE records SET team = 'South' WHERE record_id = 'R3'")
        conn.execute("UPDATE notes SET team = 'South' WHERE record_id = 'R3'")
    with AuditStore(db) as store:
        html = render_report(store, Rubric.load(None))
    teams = html[html.index('id="teams"'):html.index('<div id="team-North">')]
    south = teams[teams.index('href="#team-South"'):]
    assert south[:south.index("</tr>")].endswith('<td class="num">—</td>')
    indicators = html[html.index('id="indicators"'):html.index('id="teams"')]
    assert "Share of DV records…" in indicators and "<td>DV records" not in indicators  # rows read on from it


def test_anchors_are_safe_and_distinct():
    from record_audit.report.html import anchor

    assert anchor("record", "S001") == "record-S001"
    names = ["A 1", "A_1", "A-1", "A/1", "A\"1"]
    anchors = [anchor("record", n) for n in names]
    assert len(set(anchors)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", a) for a in anchors)


def pdf_text(pdf_path) -> list[str]:
    """Each page's text, ligatures unfolded and whitespace collapsed."""
    import unicodedata

    from pypdf import PdfReader
    return [" ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
            for page in PdfReader(pdf_path).pages]


def print_to_pdf(launch_chromium, html_path, pdf_path):
    """Print a page as a user would from Chromium (print stylesheet, CSS page size and margins)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            page.goto(html_path.as_uri())
            page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    return pdf_text(pdf_path)


def flat(text: str) -> str:
    """Whitespace collapsed and compatibility characters unfolded, as ``pdf_text`` reads them."""
    import unicodedata
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.browser
def test_printed_report_keeps_every_flag_with_its_rewrite(tmp_path, audited_samples, launch_chromium):
    """The samples' report printed to PDF: every flag's explanation with its rewrite, page numbers."""
    from collections import Counter

    from record_audit.continuum import Rubric
    from record_audit.report.html import write_report
    from record_audit.store import AuditStore
    from record_audit.taxonomy import STRENGTH_LABELS

    with AuditStore(audited_samples) as store:
        html_path = write_report(store, Rubric.load(), tmp_path / "report.html")
        flags = store.flags()
    pages = print_to_pdf(launch_chromium, html_path, tmp_path / "report.pdf")
    text = " ".join(pages)
    expected = Counter(
        flat(f"{f['explanation']} {'Guidance' if f['label'] in STRENGTH_LABELS else 'Better'}: {f['rewrite']}")
        for f in flags if f["rewrite"])
    assert len(flags) > 500 and sum(expected.values()) == len(flags)
    missing = {t: (n, text.count(t)) for t, n in expected.items() if text.count(t) < n}
    assert not missing, f"flags or rewrites lost in print: {list(missing.items())[:3]}"
    # page numbers on every page
    assert all(f"Page {i} of {len(pages)}" in page for i, page in enumerate(pages, start=1))


@pytest.mark.browser
def test_printed_record_cards_are_not_split(report_file, tmp_path, launch_chromium):
    pages = print_to_pdf(launch_chromium, report_file, tmp_path / "report.pdf")
    html = report_file.read_text(encoding="utf-8")
    for rid in ("R1", "R2", "R3"):
        heading = f"Record {rid} "
        last = flat(re.sub(r"<[^>]+>", " ", section(html, rid)).split("Better:")[-1])[:40]
        on = [i for i, page in enumerate(pages) if heading in page and "Why this level" in page]
        assert len(on) == 1, rid
        assert last.split(" Back to")[0][:30] in pages[on[0]], rid  # the card's end is on its first page
