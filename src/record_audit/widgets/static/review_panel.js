// ReviewPanel's view (anywidget). It draws the state Python sends and forwards keys; what a
// key does is decided in Python (ReviewPanel.press). Keys pressed inside the widget stop
// here, so JupyterLab's own shortcuts ("a" inserts a cell) never see them. Note text is
// always set with textContent, never as HTML.

const ROLE_COLOURS = {
  survivor: "#2e7d32", perpetrator: "#b71c1c", child: "#1565c0", worker: "#6a1b9a", other: "#546e7a",
};
const MODIFIERS = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock", "AltGraph", "Dead"]);
const REPEATABLE = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"]);
const ACTIONS = [
  ["a", "Accept"], ["r", "Reject…"], ["l", "Relabel…"], ["m", "Add missed…"], ["s", "Skip"],
  ["ArrowLeft", "Back"], ["ArrowRight", "Next"], ["z", "Undo"], ["c", "Comment…"], ["t", "Teaching"],
  ["A", "Accept record…"], ["?", "Keys"],
];
const KEY_CAPS = { ArrowLeft: "←", ArrowRight: "→", ArrowUp: "↑", ArrowDown: "↓", Escape: "Esc", Enter: "Enter" };

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

// replaceChildren() would write null as the text "null": leave the missing parts out
function fill(node, ...children) {
  node.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
}

function cap(key) {
  return h("kbd", { text: KEY_CAPS[key] || key });
}

function render({ model, el }) {
  const send = (key) => model.send({ type: "key", key });
  const root = h("div", { class: "ra-review", tabindex: "0", "data-lm-suppress-shortcuts": "true",
                          role: "application", "aria-label": "Review queue: press ? for the keys" });
  el.append(root);

  // -- header: reviewer, filters, search -------------------------------------------------------
  const reviewerInput = h("input", { class: "ra-reviewer", type: "text", placeholder: "your name",
                                     "aria-label": "Reviewer", autocomplete: "off" });
  const setReviewer = () => {
    if (reviewerInput.value.trim() !== model.get("reviewer")) {
      model.set("reviewer", reviewerInput.value.trim());
      model.save_changes();
    }
  };
  reviewerInput.addEventListener("change", setReviewer);
  const searchInput = h("input", { class: "ra-search", type: "search", placeholder: "search the notes ( / )",
                                   "aria-label": "Search the notes", autocomplete: "off" });
  const setFilter = (name, value) => {
    model.set("filters", { ...model.get("filters"), [name]: value });
    model.save_changes();
  };
  searchInput.addEventListener("change", () => setFilter("search", searchInput.value.trim()));
  const selects = {};
  const filterNames = { status: "Show", order: "Order", label: "Label", source: "Source", team: "Team",
                        record: "Record" };
  const filterBar = h("div", { class: "ra-filters" },
                      h("label", {}, "Reviewer ", reviewerInput));
  for (const [name, title] of Object.entries(filterNames)) {
    const select = h("select", { class: `ra-filter-${name}`, "aria-label": title });
    select.addEventListener("change", () => { setFilter(name, select.value); root.focus(); });
    selects[name] = select;
    filterBar.append(h("label", {}, `${title} `, select));
  }
  filterBar.append(searchInput);

  // -- progress ----------------------------------------------------------------------------------
  const bar = h("progress", { class: "ra-progress-bar", max: "1", value: "0" });
  const queueText = h("span", { class: "ra-progress-queue" });
  const recordText = h("span", { class: "ra-progress-record" });
  const paceText = h("span", { class: "ra-progress-pace" });
  const focusHint = h("span", { class: "ra-focus-hint" });
  const progress = h("div", { class: "ra-progress" }, bar, queueText, recordText, paceText, focusHint);

  // -- the card and the guidelines -----------------------------------------------------------------
  const card = h("div", { class: "ra-card" });
  const guide = h("aside", { class: "ra-guide", "aria-label": "Guidelines" });
  const chooser = h("div", { class: "ra-chooser" });
  const actions = h("div", { class: "ra-actions" });
  for (const [key, title] of ACTIONS) {
    const button = h("button", { type: "button", class: "ra-action", "data-key": key, title: `${title} (${KEY_CAPS[key] || key})` },
                     cap(key), ` ${title}`);
    button.addEventListener("click", () => { send(key); root.focus(); });
    actions.append(button);
  }
  const commentBox = h("textarea", { class: "ra-comment", rows: "2", "aria-label": "Comment",
                                     placeholder: "comment for your next decision: Enter keeps it, Esc cancels" });
  const message = h("div", { class: "ra-message", role: "status", "aria-live": "polite" });
  const help = h("div", { class: "ra-help", role: "dialog", "aria-label": "Keys" });
  const main = h("div", { class: "ra-main" }, h("div", { class: "ra-left" }, card, chooser, actions), guide);
  root.append(filterBar, progress, help, main, message);

  const submitComment = () => model.send({ type: "comment", text: commentBox.value });
  const cancelComment = () => model.send({ type: "comment", cancel: true });

  // -- keys -------------------------------------------------------------------------------------
  const onKeydown = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return; // the browser's and the notebook's own
    const target = event.target;
    if (target.matches("input, textarea, select")) {
      event.stopPropagation(); // typing in the panel's own fields never reaches the notebook
      if (event.key === "Escape") {
        event.preventDefault();
        if (target === commentBox) cancelComment();
        root.focus();
      } else if (event.key === "Enter" && !event.shiftKey && target.tagName !== "SELECT") {
        event.preventDefault();
        if (target === commentBox) submitComment();
        else if (target === reviewerInput) setReviewer();
        else if (target === searchInput) setFilter("search", searchInput.value.trim());
        root.focus();
      }
      return;
    }
    if (event.key === "Tab" || MODIFIERS.has(event.key)) return;
    event.stopPropagation();
    event.preventDefault();
    if (event.repeat && !REPEATABLE.has(event.key)) return; // a held key decides once
    if (event.key === "/") { searchInput.focus(); searchInput.select(); return; }
    send(event.key);
  };
  const stopHere = (event) => {
    if (!(event.ctrlKey || event.metaKey || event.altKey)) event.stopPropagation();
  };
  root.addEventListener("keydown", onKeydown);
  root.addEventListener("keyup", stopHere);
  root.addEventListener("keypress", stopHere);
  const showFocus = () => {
    const inside = root.contains(document.activeElement);
    root.classList.toggle("ra-has-focus", inside);
    focusHint.textContent = inside ? "keys active · ? shows them" : "click the panel to use the keys";
  };
  root.addEventListener("focusin", showFocus);
  root.addEventListener("focusout", () => setTimeout(showFocus, 0));
  root.addEventListener("mousedown", (event) => {
    if (!event.target.closest("input, textarea, select, button")) setTimeout(() => root.focus(), 0);
  });

  // -- drawing ------------------------------------------------------------------------------------
  const drawFilters = () => {
    const choices = model.get("choices").filters || {};
    const filters = model.get("filters");
    for (const [name, select] of Object.entries(selects)) {
      const wanted = JSON.stringify(choices[name] || []);
      if (select.dataset.options !== wanted) {
        select.replaceChildren(...(choices[name] || []).map(([value, text]) => h("option", { value, text })));
        select.dataset.options = wanted;
      }
      select.value = filters[name] ?? "";
    }
    if (document.activeElement !== searchInput) searchInput.value = filters.search || "";
  };

  const drawReviewer = () => {
    if (document.activeElement !== reviewerInput) reviewerInput.value = model.get("reviewer");
    root.classList.toggle("ra-no-reviewer", !model.get("reviewer"));
  };

  const drawProgress = () => {
    const p = model.get("progress");
    bar.max = Math.max(p.queue_total || 0, 1);
    bar.value = p.queue_done || 0;
    queueText.textContent = p.queue_text || "";
    recordText.textContent = p.record_text || "";
    paceText.textContent = p.pace_text || "";
  };

  const drawCard = () => {
    const c = model.get("card");
    if (!c || !c.key) {
      card.replaceChildren(h("p", { class: "ra-empty", text: "Nothing left in this queue. Change the filters or 'Show' to see more, or ← to see your decisions." }));
      guide.replaceChildren();
      card.dataset.flag = "";
      return;
    }
    card.dataset.flag = JSON.stringify(c.key);
    card.dataset.label = c.label;
    const meta = h("div", { class: "ra-meta" },
      h("b", { class: "ra-where", text: c.where }),
      ` · record ${c.record_id} · note ${c.note_id}${c.page ? ` · page ${c.page}` : ""} · sentence ${c.sentence_index + 1}`,
      ` · team ${c.team || "—"} · worker ${c.worker || "—"}`);
    const text = h("div", { class: "ra-text" },
      h("span", { class: "ra-context-text", text: c.before ? `${c.before} ` : "" }),
      h("span", { class: "ra-sentence" },
        c.pre, h("mark", { class: c.concern ? "ra-concern" : "ra-strength", text: c.mark }), c.post),
      h("span", { class: "ra-context-text", text: c.after ? ` ${c.after}` : "" }));
    const chips = h("div", { class: "ra-roles" });
    if (c.roles.length === 0) chips.append(h("span", { class: "ra-no-roles", text: "no role mentions" }));
    for (const role of c.roles) {
      const colour = ROLE_COLOURS[role.role] || ROLE_COLOURS.other;
      chips.append(h("span", { class: `ra-chip ra-chip-${role.role}`, style: `border-color:${colour};color:${colour}`,
                               text: `${role.text} · ${role.name}` }));
    }
    const flag = h("div", { class: "ra-flag" },
      h("b", { class: "ra-label", text: c.label_name }),
      h("span", { class: "ra-dim", text: ` (${c.label}) · ${c.source_name} · ${c.rule_id || "no rule"} · score ${c.score.toFixed(2)}` }),
      c.context ? h("span", { class: "ra-context-chip", text: `${c.context_name}${c.counted ? "" : " · not counted"}` }) : null);
    const decided = c.decision
      ? h("div", { class: "ra-decision" }, "Your decision: ", h("b", { text: c.decision }),
          c.decision_comment ? h("span", { class: "ra-dim", text: ` · “${c.decision_comment}”` }) : null)
      : h("div", { class: "ra-decision ra-undecided", text: "Not decided by you yet." });
    const others = c.others.length
      ? h("div", { class: "ra-others", text: `Others: ${c.others.join(" · ")}` }) : null;
    const pending = model.get("pending");
    const next = h("div", { class: "ra-pending" },
      pending.comment ? h("span", { class: "ra-pending-comment", text: `comment: ${pending.comment}` }) : null,
      pending.teaching ? h("span", { class: "ra-pending-teaching", text: "teaching example" }) : null);
    fill(card, meta, text, chips, flag, decided, others, next);

    fill(guide,
      h("h4", { text: c.label_name }),
      h("div", { class: "ra-guide-part" }, h("b", { text: "What it marks (TAXONOMY). " }), c.definition),
      c.explanation ? h("div", { class: "ra-guide-part" }, h("b", { text: "This rule. " }), c.explanation) : null,
      h("div", { class: "ra-guide-part ra-better" },
        h("b", { text: c.concern ? "Better wording. " : "Keep doing. " }), c.rewrite),
      c.context ? h("div", { class: "ra-guide-part" }, h("b", { text: "Context. " }),
        `${c.context_name}: ${c.counted ? "counted" : "shown, but not counted as the writer's framing"}.`) : null);
  };

  const drawChooser = () => {
    const mode = model.get("mode");
    const choices = model.get("choices");
    root.dataset.mode = mode;
    chooser.replaceChildren();
    const typing = document.activeElement === commentBox;
    commentBox.remove();
    const option = (key, text, extra = {}) => {
      const button = h("button", { type: "button", class: "ra-option", "data-key": key, ...extra }, cap(key), ` ${text}`);
      button.addEventListener("click", () => { send(key); root.focus(); });
      return button;
    };
    if (mode === "reason") {
      chooser.append(h("div", { class: "ra-chooser-title", text: "Reject because… (press the number)" }),
                     ...choices.reasons.map(([key, _name, text]) => option(key, text)),
                     option("Escape", "cancel"));
    } else if (mode === "relabel" || mode === "add") {
      const current = (model.get("card") || {}).label;
      const title = mode === "relabel" ? "Relabel as… (press the key)" : "Add a missed flag: which label? (press the key)";
      chooser.append(h("div", { class: "ra-chooser-title", text: title }));
      if (mode === "add") {
        const t = model.get("target");
        chooser.append(h("div", { class: "ra-target" },
          h("span", { class: "ra-dim", text: `sentence ${(t.index ?? 0) + 1} of ${t.count ?? 0}${t.current ? " (the flag's own)" : ""}: ` }),
          h("span", { text: t.text || "" })),
          option("ArrowUp", "sentence before"), option("ArrowDown", "sentence after"));
      }
      chooser.append(...choices.labels.map(([key, name, text]) =>
        option(key, text, mode === "relabel" && name === current ? { disabled: true, title: "its label now" } : {})),
        option("Escape", "cancel"));
    } else if (mode === "confirm") {
      const confirm = model.get("confirm");
      chooser.append(h("div", { class: "ra-chooser-title",
                                text: `Accept the ${confirm.count} flag(s) of record ${confirm.record_id} you have not decided?` }),
                     option("y", "yes, accept them"), option("Escape", "no"));
    } else if (mode === "comment") {
      commentBox.value = model.get("pending").comment || "";
      chooser.append(h("div", { class: "ra-chooser-title", text: "Comment (Enter keeps it for your next decision, Esc cancels)" }),
                     commentBox);
      setTimeout(() => commentBox.focus(), 0);
    }
    chooser.hidden = chooser.childElementCount === 0;
    help.hidden = mode !== "help";
    if (mode === "help") {
      help.replaceChildren(h("h4", { text: "Keys (any key closes this)" }),
        h("table", {}, ...choices.help.map(([key, what]) => h("tr", {}, h("td", {}, h("kbd", { text: key })), h("td", { text: what })))),
        h("p", { class: "ra-dim", text: "Reasons: " + choices.reasons.map(([k, , t]) => `${k} ${t}`).join(" · ") }),
        h("p", { class: "ra-dim", text: "Labels: " + choices.labels.map(([k, , t]) => `${k} ${t}`).join(" · ") }));
    }
    if (typing && mode !== "comment") root.focus(); // the box went away: the keys go back to the panel
  };

  const drawMessage = () => {
    const m = model.get("message") || {};
    message.textContent = m.text || "";
    message.className = `ra-message ra-message-${m.kind || "none"}`;
  };

  const drawAll = () => {
    drawReviewer(); drawFilters(); drawProgress(); drawCard(); drawChooser(); drawMessage(); showFocus();
  };
  const listeners = [
    ["change:reviewer", drawReviewer], ["change:filters", drawFilters], ["change:choices", () => { drawFilters(); drawChooser(); }],
    ["change:progress", drawProgress], ["change:card", drawCard], ["change:pending", drawCard],
    ["change:mode", drawChooser], ["change:target", drawChooser], ["change:confirm", drawChooser],
    ["change:message", drawMessage],
  ];
  for (const [name, fn] of listeners) model.on(name, fn);
  drawAll();
  if (model.get("autofocus")) {
    setTimeout(() => (model.get("reviewer") ? root : reviewerInput).focus(), 0);
  }
  return () => { for (const [name, fn] of listeners) model.off(name, fn); };
}

export default { render };
