// ШНОР explorer in JupyterLab: plotly.js for the charts, evaluated once in the page from this
// widget's `source` (the present server serves it as a cached file instead).
function render({ model, el }) {
  el.style.display = "none";
  if (!globalThis.__wbPlotlyLibrary) {
    let resolve;
    globalThis.__wbPlotlyLibrary = new Promise((r) => { resolve = r; });
    globalThis.__wbPlotlyLibrary.resolve = resolve;
  }
  if (!globalThis.Plotly) {
    const s = document.createElement("script");
    s.textContent = model.get("source");
    document.head.appendChild(s);
  }
  globalThis.__wbPlotlyLibrary.resolve(globalThis.Plotly);
}

export default { render };
