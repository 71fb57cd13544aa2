"""Trainers' handouts: chosen gallery examples as one HTML file and one Markdown file.

Both take ``gallery.Example`` objects only, whose every text is already de-identified, and
group them by label (concerns first, then good practice), each with why it matters, the
TAXONOMY definition, the trainer's rewrite when there is one and the rule's guidance.
The HTML is self-contained, printable and offline (no scripts, fonts or links; a
Content-Security-Policy forbids loading anything); Jinja2 autoescapes every value. The
Markdown template escapes every value too (``md_escape``), so a note's ``*``, ``[`` or
``<script>`` stays text. Files are written atomically into the chosen folder.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__, taxonomy
from ..errors import Errors, InputError
from ..files import make_folder, write_atomic
from ..gallery import Example

FORMATS = {"html": "handout.html.j2", "md": "handout.md.j2"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


# where an example's flag came from, in plain words (taxonomy.display_name; a reviewer's added flag)
SOURCE_TITLES = {**{s: taxonomy.display_name(s) for s in taxonomy.SOURCES}, "review": "Added by a reviewer"}


def label_title(label: str) -> str:
    """A label's plain-language name: 'failure_to_protect' -> 'Failure to protect' (taxonomy.display_name)."""
    return taxonomy.display_name(label)


def md_escape(value) -> str:
    """Make a value inert Markdown text: one line, specials backslash-escaped, no raw HTML."""
    if value is None:
        return ""
    text = re.sub(r"\s+", " ", str(value))  # one line; a single space at either end stays
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"^( ?)([-+=])", r"\1\\\2", text)  # would open a list or a heading underline
    return re.sub(r"^( ?\d+)([.)])", r"\1\\\2", text)  # would open a numbered list


def group_examples(examples: list[Example]) -> list[dict]:
    """Sections (concerns, then good practice) of labels in taxonomy order, each with its examples."""
    for index, example in enumerate(examples):
        if not isinstance(example, Example):
            raise TypeError(Errors.E117.format(index=index, kind=type(example).__name__))
    sections = []
    for title, labels, lead in (
            ("Language to move away from", taxonomy.CONCERN_LABELS,
             "Wording that holds the survivor responsible, hides the perpetrator or softens his behaviour, "
             "with a perpetrator pattern-based rewrite."),
            ("Good practice to keep", taxonomy.STRENGTH_LABELS,
             "Wording that names his behaviours, their harm to the children, her protective efforts, "
             "and engages him as a parent.")):
        groups = [{"label": label, "title": label_title(label), "definition": taxonomy.DESCRIPTIONS[label],
                   "examples": [e for e in examples if e.label == label]} for label in labels]
        groups = [g for g in groups if g["examples"]]
        if groups:
            sections.append({"title": title, "lead": lead, "groups": groups})
    return sections


def _environment(fmt: str) -> Environment:
    if fmt == "html":
        return Environment(loader=PackageLoader("record_audit.report", "templates"),
                           autoescape=select_autoescape(default=True, default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True)
    # every {{ value }} in the Markdown template passes through md_escape, like autoescape
    return Environment(loader=PackageLoader("record_audit.report", "templates"), autoescape=False,
                       finalize=md_escape, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_handout(examples: list[Example], *, title: str, fmt: str = "html") -> str:
    """The handout as HTML (``fmt='html'``) or Markdown (``fmt='md'``)."""
    if fmt not in FORMATS:
        raise InputError(Errors.E118.format(fmt=fmt, known=", ".join(FORMATS)))
    if not examples:
        raise InputError(Errors.E119)
    title = " ".join((title or "").split()) or "Documentation examples"
    sections = group_examples(examples)
    return _environment(fmt).get_template(FORMATS[fmt]).render(
        title=title, sections=sections, count=len(examples), version=__version__, source_titles=SOURCE_TITLES,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d"))


def handout_name(title: str) -> str:
    """A file stem from the title: lower case, ASCII letters, digits and hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")[:60].strip("-")
    return f"handout-{slug}" if slug else "handout"


def write_handout(examples: list[Example], folder: str | Path, *, title: str,
                  formats: tuple[str, ...] = ("html", "md")) -> list[Path]:
    """Write the handout in each format into ``folder`` (created if missing); return the paths."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(Errors.E120.format(path=folder))
    rendered = {fmt: render_handout(examples, title=title, fmt=fmt) for fmt in formats}
    make_folder(folder)
    paths = []
    for fmt, text in rendered.items():
        path = folder / f"{handout_name(title)}.{fmt}"
        write_atomic(path, text.encode("utf-8"))
        paths.append(path)
    return paths
