"""``TrainerGallery``: browse reviewed examples, write rewrites, pick and export a handout.

A thin view over ``record_audit.gallery``: filters by label and source (teaching-example
marks come first), one de-identified example at a time, a trainer's own rewrite kept in
the audit store, and HTML and Markdown handout export of the picked examples. Every text
shown is the de-identified one; errors appear on the panel (``shown``), never note text.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from ..errors import InputError
from .. import taxonomy
from ..gallery import SOURCES, Entry, Example, Gallery
from ..report.handout import SOURCE_TITLES, label_title, write_handout
from ..store.review import ReviewStore
from .render import shown

ALL = "(all)"
FORMAT_NAMES = {"html": "HTML", "md": "Markdown"}


def example_card(example: Example, position: str) -> str:
    """One example as an HTML fragment; every value escaped."""
    pre, marked, post = example.pieces()
    colour = "#fbd3cf" if example.concern else "#cdebd3"
    edge = "#b2182b" if example.concern else "#1a9850"
    teaching = (' <span style="background:#e3f2fd;color:#0b5cad;border-radius:8px;padding:0 6px;font-size:12px">'
                'teaching example</span>' if example.teaching else "")
    context = (f'<span style="color:#78909c">{escape(example.before)}</span> ' if example.before else "")
    after = (f' <span style="color:#78909c">{escape(example.after)}</span>' if example.after else "")
    own = ""
    if example.rewrite:
        own = (f'<div style="color:#1a6b3a;margin-top:4px"><b>{"Rewrite" if example.concern else "Stronger still"}'
               f' ({escape(example.rewrite_by or "")}):</b> {escape(example.rewrite)}</div>')
    return (f'<div style="border-left:6px solid {edge};padding:4px 12px">'
            f'<div style="font-size:13px;color:#5f6b73">{escape(position)} · '
            f'{escape(example.note_type or "note")} · {escape(SOURCE_TITLES.get(example.source, example.source_name))} · '
            f'{escape(taxonomy.display_name(example.decision))}'
            f'{teaching}</div>'
            f'<div style="font-size:16px;font-weight:600;margin:4px 0">{escape(label_title(example.label))}</div>'
            f'<div style="line-height:1.6;font-size:15px;background:#fafbfb;padding:6px 10px;border-radius:4px">'
            f'{context}{escape(pre)}<mark style="background:{colour};padding:0 2px">{escape(marked)}</mark>'
            f'{escape(post)}{after}</div>'
            f'<div style="margin-top:6px"><b>{"Why it matters" if example.concern else "Why it is good practice"}:'
            f'</b> {escape(example.explanation)}</div>'
            f'<div style="color:#37474f;font-size:13px"><i>{escape(example.definition)}</i></div>'
            f'{own}'
            f'<div style="color:#1a6b3a"><b>{"How to write it instead" if example.concern else "Keep doing"}:</b> '
            f'{escape(example.guidance)}</div></div>')


class TrainerGallery(w.VBox):
    """Browse de-identified examples by label and source, write rewrites, export a handout."""

    def __init__(self, gallery: Gallery | ReviewStore | str | Path, trainer: str = "", *,
                 folder: str | Path = "out/handouts", title: str = "Documentation examples") -> None:
        self.gallery = gallery if isinstance(gallery, Gallery) else Gallery(gallery)
        self.label = w.Dropdown(description="Label")
        self.source = w.Dropdown(options=[(ALL, ALL), *[(SOURCE_TITLES[s], s) for s in SOURCES]], description="Source")
        self.teaching_only = w.Checkbox(description="teaching examples only")
        self.back_button = w.Button(description="Back")
        self.next_button = w.Button(description="Next")
        self.position_text = w.Label()
        self.card = w.HTML()
        self.pick = w.ToggleButton(description="Add to handout", icon="plus", tooltip="Put this example in the handout")
        self.pick_all_button = w.Button(description="Pick all shown")
        self.clear_button = w.Button(description="Clear picks")
        self.picked_text = w.Label()
        self.trainer = w.Text(value=trainer, description="Trainer", placeholder="your name")
        self.rewrite = w.Textarea(placeholder="your perpetrator pattern-based rewrite of this example "
                                              "(use the placeholders, e.g. [Name A])",
                                  layout=w.Layout(width="70%", height="64px"))
        self.save_button = w.Button(description="Save rewrite", button_style="success")
        self.title = w.Text(value=title, description="Title", layout=w.Layout(width="50%"))
        self.folder = w.Text(value=str(folder), description="Folder", layout=w.Layout(width="50%"))
        self.export_html_button = w.Button(description="Export HTML", button_style="primary")
        self.export_md_button = w.Button(description="Export Markdown", button_style="primary")
        self.message = w.HTML()
        self.entries: list[Entry] = []
        self.position = 0
        self.picked: list = []  # flag keys, in the order picked
        self._syncing = False  # set while _show moves the pick toggle to the shown example
        self.back_button.on_click(shown(self, self.back))
        self.next_button.on_click(shown(self, self.next))
        self.pick_all_button.on_click(shown(self, self.pick_all))
        self.clear_button.on_click(shown(self, self.clear_picks))
        self.save_button.on_click(shown(self, self.save_rewrite))
        self.export_html_button.on_click(shown(self, lambda: self.export("html")))
        self.export_md_button.on_click(shown(self, lambda: self.export("md")))
        self.pick.observe(shown(self, self._toggle_pick), names="value")
        self.pick.observe(self._label_pick, names="value")
        self._label_options()
        for control in (self.label, self.source, self.teaching_only):
            control.observe(shown(self, self.refresh), names="value")
        super().__init__([
            w.HBox([self.label, self.source, self.teaching_only]),
            w.HBox([self.back_button, self.next_button, self.position_text]),
            self.card,
            w.HBox([self.pick, self.pick_all_button, self.clear_button, self.picked_text]),
            w.HBox([self.trainer]),
            w.HBox([self.rewrite, self.save_button]),
            w.HBox([self.title, self.folder]),
            w.HBox([self.export_html_button, self.export_md_button]),
            self.message,
        ])
        self.refresh()

    # -- state ---------------------------------------------------------------------------------
    def _value(self, control):
        return None if control.value == ALL else control.value

    def _label_options(self) -> None:
        counts = self.gallery.counts()
        self.label.options = [(ALL, ALL), *[(f"{label_title(label)} ({n})", label) for label, n in counts.items()]]
        self.label.value = ALL

    @property
    def current(self) -> Entry | None:
        return self.entries[self.position] if 0 <= self.position < len(self.entries) else None

    def refresh(self) -> None:
        """Reload the examples for the filters and show the first."""
        self.entries = self.gallery.entries(label=self._value(self.label), source=self._value(self.source),
                                            teaching_only=self.teaching_only.value)
        self.position = 0
        self._show()

    def _show(self) -> None:
        entry = self.current
        for button in (self.back_button, self.next_button):
            button.disabled = len(self.entries) < 2
        self.save_button.disabled = self.pick.disabled = entry is None
        self.picked_text.value = f"{len(self.picked)} example(s) in the handout"
        if entry is None:
            self.position_text.value = "0 of 0"
            self.card.value = ("<p><b>No reviewed examples here.</b> Change the filters, or review flags "
                               "(accept, relabel, add) in the review notebook first.</p>")
            self.rewrite.value = ""
            return
        self.position_text.value = f"{self.position + 1} of {len(self.entries)}"
        example = self.gallery.example(entry)
        self.card.value = example_card(example, f"{self.position + 1} of {len(self.entries)}")
        self.rewrite.value = example.rewrite or ""
        self._syncing = True
        try:
            self.pick.value = entry.key in self.picked
        finally:
            self._syncing = False

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b71c1c" if error else "#1a6b3a"
        self.message.value = f'<span style="color:{colour}">{escape(text)}</span>'

    # -- actions (also the API the tests drive) ----------------------------------------------
    def next(self) -> None:
        if self.entries:
            self.position = (self.position + 1) % len(self.entries)
        self._show()

    def back(self) -> None:
        if self.entries:
            self.position = (self.position - 1) % len(self.entries)
        self._show()

    def _label_pick(self, change=None) -> None:
        """The toggle says what it is: a check mark only on an example that is in the handout."""
        picked = self.pick.value
        self.pick.description, self.pick.icon = ("In handout", "check") if picked else ("Add to handout", "plus")
        self.pick.tooltip = ("In the handout: click to take it out" if picked
                             else "Put this example in the handout")

    def _toggle_pick(self, change=None) -> None:
        entry = self.current
        if self._syncing or entry is None:
            return
        if self.pick.value and entry.key not in self.picked:
            self.picked.append(entry.key)
        elif not self.pick.value and entry.key in self.picked:
            self.picked.remove(entry.key)
        self.picked_text.value = f"{len(self.picked)} example(s) in the handout"

    def pick_all(self) -> None:
        """Put every example the filters show into the handout."""
        for entry in self.entries:
            if entry.key not in self.picked:
                self.picked.append(entry.key)
        self._show()

    def clear_picks(self) -> None:
        self.picked.clear()
        self._show()

    def save_rewrite(self) -> int | None:
        """Keep the trainer's rewrite of the shown example in the store (empty withdraws it)."""
        entry = self.current
        if entry is None:
            return None
        try:
            rewrite_id = self.gallery.save_rewrite(self.trainer.value, entry, self.rewrite.value)
        except InputError as err:
            self._say(str(err), error=True)
            return None
        self._show()
        self._say(f"Rewrite saved for this {label_title(entry.label)} example (#{rewrite_id})."
                  if self.rewrite.value else f"Rewrite withdrawn (#{rewrite_id}).")
        return rewrite_id

    def export(self, fmt: str) -> Path | None:
        """Write the picked examples as a handout (``html`` or ``md``) into the folder."""
        by_key = {e.key: e for e in self.gallery.all_entries()}
        chosen = [by_key[k] for k in self.picked if k in by_key]
        if not chosen:
            self._say("Pick at least one example for the handout ('Add to handout' or 'Pick all shown').", error=True)
            return None
        order = {e.key: i for i, e in enumerate(self.gallery.all_entries())}
        chosen.sort(key=lambda e: order[e.key])
        try:
            (path,) = write_handout(self.gallery.examples(chosen), self.folder.value.strip() or ".",
                                    title=self.title.value, formats=(fmt,))
        except InputError as err:
            self._say(str(err), error=True)
            return None
        self._say(f"Handout written: {path} ({len(chosen)} example(s), {FORMAT_NAMES[fmt]}).")
        return path
