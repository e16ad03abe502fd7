// ШНОР explorer: one plotly chart (anywidget). The figure is widget state (not restyle
// messages), so a view created late (a hidden tab, a page that joins later) draws the current
// figure; Plotly.react redraws in place. plotly.js is loaded once per page: from the present
// server's /workbench/static/ (cached for every chart and participant), else (JupyterLab) from
// the PlotlyLibrary widget of the app. Clicks and lasso/box selections go back to Python as
// messages with the points' customdata (school codes).

function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  promise.resolve = resolve;
  return promise;
}

function library() {
  if (!globalThis.__wbPlotlyLibrary) { globalThis.__wbPlotlyLibrary = deferred(); }
  return globalThis.__wbPlotlyLibrary;
}

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = url;
    s.async = true;
    s.onload = () => resolve(globalThis.Plotly);
    s.onerror = () => reject(new Error("plotly.js не загрузился: " + url));
    document.head.appendChild(s);
  });
}

function plotly(model) {
  if (globalThis.Plotly) { return Promise.resolve(globalThis.Plotly); }
  const url = model.get("plotly_url");
  if (url) {
    if (!globalThis.__wbPlotlyScript) { globalThis.__wbPlotlyScript = loadScript(url); }
    return globalThis.__wbPlotlyScript;
  }
  return library();
}

// performance marks (the first of each name) for the benchmark's timeline of a first view
function mark(name) {
  if (!performance.getEntriesByName(name).length) { performance.mark(name); }
}

// traces that name their points by position (`wb_index`) take x, y, codes and texts from the
// widget's `points`, which change only with the filters (figures.chart_points)
function resolve(data, points) {
  return data.map((t) => {
    if (!t.wb_index) { return t; }
    const idx = t.wb_index;
    const out = Object.assign({}, t);
    delete out.wb_index;
    out.x = idx.map((i) => points.x[i]);
    out.y = idx.map((i) => points.y[i]);
    out.customdata = idx.map((i) => points.ids[i]);
    out.text = idx.map((i) => points.text[i]);
    return out;
  });
}

function ids(points) {
  return (points || []).map((p) => String(p.customdata)).filter((x) => x && x !== "undefined");
}

async function render({ model, el }) {
  el.classList.add("wb-chart");
  mark("wb-chart-view");
  const box = document.createElement("div");
  box.className = "wb-chart-plot";
  el.appendChild(box);
  let Plotly;
  try {
    Plotly = await plotly(model);
    mark("wb-plotly-ready");
  } catch (err) {
    box.textContent = String(err.message || err);
    return () => {};
  }
  let hooked = false;
  let drawing = 0;  // selection events plotly emits while redrawing are not the user's
  let pending = Promise.resolve();
  const draw = () => {
    const fig = model.get("figure") || {};
    const layout = Object.assign({}, fig.layout || {}, { autosize: true });
    el.classList.add("wb-drawing");
    drawing += 1;
    const data = resolve(fig.data || [], model.get("points") || {});
    pending = pending.then(() => Plotly.react(box, data, layout, model.get("config")))
      .then(() => new Promise((r) => requestAnimationFrame(() => r())))
      .then(() => {
        drawing -= 1;
        el.dataset.rev = String(layout.datarevision ?? "");
        mark("wb-chart-drawn");
        el.classList.remove("wb-drawing");
        if (!hooked) {
          hooked = true;
          box.on("plotly_click", (ev) => {
            const got = ids(ev && ev.points);
            if (got.length) { model.send({ type: "click", ids: got.slice(0, 1) }); }
          });
          box.on("plotly_selected", (ev) => {
            if (ev && !drawing) { model.send({ type: "select", ids: ids(ev.points) }); }
          });
          box.on("plotly_deselect", () => {
            if (!drawing) { model.send({ type: "select", ids: [] }); }
          });
        }
      });
  };
  draw();
  model.on("change:figure", draw);
  model.on("change:config", draw);
  const observer = new ResizeObserver(() => {
    if (box.offsetWidth > 0 && box.offsetHeight > 0) { Plotly.Plots.resize(box); }
  });
  observer.observe(el);
  return () => {
    observer.disconnect();
    Plotly.purge(box);
  };
}

export default { render };
