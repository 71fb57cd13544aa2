"""``RulesPanel``: rule suggestions from review decisions; an analyst accepts, edits or rejects each.

The table lists every open suggestion (``record_audit.adapt.suggest``): the label, the pattern in
words, the reviewed sentences it covers and what it would change on the store's records (counted
flags gained and lost, per label). Choosing one shows its examples and its YAML entry, which the
analyst may edit; *Accept* writes it to the overlay rules folder after its examples pass
(``record_audit.adapt.overlay``), *Reject* logs it so it is not suggested again. Nothing is
applied until a pipeline is loaded with ``--rules`` the overlay folder.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from .. import taxonomy
from ..store.review import ReviewStore
from .render import shown


def _impact(s) -> str:
    if not s.impact:
        return "none"
    return ", ".join(f"{taxonomy.display_name(label)} +{c['gained']}" + (f" −{c['lost']}" if c["lost"] else "")
                     for label, c in s.impact.items())


class RulesPanel(w.VBox):
    """Open suggestions, each with its examples, impact and editable YAML; accept or reject."""

    def __init__(self, store: ReviewStore | str, rules_dir: str | Path, analyst: str = "", *, suggestions=None,
                 load=None) -> None:
        self.store = store if isinstance(store, ReviewStore) else ReviewStore(store)
        self.rules_dir = Path(rules_dir)
        self._load = load
        self.analyst = w.Text(value=analyst, description="Analyst", placeholder="your name")
        self.table = w.HTML()
        self.choice = w.Dropdown(options=[], description="Suggestion", layout=w.Layout(width="70%"))
        self.detail = w.HTML()
        self.editor = w.Textarea(layout=w.Layout(width="95%", height="220px"))
        self.comment = w.Text(description="Comment", placeholder="why (optional; no case data)",
                              layout=w.Layout(width="70%"))
        self.accept_button = w.Button(description="Accept", button_style="success",
                                      tooltip="Check its examples, then write it to the overlay folder")
        self.reject_button = w.Button(description="Reject", button_style="danger", tooltip="Never suggest it again")
        self.refresh_button = w.Button(description="Refresh", tooltip="Suggest again from the current decisions")
        self.message = w.HTML()
        self.choice.observe(lambda _: self._show_choice(), names="value")
        self.accept_button.on_click(shown(self, self.accept))
        self.reject_button.on_click(shown(self, self.reject))
        self.refresh_button.on_click(shown(self, self.refresh))
        self.suggestions: list = []
        super().__init__([
            w.HTML(f"<b>Overlay rules folder</b> <code>{escape(str(self.rules_dir))}</code> "
                   f"(use it with <code>--rules {escape(str(self.rules_dir))}</code>)"),
            self.analyst, self.table, self.choice, self.detail, self.editor, self.comment,
            w.HBox([self.accept_button, self.reject_button, self.refresh_button]), self.message,
        ])
        if suggestions is not None:
            self._set(list(suggestions))
        else:
            self.refresh()

    # -- actions ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Mine the store's decisions again (accepted and rejected suggestions left out)."""
        from ..adapt.overlay import decided_suggestions, overlay_rules
        from ..adapt.suggest import suggest
        self._set(suggest(self.store, rules=overlay_rules(self.rules_dir), load=self._load,
                          skip_ids=decided_suggestions(self.store)))

    @property
    def current(self):
        return next((s for s in self.suggestions if s.id == self.choice.value), None)

    def accept(self) -> None:
        """Accept the chosen suggestion, as edited in the YAML box."""
        from ..adapt.overlay import accept, entry_yaml, parse_entry
        s = self.current
        if s is None:
            return
        entry = parse_entry(self.editor.value, s.kind) if self.editor.value.strip() != entry_yaml(s.entry).strip() \
            else None
        path = accept(self.store, s, self.rules_dir, self.analyst.value, entry=entry, comment=self.comment.value or None,
                      load=self._load)
        self._drop(s)
        self.message.value = (f"Accepted <code>{escape(s.id)}</code> into <code>{escape(str(path))}</code>. "
                              f"Pipelines loaded with <code>--rules {escape(str(self.rules_dir))}</code> use it.")

    def reject(self) -> None:
        from ..adapt.overlay import reject
        s = self.current
        if s is None:
            return
        reject(self.store, s, self.analyst.value, comment=self.comment.value or None)
        self._drop(s)
        self.message.value = f"Rejected <code>{escape(s.id)}</code>; it will not be suggested again."

    # -- display ---------------------------------------------------------------------------------------
    def _drop(self, s) -> None:
        self._set([x for x in self.suggestions if x.id != s.id])

    def _set(self, suggestions: list) -> None:
        self.suggestions = suggestions
        rows = "".join(
            f"<tr><td><code>{escape(s.id)}</code></td><td>{escape(s.kind)}</td>"
            f"<td>{escape(taxonomy.display_name(s.label) if s.label in taxonomy.LABELS else s.label)}</td>"
            f"<td>{escape(s.words)}</td><td>{s.support}</td><td>{escape(_impact(s))}</td></tr>" for s in suggestions)
        self.table.value = (
            f"<p>{len(suggestions)} open suggestion(s)</p><table><thead><tr><th>id</th><th>kind</th><th>label</th>"
            "<th>pattern</th><th>reviewed sentences</th><th>would change (counted flags)</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>" if suggestions else "<p>No open suggestions.</p>")
        self.choice.options = [(f"{s.id} · {s.label} · {s.words}", s.id) for s in suggestions]
        self.choice.value = suggestions[0].id if suggestions else None
        self._show_choice()

    def _show_choice(self) -> None:
        from ..adapt.overlay import entry_yaml
        s = self.current
        self.accept_button.disabled = self.reject_button.disabled = s is None
        if s is None:
            self.detail.value, self.editor.value = "", ""
            return
        ex = s.entry.get("examples", {})
        items = lambda xs: "".join(f"<li>{escape(x)}</li>" for x in xs) or "<li>none</li>"  # noqa: E731
        self.detail.value = (
            f"<p>From {len(s.decision_ids)} review decision(s); goes to <code>{escape(s.file)}</code>. "
            f"Would change: {escape(_impact(s))}.</p><b>Matches (reviewed sentences)</b><ul>{items(ex.get('match', []))}"
            f"</ul><b>Does not match (look-alikes)</b><ul>{items(ex.get('no_match', []))}</ul>")
        self.editor.value = entry_yaml(s.entry)
