"""``ReviewPanel``: the review queue as one widget that owns its keyboard.

One key per decision, as reviewers know it from Prodigy or Label Studio: ``a`` accept, ``r``
then a number for the reason, ``l`` relabel, ``m`` add a missed flag, ``s`` skip, ``←``/``→``
back and next through the reviewer's own decisions, ``z`` undo, ``c`` comment, ``t``
teaching mark, ``A`` accept the record's flags (after a confirmation), ``?`` the keys. A
guidelines pane shows the label's TAXONOMY definition and the rule's explanation; progress
counts the queue and the record, decisions per hour and the time left.

It is an anywidget: its JavaScript (``static/review_panel.js``) catches the keys inside the
widget and stops them there, so JupyterLab's own shortcuts (``a`` inserts a cell) never see
them, and the same widget runs in JupyterLab and in the review app (``record-audit review
serve``). The JavaScript only forwards keys and draws; what a key does is decided here, in
``press()``, so tests drive the panel in Python exactly as the browser does.

Every decision is one event in the store's append-only log (``ReviewStore``); undo is a
new event. The panel resumes at the reviewer's first undecided flag. Note text reaches the
browser as data and is set as text, never as HTML.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import anywidget
import traitlets as t

from .. import taxonomy
from ..errors import Errors, InputError
from ..io.documents import note_page
from ..store.review import REVIEW_SOURCE, FlagKey, QueueItem, ReviewStore

STATIC = Path(__file__).resolve().parent / "static"
# the reasons in TAXONOMY order, numbered from 1 (no default: a reject waits for its number)
REASON_KEYS: dict[str, str] = {str(i): reason for i, reason in enumerate(taxonomy.REJECT_REASONS, start=1)}
# every label a fixed key, so a reviewer's fingers learn them: 1-9, 0, then -
LABEL_KEYS: dict[str, str] = dict(zip("1234567890-", taxonomy.LABELS))
HELP: tuple[tuple[str, str], ...] = (
    ("a", "accept the flag"),
    ("r then 1-7", "reject, with the reason's number (Esc cancels)"),
    ("l then a label key", "relabel the flag"),
    ("m then a label key", "add a missed flag on the sentence (↑ ↓ choose another sentence of the note)"),
    ("s", "skip: the next flag, this one stays in the queue"),
    ("← / →", "back and next through your own decisions (← first shows the flag you just decided)"),
    ("z", "undo your last decision"),
    ("c", "comment, saved with your next decision (Enter keeps it, Esc cancels)"),
    ("t", "mark or unmark the next decision as a teaching example"),
    ("A", "accept every flag of this record you have not decided yet (asks first)"),
    ("/", "search the notes' text"),
    ("?", "show or hide these keys"),
    ("Esc", "cancel what a key started"),
)
STATUSES = (("unreviewed", "Not decided by me"), ("reviewed", "Decided by me"), ("all", "Every flag"),
            ("disputed", "Reviewers disagree"))
ORDERS = (("record", "By record"), ("uncertainty", "Least certain model flags first"))
DEFAULT_FILTERS = {"label": "", "source": "", "team": "", "record": "", "status": "unreviewed", "order": "record",
                   "search": ""}
IDLE_SECONDS = 300  # a longer pause between two decisions is a break, not review time
# role chips: the TAXONOMY role names, except 'other', whose display name is the reject reason's
ROLE_NAMES: dict[str, str] = {role: role for role in taxonomy.ROLES} | {"other": "someone else"}


def source_name(source: str) -> str:
    return "Added by a reviewer" if source == REVIEW_SOURCE else taxonomy.display_name(source)


def decision_text(row: dict | None) -> str:
    """A decision in words: 'Reject · Someone else's words', 'Relabel → Violence minimized'."""
    if row is None:
        return ""
    text = taxonomy.display_name(row["decision"])
    if row["decision"] == "reject" and row.get("reason"):
        text += f" · {taxonomy.display_name(row['reason'])}"
    if row["decision"] == "relabel" and row.get("new_label"):
        text += f" → {taxonomy.display_name(row['new_label'])}"
    if row.get("teaching_example"):
        text += " · teaching example"
    return text


def _check_filters(filters: dict) -> None:
    unknown = sorted(set(filters) - set(DEFAULT_FILTERS))
    if unknown:
        raise TypeError(Errors.E190.format(unknown=", ".join(unknown), known=", ".join(DEFAULT_FILTERS)))


def _duration(hours: float) -> str:
    minutes = max(1, round(hours * 60))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class ReviewPanel(anywidget.AnyWidget):
    """Review every flag of an audit store, one key per decision; every decision is logged."""

    _esm = STATIC / "review_panel.js"
    _css = STATIC / "review_panel.css"

    reviewer = t.Unicode("").tag(sync=True)
    filters = t.Dict().tag(sync=True)
    choices = t.Dict().tag(sync=True)      # filter options, reasons and labels with their keys, the keys' help
    card = t.Dict().tag(sync=True)         # the flag shown ({} when the queue is empty)
    mode = t.Unicode("").tag(sync=True)    # '', reason, relabel, add, comment, confirm, help
    pending = t.Dict().tag(sync=True)      # comment and teaching mark for the next decision
    progress = t.Dict().tag(sync=True)
    message = t.Dict().tag(sync=True)      # {text, kind: ok | error | info}
    target = t.Dict().tag(sync=True)       # add mode: the sentence a missed flag goes on
    confirm = t.Dict().tag(sync=True)      # confirm mode: what 'A' would accept
    autofocus = t.Bool(False).tag(sync=True)

    def __init__(self, store: ReviewStore | str | Path, reviewer: str = "", *, thresholds: dict | None = None,
                 autofocus: bool = False, **filters: str) -> None:
        self.store = store if isinstance(store, ReviewStore) else ReviewStore(store)
        self.thresholds = thresholds
        self._queue: list[FlagKey] = []
        self._all: list[tuple[FlagKey, bool]] = []
        self._pos = 0
        self._history: list[FlagKey] = []
        self._hpos: int | None = None      # None: on the queue; else a place in the reviewer's history
        self._batches: list[list[int]] = []  # decision ids accepted together ('A'), undone together
        self._after_comment: tuple | None = None
        self._item: QueueItem | None = None
        _check_filters(filters)
        super().__init__(reviewer=reviewer.strip(), filters={**DEFAULT_FILTERS, **filters}, autofocus=autofocus,
                         pending={"comment": "", "teaching": False}, message={}, mode="", target={}, confirm={})
        self.choices = self._choices()
        self.on_msg(self._on_message)
        self.observe(self._on_filters, names="filters")
        self.observe(self._on_reviewer, names="reviewer")
        self.refresh()

    # -- what the browser sends ------------------------------------------------------------------
    def _on_message(self, _widget, content: dict, _buffers) -> None:
        try:
            if content.get("type") == "key":
                self.press(str(content.get("key", "")))
            elif content.get("type") == "comment":
                if content.get("cancel"):
                    self.cancel()
                else:
                    self.write_comment(str(content.get("text", "")))
        except Exception as err:  # noqa: BLE001 - a failed key must say so on the panel, then reach the log
            self._say(f"Not saved: {type(err).__name__}: {err}", "error")
            raise

    def _on_filters(self, change) -> None:
        merged = {**DEFAULT_FILTERS, **(change["new"] or {})}
        if merged != change["new"]:
            self.filters = merged  # observed again, with the full set
            return
        self._hpos = None
        self._pos = 0
        self.refresh()

    def _on_reviewer(self, change) -> None:
        name = (change["new"] or "").strip()
        if name != change["new"]:
            self.reviewer = name
            return
        self._hpos, self._batches, self._pos = None, [], 0
        self.refresh()
        if name:
            self._say(f"Reviewing as {name}. Press ? for the keys.", "info")

    def set_filters(self, **filters: str) -> None:
        """Change some filters (label, source, team, record, status, order, search)."""
        _check_filters(filters)
        self.filters = {**self.filters, **filters}

    # -- the keys ----------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        """Do what ``key`` does (a ``KeyboardEvent.key`` value: 'a', '3', 'ArrowLeft', 'Escape', ...)."""
        if key == "Escape":
            self.cancel()
            return
        if key == "?":
            self.mode = "" if self.mode == "help" else "help"
            return
        handler = {"reason": self._press_reason, "relabel": self._press_relabel, "add": self._press_add,
                   "confirm": self._press_confirm, "help": self._press_help,
                   "comment": self._press_comment}.get(self.mode, self._press_command)
        handler(key)

    def _press_command(self, key: str) -> None:
        actions = {"a": self.accept, "s": self.skip, "ArrowLeft": self.back, "ArrowRight": self.next,
                   "z": self.undo, "t": self.toggle_teaching, "A": self.ask_accept_record,
                   "r": lambda: self._choose("reason"), "l": lambda: self._choose("relabel"),
                   "m": lambda: self._choose("add"), "c": lambda: self._choose("comment")}
        action = actions.get(key)
        if action is None:
            if len(key) == 1:
                self._say(Errors.E188.format(key=key), "error")
            return
        action()

    def _choose(self, mode: str) -> None:
        if not self._ready():
            return
        self.mode = mode
        if mode == "add":
            self._set_target(self.current.key.sentence_index)
        prompts = {"reason": "Reject: press the reason's number (Esc cancels).",
                   "relabel": "Relabel: press the new label's key (Esc cancels).",
                   "add": "Add a missed flag: ↑ ↓ choose the sentence, then press the label's key (Esc cancels).",
                   "comment": "Write the comment, then press Enter (Esc cancels)."}
        self._say(prompts[mode], "info")

    def _press_reason(self, key: str) -> None:
        if key not in REASON_KEYS:
            self._say(Errors.E184.format(n=len(REASON_KEYS)), "error")
            return
        self.reject(REASON_KEYS[key])

    def _press_relabel(self, key: str) -> None:
        if key not in LABEL_KEYS:
            self._say(Errors.E185.format(keys=" ".join(LABEL_KEYS)), "error")
            return
        self.relabel(LABEL_KEYS[key])

    def _press_add(self, key: str) -> None:
        if key in ("ArrowUp", "ArrowDown"):
            self._set_target(self.target.get("index", 0) + (-1 if key == "ArrowUp" else 1))
            return
        if key not in LABEL_KEYS:
            self._say(Errors.E185.format(keys=" ".join(LABEL_KEYS)), "error")
            return
        self.add_missed(LABEL_KEYS[key], self.target.get("index"))

    def _press_confirm(self, key: str) -> None:
        if key in ("y", "Enter"):
            self.accept_record()
        else:
            self.cancel()

    def _press_help(self, _key: str) -> None:
        self.mode = ""  # any key closes the keys' help

    def _press_comment(self, _key: str) -> None:
        self._say("Write the comment in its box, then press Enter (Esc cancels).", "info")

    def cancel(self) -> None:
        """Leave whatever a key started (reason, label, comment, confirmation, help); nothing is saved."""
        if self.mode:
            self._say("Cancelled: nothing saved.", "info")
        self.mode = ""
        self.target, self.confirm = {}, {}
        self._after_comment = None

    # -- state ---------------------------------------------------------------------------------
    @property
    def current_key(self) -> FlagKey | None:
        if self._hpos is not None:
            return self._history[self._hpos]
        return self._queue[self._pos] if 0 <= self._pos < len(self._queue) else None

    @property
    def current(self) -> QueueItem | None:
        """The flag on screen, with its sentence in context and the reviewer's decision."""
        return self._item

    @property
    def queue_keys(self) -> list[FlagKey]:
        """The flags of the queue (filters and 'Show'), in order."""
        return list(self._queue)

    @property
    def history_keys(self) -> list[FlagKey]:
        """The flags this reviewer decided, in the order first decided (what ← and → walk)."""
        return list(self._history)

    def _who(self) -> str | None:
        return self.reviewer.strip() or None

    def _query(self) -> dict:
        f = self.filters
        return {"label": f["label"] or None, "source": f["source"] or None, "team": f["team"] or None,
                "record_id": f["record"] or None, "order": f["order"], "search": f["search"] or None,
                "thresholds": self.thresholds}

    def _reload(self) -> None:
        """Read the queue and the reviewer's history from the store."""
        who, status = self._who(), self.filters["status"]
        self._all = self.store.queue_keys(who, status="all", **self._query())
        if status == "disputed":
            self._queue = [k for k, _ in self.store.queue_keys(who, status="disputed", **self._query())]
        elif status == "all" or who is None:
            self._queue = [k for k, _ in self._all] if status != "reviewed" else []
        else:
            self._queue = [k for k, decided in self._all if decided == (status == "reviewed")]
        self._history = self.store.history(who) if who else []
        if self._hpos is not None and self._hpos >= len(self._history):
            self._hpos = None

    def refresh(self) -> None:
        """Reload from the store and redraw (other reviewers' decisions show up)."""
        keep = self.current_key
        self._reload()
        if keep is not None and self._hpos is None and keep in self._queue:
            self._pos = self._queue.index(keep)
        self._pos = min(self._pos, max(len(self._queue) - 1, 0))
        self._show()

    def _show(self) -> None:
        key = self.current_key
        self._item = self.store.item(self._who(), key, thresholds=self.thresholds) if key is not None else None
        self.card = self._card(self._item) if self._item is not None else {}
        self.progress = self._progress()
        if self.mode == "add" and self._item is None:
            self.mode = ""

    def _card(self, item: QueueItem) -> dict:
        f, s0 = item.flag, item.sentence_start
        a, b = f["start"] - s0, f["end"] - s0
        label = f["label"]
        if self._hpos is not None:
            where = f"Your decision {self._hpos + 1} of {len(self._history)}"
        else:
            where = f"Flag {self._pos + 1} of {len(self._queue)} in this queue"
        context = f.get("context")
        return {
            "key": dataclasses.asdict(item.key), "where": where, "in_history": self._hpos is not None,
            "record_id": item.key.record_id, "note_id": item.key.note_id, "page": note_page(item.key.note_id),
            "sentence_index": item.key.sentence_index,
            "team": item.team or "", "worker": item.worker or "",
            "before": item.before, "pre": item.sentence[:a], "mark": item.sentence[a:b], "post": item.sentence[b:],
            "after": item.after,
            "roles": [{"text": item.sentence[start - s0:end - s0], "role": role,
                       "name": ROLE_NAMES.get(role, role)} for start, end, role in item.roles],
            "label": label, "label_name": taxonomy.display_name(label), "concern": label in taxonomy.CONCERN_LABELS,
            "source": f["source"], "source_name": source_name(f["source"]), "rule_id": f.get("rule_id") or "",
            "score": round(float(f["score"]), 2), "context": context or "",
            "context_name": taxonomy.display_name(context) if context else "", "counted": bool(f["counted"]),
            "definition": taxonomy.DESCRIPTIONS[label],
            "explanation": f.get("explanation") or "",
            "rewrite": f.get("rewrite") or taxonomy.REWRITES[label],
            "decision": decision_text(item.decision),
            "decision_comment": (item.decision or {}).get("comment") or "",
            "others": [f"{o['reviewer']}: {decision_text(o)}" for o in item.others],
        }

    def _progress(self) -> dict:
        who = self._who()
        total = len(self._all)
        done = sum(decided for _, decided in self._all)
        key = self.current_key
        record = key.record_id if key is not None else None
        in_record = [decided for k, decided in self._all if k.record_id == record]
        pace = self.store.pace(who, idle_seconds=IDLE_SECONDS) if who else {"per_hour": None, "decisions": 0}
        per_hour = pace["per_hour"]
        left = total - done
        if not who:
            pace_text = ""
        elif per_hour:
            pace_text = f"{per_hour:.0f} decisions per hour"
            pace_text += f" · about {_duration(left / per_hour)} left" if left else " · queue done"
        else:
            pace_text = "pace shown after a few decisions"
        return {"queue_done": done, "queue_total": total, "record_id": record or "",
                "record_done": sum(in_record), "record_total": len(in_record),
                "per_hour": round(per_hour, 1) if per_hour else None,
                "eta_minutes": round(left / per_hour * 60) if per_hour and left else None,
                "queue_text": f"{done} of {total} flags decided" + (f" by {who}" if who else ""),
                "record_text": f"record {record}: {sum(in_record)} of {len(in_record)}" if record else "",
                "pace_text": pace_text, "history": len(self._history), "in_queue": len(self._queue)}

    def _choices(self) -> dict:
        return {
            "labels": [[k, label, taxonomy.display_name(label)] for k, label in LABEL_KEYS.items()],
            "reasons": [[k, reason, taxonomy.display_name(reason)] for k, reason in REASON_KEYS.items()],
            "help": [list(row) for row in HELP],
            "filters": {
                "label": [["", "every label"], *([lb, taxonomy.display_name(lb)] for lb in taxonomy.LABELS)],
                "source": [["", "every source"], *([s, source_name(s)] for s in (*taxonomy.SOURCES, REVIEW_SOURCE))],
                "team": [["", "every team"], *([tm, tm] for tm in self.store.store.teams())],
                "record": [["", "every record"], *([r, r] for r in self.store.store.record_ids())],
                "status": [list(s) for s in STATUSES],
                "order": [list(o) for o in ORDERS],
            },
        }

    def _say(self, text: str, kind: str = "ok") -> None:
        self.message = {"text": text, "kind": kind}

    def _ready(self) -> bool:
        if not self._who():
            self._say(Errors.E183, "error")
            return False
        if self.current_key is None:
            self._say(Errors.E186, "error")
            return False
        return True

    def _set_target(self, index: int) -> None:
        key = self.current.key
        sentences = self.store.store.sentences(key.record_id, key.note_id)
        note = self.store.store.note_text(key.record_id, key.note_id)
        index = min(max(index, 0), len(sentences) - 1)
        sent = sentences[index]
        self.target = {"index": index, "count": len(sentences), "text": note[sent["start"]:sent["end"]],
                       "current": index == key.sentence_index}

    def _reset_choices(self) -> None:
        """After each decision: no reason, label, comment or teaching mark carries over."""
        self.pending = {"comment": "", "teaching": False}
        self.mode = ""
        self.target, self.confirm = {}, {}
        self._after_comment = None

    # -- decisions (also the API the tests and notebooks use) ----------------------------------------
    def _decide(self, decision: str, **kwargs) -> int | None:
        if not self._ready():
            return None
        key, who = self.current_key, self._who()
        try:
            decision_id = self.store.decide(who, key, decision, comment=self.pending["comment"].strip() or None,
                                            teaching_example=self.pending["teaching"], **kwargs)
        except InputError as err:
            self._say(str(err), "error")
            return None
        row = {"decision": decision, "teaching_example": self.pending["teaching"], **kwargs}
        self._reset_choices()
        self._moved_on(key)
        self._say(f"Saved: {decision_text(row)} · {taxonomy.display_name(key.label)} in note {key.note_id} "
                  f"(event {decision_id}). ← shows it again, z undoes it.", "ok")
        return decision_id

    def _moved_on(self, key: FlagKey) -> None:
        """After deciding ``key``: the next flag of the queue, or of the history when walking it."""
        if self._hpos is not None:
            self._reload()
            index = self._history.index(key) if key in self._history else self._hpos
            self._hpos = index + 1 if index + 1 < len(self._history) else None
        else:
            following = self._queue[self._pos + 1:]
            self._reload()
            nxt = next((k for k in following if k in self._queue), None)
            if nxt is not None:
                self._pos = self._queue.index(nxt)
            self._pos = min(self._pos, max(len(self._queue) - 1, 0))
        self._show()

    def accept(self) -> int | None:
        """Accept the flag on screen."""
        return self._decide("accept")

    def reject(self, reason: str) -> int | None:
        """Reject the flag on screen for ``reason`` (one of ``taxonomy.REJECT_REASONS``).

        'other' needs a comment: without one the panel asks for it and rejects when it comes.
        """
        if reason == "other" and not self.pending["comment"].strip() and self._ready():
            self._after_comment = ("reject", "other")
            self.mode = "comment"
            self._say(Errors.E187, "info")
            return None
        return self._decide("reject", reason=reason)

    def relabel(self, new_label: str) -> int | None:
        """Relabel the flag on screen as ``new_label``."""
        return self._decide("relabel", new_label=new_label)

    def add_missed(self, label: str, sentence_index: int | None = None) -> int | None:
        """Add a missed ``label`` flag on a sentence of the note on screen (its own sentence by default)."""
        if not self._ready():
            return None
        key, who = self.current_key, self._who()
        index = key.sentence_index if sentence_index is None else sentence_index
        try:
            decision_id = self.store.add(who, key.record_id, key.note_id, index, label,
                                         comment=self.pending["comment"].strip() or None,
                                         teaching_example=self.pending["teaching"])
        except InputError as err:
            self._say(str(err), "error")
            return None
        self._reset_choices()
        self._reload()
        self._show()
        self._say(f"Added: {taxonomy.display_name(label)} on sentence {index + 1} of note {key.note_id} "
                  f"(event {decision_id}). ← shows it, z undoes it.", "ok")
        return decision_id

    def write_comment(self, text: str) -> None:
        """Keep ``text`` as the comment of the next decision (a reject for 'other' waiting for it goes ahead)."""
        self.pending = {**self.pending, "comment": text}
        waiting, self._after_comment = self._after_comment, None
        self.mode = ""
        if waiting == ("reject", "other") and text.strip():
            self._decide("reject", reason="other")
        elif text.strip():
            self._say("Comment kept: it is saved with your next decision.", "info")

    def toggle_teaching(self) -> None:
        """Mark (or unmark) the next decision as a teaching example."""
        if not self._ready():
            return
        self.pending = {**self.pending, "teaching": not self.pending["teaching"]}
        self._say("The next decision is marked as a teaching example." if self.pending["teaching"]
                  else "Teaching mark removed.", "info")

    def skip(self) -> None:
        """Go to the next flag without deciding; this one stays in the queue."""
        if self._hpos is not None:
            self.next()
            return
        if self._queue:
            self._pos = (self._pos + 1) % len(self._queue)
        self.mode = ""
        self._show()
        self._say("Skipped: it stays in the queue.", "info")

    def back(self) -> None:
        """Show the reviewer's previous decision: first the flag just decided, then the ones before."""
        if not self._history:
            self._say("No decisions of yours yet: nothing to go back to.", "info")
            return
        if self._hpos is None:
            self._hpos = len(self._history) - 1
        elif self._hpos > 0:
            self._hpos -= 1
        else:
            self._say("This is your first decision.", "info")
        self.mode = ""
        self._show()

    def next(self) -> None:
        """Show the reviewer's next decision; after the last, the queue again (on the queue: the next flag)."""
        self.mode = ""
        if self._hpos is None:
            if self._queue:
                self._pos = (self._pos + 1) % len(self._queue)
        elif self._hpos + 1 < len(self._history):
            self._hpos += 1
        else:
            self._hpos = None
            self._say("Back at the queue.", "info")
        self._show()

    def undo(self) -> int | None:
        """Undo the reviewer's last decision (a record accepted with 'A' is undone as a whole)."""
        who = self._who()
        if not who:
            self._say(Errors.E183, "error")
            return None
        latest = self.store.latest(who)
        if latest is None:
            self._say("Nothing to undo.", "info")
            return None
        batch = self._batches[-1] if self._batches and latest["decision_id"] in self._batches[-1] else None
        group = batch or [latest["decision_id"]]
        undo_id = None
        for _ in group:
            row = self.store.latest(who)
            if row is None or row["decision_id"] not in group:
                break
            undo_id = self.store.undo(who)
        if batch:
            self._batches.pop()
        key = FlagKey.of_logged(latest)
        self._reset_choices()
        self._reload()
        if key in self._history:
            self._hpos = self._history.index(key)
        else:
            self._hpos = None
            if key in self._queue:
                self._pos = self._queue.index(key)
        self._show()
        what = f"{len(batch)} accepts of record {key.record_id}" if batch else \
            f"{decision_text(latest)} on {taxonomy.display_name(key.label)} in note {key.note_id}"
        self._say(f"Undone: {what}. Nothing is deleted: the undo is logged too.", "ok")
        return undo_id

    def ask_accept_record(self) -> None:
        """Ask to accept every flag of this record the reviewer has not decided (in this queue's filters)."""
        if not self._ready():
            return
        record = self.current_key.record_id
        keys = [k for k, decided in self._all if k.record_id == record and not decided]
        if not keys:
            self._say(f"Record {record}: you have decided every flag in this queue already.", "info")
            return
        self.confirm = {"record_id": record, "count": len(keys)}
        self.mode = "confirm"
        self._say(f"Accept the {len(keys)} flag(s) of record {record} you have not decided? "
                  "y or Enter accepts them, any other key cancels.", "info")

    def accept_record(self) -> list[int]:
        """Accept, at once, every flag of this record the reviewer has not decided (in this queue's filters)."""
        if not self._ready():
            return []
        record, who = self.current_key.record_id, self._who()
        keys = [k for k, decided in self._all if k.record_id == record and not decided]
        ids = self.store.decide_many(who, keys, "accept", comment=self.pending["comment"].strip() or None,
                                     teaching_example=self.pending["teaching"]) if keys else []
        if ids:
            self._batches.append(ids)
        self._reset_choices()
        following = [k for k in self._queue[self._pos:] if k.record_id != record]
        self._hpos = None
        self._reload()
        nxt = next((k for k in following if k in self._queue), None)
        self._pos = self._queue.index(nxt) if nxt is not None else min(self._pos, max(len(self._queue) - 1, 0))
        self._show()
        self._say(f"Accepted {len(ids)} flag(s) of record {record}. z undoes them together.", "ok")
        return ids

