// ШНОР explorer: the list as a table (anywidget). Headers sort (the order is kept in Python,
// which also writes the xlsx in that order); a click on a row opens the school's card. Text is
// set with textContent only, so names and reasons from the data are never markup.

function render({ model, el }) {
  el.classList.add("wb-table-widget");
  const draw = () => {
    const columns = model.get("columns") || [];
    const rows = model.get("rows") || [];
    const sortKey = model.get("sort_key");
    const desc = model.get("sort_desc");
    el.replaceChildren();
    if (!rows.length) {
      const p = document.createElement("p");
      p.className = "wb-empty";
      p.textContent = model.get("empty_text");
      el.appendChild(p);
      return;
    }
    const wrap = document.createElement("div");
    wrap.className = "wb-table-wrap";
    const table = document.createElement("table");
    table.className = "wb-table";
    const head = table.createTHead().insertRow();
    columns.forEach((c) => {
      const th = document.createElement("th");
      th.scope = "col";
      const b = document.createElement("button");
      b.type = "button";
      b.className = "wb-sort";
      b.textContent = c.label + (c.key === sortKey ? (desc ? " ▼" : " ▲") : "");
      b.title = "Сортировать по столбцу «" + c.label + "»";
      th.setAttribute("aria-sort", c.key === sortKey ? (desc ? "descending" : "ascending") : "none");
      b.addEventListener("click", () => {
        if (c.key === model.get("sort_key")) {
          model.set("sort_desc", !model.get("sort_desc"));
        } else {
          model.set("sort_key", c.key);
          model.set("sort_desc", false);
        }
        model.save_changes();
      });
      th.appendChild(b);
      head.appendChild(th);
    });
    const body = table.createTBody();
    rows.forEach((r) => {
      const tr = body.insertRow();
      tr.dataset.id = r.id;
      tr.tabIndex = 0;
      tr.title = "Открыть карточку школы";
      r.cells.forEach((v, i) => {
        const td = tr.insertCell();
        td.textContent = v;
        const kind = (columns[i] || {}).kind;
        if (kind) { td.className = kind; }
      });
      const open = () => model.send({ type: "open", id: r.id });
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") { open(); } });
    });
    wrap.appendChild(table);
    el.appendChild(wrap);
    const note = model.get("note");
    if (note) {
      const p = document.createElement("p");
      p.className = "wb-note";
      p.textContent = note;
      el.appendChild(p);
    }
  };
  draw();
  for (const name of ["columns", "rows", "sort_key", "sort_desc", "note", "empty_text"]) {
    model.on("change:" + name, draw);
  }
}

export default { render };
