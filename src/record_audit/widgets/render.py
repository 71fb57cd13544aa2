"""HTML fragments for the widgets, and ``shown``, which puts a failed click's error on the panel.

Every piece of note text goes through ``html.escape``.
"""
from __future__ import annotations

from html import escape

from .. import taxonomy
from ..io.documents import note_page

ROLE_COLOURS = {"survivor": "#2e7d32", "perpetrator": "#b71c1c", "child": "#1565c0", "worker": "#6a1b9a",
                "other": "#546e7a"}


def page_of(note_id: str) -> str:
    """`` · page N`` for a note read from a PDF page, else nothing."""
    page = note_page(note_id)
    return f" · page {page}" if page is not None else ""


def flag_sentence(item) -> str:
    """The flagged sentence highlighted, with its neighbours dimmed around it."""
    flag = item.flag
    s0 = item.sentence_start
    a, b = flag["start"] - s0, flag["end"] - s0
    text = item.sentence
    kind = "#fbd3cf" if flag["label"] in taxonomy.CONCERN_LABELS else "#cdebd3"
    sentence = (escape(text[:a]) + f'<mark style="background:{kind};padding:0 2px">{escape(text[a:b])}</mark>'
                + escape(text[b:]))
    return (f'<div style="line-height:1.6;font-size:15px">'
            f'<span style="color:#78909c">{escape(item.before)}</span> '
            f'<span style="border-bottom:2px solid #90a4ae">{sentence}</span> '
            f'<span style="color:#78909c">{escape(item.after)}</span></div>')


def role_chips(item) -> str:
    chips = []
    for start, end, role in item.roles:
        text = item.sentence[start - item.sentence_start:end - item.sentence_start]
        colour = ROLE_COLOURS.get(role, "#546e7a")
        chips.append(f'<span style="border:1px solid {colour};color:{colour};border-radius:10px;'
                     f'padding:0 6px;margin-right:4px;font-size:12px">{escape(text)} · {escape(role)}</span>')
    return "".join(chips) or '<span style="color:#78909c;font-size:12px">no role mentions</span>'


def flag_card(item, position: str) -> str:
    f = item.flag
    context = ""
    if f.get("context"):
        context = (f' <span style="background:#eceff1;border-radius:8px;padding:0 6px">{escape(f["context"])}'
                   f'{"" if f["counted"] else " · not counted"}</span>')
    mine = ""
    if item.decision:
        d = item.decision
        what = d["decision"] + (f" ({d['reason']})" if d.get("reason") else "") + \
            (f" → {d['new_label']}" if d.get("new_label") and d["decision"] == "relabel" else "")
        mine = f'<div style="color:#0b5cad">Your decision: {escape(what)}</div>'
    others = "".join(f'<div style="color:#5f6b73;font-size:12px">{escape(o["reviewer"])}: {escape(o["decision"])}</div>'
                     for o in item.others)
    rewrite = ""
    if f["label"] in taxonomy.CONCERN_LABELS and f.get("rewrite"):
        rewrite = f'<div style="color:#1a6b3a"><b>Better:</b> {escape(f["rewrite"])}</div>'
    return (f'<div style="font-size:13px;color:#5f6b73">{escape(position)} · record {escape(item.key.record_id)}'
            f' · note {escape(item.key.note_id)}{page_of(item.key.note_id)} · team {escape(item.team or "—")}'
            f' · worker {escape(item.worker or "—")}</div>'
            f'{flag_sentence(item)}'
            f'<div style="margin:6px 0">{role_chips(item)}</div>'
            f'<div><b>{escape(f["label"])}</b> <span style="color:#5f6b73">({escape(f["source"])} · '
            f'{escape(str(f.get("rule_id")))} · score {float(f["score"]):.2f})</span>{context}</div>'
            f'<div>{escape(f.get("explanation") or taxonomy.DESCRIPTIONS[f["label"]])}</div>'
            f'{rewrite}{mine}{others}')


def shown(panel, action):
    """A widget callback that runs ``action`` and shows any failure in ``panel.message``.

    ipywidgets only logs exceptions raised in callbacks, where a reviewer never looks; a
    click that did not save must say so on the panel. Errors name no note text.
    """
    def callback(_=None):
        try:
            action()
        except Exception as err:  # noqa: BLE001 - shown to the reviewer, then re-raised for the log
            panel.message.value = (f'<span style="color:#b71c1c">Not saved: {escape(type(err).__name__)}: '
                                   f'{escape(str(err))}</span>')
            raise
    return callback
