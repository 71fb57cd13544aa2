// Downloads' view (anywidget): a click asks Python for the file; its bytes come back in the
// widget's message and the browser saves them (a Blob and an <a download>), so the file
// reaches the reviewer's machine and nothing is written where the server runs.
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "ra-downloads";
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const title = document.createElement("b");
  title.textContent = "Download: ";
  const row = document.createElement("span");
  const status = document.createElement("span");
  status.className = "ra-downloads-status";
  status.setAttribute("role", "status");
  root.append(title, row, status);
  el.append(root);

  const draw = () => {
    row.replaceChildren(...model.get("buttons").map(([name, text]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `ra-download ra-download-${name}`;
      button.dataset.name = name;
      button.textContent = text;
      button.addEventListener("click", () => model.send({ type: "download", name }));
      return button;
    }));
  };
  const drawStatus = () => {
    const s = model.get("status") || {};
    status.textContent = s.text || "";
    status.className = `ra-downloads-status ra-downloads-${s.kind || "none"}`;
  };
  const onMessage = (msg, buffers) => {
    if (!msg || msg.type !== "file" || !buffers || !buffers.length) return;
    const blob = new Blob([buffers[0]], { type: msg.media_type });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = msg.filename;
    link.style.display = "none";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  model.on("change:buttons", draw);
  model.on("change:status", drawStatus);
  model.on("msg:custom", onMessage);
  draw();
  drawStatus();
  return () => {
    model.off("change:buttons", draw);
    model.off("change:status", drawStatus);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
