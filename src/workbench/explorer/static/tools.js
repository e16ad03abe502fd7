// ШНОР explorer: «Печать» prints the current view (the print stylesheet drops the controls
// and keeps the summary of filters and thresholds, the list and the chart).
function render({ model, el }) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "wb-print jupyter-button";
  b.textContent = model.get("label");
  b.title = "Напечатать или сохранить в PDF то, что на экране";
  b.addEventListener("click", () => window.print());
  el.appendChild(b);
}

export default { render };
