"""The HTML QA report: escaped note text, self-contained, rendered in headless Chromium."""
from __future__ import annotations


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
    assert "<strong>Evidence</strong>" in r1 and 'title="failure_to_protect">failed to protect the kids</mark>' in r1
    assert "Better:" in r1  # a rule's rewrite beside its flag
    assert ">not_applicable</span>" in section(html, "R3")  # R3 has no DV


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
