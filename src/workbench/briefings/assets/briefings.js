/* ШНОР workbench briefings: search and filters of the index page (plain JavaScript, offline). */
(function () {
  "use strict";
  function init() {
    var table = document.getElementById("schools");
    if (!table) { return; }
    var q = document.getElementById("q");
    var fMun = document.getElementById("f-mun");
    var fCat = document.getElementById("f-cat");
    var count = document.getElementById("count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var words = (q.value || "").toLowerCase().replace(/ё/g, "е").split(/\s+/).filter(Boolean);
      var mun = fMun.value, cat = fCat.value, shown = 0;
      rows.forEach(function (tr) {
        var text = (tr.getAttribute("data-text") || "").replace(/ё/g, "е");
        var ok = (!mun || tr.getAttribute("data-mun") === mun) &&
                 (!cat || tr.getAttribute("data-cat") === cat) &&
                 words.every(function (w) { return text.indexOf(w) !== -1; });
        tr.classList.toggle("hidden", !ok);
        if (ok) { shown += 1; }
      });
      count.textContent = "Показано " + shown + " из " + rows.length;
    }
    q.addEventListener("input", apply);
    fMun.addEventListener("change", apply);
    fCat.addEventListener("change", apply);
    apply();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
